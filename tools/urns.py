"""The URNs a synthesized stack's resources have in a real deployment, and the old URNs their aliases claim.

``synth`` records each resource's type, name, parent and aliases, but not its URN: Pulumi's mock monitor
builds URNs from the immediate parent's type only, while the engine qualifies a type with every ancestor's
(``genai:index:FullstackBackend$genai-backend:index:Table$aws:dynamodb/table:Table``). This module applies the
engine's rules (``resource.CreateURN`` and the step generator's alias expansion, which multiplies a child's
aliases by every alias of its parent) so a test can prove that a stack deployed by an earlier release keeps
every resource: each old URN is claimed by exactly one resource of the new program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"


def urn(stack: str, project: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def _parts(value: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of a URN."""
    head, project, qualified_type, name = value.split("::", 3)
    return head.removeprefix("urn:pulumi:"), project, qualified_type, name


def _qualify(parent_urn: str | None, base_type: str) -> str:
    if parent_urn is None:
        return base_type
    parent_type = _parts(parent_urn)[2]
    return base_type if parent_type == STACK_TYPE else f"{parent_type}${base_type}"


def _inherited(child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
    """The engine's ``inheritedChildAlias``: a child named after its parent is renamed with it."""
    stack, project, parent_type, alias_name = _parts(parent_alias)
    name = alias_name + child_name[len(parent_name) :] if child_name.startswith(parent_name) else child_name
    return urn(stack, project, f"{parent_type}${child_type}", name)


def stack_urns(document: Mapping[str, Any], project: str) -> dict[str, tuple[str, set[str]]]:
    """Resource name -> (its URN, the other URNs it answers to through aliases), for a synth document."""
    stack = document["stack"]
    records = {record["name"]: record for record in document["resources"]}
    result: dict[str, tuple[str, set[str]]] = {}

    def visit(name: str) -> tuple[str, set[str]]:
        if name in result:
            return result[name]
        record = records[name]
        parent = record.get("parent")
        parent_urn, parent_aliases = visit(parent) if parent else (None, set())
        own = urn(stack, project, _qualify(parent_urn, record["type"]), name)
        aliases: list[str] = []
        for alias in (record.get("options") or {}).get("aliases", []):
            if "urn" in alias:
                aliases.append(alias["urn"])
                continue
            alias_parent = (
                None
                if alias.get("noParent")
                else (visit(alias["parent"])[0] if alias.get("parent") else parent_urn)
            )
            aliases.append(
                urn(
                    alias.get("stack") or stack,
                    alias.get("project") or project,
                    _qualify(alias_parent, alias.get("type") or record["type"]),
                    alias.get("name") or name,
                )
            )
        expanded = set(aliases)
        if parent:
            for parent_alias in parent_aliases:
                expanded.add(_inherited(record["type"], name, parent, parent_alias))
                for alias in aliases:
                    expanded.add(
                        _inherited(_parts(alias)[2].split("$")[-1], _parts(alias)[3], parent, parent_alias)
                    )
        result[name] = (own, expanded - {own})
        return result[name]

    for name in records:
        visit(name)
    return result


def uncovered(
    old_urns: Sequence[str], document: Mapping[str, Any], project: str
) -> tuple[list[str], list[str]]:
    """Old URNs no resource claims, and old URNs more than one resource claims (both should be empty)."""
    claims: dict[str, list[str]] = {}
    for name, (own, aliases) in stack_urns(document, project).items():
        for claimed in {own, *aliases}:
            claims.setdefault(claimed, []).append(name)
    missing = [old for old in old_urns if old not in claims]
    contested = [old for old in old_urns if len(claims.get(old, [])) > 1]
    return missing, contested
