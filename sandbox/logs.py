"""The sandbox's log: one stream on stdout for its own lines and the lines of the handlers it runs in-process.

The sandbox's lines (requests, resolvers, subscriptions) appear as they are; a handler's lines are tagged with
its logger, as in its log group; the AWS SDK and HTTP libraries speak up only for warnings.
"""

from __future__ import annotations

import logging
import sys


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
