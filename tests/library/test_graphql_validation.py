"""Bad GraphqlApi input fails before anything is declared, and other components can extend an existing API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest

from genai_backend_components import InvalidArgsError
from genai_backend_components.graphql import (
    DataSource,
    DataSourceModel,
    DynamoDbSource,
    DynamoDbSourceModel,
    GraphqlApi,
    HttpSource,
    LambdaSource,
    PipelineFunction,
    Resolver,
    ResolverModel,
    build_appsync_schema,
    declare_data_source,
    declare_resolvers,
    read_schema,
    resolver_problems,
)
from tests.library.test_graphql_component import FIXTURES, SCHEMA, example_args
from tests.support import evaluate_component

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/notes"
GET_NOTE = str(FIXTURES / "Query.getNote.js")


def only_resolver(key: str, resolver: Resolver) -> dict[str, Any]:
    return {"resolvers": {key: resolver}}


def only_sources(**sources: DataSource) -> dict[str, Any]:
    """Replaces every data source, and the functions and resolvers that used them."""
    return {"data_sources": sources, "functions": {}, "resolvers": {}}


def notes_table(**access: Any) -> DataSource:
    access.setdefault("actions", ("dynamodb:GetItem",))
    return DataSource(dynamodb=DynamoDbSource(**{"table_name": "notes", "table_arn": TABLE_ARN, **access}))


def signed_http(**fields: Any) -> DataSource:
    return DataSource(http=HttpSource(endpoint="https://example.com", **fields))


NOTES = "data_sources['NotesTable'].dynamodb"
ITEM_ACTIONS_HINT = "is not allowed; use item actions from dynamodb:BatchGetItem"

BAD_ARGS: dict[str, tuple[dict[str, Any], str, str]] = {
    "hyphen in data source name": (
        only_sources(**{"Notes-Table": DataSource(none=True)}),
        "data_sources['Notes-Table']",
        "'Notes-Table' is not a GraphQL name (letters, digits and _, not starting with a digit)",
    ),
    "data source name starting with a digit": (
        only_sources(**{"1Notes": DataSource(none=True)}),
        "data_sources['1Notes']",
        "'1Notes' is not a GraphQL name",
    ),
    "unknown field": (
        only_resolver("Query.getNotes", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['Query.getNotes']",
        "type Query has no field 'getNotes'",
    ),
    "resolver for a missing field": (
        only_resolver("Query.nope", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['Query.nope']",
        "type Query has no field 'nope' (it has: getNote, runTask, summarize)",
    ),
    "unknown type": (
        only_resolver("Subscription.onNote", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['Subscription.onNote']",
        "the schema has no object type 'Subscription'",
    ),
    "key without a field": (
        only_resolver("getNote", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['getNote']",
        "must look like 'Type.field'",
    ),
    "unknown data source": (
        only_resolver("Query.getNote", Resolver(code_path=GET_NOTE, data_source="Notes")),
        "resolvers['Query.getNote'].data_source",
        "unknown data source 'Notes'",
    ),
    "missing resolver file": (
        only_resolver(
            "Query.getNote",
            Resolver(code_path=str(FIXTURES / "Query.nope.js"), data_source="NotesTable"),
        ),
        "resolvers['Query.getNote'].code_path",
        "no file at",
    ),
    "unit and pipeline at once": (
        only_resolver(
            "Query.getNote", Resolver(code_path=GET_NOTE, data_source="NotesTable", pipeline=["putNote"])
        ),
        "resolvers['Query.getNote']",
        "set exactly one of data_source (UNIT) or pipeline (PIPELINE)",
    ),
    "neither unit nor pipeline": (
        only_resolver("Query.getNote", Resolver(code_path=GET_NOTE)),
        "resolvers['Query.getNote']",
        "set exactly one of data_source (UNIT) or pipeline (PIPELINE)",
    ),
    "unknown pipeline function": (
        only_resolver(
            "Mutation.saveNote", Resolver(code_path=GET_NOTE, pipeline=["requireOwner", "putNotes"])
        ),
        "resolvers['Mutation.saveNote'].pipeline",
        "unknown function 'putNotes'",
    ),
    "function on an unknown data source": (
        {
            "functions": {"putNote": PipelineFunction(data_source="Notes", code_path=GET_NOTE)},
            "resolvers": {},
        },
        "functions['putNote'].data_source",
        "unknown data source 'Notes'",
    ),
    "missing function file": (
        {
            "functions": {
                "putNote": PipelineFunction(data_source="NotesTable", code_path=str(FIXTURES / "x.js"))
            },
            "resolvers": {},
        },
        "functions['putNote'].code_path",
        "no file at",
    ),
    "schema that does not parse": ({"schema_sdl": "type Query {"}, "schema_sdl", "not valid GraphQL SDL"),
    "schema redeclaring an AppSync scalar": (
        {"schema_sdl": "scalar AWSDateTime\n" + SCHEMA},
        "schema_sdl",
        "declares AWSDateTime, which AppSync defines itself",
    ),
    "schema under its 0.1 name": (
        {"schema": SCHEMA},
        "schema",
        "is not a known arg; did you mean 'schema_sdl'?",
    ),
    "deny by default with an additional mode": (
        {"default_action": "DENY"},
        "default_action",
        "must be ALLOW when additional_auth_modes is set",
    ),
    "unsupported additional mode": (
        {"additional_auth_modes": ("API_KEY",)},
        "additional_auth_modes[0]",
        "'API_KEY' is not one of AWS_IAM",
    ),
    "additional mode listed twice": (
        {"additional_auth_modes": ("AWS_IAM", "AWS_IAM")},
        "additional_auth_modes",
        "lists a mode twice",
    ),
    "unknown log level": ({"field_log_level": "VERBOSE"}, "field_log_level", "'VERBOSE' is not one of NONE"),
    "retention CloudWatch refuses": (
        {"log_retention_days": 10},
        "log_retention_days",
        "10 is not a retention",
    ),
    "query depth above 75": (
        {"query_depth_limit": 76},
        "query_depth_limit",
        "76 is not a whole number from 0 to 75",
    ),
    "negative resolver count": (
        {"resolver_count_limit": -1},
        "resolver_count_limit",
        "-1 is not a whole number",
    ),
    "introspection as text": ({"introspection": "OFF"}, "introspection", "must be true or false (got 'OFF')"),
    "empty user pool id": ({"user_pool_id": ""}, "user_pool_id", "must not be empty"),
    "blank api name": ({"api_name": " "}, "api_name", "must not be empty"),
    "signing region without service": (
        only_sources(Http=signed_http(signing_region="us-east-1")),
        "data_sources['Http'].http.signing_region",
        "set both signing_region and signing_service",
    ),
    "signed endpoint without statements": (
        only_sources(Http=signed_http(signing_region="r", signing_service="s")),
        "data_sources['Http'].http.statements",
        "a SigV4-signed data source needs statements",
    ),
    "endpoint without a scheme": (
        only_sources(Http=DataSource(http=HttpSource(endpoint="bedrock-runtime.us-east-1.amazonaws.com"))),
        "data_sources['Http'].http.endpoint",
        "must be an http:// or https:// URL",
    ),
    "empty table ARN": (
        only_sources(NotesTable=notes_table(table_arn=" ")),
        f"{NOTES}.table_arn",
        "must not be empty",
    ),
    "Scan among the table actions": (
        only_sources(NotesTable=notes_table(actions=["dynamodb:GetItem", "dynamodb:Scan"])),
        f"{NOTES}.actions[1]",
        f"'dynamodb:Scan' {ITEM_ACTIONS_HINT}",
    ),
    "a table action without its service": (
        only_sources(NotesTable=notes_table(actions=["GetItem"])),
        f"{NOTES}.actions[0]",
        f"'GetItem' {ITEM_ACTIONS_HINT}",
    ),
    "table actions as one string": (
        only_sources(NotesTable=notes_table(actions="dynamodb:GetItem")),
        f"{NOTES}.actions",
        "must be a list",
    ),
    "every index through a wildcard": (
        only_sources(NotesTable=notes_table(indexes=["*"])),
        f"{NOTES}.indexes[0]",
        "'*' is not an index name",
    ),
    "an index listed twice": (
        only_sources(NotesTable=notes_table(indexes=["bySeason", "bySeason"])),
        f"{NOTES}.indexes",
        "lists bySeason more than once",
    ),
    "a Lambda source waiting on something other than its ARN": (
        only_sources(
            TaskFunction=DataSource(
                function={
                    "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "depends_on": ["grant"],
                }
            )
        ),
        "data_sources['TaskFunction'].function.depends_on",
        "is not a known arg",
    ),
    "table access that grants nothing": (
        only_sources(NotesTable=notes_table(actions=[], indexes=[])),
        f"{NOTES}.actions",
        "actions and indexes are both empty",
    ),
    "a data source of two kinds": (
        only_sources(X=DataSource(none=True, function=LambdaSource(function_arn="arn"))),
        "data_sources['X']",
        "set exactly one of dynamodb, function, http or none (got ['function', 'none'])",
    ),
    "a data source of no kind": (
        only_sources(X=DataSource()),
        "data_sources['X']",
        "set exactly one of dynamodb, function, http or none (got none of them)",
    ),
    "a NONE data source switched off": (
        only_sources(X=DataSource(none=False)),
        "data_sources['X']",
        "set exactly one of dynamodb, function, http or none",
    ),
    "a NONE data source as text": (
        only_sources(X=DataSource(none="yes")),  # type: ignore[typeddict-item]
        "data_sources['X'].none",
        "must be true or false",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_args_raise_a_named_error_before_any_resource(case: str) -> None:
    overrides, path, words = BAD_ARGS[case]
    errors: list[InvalidArgsError] = []

    def program() -> None:
        try:
            GraphqlApi("api", {**example_args(), **overrides})
        except InvalidArgsError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    assert evaluation.resources == []
    (error,) = errors
    assert [problem.path for problem in error.problems] == [path], error
    assert words in error.problems[0].message
    assert str(error).startswith("GraphqlApiArgs has 1 invalid value:")


def test_every_problem_is_reported_at_once() -> None:
    """Each field is checked on its own, so one call names every bad field, however many."""
    args = {
        **example_args(),
        "field_log_level": "VERBOSE",
        "log_retention_days": 10,
        "introspection": "OFF",
        "data_sources": {"Notes-Table": DataSource(none=True)},
    }
    with pytest.raises(InvalidArgsError) as error:
        GraphqlApi("api", args)
    assert {problem.path for problem in error.value.problems} == {
        "field_log_level",
        "log_retention_days",
        "introspection",
        "data_sources['Notes-Table']",
    }


ARCHIVE = DataSourceModel(
    dynamodb=DynamoDbSourceModel(table_name="archive", table_arn=TABLE_ARN, actions=("dynamodb:GetItem",))
)


class NotesExtension(pulumi.ComponentResource):
    """Stands in for an AI route: adds its own data source and resolver to an API it did not create.

    Like the routes, it is given the API's schema and checks its resolvers against it before declaring anything.
    """

    def __init__(
        self, name: str, api: GraphqlApi, schema_sdl: str, resolvers: Mapping[str, Mapping[str, Any]]
    ) -> None:
        checked = {key: ResolverModel(**resolver) for key, resolver in resolvers.items()}
        problems = resolver_problems(schema_sdl, checked, {}, [*api.data_sources, "ArchiveTable"])
        if problems:
            raise InvalidArgsError("NotesExtensionArgs", problems)
        super().__init__("test:index:NotesExtension", name)
        source = declare_data_source(name, "ArchiveTable", api.api_id, ARCHIVE, self)
        data_sources = {**api.data_sources, "ArchiveTable": source}
        declare_resolvers(name, api.api_id, checked, {}, data_sources, self)
        self.register_outputs({})


def test_another_component_can_add_data_sources_and_resolvers_to_an_api() -> None:
    base = {**example_args(), "resolvers": {}, "functions": {}}
    extra = {"Query.getNote": Resolver(code_path=GET_NOTE, data_source="ArchiveTable")}

    def program() -> None:
        NotesExtension("archive", GraphqlApi("api", base), SCHEMA, extra)

    evaluation = evaluate_component(program)
    resolver = evaluation.named("archive-resolver-Query.getNote")
    assert resolver.parent == "archive"
    assert resolver.inputs["dataSource"] == "ArchiveTable"
    assert {"api-api", "archive-datasource-ArchiveTable"} <= set(resolver.dependencies)
    source = evaluation.named("archive-datasource-ArchiveTable")
    assert source.parent == "archive"
    assert "archive-datasource-ArchiveTable-policy" in source.dependencies
    policy = json.loads(evaluation.named("archive-datasource-ArchiveTable-policy").inputs["policy"])
    resources = {resource for entry in policy["Statement"] for resource in entry["Resource"]}
    assert resources == {TABLE_ARN}


def test_extension_resolvers_are_checked_against_the_api_schema() -> None:
    errors: list[InvalidArgsError] = []
    extra = {"Query.archived": Resolver(code_path=GET_NOTE, data_source="ArchiveTable")}

    def program() -> None:
        api = GraphqlApi("api", {**example_args(), "resolvers": {}, "functions": {}})
        try:
            NotesExtension("archive", api, SCHEMA, extra)
        except InvalidArgsError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    ((path, message),) = errors[0].problems
    assert path == "resolvers['Query.archived']"
    assert "type Query has no field 'archived'" in message
    assert not [record for record in evaluation.resources if record.name.startswith("archive")]
    assert evaluation.named("api-api")  # the API itself was declared


def test_a_malformed_api_arn_is_refused_before_the_role_is_declared() -> None:
    errors: list[ValueError] = []

    def program() -> None:
        holder = pulumi.ComponentResource("test:index:Holder", "holder")
        try:
            declare_data_source(
                "holder",
                "ArchiveTable",
                "api12345",
                ARCHIVE,
                holder,
                api_arn="arn:aws:lambda:us-east-1:123456789012:function:not-an-api",
            )
        except ValueError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    assert len(errors) == 1 and str(errors[0]).startswith("api_arn: ")
    assert [record.name for record in evaluation.resources] == ["holder"]


def test_read_schema_joins_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text("type Query { a: Int }")
    (tmp_path / "b.graphql").write_text("extend type Query { b: Int }")
    joined = read_schema(tmp_path / "a.graphql", tmp_path / "b.graphql")
    assert joined.index("a: Int") < joined.index("b: Int")
    assert set(build_appsync_schema(joined).query_type.fields) == {"a", "b"}
    with pytest.raises(ValueError, match=r"no schema file at .*missing\.graphql"):
        read_schema(tmp_path / "a.graphql", tmp_path / "missing.graphql")
