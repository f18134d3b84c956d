"""Runs one example's ``__main__.py`` under Pulumi's mock runtime and prints what it declared, as JSON.

Run by path in the wheel's venv (``python example_runner.py <request JSON>``), from the example's folder, as
``pulumi preview`` would run the program there. The request holds ``example`` (the folder), ``project``,
``stack``, ``config`` (full keys such as ``aws:region`` and ``<project>:key``, string values as the engine
passes them) and ``secrets`` (the config keys that are secret). Self-contained on purpose: it drops its own
folder from ``sys.path``, so the only ``genai_backend_components`` the example can import is the installed one,
and nothing of the repository (``app``, ``tools``, ``tests``) is importable.

The output lists every registered resource (type, name, parent, inputs with secrets masked, options, and the
id, name and ARN the mock cloud gave it), the stack outputs (secrets masked), where the library was imported
from, and whether any of the repository's own packages could have been. Archives list their members with the
path of each file, so a test can see which copy of the code would ship.
"""

import hashlib
import importlib.util
import json
import os
import runpy
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

ACCOUNT_ID = "123456789012"
REPOSITORY_PACKAGES = ("app", "tools", "tests", "components")
SECRET = "[secret]"
_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def _short_hash(*parts: str, length: int = 7) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:length]


class Cloud(pulumi.runtime.Mocks):
    """Echoes inputs, with an id of ``<name>-id`` and the few computed outputs the components read."""

    def __init__(self, region: str) -> None:
        self.region = region

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        region = self.region
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{ACCOUNT_ID}:user/example"
            return {"accountId": ACCOUNT_ID, "arn": arn, "userId": "AIDAEXAMPLE", "id": ACCOUNT_ID}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        raise NotImplementedError(f"no mock answer for invoke {args.token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        # Auto-naming as Pulumi does it: the logical name and a random-looking suffix.
        physical = str(inputs.get("name") or f"{args.name}-{_short_hash(args.typ, args.name)}")
        resource_id = f"{args.name}-id"
        region, account = self.region, ACCOUNT_ID
        service, kind = args.typ.split(":")[1].split("/")[0], args.typ.split(":")[2]
        computed: dict[str, Any] = {
            "name": physical,
            "arn": f"arn:aws:{service}:{region}:{account}:{kind.lower()}/{physical}",
        }
        if args.typ == "aws:iam/role:Role":
            computed["arn"] = f"arn:aws:iam::{account}:role/{physical}"
        elif args.typ == "aws:lambda/function:Function":
            computed["arn"] = f"arn:aws:lambda:{region}:{account}:function:{physical}"
        elif args.typ == "aws:cloudwatch/logGroup:LogGroup":
            computed["arn"] = f"arn:aws:logs:{region}:{account}:log-group:{physical}"
        elif args.typ == "aws:dynamodb/table:Table":
            computed["arn"] = f"arn:aws:dynamodb:{region}:{account}:table/{physical}"
            if inputs.get("streamEnabled"):
                computed["streamArn"] = f"{computed['arn']}/stream/2026-01-01T00:00:00.000"
        elif args.typ == "aws:cognito/userPool:UserPool":
            computed["endpoint"] = f"cognito-idp.{region}.amazonaws.com/{resource_id}"
        elif args.typ == "aws:appsync/graphQLApi:GraphQLApi":
            # AppSync API ids are alphanumeric, and the data-source trust policies check the API's ARN.
            resource_id = _short_hash(args.name, length=26)
            computed["arn"] = f"arn:aws:appsync:{region}:{account}:apis/{resource_id}"
            host = f"{resource_id}.appsync-api.{region}.amazonaws.com"
            computed["uris"] = {"GRAPHQL": f"https://{host}/graphql", "REALTIME": f"wss://{host}/graphql"}
        elif args.typ == "aws:appsync/function:Function":
            computed["functionId"] = f"{args.name}-function-id"
        elif args.typ == "aws:amplify/app:App":
            computed["defaultDomain"] = f"{resource_id}.amplifyapp.com"
        elif args.typ == "aws:sqs/queue:Queue":
            computed["arn"] = f"arn:aws:sqs:{region}:{account}:{physical}"
            computed["url"] = f"https://sqs.{region}.amazonaws.com/{account}/{physical}"
        # Providers echo inputs back as state; computed values only fill the gaps.
        return resource_id, {**computed, **inputs}


def _plain(value: Any) -> tuple[Any, bool]:
    """A wire value as JSON data; the flag says whether a secret was inside."""
    if isinstance(value, float) and value.is_integer():
        return int(value), False
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return [item for item, _ in items], any(secret for _, secret in items)
    if not isinstance(value, dict):
        return value, False
    signature = value.get(_SIGNATURE_KEY)
    if signature == _SECRET_SIG:
        return SECRET, True
    if signature == _OUTPUT_SIG:
        return (SECRET, True) if value.get("secret") else _plain(value.get("value"))
    if signature == _RESOURCE_SIG:
        return str(value.get("urn", "")).rsplit("::", 1)[-1], False
    if signature == _ASSET_SIG:
        return ({"path": value["path"]} if "path" in value else {"text": value.get("text")}), False
    if signature == _ARCHIVE_SIG:
        if "assets" in value:
            members = {key: _plain(member)[0] for key, member in sorted(value["assets"].items())}
            return {"archive": members}, False
        return {"archive": value.get("path")}, False
    result, found = {}, False
    for key in sorted(value):
        result[key], secret = _plain(value[key])
        found = found or secret
    return result, found


def _masked(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Secretness covers a whole top-level property, as ``pulumi preview`` shows it."""
    masked = {}
    for key in sorted(raw):
        value, secret = _plain(raw[key])
        masked[key] = SECRET if secret else value
    return masked


def _type_and_name(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    return parts[2].split("$")[-1], parts[-1]


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, plus a record of each registration as the engine would receive it."""

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.records: list[dict[str, Any]] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            state = json_format.MessageToDict(response.object) if request.custom else {}
            parent_type, parent_name = _type_and_name(request.parent) if request.parent else (None, None)
            if parent_type == "pulumi:pulumi:Stack":
                parent_type, parent_name = None, None
            dependencies = set(request.dependencies)
            for property_dependencies in request.propertyDependencies.values():
                dependencies.update(property_dependencies.urns)
            self.records.append(
                {
                    "type": request.type,
                    "name": request.name,
                    "parent_type": parent_type,
                    "parent": parent_name,
                    "custom": bool(request.custom),
                    "inputs": _masked(json_format.MessageToDict(request.object)),
                    # What the mock cloud answered, for tests to follow references: id, name and ARN.
                    "id": (response.id or None) if request.custom else None,
                    "physical_name": state.get("name") if isinstance(state.get("name"), str) else None,
                    "arn": state.get("arn") if isinstance(state.get("arn"), str) else None,
                    "dependencies": sorted(_type_and_name(urn)[1] for urn in dependencies),
                    "protect": bool(request.protect),
                    "retain_on_delete": bool(request.retainOnDelete),
                }
            )
        return response


async def _stack_outputs() -> dict[str, Any]:
    root = settings.get_root_resource()
    resolved: dict[str, Any] = {}
    for key, value in sorted(getattr(root, "outputs", {}).items()):
        output = pulumi.Output.from_input(value)
        if await output.is_secret():
            resolved[key] = SECRET
        else:
            resolved[key] = json.loads(json.dumps(await output.future(), sort_keys=True, default=str))
    return resolved


def evaluate(request: Mapping[str, Any]) -> dict[str, Any]:
    example = Path(request["example"]).resolve()
    config: dict[str, str] = dict(request.get("config", {}))
    pulumi.runtime.set_all_config(config, list(request.get("secrets", [])))
    cloud = Cloud(config.get("aws:region", "us-east-1"))
    monitor = RecordingMonitor(cloud)
    mocks.set_mocks(cloud, project=request["project"], stack=request["stack"], preview=False, monitor=monitor)
    result: dict[str, Any] = {}

    async def program() -> None:
        # Pulumi runs a project's program from the project's folder.
        os.chdir(example)
        runpy.run_path(str(example / "__main__.py"), run_name="__main__")
        await wait_for_rpcs()
        result["outputs"] = await _stack_outputs()

    _sync_await(run_pulumi_func(program))
    library = sys.modules.get("genai_backend_components")
    return {
        "resources": sorted(monitor.records, key=lambda record: (record["type"], record["name"])),
        "outputs": result["outputs"],
        "library": getattr(library, "__file__", None),
        # Where the repository's own packages would come from (None: not importable, as for a user).
        "repository_packages": {name: _origin(name) for name in REPOSITORY_PACKAGES},
    }


def _origin(name: str) -> str | None:
    spec = importlib.util.find_spec(name)
    return None if spec is None else str(spec.origin or list(spec.submodule_search_locations or []))


def main() -> None:
    # Running by path puts this folder first on sys.path; without it, nothing of the repository is importable
    # (the venv reaches pulumi and friends, and the library only as the installed wheel).
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    print(json.dumps(evaluate(json.loads(sys.argv[1])), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
