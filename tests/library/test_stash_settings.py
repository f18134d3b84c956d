"""The generated stash step is valid JavaScript that hands exactly the given values to later steps."""

import json
import subprocess

import pytest

from genai_backend_components.generation import stash_settings_code


def _run_in_node(code: str) -> dict:
    script = (
        "const source = process.argv[1];\n"
        "const moduleUrl = 'data:text/javascript;base64,' + Buffer.from(source).toString('base64');\n"
        "const step = await import(moduleUrl);\n"
        "const ctx = { stash: {}, prev: { result: 'previous' } };\n"
        "step.request(ctx);\n"
        "console.log(JSON.stringify({ stash: ctx.stash, response: step.response(ctx) }));\n"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, code],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(result.stdout)


def test_values_survive_quotes_newlines_and_line_separators() -> None:
    values = {
        "modelId": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "systemPrompt": 'Say "hi" </script>\nthen\u2028stop \\ done',
        "maxTokens": 1000,
        "temperature": 0.3,
    }
    outcome = _run_in_node(stash_settings_code("generation", values))
    assert outcome == {"stash": {"generation": values}, "response": "previous"}


def test_output_is_deterministic_and_sorted() -> None:
    first = stash_settings_code("settings", {"b": 1, "a": 2})
    assert first == stash_settings_code("settings", {"a": 2, "b": 1})
    assert '{"a": 2, "b": 1}' in first


@pytest.mark.parametrize("key", ["", "1abc", "with-hyphen", "a" * 65, "ctx.stash"])
def test_stash_key_must_be_an_identifier(key: str) -> None:
    with pytest.raises(ValueError, match="stash_key"):
        stash_settings_code(key, {})


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        stash_settings_code("settings", {"temperature": float("nan")})
