"""The generated handler-role check: the packaged template with one constant swapped, valid JavaScript that
holds exactly the given value, and bad inputs refused naming what is wrong (before anything is deployed)."""

import json
import re
import subprocess

import pytest

from genai_backend_components.conversation.wiring import (
    HANDLER_CALLER_CONSTANT,
    HANDLER_CALLER_FILE,
    handler_caller_check_code,
    handler_role_session_arn_prefix,
)
from genai_backend_components.generation.settings_step import replace_string_constant

TEMPLATE = "// a step\nconst PREFIX = 'placeholder';\n\nexport function value() {\n  return PREFIX;\n}\n"


def _value_in_node(code: str) -> str:
    script = (
        "const moduleUrl = 'data:text/javascript;base64,' + Buffer.from(process.argv[1]).toString('base64');\n"
        "const step = await import(moduleUrl);\n"
        "console.log(JSON.stringify(step.value()));\n"
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script, code],
                            capture_output=True, text=True, check=True, timeout=30)  # fmt: skip
    return json.loads(result.stdout)


def test_the_value_survives_quotes_backslashes_and_line_separators() -> None:
    value = 'it\'s "quoted" \\ </script>\nnext\u2028line\u2029end'
    code = replace_string_constant(TEMPLATE, "PREFIX", value)
    assert _value_in_node(code) == value
    assert code.replace(f"const PREFIX = {json.dumps(value)};", "const PREFIX = 'placeholder';") == TEMPLATE


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ("const OTHER = 'x';\n", 0),
        ("  const PREFIX = 'indented, so not the template line';\n", 0),
        ('const PREFIX = "double quotes";\n', 0),
        ("const PREFIX = 'a';\nconst PREFIX = 'b';\n", 2),
    ],
    ids=["missing", "indented", "double-quoted", "twice"],
)
def test_the_template_line_must_occur_exactly_once(template: str, found: int) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"exactly one line \"const PREFIX = '...';\", found {found}")
    ):
        replace_string_constant(template, "PREFIX", "value")


@pytest.mark.parametrize("name", ["", "prefix", "1PREFIX", "PRE-FIX", "A" * 65])
def test_the_constant_name_must_be_an_upper_case_identifier(name: str) -> None:
    with pytest.raises(ValueError, match=r"name .* must be an upper-case JavaScript identifier"):
        replace_string_constant(TEMPLATE, name, "value")


def test_the_value_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="value for PREFIX must be a string, got int"):
        replace_string_constant(TEMPLATE, "PREFIX", 7)  # type: ignore[arg-type]


def test_the_check_is_the_packaged_template_with_the_role_session_prefix() -> None:
    code = handler_caller_check_code("aws-us-gov", "123456789012", "chat-handler-role-4f1c2d9")
    prefix = "arn:aws-us-gov:sts::123456789012:assumed-role/chat-handler-role-4f1c2d9/"
    assert (
        handler_role_session_arn_prefix("aws-us-gov", "123456789012", "chat-handler-role-4f1c2d9") == prefix
    )
    template = HANDLER_CALLER_FILE.read_text(encoding="utf-8")
    assert code == replace_string_constant(template, HANDLER_CALLER_CONSTANT, prefix)
    assert f'const {HANDLER_CALLER_CONSTANT} = "{prefix}";' in code.splitlines()
    assert code == handler_caller_check_code("aws-us-gov", "123456789012", "chat-handler-role-4f1c2d9")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("aws", "12345678901", "role"), "account_id '12345678901' must be 12 digits"),
        (("aws", "123456789012", "role/with-path"), "role_name 'role/with-path' must be an IAM role name"),
        (("aws", "123456789012", "r" * 65), "must be an IAM role name: 1 to 64 of"),
        (("aws", "123456789012", ""), "role_name '' must be an IAM role name"),
        (("aws", "123456789012", "rôle"), "role_name 'rôle' must be an IAM role name"),
        (("arn:aws", "123456789012", "role"), "partition 'arn:aws' must be an AWS partition"),
        (("AWS", "123456789012", "role"), "partition 'AWS' must be an AWS partition"),
    ],
)
def test_bad_parts_of_the_role_session_arn_are_refused_by_name(
    arguments: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        handler_caller_check_code(*arguments)


def test_every_bad_part_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as refused:
        handler_role_session_arn_prefix("", "x", "a b")
    assert [part.split(" ")[0] for part in str(refused.value).split("; ")] == [
        "partition",
        "account_id",
        "role_name",
    ]
