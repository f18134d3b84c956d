"""Runs a Pulumi program under the mock runtime and records what it declares.

This is the engine behind ``synth`` and behind every component test: instead of asserting on
Python objects, tests look at exactly what the engine would receive (wire names in camelCase,
secrets masked, assets hashed, parents and dependencies resolved), which is also what
``pulumi preview`` shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime import resource as resource_runtime
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tools.fake_cloud import FakeCloud

SECRET = "[secret]"
UNKNOWN = "[unknown]"

_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class ResourceRecord:
    """One resource as the engine received it."""

    name: str
    type: str
    parent: str | None
    inputs: dict[str, Any]
    dependencies: list[str]
    protect: bool = False
    """``protect``: ``pulumi destroy`` refuses to delete the resource."""
    retain_on_delete: bool = False
    """``retain_on_delete``: removing it from the program leaves the cloud resource in place."""
    delete_before_replace: bool = False
    """``delete_before_replace``: a replacement deletes the old resource first (for unique names)."""
    aliases: list[dict[str, Any]] = field(default_factory=list)
    """Earlier identities the resource answers to: ``{"type": ...}`` and the like, or ``{"urn": ...}``."""
    ignore_changes: list[str] = field(default_factory=list)
    """``ignore_changes``: input paths whose changes the engine leaves alone."""
    replace_on_changes: list[str] = field(default_factory=list)
    """``replace_on_changes``: input paths whose changes force a replacement."""
    depends_on: list[str] = field(default_factory=list)
    """Explicit ``depends_on`` (resource names): dependencies that no input carries."""
    provider: str | None = None
    """An explicit ``provider`` (the provider resource's name); None for the default provider."""

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "parent": self.parent,
            "inputs": self.inputs,
            "dependencies": self.dependencies,
        }
        # Only when set, so the common case stays short; a change shows up in diffs as an added key.
        flags = (
            ("protect", self.protect),
            ("retainOnDelete", self.retain_on_delete),
            ("deleteBeforeReplace", self.delete_before_replace),
        )
        options: dict[str, Any] = {key: True for key, value in flags if value}
        lists = (
            ("aliases", self.aliases),
            ("ignoreChanges", self.ignore_changes),
            ("replaceOnChanges", self.replace_on_changes),
            ("dependsOn", self.depends_on),
        )
        options.update({key: value for key, value in lists if value})
        if self.provider:
            options["provider"] = self.provider
        if options:
            document["options"] = options
        return document


@dataclass
class Evaluation:
    """Everything one run of a program declared, in registration-independent order."""

    stack: str
    resources: list[ResourceRecord] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def named(self, name: str) -> ResourceRecord:
        matches = [record for record in self.resources if record.name == name]
        if len(matches) != 1:
            known = ", ".join(sorted(record.name for record in self.resources))
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}; declared: {known}")
        return matches[0]

    def of_type(self, type_token: str) -> list[ResourceRecord]:
        return [record for record in self.resources if record.type == type_token]

    def children_of(self, parent: str) -> Iterator[ResourceRecord]:
        return (record for record in self.resources if record.parent == parent)

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "resources": [record.as_json() for record in self.resources],
            "outputs": self.outputs,
        }

    def to_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=True) + "\n"


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _hash_path(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _plain(value: Any) -> tuple[Any, bool]:
    """Converts a wire value to JSON data; the flag says whether a secret was inside."""
    if isinstance(value, float) and value.is_integer():
        return int(value), False
    if isinstance(value, str):
        return (UNKNOWN if value == _UNKNOWN_VALUE else value), False
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return [item for item, _ in items], any(secret for _, secret in items)
    if not isinstance(value, dict):
        return value, False
    signature = value.get(_SIGNATURE_KEY)
    if signature == _SECRET_SIG:
        return SECRET, True
    if signature == _OUTPUT_SIG:
        if value.get("secret"):
            return SECRET, True
        return _plain(value.get("value", _UNKNOWN_VALUE))
    if signature == _RESOURCE_SIG:
        return _name_of(str(value.get("urn", ""))), False
    if signature == _ASSET_SIG:
        if "text" in value:
            return {"asset": hashlib.sha256(value["text"].encode()).hexdigest()}, False
        return {"asset": _hash_path(Path(value["path"]))}, False
    if signature == _ARCHIVE_SIG:
        if "assets" in value:
            members = {key: _plain(member)[0] for key, member in sorted(value["assets"].items())}
            encoded = json.dumps(members, sort_keys=True).encode()
            return {"archive": hashlib.sha256(encoded).hexdigest()}, False
        return {"archive": _hash_path(Path(value["path"]))}, False
    result, found_secret = {}, False
    for key in sorted(value):
        result[key], secret = _plain(value[key])
        found_secret = found_secret or secret
    return result, found_secret


def _struct(message: Any) -> dict[str, Any]:
    """A protobuf ``Struct`` as plain data (what ``json_format.MessageToDict`` returns, several times faster)."""
    return {key: _value(value) for key, value in message.fields.items()}


def _value(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return _struct(value.struct_value)
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None


def _mask_inputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Secretness covers a whole top-level property, as in ``pulumi preview``."""
    masked = {}
    for key in sorted(raw):
        value, secret = _plain(raw[key])
        masked[key] = SECRET if secret else value
    return masked


def _alias(alias: Any) -> dict[str, Any]:
    """An alias as sent to the engine, with its parent named the way synth names resources."""
    if alias.urn:
        return {"urn": alias.urn}
    spec = alias.spec
    fields = {"name": spec.name, "type": spec.type, "stack": spec.stack, "project": spec.project}
    described: dict[str, Any] = {key: value for key, value in fields.items() if value}
    if spec.noParent:
        described["noParent"] = True
    elif spec.parentUrn:
        described["parent"] = _name_of(spec.parentUrn)
    return described


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of parents and dependencies it otherwise drops."""

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        self.records: list[ResourceRecord] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            from_inputs: set[str] = set()
            for property_dependencies in request.propertyDependencies.values():
                from_inputs.update(property_dependencies.urns)
            dependencies = set(request.dependencies) | from_inputs
            parent_type = request.parent.split("::")[2].split("$")[-1] if request.parent else ""
            parent = _name_of(request.parent) if parent_type not in ("", "pulumi:pulumi:Stack") else None
            self.records.append(
                ResourceRecord(
                    name=request.name,
                    type=request.type,
                    parent=parent,
                    inputs=_mask_inputs(_struct(request.object)),
                    dependencies=sorted({_name_of(urn) for urn in dependencies}),
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    aliases=[_alias(alias) for alias in request.aliases],
                    ignore_changes=sorted(request.ignoreChanges),
                    replace_on_changes=sorted(request.replaceOnChanges),
                    # The SDK sends depends_on merged into `dependencies`; what no input explains is explicit.
                    depends_on=sorted({_name_of(urn) for urn in set(request.dependencies) - from_inputs}),
                    # A provider reference is "<provider URN>::<id>"; the default provider sends none.
                    provider=_name_of(request.provider.rsplit("::", 1)[0]) if request.provider else None,
                )
            )
        return response


async def _resolve_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key in sorted(outputs):
        output = pulumi.Output.from_input(outputs[key])
        if await output.is_secret():
            resolved[key] = SECRET
            continue
        value = await output.future()
        resolved[key] = json.loads(json.dumps(value, sort_keys=True, default=str))
    return resolved


def evaluate(
    program: Callable[[], Any],
    *,
    stack: str,
    project: str,
    region: str,
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
) -> Evaluation:
    """Runs ``program`` (which declares resources and may call ``pulumi.export``) under mocks.

    ``config`` uses full keys (``project:key``, ``aws:region``) with string values, as the
    engine passes them; structured values are JSON strings.
    """
    settings.reset_options(project=project, stack=stack)
    # The SDK walks the Python stack at every registration to send source positions, which only the real
    # engine uses (for error messages); the mock monitor drops them, so skip the walk: a tenth of a synth.
    resource_runtime._get_stack_trace = _no_stack_trace
    pulumi.runtime.set_all_config(dict(config or {}), secret_keys or [])
    cloud = FakeCloud(region)
    monitor = RecordingMonitor(cloud)
    mocks.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor)
    evaluation = Evaluation(stack=stack)

    async def run() -> None:
        program()
        await _wait()

    async def _wait() -> None:
        from pulumi.runtime.stack import wait_for_rpcs

        await wait_for_rpcs()
        root = settings.get_root_resource()
        evaluation.outputs = await _resolve_outputs(getattr(root, "outputs", {}))

    _sync_await(run_pulumi_func(run))
    evaluation.resources = sorted(monitor.records, key=lambda record: (record.type, record.name))
    return evaluation
