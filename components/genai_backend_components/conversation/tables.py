"""The two owner-scoped tables of a conversation route, as ``TableArgs``.

Public so that anything standing in for DynamoDB (the offline sandbox, resolver tests against moto) creates
tables keyed exactly as a deploy would: a key or index renamed here changes both at once.
"""

from collections.abc import Mapping

import pulumi

from ..table import GlobalSecondaryIndex, TableArgs

OWNER_UPDATED_AT_INDEX = "byOwnerUpdatedAt"
"""Also named in resolvers/listConversations.js."""
CONVERSATIONS_STREAM_VIEW = "KEYS_ONLY"
"""The cleanup needs only (owner, id) of a deleted conversation, so the stream carries no content."""


def conversation_table_args(
    protect_data: bool, tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
) -> TableArgs:
    """Conversations, keyed (owner = Cognito sub, id); one user's list is a Query on ``byOwnerUpdatedAt``."""
    return TableArgs(
        hash_key="owner",
        range_key="id",
        attribute_types={"owner": "S", "id": "S", "updatedAt": "S"},
        global_secondary_indexes=[
            GlobalSecondaryIndex(name=OWNER_UPDATED_AT_INDEX, hash_key="owner", range_key="updatedAt")
        ],
        protect_data=protect_data,
        stream_view_type=CONVERSATIONS_STREAM_VIEW,
        **({"tags": tags} if tags is not None else {}),
    )


def message_table_args(
    protect_data: bool, tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
) -> TableArgs:
    """Messages, keyed (conversationId, createdAtId = "<createdAt>#<id>"): history in order, read consistently."""
    return TableArgs(
        hash_key="conversationId",
        range_key="createdAtId",
        attribute_types={"conversationId": "S", "createdAtId": "S"},
        protect_data=protect_data,
        **({"tags": tags} if tags is not None else {}),
    )
