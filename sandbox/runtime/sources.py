"""Data sources as the runtime sees them, and the executors for Lambda and NONE data sources.

An executor turns the request object a resolver's ``request`` handler returned into what AppSync
would put in ``ctx.result`` / ``ctx.error``. Executors are looked up by data-source kind (AppSync's
``DataSourceType``), so a new kind (HTTP to Bedrock, say) plugs in without touching the harness.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class DataSourceRequestError(AssertionError):
    """A resolver built a request AppSync or the service would reject, or one missing a guard.

    It is an AssertionError on purpose: it is a bug in the resolver under test, not a data-source
    error the resolver should handle, so the test fails at the line that ran the resolver.
    """


@dataclass(frozen=True)
class DataSource:
    """One AppSync data source a resolver is attached to."""

    kind: str
    """AppSync DataSourceType, e.g. "AMAZON_DYNAMODB", "AWS_LAMBDA", "NONE", "HTTP"; selects the executor."""
    name: str
    """The data source name in the API (e.g. "FollowsTable"); only used in messages."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """What the executor needs, e.g. {"client": boto3 client, "table_name": ...} or {"handler": callable}."""


@dataclass(frozen=True)
class DataSourceOutcome:
    """What AppSync hands to the response handler."""

    result: Any = None
    """Becomes ctx.result."""
    error: dict[str, str] | None = None
    """Becomes ctx.error: {"message": ..., "type": ...} (e.g. type "DynamoDB:ConditionalCheckFailedException")."""


Executor = Callable[[DataSource, dict[str, Any]], DataSourceOutcome]


def json_round_trip(value: Any) -> Any:
    """AppSync serialises what crosses the wire; doing the same here catches non-JSON values early."""
    return json.loads(json.dumps(value))


def execute_lambda(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
    """AWS_LAMBDA data source, operation Invoke: calls config["handler"](payload) in-process.

    An exception from the handler becomes ctx.error with type "Lambda:Unhandled", as AppSync reports
    an unhandled function error; the handler's return value becomes ctx.result. An ``Event``
    invocation (asynchronous) needs config["background"], a callable that runs ``handler(payload)``
    later (the sandbox's thread pool); it is queued and ctx.result is null, as AppSync returns at once.
    """
    allowed = {"operation", "payload", "invocationType"}
    unknown = set(request) - allowed
    if unknown:
        raise DataSourceRequestError(f"{source.name}: unknown Lambda request fields {sorted(unknown)}")
    if request.get("operation") != "Invoke":
        raise DataSourceRequestError(
            f"{source.name}: operation must be 'Invoke' (BatchInvoke is not emulated), got {request.get('operation')!r}"
        )
    invocation_type = request.get("invocationType", "RequestResponse")
    if invocation_type not in ("RequestResponse", "Event"):
        raise DataSourceRequestError(f"{source.name}: invocationType must be RequestResponse or Event")
    handler: Callable[[Any], Any] = source.config["handler"]
    if invocation_type == "Event":
        background: Callable[[Callable[[Any], Any], Any], None] | None = source.config.get("background")
        if background is None:
            raise DataSourceRequestError(f"{source.name}: Event invocations need config['background']")
        background(handler, json_round_trip(request.get("payload")))
        return DataSourceOutcome(result=None)
    try:
        returned = handler(json_round_trip(request.get("payload")))
    except Exception as failure:  # any handler failure is what AppSync calls Lambda:Unhandled
        return DataSourceOutcome(error={"message": str(failure), "type": "Lambda:Unhandled"})
    return DataSourceOutcome(result=json_round_trip(returned))


def execute_none(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
    """NONE data source: AppSync passes the request's ``payload`` straight through as ctx.result."""
    unknown = set(request) - {"payload"}
    if unknown:
        raise DataSourceRequestError(
            f"{source.name}: a NONE request holds only 'payload', got {sorted(unknown)}"
        )
    return DataSourceOutcome(result=json_round_trip(request.get("payload")))


def lambda_source(
    name: str,
    handler: Callable[[Any], Any],
    background: Callable[[Callable[[Any], Any], Any], None] | None = None,
) -> DataSource:
    """A Lambda data source whose function is the given callable (event in, response out); with
    ``background``, Event invocations are handed to it."""
    config: dict[str, Any] = {"handler": handler}
    if background is not None:
        config["background"] = background
    return DataSource(kind="AWS_LAMBDA", name=name, config=config)


def none_source(name: str = "NoneDataSource") -> DataSource:
    """A NONE data source (local resolvers)."""
    return DataSource(kind="NONE", name=name)
