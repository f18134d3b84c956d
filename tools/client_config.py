"""Write the frontend's amplify_outputs.json from a deployed stack or from a credential-free synth.

    pulumi stack output --json | python -m tools.client_config --from-stack-output - --out amplify_outputs.json
    python -m tools.client_config --from-synth synth/dev.json --out amplify_outputs.json

The stack exports the document under `amplifyOutputs`; a synth file ({"stack", "resources", "outputs"})
carries the same export with placeholder values from the fake cloud, which is enough to develop the
frontend against mocks without an AWS account. The file is written with sorted keys so that two runs
over the same stack give byte-identical files and a clean diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

OUTPUT_KEY = "amplifyOutputs"


class ClientConfigError(Exception):
    """A problem with the input the user can fix; printed without a traceback."""


def read_json(source: str, stdin: TextIO) -> Any:
    """Reads JSON from a path, or from stdin when the path is "-"."""
    try:
        text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise ClientConfigError(f"cannot read {source}: {error.strerror}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ClientConfigError(f"{_label(source)} is not JSON ({error})") from error


def outputs_document(exports: Any, source: str) -> dict[str, Any]:
    """Picks the amplify_outputs document out of a stack's exports and checks it looks like one."""
    if not isinstance(exports, dict):
        raise ClientConfigError(f"{_label(source)} must hold a JSON object of stack outputs")
    if OUTPUT_KEY not in exports:
        found = ", ".join(sorted(exports)) or "none"
        raise ClientConfigError(f"{_label(source)} has no '{OUTPUT_KEY}' output (outputs found: {found})")
    document = exports[OUTPUT_KEY]
    if document == "[secret]":
        raise ClientConfigError(
            f"'{OUTPUT_KEY}' in {_label(source)} is masked as a secret; it holds no secrets, "
            "so export it as a plain value (or run `pulumi stack output --json --show-secrets`)"
        )
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise ClientConfigError(f"'{OUTPUT_KEY}' in {_label(source)} is a string but not JSON") from error
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("1"):
        raise ClientConfigError(
            f"'{OUTPUT_KEY}' in {_label(source)} is not an amplify_outputs document "
            "(an object whose 'version' starts with \"1\")"
        )
    return document


def from_stack_output(source: str, stdin: TextIO) -> dict[str, Any]:
    """The document from `pulumi stack output --json`."""
    return outputs_document(read_json(source, stdin), source)


def from_synth(source: str, stdin: TextIO) -> dict[str, Any]:
    """The document from a synth file, whose stack exports live under "outputs"."""
    synth = read_json(source, stdin)
    if not isinstance(synth, dict) or not isinstance(synth.get("outputs"), dict):
        raise ClientConfigError(f'{_label(source)} is not a synth file: it needs an "outputs" object')
    return outputs_document(synth["outputs"], source)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.client_config", description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-stack-output", metavar="FILE", help="`pulumi stack output --json` (- for stdin)"
    )
    source.add_argument("--from-synth", metavar="FILE", help="a synth JSON file (- for stdin)")
    parser.add_argument("--out", default="amplify_outputs.json", help="file to write (- for stdout)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.from_stack_output is not None:
            document = from_stack_output(arguments.from_stack_output, stdin)
        else:
            document = from_synth(arguments.from_synth, stdin)
        if arguments.out == "-":
            stdout.write(render(document))
        else:
            Path(arguments.out).write_text(render(document), encoding="utf-8")
    except ClientConfigError as error:
        print(f"client_config: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"client_config: error: cannot write {arguments.out}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


def _label(source: str) -> str:
    return "standard input" if source == "-" else source


if __name__ == "__main__":
    sys.exit(main())
