"""Runs APPSYNC_JS resolvers as AppSync would, so tests exercise the real resolver files end to end.

Neither moto nor any installable package runs APPSYNC_JS, so the harness rebuilds the part of
AppSync that matters to a resolver: it evaluates ``request(ctx)`` in Node (against the documented
``util``/``runtime`` in ``tests/appsync_runtime``), executes the returned request on the bound data
source (DynamoDB via boto3/moto, Lambda via a Python callable, NONE; more kinds plug in through
``executors``), puts the answer in ``ctx.result`` / ``ctx.error`` and evaluates ``response(ctx)``.
One Node process serves every call of a harness (start-up ~0.1 s), so use one harness per module.

Typical use::

    with AppSyncHarness() as harness:
        run = harness.run_unit(RESOLVERS / "Query.getLeague.js", league_table, arguments={"id": "39"},
                               identity=identity, expect_request=["key.id"])
        assert run.error is None and run.result["id"] == "39"
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genai_backend_components.conversation import RESOLVER_DIRECTORY as CONVERSATION_RESOLVER_DIRECTORY
from genai_backend_components.generation import INVOKE_CONVERSE_CODE as GENERATION_INVOKE_CODE
from tests.appsync_runtime.dynamodb import dynamodb_table, execute_dynamodb
from tests.appsync_runtime.node_worker import NodeWorker, ResolverCrashError
from tests.appsync_runtime.sources import (
    DataSource,
    DataSourceOutcome,
    DataSourceRequestError,
    Executor,
    execute_lambda,
    execute_none,
    lambda_source,
    none_source,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
RESOLVERS = REPO_ROOT / "resolvers"
"""The League API's resolvers (this repository's app)."""
CONVERSATION_RESOLVERS = CONVERSATION_RESOLVER_DIRECTORY
"""The conversation route's resolvers, as the library ships them."""
GENERATION_RESOLVERS = GENERATION_INVOKE_CODE.parent
"""The generation route's resolvers, as the library ships them."""
DEFAULT_NOW = "2026-01-01T00:00:00.000Z"
"""Clock every handler sees unless a run passes ``now``: tests stay deterministic by default."""
DEFAULT_EXECUTORS: dict[str, Executor] = {
    "AMAZON_DYNAMODB": execute_dynamodb,
    "AWS_LAMBDA": execute_lambda,
    "NONE": execute_none,
}
RESOLVER_FILE_NAME = re.compile(r"^(?P<type>[A-Za-z_]\w*)\.(?P<field>[A-Za-z_]\w*)\.js$")

__all__ = [
    "CONVERSATION_RESOLVERS",
    "DEFAULT_EXECUTORS",
    "DEFAULT_NOW",
    "GENERATION_RESOLVERS",
    "REPO_ROOT",
    "RESOLVERS",
    "AppSyncHarness",
    "DataSource",
    "DataSourceOutcome",
    "DataSourceRequestError",
    "Executor",
    "GraphqlError",
    "PipelineFunction",
    "ResolverCrashError",
    "ResolverRun",
    "dynamodb_table",
    "lambda_source",
    "none_source",
    "require_fields",
]


@dataclass(frozen=True)
class GraphqlError:
    """An error as AppSync puts it in the GraphQL response (from util.error or util.appendError)."""

    message: str
    error_type: str | None
    data: Any = None
    error_info: Any = None


@dataclass(frozen=True)
class PipelineFunction:
    """One AppSync function of a pipeline resolver: its code file and its data source."""

    file: Path
    data_source: DataSource


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


class AppSyncHarness:
    """Runs unit and pipeline resolvers; one Node worker for the harness's lifetime (use ``with``)."""

    def __init__(
        self,
        *,
        executors: Mapping[str, Executor] | None = None,
        now: str | None = DEFAULT_NOW,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.executors: dict[str, Executor] = dict(DEFAULT_EXECUTORS if executors is None else executors)
        self.now = now
        self._worker = NodeWorker(timeout_seconds)

    def __enter__(self) -> AppSyncHarness:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._worker.close()

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
        appendedErrors, logs, stash, idsUsed.
        """
        message = {"file": str(Path(file).resolve()), "handler": handler, "ctx": dict(ctx)}
        return self._worker.call(
            {**message, "now": now or self.now, "ids": None if ids is None else list(ids)}
        )

    def run_unit(
        self,
        resolver: Path,
        data_source: DataSource,
        *,
        arguments: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
        source: Mapping[str, Any] | None = None,
        stash: Mapping[str, Any] | None = None,
        now: str | None = None,
        ids: Sequence[str] | None = None,
        expect_request: Iterable[str] = (),
    ) -> ResolverRun:
        """Resolves one field with a unit resolver; ``expect_request`` guards fields the request must carry."""
        steps = [PipelineFunction(Path(resolver), data_source)]
        context = self._base_context(Path(resolver), arguments, identity, source, stash)
        return self._run(steps, context, now=now, ids=ids, expect_request=expect_request, pipeline=None)

    def run_pipeline(
        self,
        resolver: Path,
        functions: Sequence[PipelineFunction],
        *,
        arguments: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
        source: Mapping[str, Any] | None = None,
        stash: Mapping[str, Any] | None = None,
        now: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> ResolverRun:
        """Resolves one field with a pipeline: resolver request, each function in turn, resolver response."""
        context = self._base_context(Path(resolver), arguments, identity, source, stash)
        return self._run(
            list(functions), context, now=now, ids=ids, expect_request=(), pipeline=Path(resolver)
        )

    @staticmethod
    def _base_context(
        resolver: Path,
        arguments: Mapping[str, Any] | None,
        identity: Mapping[str, Any] | None,
        source: Mapping[str, Any] | None,
        stash: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        named = RESOLVER_FILE_NAME.match(resolver.name)
        info = {
            "fieldName": named["field"] if named else None,
            "parentTypeName": named["type"] if named else None,
            "variables": {},
            "selectionSetList": [],
            "selectionSetGraphQL": "",
        }
        return {
            "arguments": dict(arguments or {}),
            "identity": None if identity is None else dict(identity),
            "source": None if source is None else dict(source),
            "stash": dict(stash or {}),
            "info": info,
            "request": {"headers": {}, "domainName": None},
        }

    def _run(
        self,
        steps: Sequence[PipelineFunction],
        context: dict[str, Any],
        *,
        now: str | None,
        ids: Sequence[str] | None,
        expect_request: Iterable[str],
        pipeline: Path | None,
    ) -> ResolverRun:
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
            outcome = self._execute(step.data_source, answer["value"])
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
