"""The League data: tables, the League function and its dependency layer, declared before the API.

The League table is "external" to the API: it is created here (or, with ``leagueTableName``, an
existing table is used by name) and handed to the API as a data source, so the API depends on the
data and never the other way round — the circular dependency Amplify users fight does not arise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.function import LoggedFunction, LoggedFunctionArgs
from components.iam import statement
from components.settings_model import StackSettings
from components.table import GlobalSecondaryIndex, Table, TableArgs
from tools.build_layer import build_layer

ROOT = Path(__file__).resolve().parent.parent
LEAGUE_CODE = ROOT / "functions" / "league"
LAYER_CACHE = ROOT / "build" / "layers"
SEASON_INDEX = "bySeason"
"""The League table's index by season, which Query.listLeagues reads."""
LEAGUE_FUNCTION_ACTIONS = ("dynamodb:PutItem",)
"""All the League function may do to the League table: the conditional put of an upsert."""


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


def _league_table(
    name: str,
    settings: StackSettings,
    *,
    account_id: pulumi.Input[str],
    partition: str,
    parent: pulumi.Resource,
) -> tuple[pulumi.Output[str], pulumi.Output[str], Table | None]:
    if settings.league_table_name:
        # An existing table is referenced, not managed: its ARN follows from its name, no lookup needed.
        arn = pulumi.Output.concat(
            f"arn:{partition}:dynamodb:{settings.region}:", account_id, f":table/{settings.league_table_name}"
        )
        return pulumi.Output.from_input(settings.league_table_name), arn, None
    table = Table(
        f"{name}-league",
        TableArgs(
            hash_key="id",
            attribute_types={"id": "S", "season": "N"},
            global_secondary_indexes=[
                GlobalSecondaryIndex(name=SEASON_INDEX, hash_key="season", range_key="id")
            ],
            protect_data=settings.protect_data,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return table.name, table.arn, table


def declare_league_data(
    name: str,
    settings: StackSettings,
    *,
    account_id: pulumi.Input[str],
    partition: str,
    parent: pulumi.Resource,
) -> LeagueData:
    child = pulumi.ResourceOptions(parent=parent)
    table_name, table_arn, table = _league_table(
        name, settings, account_id=account_id, partition=partition, parent=parent
    )
    follows = Table(
        f"{name}-follows",
        TableArgs(
            hash_key="owner",
            range_key="followId",
            attribute_types={"owner": "S", "followId": "S"},
            protect_data=settings.protect_data,
        ),
        opts=child,
    )
    layer = aws.lambda_.LayerVersion(
        f"{name}-league-deps",
        layer_name=f"{settings.project}-{settings.stack}-league-deps",
        description="pydantic for the League function (pinned, built by tools/build_layer.py)",
        code=pulumi.FileArchive(str(build_layer(LEAGUE_CODE / "requirements.txt", LAYER_CACHE))),
        compatible_runtimes=["python3.13"],
        compatible_architectures=["arm64"],
        opts=child,
    )
    function = LoggedFunction(
        f"{name}-league-fn",
        LoggedFunctionArgs(
            code_path=str(LEAGUE_CODE),
            handler="league.handler.handler",
            environment={"LEAGUE_TABLE_NAME": table_name},
            log_retention_days=settings.log_retention_days,
            application_log_level=settings.functions.application_level,
            system_log_level=settings.functions.system_level,
            tracing_mode="Active" if settings.tracing else None,
            layers=[layer.arn],
        ),
        opts=child,
    )
    # Exactly what the handler calls: one conditional PutItem per upsert (it reads nothing; reads go
    # from AppSync straight to the table).
    table_grant = function.grant(
        "league-table",
        [statement("WriteLeagues", LEAGUE_FUNCTION_ACTIONS, [table_arn])],
    )
    return LeagueData(
        league_table_name=table_name,
        league_table_arn=table_arn,
        league_table=table,
        follows=follows,
        league_function=function,
        league_function_grant=table_grant,
    )
