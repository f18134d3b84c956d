"""The League API's own data: the League and follows tables, the League function and its layer.

The League table is "external" to the API: it is created here (or, with ``leagueTableName``, an existing
table is used by name) and handed to the API as a data source, so the API depends on the data and never
the other way round: the circular dependency Amplify users fight does not arise.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from app.api_schema import RESOLVER_DATA_SOURCES
from app.component_args import SEASON_INDEX, follows_table_args, league_function_args, league_table_args
from app.paths import LAYER_CACHE, LEAGUE_CODE, RESOLVERS
from app.stack_values import StackValues
from genai_backend_components.function import LoggedFunction
from genai_backend_components.graphql import DataSource, Resolver
from genai_backend_components.iam import statement
from genai_backend_components.table import Table
from tools.build_layer import build_layer

LEAGUE_FUNCTION_ACTIONS = ("dynamodb:PutItem",)
"""All the League function may do to the League table: the conditional put of an upsert."""
FOLLOWS_ACTIONS = ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:GetItem")
"""What resolvers/Mutation.action.js, Mutation.unfollow.js and Query.myFollows.js send. GetItem: after a
failed delete condition AppSync reads the item to tell "already gone"."""


@dataclass(frozen=True)
class LeagueData:
    league_table_name: pulumi.Output[str]
    league_table_arn: pulumi.Output[str]
    league_table: Table | None
    """None when the stack uses an existing table (``leagueTableName``)."""
    follows: Table
    league_function: LoggedFunction
    league_function_grant: aws.iam.RolePolicy
    """The League function's table access; whatever invokes the function must wait for it."""


def league_data_sources(
    *,
    league_table_name: pulumi.Input[str],
    league_table_arn: pulumi.Input[str],
    follows_name: pulumi.Input[str],
    follows_arn: pulumi.Input[str],
    league_function_arn: pulumi.Input[str],
) -> dict[str, DataSource]:
    """Each role may do exactly what its resolvers send: getLeague a GetItem, listLeagues a Query on the
    season index; league writes only through the League function, which validates them."""
    return {
        "LeagueTable": DataSource(
            dynamodb={
                "table_name": league_table_name,
                "table_arn": league_table_arn,
                "actions": ["dynamodb:GetItem"],
                "indexes": [SEASON_INDEX],
            }
        ),
        "FollowsTable": DataSource(
            dynamodb={"table_name": follows_name, "table_arn": follows_arn, "actions": list(FOLLOWS_ACTIONS)}
        ),
        "LeagueFunction": DataSource(function={"function_arn": league_function_arn}),
    }


def league_resolvers() -> dict[str, Resolver]:
    return {
        field: Resolver(code_path=str(RESOLVERS / f"{field}.js"), data_source=source)
        for field, source in RESOLVER_DATA_SOURCES.items()
    }


def declare_league_data(
    name: str, values: StackValues, *, account_id: pulumi.Input[str], partition: str, parent: pulumi.Resource
) -> LeagueData:
    child = pulumi.ResourceOptions(parent=parent)
    existing = values.values.get("leagueTableName")
    table: Table | None = None
    if existing:
        # An existing table is referenced, not managed: its ARN follows from its name, no lookup needed.
        table_name = pulumi.Output.from_input(existing)
        table_arn = pulumi.Output.concat(
            f"arn:{partition}:dynamodb:{values.region}:", account_id, f":table/{existing}"
        )
    else:
        table = Table(f"{name}-league", league_table_args(values), opts=child)
        table_name, table_arn = table.name, table.arn
    follows = Table(f"{name}-follows", follows_table_args(values), opts=child)
    layer = aws.lambda_.LayerVersion(
        f"{name}-league-deps",
        layer_name=f"{values.project}-{values.stack}-league-deps",
        description="pydantic for the League function (pinned, built by tools/build_layer.py)",
        code=pulumi.FileArchive(str(build_layer(LEAGUE_CODE / "requirements.txt", LAYER_CACHE))),
        compatible_runtimes=["python3.13"],
        compatible_architectures=["arm64"],
        opts=child,
    )
    function = LoggedFunction(
        f"{name}-league-fn",
        league_function_args(values, code_path=str(LEAGUE_CODE), table_name=table_name, layer_arn=layer.arn),
        opts=child,
    )
    # Exactly what the handler calls: one conditional PutItem per upsert (it reads nothing; reads go from
    # AppSync straight to the table).
    grant = function.grant("league-table", [statement("WriteLeagues", LEAGUE_FUNCTION_ACTIONS, [table_arn])])
    return LeagueData(
        league_table_name=table_name,
        league_table_arn=table_arn,
        league_table=table,
        follows=follows,
        league_function=function,
        league_function_grant=grant,
    )
