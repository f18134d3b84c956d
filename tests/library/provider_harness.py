"""Stand-ins for the Pulumi engine, to drive the package's provider the way ``pulumi`` does for other languages.

The CLI runs a Python plugin as ``python <plugin folder> <engine address>`` (the language host's ``RunPlugin``),
reads the gRPC port the plugin prints, and calls ``GetSchema`` (``pulumi package add``) and ``Construct`` (a
TypeScript, Go, C# or YAML program declaring a component). During ``Construct`` the provider's SDK talks to the
resource monitor named in the request, which is where the children of the component are registered.

``ProviderProcess`` starts the real plugin folder, ``FakeEngine`` answers its logging, and ``FakeMonitor``
records every registration and answers like the engine during ``pulumi up``: a URN per resource, and for a custom
resource an ID and a few outputs every AWS resource has (``arn``, ``name``).
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

PLUGIN_FOLDER = Path(__file__).resolve().parents[2] / "components"
PROJECT = "consumer"
STACK = "dev"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the wire marks a value that is not known yet."""

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET = "1b47061264138c4ac30d75fd1eb44270"
_OUTPUT_VALUE = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_RESOURCE_REFERENCE = "5cf8f73096256a8f31e491e813e4eb8e"
_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7"
_ASSET = "c44067f5952c0a294b673a41bacd8c17"

SUPPORTED_FEATURES = [
    feature
    for name, feature in resource_pb2.ResourceMonitorFeature.items()
    # The fake does not gate invokes on dependencies, so the SDK must keep doing it (as with its own mocks).
    if name != "RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON"
]
"""What a current engine reports in ``GetDeploymentInfo``: every feature the pinned SDK knows, but one."""
LEGACY_FEATURES = frozenset(  # for ``SupportsFeature``, which SDKs ask only when GetDeploymentInfo is missing
    {
        "secrets",
        "resourceReferences",
        "outputValues",
        "deletedWith",
        "replaceWith",
        "aliasSpecs",
        "transforms",
        "invokeTransforms",
        "parameterization",
        "resourceHooks",
        "errorHooks",
    }
)
INVOKE_RESULTS: dict[str, dict[str, Any]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": "123456789012",
        "arn": "arn:aws:iam::123456789012:user/deployer",
        "id": "123456789012",
        "userId": "AIDEXAMPLE",
    },
    "aws:index/getRegion:getRegion": {"region": "eu-west-1", "name": "eu-west-1", "id": "eu-west-1"},
    "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
}


@dataclass(frozen=True)
class Secret:
    value: Any


@dataclass(frozen=True)
class ResourceReference:
    urn: str
    id: Any = None


@dataclass(frozen=True)
class Archive:
    members: Mapping[str, Any]


def decode(value: Any) -> Any:
    """A value as the SDK sent it, in plain Python: output values become their value (or ``UNKNOWN``)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    signature = value.get(_SIG)
    if signature == _SECRET:
        return Secret(decode(value.get("value")))
    if signature == _OUTPUT_VALUE:
        inner = decode(value["value"]) if "value" in value else UNKNOWN
        return Secret(inner) if value.get("secret") else inner
    if signature == _RESOURCE_REFERENCE:
        return ResourceReference(value["urn"], decode(value.get("id")))
    if signature == _ARCHIVE:
        return Archive({name: decode(member) for name, member in value.get("assets", {}).items()})
    if signature == _ASSET:
        return {key: item for key, item in value.items() if key != _SIG}
    return {key: decode(item) for key, item in value.items()}


def decode_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return decode(json_format.MessageToDict(struct))


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


@dataclass
class Registration:
    """One ``RegisterResource`` call, decoded."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool | None
    retain_on_delete: bool | None
    dependencies: list[str]
    alias_types: list[str]
    id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


ARNS = {"aws:appsync/graphQLApi:GraphQLApi": "arn:aws:appsync:eu-west-1:123456789012:apis/{alphanumeric}"}
"""ARN formats the components check; others are ``arn:aws:<service>:<region>:<account>:<kind>/<name>``."""


def fake_outputs(type_: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs the AWS provider would report: an auto-name, an ARN, and a stream ARN for tables with a stream."""
    physical = inputs.get("name") if isinstance(inputs.get("name"), str) else f"{name}-1a2b3c"
    service, kind = type_.split(":")[1].split("/")
    default_arn = f"arn:aws:{service}:eu-west-1:123456789012:{kind.lower()}/{physical}"
    outputs: dict[str, Any] = {
        "name": physical,
        "arn": ARNS.get(type_, default_arn).format(alphanumeric=re.sub("[^A-Za-z0-9]", "", name)),
    }
    if type_ == "aws:dynamodb/table:Table" and inputs.get("streamEnabled"):
        outputs["streamArn"] = f"{outputs['arn']}/stream/2025-01-01T00:00:00.000"
    if type_ == "aws:appsync/graphQLApi:GraphQLApi":
        host = f"{physical}.appsync-api.eu-west-1.amazonaws.com"
        outputs["uris"] = {"GRAPHQL": f"https://{host}/graphql", "REALTIME": f"wss://{host}/graphql"}
    return outputs


class FakeMonitor(resource_pb2_grpc.ResourceMonitorServicer):
    """The engine's resource monitor during ``pulumi up``: registers, hands out URNs, IDs and outputs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.registrations: list[Registration] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self.invokes: list[str] = []

    def _urn(self, parent: str, type_: str, name: str) -> str:
        qualified = type_
        if parent and parent != STACK_URN:
            qualified = f"{parent.split('::')[2]}${type_}"
        return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"

    def GetDeploymentInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return resource_pb2.DeploymentInfo(
            project=PROJECT, stack=STACK, organization="organization", supportedFeatures=SUPPORTED_FEATURES
        )

    def SupportsFeature(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in LEGACY_FEATURES)

    def RegisterResource(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        inputs = decode_struct(request.object)
        registration = Registration(
            urn=self._urn(request.parent, request.type, request.name),
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=request.custom,
            inputs=inputs,
            protect=request.protect if request.HasField("protect") else None,
            retain_on_delete=request.retainOnDelete if request.HasField("retainOnDelete") else None,
            dependencies=list(request.dependencies),
            alias_types=[alias.spec.type for alias in request.aliases if alias.HasField("spec")],
        )
        if request.custom:
            registration.id = f"{request.name}-id"
            registration.outputs = fake_outputs(request.type, request.name, inputs)
        with self._lock:
            self.registrations.append(registration)
        return resource_pb2.RegisterResourceResponse(
            urn=registration.urn, id=registration.id or "", object=to_struct(registration.outputs)
        )

    def RegisterResourceOutputs(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:  # noqa: N802 (gRPC method name)
        with self._lock:
            self.registered_outputs[request.urn] = decode_struct(request.outputs)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        with self._lock:
            self.invokes.append(request.tok)
        if request.tok not in INVOKE_RESULTS:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the fake engine does not answer {request.tok}")
        return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(INVOKE_RESULTS[request.tok])})

    def RegisterPackage(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return resource_pb2.RegisterPackageResponse(ref=f"{request.name}-{request.version}")

    def SignalAndWaitForShutdown(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return empty_pb2.Empty()


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine service the plugin gets the address of: keeps the log messages."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str]] = []

    def Log(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:  # noqa: N802 (gRPC method name)
        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return engine_pb2.GetRootResourceResponse(urn=STACK_URN)

    def SetRootResource(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC method name)
        return engine_pb2.SetRootResourceResponse()


@dataclass
class FakeServers:
    engine: FakeEngine
    monitor: FakeMonitor
    engine_address: str
    monitor_address: str
    server: grpc.Server

    @classmethod
    def start(cls) -> FakeServers:
        engine, monitor = FakeEngine(), FakeMonitor()
        engine_server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        engine_pb2_grpc.add_EngineServicer_to_server(engine, engine_server)
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(monitor, engine_server)
        # One server for both services, on two ports, as the engine keeps them apart too.
        engine_port = engine_server.add_insecure_port("127.0.0.1:0")
        monitor_port = engine_server.add_insecure_port("127.0.0.1:0")
        engine_server.start()
        return cls(engine, monitor, f"127.0.0.1:{engine_port}", f"127.0.0.1:{monitor_port}", engine_server)

    def stop(self) -> None:
        self.server.stop(grace=None).wait()


class ProviderProcess:
    """The package's plugin, started as the Python language host starts it: ``python <folder> <engine>``."""

    def __init__(self, engine_address: str, working_directory: Path, startup_seconds: float = 30.0) -> None:
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        self.stderr_path = working_directory / "provider.stderr"
        self._stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(PLUGIN_FOLDER), engine_address],
            cwd=working_directory,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.port = self._read_port(startup_seconds)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=startup_seconds)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def _read_port(self, timeout: float) -> int:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(remaining, 0))
            if not ready:
                self.process.kill()
                raise AssertionError(f"the provider printed no port within {timeout} s:\n{self.stderr()}")
            chunk = os.read(self.process.stdout.fileno(), 64)
            if not chunk:
                raise AssertionError(
                    f"the provider exited ({self.process.wait()}) before its port:\n{self.stderr()}"
                )
            line += chunk
        return int(line.decode().strip())

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        """Interrupts the plugin (as Ctrl-C in ``pulumi up`` does) and returns its exit code."""
        self.channel.close()
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self._stderr.close()


@dataclass
class Constructed:
    """What one ``Construct`` call did: its answer (or gRPC error) and the resources it registered."""

    registrations: list[Registration]
    response: Any = None
    error: grpc.RpcError | None = None

    @property
    def state(self) -> dict[str, Any]:
        assert self.error is None, self.error.details()
        return decode_struct(self.response.state)

    def one(self, type_: str) -> Registration:
        [registration] = [r for r in self.registrations if r.type == type_]
        return registration

    def named(self, name: str) -> Registration:
        [registration] = [r for r in self.registrations if r.name == name]
        return registration


def construct(
    provider: ProviderProcess,
    servers: FakeServers,
    type_: str,
    name: str,
    inputs: Mapping[str, Any],
    *,
    protect: bool | None = None,
    dry_run: bool = False,
    timeout: float = 20.0,
) -> Constructed:
    """Calls ``Construct`` with the request the engine sends for ``new Type(name, inputs)`` at the stack's top."""
    request = provider_pb2.ConstructRequest(
        project=PROJECT,
        stack=STACK,
        organization="organization",
        dryRun=dry_run,
        parallel=16,
        monitorEndpoint=servers.monitor_address,
        type=type_,
        name=name,
        parent=STACK_URN,
        inputs=to_struct(inputs),
        accepts_output_values=True,
    )
    if protect is not None:
        request.protect = protect
    first = len(servers.monitor.registrations)
    try:
        response = provider.stub.Construct(request, timeout=timeout)
        error = None
    except grpc.RpcError as raised:
        response, error = None, raised
    return Constructed(list(servers.monitor.registrations[first:]), response, error)


def property_errors(error: grpc.RpcError) -> list[tuple[str, str]]:
    """The per-property errors of a failed ``Construct`` (an ``InputPropertiesError`` in the status details)."""
    [details] = [value for key, value in error.trailing_metadata() or () if key == "grpc-status-details-bin"]
    found = []
    for packed in status_pb2.Status.FromString(details).details:
        errors = errors_pb2.InputPropertiesError()
        assert packed.Unpack(errors), packed.type_url
        found += [(item.property_path, item.reason) for item in errors.errors]
    return found
