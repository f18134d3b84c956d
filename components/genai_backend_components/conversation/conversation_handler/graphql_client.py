"""Calls the AppSync GraphQL endpoint: as the function's IAM role (SigV4, service ``appsync``), or as the user.

Answers go out signed with the function's own role, which may call exactly the two assistant-response
mutations (IAM ``appsync:GraphQL`` on those field ARNs). Amplify's handler sends everything with the
user's JWT instead; here the user's token is used for one thing only, a data tool's query
(``execute(..., user_token=...)``), so the API's own rules for that user apply to what the model reads.
The token reaches the function only for routes with data tools (invokeHandler.function.js), and only
the conversation owner's (turn_event.py checks its ``sub``); it is sent only to this API's endpoint, and
the function never logs or stores it. Only stdlib and botocore (in the Lambda runtime) are used.

Nothing sent or received is logged: the body carries the user's conversation.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

logger = logging.getLogger(__name__)

SIGNING_SERVICE = "appsync"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 3

Transport = Callable[[urllib.request.Request, float], tuple[int, bytes]]
"""Sends one prepared request with a timeout; returns the HTTP status and the body."""


class GraphqlRequestError(Exception):
    """AppSync refused the request or answered with GraphQL errors (their types, never their data)."""

    def __init__(
        self, message: str, error_types: frozenset[str] = frozenset(), details: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        # The errorType of every GraphQL error: lets a caller tell an expected refusal from a fault.
        self.error_types = error_types
        # The errors' messages, for a data tool's result (the model reads them); never logged.
        self.details = details


def urllib_transport(request: urllib.request.Request, timeout_seconds: float) -> tuple[int, bytes]:
    """The real transport; HTTP error statuses are returned, not raised, so callers see one shape."""
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read()


class GraphqlClient:
    """Signs and sends GraphQL requests; retries throttling, server errors and timeouts a few times.

    A retry resends the same body, possibly after a first attempt that did reach AppSync, so every
    mutation sent through it must tolerate that (the stored answer's key is fixed by the turn).
    """

    def __init__(
        self,
        url: str,
        region: str,
        credentials: Callable[[], Any],
        *,
        transport: Transport = urllib_transport,
        timeout_seconds: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = url
        self._region = region
        self._credentials = credentials
        self._transport = transport
        self._timeout_seconds = timeout_seconds
        self._sleep = sleep

    def _request(self, body: bytes, user_token: str | None) -> urllib.request.Request:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if user_token is not None:
            # AppSync's Cognito user pools mode takes the bare token in Authorization (as Amplify's client sends it).
            return urllib.request.Request(
                self._url, data=body, headers={**headers, "Authorization": user_token}, method="POST"
            )
        unsigned = AWSRequest(method="POST", url=self._url, data=body, headers=headers)
        # Credentials are fetched per request: Lambda's role credentials rotate during long-lived containers.
        SigV4Auth(self._credentials(), SIGNING_SERVICE, self._region).add_auth(unsigned)
        return urllib.request.Request(
            self._url, data=body, headers=dict(unsigned.headers.items()), method="POST"
        )

    def execute(
        self, query: str, variables: Mapping[str, Any], *, user_token: str | None = None
    ) -> dict[str, Any]:
        """Returns ``data``; raises GraphqlRequestError on HTTP failure or GraphQL errors.

        Signed with the function's role, or sent with ``user_token`` (a data tool's query as the user).
        """
        body = json.dumps({"query": query, "variables": dict(variables)}, ensure_ascii=False).encode("utf-8")
        for attempt in range(1, ATTEMPTS + 1):
            try:
                status, payload = self._transport(self._request(body, user_token), self._timeout_seconds)
            except (urllib.error.URLError, TimeoutError) as failure:
                status, payload = 0, b""
                reason = type(failure).__name__
            else:
                reason = f"HTTP {status}"
            if status == 200:
                break
            if (status and status not in RETRYABLE_STATUSES) or attempt == ATTEMPTS:
                raise GraphqlRequestError(f"AppSync request failed ({reason}) after {attempt} attempt(s)")
            self._sleep(0.1 * 2**attempt)
        logger.debug("graphql request sent", extra={"requestBytes": len(body), "responseBytes": len(payload)})
        answer = json.loads(payload)
        errors = answer.get("errors")
        if errors:
            listed = [error for error in errors if isinstance(error, Mapping)]
            kinds = frozenset(str(error.get("errorType")) for error in listed)
            raise GraphqlRequestError(
                f"AppSync returned GraphQL errors of type(s) {', '.join(sorted(kinds))}",
                error_types=kinds,
                details=tuple(str(error.get("message", "")) for error in listed),
            )
        return answer.get("data") or {}
