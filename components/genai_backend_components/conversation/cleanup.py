"""Deleting a conversation deletes its messages: a stream-triggered cleanup function for a conversation route.

AppSync resolvers cannot delete an unbounded number of items, so the conversations table streams the keys
of deleted conversations and this function removes their messages in batches. Its role may only query and
batch-delete the messages table, read that one stream, and report failures to its own queue.

Failures are kept, not dropped: a stream batch that still fails after its retries is skipped (so later
deletions are not held up), and Lambda then sends a failure record to the ``<name>-cleanup-failures``
SQS queue (kept 14 days). The record names the batch, not the conversations: ``DDBStreamBatchInfo``
holds ``streamArn``, ``shardId``, ``startSequenceNumber`` and ``endSequenceNumber``.

Replaying a failure (operator runbook; deleting is idempotent, so replaying twice does no harm):

1. Fix the cause first (the function's log group shows the error of each failed attempt).
2. ``aws sqs receive-message --queue-url <failures queue URL> --visibility-timeout 900`` and read the
   batch info from the body.
3. While the stream still holds the records (DynamoDB keeps stream records for 24 hours): ``aws
   dynamodbstreams get-shard-iterator --stream-arn <streamArn> --shard-id <shardId>
   --shard-iterator-type AT_SEQUENCE_NUMBER --sequence-number <startSequenceNumber>``, then ``aws
   dynamodbstreams get-records --shard-iterator <iterator>``; keep the records up to
   ``endSequenceNumber`` and write them as ``{"Records": [...]}`` to ``records.json``.
4. ``aws lambda invoke --function-name <cleanup function> --cli-binary-format raw-in-base64-out
   --payload file://records.json result.json``: the result counts the conversations and messages deleted.
5. ``aws sqs delete-message --queue-url <failures queue URL> --receipt-handle <handle>``.

After 24 hours the stream no longer names the conversations. Find them instead as messages whose
conversation is gone: the ``(conversationId, owner)`` pairs of the messages table with no ``(owner, id)``
item in the conversations table. Invoke the function with one record per pair, shaped as the stream
delivers it: ``{"eventName": "REMOVE", "dynamodb": {"Keys": {"owner": {"S": ...}, "id": {"S": ...}}}}``.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .. import iam
from ..function import LoggedFunction, LoggedFunctionArgs
from ..table import Table

CLEANUP_TIMEOUT_SECONDS = 300
"""Room for a long conversation's deletes; an unfinished run is retried and carries on where it stopped."""
CLEANUP_RETRY_ATTEMPTS = 10
"""Stream batches retried this often (bisected on each failure) before the mapping reports them to the
failure queue and moves on."""
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
"""What Lambda's poller does on the stream it reads; each action is scoped to that stream's ARN."""
STREAM_LIST_ACTION = "dynamodb:ListStreams"
"""Also listed by the Lambda developer guide (with-ddb, "Execution role permissions") as needed for a
DynamoDB stream mapping, and named by Lambda's own refusal when a mapping cannot read its stream.
ListStreams names no stream: it lists the account's, so IAM only matches it on resource "*"."""
FAILURE_RETENTION_SECONDS = 14 * 24 * 60 * 60
"""How long failure records wait for an operator: 14 days, SQS's maximum."""


@dataclass(frozen=True)
class MessageCleanup:
    function: LoggedFunction
    policy: aws.iam.RolePolicy
    trigger: aws.lambda_.EventSourceMapping
    failures: aws.sqs.Queue
    """Where the trigger reports stream batches it gave up on (replay: see the module docstring)."""


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
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
) -> MessageCleanup:
    """The cleanup function, its exact permissions and its stream trigger, as children of ``parent``;
    ``tags`` go on the function (with its role and log group) and the failure queue."""
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
            **({"tags": tags} if tags is not None else {}),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    failures = aws.sqs.Queue(
        f"{name}-cleanup-failures",
        sqs_managed_sse_enabled=True,
        message_retention_seconds=FAILURE_RETENTION_SECONDS,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    stream_arn = conversations.stream_arn
    policy = function.grant(
        "message-cleanup",
        [
            iam.statement("FindMessages", ["dynamodb:Query"], [messages.arn]),
            iam.statement("DeleteMessages", ["dynamodb:BatchWriteItem"], [messages.arn]),
            iam.statement("ReadConversationDeletions", STREAM_READ_ACTIONS, [stream_arn]),
            iam.statement("ListStreams", [STREAM_LIST_ACTION], ["*"]),
            # Lambda sends the failure record with the function's role.
            iam.statement("ReportCleanupFailures", ["sqs:SendMessage"], [failures.arn]),
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
        destination_config={"on_failure": {"destination_arn": failures.arn}},
        # Lambda checks the role can read the stream (and reach the destination) when the mapping is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy]),
    )
    return MessageCleanup(function=function, policy=policy, trigger=trigger, failures=failures)
