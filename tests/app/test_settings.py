"""Stack settings: the stack files validate, and every kind of bad input is named before anything is declared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app import component_args as build
from app.config_keys import CONFIG_KEYS, project_config_block
from app.settings import SettingsError, StackSettings, placeholder_secrets, settings_from_values
from genai_backend_components.auth import AuthModel
from genai_backend_components.validation import check_args
from tools.stack_files import read_stack_config

ROOT = Path(__file__).resolve().parents[2]


def _stack_values(stack: str) -> tuple[dict[str, Any], set[str], dict[str, Any]]:
    config = read_stack_config(ROOT, stack)
    values = config.project_values()
    values.update(placeholder_secrets(values))
    secret_keys = {key.split(":", 1)[1] for key in config.secret_keys} | set(placeholder_secrets(values))
    aws_values = {key[len("aws:") :]: value for key, value in config.values.items() if key.startswith("aws:")}
    return values, secret_keys | {"authOidcClientSecrets"}, aws_values


def _load(stack: str = "dev", region: str | None = None, **overrides: Any) -> StackSettings:
    values, secret_keys, aws_values = _stack_values(stack)
    values.update(overrides)
    if region is not None:
        aws_values["region"] = region
    return settings_from_values(
        project="genai-backend", stack=stack, values=values, secret_keys=secret_keys, aws_values=aws_values
    )


def _problems(stack: str = "dev", region: str | None = None, **overrides: Any) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        _load(stack, region, **overrides)
    return dict(caught.value.problems)


def test_project_file_declares_exactly_the_known_keys() -> None:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert declared["config"] == project_config_block()
    assert declared["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}


def test_every_required_key_is_set_in_every_stack_file() -> None:
    for stack in ("dev", "prod"):
        values = read_stack_config(ROOT, stack).project_values()
        missing = [key.name for key in CONFIG_KEYS if key.required and key.name not in values]
        assert missing == [], f"Pulumi.{stack}.yaml lacks {missing}"


def _function_args(settings: StackSettings) -> dict[str, Any]:
    return dict(
        build.league_function_args(
            settings.values, code_path="functions/league", table_name="t", layer_arn="l"
        )
    )


def _api_args(settings: StackSettings) -> dict[str, Any]:
    return dict(
        build.api_args(settings.values, schema_sdl="", user_pool_id="p", data_sources={}, resolvers={})
    )


def _generation_args(settings: StackSettings) -> dict[str, Any]:
    return dict(
        build.generation_args(
            settings.values,
            schema_sdl=settings.schema_sdl,
            api_id="a",
            api_arn="b",
            account_id="123456789012",
        )
    )


def test_dev_and_prod_differ_where_they_must() -> None:
    dev, prod = _load("dev"), _load("prod")
    assert (_function_args(dev)["application_log_level"], _function_args(prod)["application_log_level"]) == (
        "TRACE",
        "WARN",
    )
    assert _function_args(dev)["system_log_level"] == _function_args(prod)["system_log_level"] == "INFO"
    assert (
        build.auth_args(dev.values)[0]["protect_data"],
        build.auth_args(prod.values)[0]["protect_data"],
    ) == (
        False,
        True,
    )
    assert (_api_args(dev)["field_log_level"], _api_args(prod)["field_log_level"]) == ("ALL", "ERROR")
    assert (_api_args(dev)["introspection"], _api_args(prod)["introspection"]) == (True, False)
    assert (_generation_args(dev)["inference_mode"], _generation_args(prod)["inference_mode"]) == (
        "global",
        "geo",
    )
    assert _generation_args(dev)["model_id"] != _generation_args(prod)["model_id"]
    assert _function_args(dev)["log_retention_days"] < _function_args(prod)["log_retention_days"]
    assert dev.region != prod.region


def test_values_arrive_typed() -> None:
    settings = _load("prod")
    assert settings.values["logRetentionDays"] == 365
    assert _generation_args(settings)["temperature"] == pytest.approx(0.65)
    assert _generation_args(settings)["max_tokens"] == 1000
    auth, problems = build.auth_args(settings.values)
    assert problems == []
    assert auth["first_auth_factors"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    provider = check_args(AuthModel, "AuthArgs", auth).oidc_providers[0]
    assert (provider.name, provider.issuer_url, provider.scopes) == (
        "OIDC-Provider",
        "https://login.example.com",
        ("openid", "email", "profile"),
    )


def test_unknown_enum_names_the_key_and_the_allowed_values() -> None:
    problems = _problems(aiInferenceMode="globall")
    assert problems["aiInferenceMode"] == "'globall' is not one of in-region, geo, global"


def test_wrong_type_is_named() -> None:
    problems = _problems(logRetentionDays="fortnight", apiIntrospection="yes")
    assert problems["logRetentionDays"] == "'fortnight' is not an integer"
    assert problems["apiIntrospection"] == "'yes' is not a boolean (true or false)"


def test_retention_must_be_a_cloudwatch_value() -> None:
    assert (
        "10 is not a retention CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14"
        in _problems(logRetentionDays="10")["logRetentionDays"]
    )


def test_region_must_be_real() -> None:
    assert "region 'us-east-9' is not supported" in _problems(region="us-east-9")["aws:region"]


def test_unknown_key_in_project_namespace_is_refused_with_a_suggestion() -> None:
    assert _problems(lambdaLogLevl="TRACE")["lambdaLogLevl"] == (
        "unknown key in the 'genai-backend' namespace; did you mean 'lambdaLogLevel'?"
    )


def test_unknown_key_in_the_aws_namespace_is_refused_with_a_suggestion() -> None:
    values, secret_keys, aws_values = _stack_values("dev")
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend",
            stack="dev",
            values=values,
            secret_keys=secret_keys,
            aws_values={**aws_values, "regoin": "us-east-2"},
        )
    assert dict(caught.value.problems) == {
        "aws:regoin": "unknown key in the 'aws' namespace; did you mean 'region'?"
    }


def test_known_aws_provider_keys_are_accepted() -> None:
    values, secret_keys, aws_values = _stack_values("dev")
    settings = settings_from_values(
        project="genai-backend",
        stack="dev",
        values=values,
        secret_keys=secret_keys,
        aws_values={**aws_values, "profile": "dev-admin", "defaultTags": '{"tags": {"team": "web"}}'},
    )
    assert settings.region == "us-east-1"


def test_malformed_callback_url_is_rejected_but_localhost_http_is_fine() -> None:
    problems = _problems(authCallbackUrls='["http://app.example.com/", "http://localhost:5173/"]')
    assert problems == {
        "authCallbackUrls[0]": "'http://app.example.com/' must be https (http only for localhost) with a host and no #fragment"
    }


def test_missing_required_secret_is_rejected() -> None:
    values, secret_keys, aws_values = _stack_values("dev")
    del values["authOidcClientSecrets"]
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend",
            stack="dev",
            values=values,
            secret_keys=secret_keys,
            aws_values=aws_values,
        )
    message = dict(caught.value.problems)["authOidcClientSecrets"]
    assert "no client secret for OIDC provider 'OIDC-Provider'" in message
    assert "pulumi config set --secret" in message


def test_secret_in_plain_config_is_rejected() -> None:
    values, secret_keys, aws_values = _stack_values("dev")
    values.update(authGoogleClientId="google-client", authGoogleClientSecret="plain-text")
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend",
            stack="dev",
            values=values,
            secret_keys=secret_keys,
            aws_values=aws_values,
        )
    assert (
        "pulumi config set --secret authGoogleClientSecret"
        in dict(caught.value.problems)["authGoogleClientSecret"]
    )


def test_email_otp_requires_ses() -> None:
    problems = _problems(authSesIdentityArn="", authFromEmail="")
    assert "Cognito sends one-time codes only through SES" in problems["authSesIdentityArn"]


def test_malformed_provider_item_names_its_field() -> None:
    problems = _problems(
        authOidcProviders='["name=Corp;issuer=http://idp.example.com;clientId=web"]',
        authOidcClientSecrets='["Corp=s3cret"]',
    )
    assert problems["authOidcProviders[0].issuer"] == (
        "'http://idp.example.com' must be an https:// URL with a host and no #fragment"
    )
    assert (
        _problems(authOidcProviders='["name=Corp;issuer=https://idp.example.com"]')[
            "authOidcProviders[0].clientId"
        ]
        == "is required"
    )


def test_production_refuses_unsafe_settings() -> None:
    problems = _problems("prod", protectData="false", apiLogLevel="ALL", lambdaLogLevel="TRACE")
    assert set(problems) == {"protectData", "apiLogLevel", "lambdaLogLevel"}


@pytest.mark.parametrize("level", ["TRACE", "DEBUG"])
def test_production_refuses_each_verbose_lambda_level(level: str) -> None:
    assert _problems("prod", lambdaLogLevel=level) == {
        "lambdaLogLevel": f"'{level}' is too verbose for production; use INFO or higher"
    }


@pytest.mark.parametrize("level", ["ALL", "DEBUG", "INFO"])
def test_production_refuses_each_api_level_that_logs_content(level: str) -> None:
    assert set(_problems("prod", apiLogLevel=level)) == {"apiLogLevel"}


def test_model_id_with_profile_prefix_is_rejected() -> None:
    problems = _problems(aiModelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert "aiModelId" in problems


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        _load("dev", aiInferenceMode="globall", logRetentionDays="10", authSelfSignUp="maybe", extraKey="1")
    message = str(caught.value)
    for key in ("aiInferenceMode", "logRetentionDays", "authSelfSignUp", "extraKey"):
        assert f"  - {key}: " in message
    assert message.startswith("stack 'dev' has invalid configuration:")


def test_secret_values_never_appear_in_error_messages() -> None:
    values, secret_keys, aws_values = _stack_values("dev")
    # A secret list set without --path arrives as a plain string: rejected, but never echoed.
    values["authOidcClientSecrets"] = "OIDC-Provider=hunter2-very-secret"
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend",
            stack="dev",
            values=values,
            secret_keys=secret_keys,
            aws_values=aws_values,
        )
    assert "hunter2" not in str(caught.value)
    assert dict(caught.value.problems)["authOidcClientSecrets"] == "is not a valid array"
