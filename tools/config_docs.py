"""Writes the config declarations in Pulumi.yaml and the config table in README.md from config_keys.

    python -m tools.config_docs          # rewrite both
    python -m tools.config_docs --check  # exit 1 if either is out of date (the tests run this)

One table of keys feeds the program, the project file and the docs, so none of them can drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from app.config_keys import CONFIG_KEYS, ConfigKey, project_config_block
from tools.stack_files import read_stack_config

ROOT = Path(__file__).resolve().parent.parent
TABLE_START = "<!-- config-table:start -->"
TABLE_END = "<!-- config-table:end -->"
PROJECT_HEADER = (
    "# Project file. The config block is generated from app/config_keys.py by `python -m tools.config_docs`;\n"
    "# keys without a default must be set in every stack.\n"
)


def project_file(current: str) -> str:
    """Pulumi.yaml with its config block regenerated; everything above ``config:`` is kept."""
    head = current.split("\nconfig:\n", 1)[0]
    if head.startswith("#"):
        head = head.split("\n", 2)[2] if head.count("\n") >= 2 else head
    body = yaml.safe_dump({"config": project_config_block()}, sort_keys=False, width=120)
    return PROJECT_HEADER + head.rstrip("\n") + "\n" + body


def _cell(value: str | None) -> str:
    if value is None:
        return "default"
    if value.startswith("["):
        items = json.loads(value)
        return "<br>".join(f"`{item}`" for item in items) if items else "`[]`"
    return f"`{value}`"


def _default(key: ConfigKey) -> str:
    if key.required:
        return "required"
    if isinstance(key.default, bool):
        return f"`{str(key.default).lower()}`"
    if key.default == "":
        return '`""`'
    return f"`{json.dumps(key.default) if isinstance(key.default, list) else key.default}`"


def config_table() -> str:
    dev = read_stack_config(ROOT, "dev")
    prod = read_stack_config(ROOT, "prod")
    dev_values, prod_values = dev.project_values(), prod.project_values()
    lines = ["| key | type | default | dev | prod | what it does |", "|---|---|---|---|---|---|"]
    for key in CONFIG_KEYS:
        kind = key.type + (" (secret)" if key.secret else "")
        lines.append(
            f"| `{key.name}` | {kind} | {_default(key)} | {_cell(dev_values.get(key.name))} | "
            f"{_cell(prod_values.get(key.name))} | {key.description.replace('|', '/')} |"
        )
    lines.append(
        f"| `aws:region` | string | required | {_cell(dev.values.get('aws:region'))} | "
        f"{_cell(prod.values.get('aws:region'))} | AWS region of the stack (one the backend supports; other `aws:` keys are the AWS provider's own). |"
    )
    return "\n".join(lines)


def readme(current: str) -> str:
    before, rest = current.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    return f"{before}{TABLE_START}\n{config_table()}\n{TABLE_END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.config_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = parser.parse_args(argv)
    stale = []
    for path, render in ((ROOT / "Pulumi.yaml", project_file), (ROOT / "README.md", readme)):
        current = path.read_text()
        wanted = render(current)
        if current != wanted:
            stale.append(path.name)
            if not args.check:
                path.write_text(wanted)
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python -m tools.config_docs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
