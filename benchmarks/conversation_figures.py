"""Prints what one 500-token assistant answer costs in DynamoDB writes and AppSync mutations.

    .venv/bin/python -m benchmarks.conversation_figures

The answer is streamed through the handler's real batching code
(genai_backend_components/conversation/conversation_handler/streaming.py) with the component's default batch
settings, at a few model speeds; Amplify's handler sends one mutation per text delta and its resolver writes the
stored answer on each one. Writes made for the
user's message (the message itself, the conversation's updatedAt) are the same in both and left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from genai_backend_components.conversation import ConversationRouteArgs
from genai_backend_components.conversation.conversation_handler.streaming import AnswerStreamer, BatchPolicy

TOKENS = 500
CHARACTERS_PER_TOKEN = 4
WRITES_PER_STORED_ANSWER = 2
"""createAssistantResponse<Route>, once the answer is complete: one PutItem of the answer (messages
table) and one UpdateItem of the conversation's updatedAt (conversations table). A retry of that
mutation adds no item (its key is fixed by the turn), so it is not counted as a new write."""
STORE_MUTATIONS_PER_ANSWER = 1
"""The createAssistantResponse<Route> call itself, beside the stream mutations."""


def _default(field_name: str) -> Any:
    return next(
        field.default for field in dataclasses.fields(ConversationRouteArgs) if field.name == field_name
    )


class _Clock:
    def __init__(self) -> None:
        self.milliseconds = 0

    def __call__(self) -> float:
        return self.milliseconds / 1000


def _answer(clock: _Clock, tokens_per_second: int) -> Iterator[dict[str, Any]]:
    yield {"messageStart": {"role": "assistant"}}
    for _ in range(TOKENS):
        clock.milliseconds += 1000 // tokens_per_second
        yield {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "x" * CHARACTERS_PER_TOKEN}}}
    yield {"contentBlockStop": {"contentBlockIndex": 0}}
    yield {"messageStop": {"stopReason": "end_turn"}}


def figures(tokens_per_second: int) -> dict[str, int]:
    """Stream mutations and DynamoDB writes for one answer, ours and Amplify's (one per delta)."""
    policy = BatchPolicy(milliseconds=_default("batch_milliseconds"), characters=_default("batch_characters"))
    clock = _Clock()
    sent: list[dict[str, Any]] = []
    answer = AnswerStreamer(policy, sent.append, clock).consume(_answer(clock, tokens_per_second))
    amplify_mutations = TOKENS + 2  # one per delta, then block done and stop reason
    return {
        "ours_stream_mutations": answer.parts_sent + 1,  # + the stopReason part sent after storing
        "ours_mutations": answer.parts_sent + 1 + STORE_MUTATIONS_PER_ANSWER,
        "ours_dynamodb_writes": WRITES_PER_STORED_ANSWER,
        "amplify_stream_mutations": amplify_mutations,
        "amplify_dynamodb_writes": amplify_mutations,  # its stream resolver UpdateItems on every one
    }


def main() -> None:
    print(
        f"One {TOKENS}-token answer; batches every {_default('batch_milliseconds')} ms "
        f"or {_default('batch_characters')} characters"
    )
    print(
        f"{'model speed':>14} | {'DynamoDB writes ours/Amplify':>29} | {'AppSync mutations ours/Amplify':>31}"
    )
    for tokens_per_second in (25, 50, 100, 200):
        result = figures(tokens_per_second)
        writes = f"{result['ours_dynamodb_writes']} / {result['amplify_dynamodb_writes']}"
        mutations = f"{result['ours_mutations']} / {result['amplify_stream_mutations']}"
        print(f"{tokens_per_second:>8} tok/s | {writes:>29} | {mutations:>31}")


if __name__ == "__main__":
    main()
