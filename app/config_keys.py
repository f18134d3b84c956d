"""Every project config key, with its Pulumi type, description and default.

This table is the single source for the ``config:`` block of ``Pulumi.yaml`` (a test keeps the two
identical) and for the settings loader, which rejects keys that are not listed here. Keys without a
default must be set in every stack: the Pulumi CLI enforces that for declared keys, and we rely on it
for the values that must differ between development and production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ConfigType = Literal["string", "integer", "boolean", "array"]

REQUIRED = object()
"""Marker for keys without a default: each stack file must set them."""


@dataclass(frozen=True)
class ConfigKey:
    name: str
    type: ConfigType
    description: str
    default: Any = REQUIRED
    secret: bool = False
    """Secret keys must be set with ``pulumi config set --secret``; plain values are rejected."""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def _key(
    name: str, type_: ConfigType, description: str, default: Any = REQUIRED, secret: bool = False
) -> ConfigKey:
    return ConfigKey(name=name, type=type_, description=description, default=default, secret=secret)


CONFIG_KEYS: tuple[ConfigKey, ...] = (
    # Stack-wide
    _key("environment", "string", "development or production: production protects data and logs less."),
    _key("protectData", "boolean", "Deletion protection, point-in-time recovery and `protect` on user data."),
    _key(
        "logRetentionDays",
        "integer",
        "CloudWatch retention for every log group (a CloudWatch-allowed value).",
    ),
    _key("tracing", "boolean", "X-Ray tracing for Lambda functions and the GraphQL API.", False),
    # Functions
    _key(
        "lambdaLogLevel", "string", "Lambda application log level: TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
    ),
    _key("lambdaSystemLogLevel", "string", "Lambda platform log level: DEBUG, INFO or WARN.", "INFO"),
    # GraphQL API
    _key("apiLogLevel", "string", "AppSync field log level: NONE, ERROR, INFO, DEBUG or ALL."),
    _key("apiIntrospection", "boolean", "Allow GraphQL introspection queries."),
    _key("apiQueryDepthLimit", "integer", "Maximum query depth, 1 to 75; 0 means no limit.", 0),
    # Auth
    _key(
        "authDomainPrefix",
        "string",
        "Hosted sign-in domain prefix (<prefix>.auth.<region>.amazoncognito.com).",
    ),
    _key(
        "authCustomDomain",
        "string",
        "Custom sign-in domain instead of the prefix (needs authCertificateArn).",
        "",
    ),
    _key("authCertificateArn", "string", "ACM certificate ARN in us-east-1 for authCustomDomain.", ""),
    _key("authCallbackUrls", "array", "OAuth redirect URLs after sign-in (https, or http://localhost)."),
    _key("authLogoutUrls", "array", "OAuth redirect URLs after sign-out (https, or http://localhost)."),
    _key(
        "authSelfSignUp",
        "boolean",
        "Let anyone create an account; off means invited (admin-created) users only.",
        False,
    ),
    _key(
        "authFirstFactors",
        "array",
        "Sign-in first factors: any of PASSWORD, EMAIL_OTP, WEB_AUTHN.",
        ["PASSWORD"],
    ),
    _key(
        "authPreferredChallenge",
        "string",
        "Factor the frontend offers first (one of authFirstFactors, or empty).",
        "",
    ),
    _key(
        "authUserPoolTier",
        "string",
        "Cognito feature plan: ESSENTIALS or PLUS (passwordless needs ESSENTIALS+).",
        "ESSENTIALS",
    ),
    _key("authPasswordMinLength", "integer", "Minimum password length, 8 to 99.", 12),
    _key(
        "authPasskeyRelyingPartyId",
        "string",
        "WebAuthn relying party id: the domain the app is served from (required with WEB_AUTHN).",
        "",
    ),
    _key(
        "authPasskeyUserVerification",
        "string",
        "WebAuthn user verification: preferred or required.",
        "preferred",
    ),
    _key(
        "authSesIdentityArn",
        "string",
        "Verified SES identity ARN for Cognito email (required for EMAIL_OTP).",
        "",
    ),
    _key("authFromEmail", "string", "From address for Cognito email, e.g. 'App <no-reply@example.com>'.", ""),
    _key("authGroups", "array", "User groups to create, in precedence order.", []),
    _key(
        "authIdentityPool",
        "boolean",
        "Create a Cognito identity pool for IAM access from the browser.",
        False,
    ),
    _key("authGuestAccess", "boolean", "Allow unauthenticated identities in the identity pool.", False),
    _key("authAccessTokenMinutes", "integer", "Access and ID token lifetime in minutes (5 to 1440).", 60),
    _key("authRefreshTokenDays", "integer", "Refresh token lifetime in days (1 to 3650).", 30),
    _key(
        "authOidcProviders",
        "array",
        "OIDC identity providers, one per item: 'name=OIDC-Provider;issuer=https://...;clientId=...'"
        " with optional ';scopes=openid email profile;method=GET'.",
        [],
    ),
    _key(
        "authOidcClientSecrets",
        "array",
        "Secret, one 'ProviderName=client-secret' item per OIDC provider.",
        [],
        secret=True,
    ),
    _key(
        "authSamlProviders", "array", "SAML providers, one per item: 'name=Corp;metadataUrl=https://...'.", []
    ),
    _key("authGoogleClientId", "string", "Google OAuth client id; empty disables Google sign-in.", ""),
    _key("authGoogleClientSecret", "string", "Secret: Google OAuth client secret.", "", secret=True),
    _key("authFacebookClientId", "string", "Facebook app id; empty disables Facebook sign-in.", ""),
    _key("authFacebookClientSecret", "string", "Secret: Facebook app secret.", "", secret=True),
    _key("authAmazonClientId", "string", "Login with Amazon client id; empty disables it.", ""),
    _key("authAmazonClientSecret", "string", "Secret: Login with Amazon client secret.", "", secret=True),
    _key("authAppleServicesId", "string", "Sign in with Apple services id; empty disables it.", ""),
    _key("authAppleTeamId", "string", "Apple developer team id.", ""),
    _key("authAppleKeyId", "string", "Apple private key id.", ""),
    _key("authApplePrivateKey", "string", "Secret: Apple private key (PEM).", "", secret=True),
    # AI
    _key("aiModelId", "string", "Bedrock base model id, e.g. anthropic.claude-sonnet-4-5-20250929-v1:0."),
    _key("aiInferenceMode", "string", "in-region, geo (us./eu./apac. profile for the region) or global."),
    _key("aiSystemPrompt", "string", "System prompt for the generation and conversation routes."),
    _key("aiMaxTokens", "integer", "Conversation route: maximum output tokens per answer (1 to 200000)."),
    _key(
        "aiTemperature", "string", "Conversation route: sampling temperature, a decimal from 0 to 1.", "0.5"
    ),
    _key(
        "aiGenerationMaxTokens",
        "integer",
        "Generation route: maximum output tokens; must fit AppSync's 30 s at the model's speed.",
        1000,
    ),
    _key("aiGenerationTemperature", "string", "Generation route: sampling temperature, 0 to 1.", "0.65"),
    _key(
        "aiMaxToolIterations",
        "integer",
        "Conversation route: rounds of data-tool calls one answer may take (1 to 20).",
        5,
    ),
    _key(
        "aiStreamBatchMs",
        "integer",
        "Conversation streaming: longest wait before sending buffered text.",
        200,
    ),
    _key(
        "aiStreamBatchChars",
        "integer",
        "Conversation streaming: buffered characters that trigger a send.",
        400,
    ),
    # Data
    _key("leagueTableName", "string", "Existing DynamoDB table to use for leagues; empty creates one.", ""),
    # Hosting
    _key(
        "hostingRepository",
        "string",
        "Git repository URL of the frontend for Amplify Hosting; empty: no hosting.",
        "",
    ),
    _key("hostingBranch", "string", "Branch that Amplify Hosting builds for this stack.", "main"),
    _key(
        "hostingAccessToken",
        "string",
        "Secret: token Amplify Hosting uses to read the repository.",
        "",
        secret=True,
    ),
)

KEYS_BY_NAME: dict[str, ConfigKey] = {key.name: key for key in CONFIG_KEYS}


def project_config_block() -> dict[str, dict[str, Any]]:
    """The ``config:`` block for Pulumi.yaml, exactly as the CLI reads it."""
    block: dict[str, dict[str, Any]] = {}
    for key in CONFIG_KEYS:
        entry: dict[str, Any] = {"type": key.type, "description": key.description}
        if key.type == "array":
            entry["items"] = {"type": "string"}
        if not key.required:
            entry["default"] = key.default
        block[key.name] = entry
    return block
