"""What `build_client_config` is given: the deployed backend's facts, as plain frozen values.

The backend resolves its Pulumi outputs into these before calling `build_client_config`, so the
document is built from values alone and the same inputs work in tests and in the CLI. They hold no
secrets (no client secret, no API key), because everything in them ends up in the public document.
The values are checked where they are written, in ``.document``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .conversations import ConversationRouteOutputs


@dataclass(frozen=True, kw_only=True)
class PasswordPolicy:
    """The user pool's password rules, so the sign-up form can check them before calling Cognito."""

    min_length: int = 8
    """Minimum length, 6 to 99 (the range Cognito and the outputs schema accept)."""
    require_numbers: bool = True
    """Whether a digit is required."""
    require_lowercase: bool = True
    """Whether a lowercase letter is required."""
    require_uppercase: bool = True
    """Whether an uppercase letter is required."""
    require_symbols: bool = True
    """Whether a symbol is required."""


@dataclass(frozen=True, kw_only=True)
class OAuthOutputs:
    """The hosted sign-in (OAuth code flow) settings of the user pool app client."""

    domain: str
    """Hosted UI domain without scheme, e.g. "app-dev.auth.us-east-1.amazoncognito.com" or a custom domain."""
    scopes: tuple[str, ...]
    """OAuth scopes the app client allows, e.g. ("openid", "email", "profile")."""
    redirect_sign_in_uris: tuple[str, ...]
    """Callback URLs of the app client (at least one)."""
    redirect_sign_out_uris: tuple[str, ...]
    """Logout URLs of the app client (at least one)."""
    identity_providers: tuple[str, ...] = ()
    """Cognito names of the app client's providers ("COGNITO", "Google", "MyOidc", ...); only social ones
    are written (mapped to Amplify's enum), the others are signed in by name from the frontend."""


@dataclass(frozen=True, kw_only=True)
class WebAuthnOutputs:
    """Passkey settings, needed by the frontend when WEB_AUTHN is an allowed first factor."""

    relying_party_id: str
    """The relying party id (a domain such as "app.example.com", or "localhost")."""
    user_verification: str = "preferred"
    """"required" or "preferred": whether the authenticator must verify the user."""


@dataclass(frozen=True, kw_only=True)
class UserGroup:
    """A Cognito group, so the frontend can reason about group claims and their order."""

    name: str
    """Group name as in the `cognito:groups` claim."""
    precedence: int
    """Cognito precedence (0 or more; lower wins when a user is in several groups)."""


@dataclass(frozen=True, kw_only=True)
class AuthOutputs:
    """Everything `auth` in amplify_outputs.json needs, taken from the deployed Cognito resources."""

    region: str
    """AWS region of the user pool."""
    user_pool_id: str
    """User pool id."""
    user_pool_client_id: str
    """Id of the public app client (no secret) the frontend uses."""
    identity_pool_id: str | None = None
    """Identity pool id, or None when the stack has no identity pool."""
    password_policy: PasswordPolicy | None = field(default_factory=PasswordPolicy)
    """Password rules, or None to leave them out of the document."""
    username_attributes: tuple[str, ...] = ("email",)
    """Attributes users sign in with: email, phone_number or username."""
    standard_required_attributes: tuple[str, ...] = ("email",)
    """Standard attributes required at sign-up."""
    user_verification_types: tuple[str, ...] = ("email",)
    """Attributes Cognito verifies automatically: email and/or phone_number."""
    mfa_configuration: str = "NONE"
    """NONE, OPTIONAL or REQUIRED (Amplify's names for Cognito's OFF, OPTIONAL and ON)."""
    mfa_methods: tuple[str, ...] = ()
    """Enabled MFA methods (SMS, TOTP, EMAIL); empty exactly when mfa_configuration is NONE."""
    oauth: OAuthOutputs | None = None
    """Hosted sign-in settings, or None when the app client has no OAuth flow."""
    first_factors: tuple[str, ...] = ("PASSWORD",)
    """The user pool's allowed first auth factors (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN)."""
    preferred_challenge: str | None = None
    """First factor the sign-in UI should offer first; must be one of first_factors."""
    web_authn: WebAuthnOutputs | None = None
    """Passkey settings; required exactly when WEB_AUTHN is in first_factors."""
    unauthenticated_identities_enabled: bool = False
    """Whether guests get identity-pool credentials (needs identity_pool_id)."""
    groups: tuple[UserGroup, ...] = ()
    """User pool groups."""


@dataclass(frozen=True, kw_only=True)
class DataOutputs:
    """Everything `data` in amplify_outputs.json needs, taken from the deployed AppSync API."""

    region: str
    """AWS region of the AppSync API."""
    url: str
    """GraphQL endpoint, https://.../graphql."""
    schema_sdl: str
    """The API's schema (AppSync SDL); model_introspection is derived from it."""
    default_authorization_type: str = "AMAZON_COGNITO_USER_POOLS"
    """The API's default authorization type."""
    authorization_types: tuple[str, ...] = ()
    """The additional authorization types (e.g. AWS_IAM), without the default one."""
    generation_routes: tuple[str, ...] = ()
    """Query fields that are generation routes (`client.generations.<name>`), e.g. ("generateInsights",)."""
    conversation_routes: tuple[ConversationRouteOutputs, ...] = ()
    """Conversation routes (`client.conversations.<name>`)."""
