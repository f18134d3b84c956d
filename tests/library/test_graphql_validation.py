"""Bad GraphqlApi input fails before anything is declared, and other components can extend an existing API."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from genai_backend_components.graphql import GraphqlApi, read_schema
from genai_backend_components.graphql import (
    DynamoDbDataSource,
    HttpDataSource,
    LambdaDataSource,
    NoneDataSource,
    declare_data_source,
)
from genai_backend_components.graphql import PipelineFunction, Resolver, build_appsync_schema, declare_resolvers
from tests.support import evaluate_component
from tests.library.test_graphql_component import FIXTURES, SCHEMA, example_args

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/notes"
GET_NOTE = FIXTURES / "Query.getNote.js"


def only_resolver(key: str, resolver: Resolver) -> dict[str, Any]:
    return {"resolvers": {key: resolver}}


def notes_table(**access: Any) -> DynamoDbDataSource:
    access.setdefault("actions", ("dynamodb:GetItem",))
    return DynamoDbDataSource(table_name="notes", table_arn=TABLE_ARN, **access)


BAD_ARGS = {
    "hyphen in data source name": (
        {"data_sources": {"Notes-Table": NoneDataSource()}, "functions": {}, "resolvers": {}},
        "'Notes-Table' is not a valid AppSync name",
    ),
    "data source name starting with a digit": (
        {"data_sources": {"1Notes": NoneDataSource()}, "functions": {}, "resolvers": {}},
        "'1Notes' is not a valid AppSync name",
    ),
    "unknown field": (
        only_resolver("Query.getNotes", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['Query.getNotes']: type Query has no field 'getNotes'",
    ),
    "unknown type": (
        only_resolver("Subscription.onNote", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['Subscription.onNote']: the schema has no object type 'Subscription'",
    ),
    "key without a field": (
        only_resolver("getNote", Resolver(code_path=GET_NOTE, data_source="NotesTable")),
        "resolvers['getNote']: key 'getNote' must look like 'Type.field'",
    ),
    "unknown data source": (
        only_resolver("Query.getNote", Resolver(code_path=GET_NOTE, data_source="Notes")),
        "resolvers['Query.getNote'].data_source: unknown data source 'Notes'",
    ),
    "missing resolver file": (
        only_resolver(
            "Query.getNote", Resolver(code_path=FIXTURES / "Query.nope.js", data_source="NotesTable")
        ),
        "resolvers['Query.getNote'].code_path: no file at",
    ),
    "unit and pipeline at once": (
        only_resolver(
            "Query.getNote", Resolver(code_path=GET_NOTE, data_source="NotesTable", pipeline=["putNote"])
        ),
        "resolvers['Query.getNote']: set exactly one of data_source (UNIT) or pipeline (PIPELINE)",
    ),
    "unknown pipeline function": (
        only_resolver(
            "Mutation.saveNote", Resolver(code_path=GET_NOTE, pipeline=["requireOwner", "putNotes"])
        ),
        "resolvers['Mutation.saveNote'].pipeline: unknown function 'putNotes'",
    ),
    "function on an unknown data source": (
        {"functions": {"putNote": PipelineFunction(data_source="Notes", code_path=GET_NOTE)}},
        "functions['putNote'].data_source: unknown data source 'Notes'",
    ),
    "missing function file": (
        {"functions": {"putNote": PipelineFunction(data_source="NotesTable", code_path=FIXTURES / "x.js")}},
        "functions['putNote'].code_path: no file at",
    ),
    "schema that does not parse": ({"schema": "type Query {"}, "GraphqlApiArgs.schema"),
    "schema redeclaring an AppSync scalar": (
        {"schema": "scalar AWSDateTime\n" + SCHEMA},
        "declares AWSDateTime, which AppSync defines itself",
    ),
    "deny by default with an additional mode": ({"default_action": "DENY"}, "GraphqlApiArgs.default_action"),
    "unsupported additional mode": (
        {"additional_auth_modes": ("API_KEY",)},
        "GraphqlApiArgs.additional_auth_modes",
    ),
    "unknown log level": ({"field_log_level": "VERBOSE"}, "GraphqlApiArgs.field_log_level: 'VERBOSE'"),
    "retention CloudWatch refuses": ({"log_retention_days": 10}, "GraphqlApiArgs.log_retention_days: 10"),
    "query depth above 75": ({"query_depth_limit": 76}, "GraphqlApiArgs.query_depth_limit: 76"),
    "negative resolver count": ({"resolver_count_limit": -1}, "GraphqlApiArgs.resolver_count_limit: -1"),
    "unknown introspection": ({"introspection": "OFF"}, "GraphqlApiArgs.introspection: 'OFF'"),
    "signing region without service": (
        {
            "data_sources": {
                "Http": HttpDataSource(endpoint="https://example.com", signing_region="us-east-1")
            }
        },
        "data_sources['Http']: set both signing_region and signing_service",
    ),
    "signed endpoint without statements": (
        {
            "data_sources": {
                "Http": HttpDataSource(
                    endpoint="https://example.com", signing_region="r", signing_service="s"
                )
            }
        },
        "data_sources['Http'].statements",
    ),
    "endpoint without a scheme": (
        {"data_sources": {"Http": HttpDataSource(endpoint="bedrock-runtime.us-east-1.amazonaws.com")}},
        "data_sources['Http'].endpoint",
    ),
    "empty table ARN": (
        {
            "data_sources": {
                "NotesTable": DynamoDbDataSource(
                    table_name="notes", table_arn=" ", actions=("dynamodb:GetItem",)
                )
            }
        },
        "data_sources['NotesTable'].table_arn: must not be empty",
    ),
    "Scan among the table actions": (
        {"data_sources": {"NotesTable": notes_table(actions=["dynamodb:GetItem", "dynamodb:Scan"])}},
        "data_sources['NotesTable'].actions: 'dynamodb:Scan' not allowed",
    ),
    "a table action without its service": (
        {"data_sources": {"NotesTable": notes_table(actions=["GetItem"])}},
        "data_sources['NotesTable'].actions: 'GetItem' not allowed; use item actions from dynamodb:",
    ),
    "table actions as one string": (
        {"data_sources": {"NotesTable": notes_table(actions="dynamodb:GetItem")}},
        "data_sources['NotesTable'].actions: give a list",
    ),
    "every index through a wildcard": (
        {"data_sources": {"NotesTable": notes_table(indexes=["*"])}},
        "data_sources['NotesTable'].indexes: '*' is not an index name",
    ),
    "an index listed twice": (
        {"data_sources": {"NotesTable": notes_table(indexes=["bySeason", "bySeason"])}},
        "data_sources['NotesTable'].indexes: lists bySeason more than once",
    ),
    "a Lambda source waiting on an ARN instead of a resource": (
        {
            "data_sources": {
                "TaskFunction": LambdaDataSource(
                    function_arn="arn:aws:lambda:us-east-1:123456789012:function:f", depends_on=["grant"]
                )
            }
        },
        "data_sources['TaskFunction'].depends_on: give a list of Pulumi resources",
    ),
    "table access that grants nothing": (
        {"data_sources": {"NotesTable": notes_table(actions=[], indexes=[])}},
        "data_sources['NotesTable']: actions and indexes are both empty",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_args_raise_a_named_error_before_any_resource(case: str) -> None:
    overrides, message = BAD_ARGS[case]
    errors: list[ValueError] = []

    def program() -> None:
        try:
            GraphqlApi("api", dataclasses.replace(example_args(), **overrides))
        except ValueError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    assert len(errors) == 1
    assert message in str(errors[0])
    assert evaluation.resources == []


class NotesExtension(pulumi.ComponentResource):
    """Stands in for an AI route: adds its own data source and resolver to an API it did not create."""

    def __init__(self, name: str, api: GraphqlApi, resolvers: dict[str, Resolver]) -> None:
        super().__init__("test:index:NotesExtension", name)
        source = declare_data_source(
            name,
            "ArchiveTable",
            api.api_id,
            DynamoDbDataSource(table_name="archive", table_arn=TABLE_ARN, actions=("dynamodb:GetItem",)),
            self,
        )
        data_sources = {**api.data_sources, "ArchiveTable": source}
        declare_resolvers(name, api.api_id, api.schema_sdl, resolvers, {}, data_sources, self)
        self.register_outputs({})


def test_another_component_can_add_data_sources_and_resolvers_to_an_api() -> None:
    base = dataclasses.replace(example_args(), resolvers={}, functions={})
    extra = {"Query.getNote": Resolver(code_path=GET_NOTE, data_source="ArchiveTable")}

    def program() -> None:
        NotesExtension("archive", GraphqlApi("api", base), extra)

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
    errors: list[ValueError] = []
    extra = {"Query.archived": Resolver(code_path=GET_NOTE, data_source="ArchiveTable")}

    def program() -> None:
        api = GraphqlApi("api", dataclasses.replace(example_args(), resolvers={}, functions={}))
        try:
            NotesExtension("archive", api, extra)
        except ValueError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    assert "type Query has no field 'archived'" in str(errors[0])
    assert not [record for record in evaluation.resources if record.name.startswith("archive-resolver")]


def test_a_malformed_api_arn_is_refused_before_the_role_is_declared() -> None:
    errors: list[ValueError] = []

    def program() -> None:
        holder = pulumi.ComponentResource("test:index:Holder", "holder")
        try:
            declare_data_source(
                "holder",
                "ArchiveTable",
                "api12345",
                notes_table(actions=["dynamodb:GetItem"]),
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
