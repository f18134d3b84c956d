"""sendMessage (and the handler's createAssistantResponse) refuse, before any write, what DynamoDB or the
protocol would not accept.

The pipeline (touchConversation, writeMessage, toolSettings, invokeHandler) runs in Node against moto tables
created from the route's own ``TableArgs``; the caller is a user of a moto Cognito pool.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from genai_backend_components.conversation import conversation_table_args, message_table_args
from sandbox.tables import create_table
from tests.appsync_harness import (
    CONVERSATION_RESOLVERS,
    DEFAULT_EXECUTORS,
    AppSyncHarness,
    DataSource,
    DataSourceOutcome,
    PipelineFunction,
    ResolverRun,
    dynamodb_table,
    none_source,
)
from tests.cognito_tokens import CognitoTestPool
from tests.conversation_appsync import HANDLER_ROLE_IDENTITY, handler_caller_check_file

REGION = "us-east-1"
CREATED_AT = "2026-01-01T00:00:00.000Z"
SENT_AT = "2026-01-01T00:05:00.000Z"
MAX_MESSAGE_BYTES = 300_000
TOOL_USE = {"toolUseId": "t1", "name": "getNote", "input": '{"id": "n1"}'}


@dataclass
class SendWorld:
    harness: AppSyncHarness
    conversations: DataSource
    messages: DataSource
    none: DataSource
    handler: DataSource
    identity: dict[str, Any]
    invocations: list[dict[str, Any]]
    conversation_items: Any
    message_items: Any
    handler_check: Path

    def create_conversation(self, name: str) -> str:
        run = self.harness.run_unit(
            CONVERSATION_RESOLVERS / "createConversation.js",
            self.conversations,
            arguments={"input": {"name": name}},
            identity=self.identity,
            now=CREATED_AT,
        )
        assert run.error is None, run.error
        return run.result["id"]

    def send(self, conversation_id: str, content: list[dict[str, Any]]) -> ResolverRun:
        steps = [
            PipelineFunction(CONVERSATION_RESOLVERS / "touchConversation.function.js", self.conversations),
            PipelineFunction(CONVERSATION_RESOLVERS / "writeMessage.function.js", self.messages),
            PipelineFunction(CONVERSATION_RESOLVERS / "toolSettings.function.js", self.none),
            PipelineFunction(CONVERSATION_RESOLVERS / "invokeHandler.function.js", self.handler),
        ]
        return self.harness.run_pipeline(
            CONVERSATION_RESOLVERS / "sendMessage.js",
            steps,
            arguments={"conversationId": conversation_id, "content": content},
            identity=self.identity,
            now=SENT_AT,
        )

    def answer(self, conversation_id: str, user_message_id: str, text: str) -> ResolverRun:
        """The handler storing its answer, through the pipeline the component wires (handler-role check first)."""
        steps = [
            PipelineFunction(self.handler_check, self.none),
            PipelineFunction(CONVERSATION_RESOLVERS / "touchConversation.function.js", self.conversations),
            PipelineFunction(CONVERSATION_RESOLVERS / "writeMessage.function.js", self.messages),
        ]
        answer = {"conversationId": conversation_id, "associatedUserMessageId": user_message_id,
                  "owner": self.identity["sub"], "content": [{"text": text}], "createdAt": SENT_AT}  # fmt: skip
        return self.harness.run_pipeline(
            CONVERSATION_RESOLVERS / "createAssistantResponse.js",
            steps,
            arguments={"input": answer},
            identity=HANDLER_ROLE_IDENTITY,
            now=SENT_AT,
        )

    def updated_at(self, conversation_id: str) -> str:
        key = {"owner": self.identity["sub"], "id": conversation_id}
        return self.conversation_items.get_item(Key=key)["Item"]["updatedAt"]

    def stored_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.message_items.query(
            KeyConditionExpression="conversationId = :id", ExpressionAttributeValues={":id": conversation_id}
        )["Items"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SendWorld]:
    handler_check = handler_caller_check_file(tmp_path_factory.mktemp("handler-check"))
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "conversations", conversation_table_args(protect_data=False))
        create_table(dynamodb, "messages", message_table_args(protect_data=False))
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        user = pool.create_user("sender@example.com")
        invocations: list[dict[str, Any]] = []

        def invoke(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
            invocations.append(request["payload"])
            return DataSourceOutcome(result=None)

        resource = boto3.resource("dynamodb", region_name=REGION)
        with AppSyncHarness(executors={**DEFAULT_EXECUTORS, "AWS_LAMBDA": invoke}) as harness:
            yield SendWorld(
                harness=harness,
                conversations=dynamodb_table("ConversationChatTable", dynamodb, "conversations"),
                messages=dynamodb_table("ConversationMessageChatTable", dynamodb, "messages"),
                none=none_source("ConversationChatNone"),
                handler=DataSource(kind="AWS_LAMBDA", name="ConversationChatHandler"),
                identity=pool.identity_from_token(user.id_token),
                invocations=invocations,
                conversation_items=resource.Table("conversations"),
                message_items=resource.Table("messages"),
                handler_check=handler_check,
            )


def _json_bytes(conversation_id: str, text: str) -> int:
    arguments = {"conversationId": conversation_id, "content": [{"text": text}]}
    return len(json.dumps(arguments, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def test_a_message_over_the_byte_limit_is_refused_before_any_write(world: SendWorld) -> None:
    conversation_id = world.create_conversation("cjk")
    # 140,000 characters of CJK: under 300,000 characters, but about 420,000 UTF-8 bytes, more than a
    # DynamoDB item may hold (400 KB).
    text = "表" * 140_000
    assert len(text) < MAX_MESSAGE_BYTES < _json_bytes(conversation_id, text)
    invocations_before = len(world.invocations)

    run = world.send(conversation_id, [{"text": text}])

    assert run.error_type == "ValidationError"
    assert f"at most {MAX_MESSAGE_BYTES}" in run.error.message and "bytes" in run.error.message
    assert run.requests == []
    assert world.updated_at(conversation_id) == CREATED_AT
    assert world.stored_messages(conversation_id) == []
    assert len(world.invocations) == invocations_before


def test_the_byte_limit_counts_utf8_bytes_exactly(world: SendWorld) -> None:
    conversation_id = world.create_conversation("edge")
    overhead = _json_bytes(conversation_id, "")
    # Three-byte characters up to the limit, then one-byte characters to land exactly on it.
    cjk_count = (MAX_MESSAGE_BYTES - overhead) // 3
    at_limit = "表" * cjk_count + "a" * (MAX_MESSAGE_BYTES - overhead - 3 * cjk_count)
    assert _json_bytes(conversation_id, at_limit) == MAX_MESSAGE_BYTES

    accepted = world.send(conversation_id, [{"text": at_limit}])
    refused = world.send(conversation_id, [{"text": at_limit + "a"}])

    assert accepted.error is None, accepted.error
    assert refused.error_type == "ValidationError" and refused.requests == []
    assert [item["content"][0]["text"] for item in world.stored_messages(conversation_id)] == [at_limit]


@pytest.mark.parametrize(
    "block",
    [
        {"toolUse": TOOL_USE},
        {"text": "look it up", "toolUse": TOOL_USE},
        {
            "toolResult": {"toolUseId": "t1", "status": "success", "content": [{"text": "ok"}]},
            "toolUse": TOOL_USE,
        },
        {"unknownKind": {"x": 1}},
        {},
    ],
    ids=["toolUse alone", "text with toolUse", "toolResult with toolUse", "unknown kind", "empty"],
)
def test_blocks_a_user_may_not_send_are_refused_and_nothing_is_stored(
    world: SendWorld, block: dict[str, Any]
) -> None:
    conversation_id = world.create_conversation("forged tool use")

    run = world.send(conversation_id, [{"text": "fine"}, block])

    assert run.error_type == "ValidationError" and run.requests == []
    assert "text, image, document, toolResult" in run.error.message
    assert world.stored_messages(conversation_id) == []
    assert world.updated_at(conversation_id) == CREATED_AT


def test_only_the_allowed_kind_of_each_block_is_stored(world: SendWorld) -> None:
    conversation_id = world.create_conversation("kinds")
    tool_result = {"toolUseId": "t1", "status": "success", "content": [{"json": '{"wins": 3}'}]}

    run = world.send(conversation_id, [{"text": "hi", "image": None}, {"toolResult": tool_result}])

    assert run.error is None, run.error
    assert run.result["content"] == [{"text": "hi"}, {"toolResult": tool_result}]
    (stored,) = world.stored_messages(conversation_id)
    assert stored["content"] == [{"text": "hi"}, {"toolResult": tool_result}]


def test_an_answer_over_the_byte_limit_is_refused_before_any_write(world: SendWorld) -> None:
    conversation_id = world.create_conversation("long answer")
    sent = world.send(conversation_id, [{"text": "Write a very long answer in Chinese."}])
    assert sent.error is None, sent.error
    stored_before = world.stored_messages(conversation_id)
    # 120,000 characters pass a 300,000-character limit; in UTF-8 they are 360,000 bytes.
    answer = world.answer(conversation_id, sent.result["id"], "表" * 120_000)

    assert answer.error_type == "ValidationError" and "bytes" in answer.error.message
    assert [request["operation"] for request in answer.requests] == []
    assert world.stored_messages(conversation_id) == stored_before

    fits = world.answer(conversation_id, sent.result["id"], "表" * 99_000)
    assert fits.error is None, fits.error
    assert len(world.stored_messages(conversation_id)) == len(stored_before) + 1
