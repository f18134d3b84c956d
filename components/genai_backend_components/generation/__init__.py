"""``GenerationRoute``: one GraphQL query answered by one Bedrock Converse call, Amplify's ``a.generation``.

The field's arguments and return type come from the API's schema; the model is held to the return type.
"""

from .args import GenerationRouteArgs
from .checks import MAX_TOKENS_LIMIT, STASH_KEY, TOOL_NAME, GenerationRouteModel
from .component import INVOKE_CONVERSE_CODE, PIPELINE_CODE, SIGNING_SERVICE, GenerationRoute
from .output_schema import SCALARS, UnsupportedReturnTypeError, answer_schema, json_schema
from .schema import generation_field_sdl, schema_with_generation
from .settings_step import stash_settings_code

__all__ = [
    "INVOKE_CONVERSE_CODE",
    "MAX_TOKENS_LIMIT",
    "PIPELINE_CODE",
    "SCALARS",
    "SIGNING_SERVICE",
    "STASH_KEY",
    "TOOL_NAME",
    "GenerationRoute",
    "GenerationRouteArgs",
    "GenerationRouteModel",
    "UnsupportedReturnTypeError",
    "answer_schema",
    "generation_field_sdl",
    "json_schema",
    "schema_with_generation",
    "stash_settings_code",
]
