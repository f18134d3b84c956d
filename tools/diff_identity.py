"""Which resource of the new program is which resource of the old one: by URN, then by alias, as the engine does.

The engine keeps a resource when the new program registers its URN, or an alias that names the old URN (the
step generator looks the resource's own URN up first, then each alias). Anything else is a delete of the old
resource and a create of a new one, with a new physical name: Pulumi derives auto-names (``app-league-table-
<random>``) from the logical name. ``tools.urns`` computes URNs and alias claims the way the engine does, so a
renamed resource that carries an alias is matched here and shown as the same resource.

``synth``'s placeholder ids and names follow logical names too (``tools.fake_cloud``), while a real deployment
keeps a matched resource's physical name and id through the alias. So for each resource matched under another
name, the new document's placeholders for it are rewritten to the old ones before comparing: otherwise every
policy that names the table's ARN would show a change the cloud never sees.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.urns import stack_urns

DEFAULT_PROJECT = "project"


@dataclass
class Matching:
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    """(old record, new record), in the new document's order."""
    created: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)


def project_of(*documents: Mapping[str, Any]) -> str:
    """The project in the documents' full-URN aliases (the only place synth writes it), else a placeholder:
    URNs are only compared with each other, so any one name serves as long as both sides use it."""
    for document in documents:
        if document.get("project"):
            return str(document["project"])
        for record in document.get("resources", []):
            for alias in (record.get("options") or {}).get("aliases", []):
                if "urn" in alias:
                    return str(alias["urn"]).split("::")[1]
    return DEFAULT_PROJECT


def _unique_names(document: Mapping[str, Any], side: str) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for record in document["resources"]:
        if record["name"] in records:
            raise ValueError(f"the {side} document declares two resources named {record['name']!r}")
        records[record["name"]] = record
    return records


def match(old: Mapping[str, Any], new: Mapping[str, Any]) -> Matching:
    """Pairs old and new resources by URN first, then by the new resources' aliases."""
    stack = new.get("stack") or old.get("stack") or "stack"
    project = project_of(new, old)
    old_records, new_records = _unique_names(old, "old"), _unique_names(new, "new")
    old_urns = {
        own: name
        for name, (own, _) in stack_urns({"stack": stack, "resources": old["resources"]}, project).items()
    }
    new_urns = stack_urns({"stack": stack, "resources": new["resources"]}, project)
    claimed: dict[str, str] = {}  # new name -> old name
    for name, (own, _) in new_urns.items():
        if own in old_urns:
            claimed[name] = old_urns[own]
    taken = set(claimed.values())
    for name, (_, aliases) in new_urns.items():
        if name in claimed:
            continue
        for alias in sorted(aliases):
            if alias in old_urns and old_urns[alias] not in taken:
                claimed[name] = old_urns[alias]
                taken.add(old_urns[alias])
                break
    result = Matching()
    for name, record in new_records.items():
        if name in claimed:
            result.pairs.append((old_records[claimed[name]], record))
        else:
            result.created.append(record)
    result.deleted = [record for name, record in old_records.items() if name not in taken]
    return result


def _placeholders(resource_type: str, name: str) -> list[str]:
    """Every value ``tools.fake_cloud`` derives from a logical name (auto-name, ids, hosts)."""
    # Imported here: it loads pulumi, which only a renamed resource needs.
    from tools.fake_cloud import _alnum, _digest, _uuid

    values = [
        f"{name}-{_digest(resource_type, name, length=7)}",
        _uuid(name),
        _alnum(name, "host", length=26),
    ]
    values += [_alnum(name, length=length) for length in (9, 13, 17, 26)]
    return values


def keep_renamed_ids(
    new: dict[str, Any], pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    """The new document with the placeholders of resources matched under another name or type set back to
    the old ones, as the real engine keeps their physical names and ids."""
    replacements: list[tuple[str, str]] = []
    for old_record, new_record in pairs:
        if (old_record["name"], old_record["type"]) == (new_record["name"], new_record["type"]):
            continue
        replacements += zip(
            _placeholders(new_record["type"], new_record["name"]),
            _placeholders(old_record["type"], old_record["name"]),
            strict=True,
        )
    if not replacements:
        return new
    text = json.dumps({"resources": new["resources"], "outputs": new.get("outputs", {})})
    for placeholder, kept in sorted(replacements, key=lambda pair: -len(pair[0])):
        # Inside JSON text a name may appear escaped, but placeholders are plain [a-z0-9-] strings.
        text = text.replace(placeholder, kept)
    rewritten = json.loads(text)
    return {**new, "resources": rewritten["resources"], "outputs": rewritten["outputs"]}
