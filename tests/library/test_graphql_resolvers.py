"""GraphqlApi resolvers under mocks: bound to schema fields, with file code, on data sources or function chains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema

from tests.library.test_graphql_component import FIXTURES, SCHEMA, build_and_export, example_args
from tests.support import evaluate_component
from tools.evaluate import Evaluation


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate_component(build_and_export(example_args()))


def resolvers_and_functions(evaluation: Evaluation) -> Iterator[Any]:
    yield from evaluation.of_type("aws:appsync/resolver:Resolver")
    yield from evaluation.of_type("aws:appsync/function:Function")


def test_every_resolver_is_bound_to_a_field_of_the_schema(evaluation: Evaluation) -> None:
    schema = build_schema(
        "scalar AWSDateTime\nscalar AWSJSON\ndirective @aws_iam on FIELD_DEFINITION\n"
        "directive @aws_cognito_user_pools on OBJECT\n" + SCHEMA
    )
    bound = set()
    for record in evaluation.of_type("aws:appsync/resolver:Resolver"):
        graphql_type = schema.get_type(record.inputs["type"])
        assert isinstance(graphql_type, GraphQLObjectType)
        assert record.inputs["field"] in graphql_type.fields
        bound.add(f"{record.inputs['type']}.{record.inputs['field']}")
    assert bound == {"Query.getNote", "Query.summarize", "Query.runTask", "Mutation.saveNote"}


def test_code_is_the_file_content_on_the_appsync_js_runtime(evaluation: Evaluation) -> None:
    files = {
        "api-resolver-Query.getNote": "Query.getNote.js",
        "api-resolver-Query.summarize": "Query.summarize.js",
        "api-resolver-Query.runTask": "Query.runTask.js",
        "api-resolver-Mutation.saveNote": "Mutation.saveNote.js",
        "api-function-requireOwner": "functions/requireOwner.js",
        "api-function-putNote": "functions/putNote.js",
    }
    records = list(resolvers_and_functions(evaluation))
    assert {record.name for record in records} == set(files)
    for record in records:
        assert record.inputs["code"] == (FIXTURES / files[record.name]).read_text()
        assert record.inputs["runtime"] == {"name": "APPSYNC_JS", "runtimeVersion": "1.0.0"}
        assert "functionVersion" not in record.inputs
        assert record.parent == "api"


def test_unit_resolver_is_bound_to_its_data_source(evaluation: Evaluation) -> None:
    resolver = evaluation.named("api-resolver-Query.getNote")
    assert resolver.inputs["kind"] == "UNIT"
    assert resolver.inputs["dataSource"] == "NotesTable"
    assert resolver.inputs["apiId"] == evaluation.outputs["apiId"]
    assert {"api-api", "api-datasource-NotesTable"} <= set(resolver.dependencies)


def test_pipeline_resolver_chains_functions_by_function_id(evaluation: Evaluation) -> None:
    resolver = evaluation.named("api-resolver-Mutation.saveNote")
    function_ids = evaluation.outputs["functionIds"]
    assert resolver.inputs["kind"] == "PIPELINE"
    assert resolver.inputs["pipelineConfig"] == {
        "functions": [function_ids["requireOwner"], function_ids["putNote"]]
    }
    assert "dataSource" not in resolver.inputs
    assert {"api-function-requireOwner", "api-function-putNote"} <= set(resolver.dependencies)
    put_note = evaluation.named("api-function-putNote")
    assert put_note.inputs["dataSource"] == "NotesTable"
    assert put_note.inputs["name"] == "putNote"
    assert "api-datasource-NotesTable" in put_note.dependencies
