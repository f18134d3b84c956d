"""AppSync pipeline functions and JS resolvers, declarable on any existing API.

Apart from ``GraphqlApi`` so other components (the AI routes) can extend an API they did not create with the
same checks: what a deploy would reveal minutes later (a resolver for a missing field, a missing file, an
unknown data source) is a problem naming the key, found before any resource is declared.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pulumi
import pulumi_aws as aws
from graphql import GraphQLObjectType
from pydantic import AfterValidator, StrictStr

from ..constraints import GraphqlName
from ..validation import ArgsModel, Problem
from .schema import build_appsync_schema

APPSYNC_RUNTIME = {"name": "APPSYNC_JS", "runtime_version": "1.0.0"}
"""The only runtime AppSync accepts with ``code``; ``function_version`` must stay unset alongside it."""
MAX_CODE_LENGTH = 32768
"""AppSync's limit on resolver or function code (botocore appsync ``Code`` shape)."""


def read_code(path: Path | str) -> str:
    """The code AppSync will get; a missing, empty or oversized file would otherwise fail only at deploy."""
    if not Path(path).is_file():
        raise ValueError(f"no file at {path}")
    code = Path(path).read_text(encoding="utf-8")
    if not code.strip() or len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"{path} must hold 1 to {MAX_CODE_LENGTH} characters of code (it has {len(code)})")
    return code


CodeFile = Annotated[StrictStr, AfterValidator(lambda path: read_code(path) and path)]
"""A path to APPSYNC_JS code that exists and fits AppSync's limit."""


class PipelineFunctionModel(ArgsModel):
    data_source: GraphqlName
    code_path: CodeFile

    @property
    def code(self) -> str:
        return read_code(self.code_path)


class ResolverModel(ArgsModel):
    code_path: CodeFile
    data_source: GraphqlName | None = None
    pipeline: tuple[GraphqlName, ...] = ()

    @property
    def code(self) -> str:
        return read_code(self.code_path)


def resolver_problems(
    schema_sdl: str,
    resolvers: Mapping[str, ResolverModel],
    functions: Mapping[str, PipelineFunctionModel],
    data_source_names: Collection[str],
) -> list[Problem]:
    """Every resolver names a field of the schema and known data sources and functions."""
    try:
        schema = build_appsync_schema(schema_sdl, owner="schema_sdl")
    except ValueError as error:
        return [Problem("schema_sdl", str(error).removeprefix("schema_sdl: "))]
    known_sources = ", ".join(sorted(data_source_names)) or "none"
    problems = [
        Problem(
            f"functions[{name!r}].data_source",
            f"unknown data source {function.data_source!r} (known: {known_sources})",
        )
        for name, function in functions.items()
        if function.data_source not in data_source_names
    ]
    for key, resolver in resolvers.items():
        where = f"resolvers[{key!r}]"
        type_name, dot, field_name = key.partition(".")
        graphql_type = schema.get_type(type_name)
        if not dot:
            problems.append(Problem(where, "the key must look like 'Type.field'"))
        elif not isinstance(graphql_type, GraphQLObjectType):
            problems.append(Problem(where, f"the schema has no object type {type_name!r}"))
        elif field_name not in graphql_type.fields:
            known = ", ".join(sorted(graphql_type.fields))
            problems.append(Problem(where, f"type {type_name} has no field {field_name!r} (it has: {known})"))
        if (resolver.data_source is None) == (not resolver.pipeline):
            problems.append(Problem(where, "set exactly one of data_source (UNIT) or pipeline (PIPELINE)"))
        if resolver.data_source is not None and resolver.data_source not in data_source_names:
            problems.append(
                Problem(
                    f"{where}.data_source",
                    f"unknown data source {resolver.data_source!r} (known: {known_sources})",
                )
            )
        for step in resolver.pipeline:
            if step not in functions:
                known_functions = ", ".join(sorted(functions)) or "none"
                problems.append(
                    Problem(f"{where}.pipeline", f"unknown function {step!r} (known: {known_functions})")
                )
    return problems


@dataclass(frozen=True)
class DeclaredResolvers:
    """What ``declare_resolvers`` created, under the keys it was given."""

    functions: dict[str, aws.appsync.Function]
    resolvers: dict[str, aws.appsync.Resolver]


def declare_resolvers(
    prefix: str,
    api_id: pulumi.Input[str],
    resolvers: Mapping[str, ResolverModel],
    functions: Mapping[str, PipelineFunctionModel],
    data_sources: Mapping[str, aws.appsync.DataSource],
    parent: pulumi.Resource,
) -> DeclaredResolvers:
    """Declares checked pipeline functions and resolvers on an existing API.

    Data sources are referenced by ``DataSource.name`` and pipeline steps by ``Function.function_id`` (not
    ``Function.id``, which is the import id), both Outputs, so the engine orders each resolver after what
    it uses.
    """
    declared_functions = {
        name: aws.appsync.Function(
            f"{prefix}-function-{name}",
            api_id=api_id,
            name=name,
            data_source=data_sources[function.data_source].name,
            runtime=APPSYNC_RUNTIME,
            code=function.code,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for name, function in functions.items()
    }
    declared: dict[str, aws.appsync.Resolver] = {}
    for key, resolver in resolvers.items():
        type_name, _, field_name = key.partition(".")
        binding: dict[str, Any] = {"kind": "UNIT"}
        if resolver.data_source is not None:
            binding["data_source"] = data_sources[resolver.data_source].name
        else:
            steps = [declared_functions[step].function_id for step in resolver.pipeline]
            binding = {"kind": "PIPELINE", "pipeline_config": {"functions": steps}}
        declared[key] = aws.appsync.Resolver(
            f"{prefix}-resolver-{key}",
            api_id=api_id,
            type=type_name,
            field=field_name,
            runtime=APPSYNC_RUNTIME,
            code=resolver.code,
            **binding,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return DeclaredResolvers(functions=declared_functions, resolvers=declared)
