"""Unit tests of build_client_config and the model introspection it derives from the schema SDL."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import botocore.session
import pytest

from genai_backend_components.client_config import (
    AUTHORIZATION_TYPES,
    FIRST_FACTORS,
    SOCIAL_PROVIDERS,
    USER_VERIFICATIONS,
    AuthOutputs,
    DataOutputs,
    OAuthOutputs,
    UserGroup,
    WebAuthnOutputs,
    build_client_config,
    build_model_introspection,
)
from genai_backend_components.client_config import ConversationRouteOutputs as ConversationRoute
from tests.fixtures.client_config.sample import fixture_schema, sample_auth, sample_data, sample_outputs

SMALL_SCHEMA = """
enum Tier { GOLD SILVER }
type Stats { goals: Int, tags: [String!]!, notes: [String]!, maybe: [Int!], anything: [Float] }
input Filter { tier: Tier, ids: [ID!] }
type Query {
  stats(filter: Filter!, ids: [ID!], tier: Tier): Stats
  ping: String!
  all: [Stats!]!
}
"""


def minimal_auth(**changes: Any) -> AuthOutputs:
    fields = {"region": "us-east-1", "user_pool_id": "us-east-1_pool", "user_pool_client_id": "client"}
    return AuthOutputs(**{**fields, **changes})


def minimal_data(**changes: Any) -> DataOutputs:
    fields = {
        "region": "us-east-1",
        "url": "https://api.example.com/graphql",
        "schema_sdl": "type Query { a: Int }",
    }
    return DataOutputs(**{**fields, **changes})


def oauth(**changes: Any) -> OAuthOutputs:
    fields = {
        "domain": "auth.example.com",
        "scopes": ("openid",),
        "redirect_sign_in_uris": ("https://app.example.com/",),
        "redirect_sign_out_uris": ("https://app.example.com/",),
    }
    return OAuthOutputs(**{**fields, **changes})


def cognito_enum(shape: str) -> list[str]:
    return botocore.session.get_session().get_service_model("cognito-idp").shape_for(shape).enum


def test_document_has_version_and_required_sections() -> None:
    document = build_client_config(minimal_auth(), minimal_data())
    assert document["version"] == "1.5"
    assert {"aws_region", "user_pool_id", "user_pool_client_id"} <= set(document["auth"])
    assert document["data"]["default_authorization_type"] == "AMAZON_COGNITO_USER_POOLS"
    assert document["data"]["authorization_types"] == []
    assert "identity_pool_id" not in document["auth"] and "oauth" not in document["auth"]


def test_oauth_lists_only_social_providers_in_amplify_names() -> None:
    providers = (
        "COGNITO",
        "SignInWithApple",
        "CorporateOidc",
        "Google",
        "PartnerSaml",
        "LoginWithAmazon",
        "Facebook",
    )
    document = build_client_config(minimal_auth(oauth=oauth(identity_providers=providers)), minimal_data())
    assert document["auth"]["oauth"]["identity_providers"] == [
        "FACEBOOK",
        "GOOGLE",
        "LOGIN_WITH_AMAZON",
        "SIGN_IN_WITH_APPLE",
    ]
    assert document["auth"]["oauth"]["response_type"] == "code"


def test_social_provider_names_are_cognitos_own() -> None:
    assert set(SOCIAL_PROVIDERS) <= set(cognito_enum("IdentityProviderTypeType"))


def test_enumerations_match_the_aws_service_models() -> None:
    assert set(FIRST_FACTORS) <= set(cognito_enum("AuthFactorType"))
    assert set(USER_VERIFICATIONS) == set(cognito_enum("UserVerificationType"))
    appsync = botocore.session.get_session().get_service_model("appsync")
    assert set(AUTHORIZATION_TYPES) == set(appsync.shape_for("AuthenticationType").enum)


@pytest.mark.parametrize(
    ("factors", "web_authn", "expected"),
    [
        (("PASSWORD",), None, None),
        (("PASSWORD", "EMAIL_OTP"), None, {"email_otp_enabled": True, "sms_otp_enabled": False}),
        (
            ("PASSWORD", "WEB_AUTHN"),
            WebAuthnOutputs(relying_party_id="app.example.com"),
            {
                "email_otp_enabled": False,
                "sms_otp_enabled": False,
                "web_authn": {"relying_party_id": "app.example.com", "user_verification": "preferred"},
            },
        ),
    ],
)
def test_passwordless_follows_the_enabled_factors(
    factors: tuple[str, ...], web_authn: WebAuthnOutputs | None, expected: dict[str, Any] | None
) -> None:
    document = build_client_config(minimal_auth(first_factors=factors, web_authn=web_authn), minimal_data())
    assert document["auth"].get("passwordless") == expected


def test_preferred_challenge_is_written_when_enabled() -> None:
    auth = minimal_auth(first_factors=("PASSWORD", "EMAIL_OTP"), preferred_challenge="EMAIL_OTP")
    assert (
        build_client_config(auth, minimal_data())["auth"]["passwordless"]["preferred_challenge"]
        == "EMAIL_OTP"
    )


@pytest.mark.parametrize(
    ("auth", "data", "message"),
    [
        (
            minimal_auth(first_factors=("PASSWORD",), preferred_challenge="EMAIL_OTP"),
            None,
            r"auth\.preferred_challenge",
        ),
        (minimal_auth(first_factors=("PASSWORD", "WEB_AUTHN")), None, r"auth\.web_authn"),
        (minimal_auth(web_authn=WebAuthnOutputs(relying_party_id="x.example.com")), None, r"auth\.web_authn"),
        (minimal_auth(first_factors=("EMAIL_OTP",)), None, r"auth\.first_factors.*PASSWORD"),
        (minimal_auth(first_factors=("PASSWORD", "SOFTWARE_TOKEN")), None, r"auth\.first_factors.*allowed"),
        (
            minimal_auth(
                first_factors=("PASSWORD", "EMAIL_OTP"), mfa_configuration="REQUIRED", mfa_methods=("TOTP",)
            ),
            None,
            r"auth\.first_factors.*REQUIRED",
        ),
        (minimal_auth(mfa_configuration="OFF"), None, r"auth\.mfa_configuration.*NONE, OPTIONAL, REQUIRED"),
        (minimal_auth(mfa_methods=("TOTP",)), None, r"auth\.mfa_methods"),
        (minimal_auth(mfa_configuration="OPTIONAL"), None, r"auth\.mfa_methods"),
        (
            minimal_auth(unauthenticated_identities_enabled=True),
            None,
            r"auth\.unauthenticated_identities_enabled",
        ),
        (minimal_auth(username_attributes=("nickname",)), None, r"auth\.username_attributes"),
        (minimal_auth(oauth=oauth(domain="https://auth.example.com")), None, r"auth\.oauth\.domain"),
        (minimal_auth(oauth=oauth(redirect_sign_out_uris=())), None, r"auth\.oauth\.redirect_sign_out_uris"),
        (minimal_auth(groups=(UserGroup(name="a", precedence=0),) * 2), None, r"auth\.groups"),
        (
            minimal_auth(groups=(UserGroup(name="a", precedence=-1),)),
            None,
            r"auth\.groups\['a'\]\.precedence",
        ),
        (minimal_auth(user_pool_client_id=""), None, r"auth\.user_pool_client_id"),
        (None, minimal_data(url="http://api.example.com/graphql"), r"data\.url"),
        (None, minimal_data(default_authorization_type="API_KEY"), r"data\.default_authorization_type"),
        (
            None,
            minimal_data(authorization_types=("AMAZON_COGNITO_USER_POOLS",)),
            r"data\.authorization_types",
        ),
        (None, minimal_data(authorization_types=("COGNITO",)), r"data\.authorization_types.*AWS_IAM"),
        (None, minimal_data(generation_routes=("missing",)), r"data\.generation_routes.*'missing'.*Query"),
        (None, minimal_data(schema_sdl="type Query { a: Int"), r"data\.schema_sdl"),
        (
            None,
            minimal_data(schema_sdl="scalar Money\ntype Query { a: Money }"),
            r"data\.schema_sdl: Query\.a uses scalar Money",
        ),
        (
            None,
            minimal_data(schema_sdl="type Query { grid: [[Int]] }"),
            r"data\.schema_sdl: Query\.grid is a nested list",
        ),
        (
            None,
            minimal_data(schema_sdl="type A { b: B }\ntype B { a: A }\ntype Query { a: A }"),
            r"data\.schema_sdl.*cycle \(A -> B -> A\)",
        ),
        (
            None,
            minimal_data(schema_sdl="union U = A\ntype A { x: Int }\ntype Query { u: U }"),
            r"data\.schema_sdl: Query\.u has the interface or union type U",
        ),
        (
            None,
            minimal_data(conversation_routes=(ConversationRoute(name="chat"),)),
            r"data\.conversation_routes\['chat'\].*ConversationChat",
        ),
        (
            None,
            minimal_data(conversation_routes=(ConversationRoute(name="chat-room"),)),
            r"data\.conversation_routes\['chat-room'\].*letters and digits",
        ),
    ],
)
def test_inconsistent_input_is_rejected_naming_the_field(
    auth: AuthOutputs | None, data: DataOutputs | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_client_config(auth or minimal_auth(), data or minimal_data())


def test_conversation_route_needs_every_operation_the_client_calls() -> None:
    schema = fixture_schema().replace("  deleteConversationChat(", "  removeConversationChat(")
    data = dataclasses.replace(sample_data(), schema_sdl=schema)
    with pytest.raises(ValueError, match=r"conversation_routes\['chat'\].*Mutation\.deleteConversationChat"):
        build_client_config(sample_auth(), data)


def test_small_schema_introspection_matches_amplifys_shape() -> None:
    introspection = build_model_introspection(SMALL_SCHEMA)
    assert introspection["version"] == 1 and introspection["models"] == {}
    assert introspection["enums"] == {"Tier": {"name": "Tier", "values": ["GOLD", "SILVER"]}}
    assert set(introspection["nonModels"]) == {"Stats"}  # inputs and root types are not custom types
    fields = introspection["nonModels"]["Stats"]["fields"]

    def field(name: str, type_: Any, is_array: bool, is_required: bool, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "isArray": is_array,
            "type": type_,
            "isRequired": is_required,
            **extra,
            "attributes": [],
        }

    assert fields == {
        "goals": field("goals", "Int", False, False),
        "tags": field("tags", "String", True, True, isArrayNullable=False),
        "notes": field("notes", "String", True, False, isArrayNullable=False),
        "maybe": field("maybe", "Int", True, True, isArrayNullable=True),
        "anything": field("anything", "Float", True, False, isArrayNullable=True),
    }
    queries = introspection["queries"]
    assert queries["ping"] == {"name": "ping", "isArray": False, "type": "String", "isRequired": True}
    assert queries["all"] == {
        "name": "all",
        "isArray": True,
        "type": {"nonModel": "Stats"},
        "isRequired": True,
    }
    assert queries["stats"]["arguments"] == {
        "filter": {"name": "filter", "isArray": False, "type": {"input": "Filter"}, "isRequired": True},
        "ids": {"name": "ids", "isArray": True, "type": "ID", "isRequired": True, "isArrayNullable": True},
        "tier": {"name": "tier", "isArray": False, "type": {"enum": "Tier"}, "isRequired": False},
    }
    assert "mutations" not in introspection and "generations" not in introspection


def test_generation_route_is_listed_under_generations_only() -> None:
    introspection = sample_outputs()["data"]["model_introspection"]
    assert "generateInsights" not in introspection["queries"]
    generation = introspection["generations"]["generateInsights"]
    # The post's contract: generateInsights(requirement: String!) returning a type whose insights is String!.
    assert generation["type"] == {"nonModel": "GenerateInsightsReturnType"}
    assert generation["isRequired"] is False
    assert generation["arguments"]["requirement"]["isRequired"] is True
    assert generation["arguments"]["requirement"]["type"] == "String"
    answer = introspection["nonModels"]["GenerateInsightsReturnType"]["fields"]
    assert {name: (field["type"], field["isRequired"]) for name, field in answer.items()} == {
        "insights": ("String", True)
    }


def test_conversation_route_names_models_and_operations() -> None:
    introspection = sample_outputs()["data"]["model_introspection"]
    route = introspection["conversations"]["chat"]
    assert route["conversation"] == {"modelName": "ConversationChat"}
    assert route["message"]["modelName"] == "ConversationMessageChat"
    assert route["message"]["send"]["name"] == "sendMessageChat"
    assert route["message"]["send"]["type"] == {"model": "ConversationMessageChat"}
    assert route["message"]["subscribe"]["name"] == "onCreateAssistantResponseChat"
    assert route["message"]["subscribe"]["type"] == {"nonModel": "AmplifyAIConversationMessageStreamPart"}
    models = route["models"]
    assert models["ConversationChat"]["pluralName"] == "ConversationChats"
    assert models["ConversationMessageChat"]["primaryKeyInfo"]["primaryKeyFieldName"] == "id"
    # The models belong to the route; their operations are the route's, not free-standing ones.
    assert not {"ConversationChat", "ConversationMessageChat"} & set(introspection["nonModels"])
    assert "sendMessageChat" not in introspection["mutations"]
    assert "listConversationChats" not in introspection["queries"]
    assert "subscriptions" not in introspection


def test_custom_route_operation_names_are_honoured() -> None:
    schema = fixture_schema().replace("sendMessageChat(", "chat(")
    route = ConversationRoute(name="chat", send_message_mutation="chat")
    data = dataclasses.replace(sample_data(), schema_sdl=schema, conversation_routes=(route,))
    send = build_client_config(sample_auth(), data)["data"]["model_introspection"]["conversations"]["chat"]
    assert send["message"]["send"]["name"] == "chat"


def test_document_holds_no_secret_like_keys() -> None:
    def keys(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [*value, *(key for item in value.values() for key in keys(item))]
        if isinstance(value, list):
            return [key for item in value for key in keys(item)]
        return []

    auth_and_data = {key: value for key, value in sample_outputs().items() if key != "version"}
    auth_and_data["data"] = {
        key: value for key, value in auth_and_data["data"].items() if key != "model_introspection"
    }
    found = [key for key in keys(auth_and_data) if "secret" in key.lower() or key in {"api_key", "password"}]
    assert found == []


def test_output_is_deterministic_whatever_the_input_order() -> None:
    auth = sample_auth()
    shuffled_auth = dataclasses.replace(
        auth,
        groups=tuple(reversed(auth.groups)),
        mfa_methods=tuple(reversed(auth.mfa_methods)),
        oauth=dataclasses.replace(
            auth.oauth,  # type: ignore[arg-type]
            scopes=tuple(reversed(auth.oauth.scopes)),  # type: ignore[union-attr]
            identity_providers=tuple(reversed(auth.oauth.identity_providers)),  # type: ignore[union-attr]
        ),
    )
    first = json.dumps(build_client_config(auth, sample_data()))
    assert json.dumps(build_client_config(shuffled_auth, sample_data())) == first
    groups = json.loads(first)["auth"]["groups"]
    assert groups == [{"admins": {"precedence": 0}}, {"editors": {"precedence": 1}}]
