"""AppSync data sources, pipeline functions and JS resolvers, declarable on any existing API.

Apart from ``GraphqlApi`` so other components (the AI routes) can extend an API they did not create with
the same checks: what a deploy would reveal minutes later (a hyphen in a name, a resolver for a missing
field, a missing file) is a ``ValueError`` naming the key, raised before any resource is declared.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from graphql import GraphQLObjectType, GraphQLSchema

from components.appsync_schema import build_appsync_schema
from components.graphql_data_sources import validate_name

APPSYNC_RUNTIME = {"name": "APPSYNC_JS", "runtime_version": "1.0.0"}
"""The only runtime AppSync accepts with ``code``; ``function_version`` must stay unset alongside it."""

MAX_CODE_LENGTH = 32768
"""AppSync's limit on resolver or function code (botocore appsync ``Code`` shape)."""


@dataclass(frozen=True, kw_only=True)
class PipelineFunction:
    """One APPSYNC_JS function that pipeline resolvers chain, keyed by its AppSync name."""

    data_source: str
    """Name of the data source the function's request is sent to."""
    code_path: Path
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is, without bundling."""


@dataclass(frozen=True, kw_only=True)
class Resolver:
    """The resolver of one schema field, keyed ``"Type.field"``: UNIT with a data source, or PIPELINE."""

    code_path: Path
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is, without bundling."""
    data_source: str | None = None
    """For a UNIT resolver: the data source it calls. Leave unset for a pipeline resolver."""
    pipeline: Sequence[str] = ()
    """For a PIPELINE resolver: the pipeline functions to run, in order."""


@dataclass(frozen=True)
class DeclaredResolvers:
    """What ``declare_resolvers`` created, under the keys it was given."""

    functions: dict[str, aws.appsync.Function]
    resolvers: dict[str, aws.appsync.Resolver]


def read_code(where: str, path: Path | str) -> str:
    """The code AppSync will get; a missing, empty or oversized file would otherwise fail only at deploy.

    ``where`` names the field in errors, e.g. ``GenerationRouteArgs.invoke_code_path``.
    """
    if not Path(path).is_file():
        raise ValueError(f"{where}: no file at {path}")
    code = Path(path).read_text(encoding="utf-8")
    if not code.strip() or len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"{where}: {path} must hold 1 to {MAX_CODE_LENGTH} characters of code")
    return code


def _field_of(where: str, key: str, schema: GraphQLSchema) -> tuple[str, str]:
    type_name, dot, field_name = key.partition(".")
    if not dot:
        raise ValueError(f"{where}: key {key!r} must look like 'Type.field'")
    validate_name(f"{where} type", type_name)
    validate_name(f"{where} field", field_name)
    graphql_type = schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType):
        raise ValueError(f"{where}: the schema has no object type {type_name!r}")
    if field_name not in graphql_type.fields:
        known = ", ".join(sorted(graphql_type.fields))
        raise ValueError(f"{where}: type {type_name} has no field {field_name!r} (it has: {known})")
    return type_name, field_name


def _require_known(where: str, kind: str, name: str, known: Collection[str]) -> None:
    if name not in known:
        raise ValueError(f"{where}: unknown {kind} {name!r} (known: {', '.join(sorted(known)) or 'none'})")


def validate_resolvers(
    schema_sdl: str,
    resolvers: Mapping[str, Resolver],
    functions: Mapping[str, PipelineFunction],
    data_source_names: Collection[str],
    *,
    owner: str = "resolvers",
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """Raises ``ValueError`` naming the key for anything ``declare_resolvers`` could not deploy.

    Returns what would be deployed: code per function name, and (type, field, code) per resolver key.
    """
    schema = build_appsync_schema(schema_sdl, owner=f"{owner}.schema")
    function_code: dict[str, str] = {}
    for name, function in functions.items():
        where = f"{owner}.functions[{name!r}]"
        validate_name(f"{owner}.functions key", name)
        _require_known(f"{where}.data_source", "data source", function.data_source, data_source_names)
        function_code[name] = read_code(f"{where}.code_path", function.code_path)
    resolver_plan: dict[str, tuple[str, str, str]] = {}
    for key, resolver in resolvers.items():
        where = f"{owner}.resolvers[{key!r}]"
        type_name, field_name = _field_of(where, key, schema)
        if (resolver.data_source is None) == (not resolver.pipeline):
            raise ValueError(f"{where}: set exactly one of data_source (UNIT) or pipeline (PIPELINE)")
        if resolver.data_source is not None:
            _require_known(f"{where}.data_source", "data source", resolver.data_source, data_source_names)
        for step in resolver.pipeline:
            _require_known(f"{where}.pipeline", "function", step, functions)
        resolver_plan[key] = (type_name, field_name, read_code(f"{where}.code_path", resolver.code_path))
    return function_code, resolver_plan


def declare_resolvers(
    prefix: str,
    api_id: pulumi.Input[str],
    schema_sdl: str,
    resolvers: Mapping[str, Resolver],
    functions: Mapping[str, PipelineFunction],
    data_sources: Mapping[str, aws.appsync.DataSource],
    parent: pulumi.Resource,
) -> DeclaredResolvers:
    """Declares pipeline functions and resolvers on an existing API, after validating all of them.

    Data sources are referenced by ``DataSource.name`` and pipeline steps by ``Function.function_id``
    (not ``Function.id``, which is the import id), both Outputs, so the engine orders each resolver
    after what it uses.
    """
    function_code, resolver_plan = validate_resolvers(
        schema_sdl, resolvers, functions, list(data_sources), owner=prefix
    )
    declared_functions = {
        name: aws.appsync.Function(
            f"{prefix}-function-{name}",
            api_id=api_id,
            name=name,
            data_source=data_sources[functions[name].data_source].name,
            runtime=APPSYNC_RUNTIME,
            code=code,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for name, code in function_code.items()
    }
    declared_resolvers: dict[str, aws.appsync.Resolver] = {}
    for key, (type_name, field_name, code) in resolver_plan.items():
        resolver = resolvers[key]
        binding: dict[str, Any] = {"kind": "UNIT"}
        if resolver.data_source is not None:
            binding["data_source"] = data_sources[resolver.data_source].name
        else:
            steps = [declared_functions[step].function_id for step in resolver.pipeline]
            binding = {"kind": "PIPELINE", "pipeline_config": {"functions": steps}}
        declared_resolvers[key] = aws.appsync.Resolver(
            f"{prefix}-resolver-{key}",
            api_id=api_id,
            type=type_name,
            field=field_name,
            runtime=APPSYNC_RUNTIME,
            code=code,
            **binding,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return DeclaredResolvers(functions=declared_functions, resolvers=declared_resolvers)
