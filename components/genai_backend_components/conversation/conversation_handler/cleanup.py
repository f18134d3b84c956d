"""Deletes the messages of deleted conversations (entry ``conversation_handler.cleanup.handler``).

``deleteConversation<Route>`` removes one item from the conversations table; its messages, possibly
thousands, cannot be deleted by an APPSYNC_JS resolver, which gets one bounded request per data
source call. The conversations table's stream (keys only) therefore reaches this function through an
event source mapping that passes only REMOVE records, whatever deleted the conversation (the
resolver, a console click, a script). For each one it queries the conversation's messages, key
attributes only, and deletes them 25 at a time with BatchWriteItem.

Failure is loud on purpose: anything left undeleted raises, so Lambda retries the batch (the mapping
bisects it and gives up after a bounded number of attempts). Deleting is idempotent, so a retry
after a partial run just finishes the job. Only ids and counts are logged, never message content.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

logger = logging.getLogger(__name__)

MESSAGES_TABLE = "MESSAGES_TABLE_NAME"
"""The only variable the cleanup needs; the component sets it."""
BATCH_SIZE = 25
"""BatchWriteItem's limit on requests per call."""
UNPROCESSED_ATTEMPTS = 5
"""Rounds of resending throttled deletes before the batch fails (and the whole record is retried)."""
REMOVE = "REMOVE"


class CleanupError(Exception):
    """Some messages could not be deleted; raising makes Lambda retry the stream batch."""


@functools.cache
def _dynamodb() -> Any:
    """Created on first use (after tests install moto), then reused while the container is warm."""
    import boto3

    return boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION"))


def _message_keys(dynamodb: Any, table: str, owner: str, conversation_id: str) -> Iterator[dict[str, Any]]:
    """Keys of the conversation's messages written by its owner (the owner check every read makes)."""
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="#conversation = :conversation",
        FilterExpression="#owner = :owner",
        ProjectionExpression="#conversation, #sortKey",
        ExpressionAttributeNames={
            "#conversation": "conversationId",
            "#owner": "owner",
            "#sortKey": "createdAtId",
        },
        ExpressionAttributeValues={":conversation": {"S": conversation_id}, ":owner": {"S": owner}},
        ConsistentRead=True,
    )
    for page in pages:
        yield from page.get("Items", [])


def _delete_batch(
    dynamodb: Any, table: str, keys: Sequence[dict[str, Any]], sleep: Callable[[float], None]
) -> None:
    requests = [{"DeleteRequest": {"Key": key}} for key in keys]
    for attempt in range(UNPROCESSED_ATTEMPTS):
        unprocessed = dynamodb.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {})
        requests = unprocessed.get(table, [])
        if not requests:
            return
        sleep(0.05 * 2**attempt)
    raise CleanupError(f"{len(requests)} message(s) stayed unprocessed after {UNPROCESSED_ATTEMPTS} attempts")


def delete_messages(
    dynamodb: Any,
    table: str,
    owner: str,
    conversation_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Deletes every message of the conversation; returns how many were deleted."""
    batch: list[dict[str, Any]] = []
    deleted = 0
    for key in _message_keys(dynamodb, table, owner, conversation_id):
        batch.append(key)
        if len(batch) == BATCH_SIZE:
            _delete_batch(dynamodb, table, batch, sleep)
            deleted, batch = deleted + len(batch), []
    if batch:
        _delete_batch(dynamodb, table, batch, sleep)
        deleted += len(batch)
    return deleted


def deleted_conversations(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(owner, conversation id) of every REMOVE record; other records are ignored, not trusted."""
    found = []
    for record in event.get("Records") or []:
        keys = (record.get("dynamodb") or {}).get("Keys") or {}
        owner, conversation_id = keys.get("owner", {}).get("S"), keys.get("id", {}).get("S")
        if record.get("eventName") == REMOVE and owner and conversation_id:
            found.append((owner, conversation_id))
    return found


def handler(event: Mapping[str, Any], context: Any) -> dict[str, int]:
    """Lambda entry point: ``conversation_handler.cleanup.handler``."""
    table = os.environ.get(MESSAGES_TABLE, "").strip()
    if not table:
        raise CleanupError(f"{MESSAGES_TABLE}: the environment variable is missing or empty")
    conversations = deleted_conversations(event)
    deleted = 0
    for owner, conversation_id in conversations:
        count = delete_messages(_dynamodb(), table, owner, conversation_id)
        logger.info(
            "conversation messages deleted", extra={"conversationId": conversation_id, "messages": count}
        )
        deleted += count
    return {"conversations": len(conversations), "messagesDeleted": deleted}
