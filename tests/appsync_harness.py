"""Runs APPSYNC_JS resolvers as AppSync would, so tests exercise the real resolver files end to end.

Neither moto nor any installable package runs APPSYNC_JS, so the sandbox (``sandbox/runtime``)
rebuilds the part of AppSync that matters to a resolver, and this harness is its test-facing API:
``request(ctx)`` is evaluated in Node (against the documented ``util``/``runtime`` in
``sandbox/runtime/utils.mjs``), the returned request is executed on the bound data source
(DynamoDB via boto3/moto, Lambda via a Python callable, NONE; more kinds plug in through
``executors``), the answer goes to ``ctx.result`` / ``ctx.error`` and ``response(ctx)`` is evaluated.
One Node process serves every call of a harness (start-up ~0.1 s), so use one harness per module.

Typical use::

    with AppSyncHarness() as harness:
        run = harness.run_unit(RESOLVERS / "Query.getLeague.js", league_table, arguments={"id": "39"},
                               identity=identity, expect_request=["key.id"])
        assert run.error is None and run.result["id"] == "39"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from genai_backend_components.conversation import RESOLVER_DIRECTORY as CONVERSATION_RESOLVER_DIRECTORY
from genai_backend_components.generation import INVOKE_CONVERSE_CODE as GENERATION_INVOKE_CODE
from sandbox.runtime.dynamodb import dynamodb_table, execute_dynamodb
from sandbox.runtime.node_worker import NodeWorker, ResolverCrashError
from sandbox.runtime.pipeline import (
    GraphqlError,
    PipelineFunction,
    ResolverRun,
    ResolverRunner,
    context_for_file,
    require_fields,
)
from sandbox.runtime.sources import (
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


class AppSyncHarness:
    """Runs unit and pipeline resolvers; one Node worker for the harness's lifetime (use ``with``)."""

    def __init__(
        self,
        *,
        executors: Mapping[str, Executor] | None = None,
        now: str | None = DEFAULT_NOW,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.now = now
        self._worker = NodeWorker(timeout_seconds)
        self._runner = ResolverRunner(self._worker, DEFAULT_EXECUTORS if executors is None else executors)

    @property
    def executors(self) -> dict[str, Executor]:
        return self._runner.executors

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
        appendedErrors, logs, stash, idsUsed, subscriptionFilter.
        """
        return self._runner.call_handler(file, handler, ctx, now=now or self.now, ids=ids)

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
        context = context_for_file(
            Path(resolver), arguments=arguments, identity=identity, source=source, stash=stash
        )
        return self._runner.run(
            steps, context, pipeline=None, now=now or self.now, ids=ids, expect_request=expect_request
        )

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
        context = context_for_file(
            Path(resolver), arguments=arguments, identity=identity, source=source, stash=stash
        )
        return self._runner.run(
            list(functions), context, pipeline=Path(resolver), now=now or self.now, ids=ids
        )
