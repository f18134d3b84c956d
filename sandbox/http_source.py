"""AppSync's HTTP data source: sends the request a resolver built, SigV4-signed when the source says so.

Request fields (AppSync HTTP resolver reference, JS): ``method``, ``resourcePath``, ``params`` with
``headers``, ``query`` and ``body`` (a string is sent as is, anything else as JSON), ``version``.
``ctx.result`` is ``{statusCode, headers, body}`` with the body as text; a request that cannot be sent
becomes ``ctx.error``. In the sandbox the generation route's Bedrock source points at the local stand-in,
or at the real Bedrock endpoint (``--bedrock real``), signed with the sandbox's credentials.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from sandbox.runtime.sources import DataSource, DataSourceOutcome, DataSourceRequestError

TIMEOUT_SECONDS = 30.0
"""AppSync gives a resolver at most 30 s."""


def http_source(
    name: str,
    endpoint: str,
    *,
    signing_region: str | None = None,
    signing_service: str | None = None,
    credentials: Callable[[], Any] | None = None,
) -> DataSource:
    return DataSource(
        kind="HTTP",
        name=name,
        config={
            "endpoint": endpoint.rstrip("/"),
            "signing_region": signing_region,
            "signing_service": signing_service,
            "credentials": credentials,
        },
    )


def execute_http(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
    unknown = set(request) - {"method", "resourcePath", "params", "version"}
    if unknown:
        raise DataSourceRequestError(f"{source.name}: unknown HTTP request fields {sorted(unknown)}")
    method = request.get("method")
    path = request.get("resourcePath")
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
        raise DataSourceRequestError(f"{source.name}: method must be an HTTP method, got {method!r}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise DataSourceRequestError(f"{source.name}: resourcePath must start with '/', got {path!r}")
    params = request.get("params") or {}
    headers = {str(key): str(value) for key, value in (params.get("headers") or {}).items()}
    body = params.get("body")
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
    url = source.config["endpoint"] + urllib.parse.quote(path, safe="/:@!$&'()*+,;=-._~")
    if params.get("query"):
        url += "?" + urllib.parse.urlencode(params["query"], doseq=True)
    if source.config.get("signing_service"):
        signed = AWSRequest(method=method, url=url, data=data, headers=headers)
        credentials = source.config["credentials"]()
        SigV4Auth(credentials, source.config["signing_service"], source.config["signing_region"]).add_auth(
            signed
        )
        headers = dict(signed.headers.items())
    outgoing = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(outgoing, timeout=TIMEOUT_SECONDS) as response:
            status, answer_headers, payload = response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as failure:
        status, answer_headers, payload = failure.code, dict(failure.headers.items()), failure.read()
    except (urllib.error.URLError, TimeoutError) as failure:
        return DataSourceOutcome(error={"message": f"{source.name}: {failure}", "type": "HttpFailure"})
    return DataSourceOutcome(
        result={"statusCode": status, "headers": answer_headers, "body": payload.decode("utf-8", "replace")}
    )
