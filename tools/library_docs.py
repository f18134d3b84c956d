"""Writes the reference tables of components/README.md from the package schema other languages see.

    python -m tools.library_docs          # rewrite the tables
    python -m tools.library_docs --check  # exit 1 if they are out of date (the tests run this)

The schema is inferred by Pulumi's own analyzer from the args' type annotations and docstrings, the same
schema ``pulumi package add`` generates SDKs from, so the tables say what every language gets.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "components" / "README.md"
START = "<!-- schema:start -->"
END = "<!-- schema:end -->"


def package_schema() -> dict[str, Any]:
    from pulumi.provider.experimental.component import ComponentProvider

    from genai_backend_components.package import PACKAGE_NAME, PACKAGE_VERSION
    from genai_backend_components.provider import COMPONENTS

    return json.loads(ComponentProvider(COMPONENTS, PACKAGE_NAME, None, PACKAGE_VERSION).schema)


def _type(prop: dict[str, Any], types: dict[str, Any]) -> str:
    if "$ref" in prop:
        ref = prop["$ref"]
        if ref == "pulumi.json#/Any":
            return "any"
        if ref.startswith("/aws/"):
            return f"`{ref.split('#/resources/')[1].replace('%2F', '/')}`"
        name = ref.rsplit(":", 1)[1]
        definition = types.get(ref.removeprefix("#/types/"), {})
        if "enum" in definition:
            return " \\| ".join(f"`{member['value']}`" for member in definition["enum"])
        return f"[{name}](#{name.lower()})"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop['items'], types)}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_type(prop['additionalProperties'], types)}"
    return kind


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _properties(
    properties: dict[str, Any], required: list[str], types: dict[str, Any], *, inputs: bool
) -> list[str]:
    heading = "| input | type | required | description |" if inputs else "| output | type | description |"
    lines = [heading, "|---|---|---|---|" if inputs else "|---|---|---|"]
    for name, prop in properties.items():
        kind = _type(prop, types)
        if inputs:
            lines.append(
                f"| `{name}` | {kind} | {'yes' if name in required else ''} | {_cell(prop.get('description'))} |"
            )
        else:
            lines.append(f"| `{name}` | {kind} | {_cell(prop.get('description'))} |")
    return lines


def render(schema: dict[str, Any]) -> str:
    types = schema.get("types", {})
    lines: list[str] = []
    for token, resource in sorted(schema["resources"].items()):
        name = token.rsplit(":", 1)[1]
        lines += [f"### {name}", "", f"`{token}`: {_cell(resource.get('description'))}", ""]
        lines += _properties(
            resource.get("inputProperties", {}), resource.get("requiredInputs", []), types, inputs=True
        )
        lines += ["", *_properties(resource.get("properties", {}), [], types, inputs=False), ""]
    objects = {token: definition for token, definition in types.items() if "enum" not in definition}
    if objects:
        lines += ["### Nested types", ""]
    for token, definition in sorted(objects.items()):
        name = token.rsplit(":", 1)[1]
        lines += [f"#### {name}", "", _cell(definition.get("description")), ""]
        lines += _properties(
            definition.get("properties", {}), definition.get("required", []), types, inputs=True
        )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def updated(current: str, tables: str) -> str:
    head, rest = current.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{tables}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.library_docs", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when components/README.md is out of date"
    )
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = updated(current, render(package_schema()))
    if args.check:
        if wanted != current:
            print("components/README.md is out of date: run `python -m tools.library_docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
