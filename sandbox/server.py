"""The sandbox process: moto (Cognito, DynamoDB), the APPSYNC_JS runtime, the handlers, and the endpoints.

One process tree on 127.0.0.1, stopped cleanly by Ctrl-C or SIGTERM:
- this process: the HTTPS GraphQL endpoint (``POST /graphql``) and AppSync's real-time WebSocket protocol
  (``/graphql/realtime``), the Lambda handlers in-process (asynchronous invocations on a thread pool), and
  the Bedrock stand-in (plain HTTP on its own port) unless ``--bedrock real``;
- children: ``moto_server`` (Cognito user pool and DynamoDB tables) and one Node worker (resolver code).

This module assembles them and serves ``POST /graphql``; the pieces it uses live beside it: ``processes`` (the
socket and the moto child), ``lambdas`` (the handlers), ``realtime`` (the WebSocket protocol) and ``logs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from aiohttp import web

from app import component_args as build
from genai_backend_components.auth import client_facts
from genai_backend_components.client_config import auth_outputs, build_client_config, data_outputs
from sandbox import tls
from sandbox.authorization import IAM, USER_POOLS, Caller
from sandbox.bedrock_stub import bedrock_app
from sandbox.cognito import SandboxPool, UsersFileError, create_pool, read_users
from sandbox.graphql_api import FieldLog, FieldResolver, GraphqlApi, RequestRejectedError, format_error
from sandbox.http_source import execute_http, http_source
from sandbox.lambdas import LambdaContext, load_handler
from sandbox.processes import HOST, StartupError, free_socket, start_moto, wait_for
from sandbox.realtime import RealtimeEndpoint
from sandbox.runtime.dynamodb import dynamodb_table, execute_dynamodb
from sandbox.runtime.node_worker import NodeWorker
from sandbox.runtime.pipeline import PipelineFunction, ResolverRunner
from sandbox.runtime.sources import DataSource, execute_lambda, execute_none, lambda_source, none_source
from sandbox.sigv4 import STUB_CREDENTIALS, SignatureError, is_sigv4, verify
from sandbox.stack import LambdaPlan, StackPlan, load_stack
from sandbox.tables import create_table

log = logging.getLogger("sandbox")


@dataclass(frozen=True)
class Options:
    port: int = 8443
    users_file: Path | None = None
    bedrock: str = "stub"
    stack: str = "dev"
    out_dir: Path = Path("out/sandbox")


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
        self.realtime: RealtimeEndpoint | None = None
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
        self.realtime = RealtimeEndpoint(self.api, self.pool, self.requests_pool, self.sockets)
        # The handlers' GraphQL client and the HTTP data source use urllib: trust the sandbox's certificate too.
        urllib.request.install_opener(
            urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls.client_context(self.cert)))
        )

    async def serve(self) -> None:
        assert self.realtime is not None
        app = web.Application(client_max_size=5 * 1024 * 1024, middlewares=[self._cors])
        app.router.add_route("OPTIONS", "/graphql", self._preflight)
        app.router.add_post("/graphql", self._graphql)
        app.router.add_get("/graphql/realtime", self.realtime.handle)
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
            assert self.realtime is not None
            return await self.realtime.handle(request)
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
