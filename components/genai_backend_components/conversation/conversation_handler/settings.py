"""Per-stack settings of the conversation handler, read once from the environment the component sets.

The ConversationRoute component (``conversation/component.py``) is the only writer of these variables,
so a missing or malformed one is a deployment bug: it fails the cold start with a message naming the
variable, instead of surfacing later as a confusing Bedrock or AppSync error in the middle of a user's turn.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONVERSATIONS_TABLE = "CONVERSATIONS_TABLE_NAME"
MESSAGES_TABLE = "MESSAGES_TABLE_NAME"
GRAPHQL_URL = "GRAPHQL_URL"
STREAM_MUTATION = "STREAM_MUTATION_NAME"
STREAM_INPUT_TYPE = "STREAM_INPUT_TYPE_NAME"
RESPONSE_MUTATION = "RESPONSE_MUTATION_NAME"
RESPONSE_INPUT_TYPE = "RESPONSE_INPUT_TYPE_NAME"
MODEL_ID = "MODEL_ID"
SYSTEM_PROMPT = "SYSTEM_PROMPT"
MAX_TOKENS = "MAX_TOKENS"
TEMPERATURE = "TEMPERATURE"
BATCH_MILLISECONDS = "BATCH_MILLISECONDS"
BATCH_CHARACTERS = "BATCH_CHARACTERS"
HISTORY_LIMIT = "HISTORY_MESSAGE_LIMIT"
MAX_TOOL_ITERATIONS = "MAX_TOOL_ITERATIONS"
EXECUTABLE_TOOLS_MODULE = "EXECUTABLE_TOOLS_MODULE"
DATA_TOOLS_SHA256 = "DATA_TOOLS_SHA256"
REGION = "AWS_REGION"

ALL_VARIABLES = (
    CONVERSATIONS_TABLE, MESSAGES_TABLE, GRAPHQL_URL, STREAM_MUTATION, STREAM_INPUT_TYPE, RESPONSE_MUTATION,
    RESPONSE_INPUT_TYPE, MODEL_ID, SYSTEM_PROMPT, MAX_TOKENS, TEMPERATURE, BATCH_MILLISECONDS,
    BATCH_CHARACTERS, HISTORY_LIMIT, MAX_TOOL_ITERATIONS, DATA_TOOLS_SHA256,
)  # fmt: skip
"""Every variable the component must set (AWS_REGION comes from the Lambda runtime itself)."""
OPTIONAL_VARIABLES = (EXECUTABLE_TOOLS_MODULE,)
"""Set only for a route with executable tools: the package name of its tools folder."""
MAX_TOOL_ITERATIONS_RANGE = (1, 20)
"""Rounds of tool calls one answer may take; the component checks the same range."""
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def data_tools_sha256(data_tools: Any) -> str:
    """sha256 (hex) of a route's data-tool definitions, the list a turn event carries as
    ``toolsConfiguration.dataTools``, in canonical JSON: sorted keys, no spaces, ASCII (``\\uXXXX`` escapes).

    The component computes it over the list its generated toolSettings step stashes (``DATA_TOOLS_SHA256``);
    the handler computes it over the list it received, after parsing, so key order and spacing in transit
    (AppSync serialises the stash into the Invoke payload) do not matter. A route without data tools has the
    digest of ``[]``, which is also what an event without ``toolsConfiguration`` hashes as. The definitions
    hold only text, lists and objects (data_tools.py), so no number formatting can differ between the sides.
    """
    canonical = json.dumps(
        data_tools, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


NO_DATA_TOOLS_SHA256 = data_tools_sha256([])
"""``DATA_TOOLS_SHA256`` of a route without data tools."""


class SettingsError(ValueError):
    """A variable is missing or out of range: the function was deployed with a broken configuration."""


@dataclass(frozen=True, kw_only=True)
class HandlerSettings:
    conversations_table: str
    """DynamoDB table of conversations (key: owner, id); read to confirm the turn's owner."""
    messages_table: str
    """DynamoDB table of messages (key: conversationId, createdAtId); history is read from it."""
    graphql_url: str
    """AppSync GraphQL endpoint the answer is sent to (SigV4, service ``appsync``)."""
    stream_mutation: str
    """Mutation carrying one batch of the answer to subscribers, e.g. createAssistantResponseStreamChat."""
    stream_input_type: str
    """GraphQL input type of that mutation's ``input`` argument."""
    response_mutation: str
    """Mutation persisting the finished answer once, e.g. createAssistantResponseChat."""
    response_input_type: str
    """GraphQL input type of that mutation's ``input`` argument."""
    model_id: str
    """Id passed to ConverseStream: a foundation-model id or an inference-profile id."""
    system_prompt: str
    """System prompt sent with every turn."""
    max_tokens: int
    """Upper bound on the answer length, in tokens."""
    temperature: float | None
    """Sampling temperature 0..1; None leaves the model's default."""
    batch_milliseconds: int
    """A batch is sent once this much time passed since the previous one (checked as deltas arrive)."""
    batch_characters: int
    """... or once it holds this many characters, whichever comes first."""
    history_limit: int
    """Most recent stored messages read as context for the model (bounds cost and latency)."""
    max_tool_iterations: int
    """Rounds of data or executable tool calls one answer may take; one more fails the turn."""
    executable_tools_module: str | None
    """Package holding the route's executable tools (``TOOLS``), shipped beside the handler; None: none."""
    data_tools_sha256: str
    """``data_tools_sha256`` of the route's data tools: a turn event carrying other definitions is refused
    (turn_event.py), so whoever may invoke the function cannot hand the model tools of their own."""
    region: str
    """Region of the function; Bedrock and AppSync are called in it."""


def _required(environment: Mapping[str, str], name: str) -> str:
    value = environment.get(name, "")
    if not value.strip():
        raise SettingsError(f"{name}: the environment variable is missing or empty")
    return value


def _integer(environment: Mapping[str, str], name: str, low: int, high: int) -> int:
    text = _required(environment, name)
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name}: {text!r} is not an integer") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: {value} is out of range; allowed {low}..{high}")
    return value


def _temperature(environment: Mapping[str, str]) -> float | None:
    text = environment.get(TEMPERATURE, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{TEMPERATURE}: {text!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise SettingsError(f"{TEMPERATURE}: {value} is out of range; allowed 0..1 or empty for the default")
    return value


def _module_name(environment: Mapping[str, str]) -> str | None:
    text = environment.get(EXECUTABLE_TOOLS_MODULE, "").strip()
    if not text:
        return None
    if not text.isidentifier():
        raise SettingsError(f"{EXECUTABLE_TOOLS_MODULE}: {text!r} is not a Python package name")
    return text


def _sha256(environment: Mapping[str, str], name: str) -> str:
    text = _required(environment, name).strip()
    if not _SHA256_HEX.match(text):
        raise SettingsError(f"{name}: {text!r} is not a sha256 digest (64 lowercase hex digits)")
    return text


def load_settings(environment: Mapping[str, str] | None = None) -> HandlerSettings:
    """Reads and checks every variable; ``environment`` defaults to ``os.environ`` (tests pass a dict)."""
    source = os.environ if environment is None else environment
    return HandlerSettings(
        conversations_table=_required(source, CONVERSATIONS_TABLE),
        messages_table=_required(source, MESSAGES_TABLE),
        graphql_url=_required(source, GRAPHQL_URL),
        stream_mutation=_required(source, STREAM_MUTATION),
        stream_input_type=_required(source, STREAM_INPUT_TYPE),
        response_mutation=_required(source, RESPONSE_MUTATION),
        response_input_type=_required(source, RESPONSE_INPUT_TYPE),
        model_id=_required(source, MODEL_ID),
        system_prompt=_required(source, SYSTEM_PROMPT),
        max_tokens=_integer(source, MAX_TOKENS, 1, 200_000),
        temperature=_temperature(source),
        batch_milliseconds=_integer(source, BATCH_MILLISECONDS, 0, 60_000),
        batch_characters=_integer(source, BATCH_CHARACTERS, 1, 100_000),
        history_limit=_integer(source, HISTORY_LIMIT, 1, 1_000),
        max_tool_iterations=_integer(source, MAX_TOOL_ITERATIONS, *MAX_TOOL_ITERATIONS_RANGE),
        executable_tools_module=_module_name(source),
        data_tools_sha256=_sha256(source, DATA_TOOLS_SHA256),
        region=_required(source, REGION),
    )
