"""How long a synchronous answer takes, per model family, and how many output tokens fit AppSync's limit.

A generation route answers inside one AppSync request, and AppSync stops a resolver after 30 seconds (AWS
AppSync Developer Guide, "Resolver execution limits"; the AppSync quota "Request execution time"). The model's
part of that is the time to its first token plus ``max_tokens / output speed``; the rest of the 30 s goes to
the request and the pipeline, the network, and Bedrock's own queueing when it is busy, so the model's part is
budgeted at 20 s.

Output speeds are per model family and deliberately at the low end of published measurements of these models
on Amazon Bedrock (Artificial Analysis, "output speed" and "latency" by provider, late 2025), since a route
must fit on a slow day, not an average one. They are estimates, not measurements of this project: a route can
state its own with ``output_tokens_per_second``. A model family not listed gets the slowest speed below.
"""

import re
from dataclasses import dataclass

APPSYNC_RESOLVER_SECONDS = 30
MODEL_BUDGET_SECONDS = 20.0
"""The part of AppSync's 30 s a model's answer may take; the other 10 s are for everything around it."""


@dataclass(frozen=True)
class ModelSpeed:
    family: str
    """What the estimate is for, as a message names it."""
    tokens_per_second: float
    """Output tokens per second, at the low end of published measurements."""
    first_token_seconds: float
    """Time to the first output token."""


_SPEEDS: tuple[tuple[str, ModelSpeed], ...] = (
    (r"anthropic\.claude-(.*-)?opus", ModelSpeed("Anthropic Claude Opus", 30, 2.0)),
    (r"anthropic\.claude-(.*-)?sonnet", ModelSpeed("Anthropic Claude Sonnet", 65, 1.0)),
    (r"anthropic\.claude-(.*-)?haiku", ModelSpeed("Anthropic Claude Haiku", 65, 0.8)),
    (r"amazon\.nova-micro", ModelSpeed("Amazon Nova Micro", 200, 0.5)),
    (r"amazon\.nova-lite", ModelSpeed("Amazon Nova Lite", 150, 0.5)),
    (r"amazon\.nova-pro", ModelSpeed("Amazon Nova Pro", 80, 0.7)),
    (r"amazon\.nova-premier", ModelSpeed("Amazon Nova Premier", 50, 1.5)),
    (r"meta\.llama", ModelSpeed("Meta Llama", 50, 0.8)),
    (r"mistral\.", ModelSpeed("Mistral", 50, 0.8)),
    (r"cohere\.", ModelSpeed("Cohere Command", 50, 0.8)),
)
UNKNOWN_FAMILY = ModelSpeed("a model family without an estimate", 30, 2.0)


def model_speed(model_id: str) -> ModelSpeed:
    """The estimate for a base model id (without an inference-profile prefix)."""
    for pattern, speed in _SPEEDS:
        if re.match(pattern, model_id):
            return speed
    return UNKNOWN_FAMILY


def tokens_that_fit(speed: ModelSpeed, tokens_per_second: float | None = None) -> int:
    """The largest ``max_tokens`` a synchronous route may set, rounded down to a multiple of 50."""
    rate = tokens_per_second or speed.tokens_per_second
    tokens = (MODEL_BUDGET_SECONDS - speed.first_token_seconds) * rate
    return max(50, int(tokens // 50 * 50))


def time_budget_problem(model_id: str, max_tokens: int, tokens_per_second: float | None = None) -> str | None:
    """Why ``max_tokens`` cannot be answered within AppSync's limit; None when it fits."""
    speed = model_speed(model_id)
    fits = tokens_that_fit(speed, tokens_per_second)
    if max_tokens <= fits:
        return None
    rate = tokens_per_second or speed.tokens_per_second
    seconds = speed.first_token_seconds + max_tokens / rate
    source = "as stated" if tokens_per_second else f"assumed for {speed.family}"
    return (
        f"{max_tokens:,} output tokens take about {seconds:.0f} s at {rate:g} tokens/s ({source}), and a "
        f"synchronous answer must finish within {MODEL_BUDGET_SECONDS:g} s of AppSync's {APPSYNC_RESOLVER_SECONDS} s "
        f"resolver limit; at most {fits:,} fits (or choose a faster model)"
    )
