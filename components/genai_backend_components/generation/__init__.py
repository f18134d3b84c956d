"""``GenerationRoute``: one GraphQL query answered by one Bedrock Converse call, Amplify's ``a.generation``."""

from .args import GenerationRouteArgs, OutputMode
from .checks import MAX_TOKENS_LIMIT, STASH_KEY, GenerationRouteModel
from .component import INVOKE_CONVERSE_CODE, PIPELINE_CODE, SIGNING_SERVICE, GenerationRoute
from .schema import generation_schema_sdl, schema_with_generation
from .settings_step import stash_settings_code

__all__ = [
    "INVOKE_CONVERSE_CODE",
    "MAX_TOKENS_LIMIT",
    "PIPELINE_CODE",
    "SIGNING_SERVICE",
    "STASH_KEY",
    "GenerationRoute",
    "GenerationRouteArgs",
    "GenerationRouteModel",
    "OutputMode",
    "generation_schema_sdl",
    "schema_with_generation",
    "stash_settings_code",
]
