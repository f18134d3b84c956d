"""Deleting a conversation deletes its messages: a stream-triggered cleanup function for a conversation route.

AppSync resolvers cannot delete an unbounded number of items, so the conversations table streams the keys
of deleted conversations and this function removes their messages in batches. Its role may only query and
batch-delete the messages table and read that one stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import iam
from components.function import LoggedFunction, LoggedFunctionArgs
from components.table import Table

CLEANUP_TIMEOUT_SECONDS = 300
"""Room for a long conversation's deletes; an unfinished run is retried and carries on where it stopped."""
CLEANUP_RETRY_ATTEMPTS = 10
"""Stream batches retried this often (bisected on each failure) before the mapping moves on."""
STREAM_READ_ACTIONS = (
    "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
)  # fmt: skip
"""What Lambda's poller needs on the stream it reads (DynamoDB developer guide's Lambda example)."""


@dataclass(frozen=True)
class MessageCleanup:
    function: LoggedFunction
    policy: aws.iam.RolePolicy
    trigger: aws.lambda_.EventSourceMapping


def declare_message_cleanup(
    name: str,
    *,
    code_path: str,
    conversations: Table,
    messages: Table,
    log_retention_days: int,
    application_log_level: str,
    system_log_level: str,
    tracing: bool,
    parent: pulumi.Resource,
) -> MessageCleanup:
    """The cleanup function, its exact permissions and its stream trigger, as children of ``parent``."""
    if conversations.stream_arn is None:
        raise ValueError("conversations: the table needs a stream (stream_view_type) to trigger the cleanup")
    package = Path(code_path).resolve().name
    function = LoggedFunction(
        f"{name}-cleanup",
        LoggedFunctionArgs(
            code_path=code_path,
            handler=f"{package}.cleanup.handler",
            timeout=CLEANUP_TIMEOUT_SECONDS,
            environment={"MESSAGES_TABLE_NAME": messages.name},
            log_retention_days=log_retention_days,
            application_log_level=application_log_level,
            system_log_level=system_log_level,
            tracing_mode="Active" if tracing else None,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    stream_arn = conversations.stream_arn
    policy = function.grant(
        "message-cleanup",
        [
            iam.statement("FindMessages", ["dynamodb:Query"], [messages.arn]),
            iam.statement("DeleteMessages", ["dynamodb:BatchWriteItem"], [messages.arn]),
            iam.statement("ReadConversationDeletions", STREAM_READ_ACTIONS, [stream_arn]),
        ],
    )
    trigger = aws.lambda_.EventSourceMapping(
        f"{name}-cleanup-trigger",
        event_source_arn=stream_arn,
        function_name=function.arn,
        starting_position="TRIM_HORIZON",
        filter_criteria={"filters": [{"pattern": json.dumps({"eventName": ["REMOVE"]})}]},
        maximum_retry_attempts=CLEANUP_RETRY_ATTEMPTS,
        bisect_batch_on_function_error=True,
        # Lambda checks the role can read the stream when the mapping is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy]),
    )
    return MessageCleanup(function=function, policy=policy, trigger=trigger)
