"""The cleanup Lambda against moto: a deleted conversation's messages go, everything else stays.

Records are shaped as Lambda delivers a KEYS_ONLY DynamoDB stream (the Lambda developer guide's
DynamoDB event example); moto here has no DynamoDB Streams API to produce them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from genai_backend_components.conversation.conversation_handler import cleanup
from tests.conversation_fakes import (
    CONVERSATION,
    ENVIRONMENT,
    OTHER_OWNER,
    OWNER,
    REGION,
    World,
    conversation_world,
)

MESSAGES = ENVIRONMENT["MESSAGES_TABLE_NAME"]
STREAM_ARN = f"arn:aws:dynamodb:{REGION}:123456789012:table/conversations-test/stream/2026-01-01T00:00:00.000"


def stream_record(event_name: str, owner: str, conversation_id: str, sequence: int) -> dict[str, Any]:
    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {
            "ApproximateCreationDateTime": 1790000000,
            "Keys": {"owner": {"S": owner}, "id": {"S": conversation_id}},
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": 80,
            "StreamViewType": "KEYS_ONLY",
        },
        "eventSourceARN": STREAM_ARN,
    }


def put_messages(world: World, conversation_id: str, count: int, owner: str = OWNER) -> None:
    for number in range(count):
        created_at = f"2026-03-01T10:{number // 60:02d}:{number % 60:02d}.000Z"
        world.dynamodb.put_item(
            TableName=MESSAGES,
            Item={
                "conversationId": {"S": conversation_id},
                "createdAtId": {"S": f"{created_at}#{owner[-4:]}-{number}"},
                "id": {"S": f"{owner[-4:]}-{number}"},
                "owner": {"S": owner},
                "role": {"S": "user"},
                "content": {"L": [{"M": {"text": {"S": "private words"}}}]},
            },
        )


def message_count(world: World, conversation_id: str) -> int:
    return world.dynamodb.query(
        TableName=MESSAGES,
        KeyConditionExpression="conversationId = :id",
        ExpressionAttributeValues={":id": {"S": conversation_id}},
        Select="COUNT",
    )["Count"]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with conversation_world() as created:
        cleanup._dynamodb.cache_clear()  # the client must be made inside moto's mock
        yield created
        cleanup._dynamodb.cache_clear()


def test_a_removed_conversation_loses_all_its_messages_and_nothing_else(world: World) -> None:
    deleted, kept, modified = CONVERSATION, "c-kept", "c-renamed"
    put_messages(world, deleted, 60)  # more than two BatchWriteItem calls' worth
    put_messages(world, deleted, 1, owner=OTHER_OWNER)  # not the deleted conversation's owner's
    put_messages(world, kept, 3)
    put_messages(world, modified, 2)
    event = {
        "Records": [
            stream_record("REMOVE", OWNER, deleted, 1),
            stream_record("MODIFY", OWNER, modified, 2),  # the filter lets only REMOVE through; still ignored
        ]
    }

    outcome = cleanup.handler(event, None)

    assert outcome == {"conversations": 1, "messagesDeleted": 60}
    assert message_count(world, deleted) == 1  # only the other owner's message is left
    assert (message_count(world, kept), message_count(world, modified)) == (3, 2)
    # A redelivered record (Lambda retries whole batches) finds nothing left and succeeds.
    assert cleanup.handler(event, None) == {"conversations": 1, "messagesDeleted": 0}


class _ThrottledDeletes:
    """The moto client, except that BatchWriteItem leaves the last request unprocessed ``times`` times."""

    def __init__(self, client: Any, times: int) -> None:
        self.client, self.times, self.calls = client, times, 0

    def get_paginator(self, operation: str) -> Any:
        return self.client.get_paginator(operation)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803 (boto3 name)
        self.calls += 1
        (table, requests), *_ = RequestItems.items()
        if self.times == 0:
            return self.client.batch_write_item(RequestItems=RequestItems)
        self.times -= 1
        if len(requests) > 1:
            self.client.batch_write_item(RequestItems={table: requests[:-1]})
        return {"UnprocessedItems": {table: requests[-1:]}}


@pytest.mark.parametrize(("throttled_times", "succeeds"), [(2, True), (cleanup.UNPROCESSED_ATTEMPTS, False)])
def test_unprocessed_deletes_are_resent_and_a_persistent_failure_raises(
    world: World, throttled_times: int, succeeds: bool
) -> None:
    conversation_id = f"c-throttled-{throttled_times}"
    put_messages(world, conversation_id, 3)
    throttled = _ThrottledDeletes(world.dynamodb, throttled_times)
    pauses: list[float] = []

    if succeeds:
        deleted = cleanup.delete_messages(throttled, MESSAGES, OWNER, conversation_id, sleep=pauses.append)
        assert deleted == 3 and message_count(world, conversation_id) == 0
    else:
        # Raising is what makes Lambda retry the stream batch instead of dropping the leftovers.
        with pytest.raises(cleanup.CleanupError, match="1 message"):
            cleanup.delete_messages(throttled, MESSAGES, OWNER, conversation_id, sleep=pauses.append)
        assert message_count(world, conversation_id) == 1
    assert throttled.calls == throttled_times + (1 if succeeds else 0)
    assert pauses == sorted(pauses) and len(pauses) == throttled_times


def test_a_missing_table_setting_fails_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cleanup.MESSAGES_TABLE, raising=False)
    with pytest.raises(cleanup.CleanupError, match="MESSAGES_TABLE_NAME"):
        cleanup.handler({"Records": [stream_record("REMOVE", OWNER, CONVERSATION, 9)]}, None)
