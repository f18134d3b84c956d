"""Stores one greeting per invocation in the table named by ``TABLE_NAME``.

The Lambda runtime's JSON log format and ``AWS_LAMBDA_LOG_LEVEL`` (set by the LoggedFunction component)
format and filter the stdlib logger, so the handler needs no logging setup of its own.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3

logger = logging.getLogger(__name__)
MAX_NAME_LENGTH = 100


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Keys the item by the request id, so a retried invocation overwrites rather than duplicates."""
    name = str(event.get("name") or "world")[:MAX_NAME_LENGTH]
    item = {"id": context.aws_request_id, "greeting": f"Hello, {name}!"}
    boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]).put_item(Item=item)
    logger.info("stored greeting", extra={"greeting_id": item["id"]})
    return item
