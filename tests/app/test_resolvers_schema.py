"""resolvers/schema.graphql parses, matches the resolver files, and marks authorization as intended.

AppSync builds in its scalars and @aws_* directives, so the schema must not declare them; graphql-core
parses it with components/genai_backend_components/graphql/appsync_prelude.graphql in front.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    parse,
    value_from_ast_untyped,
)
from graphql.language import DirectiveDefinitionNode, ScalarTypeDefinitionNode

from tests.appsync_harness import RESOLVERS

SCHEMA_FILE = RESOLVERS / "schema.graphql"
PRELUDE_FILE = (
    Path(__file__).resolve().parents[2]
    / "components"
    / "genai_backend_components"
    / "graphql"
    / "appsync_prelude.graphql"
)
USER_POOLS_AND_IAM = {"getLeague", "listLeagues", "upsertLeague"}
USER_POOLS_ONLY = {"myFollows", "action", "unfollow"}
ADMIN_ONLY = {"upsertLeague"}
"""Fields that change data every user shares: user-pool callers must be in the admins group."""


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(PRELUDE_FILE.read_text() + "\n" + SCHEMA_FILE.read_text())


def directive_names(node: object) -> set[str]:
    return {directive.name.value for directive in getattr(node, "directives", None) or []}


def directive_arguments(node: object, directive_name: str) -> dict[str, Any]:
    for directive in getattr(node, "directives", None) or []:
        if directive.name.value == directive_name:
            return {
                argument.name.value: value_from_ast_untyped(argument.value)
                for argument in directive.arguments
            }
    raise AssertionError(f"no @{directive_name}")


def unit_resolver_files() -> list[Path]:
    return sorted(RESOLVERS.glob("*.js"))


def test_schema_leaves_appsync_built_ins_undeclared() -> None:
    definitions = parse(SCHEMA_FILE.read_text()).definitions
    assert not [
        node for node in definitions if isinstance(node, ScalarTypeDefinitionNode | DirectiveDefinitionNode)
    ]


@pytest.mark.parametrize("resolver", unit_resolver_files(), ids=lambda path: path.name)
def test_every_resolver_file_names_a_schema_field(schema: GraphQLSchema, resolver: Path) -> None:
    type_name, field_name, _ = resolver.name.split(".")
    parent = schema.get_type(type_name)
    assert isinstance(parent, GraphQLObjectType), f"{resolver.name}: no object type {type_name}"
    assert field_name in parent.fields, f"{resolver.name}: {type_name} has no field {field_name}"


def test_every_root_field_has_a_resolver_file(schema: GraphQLSchema) -> None:
    root_fields = {
        f"{root.name}.{name}.js" for root in (schema.query_type, schema.mutation_type) for name in root.fields
    }
    assert root_fields <= {path.name for path in unit_resolver_files()}


def test_league_operations_allow_users_and_iam_and_follow_operations_only_users(
    schema: GraphQLSchema,
) -> None:
    modes = {
        name: directive_names(field.ast_node)
        for root in (schema.query_type, schema.mutation_type)
        for name, field in root.fields.items()
    }
    for name in USER_POOLS_AND_IAM:
        assert modes[name] == {"aws_cognito_user_pools", "aws_iam"}, name
    for name in USER_POOLS_ONLY:
        assert modes[name] == {"aws_cognito_user_pools"}, name


def test_only_admins_may_write_leagues_and_the_resolver_checks_the_same_group(schema: GraphQLSchema) -> None:
    """AppSync lets a user-pool caller through a field with cognito_groups only if they are in a listed
    group; IAM callers are unaffected. The resolver repeats the check, with the same group name."""
    restricted = {
        name: directive_arguments(field.ast_node, "aws_cognito_user_pools").get("cognito_groups")
        for root in (schema.query_type, schema.mutation_type)
        for name, field in root.fields.items()
        if name in USER_POOLS_AND_IAM | USER_POOLS_ONLY
    }
    assert {name for name, groups in restricted.items() if groups} == ADMIN_ONLY
    resolver_code = (RESOLVERS / "Mutation.upsertLeague.js").read_text()
    (group_in_resolver,) = re.findall(r"const ADMIN_GROUP = '([^']+)';", resolver_code)
    assert restricted["upsertLeague"] == [group_in_resolver]


def returned_object_types(schema: GraphQLSchema, field_names: set[str]) -> set[str]:
    """Every object type a caller can reach from these root fields (AppSync authorizes each one)."""
    pending = [
        root.fields[name].type
        for root in (schema.query_type, schema.mutation_type)
        for name in field_names
        if name in root.fields
    ]
    seen: set[str] = set()
    while pending:
        output_type = pending.pop()
        while isinstance(output_type, GraphQLNonNull | GraphQLList):
            output_type = output_type.of_type
        if isinstance(output_type, GraphQLObjectType) and output_type.name not in seen:
            seen.add(output_type.name)
            pending += [field.type for field in output_type.fields.values()]
    return seen


def test_types_reachable_by_iam_callers_allow_iam_and_follow_types_do_not(schema: GraphQLSchema) -> None:
    iam_types = returned_object_types(schema, USER_POOLS_AND_IAM)
    assert iam_types == {"League", "LeagueCountry", "Team", "LeagueConnection"}
    for name in iam_types:
        assert directive_names(schema.get_type(name).ast_node) == {"aws_cognito_user_pools", "aws_iam"}, name
    for name in returned_object_types(schema, USER_POOLS_ONLY):
        assert directive_names(schema.get_type(name).ast_node) == {"aws_cognito_user_pools"}, name


def test_schema_matches_the_data_contract(schema: GraphQLSchema) -> None:
    expected_fields = {
        "League": {"id", "season", "leagueCountry", "teams", "version", "updatedAt"},
        "LeagueCountry": {"name", "code", "flag"},
        "Team": {"id", "name", "logo"},
        "LeagueConnection": {"items", "nextToken"},
        "Follow": {"leagueId", "season", "email", "createdAt"},
        "FollowConnection": {"items", "nextToken"},
    }
    assert {name: set(schema.get_type(name).fields) for name in expected_fields} == expected_fields
    arguments = {
        name: set(field.args)
        for root in (schema.query_type, schema.mutation_type)
        for name, field in root.fields.items()
        if name in USER_POOLS_AND_IAM | USER_POOLS_ONLY
    }
    assert arguments == {
        "getLeague": {"id"},
        "listLeagues": {"season", "limit", "nextToken"},
        "myFollows": {"limit", "nextToken"},
        "upsertLeague": {"input", "expectedVersion"},
        "action": {"leagueId", "season"},
        "unfollow": {"leagueId", "season"},
    }
