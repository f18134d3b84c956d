"""The import floor of a synth: a process that imports pulumi, pydantic, graphql-core and the pulumi-aws
resource classes a stack declares, and exits. ``synth`` cannot be faster than this; ``benchmarks.run``
measures both in turn and prints their ratio.

Usage: ``python benchmarks/import_floor.py out/dev.json`` (a synth document, for the resource types).
"""

from __future__ import annotations

import importlib
import json
import sys

import graphql  # noqa: F401
import pulumi  # noqa: F401
import pydantic  # noqa: F401


def resource_classes(document: dict) -> list[tuple[str, str]]:
    """(pulumi-aws module, class) of every AWS resource type a synth document declares."""
    found = set()
    for record in document["resources"]:
        package, rest = record["type"].split(":", 1)
        if package == "aws":
            module = rest.split("/", 1)[0]
            found.add((f"pulumi_aws.{'lambda_' if module == 'lambda' else module}", rest.rsplit(":", 1)[1]))
    return sorted(found)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        classes = resource_classes(json.load(file))
    for module, name in classes:
        getattr(importlib.import_module(module), name)  # pulumi-aws loads resource modules on first access
    _ = importlib.import_module("pulumi_aws").get_caller_identity_output  # the invoke the stack calls
