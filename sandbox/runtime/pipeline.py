"""Resolves one GraphQL field the way AppSync runs APPSYNC_JS code: unit and pipeline resolvers.

It rebuilds the part of AppSync that matters to a resolver: it evaluates ``request(ctx)`` in Node
(against ``utils.mjs``, the documented ``util``/``runtime``), executes the returned request on the
bound data source (DynamoDB via boto3, Lambda via a Python callable, NONE, HTTP; more kinds plug in
through ``executors``), puts the answer in ``ctx.result`` / ``ctx.error`` and evaluates
``response(ctx)``; for a pipeline, the resolver's request, each function in turn, then the
resolver's response, with ``ctx.prev.result`` and ``ctx.stash`` carried along.

The sandbox serves its GraphQL API with it, and ``tests/appsync_harness.py`` tests resolver files
with it, so both run exactly the same code.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.runtime.node_worker import NodeWorker
from sandbox.runtime.sources import DataSource, DataSourceOutcome, DataSourceRequestError, Executor

RESOLVER_FILE_NAME = re.compile(r"^(?P<type>[A-Za-z_]\w*)\.(?P<field>[A-Za-z_]\w*)\.js$")


@dataclass(frozen=True)
class GraphqlError:
    """An error as AppSync puts it in the GraphQL response (from util.error or util.appendError)."""

    message: str
    error_type: str | None
    data: Any = None
    error_info: Any = None


@dataclass(frozen=True)
class PipelineFunction:
    """One AppSync function of a pipeline resolver (or a unit resolver): its code file and data source."""

    file: Path
    data_source: DataSource


@dataclass(frozen=True)
class DataSourceCall:
    """One data-source call of a resolution, for the sandbox's per-request log."""

    function: str
    data_source: str
    kind: str
    seconds: float
    error_type: str | None


@dataclass
class ResolverRun:
    """Everything observable about one field resolution."""

    result: Any = None
    error: GraphqlError | None = None
    requests: list[Any] = field(default_factory=list)
    """Every request sent to a data source, in order."""
    outcomes: list[DataSourceOutcome] = field(default_factory=list)
    """What each data source answered (ctx.result / ctx.error), in the same order."""
    appended_errors: list[GraphqlError] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    stash: dict[str, Any] = field(default_factory=dict)
    calls: list[DataSourceCall] = field(default_factory=list)
    """Each data-source call with its duration."""
    subscription_filter: Any = None
    """The filter a subscription resolver set with extensions.setSubscriptionFilter, if any."""

    @property
    def error_type(self) -> str | None:
        return None if self.error is None else self.error.error_type

    @property
    def request(self) -> Any:
        """The data-source request of a unit resolver (fails unless exactly one was sent)."""
        assert len(self.requests) == 1, f"expected one data-source request, got {len(self.requests)}"
        return self.requests[0]


def require_fields(request: Any, paths: Iterable[str]) -> None:
    """Fails unless every dotted path (e.g. "condition.expression") holds a non-null value in request."""
    missing = []
    for path in paths:
        value = request
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            missing.append(path)
    if missing:
        raise DataSourceRequestError(f"request lacks {missing}: {json.dumps(request, default=str)}")


def _graphql_error(raw: dict[str, Any]) -> GraphqlError:
    return GraphqlError(raw["message"], raw.get("errorType"), raw.get("data"), raw.get("errorInfo"))


def base_context(
    field_name: str | None,
    parent_type: str | None,
    *,
    arguments: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
    stash: Mapping[str, Any] | None = None,
    info: Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``ctx`` AppSync hands a resolver's first handler (AppSync's resolver context reference)."""
    return {
        "arguments": dict(arguments or {}),
        "identity": None if identity is None else dict(identity),
        "source": None if source is None else dict(source),
        "stash": dict(stash or {}),
        "info": {
            "fieldName": field_name,
            "parentTypeName": parent_type,
            "variables": {},
            "selectionSetList": [],
            "selectionSetGraphQL": "",
            **dict(info or {}),
        },
        "request": dict(request or {"headers": {}, "domainName": None}),
    }


def context_for_file(resolver: Path, **context: Any) -> dict[str, Any]:
    """``base_context`` with the field named after a ``Type.field.js`` file."""
    named = RESOLVER_FILE_NAME.match(resolver.name)
    return base_context(named["field"] if named else None, named["type"] if named else None, **context)


class ResolverRunner:
    """Runs unit and pipeline resolvers on one Node worker, executing data-source requests with ``executors``."""

    def __init__(self, worker: NodeWorker, executors: Mapping[str, Executor]) -> None:
        self.worker = worker
        self.executors: dict[str, Executor] = dict(executors)

    def call_handler(
        self,
        file: Path,
        handler: str,
        ctx: Mapping[str, Any],
        *,
        now: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Low level: evaluates one handler with exactly this ctx; returns the worker's answer.

        Answer keys: status ("returned" | "error" | "earlyReturn"), value, error, skipTo,
        appendedErrors, logs, stash, idsUsed, subscriptionFilter.
        """
        message = {"file": str(Path(file).resolve()), "handler": handler, "ctx": dict(ctx)}
        return self.worker.call({**message, "now": now, "ids": None if ids is None else list(ids)})

    def run(
        self,
        steps: Sequence[PipelineFunction],
        context: dict[str, Any],
        *,
        pipeline: Path | None,
        now: str | None = None,
        ids: Sequence[str] | None = None,
        expect_request: Iterable[str] = (),
    ) -> ResolverRun:
        """A unit resolver is one step and no ``pipeline``; a pipeline resolver names its own file."""
        run = ResolverRun()
        ids_left = None if ids is None else list(ids)

        def evaluate(file: Path, handler: str, extra: Mapping[str, Any]) -> dict[str, Any]:
            nonlocal ids_left
            answer = self.call_handler(
                file, handler, {**context, "stash": run.stash, **extra}, now=now, ids=ids_left
            )
            if ids_left is not None:
                ids_left = ids_left[answer["idsUsed"] :]
            run.stash = answer["stash"]
            run.logs += answer["logs"]
            run.appended_errors += [_graphql_error(raw) for raw in answer["appendedErrors"]]
            if answer.get("subscriptionFilter") is not None:
                run.subscription_filter = answer["subscriptionFilter"]
            if answer["status"] == "error":
                run.error = _graphql_error(answer["error"])
            return answer

        run.stash = context["stash"]
        previous: Any = None
        if pipeline is not None:
            before = evaluate(pipeline, "request", {})
            if run.error is not None:
                return run
            previous = before["value"]
            if before["status"] == "earlyReturn":
                steps = []
        for step in steps:
            prev = {"prev": {"result": previous}} if pipeline is not None else {}
            answer = evaluate(step.file, "request", prev)
            if run.error is not None:
                return run
            if answer["status"] == "earlyReturn":
                previous = answer["value"]
                if answer["skipTo"] == "END" or pipeline is None:
                    break
                continue
            require_fields(answer["value"], expect_request)
            run.requests.append(answer["value"])
            started = time.perf_counter()
            outcome = self._execute(step.data_source, answer["value"])
            run.calls.append(
                DataSourceCall(
                    function=step.file.name,
                    data_source=step.data_source.name,
                    kind=step.data_source.kind,
                    seconds=time.perf_counter() - started,
                    error_type=None if outcome.error is None else outcome.error.get("type"),
                )
            )
            run.outcomes.append(outcome)
            answer = evaluate(
                step.file, "response", {**prev, "result": outcome.result, "error": outcome.error}
            )
            if run.error is not None:
                return run
            previous = answer["value"]
        if pipeline is not None:
            answer = evaluate(pipeline, "response", {"prev": {"result": previous}})
            if run.error is not None:
                return run
            previous = answer["value"]
        run.result = previous
        return run

    def _execute(self, data_source: DataSource, request: Any) -> DataSourceOutcome:
        executor = self.executors.get(data_source.kind)
        if executor is None:
            raise DataSourceRequestError(
                f"no executor for data source kind {data_source.kind!r}; known: {sorted(self.executors)}"
            )
        if not isinstance(request, dict):
            raise DataSourceRequestError(
                f"{data_source.name}: request handler returned {request!r}, not an object"
            )
        return executor(data_source, request)
