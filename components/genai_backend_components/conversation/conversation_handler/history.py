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
- consecutive messages of one role are merged;
- tool blocks are kept in pairs (Bedrock refuses anything else): an answer's ``toolUse`` (a client tool
  the turn ended with) stays when the next user message holds its ``toolResult`` (the UI's answer), and a
  ``toolResult`` stays right after its ``toolUse``; unpaired blocks are dropped (a tool the UI never
  answered, a result whose question fell out of the history window). A message's toolResult blocks come
  first in it, as Anthropic's models require.

``client_tool_declarations`` reads the client tools the frontend declared (``toolConfiguration`` of the
user messages), so a turn can offer them and declare again those its history uses (tools.py).
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

from .tools import ToolSpec, client_tool_specs

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


def _json_value(value: Any, where: str) -> Any:
    """An AWSJSON value as stored: AppSync stores it parsed, but a string is read as JSON too."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise HistoryError(f"{where} is not JSON") from None
    return value


def _tool_use_block(tool_use: Mapping[str, Any], where: str) -> dict[str, Any]:
    tool_input = _json_value(tool_use.get("input"), f"{where}.toolUse.input")
    return {
        "toolUse": {
            "toolUseId": tool_use.get("toolUseId"),
            "name": tool_use.get("name"),
            "input": tool_input if isinstance(tool_input, dict) else {},
        }
    }


def _tool_result_block(tool_result: Mapping[str, Any], where: str) -> dict[str, Any]:
    content = []
    for position, part in enumerate(tool_result.get("content") or []):
        part_where = f"{where}.toolResult.content[{position}]"
        if not isinstance(part, Mapping):
            continue
        if part.get("json") is not None:
            content.append({"json": _json_value(part["json"], part_where)})
        elif isinstance(part.get("text"), str):
            content.append({"text": part["text"]})
        elif (converted := _bedrock_block(part, part_where)) is not None:
            content.append(converted)
    result: dict[str, Any] = {"toolUseId": tool_result.get("toolUseId"), "content": content}
    if tool_result.get("status") in ("success", "error"):
        result["status"] = tool_result["status"]
    return {"toolResult": result}


def _bedrock_block(block: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """One stored AmplifyAIContentBlock as a Bedrock ContentBlock; None for blocks the turn drops."""
    text = block.get("text")
    if isinstance(text, str) and text:
        return {"text": text}
    tool_use = block.get("toolUse")
    if isinstance(tool_use, Mapping):
        return _tool_use_block(tool_use, where)
    tool_result = block.get("toolResult")
    if isinstance(tool_result, Mapping):
        return _tool_result_block(tool_result, where)
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
    paired = _paired(_merged(ordered))
    if not paired or paired[-1]["role"] != "user" or not paired[-1]["content"]:
        raise HistoryError("the current message has no text, image, document or answered tool content")
    return _merged(paired)


def _merged(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Empty messages dropped, consecutive messages of one role joined; toolResult blocks first."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if not message["content"]:
            continue
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {"role": message["role"], "content": [*merged[-1]["content"], *message["content"]]}
        else:
            merged.append({"role": message["role"], "content": list(message["content"])})
    for message in merged:
        message["content"].sort(key=lambda block: "toolResult" not in block)
    return merged


def _ids(message: Mapping[str, Any] | None, kind: str) -> set[Any]:
    if message is None:
        return set()
    return {block[kind]["toolUseId"] for block in message["content"] if kind in block}


def _paired(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only tool blocks Bedrock accepts: a toolUse answered by the next message, a toolResult of the previous."""
    kept = []
    for index, message in enumerate(messages):
        before = messages[index - 1] if index > 0 else None
        after = messages[index + 1] if index + 1 < len(messages) else None
        if message["role"] == "assistant":
            allowed, kind = _ids(message, "toolUse") & _ids(after, "toolResult"), "toolUse"
        else:
            allowed, kind = _ids(before, "toolUse") & _ids(message, "toolResult"), "toolResult"
        content = [
            block
            for block in message["content"]
            if not ("toolUse" in block or "toolResult" in block)
            or (kind in block and block[kind]["toolUseId"] in allowed)
        ]
        kept.append({"role": message["role"], "content": content})
    return kept


def tool_names_used(messages: Sequence[Mapping[str, Any]]) -> set[str]:
    """Names of the tools the model messages' toolUse blocks call."""
    return {
        block["toolUse"]["name"] for message in messages for block in message["content"] if "toolUse" in block
    }


def client_tool_declarations(
    items: Sequence[Mapping[str, Any]], current_message_id: str
) -> tuple[list[ToolSpec], dict[str, ToolSpec]]:
    """The client tools the current message declares, and every earlier declaration by name (the latest)."""
    earlier: dict[str, ToolSpec] = {}
    for item in items:
        if item.get("role") != "user":
            continue
        specs = client_tool_specs(item.get("toolConfiguration"))
        if item.get("id") == current_message_id:
            return specs, earlier
        earlier.update({spec.name: spec for spec in specs})
    return [], earlier
