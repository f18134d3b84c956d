"""ConversationRoute's message cleanup under Pulumi mocks: the conversations table streams its keys,
only REMOVE records reach the cleanup function, batches it gives up on are kept in a failure queue, and
its role can do exactly what cleanup.py and Lambda's poller do."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest

from genai_backend_components.conversation.conversation_handler import cleanup
from tests.library.test_conversation_component import REGION, evaluate
from tests.policy_evaluator import is_allowed
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID

BOTOCORE = botocore.session.get_session()


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate()


def cleanup_policy(evaluation: Evaluation) -> dict[str, Any]:
    return json.loads(evaluation.named("chat-cleanup-message-cleanup").inputs["policy"])


def test_conversations_stream_their_keys_only(evaluation: Evaluation) -> None:
    conversations = evaluation.named("chat-conversations-table").inputs
    messages = evaluation.named("chat-messages-table").inputs
    assert (conversations["streamEnabled"], conversations["streamViewType"]) == (True, "KEYS_ONLY")
    assert (
        conversations["streamViewType"]
        in BOTOCORE.get_service_model("dynamodb").shape_for("StreamViewType").enum
    )
    assert "streamEnabled" not in messages  # nothing reads a stream of messages


def test_only_removed_conversations_trigger_the_cleanup_function(evaluation: Evaluation) -> None:
    trigger = evaluation.named("chat-cleanup-trigger")
    mapping = trigger.inputs
    function = evaluation.named("chat-cleanup-function").inputs
    lambda_model = BOTOCORE.get_service_model("lambda")
    conversations_table = (
        rf"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/chat-conversations-table-[0-9a-f]{{7}}"
    )
    assert re.fullmatch(conversations_table + "/stream/.+", mapping["eventSourceArn"])
    assert mapping["functionName"].startswith(
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:chat-cleanup-function"
    )
    [criterion] = mapping["filterCriteria"]["filters"]
    assert json.loads(criterion["pattern"]) == {"eventName": [cleanup.REMOVE]}
    assert mapping["startingPosition"] in lambda_model.shape_for("EventSourcePosition").enum
    retries = lambda_model.shape_for("MaximumRetryAttemptsEventSourceMapping").metadata
    assert retries["min"] <= mapping["maximumRetryAttempts"] <= retries["max"]
    assert mapping["maximumRetryAttempts"] > 0 and mapping["bisectBatchOnFunctionError"] is True
    # Lambda checks the role can read the stream when it creates the mapping.
    assert "chat-cleanup-message-cleanup" in trigger.dependencies
    assert function["handler"] == "conversation_handler.cleanup.handler"
    environment = function["environment"]["variables"]
    assert set(environment) == {cleanup.MESSAGES_TABLE}
    assert environment[cleanup.MESSAGES_TABLE].startswith("chat-messages-table-")


def test_batches_the_cleanup_gives_up_on_are_kept_in_an_encrypted_queue_for_two_weeks(
    evaluation: Evaluation,
) -> None:
    mapping = evaluation.named("chat-cleanup-trigger").inputs
    queue = evaluation.named("chat-cleanup-failures")
    destination = mapping["destinationConfig"]["onFailure"]["destinationArn"]
    lambda_model = BOTOCORE.get_service_model("lambda")
    destination_shape = lambda_model.shape_for("OnFailure").members["Destination"]
    # The queue's ARN (tools/fake_cloud.py resolves it; only its service, Region and account are asserted).
    assert (
        destination.startswith(f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:")
        and "chat-cleanup-failures-" in destination
    )
    assert re.fullmatch(destination_shape.metadata["pattern"], destination)
    assert queue.type == "aws:sqs/queue:Queue" and queue.parent == "chat"
    # SSE-SQS (keys owned by SQS): the record names a stream batch, and at rest it is encrypted anyway.
    assert queue.inputs["sqsManagedSseEnabled"] is True and "kmsMasterKeyId" not in queue.inputs
    assert queue.inputs["messageRetentionSeconds"] == 14 * 24 * 60 * 60
    # The only role that may write to the queue is the cleanup's, and only there.
    policy = cleanup_policy(evaluation)
    assert is_allowed(policy, "sqs:SendMessage", destination, {})
    assert not is_allowed(policy, "sqs:ReceiveMessage", destination, {})
    assert not is_allowed(policy, "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:another-queue", {})
    # Lambda checks the destination is reachable when it creates the mapping.
    assert "chat-cleanup-message-cleanup" in evaluation.named("chat-cleanup-trigger").dependencies


def test_cleanup_role_can_only_find_and_delete_messages_and_read_the_stream(evaluation: Evaluation) -> None:
    policy = cleanup_policy(evaluation)
    messages = evaluation.named("chat-handler-function").inputs["environment"]["variables"][
        "MESSAGES_TABLE_NAME"
    ]
    messages_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{messages}"
    stream_arn = evaluation.named("chat-cleanup-trigger").inputs["eventSourceArn"]
    conversations_arn = stream_arn.split("/stream/")[0]
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert set(statements) == {
        "FindMessages", "DeleteMessages", "ReadConversationDeletions", "ListStreams", "ReportCleanupFailures",
    }  # fmt: skip
    for action in ("dynamodb:Query", "dynamodb:BatchWriteItem"):
        assert is_allowed(policy, action, messages_arn, {})
        assert not is_allowed(policy, action, conversations_arn, {})
    for action in ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"):
        assert is_allowed(policy, action, stream_arn, {})
    for action in ("dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteTable", "dynamodb:GetItem"):
        assert not is_allowed(policy, action, messages_arn, {})
    assert not is_allowed(policy, "dynamodb:GetRecords", f"{messages_arn}/stream/2026-01-01T00:00:00.000", {})
    # ListStreams lists the account's streams and names none, so it is the one grant on "*" (the Lambda
    # developer guide lists it among the permissions a DynamoDB stream mapping needs).
    unscoped = [statement for statement in policy["Statement"] if "*" in statement["Resource"]]
    assert [(statement["Action"], statement["Resource"]) for statement in unscoped] == [
        (["dynamodb:ListStreams"], ["*"])
    ]
