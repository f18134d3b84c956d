"""Generated APPSYNC_JS code that hands per-stack values to resolver code through ``ctx.stash``.

Resolver files are the same for every stack; values that differ (model id, system prompt, inference
settings) are written into a tiny generated pipeline step instead of into the files, so no one edits
resolver code per stack and the values show up in a preview diff of that one step.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

_STASH_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def stash_settings_code(stash_key: str, values: Mapping[str, Any]) -> str:
    """An APPSYNC_JS pipeline function that copies ``values`` into ``ctx.stash[stash_key]``.

    JSON is valid JavaScript for these values; ``ensure_ascii`` escapes U+2028/U+2029, the two
    characters JSON allows inside strings but older JavaScript parsers treat as line breaks.
    """
    if not _STASH_KEY.match(stash_key):
        raise ValueError(f"stash_key {stash_key!r} must be a JavaScript identifier of at most 64 characters")
    literal = json.dumps(dict(values), ensure_ascii=True, sort_keys=True, allow_nan=False)
    return (
        "// Generated from the stack's settings: do not edit. Passes per-stack values to the next steps.\n"
        "export function request(ctx) {\n"
        f"  ctx.stash.{stash_key} = {literal};\n"
        "  return {};\n"
        "}\n"
        "\n"
        "export function response(ctx) {\n"
        "  return ctx.prev.result;\n"
        "}\n"
    )
