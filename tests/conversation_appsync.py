"""One AppSync API as the conversation handler meets it over HTTP: real resolvers, real tokens (no tests here).

The handler's ``GraphqlClient`` takes a transport; ``AppSyncApi`` is one that answers as AppSync would:

- who is calling: ``Authorization`` holding a token that moto's Cognito issued (verified against the
  pool's JWKS by ``CognitoTestPool``) is that user; a SigV4 ``Authorization`` is the handler's IAM role.
  A token the pool did not issue is refused with HTTP 401, as AppSync does;
- the document is parsed and validated against the deployed schema, variables are coerced (AWSJSON
  arrives in resolvers parsed, as AppSync hands it over), the root field's auth directives are applied (its
  own, else its type's, else the API's default, Cognito user pools);
- the root field runs its APPSYNC_JS resolver (unit or pipeline, the sandbox runtime in Node) against moto
  tables; the answer is shaped by the selection set and serialized (AWSJSON as text), as on the wire;
- every published stream part (the result of the route's stream mutation, what a subscriber receives) is
  kept in ``published``.

``send_message`` runs the route's ``sendMessage`` pipeline with the caller's ``Authorization`` header in
``ctx.request.headers``, as AppSync builds it, and returns the handler event the Lambda data source got.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    build_ast_schema,
    execute,
    parse,
    validate,
)

from genai_backend_components.conversation import RouteNames, resolver_plan
from genai_backend_components.conversation.wiring import handler_caller_check_code
from genai_backend_components.graphql import APPSYNC_PRELUDE_SDL
from sandbox.runtime.node_worker import NodeWorker
from sandbox.runtime.pipeline import PipelineFunction, ResolverRunner, context_for_file
from sandbox.runtime.sources import DataSource, DataSourceOutcome
from tests.appsync_harness import DEFAULT_EXECUTORS, DEFAULT_NOW
from tests.cognito_tokens import CognitoTestPool, UntrustedTokenError

HANDLER_ACCOUNT_ID, HANDLER_ROLE_NAME = "123456789012", "chat-handler-role"
"""The account and execution role of the handler these tests stand in for."""
HANDLER_ROLE_IDENTITY = {
    "accountId": HANDLER_ACCOUNT_ID,
    "userArn": f"arn:aws:sts::{HANDLER_ACCOUNT_ID}:assumed-role/{HANDLER_ROLE_NAME}/chat-handler",
    "username": "AROAEXAMPLEHANDLER:chat-handler",
    "cognitoIdentityPoolId": None,
    "cognitoIdentityId": None,
    "sourceIp": ["203.0.113.30"],
}
"""ctx.identity of the handler's SigV4-signed calls (AppSync's IAM identity shape)."""
USER_POOLS, IAM = "aws_cognito_user_pools", "aws_iam"
AUTH_DIRECTIVES = {"aws_cognito_user_pools": USER_POOLS, "aws_auth": USER_POOLS, "aws_iam": IAM}


@dataclass(frozen=True)
class Resolution:
    """How one ``Type.field`` resolves: a unit resolver on a data source, or a pipeline of functions."""

    file: Path
    data_source: DataSource | None = None
    steps: tuple[PipelineFunction, ...] | None = None


def handler_caller_check_file(
    code_dir: Path,
    role_name: str = HANDLER_ROLE_NAME,
    account_id: str = HANDLER_ACCOUNT_ID,
    partition: str = "aws",
) -> Path:
    """The answer mutations' first step exactly as the component generates it for ``role_name``, written to
    ``code_dir`` (the runtime runs files)."""
    path = code_dir / f"verifyHandlerCaller.{partition}.{account_id}.{role_name}.js"
    path.write_text(handler_caller_check_code(partition, account_id, role_name), encoding="utf-8")
    return path


def route_resolutions(
    route: str, sources: Mapping[str, DataSource], code_dir: Path, tools_code: str | None = None
) -> dict[str, Resolution]:
    """The conversation route's resolvers as the component wires them (``resolver_plan``), on ``sources``
    by AppSync data source name; generated steps are written to ``code_dir`` (the runtime runs files).
    The handler-role check admits ``HANDLER_ROLE_IDENTITY``, the identity of SigV4-signed calls here."""
    caller_check = handler_caller_check_code("aws", HANDLER_ACCOUNT_ID, HANDLER_ROLE_NAME)
    functions, resolvers = resolver_plan(RouteNames.of(route), tools_code, caller_check)
    files = {}
    for name, function in functions.items():
        if function.code == Path(function.code_path).read_text(encoding="utf-8"):
            files[name] = Path(function.code_path)
        else:
            files[name] = code_dir / f"{name}.js"
            files[name].write_text(function.code, encoding="utf-8")
    resolutions = {}
    for key, resolver in resolvers.items():
        if resolver.data_source is not None:
            resolutions[key] = Resolution(Path(resolver.code_path), data_source=sources[resolver.data_source])
        else:
            steps = tuple(
                PipelineFunction(files[step], sources[functions[step].data_source])
                for step in resolver.pipeline
            )
            resolutions[key] = Resolution(Path(resolver.code_path), steps=steps)
    return resolutions


@dataclass
class HandlerInvocations:
    """The Lambda data source with invocationType Event: queued, no result; the events are kept."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
        assert (request["operation"], request["invocationType"]) == ("Invoke", "Event")
        self.events.append(json.loads(json.dumps(request["payload"])))
        return DataSourceOutcome(result=None)


def _appsync_schema(sdl: str) -> Any:
    schema = build_ast_schema(parse(APPSYNC_PRELUDE_SDL + sdl))
    awsjson = schema.type_map["AWSJSON"]
    # AppSync parses AWSJSON input for resolvers and writes AWSJSON output as JSON text.
    awsjson.parse_value = lambda value: json.loads(value) if isinstance(value, str) else value  # type: ignore[attr-defined]
    awsjson.serialize = lambda value: value if isinstance(value, str) else json.dumps(value)  # type: ignore[attr-defined]
    return schema


def on_the_wire(schema_sdl: str, document: str, root_value: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` AppSync writes for ``document`` when its root fields resolve to ``root_value``: shaped by the
    selection set, AWSJSON as text (what a subscriber of a published part receives)."""
    result = execute(_appsync_schema(schema_sdl), parse(document), root_value=root_value)
    assert result.errors is None, result.errors
    return result.data or {}


def _auth_modes(field_node: Any, type_node: Any) -> set[str]:
    def modes(node: Any) -> set[str]:
        names = {directive.name.value for directive in (node.directives or ())} if node else set()
        return {AUTH_DIRECTIVES[name] for name in names if name in AUTH_DIRECTIVES}

    return modes(field_node) or modes(type_node) or {USER_POOLS}


class AppSyncApi:
    """A GraphqlClient transport that resolves requests through the real resolvers (see the module docstring)."""

    def __init__(
        self,
        schema_sdl: str,
        resolutions: Mapping[str, Resolution],
        pool: CognitoTestPool,
        *,
        stream_field: str,
        invocations: HandlerInvocations | None = None,
        now: str = DEFAULT_NOW,
    ) -> None:
        self.schema = _appsync_schema(schema_sdl)
        self.resolutions = dict(resolutions)
        self.pool = pool
        self.stream_field = stream_field
        self.invocations = invocations or HandlerInvocations()
        self.now = now
        self.published: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        """Every request: {field, mode ("user" | "iam"), sub, variables, errorTypes}."""
        self._worker = NodeWorker(10.0)
        self._runner = ResolverRunner(self._worker, {**DEFAULT_EXECUTORS, "AWS_LAMBDA": self.invocations})

    def close(self) -> None:
        self._worker.close()

    def __enter__(self) -> AppSyncApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- resolvers

    def resolve(
        self,
        key: str,
        arguments: Mapping[str, Any],
        identity: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Runs the resolver of ``Type.field``; raises GraphQLError (with its errorType) when it errs."""
        resolution = self.resolutions[key]
        context = context_for_file(
            resolution.file,
            arguments=arguments,
            identity=identity,
            request={"headers": dict(headers or {}), "domainName": None},
        )
        type_name, _, field_name = key.partition(".")
        context["info"].update({"fieldName": field_name, "parentTypeName": type_name})
        if resolution.steps is None:
            steps, pipeline = [PipelineFunction(resolution.file, resolution.data_source)], None  # type: ignore[arg-type]
        else:
            steps, pipeline = list(resolution.steps), resolution.file
        run = self._runner.run(steps, context, pipeline=pipeline, now=self.now)
        if run.error is not None:
            raise GraphQLError(run.error.message, extensions={"errorType": run.error.error_type})
        return run.result

    def send_message(
        self, token: str, conversation_id: str, content: list[dict[str, Any]], **extra: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """``sendMessage<Route>`` as the token's user: (the stored message, the handler event it queued)."""
        key = next(key for key in self.resolutions if key.startswith("Mutation.sendMessage"))
        before = len(self.invocations.events)
        message = self.resolve(
            key,
            {"conversationId": conversation_id, "content": content, **extra},
            self.pool.identity_from_token(token),
            headers={"authorization": token},
        )
        [event] = self.invocations.events[before:]
        return message, event

    # --- HTTP

    def __call__(self, request: urllib.request.Request, timeout_seconds: float) -> tuple[int, bytes]:
        authorization = request.get_header("Authorization") or ""
        if authorization.startswith("AWS4-HMAC-SHA256 "):
            mode, identity = IAM, dict(HANDLER_ROLE_IDENTITY)
        else:
            try:
                mode, identity = USER_POOLS, self.pool.identity_from_token(authorization)
            except UntrustedTokenError:
                body = {
                    "errors": [
                        {
                            "errorType": "UnauthorizedException",
                            "message": "Valid authorization header not provided.",
                        }
                    ]
                }
                return 401, json.dumps(body).encode()
        body = json.loads(request.data)  # type: ignore[arg-type]
        return 200, json.dumps(self.execute(body, mode, identity)).encode()

    def execute(self, body: Mapping[str, Any], mode: str, identity: Mapping[str, Any]) -> dict[str, Any]:
        document: DocumentNode = parse(body["query"])
        errors = validate(self.schema, document)
        if errors:
            return {
                "errors": [{"errorType": "ValidationError", "message": error.message} for error in errors]
            }
        root_errors: list[str] = []

        def resolver(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
            if info.parent_type.name not in ("Query", "Mutation"):
                return source.get(info.field_name) if isinstance(source, Mapping) else None
            parent: GraphQLObjectType = info.parent_type
            field_node = parent.fields[info.field_name].ast_node
            if mode not in _auth_modes(field_node, parent.ast_node):
                raise GraphQLError(
                    f"Not Authorized to access {info.field_name} on type {parent.name}",
                    extensions={"errorType": "Unauthorized"},
                )
            return self.resolve(f"{parent.name}.{info.field_name}", arguments, identity)

        result = execute(
            self.schema, document, variable_values=body.get("variables") or {}, field_resolver=resolver
        )
        data = result.data or {}
        answer: dict[str, Any] = {"data": data}
        if result.errors:
            answer["errors"] = [
                {
                    "message": error.message,
                    "errorType": (error.extensions or {}).get("errorType"),
                    "path": error.path,
                }
                for error in result.errors
            ]
            root_errors = [str(error["errorType"]) for error in answer["errors"]]
        field_name = next(iter(data), None)
        self.requests.append(
            {
                "field": field_name,
                "mode": "user" if mode == USER_POOLS else "iam",
                "sub": identity.get("sub"),
                "variables": body.get("variables") or {},
                "errorTypes": root_errors,
            }
        )
        if field_name == self.stream_field and data.get(field_name) is not None:
            self.published.append(data[field_name])
        return answer
