"""Generated APPSYNC_JS code that hands per-stack values to resolver code through ``ctx.stash``.

Resolver files are the same for every stack; values that differ (model id, system prompt, inference
settings) are written into a tiny generated pipeline step instead of into the files, so no one edits
resolver code per stack and the values show up in a preview diff of that one step.

A packaged step whose logic is fixed but which needs one per-stack string (e.g. the conversation route's
handler-role check) is a lintable template instead: ``replace_string_constant`` swaps the value of its one
``const NAME = '...';`` line.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

_STASH_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CONSTANT_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")


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


def replace_string_constant(template: str, name: str, value: str) -> str:
    """``template`` (APPSYNC_JS code) with its line ``const <name> = '<placeholder>';`` holding ``value``.

    The line must occur exactly once, starting a line, with a single-quoted placeholder: a template edited
    so that the constant moved, was renamed or appears twice fails here, at synth time, rather than
    deploying the placeholder. ``value`` is written as a JSON string, which is a valid JavaScript string
    literal for any text (``ensure_ascii`` also escapes U+2028/U+2029).
    """
    if not _CONSTANT_NAME.match(name):
        raise ValueError(
            f"name {name!r} must be an upper-case JavaScript identifier of at most 64 characters"
        )
    if not isinstance(value, str):
        raise TypeError(f"value for {name} must be a string, got {type(value).__name__}")
    line = re.compile(rf"^const {name} = '[^'\\\n]*';$", re.MULTILINE)
    found = line.findall(template)
    if len(found) != 1:
        raise ValueError(
            f"the template must hold exactly one line \"const {name} = '...';\", found {len(found)}"
        )
    literal = json.dumps(value, ensure_ascii=True)
    return line.sub(lambda _: f"const {name} = {literal};", template)
