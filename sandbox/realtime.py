"""AppSync's real-time WebSocket protocol (``/graphql/realtime``), the graphql-ws dialect Amplify clients speak.

The connection's authorization arrives base64-encoded in a ``header-...`` subprotocol (or the ``header`` query
parameter); ``connection_init`` is acknowledged with ``connectionTimeoutMs`` and keep-alives follow; each
``start`` is authorized by its own ``extensions.authorization`` and acknowledged (``start_ack``) before any data;
``stop`` ends it (AppSync developer guide, "Building a real-time WebSocket client in AWS AppSync").
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.authorization import USER_POOLS, Caller
from sandbox.cognito import SandboxPool
from sandbox.graphql_api import GraphqlApi, RequestRejectedError
from sandbox.processes import HOST
from sandbox.sigv4 import is_sigv4
from sandbox.subscriptions import Subscriber

CONNECTION_TIMEOUT_MS = 300_000
"""Advertised in connection_ack, as AppSync does: the client reconnects after this long without a message."""
KEEP_ALIVE_SECONDS = 60
log = logging.getLogger("sandbox")


def _header_from(encoded: str) -> dict[str, Any]:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_")))
    except (ValueError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _connection_header(request: web.Request) -> dict[str, Any]:
    offered = [part.strip() for part in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    for protocol in offered:
        if protocol.startswith("header-"):
            return _header_from(protocol[len("header-") :])
    if "header" in request.query:
        return _header_from(request.query["header"])
    return {}


class RealtimeEndpoint:
    """Serves WebSocket connections: subscriptions are authorized against ``pool`` and set up on ``executor``
    (their resolvers run there), then live in ``api.hub``. ``sockets`` holds the open connections, so whoever
    shares the set can close them on shutdown."""

    def __init__(
        self,
        api: GraphqlApi,
        pool: SandboxPool,
        executor: Executor,
        sockets: set[web.WebSocketResponse],
    ) -> None:
        self.api = api
        self.pool = pool
        self.executor = executor
        self.sockets = sockets

    def caller(self, header: Mapping[str, Any]) -> Caller:
        token = header.get("Authorization") or header.get("authorization")
        if not token:
            raise PermissionError("Missing authorization header")
        if is_sigv4(str(token)):
            raise PermissionError("IAM-signed subscriptions are not served by the sandbox")
        try:
            return Caller(USER_POOLS, self.pool.identity(str(token), HOST))
        except ValueError as error:
            raise PermissionError(f"Valid authorization header not provided ({error})") from None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        socket_ = web.WebSocketResponse(protocols=("graphql-ws",), autoping=True)
        await socket_.prepare(request)
        self.sockets.add(socket_)
        loop = asyncio.get_running_loop()
        outgoing: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        subscribers: dict[str, Any] = {}
        header = _connection_header(request)
        initialized = False

        def send(frame: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(outgoing.put_nowait, frame)

        async def sender() -> None:
            while (frame := await outgoing.get()) is not None:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await socket_.send_str(json.dumps(frame))

        async def keep_alive() -> None:
            while True:
                await asyncio.sleep(KEEP_ALIVE_SECONDS)
                outgoing.put_nowait({"type": "ka"})

        tasks = [asyncio.create_task(sender())]
        try:
            async for message in socket_:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(message.data)
                except json.JSONDecodeError:
                    outgoing.put_nowait(
                        {
                            "type": "error",
                            "payload": {"errors": [{"errorType": "BadRequest", "message": "not JSON"}]},
                        }
                    )
                    continue
                kind, frame_id = frame.get("type"), frame.get("id")
                if kind == "connection_init":
                    try:
                        caller = self.caller(header)
                    except PermissionError as refusal:
                        log.info("[realtime] connection refused: %s", refusal)
                        error = {
                            "errorType": "UnauthorizedException",
                            "errorCode": 401,
                            "message": str(refusal),
                        }
                        await socket_.send_str(
                            json.dumps({"type": "connection_error", "payload": {"errors": [error]}})
                        )
                        break
                    initialized = True
                    log.info("[realtime] connection by %s", caller.describe())
                    outgoing.put_nowait(
                        {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}
                    )
                    outgoing.put_nowait({"type": "ka"})
                    tasks.append(asyncio.create_task(keep_alive()))
                elif kind == "start" and initialized:
                    subscriber = await loop.run_in_executor(self.executor, self._start, frame, send)
                    if subscriber is not None:
                        subscribers[str(frame_id)] = subscriber
                elif kind == "stop":
                    subscriber = subscribers.pop(str(frame_id), None)
                    if subscriber is not None:
                        self.api.hub.remove(subscriber)
                    outgoing.put_nowait({"type": "complete", "id": frame_id})
                else:
                    error = {
                        "errorType": "UnsupportedOperation",
                        "message": f"unexpected message type {kind!r}",
                    }
                    outgoing.put_nowait({"type": "error", "id": frame_id, "payload": {"errors": [error]}})
        finally:
            for subscriber in subscribers.values():
                self.api.hub.remove(subscriber)
            outgoing.put_nowait(None)
            await asyncio.gather(*tasks[:1], return_exceptions=True)
            for task in tasks[1:]:
                task.cancel()
            self.sockets.discard(socket_)
        return socket_

    def _start(self, frame: Mapping[str, Any], send: Callable[[dict[str, Any]], None]) -> Subscriber | None:
        """Runs in a worker thread: authorize and set up one subscription; the ack precedes any data."""
        frame_id = frame.get("id")
        payload = frame.get("payload") or {}
        started = time.perf_counter()

        def refuse(error_type: str, message: str) -> None:
            log.info("[realtime] start %s refused: %s: %s", frame_id, error_type, message)
            send(
                {
                    "type": "error",
                    "id": frame_id,
                    "payload": {"errors": [{"errorType": error_type, "message": message}]},
                }
            )

        try:
            authorization = (payload.get("extensions") or {}).get("authorization") or {}
            caller = self.caller(authorization)
            operation = self.api.parse(json.loads(payload.get("data") or "null"))
        except PermissionError as refusal:
            refuse("UnauthorizedException", str(refusal))
            return None
        except (RequestRejectedError, json.JSONDecodeError, TypeError) as rejected:
            refuse(getattr(rejected, "error_type", "BadRequest"), str(rejected))
            return None

        def deliver(data: dict[str, Any]) -> None:
            send({"type": "data", "id": frame_id, "payload": data})

        try:
            subscriber = self.api.prepare_subscription(operation, caller, deliver, str(frame_id))
        except RequestRejectedError as rejected:
            refuse(rejected.error_type, str(rejected))
            return None
        send({"type": "start_ack", "id": frame_id})
        self.api.hub.add(subscriber)
        log.info(
            "[realtime] subscription %s to %s by %s (%.1f ms)",
            frame_id, subscriber.field, caller.describe(), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return subscriber
