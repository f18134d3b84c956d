"""Moved to ``sandbox.runtime.sources``."""

from sandbox.runtime.sources import (
    DataSource,
    DataSourceOutcome,
    DataSourceRequestError,
    Executor,
    execute_lambda,
    execute_none,
    json_round_trip,
    lambda_source,
    none_source,
)

__all__ = [
    "DataSource",
    "DataSourceOutcome",
    "DataSourceRequestError",
    "Executor",
    "execute_lambda",
    "execute_none",
    "json_round_trip",
    "lambda_source",
    "none_source",
]
