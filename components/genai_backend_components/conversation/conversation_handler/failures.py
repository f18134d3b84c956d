"""How a failed turn is described to the client: a fixed errorType and a user-safe sentence.

The client gets ``{errorType, message}`` in a stream part's ``errors`` (Amplify's ``onStreamEvent`` hands it
to the subscriber's ``error`` callback); nothing from the model, the request or a tool is echoed. Details
(error codes, never content) go to the function's log.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

from .streaming import TurnFailureError

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "throttlingException",
        "ServiceQuotaExceededException",
        "TooManyRequestsException",
    }
)
TIMEOUT_CODES = frozenset({"ModelTimeoutException", "Timeout"})
MODEL_CODES = frozenset(
    {
        "ModelErrorException", "modelStreamErrorException", "ModelNotReadyException", "ModelStreamErrorException",
        "InternalServerException", "internalServerException", "ServiceUnavailableException",
        "serviceUnavailableException", "IncompleteStream", "InvalidToolInput",
    }
)  # fmt: skip
TOOL_LOOP_LIMIT = "ToolLoopLimit"
"""The local code of a turn whose model asked for more rounds of tool calls than the route allows."""
CODE_ERROR_TYPES: Mapping[str, str] = {
    "ConversationNotFound": "ConversationNotFound",
    TOOL_LOOP_LIMIT: "ToolLoopLimitError",
}
"""Local failure codes that are their own errorType."""
CLIENT_MESSAGES: Mapping[str, str] = {
    "ThrottlingError": "The assistant is handling too many requests right now. Please try again in a moment.",
    "TimeoutError": "The assistant took too long to answer. Please try again.",
    "ModelError": "The model could not finish its answer. Please try again.",
    "ConversationNotFound": "This conversation no longer exists.",
    "ToolLoopLimitError": "The assistant needed more tool calls than one answer may take. "
    "Please ask a narrower question.",
    "InternalError": "The assistant could not answer because of an internal error.",
}
"""errorType -> the message the client shows; nothing from the model or the request is echoed."""


def classify(failure: BaseException) -> str:
    """The client-facing errorType for a failure; the mapping is the one documented in CLIENT_MESSAGES."""
    if isinstance(failure, ReadTimeoutError | ConnectTimeoutError):
        return "TimeoutError"
    code = failure.code if isinstance(failure, TurnFailureError) else None
    if code in CODE_ERROR_TYPES:
        return CODE_ERROR_TYPES[code]
    if isinstance(failure, ClientError):
        code = failure.response.get("Error", {}).get("Code")
    if code in THROTTLING_CODES:
        return "ThrottlingError"
    if code in TIMEOUT_CODES:
        return "TimeoutError"
    if code in MODEL_CODES:
        return "ModelError"
    return "InternalError"


def cause_of(failure: BaseException) -> str:
    """What the log records about a failure: an error code or a class name, never a message."""
    if isinstance(failure, TurnFailureError):
        return failure.code
    if isinstance(failure, ClientError):
        return str(failure.response.get("Error", {}).get("Code", type(failure).__name__))
    return type(failure).__name__
