"""Pulumi ``transforms`` run as the engine runs them, for tests of what a component's transforms reach.

Pulumi's mock monitor records transforms but never runs them. The engine runs a resource's own transforms
and then those of each of its ancestors (https://www.pulumi.com/docs/iac/concepts/options/transforms/), so a
transform given to a component reaches every child parented to it; ``EngineTransformsMonitor`` does the same
under the mock runtime.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from unittest import mock

import pulumi
import pulumi_aws as aws
from pulumi.runtime import rpc
from pulumi.runtime.mocks import _ensure_event_loop, _resolve_callbacks
from pulumi.runtime.sync_await import _sync_await

import tools.evaluate
from tests.support import evaluate_component
from tools.evaluate import Evaluation


class EngineTransformsMonitor(tools.evaluate.RecordingMonitor):
    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._transforms: dict[str, list[Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        transforms = [*_resolve_callbacks(request.transforms), *self._transforms.get(request.parent, [])]
        self._transforms[urn] = transforms
        if transforms:
            _ensure_event_loop()
            props, changed = rpc.deserialize_properties(request.object, keep_unknowns=True), False
            for transform in transforms:
                args = pulumi.ResourceTransformArgs(
                    custom=request.custom,
                    type_=request.type,
                    name=request.name,
                    props=props,
                    opts=pulumi.ResourceOptions(),
                )
                result = transform(args)
                if inspect.isawaitable(result):
                    result = _sync_await(result)
                if result is not None:
                    props, changed = result.props, True
            if changed:
                request.object.CopyFrom(_sync_await(rpc.serialize_properties(props, {})))
        return super().RegisterResource(request)


def evaluate_with_engine_transforms(program: Callable[[], Any], **options: Any) -> Evaluation:
    """``evaluate_component`` (same options), with transforms run as the Pulumi engine runs them."""
    with mock.patch.object(tools.evaluate, "RecordingMonitor", EngineTransformsMonitor):
        return evaluate_component(program, **options)


def assert_transform_reaches_every_child(evaluation: Evaluation, seen: set[tuple[str, str]]) -> None:
    """The tagging transform ran for the component and every child, and tagged each taggable one."""
    assert seen == {(record.type, record.name) for record in evaluation.resources}
    tagged = [record for record in evaluation.resources if taggable(record.type)]
    assert tagged, "no taggable child, so the transform's effect cannot be seen"
    assert [
        record.name for record in tagged if (record.inputs.get("tags") or {}).get("costCenter") != "42"
    ] == []


def taggable(type_token: str) -> bool:
    """Whether a pulumi_aws resource type takes ``tags``."""
    package, module_path, class_name = type_token.split(":")
    if package != "aws":
        return False
    module = module_path.split("/")[0]
    namespace = getattr(aws, module, None) or getattr(aws, f"{module}_")
    return "tags" in inspect.signature(getattr(namespace, class_name)._internal_init).parameters


def tagging_transform(key: str, value: str) -> tuple[Callable[[Any], Any], set[tuple[str, str]]]:
    """A transform that adds one tag to every taggable resource, and the (type, name) of all it saw."""
    seen: set[tuple[str, str]] = set()

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        seen.add((args.type_, args.name))
        if not taggable(args.type_):
            return None
        tags = {**(args.props.get("tags") or {}), key: value}
        return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)

    return transform, seen
