"""The sandbox process: moto (Cognito, DynamoDB), the APPSYNC_JS runtime, the handlers, and the endpoints.

One process tree on 127.0.0.1, stopped cleanly by Ctrl-C or SIGTERM:
- this process: the HTTPS GraphQL endpoint (``POST /graphql``) and AppSync's real-time WebSocket protocol
  (``/graphql/realtime``), the Lambda handlers in-process (asynchronous invocations on a thread pool), and
  the Bedrock stand-in (plain HTTP on its own port) unless ``--bedrock real``;
- children: ``moto_server`` (Cognito user pool and DynamoDB tables) and one Node worker (resolver code).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import importlib
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from aiohttp import WSMsgType, web

from app import component_args as build
from genai_backend_components.auth import client_facts
from genai_backend_components.client_config import auth_outputs, build_client_config, data_outputs
from sandbox import tls
from sandbox.bedrock_stub import bedrock_app
from sandbox.cognito import SandboxPool, UsersFileError, create_pool, read_users
from sandbox.graphql_api import (
    IAM,
    USER_POOLS,
    Caller,
    FieldLog,
    FieldResolver,
    GraphqlApi,
    RequestRejectedError,
    format_error,
)
from sandbox.http_source import execute_http, http_source
from sandbox.runtime.dynamodb import dynamodb_table, execute_dynamodb
from sandbox.runtime.node_worker import NodeWorker
from sandbox.runtime.pipeline import PipelineFunction, ResolverRunner
from sandbox.runtime.sources import DataSource, execute_lambda, execute_none, lambda_source, none_source
from sandbox.sigv4 import STUB_CREDENTIALS, SignatureError, is_sigv4, verify
from sandbox.stack import LambdaPlan, StackPlan, load_stack
from sandbox.tables import create_table

HOST = "127.0.0.1"
CONNECTION_TIMEOUT_MS = 300_000
"""Advertised in connection_ack, as AppSync does: the client reconnects after this long without a message."""
KEEP_ALIVE_SECONDS = 60
log = logging.getLogger("sandbox")


class StartupError(Exception):
    """The sandbox cannot start; the message says what to change. Exit status 2."""


@dataclass(frozen=True)
class Options:
    port: int = 8443
    users_file: Path | None = None
    bedrock: str = "stub"
    stack: str = "dev"
    out_dir: Path = Path("out/sandbox")


def free_socket(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port), owned before anything else starts."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as error:
        listener.close()
        raise StartupError(
            f"--port: cannot listen on {HOST}:{port} ({error.strerror}); choose another port"
        ) from None
    listener.listen(128)
    listener.setblocking(False)
    return listener


def _die_with_parent() -> None:
    """Child processes get SIGTERM if the sandbox dies without cleaning up (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    probe = socket.socket()
    probe.bind((HOST, 0))
    port = probe.getsockname()[1]
    probe.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
    )  # fmt: skip
    return process, f"http://{HOST}:{port}"


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"moto_server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise StartupError(f"moto_server did not answer on {url} within {seconds:.0f} s")


class LambdaContext:
    """What the Lambda runtime passes as ``context``: the remaining time counts down from the timeout."""

    def __init__(self, function: LambdaPlan) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function.name}"
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = "sandbox"
        self._deadline = time.monotonic() + function.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(function: LambdaPlan) -> Callable[[Any, Any], Any]:
    """Imports the handler as Lambda does: the code folder is the package named first in ``handler``."""
    module_path, _, attribute = function.handler.rpartition(".")
    package = module_path.split(".")[0]
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, function.code_path / "__init__.py", submodule_search_locations=[str(function.code_path)]
        )
        if spec is None or spec.loader is None:
            raise StartupError(f"{function.name}: no Python package at {function.code_path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return getattr(importlib.import_module(module_path), attribute)


def _header_from(encoded: str) -> dict[str, Any]:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_")))
    except (ValueError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


class Sandbox:
    def __init__(self, options: Options, started: float) -> None:
        self.options = options
        self.started = started
        self.out_dir = options.out_dir
        self.listener = free_socket(options.port)
        self.port = self.listener.getsockname()[1]
        self.graphql_url = f"https://{HOST}:{self.port}/graphql"
        self.realtime_url = f"wss://{HOST}:{self.port}/graphql/realtime"
        self.requests_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="graphql")
        self.lambda_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda")
        self.moto: subprocess.Popen[bytes] | None = None
        self.worker: NodeWorker | None = None
        self.runners: list[web.AppRunner] = []
        self.sockets: set[web.WebSocketResponse] = set()
        self.credentials: Callable[[], Any] = lambda: None
        self.api: GraphqlApi | None = None
        self.pool: SandboxPool | None = None
        self.plan: StackPlan | None = None
        self.moto_url = ""
        self.bedrock_url = ""

    # ---- start-up

    def _prepare_environment(self, plan: StackPlan) -> None:
        """The environment Lambda gives the handlers, plus where the local services are."""
        environment = os.environ
        environment["AWS_REGION"] = environment["AWS_DEFAULT_REGION"] = plan.region
        environment["AWS_ENDPOINT_URL_DYNAMODB"] = self.moto_url
        if self.options.bedrock == "stub":
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
                environment.pop(name, None)
            environment.update(STUB_CREDENTIALS)
            environment["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = self.bedrock_url
        seen: dict[str, tuple[str, str]] = {}
        for function in plan.functions.values():
            for name, value in function.environment.items():
                if name in seen and seen[name][1] != value:
                    raise StartupError(
                        f"functions {seen[name][0]} and {function.name} both set {name} to different values; "
                        "the sandbox runs them in one process"
                    )
                seen[name] = (function.name, value)
                environment[name] = value
        session = botocore.session.get_session()
        resolved = session.get_credentials()
        if resolved is None:
            raise StartupError(
                "--bedrock real needs AWS credentials (environment, profile or SSO); none were found"
            )
        self.credentials = resolved.get_frozen_credentials

    def _data_sources(self, plan: StackPlan, dynamodb: Any) -> dict[str, DataSource]:
        sources: dict[str, DataSource] = {}
        for name, source in plan.data_sources.items():
            if source.kind == "AMAZON_DYNAMODB":
                sources[name] = dynamodb_table(name, dynamodb, str(source.table))
            elif source.kind == "NONE":
                sources[name] = none_source(name)
            elif source.kind == "AWS_LAMBDA":
                sources[name] = lambda_source(
                    name, self._invoker(plan.functions[str(source.function)]), self._background
                )
            elif source.kind == "HTTP":
                endpoint = str(source.endpoint)
                if self.options.bedrock == "stub" and ".amazonaws.com" in endpoint and "bedrock" in endpoint:
                    endpoint = self.bedrock_url
                sources[name] = http_source(
                    name,
                    endpoint,
                    signing_region=source.signing_region,
                    signing_service=source.signing_service,
                    credentials=self.credentials,
                )
            else:
                raise StartupError(f"data source {name}: kind {source.kind} is not run by the sandbox")
        return sources

    def _invoker(self, function: LambdaPlan) -> Callable[[Any], Any]:
        handler = load_handler(function)

        def invoke(payload: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(payload, LambdaContext(function))
            finally:
                log.info("  lambda %s %.1f ms", function.name, (time.perf_counter() - started) * 1000)

        return invoke

    def _background(self, handler: Callable[[Any], Any], payload: Any) -> None:
        def run() -> None:
            try:
                result = handler(payload)
                log.info(
                    "[lambda] asynchronous invocation finished: %s", json.dumps(result, default=str)[:300]
                )
            except Exception:
                log.exception("[lambda] asynchronous invocation failed")

        self.lambda_pool.submit(run)

    def _resolvers(self, plan: StackPlan, sources: Mapping[str, DataSource]) -> dict[str, FieldResolver]:
        generated = self.out_dir / "generated"
        generated.mkdir(parents=True, exist_ok=True)
        for name, code in plan.generated.items():
            (generated / name).write_text(code, encoding="utf-8")

        def located(path: Path) -> Path:
            return path if path.is_absolute() else generated / path

        resolvers = {}
        for type_field, resolver in plan.resolvers.items():
            steps = tuple(PipelineFunction(located(file), sources[source]) for file, source in resolver.steps)
            pipeline = located(resolver.pipeline) if resolver.pipeline else None
            resolvers[type_field] = FieldResolver(steps, pipeline)
        return resolvers

    def build(self) -> None:
        """Everything but the listening sites; blocking (moto and Node start while the stack loads)."""
        # Runs in a worker thread; Pulumi's Outputs (component args, the mock evaluation) need a loop of their own.
        asyncio.set_event_loop(asyncio.new_event_loop())
        assert self.moto is not None, "start_moto() first, from the main thread"
        self.worker = NodeWorker(timeout_seconds=10.0)
        self.cert, self.key = tls.ensure_certificate(self.out_dir)
        plan = load_stack(self.options.stack, self.graphql_url)
        self.plan = plan
        known_groups = {group.name for group in plan.auth.groups}
        users = read_users(self.options.users_file, known_groups) if self.options.users_file else []
        self._prepare_environment(plan)
        wait_for(self.moto_url, self.moto)
        local = {"endpoint_url": self.moto_url, "region_name": plan.region}
        dynamodb = boto3.client("dynamodb", **local)
        for name, args in plan.tables.items():
            create_table(dynamodb, name, args)
        self.pool = create_pool(boto3.client("cognito-idp", **local), plan.auth, self.moto_url, users)
        runner = ResolverRunner(
            self.worker,
            {
                "AMAZON_DYNAMODB": execute_dynamodb,
                "AWS_LAMBDA": execute_lambda,
                "NONE": execute_none,
                "HTTP": execute_http,
            },
        )
        self.api = GraphqlApi(
            plan.schema_sdl, self._resolvers(plan, self._data_sources(plan, dynamodb)), runner
        )
        # The handlers' GraphQL client and the HTTP data source use urllib: trust the sandbox's certificate too.
        urllib.request.install_opener(
            urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls.client_context(self.cert)))
        )

    async def serve(self) -> None:
        app = web.Application(client_max_size=5 * 1024 * 1024, middlewares=[self._cors])
        app.router.add_route("OPTIONS", "/graphql", self._preflight)
        app.router.add_post("/graphql", self._graphql)
        app.router.add_get("/graphql/realtime", self._realtime)
        app.router.add_get("/graphql", self._realtime_or_405)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, self.listener, ssl_context=tls.server_context(self.cert, self.key)).start()
        self.runners.append(runner)

    async def serve_bedrock(self, listener: socket.socket) -> None:
        runner = web.AppRunner(bedrock_app(), access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        self.runners.append(runner)

    def write_outputs(self) -> None:
        assert self.plan is not None and self.pool is not None
        plan = self.plan
        data = data_outputs(
            region=plan.region,
            schema_sdl=plan.schema_sdl,
            additional_authorization_types=("AWS_IAM",),
            generation_routes=(plan.generation_field,),
            conversation_routes=(build.CONVERSATION_ROUTE,),
        )
        document = build_client_config(
            auth_outputs(client_facts(plan.auth), self.pool.pool_id, self.pool.client_id, None),
            replace(data, url=self.graphql_url),
        )
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / "amplify_outputs.json").write_text(
            json.dumps(document, indent=2, sort_keys=True) + "\n"
        )
        endpoints = {"graphql": self.graphql_url, "realtime": self.realtime_url, "cognito": self.moto_url}
        (self.out_dir / "endpoints.json").write_text(json.dumps(endpoints, indent=2) + "\n")

    def self_check(self) -> None:
        """The endpoint answers (an anonymous request gets AppSync's 401) before the outputs are written."""
        request = urllib.request.Request(self.graphql_url, data=b'{"query":"{__typename}"}', method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except urllib.error.HTTPError as answer:
            if answer.code == 401:
                return
            raise StartupError(
                f"self-check: expected 401 from {self.graphql_url}, got {answer.code}"
            ) from None
        raise StartupError(f"self-check: {self.graphql_url} accepted a request without authorization")

    # ---- HTTP

    @web.middleware
    async def _cors(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        response = await handler(request)
        if not isinstance(response, web.WebSocketResponse):
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
            response.headers["Vary"] = "Origin"
        return response

    async def _preflight(self, request: web.Request) -> web.Response:
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": request.headers.get("Access-Control-Request-Headers", "*"),
                "Access-Control-Max-Age": "600",
            },
        )

    async def _realtime_or_405(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._realtime(request)
        return web.json_response(
            {"errors": [{"errorType": "MethodNotAllowed", "message": "POST GraphQL requests"}]}, status=405
        )

    def _caller(self, request: web.Request, body: bytes) -> Caller:
        authorization = request.headers.get("Authorization")
        if not authorization:
            raise PermissionError("Missing authorization header")
        source_ip = request.remote or HOST
        if is_sigv4(authorization):
            url = f"https://{request.headers.get('Host', request.host)}{request.path_qs}"
            try:
                assert self.plan is not None
                identity = verify(
                    request.method,
                    url,
                    dict(request.headers),
                    body,
                    self.credentials,
                    user_arn=self.plan.iam_caller_arn,
                )
            except SignatureError as error:
                raise PermissionError(f"IAM signature rejected: {error}") from None
            return Caller(IAM, identity)
        assert self.pool is not None
        try:
            return Caller(USER_POOLS, self.pool.identity(authorization.removeprefix("Bearer "), source_ip))
        except ValueError as error:
            raise PermissionError(f"Valid authorization header not provided ({error})") from None

    async def _graphql(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        body = await request.read()
        try:
            caller = self._caller(request, body)
        except PermissionError as refusal:
            log.info("[graphql] 401 %s", refusal)
            error = {"errorType": "UnauthorizedException", "message": str(refusal)}
            return web.json_response({"errors": [error]}, status=401)
        assert self.api is not None
        try:
            parsed = json.loads(body or b"null")
            operation = self.api.parse(parsed)
            if operation.kind == "subscription":
                raise RequestRejectedError(
                    "Subscriptions are served on the real-time endpoint (/graphql/realtime)"
                )
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"errors": [{"errorType": "MalformedHttpRequestException", "message": "body is not JSON"}]}, status=400)  # fmt: skip
        except RequestRejectedError as rejected:
            log.info("[graphql] rejected (%s) for %s: %s", rejected.error_type, caller.describe(), rejected)
            return web.json_response(
                {"data": None, "errors": [{"errorType": rejected.error_type, "message": str(rejected)}]}
            )
        fields: list[FieldLog] = []
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            self.requests_pool,
            lambda: self.api.execute(operation, caller, headers=dict(request.headers), fields_log=fields),  # type: ignore[union-attr]
        )
        document: dict[str, Any] = {"data": result.data}
        if result.errors:
            document["errors"] = [format_error(error) for error in result.errors]
        self._log_request(operation.kind, operation.name, caller, fields, result.errors, started)
        return web.json_response(document)

    def _log_request(
        self, kind: str, name: str | None, caller: Caller, fields: list[FieldLog], errors: Any, started: float
    ) -> None:
        total = (time.perf_counter() - started) * 1000
        roots = ", ".join(dict.fromkeys(field.name for field in fields)) or "-"
        log.info(
            "[graphql] %s %s by %s: %s (%.1f ms)",
            kind,
            name or "(anonymous)",
            caller.describe(),
            roots,
            total,
        )
        for field in fields:
            if field.run is None:
                if field.error:
                    log.info("  %s: %s", field.name, field.error)
                continue
            log.info(
                "  resolver %s %.1f ms%s",
                field.name,
                field.seconds * 1000,
                f" error {field.error}" if field.error else "",
            )
            for call in field.run.calls:
                failed = f" -> {call.error_type}" if call.error_type else ""
                log.info(
                    "    %s on %s (%s) %.1f ms%s",
                    call.function,
                    call.data_source,
                    call.kind,
                    call.seconds * 1000,
                    failed,
                )
        for error in errors or []:
            extensions = error.extensions or {}
            log.info(
                "  error %s: %s: %s",
                ".".join(map(str, error.path or [])),
                extensions.get("errorType"),
                error.message,
            )

    # ---- real-time WebSocket (AppSync's graphql-ws dialect)

    def _connection_header(self, request: web.Request) -> dict[str, Any]:
        offered = [part.strip() for part in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        for protocol in offered:
            if protocol.startswith("header-"):
                return _header_from(protocol[len("header-") :])
        if "header" in request.query:
            return _header_from(request.query["header"])
        return {}

    def _ws_caller(self, header: Mapping[str, Any]) -> Caller:
        token = header.get("Authorization") or header.get("authorization")
        if not token:
            raise PermissionError("Missing authorization header")
        if is_sigv4(str(token)):
            raise PermissionError("IAM-signed subscriptions are not served by the sandbox")
        assert self.pool is not None
        try:
            return Caller(USER_POOLS, self.pool.identity(str(token), HOST))
        except ValueError as error:
            raise PermissionError(f"Valid authorization header not provided ({error})") from None

    async def _realtime(self, request: web.Request) -> web.StreamResponse:
        socket_ = web.WebSocketResponse(protocols=("graphql-ws",), autoping=True)
        await socket_.prepare(request)
        self.sockets.add(socket_)
        loop = asyncio.get_running_loop()
        outgoing: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        subscribers: dict[str, Any] = {}
        header = self._connection_header(request)
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
                        caller = self._ws_caller(header)
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
                    subscriber = await loop.run_in_executor(self.requests_pool, self._start, frame, send)
                    if subscriber is not None:
                        subscribers[str(frame_id)] = subscriber
                elif kind == "stop":
                    subscriber = subscribers.pop(str(frame_id), None)
                    if subscriber is not None and self.api is not None:
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
                if self.api is not None:
                    self.api.hub.remove(subscriber)
            outgoing.put_nowait(None)
            await asyncio.gather(*tasks[:1], return_exceptions=True)
            for task in tasks[1:]:
                task.cancel()
            self.sockets.discard(socket_)
        return socket_

    def _start(self, frame: Mapping[str, Any], send: Callable[[dict[str, Any]], None]) -> Any:
        """Runs in a worker thread: authorize and set up one subscription; the ack precedes any data."""
        assert self.api is not None
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
            caller = self._ws_caller(authorization)
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

    # ---- shutdown

    async def close(self) -> None:
        for socket_ in list(self.sockets):
            with contextlib.suppress(Exception):
                await socket_.close()
        for runner in self.runners:
            with contextlib.suppress(Exception):
                await runner.cleanup()
        self.shutdown_children()

    def shutdown_children(self) -> None:
        if self.moto is not None and self.moto.poll() is None:
            self.moto.terminate()
            try:
                self.moto.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.moto.kill()
                self.moto.wait()
        if self.worker is not None:
            self.worker.close()
        self.requests_pool.shutdown(wait=False, cancel_futures=True)
        self.lambda_pool.shutdown(wait=False, cancel_futures=True)


class _LogFormat(logging.Formatter):
    """The sandbox's own lines as they are; a handler's lines tagged with its logger, as in its log group."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if record.name == "sandbox" or record.name.startswith("sandbox."):
            return line
        stamp, _, message = line.partition(" ")
        return f"{stamp}   [{record.name}] {record.levelname} {message}"


def _not_sdk_chatter(record: logging.LogRecord) -> bool:
    """AWS SDK and HTTP libraries only speak up for warnings (handlers may raise their level themselves)."""
    noisy = record.name.split(".")[0] in ("botocore", "boto3", "urllib3", "aiohttp", "asyncio")
    return not noisy or record.levelno >= logging.WARNING


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_LogFormat("%(asctime)s.%(msecs)03d %(message)s", "%H:%M:%S"))
    handler.addFilter(_not_sdk_chatter)
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


async def run(options: Options, started: float) -> int:
    try:
        sandbox = Sandbox(options, started)
    except StartupError as error:
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
        return 2
    bedrock_listener = free_socket(0) if options.bedrock == "stub" else None
    if bedrock_listener is not None:
        sandbox.bedrock_url = f"http://{HOST}:{bedrock_listener.getsockname()[1]}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        for name in ("endpoints.json", "amplify_outputs.json"):
            (options.out_dir / name).unlink(missing_ok=True)
        # Before any worker thread exists: the child's exec hook (parent-death signal) is not thread-safe.
        sandbox.moto, sandbox.moto_url = start_moto()
        await loop.run_in_executor(None, sandbox.build)
        await sandbox.serve()
        if bedrock_listener is not None:
            await sandbox.serve_bedrock(bedrock_listener)
        await loop.run_in_executor(None, sandbox.self_check)
        sandbox.write_outputs()
    except (StartupError, UsersFileError) as error:
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
        await sandbox.close()
        return 2
    except BaseException:
        await sandbox.close()
        raise
    assert sandbox.pool is not None and sandbox.plan is not None
    seconds = time.perf_counter() - started
    log.info(
        "sandbox: stack %s, Bedrock %s",
        options.stack,
        "stand-in at " + sandbox.bedrock_url if bedrock_listener else "real (AWS)",
    )
    log.info("sandbox: GraphQL  %s", sandbox.graphql_url)
    log.info("sandbox: realtime %s", sandbox.realtime_url)
    log.info(
        "sandbox: Cognito  %s (user pool %s, client %s)",
        sandbox.moto_url,
        sandbox.pool.pool_id,
        sandbox.pool.client_id,
    )
    if sandbox.pool.left_out:
        log.info("sandbox: not emulated from the Auth args: %s", ", ".join(sandbox.pool.left_out))
    log.info("sandbox: wrote %s/cert.pem, amplify_outputs.json, endpoints.json", options.out_dir)
    log.info("sandbox: ready in %.2f s (Ctrl-C stops it)", seconds)
    await stop.wait()
    log.info("sandbox: stopping")
    await sandbox.close()
    log.info("sandbox: stopped")
    return 0
