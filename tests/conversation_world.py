"""A conversation route as the component declares it, for resolver tests (no tests here).

Everything that could drift from a deploy is taken from the library itself: the two tables are created
from ``conversation_table_args`` / ``message_table_args`` (``sandbox.tables``), and every field resolves
through the unit resolver or pipeline ``resolver_plan`` wires for it (``route_resolutions``). The
resolvers run in Node against moto; the Lambda data source queues its events; a subscription runs its
pipeline and returns the enhanced filter it set, which ``delivers`` applies to published parts as AppSync does.
Answers the handler would store are written to the table directly (``store_answer``), so these worlds do not
depend on the handler-only mutations, which test_conversation_resolvers.py covers.
Use inside ``moto.mock_aws()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from genai_backend_components.conversation import RouteNames, conversation_table_args, message_table_args
from sandbox.subscriptions import filter_delivers
from sandbox.tables import create_table
from tests.appsync_harness import (
    DEFAULT_EXECUTORS,
    AppSyncHarness,
    DataSource,
    ResolverRun,
    dynamodb_table,
    none_source,
)
from tests.conversation_appsync import HandlerInvocations, Resolution, route_resolutions

ROUTE = "chat"
NAMES = RouteNames.of(ROUTE)
CONVERSATIONS_TABLE, MESSAGES_TABLE = "conversations", "messages"


def create_route_tables(dynamodb: Any) -> None:
    """The route's two tables, keyed and indexed exactly as the ConversationRoute component declares them."""
    create_table(dynamodb, CONVERSATIONS_TABLE, conversation_table_args(protect_data=False))
    create_table(dynamodb, MESSAGES_TABLE, message_table_args(protect_data=False))


@dataclass
class RouteWorld:
    harness: AppSyncHarness
    resolutions: dict[str, Resolution]
    invocations: HandlerInvocations
    conversation_items: Any
    """The conversations table (boto3 resource), to look at what the resolvers stored."""
    message_items: Any

    def call(
        self, field: str, identity: Mapping[str, Any] | None, *, now: str | None = None, **arguments: Any
    ) -> ResolverRun:
        """Resolves ``Query.<field>`` / ``Mutation.<field>`` / ``Subscription.<field>`` as wired."""
        [key] = [key for key in self.resolutions if key.split(".", 1)[1] == field]
        resolution = self.resolutions[key]
        if resolution.steps is None:
            assert resolution.data_source is not None
            return self.harness.run_unit(
                resolution.file, resolution.data_source, arguments=arguments, identity=identity, now=now
            )
        return self.harness.run_pipeline(
            resolution.file, resolution.steps, arguments=arguments, identity=identity, now=now
        )

    def create(self, identity: Mapping[str, Any], name: str, now: str) -> dict[str, Any]:
        run = self.call(NAMES.create_conversation, identity, now=now, input={"name": name})
        assert run.error is None, run.error
        return run.result

    def send(self, identity: Mapping[str, Any], conversation_id: str, text: str, now: str) -> ResolverRun:
        return self.call(
            NAMES.send_message, identity, now=now, conversationId=conversation_id, content=[{"text": text}]
        )

    def store_answer(
        self, conversation_id: str, user_message: Mapping[str, Any], owner: str, text: str
    ) -> dict[str, Any]:
        """An assistant answer to ``user_message`` (as sendMessage returned it), owned by ``owner``, written
        straight to the table in the shape createAssistantResponse stores: data the user's own resolvers never
        wrote, so reading it back shows that ownership is the sub and nothing else."""
        answer_id = f"{user_message['id']}#response"
        created_at = user_message["createdAt"]
        item = {"conversationId": conversation_id, "createdAtId": f"{created_at}#{answer_id}", "id": answer_id,
                "role": "assistant", "content": [{"text": text}], "associatedUserMessageId": user_message["id"],
                "owner": owner, "createdAt": created_at, "updatedAt": created_at}  # fmt: skip
        self.message_items.put_item(Item=item)
        return item

    def list_messages(self, identity: Mapping[str, Any], conversation_id: str, **page: Any) -> ResolverRun:
        return self.call(
            NAMES.list_messages, identity, filter={"conversationId": {"eq": conversation_id}}, **page
        )

    def all_messages(
        self, identity: Mapping[str, Any], conversation_id: str, limit: int
    ) -> list[dict[str, Any]]:
        """Every page of listMessages (bounded: a nextToken that never ends fails instead of hanging)."""
        items: list[dict[str, Any]] = []
        token = None
        for _ in range(50):
            run = self.list_messages(identity, conversation_id, limit=limit, nextToken=token)
            assert run.error is None, run.error
            items += run.result["items"]
            token = run.result["nextToken"]
            if token is None:
                return items
        raise AssertionError("listMessages never returned a last page")

    def subscribe(self, identity: Mapping[str, Any], conversation_id: str) -> ResolverRun:
        """Subscribes as AppSync does; ``run.subscription_filter`` is the enhanced filter it set."""
        return self.call(NAMES.assistant_response_subscription, identity, conversationId=conversation_id)

    @staticmethod
    def stream_part(conversation_id: str, owner: str, text: str = "Hello") -> dict[str, Any]:
        """A streamed part as published to subscribers (createAssistantResponseStream's result); the
        subscription filter reads its ``conversationId`` and ``owner``."""
        return {"id": "u1#stream", "conversationId": conversation_id, "associatedUserMessageId": "u1",
                "owner": owner, "contentBlockIndex": 0, "contentBlockDeltaIndex": 0,
                "contentBlockText": text}  # fmt: skip

    @staticmethod
    def delivers(subscription: ResolverRun, published: list[dict[str, Any]]) -> list[bool]:
        """Which published parts a subscription receives (its filter applied as AppSync applies it)."""
        assert subscription.error is None and subscription.subscription_filter is not None, subscription.error
        return [filter_delivers(subscription.subscription_filter, part) for part in published]

    def stored_conversation(self, owner: str, conversation_id: str) -> dict[str, Any] | None:
        return self.conversation_items.get_item(Key={"owner": owner, "id": conversation_id}).get("Item")

    def stored_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.message_items.query(
            KeyConditionExpression="conversationId = :id",
            ExpressionAttributeValues={":id": conversation_id},
            ConsistentRead=True,
        )["Items"]


@contextmanager
def route_world(region: str, code_dir: Path) -> Iterator[RouteWorld]:
    """Tables, wiring and one Node worker for a module; call inside ``moto.mock_aws()``."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    create_route_tables(dynamodb)
    sources: dict[str, DataSource] = {
        NAMES.data_sources["conversations"]: dynamodb_table(
            NAMES.data_sources["conversations"], dynamodb, CONVERSATIONS_TABLE
        ),
        NAMES.data_sources["messages"]: dynamodb_table(
            NAMES.data_sources["messages"], dynamodb, MESSAGES_TABLE
        ),
        NAMES.data_sources["handler"]: DataSource(kind="AWS_LAMBDA", name=NAMES.data_sources["handler"]),
        NAMES.data_sources["none"]: none_source(NAMES.data_sources["none"]),
    }
    invocations = HandlerInvocations()
    resource = boto3.resource("dynamodb", region_name=region)
    with AppSyncHarness(executors={**DEFAULT_EXECUTORS, "AWS_LAMBDA": invocations}) as harness:
        yield RouteWorld(
            harness=harness,
            resolutions=route_resolutions(ROUTE, sources, code_dir),
            invocations=invocations,
            conversation_items=resource.Table(CONVERSATIONS_TABLE),
            message_items=resource.Table(MESSAGES_TABLE),
        )
