"""No bad value, at any depth of any component's args, registers a resource.

Each component gets one complete, valid args object (every optional arg set, so every nesting level
exists). The test then breaks one value at a time, replacing it with an object no arg accepts, and adds an
unknown key to every mapping. Each mutation must raise ``InvalidArgsError`` naming exactly that path, and the
engine must have received no resource at all: not the component, not a child. The valid args register
resources, so an empty record means the check ran first, not that nothing ever registers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from genai_backend_components.auth import Auth, AuthModel
from genai_backend_components.conversation import (
    ConversationRoute,
    ConversationRouteModel,
    compose_conversation_schema,
)
from genai_backend_components.function import LoggedFunction, LoggedFunctionModel
from genai_backend_components.generation import GenerationRoute, GenerationRouteModel, schema_with_generation
from genai_backend_components.graphql import GraphqlApi, GraphqlApiModel
from genai_backend_components.hosting import Hosting, HostingModel
from genai_backend_components.table import Table, TableModel
from genai_backend_components.validation import InvalidArgsError, format_path
from tests.support import evaluate_component

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphql"
TOOL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "conversation_tools"
ACCOUNT = "123456789012"
NOTES_SCHEMA = (
    "type Note @aws_cognito_user_pools { id: ID! text: String }\ntype Query { getNote(id: ID!): Note }\n"
)
GENERATION_SCHEMA = schema_with_generation(
    NOTES_SCHEMA, "generateInsights", {"requirement": "String!"}, "String"
)


class _Unacceptable:
    """A value no arg accepts: not text, number, flag, list, mapping or Output."""

    def __repr__(self) -> str:
        return "<unacceptable>"


BAD = _Unacceptable()
ANY_VALUED = {"amplify_outputs", "statements"}
"""Args whose contents are free-form JSON by design (the client config document, IAM statements)."""


def _handler_folder(tmp: Path) -> str:
    folder = tmp / "notes"
    folder.mkdir(exist_ok=True)
    (folder / "handler.py").write_text("def handler(event, context):\n    return event\n")
    return str(folder)


def _tools_folder(tmp: Path) -> str:
    folder = tmp / "note_tools"
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").write_text("")
    return str(folder)


def _table() -> dict[str, Any]:
    return {
        "hash_key": "id",
        "range_key": "at",
        "attribute_types": {"id": "S", "at": "N", "kind": "S"},
        "protect_data": True,
        "global_secondary_indexes": [
            {
                "name": "byKind",
                "hash_key": "kind",
                "range_key": "at",
                "projection": "INCLUDE",
                "non_key_attributes": ["text"],
            }
        ],
        "ttl_attribute": "expiresAt",
        "kms_key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f0e0d0c",
        "stream_view_type": "KEYS_ONLY",
        "tags": {"team": "web"},
    }


def _function(tmp: Path) -> dict[str, Any]:
    return {
        "code_path": _handler_folder(tmp),
        "handler": "notes.handler.handler",
        "extra_code_paths": [_tools_folder(tmp)],
        "runtime": "python3.13",
        "memory_size": 512,
        "timeout": 20,
        "environment": {"TABLE_NAME": "notes"},
        "log_retention_days": 30,
        "log_format": "JSON",
        "application_log_level": "DEBUG",
        "system_log_level": "WARN",
        "tracing_mode": "Active",
        "reserved_concurrency": 5,
        "layers": [f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:deps:3"],
        "tags": {"team": "web"},
    }


def _auth() -> dict[str, Any]:
    return {
        "region": "us-east-1",
        "protect_data": True,
        "first_auth_factors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
        "preferred_challenge": "EMAIL_OTP",
        "passkeys": {"relying_party_id": "app.example.com", "user_verification": "required"},
        "email_sender": {
            "source_arn": f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com",
            "from_email_address": "App <no-reply@example.com>",
            "reply_to_email_address": "help@example.com",
            "configuration_set": "events",
        },
        "password_policy": {
            "minimum_length": 14,
            "require_lowercase": True,
            "require_uppercase": True,
            "require_numbers": True,
            "require_symbols": False,
            "temporary_password_validity_days": 2,
        },
        "mfa": "OPTIONAL",
        "user_pool_tier": "ESSENTIALS",
        "allow_self_sign_up": True,
        "oidc_providers": [
            {
                "name": "OIDC-Provider",
                "issuer_url": "https://login.example.com",
                "client_id": "web",
                "client_secret": "s3cret",
                "scopes": ["openid", "email"],
                "attributes_request_method": "POST",
            }
        ],
        "saml_providers": [
            {"name": "Corp", "metadata_url": "https://idp.example.com/metadata", "sign_out": True}
        ],
        "google": {"client_id": "google-web", "client_secret": "g", "scopes": ["openid", "email"]},
        "facebook": {
            "client_id": "fb-web",
            "client_secret": "f",
            "scopes": ["email"],
            "api_version": "v18.0",
        },
        "amazon": {"client_id": "amzn-web", "client_secret": "a", "scopes": ["profile"]},
        "apple": {
            "services_id": "com.example.web",
            "team_id": "ABCDEFGHIJ",
            "key_id": "KLMNOPQRST",
            "private_key": "-----BEGIN PRIVATE KEY-----",
            "scopes": ["email"],
        },
        "hosted_domain": {"prefix": "notes-dev"},
        "callback_urls": ["https://app.example.com/"],
        "logout_urls": ["https://app.example.com/"],
        "token_validity": {"access_token_minutes": 30, "id_token_minutes": 30, "refresh_token_days": 7},
        "groups": [{"name": "admins", "precedence": 0, "description": "Administrators"}],
        "identity_pool": True,
        "guest_access": True,
        "tags": {"team": "web"},
    }


def _api() -> dict[str, Any]:
    return {
        "schema_sdl": NOTES_SCHEMA,
        "user_pool_id": "us-east-1_pool12345",
        "user_pool_region": "us-east-1",
        "default_action": "ALLOW",
        "additional_auth_modes": ["AWS_IAM"],
        "field_log_level": "ERROR",
        "exclude_verbose_content": True,
        "log_retention_days": 30,
        "xray_enabled": True,
        "introspection": False,
        "query_depth_limit": 10,
        "resolver_count_limit": 100,
        "data_sources": {
            "NotesTable": {
                "dynamodb": {
                    "table_name": "notes",
                    "table_arn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/notes",
                    "actions": ["dynamodb:GetItem"],
                    "indexes": ["byKind"],
                }
            },
            "Tasks": {"function": {"function_arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:tasks"}},
            "Web": {"http": {"endpoint": "https://api.example.com"}},
            "Local": {"none": True},
        },
        "functions": {
            "requireOwner": {
                "data_source": "Local",
                "code_path": str(FIXTURES / "functions" / "requireOwner.js"),
            }
        },
        "resolvers": {
            "Query.getNote": {"code_path": str(FIXTURES / "Query.getNote.js"), "data_source": "NotesTable"}
        },
        "api_name": "notes",
        "tags": {"team": "web"},
    }


def _generation() -> dict[str, Any]:
    return {
        "api_id": "abcdefghij",
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "model_id": "amazon.nova-lite-v1:0",
        "inference_mode": "geo",
        "system_prompt": "Answer briefly.",
        "api_arn": f"arn:aws:appsync:us-east-1:{ACCOUNT}:apis/abcdefghij",
        "geography": "us",
        "max_tokens": 500,
        "temperature": 0.2,
        "field_name": "generateInsights",
        "schema_sdl": GENERATION_SCHEMA,
        "data_source_name": "BedrockRuntime",
        "top_p": 0.9,
        "output_tokens_per_second": 80,
    }


def _conversation() -> dict[str, Any]:
    return {
        "route": "chat",
        "api_id": "abcdefghij",
        "graphql_url": "https://example.appsync-api.us-east-1.amazonaws.com/graphql",
        "schema_sdl": compose_conversation_schema(GENERATION_SCHEMA, ["chat"]),
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "model": {
            "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
            "system_prompt": "Be concise.",
            "inference_mode": "geo",
            "geography": "us",
            "max_tokens": 800,
            "temperature": 0.4,
        },
        "protect_data": False,
        "api_arn": f"arn:aws:appsync:us-east-1:{ACCOUNT}:apis/abcdefghij",
        "batch_milliseconds": 100,
        "batch_characters": 200,
        "history_message_limit": 20,
        "data_tools": [{"name": "getNote", "description": "One note by id.", "query_field": "getNote"}],
        "executable_tools_code_path": str(TOOL_FIXTURES / "sample_tools"),
        "max_tool_iterations": 4,
        "handler_timeout_seconds": 60,
        "handler_memory_mb": 1024,
        "log_retention_days": 7,
        "application_log_level": "INFO",
        "system_log_level": "WARN",
        "tracing": True,
        "tags": {"team": "web"},
    }


def _hosting() -> dict[str, Any]:
    return {
        "repository": "https://github.com/example/web",
        "branch": "main",
        "access_token": "token",
        "production": False,
        "amplify_outputs": {"version": "1.5"},
        "app_name": "web",
        "environment_variables": {"NEXT_PUBLIC_SITE": "notes"},
        "node_version": 22,
        "ssr_logging": True,
        "ssr_log_retention_days": 14,
        "tags": {"team": "web"},
    }


COMPONENTS: dict[str, tuple[type[pulumi.ComponentResource], type, Callable[[Path], dict[str, Any]]]] = {
    "Table": (Table, TableModel, lambda _: _table()),
    "LoggedFunction": (LoggedFunction, LoggedFunctionModel, _function),
    "Auth": (Auth, AuthModel, lambda _: _auth()),
    "GraphqlApi": (GraphqlApi, GraphqlApiModel, lambda _: _api()),
    "GenerationRoute": (GenerationRoute, GenerationRouteModel, lambda _: _generation()),
    "ConversationRoute": (ConversationRoute, ConversationRouteModel, lambda _: _conversation()),
    "Hosting": (Hosting, HostingModel, lambda _: _hosting()),
}


def _mutations(
    value: Any, location: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(location, args with one value broken) for every value, and (location, args with an extra key) per mapping."""
    if isinstance(value, dict):
        yield (*location, "unexpected_arg"), ("add", location)
        for key, item in value.items():
            if location == () and key in ANY_VALUED:
                continue
            yield from _mutations(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _mutations(item, (*location, index))
    if location:
        yield location, ("replace", location)


def _apply(args: Any, mutation: tuple[str, tuple[str | int, ...]]) -> Any:
    kind, location = mutation
    node = args
    for part in location[:-1] if kind == "replace" else location:
        node = node[part]
    if kind == "replace":
        node[location[-1]] = BAD
    else:
        node["unexpected_arg"] = BAD
    return args


def _construct(
    component: type[pulumi.ComponentResource], args: dict[str, Any]
) -> tuple[list[str], Exception | None]:
    raised: list[Exception] = []

    def program() -> None:
        try:
            component("probe", args)
        except Exception as error:  # the record of what was registered is the point of the test
            raised.append(error)

    evaluation = evaluate_component(program)
    return [record.type for record in evaluation.resources], raised[0] if raised else None


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_valid_args_register_the_component_and_its_children(name: str, tmp_path: Path) -> None:
    component, _, make_args = COMPONENTS[name]
    registered, error = _construct(component, make_args(tmp_path))
    assert error is None
    assert f"genai-backend:index:{name}" in registered
    assert len(registered) > 1


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_every_bad_value_at_any_depth_is_refused_before_anything_registers(name: str, tmp_path: Path) -> None:
    component, model, make_args = COMPONENTS[name]
    mutations = list(_mutations(make_args(tmp_path)))
    assert len(mutations) > len(make_args(tmp_path))
    for location, mutation in mutations:
        registered, error = _construct(component, _apply(make_args(tmp_path), mutation))
        path = format_path(location, model)
        assert isinstance(error, InvalidArgsError), (path, error)
        assert path in {problem.path for problem in error.problems}, (path, error.problems)
        assert registered == [], (path, registered)
