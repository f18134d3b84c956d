"""A local stand-in for Bedrock runtime's Converse and ConverseStream, deterministic and offline.

It speaks the wire protocol botocore and AppSync's HTTP data source use (``POST /model/<id>/converse``
answers JSON; ``POST /model/<id>/converse-stream`` answers ``application/vnd.amazon.eventstream`` binary
frames), so the generation route's resolver and the conversation handler run unchanged against it.
What it answers, always the same for the same request:

- a request that forces a tool (``toolConfig.toolChoice.tool``): one ``toolUse`` of that tool whose input
  is built from the tool's JSON schema (strings mention the question), stop reason ``tool_use``;
- a request that offers tools and whose last user text names one of them: one ``toolUse`` of it (the
  model "asks for a tool"), stop reason ``tool_use``;
- a request whose last user message carries tool results: a text answer that quotes them;
- otherwise a short text answer that quotes the question, streamed in word-sized chunks.
Requests are not signed-checked: the stand-in accepts any caller on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import json
import struct
from collections.abc import Mapping
from typing import Any

from aiohttp import web

STREAM_CHUNK_DELAY_SECONDS = 0.03
"""Pause between streamed chunks, so an answer arrives in several parts as from a real model."""
ANSWER = (
    "This is the sandbox's stand-in model answering {question}. It runs on your machine, needs no AWS "
    "account, and streams this reply in small chunks so the client shows it arriving piece by piece."
)


def _last_user_message(messages: list[Any]) -> dict[str, Any]:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return message
    return {}


def _text_of(message: Mapping[str, Any]) -> str:
    return " ".join(
        block["text"] for block in message.get("content") or [] if isinstance(block, dict) and "text" in block
    )


def _tool_results(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        block["toolResult"]
        for block in message.get("content") or []
        if isinstance(block, dict) and "toolResult" in block
    ]


def example_value(schema: Any, question: str, name: str = "value") -> Any:
    """A value that satisfies ``schema`` (the JSON Schema subset tool inputs use), derived from the question."""
    if not isinstance(schema, dict):
        return f"Sandbox {name} for: {question}"
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "string")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {key: example_value(value, question, key) for key, value in properties.items()}
    if kind == "array":
        return [
            example_value(schema.get("items"), question, name),
            example_value(schema.get("items"), question, name),
        ]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return f"Sandbox {name} for: {question}"


def _tool_use_id(*parts: str) -> str:
    return "tooluse_" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:22]


def plan_answer(body: Mapping[str, Any]) -> dict[str, Any]:
    """The assistant message and stop reason for a Converse request body (see the module docstring)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages: at least one message is required")
    last = _last_user_message(messages)
    question = _text_of(last).strip() or "your request"
    short = question if len(question) <= 120 else question[:117] + "..."
    tools = [
        tool["toolSpec"] for tool in (body.get("toolConfig") or {}).get("tools", []) if "toolSpec" in tool
    ]
    forced = (((body.get("toolConfig") or {}).get("toolChoice") or {}).get("tool") or {}).get("name")
    results = _tool_results(last)
    chosen = None
    if forced:
        chosen = next((tool for tool in tools if tool.get("name") == forced), None)
    elif tools and not results:
        chosen = next((tool for tool in tools if tool.get("name", "").lower() in question.lower()), None)
    if chosen is not None:
        schema = (chosen.get("inputSchema") or {}).get("json")
        tool_input = example_value(schema, short, chosen["name"])
        block = {
            "toolUse": {
                "toolUseId": _tool_use_id(chosen["name"], question),
                "name": chosen["name"],
                "input": tool_input,
            }
        }
        return {"content": [block], "stopReason": "tool_use"}
    if results:
        quoted = json.dumps([result.get("content") for result in results], separators=(",", ":"))[:500]
        text = f"The sandbox's stand-in model read the tool results {quoted} and answers {json.dumps(short)}."
    else:
        text = ANSWER.format(question=json.dumps(short))
    return {"content": [{"text": text}], "stopReason": "end_turn"}


def _usage(body: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, int]:
    prompt = len(json.dumps(body.get("messages", [])).split())
    output = len(json.dumps(answer["content"]).split())
    return {"inputTokens": prompt, "outputTokens": output, "totalTokens": prompt + output}


# ---- event-stream framing (AWS event stream encoding: prelude, headers, payload, CRC32s)


def _frame(headers: Mapping[str, str], payload: Mapping[str, Any]) -> bytes:
    encoded = b"".join(
        struct.pack("!B", len(name))
        + name.encode()
        + struct.pack("!BH", 7, len(value.encode()))
        + value.encode()
        for name, value in headers.items()
    )
    data = json.dumps(payload, separators=(",", ":")).encode()
    prelude = struct.pack("!II", 16 + len(encoded) + len(data), len(encoded))
    message = prelude + struct.pack("!I", binascii.crc32(prelude)) + encoded + data
    return message + struct.pack("!I", binascii.crc32(message))


def event_frame(kind: str, payload: Mapping[str, Any]) -> bytes:
    headers = {":event-type": kind, ":message-type": "event", ":content-type": "application/json"}
    return _frame(headers, payload)


def stream_events(answer: Mapping[str, Any], usage: Mapping[str, int]) -> list[tuple[str, dict[str, Any]]]:
    """ConverseStream events for an answer: text in word-sized deltas, a tool use as one JSON delta."""
    events: list[tuple[str, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    for index, block in enumerate(answer["content"]):
        if "text" in block:
            words = block["text"].split(" ")
            for position in range(0, len(words), 3):
                chunk = " ".join(words[position : position + 3]) + (" " if position + 3 < len(words) else "")
                events.append(("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": chunk}}))
        else:
            tool = block["toolUse"]
            start = {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}}
            events.append(("contentBlockStart", {"contentBlockIndex": index, "start": start}))
            delta = {"toolUse": {"input": json.dumps(tool["input"], separators=(",", ":"))}}
            events.append(("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
    events.append(("messageStop", {"stopReason": answer["stopReason"]}))
    events.append(("metadata", {"usage": dict(usage), "metrics": {"latencyMs": 1}}))
    return events


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(
            text=json.dumps({"message": "request body is not JSON"}),
            headers={"x-amzn-ErrorType": "ValidationException"},
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({"message": "request body must be an object"}),
                                 headers={"x-amzn-ErrorType": "ValidationException"}, content_type="application/json")  # fmt: skip
    return body


def _validation_error(message: str) -> web.Response:
    return web.json_response(
        {"message": message}, status=400, headers={"x-amzn-ErrorType": "ValidationException"}
    )


async def converse(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    try:
        answer = plan_answer(body)
    except ValueError as error:
        return _validation_error(str(error))
    document = {
        "output": {"message": {"role": "assistant", "content": answer["content"]}},
        "stopReason": answer["stopReason"],
        "usage": _usage(body, answer),
        "metrics": {"latencyMs": 1},
    }
    return web.json_response(document)


async def converse_stream(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    try:
        answer = plan_answer(body)
    except ValueError as error:
        return _validation_error(str(error))
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/vnd.amazon.eventstream"})
    await response.prepare(request)
    for kind, payload in stream_events(answer, _usage(body, answer)):
        await response.write(event_frame(kind, payload))
        if kind == "contentBlockDelta":
            await asyncio.sleep(STREAM_CHUNK_DELAY_SECONDS)
    await response.write_eof()
    return response


def bedrock_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/model/{model_id}/converse", converse)
    app.router.add_post("/model/{model_id}/converse-stream", converse_stream)
    return app
