"""amplify_outputs.json (schema 1.5): the client config an unchanged Amplify frontend reads.

``build_client_config`` is a pure function of plain values (``AuthOutputs``, ``DataOutputs``);
``amplify_outputs`` builds the same document as one secret-free Output from a deployed ``Auth`` and API.
"""

from .conversations import ConversationRouteOutputs
from .document import (
    AUTHORIZATION_TYPES,
    FIRST_FACTORS,
    MFA_CONFIGURATIONS,
    MFA_METHODS,
    OUTPUTS_VERSION,
    SOCIAL_PROVIDERS,
    STANDARD_ATTRIBUTES,
    USER_VERIFICATIONS,
    USERNAME_ATTRIBUTES,
    VERIFICATION_TYPES,
    build_client_config,
)
from .from_components import amplify_outputs, auth_outputs, check_client_config, data_outputs
from .inputs import AuthOutputs, DataOutputs, OAuthOutputs, PasswordPolicy, UserGroup, WebAuthnOutputs
from .model_introspection import build_model_introspection, parse_appsync_schema

__all__ = [
    "AUTHORIZATION_TYPES",
    "FIRST_FACTORS",
    "MFA_CONFIGURATIONS",
    "MFA_METHODS",
    "OUTPUTS_VERSION",
    "SOCIAL_PROVIDERS",
    "STANDARD_ATTRIBUTES",
    "USERNAME_ATTRIBUTES",
    "USER_VERIFICATIONS",
    "VERIFICATION_TYPES",
    "AuthOutputs",
    "ConversationRouteOutputs",
    "DataOutputs",
    "OAuthOutputs",
    "PasswordPolicy",
    "UserGroup",
    "WebAuthnOutputs",
    "amplify_outputs",
    "auth_outputs",
    "build_client_config",
    "build_model_introspection",
    "check_client_config",
    "data_outputs",
    "parse_appsync_schema",
]
