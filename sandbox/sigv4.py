"""Accepts AppSync's IAM mode from backend callers: SigV4 requests signed with the sandbox's own credentials.

In AWS, AppSync checks a SigV4 signature and then the caller's IAM policy. The sandbox's only IAM callers
are its own backend (the conversation handler, running in the sandbox process with the sandbox's
credentials) and scripts of the developer using the same credentials, so a request is accepted when its
signature verifies with those credentials (service ``appsync``, within 15 minutes of now); anything else
is refused. The caller's identity is the IAM shape AppSync builds (``accountId``, ``userArn``, no ``sub``).

The sandbox's credentials stand for the conversation handler's execution role: ``userArn`` is that role's
session as a deployed handler signs, ``arn:<partition>:sts::<account>:assumed-role/<handler role
name>/<handler function name>`` (``assumed_role_arn``; the stack plan supplies the role and function names
the component declares). So the route's generated verifyHandlerCaller step, which admits only the handler
role's sessions to the two answer mutations, accepts the sandbox's own handler, as it accepts the deployed
one; a script signed with the same credentials acts as the handler too.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

SIGNING_SERVICE = "appsync"
SANDBOX_ACCOUNT_ID = "123456789012"
"""The account the sandbox pretends to run in (a documentation account id)."""
STUB_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIASANDBOXLOCAL0001",
    "AWS_SECRET_ACCESS_KEY": "sandbox-local-secret",
}
"""The sandbox process's credentials with the Bedrock stand-in: moto accepts any, and IAM callers of the
GraphQL endpoint (the handler, or a script) sign with these. With ``--bedrock real`` they are yours."""
MAX_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


def assumed_role_arn(
    role_name: str, session_name: str, *, partition: str = "aws", account_id: str = SANDBOX_ACCOUNT_ID
) -> str:
    """The ARN a session of ``role_name`` calls AWS as: a Lambda function's is named after the function."""
    return f"arn:{partition}:sts::{account_id}:assumed-role/{role_name}/{session_name}"


class SignatureError(ValueError):
    """The request is not SigV4-signed with the sandbox's credentials."""


def is_sigv4(authorization: str | None) -> bool:
    return bool(authorization) and str(authorization).startswith("AWS4-HMAC-SHA256 ")


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Callable[[], Any],
    *,
    user_arn: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Checks the signature; returns ``ctx.identity`` of the IAM caller, whose ARN is ``user_arn``."""
    lowered = {name.lower(): value for name, value in headers.items()}
    match = _AUTHORIZATION.match(lowered.get("authorization", ""))
    if match is None:
        raise SignatureError("Authorization is not a SigV4 header")
    frozen = credentials()
    if frozen is None or match["key"] != frozen.access_key:
        raise SignatureError("signed with credentials the sandbox does not know")
    if match["service"] != SIGNING_SERVICE:
        raise SignatureError(f"signed for service {match['service']!r}, not {SIGNING_SERVICE!r}")
    stamp = lowered.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("X-Amz-Date is missing or malformed") from None
    if abs((now or datetime.now(UTC)) - signed_at) > MAX_SKEW:
        raise SignatureError("signature expired (X-Amz-Date is more than 15 minutes off)")
    if (frozen.token or None) != (lowered.get("x-amz-security-token") or None):
        raise SignatureError("security token does not match the signing credentials")
    signed_names = match["headers"].split(";")
    missing = [name for name in signed_names if name not in lowered and name != "host"]
    if missing or "host" not in signed_names:
        raise SignatureError(f"signed headers missing from the request: {missing or ['host']}")
    # Without a host header botocore signs the URL's host, which is what the request was sent to.
    signed = {name: lowered[name] for name in signed_names if name in lowered}
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    request.context["timestamp"] = stamp
    signer = SigV4Auth(frozen, SIGNING_SERVICE, match["region"])
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureError("signature does not match")
    return {
        "accountId": SANDBOX_ACCOUNT_ID,
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["127.0.0.1"],
        "username": match["key"],
        "userArn": user_arn,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }
