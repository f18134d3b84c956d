"""Stack settings: the stack files validate, and every kind of bad input is named before anything is declared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config_keys import CONFIG_KEYS, project_config_block
from app.settings import SettingsError, placeholder_secrets, settings_from_values
from tools.stack_files import read_stack_config

ROOT = Path(__file__).resolve().parents[2]


def _stack_values(stack: str) -> tuple[dict[str, Any], set[str], str]:
    config = read_stack_config(ROOT, stack)
    values = config.project_values()
    values.update(placeholder_secrets(values))
    secret_keys = {key.split(":", 1)[1] for key in config.secret_keys} | set(placeholder_secrets(values))
    return values, secret_keys | {"authOidcClientSecrets"}, config.values["aws:region"]


def _load(stack: str = "dev", region: str | None = None, **overrides: Any):
    values, secret_keys, stack_region = _stack_values(stack)
    values.update(overrides)
    return settings_from_values(
        project="genai-backend",
        stack=stack,
        values=values,
        secret_keys=secret_keys,
        region=region or stack_region,
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


def test_dev_and_prod_differ_where_they_must() -> None:
    dev, prod = _load("dev"), _load("prod")
    assert (dev.functions.application_level, prod.functions.application_level) == ("TRACE", "WARN")
    assert dev.functions.system_level == prod.functions.system_level == "INFO"
    assert (dev.protect_data, prod.protect_data) == (False, True)
    assert (dev.api.field_log_level, prod.api.field_log_level) == ("ALL", "ERROR")
    assert (dev.api.introspection, prod.api.introspection) == (True, False)
    assert (dev.ai.inference_mode, prod.ai.inference_mode) == ("global", "geo")
    assert dev.ai.model_id != prod.ai.model_id
    assert dev.log_retention_days < prod.log_retention_days
    assert dev.region != prod.region


def test_values_arrive_typed() -> None:
    settings = _load("prod")
    assert settings.log_retention_days == 365
    assert settings.ai.temperature == pytest.approx(0.3)
    assert settings.auth.first_factors == ("PASSWORD", "EMAIL_OTP", "WEB_AUTHN")
    provider = settings.auth.oidc_providers[0]
    assert (provider.name, provider.issuer, provider.scopes) == (
        "OIDC-Provider",
        "https://login.example.com",
        ("openid", "email", "profile"),
    )
    assert "[secret]" not in repr(provider)  # secrets never print


def test_unknown_enum_names_the_key_and_the_allowed_values() -> None:
    problems = _problems(aiInferenceMode="globall")
    assert problems["aiInferenceMode"] == "'globall' is not one of in-region, geo, global"


def test_wrong_type_is_named() -> None:
    problems = _problems(logRetentionDays="fortnight", apiIntrospection="yes")
    assert problems["logRetentionDays"] == "'fortnight' is not an integer"
    assert problems["apiIntrospection"] == "'yes' is not a boolean (true or false)"


def test_retention_must_be_a_cloudwatch_value() -> None:
    assert "is not one of 1, 3, 5, 7, 14" in _problems(logRetentionDays="10")["logRetentionDays"]


def test_region_must_be_real() -> None:
    assert "'us-east-9' is not one of" in _problems(region="us-east-9")["aws:region"]


def test_unknown_key_in_project_namespace_is_rejected() -> None:
    assert _problems(lambdaLogLevl="TRACE")["lambdaLogLevl"].startswith(
        "unknown key in the 'genai-backend' namespace"
    )


def test_malformed_callback_url_is_rejected_but_localhost_http_is_fine() -> None:
    problems = _problems(authCallbackUrls='["http://app.example.com/", "http://localhost:5173/"]')
    assert problems == {
        "authCallbackUrls[0]": "'http://app.example.com/' must be https (http only for localhost) with a host and no #fragment"
    }


def test_missing_required_secret_is_rejected() -> None:
    values, secret_keys, region = _stack_values("dev")
    del values["authOidcClientSecrets"]
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend", stack="dev", values=values, secret_keys=secret_keys, region=region
        )
    message = dict(caught.value.problems)["authOidcClientSecrets"]
    assert "no client secret for OIDC provider 'OIDC-Provider'" in message
    assert "pulumi config set --secret" in message


def test_secret_in_plain_config_is_rejected() -> None:
    values, secret_keys, region = _stack_values("dev")
    values.update(authGoogleClientId="google-client", authGoogleClientSecret="plain-text")
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend", stack="dev", values=values, secret_keys=secret_keys, region=region
        )
    assert (
        "pulumi config set --secret authGoogleClientSecret"
        in dict(caught.value.problems)["authGoogleClientSecret"]
    )


def test_email_otp_requires_ses() -> None:
    problems = _problems(authSesIdentityArn="", authFromEmail="")
    assert "EMAIL_OTP sign-in needs Cognito to send email through SES" in problems["authSesIdentityArn"]


def test_malformed_provider_item_names_its_field() -> None:
    problems = _problems(authOidcProviders='["name=Corp;issuer=http://idp.example.com"]')
    assert problems["authOidcProviders[0].issuer"] == "'http://idp.example.com' must be an https URL"
    assert problems["authOidcProviders[0].clientId"] == "is required"


def test_production_refuses_unsafe_settings() -> None:
    problems = _problems("prod", protectData="false", apiLogLevel="ALL", lambdaLogLevel="TRACE")
    assert set(problems) == {"protectData", "apiLogLevel", "lambdaLogLevel"}


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
    values, secret_keys, region = _stack_values("dev")
    # A secret list set without --path arrives as a plain string: rejected, but never echoed.
    values["authOidcClientSecrets"] = "OIDC-Provider=hunter2-very-secret"
    with pytest.raises(SettingsError) as caught:
        settings_from_values(
            project="genai-backend", stack="dev", values=values, secret_keys=secret_keys, region=region
        )
    assert "hunter2" not in str(caught.value)
    assert dict(caught.value.problems)["authOidcClientSecrets"] == "is not a valid array"
