"""Identity providers written as config strings: 'name=OIDC-Provider;issuer=https://...;clientId=...'.

Pulumi's project config schema can declare strings and lists of strings but not objects, so each
provider is one list item of ``key=value`` pairs. Parsing lives here so that every malformed item is
reported with its index and field, e.g. ``authOidcProviders[0].issuer``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr

ProviderKind = Literal["oidc", "saml"]

_FIELDS: dict[ProviderKind, dict[str, bool]] = {
    # field name -> required
    "oidc": {"name": True, "issuer": True, "clientId": True, "scopes": False, "method": False},
    "saml": {"name": True, "metadataUrl": True},
}
_RESERVED_NAMES = {"cognito", "google", "facebook", "loginwithamazon", "signinwithapple"}


class OidcProvider(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    issuer: str
    client_id: str
    client_secret: SecretStr
    scopes: tuple[str, ...]
    attributes_request_method: Literal["GET", "POST"]


class SamlProvider(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    metadata_url: str


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
        field, value = part.split("=", 1)
        fields[field.strip()] = value.strip()
    return fields


def _check_name(name: str) -> str | None:
    if not 1 <= len(name) <= 32 or "_" in name or name != name.strip() or " " in name:
        return f"'{name}' must be 1 to 32 characters without spaces or underscores"
    if name.lower() in _RESERVED_NAMES:
        return f"'{name}' is reserved by Cognito; choose another name"
    return None


def parse_providers(
    items: list[str], kind: ProviderKind, key: str, secrets: dict[str, str]
) -> tuple[list[OidcProvider | SamlProvider], list[tuple[str, str]]]:
    """Returns the providers that parsed and the problems of those that did not."""
    providers: list[OidcProvider | SamlProvider] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    allowed = _FIELDS[kind]
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        try:
            fields = _split(item)
        except ValueError as error:
            problems.append((where, str(error)))
            continue
        item_problems = [
            (f"{where}.{field}", f"unknown field; allowed: {', '.join(allowed)}")
            for field in fields
            if field not in allowed
        ]
        item_problems += [
            (f"{where}.{field}", "is required")
            for field, required in allowed.items()
            if required and not fields.get(field)
        ]
        name = fields.get("name", "")
        if name and (message := _check_name(name)):
            item_problems.append((f"{where}.name", message))
        if name.lower() in seen:
            item_problems.append((f"{where}.name", f"'{name}' is used by another provider"))
        seen.add(name.lower())
        url_field = "issuer" if kind == "oidc" else "metadataUrl"
        if fields.get(url_field) and not fields[url_field].startswith("https://"):
            item_problems.append((f"{where}.{url_field}", f"'{fields[url_field]}' must be an https URL"))
        if kind == "oidc":
            scopes = tuple(fields.get("scopes", "openid email profile").split())
            method = fields.get("method", "GET").upper()
            if "openid" not in scopes:
                item_problems.append((f"{where}.scopes", "must include openid"))
            if method not in ("GET", "POST"):
                item_problems.append((f"{where}.method", f"'{method}' is not one of GET, POST"))
            if name and name not in secrets:
                item_problems.append(
                    (
                        "authOidcClientSecrets",
                        f"no client secret for OIDC provider '{name}'; run "
                        f"`pulumi config set --secret --path 'authOidcClientSecrets[{index}]' '{name}=<secret>'`",
                    )
                )
        problems += item_problems
        if item_problems:
            continue
        if kind == "oidc":
            providers.append(
                OidcProvider(
                    name=name,
                    issuer=fields["issuer"],
                    client_id=fields["clientId"],
                    client_secret=SecretStr(secrets[name]),
                    scopes=scopes,
                    attributes_request_method=method,  # type: ignore[arg-type]
                )
            )
        else:
            providers.append(SamlProvider(name=name, metadata_url=fields["metadataUrl"]))
    return providers, problems
