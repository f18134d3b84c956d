"""A notes table: one partition per user, an index listing a user's notes newest first, and item expiry.

``Table`` is always on-demand (PAY_PER_REQUEST) and encrypted; ``protect_data`` is the production switch.
"""

import pulumi

from genai_backend_components.table import GlobalSecondaryIndex, Table, TableArgs

config = pulumi.Config()
# Turn it on for production stacks: `pulumi config set protectData true`.
protect_data = config.get_bool("protectData") or False

notes = Table(
    "notes",
    TableArgs(
        # Each user's notes share a partition; the sort key tells them apart.
        hash_key="owner",
        range_key="id",
        # Types of every key attribute of the table and its index, and of nothing else.
        attribute_types={"owner": "S", "id": "S", "updatedAt": "S"},
        global_secondary_indexes=[
            GlobalSecondaryIndex(name="byOwnerUpdatedAt", hash_key="owner", range_key="updatedAt"),
        ],
        # An epoch-seconds number attribute; DynamoDB deletes a note some time after it passes.
        ttl_attribute="expiresAt",
        protect_data=protect_data,
        tags={"example": "table"},
    ),
)

pulumi.export("tableName", notes.name)
pulumi.export("tableArn", notes.arn)
