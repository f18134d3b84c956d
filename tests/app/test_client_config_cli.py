"""The `python -m tools.client_config` command: reading stack outputs or a synth file, and its errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.fixtures.client_config.sample import sample_outputs
from tools.client_config import main


def run(argv: list[str], stdin_text: str = "") -> tuple[int, str]:
    stdout = io.StringIO()
    return main(argv, stdin=io.StringIO(stdin_text), stdout=stdout), stdout.getvalue()


def test_stack_output_file_is_written_pretty_and_sorted(tmp_path: Path) -> None:
    document = sample_outputs()
    stack_output = tmp_path / "stack.json"
    stack_output.write_text(
        json.dumps({"graphqlUrl": "https://x", "amplifyOutputs": document}), encoding="utf-8"
    )
    out = tmp_path / "amplify_outputs.json"
    assert run(["--from-stack-output", str(stack_output), "--out", str(out)]) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert json.loads(text) == document
    assert text.startswith('{\n  "auth": {') and text.endswith("}\n")


def test_stack_output_from_stdin_to_stdout() -> None:
    document = {"version": "1.5", "auth": {"user_pool_id": "p"}}
    code, written = run(["--from-stack-output", "-", "--out", "-"], json.dumps({"amplifyOutputs": document}))
    assert code == 0 and json.loads(written) == document


def test_document_exported_as_a_json_string_is_accepted() -> None:
    document = {"version": "1.5", "data": {"url": "https://x"}}
    stack = json.dumps({"amplifyOutputs": json.dumps(document)})
    assert json.loads(run(["--from-stack-output", "-", "--out", "-"], stack)[1]) == document


def test_synth_file_outputs_are_used(tmp_path: Path) -> None:
    document = sample_outputs()
    synth = tmp_path / "dev.json"
    synth.write_text(json.dumps({"stack": "dev", "resources": [], "outputs": {"amplifyOutputs": document}}))
    out = tmp_path / "outputs.json"
    assert run(["--from-synth", str(synth), "--out", str(out)])[0] == 0
    assert json.loads(out.read_text(encoding="utf-8")) == document


@pytest.mark.parametrize(
    ("argv", "stdin_text", "message"),
    [
        (["--from-stack-output", "-"], "not json", "standard input is not JSON"),
        (
            ["--from-stack-output", "-"],
            '{"graphqlUrl": "x"}',
            "no 'amplifyOutputs' output (outputs found: graphqlUrl)",
        ),
        (["--from-stack-output", "-"], '{"amplifyOutputs": "[secret]"}', "masked as a secret"),
        (["--from-stack-output", "-"], '{"amplifyOutputs": {"auth": {}}}', "not an amplify_outputs document"),
        (["--from-stack-output", "-"], "[1, 2]", "must hold a JSON object of stack outputs"),
        (
            ["--from-synth", "-"],
            '{"stack": "dev", "resources": []}',
            'not a synth file: it needs an "outputs" object',
        ),
        (["--from-synth", "/nonexistent/synth.json"], "", "cannot read /nonexistent/synth.json"),
    ],
)
def test_bad_input_fails_with_a_clear_message(
    argv: list[str], stdin_text: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "amplify_outputs.json"
    assert run([*argv, "--out", str(out)], stdin_text)[0] == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_source_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["--out", "x.json"])
    assert exit_info.value.code == 2
    assert "--from-stack-output" in capsys.readouterr().err
