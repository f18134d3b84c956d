"""Fakes shared by the conversation tests (this module holds no tests).

Bedrock answers through botocore's real event-stream parser: binary frames are fed to a
``before-send`` hook, so exception events raise exactly as in production. AppSync is a fake HTTP
transport that records what the handler signed and sent. DynamoDB is moto.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto import mock_aws
from moto.core.models import botocore_stubber

from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.settings import (
    NO_DATA_TOOLS_SHA256,
    load_settings,
)
from genai_backend_components.conversation.conversation_handler.turn import Turn, TurnEvent, TurnReport

BASE_SCHEMA_SDL = (
    Path(__file__).resolve().parent / "fixtures" / "graphql" / "conversation_base.graphql"
).read_text()
"""A small API of the tests' own (``getNote``, ``listNotes``, ``saveNote``) that routes are composed onto;
library tests never read the app's schema."""
HANDLER_LOGGER = Turn.__module__.rpartition(".")[0]
"""Parent of the handler modules' loggers (each logs under its ``__name__``), as the tests import them:
``genai_backend_components.conversation.conversation_handler`` (``conversation_handler`` in Lambda)."""
REGION = "us-east-1"
ACCESS_KEY = "AKIATESTCONVERSATION"
SECRET_KEY = "conversation-test-secret-access-key"
SESSION_TOKEN = "conversation-test-session-token"
GRAPHQL_URL = "https://example1234.appsync-api.us-east-1.amazonaws.com/graphql"
OWNER = "5f0c1e4a-0000-4000-8000-00000000a11c"
OTHER_OWNER = "5f0c1e4a-0000-4000-8000-0000000000b0"
CONVERSATION = "c0000000-0000-4000-8000-000000000001"
SYSTEM_PROMPT = "You are a football-league assistant (secret house style 7Q)."
USER_TEXT = "Which teams play in the confidential-league-alpha?"
ANSWER_WORD = "lorem "
ENVIRONMENT = {
    "CONVERSATIONS_TABLE_NAME": "conversations-test",
    "MESSAGES_TABLE_NAME": "messages-test",
    "GRAPHQL_URL": GRAPHQL_URL,
    "STREAM_MUTATION_NAME": "createAssistantResponseStreamChat",
    "STREAM_INPUT_TYPE_NAME": "CreateConversationMessageChatAssistantStreamingInput",
    "RESPONSE_MUTATION_NAME": "createAssistantResponseChat",
    "RESPONSE_INPUT_TYPE_NAME": "CreateConversationMessageChatAssistantInput",
    "MODEL_ID": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "SYSTEM_PROMPT": SYSTEM_PROMPT,
    "MAX_TOKENS": "1024",
    "TEMPERATURE": "0.4",
    "BATCH_MILLISECONDS": "1000",
    "BATCH_CHARACTERS": "100000",
    "HISTORY_MESSAGE_LIMIT": "20",
    "MAX_TOOL_ITERATIONS": "3",
    "DATA_TOOLS_SHA256": NO_DATA_TOOLS_SHA256,
    "AWS_REGION": REGION,
}


def token_of(sub: str, signature: str = "signature-of-the-callers-own-token") -> str:
    """A JWT-shaped token claiming ``sub`` (the handler reads the claim and never checks the signature:
    AppSync does, when the handler sends a data tool's query with it)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'kid': 'test', 'alg': 'RS256'})}.{part({'sub': sub, 'token_use': 'access'})}.{signature}"


# --- Bedrock: binary event-stream frames, parsed by botocore exactly as a real response would be ---


def _frame(headers: dict[str, str], payload: dict[str, Any]) -> bytes:
    encoded_headers = b"".join(
        struct.pack("!B", len(name)) + name.encode() + struct.pack("!BH", 7, len(value)) + value.encode()
        for name, value in headers.items()
    )
    body = json.dumps(payload).encode()
    prelude = struct.pack("!II", 16 + len(encoded_headers) + len(body), len(encoded_headers))
    message = prelude + struct.pack("!I", binascii.crc32(prelude)) + encoded_headers + body
    return message + struct.pack("!I", binascii.crc32(message))


def event(kind: str, payload: dict[str, Any]) -> bytes:
    return _frame(
        {":event-type": kind, ":message-type": "event", ":content-type": "application/json"}, payload
    )


def exception(kind: str) -> bytes:
    headers = {":exception-type": kind, ":message-type": "exception", ":content-type": "application/json"}
    return _frame(headers, {"message": "details that must not reach the client"})


def answer_frames(deltas: list[str], stop: bool = True) -> list[bytes]:
    frames = [event("messageStart", {"role": "assistant"})]
    frames += [
        event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}}) for text in deltas
    ]
    if stop:
        frames += [
            event("contentBlockStop", {"contentBlockIndex": 0}),
            event("messageStop", {"stopReason": "end_turn"}),
            event("metadata", {"usage": {"inputTokens": 30, "outputTokens": len(deltas), "totalTokens": 99},
                               "metrics": {"latencyMs": 900}}),
        ]  # fmt: skip
    return frames


def tool_use_frames(tool_uses: list[tuple[str, str, dict[str, Any]]], text: str | None = None) -> list[bytes]:
    """A model reply that asks for tools, as ConverseStream streams it: optional text first, then each toolUse
    block (start with id and name, its input JSON in two fragments, stop), then stopReason tool_use."""
    frames = [event("messageStart", {"role": "assistant"})]
    index = 0
    if text is not None:
        frames += [
            event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}}),
            event("contentBlockStop", {"contentBlockIndex": 0}),
        ]
        index = 1
    for tool_use_id, name, tool_input in tool_uses:
        encoded = json.dumps(tool_input)
        half = len(encoded) // 2
        frames += [
            event("contentBlockStart", {"contentBlockIndex": index,
                                        "start": {"toolUse": {"toolUseId": tool_use_id, "name": name}}}),
            *(event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": part}}})
              for part in (encoded[:half], encoded[half:])),
            event("contentBlockStop", {"contentBlockIndex": index}),
        ]  # fmt: skip
        index += 1
    frames += [
        event("messageStop", {"stopReason": "tool_use"}),
        event("metadata", {"usage": {"inputTokens": 40, "outputTokens": 12, "totalTokens": 52},
                           "metrics": {"latencyMs": 300}}),
    ]  # fmt: skip
    return frames


class FakeClock:
    """Counts whole milliseconds, so batch boundaries are not blurred by float rounding."""

    def __init__(self) -> None:
        self.milliseconds = 1_000_000

    def __call__(self) -> float:
        return self.milliseconds / 1000


class _RawStream:
    """Stands in for urllib3's response body; advances the clock before each text delta arrives."""

    def __init__(self, frames: list[bytes], clock: FakeClock, step_milliseconds: int) -> None:
        self.frames, self.clock, self.step_milliseconds = frames, clock, step_milliseconds

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[bytes]:
        for frame in self.frames:
            if b"contentBlockDelta" in frame:
                self.clock.milliseconds += self.step_milliseconds
            yield frame

    def close(self) -> None:
        pass


@dataclass
class FakeBedrock:
    """A real bedrock-runtime client whose HTTP exchange is answered locally."""

    clock: FakeClock
    frames: list[bytes] = field(default_factory=list)
    step_milliseconds: int = 0
    http_error: tuple[int, str] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    replies: list[list[bytes]] = field(default_factory=list)
    """One reply per model call, in order (the last one repeats); ``frames`` answers every call when empty."""

    def client(self) -> Any:
        bedrock = boto3.client(
            "bedrock-runtime", region_name=REGION, config=Config(retries={"max_attempts": 1})
        )
        self.attach(bedrock)
        return bedrock

    def attach(self, bedrock: Any) -> None:
        # botocore calls every before-send handler; moto's (which has no ConverseStream) must go.
        bedrock.meta.events.unregister("before-send", botocore_stubber)
        bedrock.meta.events.register_first("before-send", self._answer)

    def _answer(self, request: Any, **kwargs: Any) -> AWSResponse:
        self.requests.append(json.loads(request.body))
        self.urls.append(request.url)
        if self.http_error is not None:
            status, code = self.http_error
            body = json.dumps({"message": "no"}).encode()
            return AWSResponse(request.url, status, {"x-amzn-errortype": code}, _Body(body))
        frames = self.replies[min(len(self.requests), len(self.replies)) - 1] if self.replies else self.frames
        raw = _RawStream(frames, self.clock, self.step_milliseconds)
        return AWSResponse(request.url, 200, {"content-type": "application/vnd.amazon.eventstream"}, raw)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[bytes]:
        yield self.data

    def read(self, *args: Any) -> bytes:
        return self.data


# --- AppSync: a fake HTTP transport that records what the handler signed and sent ---


@dataclass
class FakeAppSync:
    requests: list[Any] = field(default_factory=list)
    failing_status: int | None = None

    def __call__(self, request: Any, timeout_seconds: float) -> tuple[int, bytes]:
        self.requests.append(request)
        if self.failing_status is not None:
            return self.failing_status, b'{"errors":[{"errorType":"Unavailable"}]}'
        body = json.loads(request.data)
        field_name = body["query"].split("{", 2)[1].split("(")[0].strip()
        return 200, json.dumps({"data": {field_name: {"id": "x"}}}).encode()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.data) for request in self.requests]

    def inputs(self, mutation: str) -> list[dict[str, Any]]:
        return [body["variables"]["input"] for body in self.bodies() if f"{{ {mutation}(" in body["query"]]

    def serve_urlopen(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Routes ``urllib.request.urlopen`` (what the handler's GraphQL client calls) to this fake."""
        monkeypatch.setattr(
            "urllib.request.urlopen", lambda request, timeout: _HttpResponse(*self(request, timeout))
        )


class _HttpResponse:
    """What ``urlopen`` returns, as far as the handler's GraphQL client reads it."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    def __enter__(self) -> _HttpResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def read(self) -> bytes:
        return self.body


class LambdaContext:
    """The Lambda context object, as far as the handler reads it."""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class World:
    dynamodb: Any
    settings: Any


@contextmanager
def conversation_world() -> Iterator[World]:
    """moto DynamoDB with both tables keyed as the component declares them, and the handler's environment."""
    with pytest.MonkeyPatch.context() as environment, mock_aws():
        for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            environment.delenv(variable, raising=False)
        environment.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        environment.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        environment.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
        for name, value in ENVIRONMENT.items():
            environment.setenv(name, value)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=ENVIRONMENT["CONVERSATIONS_TABLE_NAME"],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("owner", "id")],
            KeySchema=[
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "id", "KeyType": "RANGE"},
            ],
        )
        dynamodb.create_table(
            TableName=ENVIRONMENT["MESSAGES_TABLE_NAME"],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("conversationId", "createdAtId")
            ],
            KeySchema=[
                {"AttributeName": "conversationId", "KeyType": "HASH"},
                {"AttributeName": "createdAtId", "KeyType": "RANGE"},
            ],
        )
        dynamodb.put_item(
            TableName=ENVIRONMENT["CONVERSATIONS_TABLE_NAME"],
            Item={
                "owner": {"S": OWNER},
                "id": {"S": CONVERSATION},
                "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
            },
        )
        yield World(dynamodb=dynamodb, settings=load_settings())


def world_fixture() -> Any:
    """A module-scoped ``world`` (one moto backend per module keeps the tests fast), bound in a test module
    as ``world = world_fixture()``: a fixture imported by name reads to ruff as an unused import (F401/F811)."""

    @pytest.fixture(scope="module")
    def world() -> Iterator[World]:
        with conversation_world() as created:
            yield created

    return world


def store_message(world: World, message_id: str, created_at: str, role: str, content: list[dict[str, Any]],
                  **extra: Any) -> None:  # fmt: skip
    """Writes a message item the way the sendMessage / createAssistantResponse resolvers do."""
    item = {
        "conversationId": CONVERSATION, "createdAtId": f"{created_at}#{message_id}", "id": message_id,
        "owner": OWNER, "role": role, "content": content, "createdAt": created_at, "updatedAt": created_at, **extra,
    }  # fmt: skip
    serializer = TypeSerializer()
    world.dynamodb.put_item(
        TableName=ENVIRONMENT["MESSAGES_TABLE_NAME"],
        Item={k: serializer.serialize(v) for k, v in item.items()},
    )


class Credentials:
    access_key, secret_key, token = ACCESS_KEY, SECRET_KEY, SESSION_TOKEN


def run_turn(
    world: World,
    message_id: str,
    bedrock: FakeBedrock,
    appsync: FakeAppSync,
    *,
    owner: str = OWNER,
    time_left: Callable[[], bool] = lambda: True,
    executable_tools: Sequence[Any] = (),
    event_changes: Mapping[str, Any] | None = None,
    **setting_changes: Any,
) -> TurnReport:
    settings = replace(world.settings, **setting_changes)
    graphql = GraphqlClient(GRAPHQL_URL, REGION, Credentials, transport=appsync, sleep=lambda seconds: None)
    turn = Turn(settings, dynamodb=world.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                clock=bedrock.clock, time_left=time_left, executable_tools=lambda: executable_tools)  # fmt: skip
    event = TurnEvent(
        conversation_id=CONVERSATION, current_message_id=message_id, owner=owner, **(event_changes or {})
    )
    return turn.run(event)


def reassembled(parts: list[dict[str, Any]]) -> str:
    """What Amplify's UI shows: chunks of block 0 ordered by contentBlockDeltaIndex."""
    chunks = sorted(
        (p["contentBlockDeltaIndex"], p["contentBlockText"]) for p in parts if "contentBlockText" in p
    )
    assert [index for index, _ in chunks] == list(range(len(chunks)))
    return "".join(text for _, text in chunks)
