"""A stack deployed from the first release (0.1) keeps every resource when it is updated with this code.

Release 0.1 registered the components as ``genai:index:<Class>``; the library now registers them as
``genai-backend:index:<Class>`` with an alias to the old token, and children keep their names. The fixtures
list every URN of the dev and prod stacks as 0.1 declared them (computed with the engine's URN rules from a
0.1 synth). Each must be claimed by exactly one resource of today's program, through its own URN or its
aliases (expanded as the engine does, through every parent's aliases), or ``pulumi up`` would delete and
recreate it, or refuse to for protected data.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tools.synth import synth
from tools.urns import stack_urns, uncovered

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "urns"
PROJECT = "genai-backend"


@cache
def document(stack: str) -> dict:
    evaluation, _ = synth(stack)
    return json.loads(evaluation.to_text())


def old_urns(stack: str) -> list[str]:
    return (FIXTURES / f"{stack}-0.1.txt").read_text(encoding="utf-8").split()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_urn_of_the_first_release_is_claimed_by_exactly_one_resource(stack: str) -> None:
    urns = old_urns(stack)
    assert len(urns) > 90
    missing, contested = uncovered(urns, document(stack), PROJECT)
    assert missing == []
    assert contested == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_claimed_urns_keep_their_resource_type(stack: str) -> None:
    """An alias may only adopt a resource of the same kind: the old URN's last type is the resource's own."""
    old = set(old_urns(stack))
    types = {record["name"]: record["type"] for record in document(stack)["resources"]}
    for name, (_, aliases) in stack_urns(document(stack), PROJECT).items():
        for claimed in aliases & old:
            old_type = claimed.split("::")[2].split("$")[-1]
            assert old_type.split(":")[1:] == types[name].split(":")[1:], (name, claimed)


def test_components_carry_an_alias_to_the_old_token_and_aws_resources_none() -> None:
    for record in document("dev")["resources"]:
        aliases = (record.get("options") or {}).get("aliases", [])
        if record["type"].startswith("genai-backend:index:"):
            assert aliases == [{"type": "genai:index:" + record["type"].rsplit(":", 1)[1]}], record["name"]
        else:
            assert aliases == [], record["name"]


def test_a_renamed_token_without_alias_would_be_caught() -> None:
    """The check can fail: drop the aliases and the old URNs of every component subtree are unclaimed."""
    stripped = json.loads(json.dumps(document("dev")))
    for record in stripped["resources"]:
        (record.get("options") or {}).pop("aliases", None)
    missing, _ = uncovered(old_urns("dev"), stripped, PROJECT)
    assert len(missing) > 80


def test_child_alias_rule_matches_the_sdk() -> None:
    """tools.urns renames a child with its parent's alias exactly as Pulumi's own SDK does."""
    from pulumi.runtime.resource import inherited_child_alias
    from pulumi.runtime.sync_await import _sync_await

    from tools.urns import _inherited

    parent_alias = (
        "urn:pulumi:dev::genai-backend::genai:index:FullstackBackend$genai:index:Table::app-follows"
    )
    for child_name, parent_name in (("app-follows-table", "app-follows"), ("other-name", "app-follows")):
        ours = _inherited("aws:dynamodb/table:Table", child_name, parent_name, parent_alias)
        sdk = _sync_await(
            inherited_child_alias(child_name, parent_name, parent_alias, "aws:dynamodb/table:Table").future()
        )
        assert ours == sdk
