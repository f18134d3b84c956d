"""A GraphQL API over a notes table: Cognito users read their own notes through one APPSYNC_JS resolver.

``GraphqlApi`` is given the user pool, the table and the resolver code; it creates the AppSync API, its log
group, and a data source whose role may send exactly the listed DynamoDB actions to that one table.
"""

from pathlib import Path

import pulumi

from genai_backend_components.auth import Auth, AuthArgs
from genai_backend_components.graphql import (
    DataSource,
    DynamoDbSource,
    GraphqlApi,
    GraphqlApiArgs,
    Resolver,
    read_schema,
)
from genai_backend_components.table import Table, TableArgs

HERE = Path(__file__).resolve().parent

config = pulumi.Config()
region = pulumi.Config("aws").require("region")

auth = Auth("auth", AuthArgs(region=region, protect_data=False))
notes = Table(
    "notes",
    TableArgs(
        hash_key="owner", range_key="id", attribute_types={"owner": "S", "id": "S"}, protect_data=False
    ),
)
api = GraphqlApi(
    "notes",
    GraphqlApiArgs(
        schema_sdl=read_schema(HERE / "schema.graphql"),
        user_pool_id=auth.user_pool_id,
        field_log_level=config.get("apiLogLevel") or "ERROR",
        data_sources={
            # getNote.js sends GetItem only, so that is all the data source's role may do.
            "Notes": DataSource(
                dynamodb=DynamoDbSource(
                    table_name=notes.name, table_arn=notes.arn, actions=["dynamodb:GetItem"]
                )
            ),
        },
        resolvers={
            "Query.getNote": Resolver(code_path=str(HERE / "resolvers" / "getNote.js"), data_source="Notes"),
        },
    ),
)

pulumi.export("graphqlUrl", api.graphql_url)
pulumi.export("userPoolId", auth.user_pool_id)
pulumi.export("userPoolClientId", auth.client_id)
