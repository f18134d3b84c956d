"""Everything GraphqlApi can send to AppSync is a value AppSync's own API model (botocore) accepts."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import botocore.session
import pytest
from pydantic import TypeAdapter, ValidationError

from genai_backend_components.constraints import GraphqlName
from genai_backend_components.graphql import (
    APPSYNC_RUNTIME,
    MAX_CODE_LENGTH,
    MAX_QUERY_DEPTH,
    MAX_RESOLVER_COUNT,
    AdditionalAuthMode,
    DataSourceModel,
    DefaultAction,
    DynamoDbSourceModel,
    FieldLogLevel,
    GraphqlApi,
    GraphqlApiModel,
    HttpSourceModel,
    LambdaSourceModel,
)
from genai_backend_components.graphql.api import PRIMARY_AUTHENTICATION_TYPE, VISIBILITY
from genai_backend_components.table import (
    DYNAMODB_ITEM_ACTIONS,
    DYNAMODB_ITEM_READ_ACTIONS,
    DYNAMODB_ITEM_WRITE_ACTIONS,
)
from genai_backend_components.validation import InvalidArgsError, check_args
from tests.library.test_graphql_component import SCHEMA, build_and_export, example_args
from tests.support import evaluate_component
from tools.evaluate import Evaluation

SESSION = botocore.session.get_session()
APPSYNC = SESSION.get_service_model("appsync")


def enum(shape: str) -> set[str]:
    return set(APPSYNC.shape_for(shape).enum)


def member(operation: str, name: str) -> Any:
    return APPSYNC.operation_model(operation).input_shape.members[name]


def values(choices: type[Enum]) -> set[str]:
    return {choice.value for choice in choices}


DATA_SOURCE_KINDS = {
    DataSourceModel(
        dynamodb=DynamoDbSourceModel(table_name="t", table_arn="arn", actions=("dynamodb:GetItem",))
    ).kind,
    DataSourceModel(function=LambdaSourceModel(function_arn="arn")).kind,
    DataSourceModel(http=HttpSourceModel(endpoint="https://example.com")).kind,
    DataSourceModel(none=True).kind,
}
"""The AppSync ``DataSourceType`` of each kind of data source the args offer."""


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate_component(build_and_export(example_args(field_log_level="ALL", introspection=False)))


def test_every_choice_the_args_accept_is_an_appsync_value() -> None:
    assert values(FieldLogLevel) == enum("FieldLogLevel")
    assert values(DefaultAction) == enum("DefaultAction")
    assert {PRIMARY_AUTHENTICATION_TYPE, *values(AdditionalAuthMode)} <= enum("AuthenticationType")
    assert VISIBILITY in enum("GraphQLApiVisibility")
    assert len(DATA_SOURCE_KINDS) == 4 and enum("DataSourceType") >= DATA_SOURCE_KINDS
    assert APPSYNC_RUNTIME["name"] in enum("RuntimeName")


def test_introspection_switch_offers_exactly_the_appsync_configs() -> None:
    """``introspection`` is a bool; each value must send an AppSync config, and together all of them."""

    def sent(introspection: bool) -> str:
        def program() -> None:
            GraphqlApi("api", {"schema_sdl": SCHEMA, "user_pool_id": "pool", "introspection": introspection})

        return evaluate_component(program).named("api-api").inputs["introspectionConfig"]

    assert {sent(True), sent(False)} == enum("GraphQLApiIntrospectionConfig")
    assert sent(False) == "DISABLED"


def test_wire_values_of_a_full_api_are_appsync_values(evaluation: Evaluation) -> None:
    (api,) = evaluation.of_type("aws:appsync/graphQLApi:GraphQLApi")
    assert api.inputs["authenticationType"] in enum("AuthenticationType")
    for provider in api.inputs["additionalAuthenticationProviders"]:
        assert provider["authenticationType"] in enum("AuthenticationType")
    assert api.inputs["userPoolConfig"]["defaultAction"] in enum("DefaultAction")
    assert api.inputs["logConfig"]["fieldLogLevel"] in enum("FieldLogLevel")
    assert api.inputs["introspectionConfig"] in enum("GraphQLApiIntrospectionConfig")
    assert api.inputs["visibility"] in enum("GraphQLApiVisibility")
    sources = evaluation.of_type("aws:appsync/dataSource:DataSource")
    assert {source.inputs["type"] for source in sources} <= enum("DataSourceType")
    for source in sources:
        authorization = source.inputs.get("httpConfig", {}).get("authorizationConfig")
        if authorization:
            assert authorization["authorizationType"] in enum("AuthorizationType")
    resolvers = evaluation.of_type("aws:appsync/resolver:Resolver")
    assert {resolver.inputs["kind"] for resolver in resolvers} == enum("ResolverKind")
    for record in [*resolvers, *evaluation.of_type("aws:appsync/function:Function")]:
        assert record.inputs["runtime"]["name"] in enum("RuntimeName")


def test_numeric_bounds_match_the_api_model() -> None:
    assert member("CreateGraphqlApi", "queryDepthLimit").metadata == {"min": 0, "max": MAX_QUERY_DEPTH}
    assert member("CreateGraphqlApi", "resolverCountLimit").metadata == {"min": 0, "max": MAX_RESOLVER_COUNT}
    assert member("CreateResolver", "code").metadata["max"] == MAX_CODE_LENGTH
    assert member("CreateFunction", "code").metadata["max"] == MAX_CODE_LENGTH


@pytest.mark.parametrize(
    "name", ["LeagueTable", "_private", "Table2", "League-Table", "2Table", "League Table", ""]
)
def test_name_rule_agrees_with_the_api_pattern(name: str) -> None:
    pattern = member("CreateDataSource", "name").metadata["pattern"]
    assert member("CreateFunction", "name").metadata["pattern"] == pattern
    assert member("CreateResolver", "fieldName").metadata["pattern"] == pattern
    accepted_by_aws = re.fullmatch(pattern, name) is not None
    try:
        TypeAdapter(GraphqlName).validate_python(name)
        accepted_here = True
    except ValidationError:
        accepted_here = False
    assert accepted_here == accepted_by_aws
    # And it is the rule the API's data source names are checked with.
    args = {"schema_sdl": SCHEMA, "user_pool_id": "pool", "data_sources": {name: {"none": True}}}
    try:
        check_args(GraphqlApiModel, "GraphqlApiArgs", args)
        accepted_as_data_source = True
    except InvalidArgsError as error:
        assert [problem.path for problem in error.problems] == [f"data_sources[{name!r}]"]
        accepted_as_data_source = False
    assert accepted_as_data_source == accepted_by_aws


def test_log_retention_accepts_exactly_the_values_cloudwatch_documents() -> None:
    documentation = SESSION.get_service_model("logs").shape_for("Days").documentation
    listed = documentation.split("Possible values are:")[1].split(".")[0]
    documented = {int(number) for number in re.findall(r"\d+", listed)}
    base = example_args()
    for days in sorted(documented | {0, 2, 4000}):
        try:
            check_args(GraphqlApiModel, "GraphqlApiArgs", {**base, "log_retention_days": days})
            accepted = True
        except InvalidArgsError as error:
            assert [problem.path for problem in error.problems] == ["log_retention_days"]
            accepted = False
        assert accepted == (days in documented), days


# IAM action names that differ from the API operation they authorise.
ACTION_OPERATIONS = {"dynamodb:ConditionCheckItem": "TransactWriteItems"}  # its ConditionCheck element


def test_dynamodb_item_actions_name_real_operations_and_leave_out_scan() -> None:
    operations = set(SESSION.get_service_model("dynamodb").operation_names)
    for action in DYNAMODB_ITEM_ACTIONS:
        service, name = action.split(":")
        assert service == "dynamodb" and ACTION_OPERATIONS.get(action, name) in operations, action
    assert "dynamodb:Scan" not in DYNAMODB_ITEM_ACTIONS
    assert not set(DYNAMODB_ITEM_READ_ACTIONS) & set(DYNAMODB_ITEM_WRITE_ACTIONS)
