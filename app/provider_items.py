"""Identity providers written as config strings: 'name=OIDC-Provider;issuer=https://...;clientId=...'.

Pulumi's project config schema declares strings and lists of strings but not objects, so each provider is
one list item of ``key=value`` pairs. Only the syntax is checked here (known fields, required fields, a
secret per OIDC provider); what a value may be is the Auth component's check, reported back under
``authOidcProviders[0].issuer`` and the like.
"""

from __future__ import annotations

from typing import Any

from app.stack_values import Problem

OIDC_FIELDS = {
    "name": "name",
    "issuer": "issuer_url",
    "clientId": "client_id",
    "scopes": "scopes",
    "method": "attributes_request_method",
}
"""Config field -> OidcProvider arg."""
SAML_FIELDS = {"name": "name", "metadataUrl": "metadata_url"}
"""Config field -> SamlProvider arg."""
_REQUIRED = {"name", "issuer", "clientId", "metadataUrl"}


def secrets_by_name(items: list[str]) -> dict[str, str]:
    """'ProviderName=secret' items; the first '=' splits, since secrets may contain '='."""
    return dict(item.split("=", 1) for item in items if "=" in item)


def _split(item: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in item.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"'{part.strip()}' is not a key=value pair")
        name, value = part.split("=", 1)
        fields[name.strip()] = value.strip()
    return fields


def parse_items(
    items: list[str], key: str, fields_map: dict[str, str]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Each item as a dict of arg names, and the syntax problems (``authOidcProviders[0].issuer``)."""
    parsed: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        try:
            fields = _split(item)
        except ValueError as error:
            problems.append((where, str(error)))
            parsed.append({})
            continue
        problems += [
            (f"{where}.{name}", f"unknown field; allowed: {', '.join(fields_map)}")
            for name in fields
            if name not in fields_map
        ]
        problems += [
            (f"{where}.{name}", "is required")
            for name in fields_map
            if name in _REQUIRED and not fields.get(name)
        ]
        arg: dict[str, Any] = {
            fields_map[name]: value for name, value in fields.items() if name in fields_map
        }
        if "scopes" in arg:
            arg["scopes"] = arg["scopes"].split()
        if "attributes_request_method" in arg:
            arg["attributes_request_method"] = arg["attributes_request_method"].upper()
        parsed.append(arg)
    return parsed, problems
