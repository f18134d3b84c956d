"""AppSync Lambda data source for league writes: upsertLeague, with optimistic locking.

The API reads leagues straight from DynamoDB (getLeague, listLeagues); only writes come here, so
that every stored league is validated first. The event is the one Mutation.upsertLeague.js builds:
``{"field": "upsertLeague", "arguments": {"input", "expectedVersion"}, "identity": {...}}``. The
answer is the saved League, or ``{"errorType", "errorMessage"}``, which the resolver turns into a
GraphQL error. Who may write is decided before the call (schema directive and resolver).

Logging goes through stdlib ``logging`` only: the Lambda runtime installs a JSON formatter on the
root logger and applies the configured level (AWS_LAMBDA_LOG_LEVEL), so this module neither
configures handlers nor prints. Logs carry ids and outcomes, never the caller's username, email or
token claims.

boto3 is imported when the first request needs the client, not at import: it is the slowest import
here, and tests must be able to create the client only once moto is in place.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from .items import stored_version, to_item, to_league
from .models import UpsertLeagueArguments, describe

logger = logging.getLogger(__name__)


def quiet_aws_sdk_debug_logs() -> None:
    """Keeps botocore at INFO or above, even when the function's log level is DEBUG or TRACE.

    botocore's DEBUG output contains request signing details, including the session token of the
    function's role. Its records propagate to the runtime's root handler without the root level being
    checked again, so the floor is max(INFO, root level): never more output than configured.
    """
    logging.getLogger("botocore").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))


quiet_aws_sdk_debug_logs()  # the Lambda runtime configures the root logger before importing this module

Arguments = TypeVar("Arguments", bound=BaseModel)

TABLE_NAME_VARIABLE = "LEAGUE_TABLE_NAME"


class RequestError(Exception):
    """A request the handler refuses; AppSync's resolver turns it into util.error(message, type)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message

    def response(self) -> dict[str, str]:
        return {"errorType": self.error_type, "errorMessage": self.message}


@functools.cache
def _client() -> Any:
    import boto3

    return boto3.client("dynamodb")


def _table_name() -> str:
    name = os.environ.get(TABLE_NAME_VARIABLE, "")
    if not name:
        # A deployment bug, not a client error: fail loudly so it shows in logs and alarms.
        raise RuntimeError(f"{TABLE_NAME_VARIABLE} is not set; the function needs the League table's name")
    return name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(model: type[Arguments], arguments: Any) -> Arguments:
    try:
        return model.model_validate(arguments)
    except ValidationError as error:
        raise RequestError("ValidationError", describe(error)) from None


def upsert_league(arguments: Any) -> dict[str, Any]:
    """One conditional PutItem: creates version 1, or replaces exactly ``expectedVersion``."""
    request = _parse(UpsertLeagueArguments, arguments)
    league, expected = request.input, request.expectedVersion
    item = to_item(league, 1 if expected is None else expected + 1, _now())
    if expected is None:
        condition: dict[str, Any] = {
            "ConditionExpression": "attribute_not_exists(#id)",
            "ExpressionAttributeNames": {"#id": "id"},
        }
    else:
        condition = {
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": {"N": str(expected)}},
        }
    try:
        # ALL_OLD makes a refusal say which version is stored, without a second read.
        _client().put_item(
            TableName=_table_name(), Item=item, ReturnValuesOnConditionCheckFailure="ALL_OLD", **condition
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        raise _conflict(league.id, expected, stored_version(error.response.get("Item"))) from None
    saved = to_league(item)
    logger.info(
        "league saved", extra={"leagueId": league.id, "season": league.season, "version": saved["version"]}
    )
    return saved


def _conflict(league_id: str, expected: int | None, current: int | None) -> RequestError:
    if expected is None and current is not None:
        return RequestError(
            "ConditionalCheckFailed",
            f"expectedVersion: league {league_id!r} already exists at version {current}; "
            f"pass expectedVersion: {current} to update it",
        )
    if current is None:
        return RequestError(
            "NotFound",
            f"expectedVersion: league {league_id!r} does not exist; omit expectedVersion to create it",
        )
    return RequestError(
        "ConditionalCheckFailed",
        f"expectedVersion: league {league_id!r} is at version {current}, not {expected}; "
        "reload it and retry with the current version",
    )


OPERATIONS: dict[str, Callable[[Any], Any]] = {"upsertLeague": upsert_league}


def handler(event: Any, context: Any) -> Any:
    """Entry point (``league.handler.handler``): returns the result, or an error object on failure."""
    field = event.get("field") if isinstance(event, dict) else None
    try:
        if not isinstance(field, str) or field not in OPERATIONS:
            raise RequestError("ValidationError", f"field: must be one of {', '.join(sorted(OPERATIONS))}")
        arguments = event.get("arguments")
        return OPERATIONS[field]({} if arguments is None else arguments)
    except RequestError as rejection:
        logger.info("request rejected", extra={"field": field, "errorType": rejection.error_type})
        return rejection.response()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        logger.exception("DynamoDB call failed", extra={"field": field, "awsErrorCode": code})
        request_id = getattr(context, "aws_request_id", "unknown")
        return RequestError(
            "InternalError", f"the league store failed ({code}); request id {request_id}"
        ).response()
