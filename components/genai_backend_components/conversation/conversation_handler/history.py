"""Reads a conversation's recent messages from DynamoDB and shapes them into Bedrock Converse messages.

Why the table is read directly (not through AppSync, as Amplify's handler does): the messages table
is keyed by conversation and time, so one strongly consistent Query returns the newest messages in
order, including the user message the resolver wrote a moment ago. Amplify reads an eventually
consistent index and then has to fetch the current message a second time when it is missing.

Reconciliation (Bedrock requires user/assistant alternation, starting with the user):
- answers are paired with the user message they answer (``associatedUserMessageId``), not placed
  by time, so overlapping turns cannot interleave;
- a user message without an answer is skipped (its turn failed or is still running elsewhere),
  except the current one, which ends the list (messages sent after it belong to later turns);
- a user message's ``aiContext`` is appended as one more text block, as Amplify does;
- tool blocks are dropped (see tools.py) and consecutive messages of one role are merged.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

logger = logging.getLogger(__name__)

_deserializer = TypeDeserializer()


class HistoryError(Exception):
    """The stored conversation cannot be turned into a valid model request."""


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal, which json cannot encode; the model needs plain JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(element) for element in value]
    if isinstance(value, dict):
        return {key: _plain(element) for key, element in value.items()}
    return value


def _item(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _plain({name: _deserializer.deserialize(value) for name, value in raw.items()})


def conversation_exists(dynamodb: Any, table_name: str, owner: str, conversation_id: str) -> bool:
    """True when ``owner`` owns the conversation: the turn must not answer into someone else's."""
    response = dynamodb.get_item(
        TableName=table_name,
        Key={"owner": {"S": owner}, "id": {"S": conversation_id}},
        ProjectionExpression="id",
        ConsistentRead=True,
    )
    return "Item" in response


def load_recent_messages(
    dynamodb: Any, table_name: str, owner: str, conversation_id: str, limit: int
) -> list[dict[str, Any]]:
    """The newest ``limit`` messages of the conversation, oldest first, only those ``owner`` wrote."""
    response = dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="#conversation = :conversation",
        FilterExpression="#owner = :owner",
        ExpressionAttributeNames={"#conversation": "conversationId", "#owner": "owner"},
        ExpressionAttributeValues={":conversation": {"S": conversation_id}, ":owner": {"S": owner}},
        ScanIndexForward=False,
        ConsistentRead=True,
        Limit=limit,
    )
    items = [_item(raw) for raw in response.get("Items", [])]
    items.reverse()
    logger.debug("history read", extra={"messageCount": len(items)})
    return items


def is_answered(items: Sequence[Mapping[str, Any]], user_message_id: str) -> bool:
    """True when ``items`` hold an assistant answer to ``user_message_id``.

    Conclusive whenever the user message itself was read: its answer is keyed right after it (see
    createAssistantResponse.js), so the newest-first read that reached the question reached its answer.
    """
    return any(
        item.get("role") == "assistant" and item.get("associatedUserMessageId") == user_message_id
        for item in items
    )


def created_at_of(items: Sequence[Mapping[str, Any]], message_id: str) -> str:
    """The stored createdAt of message ``message_id``: its answer is keyed by it."""
    for item in items:
        if item.get("id") == message_id:
            created_at = item.get("createdAt")
            if not isinstance(created_at, str) or not created_at:
                raise HistoryError(f"message {message_id} has no createdAt")
            return created_at
    raise HistoryError("the current message is not in the conversation's recent history")


def _decoded_bytes(encoded: Any, where: str) -> bytes:
    if not isinstance(encoded, str):
        raise HistoryError(f"{where}.source.bytes is missing")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise HistoryError(f"{where}.source.bytes is not base64") from None


def _bedrock_block(block: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """One stored AmplifyAIContentBlock as a Bedrock ContentBlock; None for blocks the turn drops."""
    text = block.get("text")
    if isinstance(text, str) and text:
        return {"text": text}
    image = block.get("image")
    if isinstance(image, Mapping):
        source = image.get("source") or {}
        return {
            "image": {
                "format": image.get("format"),
                "source": {"bytes": _decoded_bytes(source.get("bytes"), where)},
            }
        }
    document = block.get("document")
    if isinstance(document, Mapping):
        source = document.get("source") or {}
        return {
            "document": {
                "format": document.get("format"),
                "name": document.get("name"),
                "source": {"bytes": _decoded_bytes(source.get("bytes"), where)},
            }
        }
    return None


def _content(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    where = f"message {message.get('id')}"
    blocks = [
        converted
        for position, block in enumerate(message.get("content") or [])
        if isinstance(block, Mapping) and (converted := _bedrock_block(block, f"{where} content[{position}]"))
    ]
    ai_context = message.get("aiContext")
    if message.get("role") == "user" and ai_context not in (None, ""):
        blocks.append({"text": json.dumps(ai_context, sort_keys=True, ensure_ascii=False)})
    return blocks


def model_messages(items: Sequence[Mapping[str, Any]], current_message_id: str) -> list[dict[str, Any]]:
    """Bedrock ``messages`` for the turn answering ``current_message_id`` (see the module docstring)."""
    answers = {
        item["associatedUserMessageId"]: item
        for item in items
        if item.get("role") == "assistant" and item.get("associatedUserMessageId")
    }
    ordered: list[dict[str, Any]] = []
    found_current = False
    for item in items:
        if item.get("role") != "user":
            continue
        is_current = item.get("id") == current_message_id
        answer = answers.get(item.get("id"))
        if answer is None and not is_current:
            continue
        ordered.append({"role": "user", "content": _content(item)})
        if is_current:
            # Later user messages belong to turns sent meanwhile; they are answered by their own run.
            found_current = True
            break
        if answer is not None:
            ordered.append({"role": "assistant", "content": _content(answer)})
    if not found_current:
        raise HistoryError("the current message is not in the conversation's recent history")
    if not ordered[-1]["content"]:
        raise HistoryError("the current message has no text, image or document content")
    merged: list[dict[str, Any]] = []
    for message in ordered:
        if not message["content"]:
            continue
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1]["content"].extend(message["content"])
        else:
            merged.append(message)
    return merged
