"""The shapes of validated settings: one flat model mirroring the config keys, and the grouped view.

The flat model gives error messages that name the exact config key; the grouped models are what the
backend hands to each component.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic.alias_generators import to_camel

from components.settings_providers import OidcProvider, SamlProvider, parse_providers, secrets_by_name

AwsRegion = Literal[
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "us-gov-east-1", "us-gov-west-1",
]  # fmt: skip
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]  # fmt: skip
ApplicationLogLevel = Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
SystemLogLevel = Literal["DEBUG", "INFO", "WARN"]
FieldLogLevel = Literal["NONE", "ERROR", "INFO", "DEBUG", "ALL"]
FirstFactor = Literal["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]


class FlatConfig(BaseModel):
    """One field per config key (aliases are the key names), so errors point at the key to fix."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    aws_region: AwsRegion
    environment: Literal["development", "production"]
    protect_data: bool
    log_retention_days: LogRetentionDays
    tracing: bool
    lambda_log_level: ApplicationLogLevel
    lambda_system_log_level: SystemLogLevel
    api_log_level: FieldLogLevel
    api_introspection: bool
    api_query_depth_limit: int = Field(ge=0, le=75)
    auth_domain_prefix: str
    auth_custom_domain: str
    auth_certificate_arn: str
    auth_callback_urls: list[str] = Field(min_length=1)
    auth_logout_urls: list[str] = Field(min_length=1)
    auth_self_sign_up: bool
    auth_first_factors: list[FirstFactor] = Field(min_length=1)
    auth_preferred_challenge: Literal["", "PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    auth_user_pool_tier: Literal["ESSENTIALS", "PLUS"]
    auth_password_min_length: int = Field(ge=8, le=99)
    auth_passkey_relying_party_id: str
    auth_passkey_user_verification: Literal["preferred", "required"]
    auth_ses_identity_arn: str = Field(pattern=r"^(|arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity/.+)$")
    auth_from_email: str
    auth_groups: list[str]
    auth_identity_pool: bool
    auth_guest_access: bool
    auth_access_token_minutes: int = Field(ge=5, le=1440)
    auth_refresh_token_days: int = Field(ge=1, le=3650)
    auth_oidc_providers: list[str]
    auth_oidc_client_secrets: list[str]
    auth_saml_providers: list[str]
    auth_google_client_id: str
    auth_google_client_secret: str
    auth_facebook_client_id: str
    auth_facebook_client_secret: str
    auth_amazon_client_id: str
    auth_amazon_client_secret: str
    auth_apple_services_id: str
    auth_apple_team_id: str
    auth_apple_key_id: str
    auth_apple_private_key: str
    ai_model_id: str = Field(min_length=1)
    ai_inference_mode: Literal["in-region", "geo", "global"]
    ai_system_prompt: str = Field(min_length=1, max_length=20000)
    ai_max_tokens: int = Field(ge=1, le=2000)  # generation must answer within AppSync's 10 s
    ai_temperature: float = Field(ge=0, le=1)
    ai_stream_batch_ms: int = Field(ge=20, le=5000)
    ai_stream_batch_chars: int = Field(ge=1, le=20000)
    league_table_name: str
    hosting_repository: str
    hosting_branch: str
    hosting_access_token: str


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True)


class FunctionLogSettings(_Group):
    application_level: ApplicationLogLevel
    system_level: SystemLogLevel


class ApiSettings(_Group):
    field_log_level: FieldLogLevel
    exclude_verbose_content: bool
    introspection: bool
    query_depth_limit: int


class SocialProvider(_Group):
    """Google, Facebook or Login with Amazon: a client id and its secret."""

    client_id: str
    client_secret: SecretStr


class AppleProvider(_Group):
    services_id: str
    team_id: str
    key_id: str
    private_key: SecretStr


class AuthSettings(_Group):
    domain_prefix: str
    custom_domain: str
    certificate_arn: str
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    self_sign_up: bool
    first_factors: tuple[FirstFactor, ...]
    preferred_challenge: str
    user_pool_tier: str
    password_min_length: int
    passkey_relying_party_id: str
    passkey_user_verification: str
    ses_identity_arn: str
    from_email: str
    groups: tuple[str, ...]
    identity_pool: bool
    guest_access: bool
    access_token_minutes: int
    refresh_token_days: int
    oidc_providers: tuple[OidcProvider, ...]
    saml_providers: tuple[SamlProvider, ...]
    google: SocialProvider | None
    facebook: SocialProvider | None
    amazon: SocialProvider | None
    apple: AppleProvider | None

    @classmethod
    def from_flat(cls, flat: FlatConfig) -> AuthSettings:
        secrets = secrets_by_name(flat.auth_oidc_client_secrets)
        oidc, _ = parse_providers(flat.auth_oidc_providers, "oidc", "authOidcProviders", secrets)
        saml, _ = parse_providers(flat.auth_saml_providers, "saml", "authSamlProviders", {})

        def social(client_id: str, secret: str) -> SocialProvider | None:
            return SocialProvider(client_id=client_id, client_secret=SecretStr(secret)) if client_id else None

        apple = None
        if flat.auth_apple_services_id:
            apple = AppleProvider(
                services_id=flat.auth_apple_services_id,
                team_id=flat.auth_apple_team_id,
                key_id=flat.auth_apple_key_id,
                private_key=SecretStr(flat.auth_apple_private_key),
            )
        return cls(
            domain_prefix=flat.auth_domain_prefix,
            custom_domain=flat.auth_custom_domain,
            certificate_arn=flat.auth_certificate_arn,
            callback_urls=tuple(flat.auth_callback_urls),
            logout_urls=tuple(flat.auth_logout_urls),
            self_sign_up=flat.auth_self_sign_up,
            first_factors=tuple(dict.fromkeys(flat.auth_first_factors)),
            preferred_challenge=flat.auth_preferred_challenge,
            user_pool_tier=flat.auth_user_pool_tier,
            password_min_length=flat.auth_password_min_length,
            passkey_relying_party_id=flat.auth_passkey_relying_party_id,
            passkey_user_verification=flat.auth_passkey_user_verification,
            ses_identity_arn=flat.auth_ses_identity_arn,
            from_email=flat.auth_from_email,
            groups=tuple(flat.auth_groups),
            identity_pool=flat.auth_identity_pool,
            guest_access=flat.auth_guest_access,
            access_token_minutes=flat.auth_access_token_minutes,
            refresh_token_days=flat.auth_refresh_token_days,
            oidc_providers=tuple(oidc),  # type: ignore[arg-type]
            saml_providers=tuple(saml),  # type: ignore[arg-type]
            google=social(flat.auth_google_client_id, flat.auth_google_client_secret),
            facebook=social(flat.auth_facebook_client_id, flat.auth_facebook_client_secret),
            amazon=social(flat.auth_amazon_client_id, flat.auth_amazon_client_secret),
            apple=apple,
        )


class AiSettings(_Group):
    model_id: str
    inference_mode: Literal["in-region", "geo", "global"]
    system_prompt: str
    max_tokens: int
    temperature: float
    stream_batch_ms: int
    stream_batch_chars: int

    @classmethod
    def from_flat(cls, flat: FlatConfig) -> AiSettings:
        return cls(
            model_id=flat.ai_model_id,
            inference_mode=flat.ai_inference_mode,
            system_prompt=flat.ai_system_prompt,
            max_tokens=flat.ai_max_tokens,
            temperature=flat.ai_temperature,
            stream_batch_ms=flat.ai_stream_batch_ms,
            stream_batch_chars=flat.ai_stream_batch_chars,
        )


class HostingSettings(_Group):
    repository: str
    branch: str
    access_token: SecretStr

    @property
    def enabled(self) -> bool:
        return bool(self.repository)

    @classmethod
    def from_flat(cls, flat: FlatConfig) -> HostingSettings:
        return cls(
            repository=flat.hosting_repository,
            branch=flat.hosting_branch,
            access_token=SecretStr(flat.hosting_access_token),
        )


class StackSettings(_Group):
    """Everything the backend needs for one stack, validated and grouped by component."""

    project: str
    stack: str
    region: str
    environment: Literal["development", "production"]
    protect_data: bool
    log_retention_days: int
    tracing: bool
    functions: FunctionLogSettings
    api: ApiSettings
    auth: AuthSettings
    ai: AiSettings
    league_table_name: str
    hosting: HostingSettings

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def cross_checks(flat: FlatConfig) -> list[tuple[str, str]]:
    """Rules that involve more than one key; see settings_rules for each rule's reason."""
    from components.settings_rules import check_all

    return check_all(flat)
