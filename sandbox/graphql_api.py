"""The GraphQL side of AppSync: requests parsed, validated, authorized and executed against the schema.

A request is parsed and validated against the deployed schema (``appsync_scalars.build_schema``: AppSync's
implicit scalars and directives), every field is authorized as AppSync does (``authorization.Authorizer``),
root fields run their APPSYNC_JS resolvers (``ResolverRunner``), and nested fields read the parent's value, as
AppSync does for fields without a resolver. A mutation named in a subscription's ``@aws_subscribe(mutations:
[...])`` publishes its result, limited to the fields the mutation selected, to that subscription's subscribers
(``subscriptions.SubscriptionHub``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    parse,
    print_ast,
    validate,
)
from graphql.execution.values import get_argument_values
from graphql.language import ListValueNode, StringValueNode

from sandbox.appsync_scalars import build_schema
from sandbox.authorization import Authorizer, Caller, not_authorized
from sandbox.runtime.node_worker import ResolverCrashError
from sandbox.runtime.pipeline import GraphqlError as ResolverError
from sandbox.runtime.pipeline import PipelineFunction, ResolverRun, ResolverRunner, base_context
from sandbox.runtime.sources import DataSource, DataSourceRequestError
from sandbox.subscriptions import Subscriber, SubscriptionHub

ROOT_TYPES = ("Query", "Mutation", "Subscription")
log = logging.getLogger("sandbox")


class RequestRejectedError(Exception):
    """The whole request is refused before execution (AppSync answers without running any resolver)."""

    def __init__(self, message: str, error_type: str = "ValidationError") -> None:
        super().__init__(message)
        self.error_type = error_type


# ---- Resolvers


@dataclass(frozen=True)
class FieldResolver:
    """What AppSync runs for one root field: a unit resolver (one step, no pipeline file) or a pipeline."""

    steps: tuple[PipelineFunction, ...]
    pipeline: Path | None = None

    @staticmethod
    def unit(file: Path, data_source: DataSource) -> FieldResolver:
        return FieldResolver((PipelineFunction(Path(file), data_source),))


@dataclass
class FieldLog:
    """One resolved root field, for the per-request log."""

    name: str
    seconds: float
    run: ResolverRun | None
    error: str | None = None


@dataclass
class Operation:
    """One parsed, validated GraphQL request."""

    document: DocumentNode
    definition: OperationDefinitionNode
    variables: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.definition.operation.value

    @property
    def name(self) -> str | None:
        return self.definition.name.value if self.definition.name else None

    @property
    def root_fields(self) -> list[FieldNode]:
        return [node for node in self.definition.selection_set.selections if isinstance(node, FieldNode)]

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        return {
            node.name.value: node
            for node in self.document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }


def selection_names(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> dict[str, SelectionSetNode | None]:
    """Field name -> its sub-selection, through fragments (aliases do not matter for what is published)."""
    found: dict[str, SelectionSetNode | None] = {}
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            found[node.name.value] = node.selection_set
        elif isinstance(node, InlineFragmentNode):
            found.update(selection_names(node.selection_set, fragments))
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            found.update(selection_names(fragments[node.name.value].selection_set, fragments))
    return found


def selected_only(value: Any, selection_set: SelectionSetNode | None, fragments: Mapping[str, Any]) -> Any:
    """``value`` limited to the selected fields: AppSync publishes only what the mutation selected."""
    if selection_set is None or value is None:
        return value
    if isinstance(value, list):
        return [selected_only(item, selection_set, fragments) for item in value]
    if not isinstance(value, dict):
        return value
    names = selection_names(selection_set, fragments)
    return {
        name: selected_only(value.get(name), sub, fragments)
        for name, sub in names.items()
        if name != "__typename"
    }


def _selection_list(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    paths = []
    for name, sub in selection_names(selection_set, fragments).items():
        path = f"{prefix}{name}"
        paths.append(path)
        paths += _selection_list(sub, fragments, f"{path}/")
    return paths


class GraphqlApi:
    """Validates, authorizes and executes requests against the deployed schema and resolvers."""

    def __init__(
        self,
        schema_sdl: str,
        resolvers: Mapping[str, FieldResolver],
        runner: ResolverRunner,
        *,
        hub: SubscriptionHub | None = None,
    ) -> None:
        self.schema = build_schema(schema_sdl)
        self.authorizer = Authorizer(self.schema)
        self.resolvers = dict(resolvers)
        self.runner = runner
        self.hub = hub or SubscriptionHub()
        self.subscribed_by: dict[str, list[str]] = self._subscriptions_by_mutation()
        self._appended = threading.local()
        """Errors from util.appendError of the request this thread executes."""
        unknown = sorted(name for name in self.resolvers if not self._has_field(name))
        if unknown:
            raise ValueError(f"resolvers for fields the schema does not have: {unknown}")

    def _has_field(self, name: str) -> bool:
        type_name, _, field_name = name.partition(".")
        parent = self.schema.get_type(type_name)
        return isinstance(parent, GraphQLObjectType) and field_name in parent.fields

    def _subscriptions_by_mutation(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        subscription = self.schema.subscription_type
        for name, definition in (subscription.fields if subscription else {}).items():
            for directive in definition.ast_node.directives if definition.ast_node else ():
                if directive.name.value != "aws_subscribe":
                    continue
                for argument in directive.arguments:
                    if isinstance(argument.value, ListValueNode):
                        for mutation in argument.value.values:
                            if isinstance(mutation, StringValueNode):
                                found.setdefault(mutation.value, []).append(name)
        return found

    def parse(self, body: Any) -> Operation:
        """Parses and validates a request body ``{query, variables, operationName}``."""
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise RequestRejectedError(
                "The request body must be a JSON object with a 'query' string", "BadRequest"
            )
        try:
            document = parse(body["query"])
        except GraphQLError as error:
            raise RequestRejectedError(error.message) from None
        errors = validate(self.schema, document)
        if errors:
            raise RequestRejectedError("; ".join(error.message for error in errors))
        operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
        wanted = body.get("operationName")
        chosen = [node for node in operations if wanted is None or (node.name and node.name.value == wanted)]
        if len(chosen) != 1:
            raise RequestRejectedError("Exactly one operation must be chosen (operationName)")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            raise RequestRejectedError("variables must be a JSON object")
        return Operation(document, chosen[0], variables)

    def execute(
        self,
        operation: Operation,
        caller: Caller,
        *,
        headers: Mapping[str, str] | None = None,
        fields_log: list[FieldLog] | None = None,
    ) -> ExecutionResult:
        """Runs a query or mutation (subscriptions go through ``subscribe``)."""
        log = fields_log if fields_log is not None else []
        fragments = operation.fragments

        def resolve_field(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
            parent = info.parent_type
            if not self.authorizer.allows(caller, parent, info.field_name):
                raise not_authorized(info.field_name, parent.name)
            if parent.name not in ROOT_TYPES and f"{parent.name}.{info.field_name}" not in self.resolvers:
                return source.get(info.field_name) if isinstance(source, dict) else None
            return self._resolve(source, info, arguments, caller, headers or {}, operation, fragments, log)

        self._appended.errors = []
        result = execute(
            self.schema,
            operation.document,
            variable_values=operation.variables,
            operation_name=operation.name,
            field_resolver=resolve_field,
            root_value={},
        )
        assert not isinstance(result, Awaitable)
        if self._appended.errors:
            result = ExecutionResult(result.data, [*(result.errors or []), *self._appended.errors])
        return result

    def _resolve(
        self,
        source: Any,
        info: GraphQLResolveInfo,
        arguments: dict[str, Any],
        caller: Caller,
        headers: Mapping[str, str],
        operation: Operation,
        fragments: Mapping[str, Any],
        log: list[FieldLog],
    ) -> Any:
        type_name = info.parent_type.name
        name = f"{type_name}.{info.field_name}"
        resolver = self.resolvers.get(name)
        node = info.field_nodes[0]
        started = time.perf_counter()
        if resolver is None:
            log.append(FieldLog(name, 0.0, None, "no resolver attached"))
            return None
        parent = source if type_name not in ROOT_TYPES and isinstance(source, dict) else None
        run = self.run_resolver(
            resolver, name, arguments, caller, headers, operation, node.selection_set, parent
        )
        log.append(
            FieldLog(
                name, time.perf_counter() - started, run, None if run.error is None else run.error.message
            )
        )
        for appended in run.appended_errors:
            log.append(FieldLog(name, 0.0, None, f"{appended.error_type}: {appended.message}"))
            # util.appendError: the field keeps its value, and the error joins the response's errors.
            extensions = {
                "errorType": appended.error_type,
                "data": appended.data,
                "errorInfo": appended.error_info,
            }
            self._appended.errors.append(
                GraphQLError(appended.message, path=info.path.as_list(), extensions=extensions)
            )
        if run.error is not None:
            raise GraphQLError(
                run.error.message,
                extensions={
                    "errorType": run.error.error_type,
                    "data": run.error.data,
                    "errorInfo": run.error.error_info,
                },
            )
        if type_name == "Mutation" and info.field_name in self.subscribed_by and run.result is not None:
            published = selected_only(run.result, node.selection_set, fragments)
            for subscription_field in self.subscribed_by[info.field_name]:
                self.hub.publish(subscription_field, published, self)
        return run.result

    def run_resolver(
        self,
        resolver: FieldResolver,
        name: str,
        arguments: Mapping[str, Any],
        caller: Caller,
        headers: Mapping[str, str],
        operation: Operation,
        selection_set: SelectionSetNode | None,
        source: Mapping[str, Any] | None = None,
    ) -> ResolverRun:
        type_name, field_name = name.split(".")
        fragments = operation.fragments
        context = base_context(
            field_name,
            type_name,
            arguments=arguments,
            identity=caller.identity,
            source=source,
            info={
                "variables": operation.variables,
                "selectionSetList": _selection_list(selection_set, fragments),
                "selectionSetGraphQL": print_ast(selection_set) if selection_set else "",
            },
            request={"headers": {key.lower(): value for key, value in headers.items()}, "domainName": None},
        )
        try:
            return self.runner.run(list(resolver.steps), context, pipeline=resolver.pipeline)
        except (ResolverCrashError, DataSourceRequestError) as failure:
            # A resolver bug (code that throws, a request the service would reject): the field fails, the
            # sandbox keeps serving, and the log shows the whole message.
            log.error("resolver %s failed: %s", name, failure)
            run = ResolverRun()
            run.error = ResolverError(f"{name}: {failure}".splitlines()[0], "SandboxResolverError")
            return run

    # ---- subscriptions

    def prepare_subscription(
        self,
        operation: Operation,
        caller: Caller,
        deliver: Callable[[dict[str, Any]], None],
        subscription_id: str,
    ) -> Subscriber:
        """Authorizes one subscription and runs its resolver (which may set a filter), or raises
        RequestRejectedError; the caller adds the subscriber to ``hub`` once it has acknowledged it."""
        if operation.kind != "subscription":
            raise RequestRejectedError(
                "Only subscription operations can be started over the real-time endpoint"
            )
        fields = operation.root_fields
        if len(fields) != 1:
            raise RequestRejectedError("A subscription selects exactly one field")
        node = fields[0]
        subscription_type = self.schema.subscription_type
        assert subscription_type is not None
        if not self.authorizer.allows(caller, subscription_type, node.name.value):
            raise RequestRejectedError(
                f"Not Authorized to access {node.name.value} on type Subscription", "Unauthorized"
            )
        arguments = self._arguments(subscription_type, node, operation.variables)
        name = f"Subscription.{node.name.value}"
        filter_ = None
        if name in self.resolvers:
            run = self.run_resolver(
                self.resolvers[name], name, arguments, caller, {}, operation, node.selection_set
            )
            if run.error is not None:
                raise RequestRejectedError(run.error.message, run.error.error_type or "Unknown")
            filter_ = run.subscription_filter
        subscriber = Subscriber(
            id=subscription_id,
            field=node.name.value,
            arguments=arguments,
            operation=operation,
            caller=caller,
            filter=filter_,
            deliver=deliver,
        )
        return subscriber

    def _arguments(
        self, parent: GraphQLObjectType, node: FieldNode, variables: Mapping[str, Any]
    ) -> dict[str, Any]:

        return get_argument_values(parent.fields[node.name.value], node, dict(variables))

    def render_for(self, subscriber: Subscriber, payload: Any) -> dict[str, Any]:
        """The data frame of one published payload, shaped by the subscriber's own selection."""
        subscription_type = self.schema.subscription_type
        caller = subscriber.caller

        def resolve_field(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
            parent = info.parent_type
            if parent is not subscription_type and not self.authorizer.allows(
                caller, parent, info.field_name
            ):
                raise not_authorized(info.field_name, parent.name)
            if parent is subscription_type:
                return payload
            return source.get(info.field_name) if isinstance(source, dict) else None

        operation = subscriber.operation
        # Executing a subscription document runs its selection over the root value, as graphql-js maps a
        # source event to a response (mapSourceToResponse); the event here is the published payload.
        result = execute(
            self.schema,
            operation.document,
            variable_values=operation.variables,
            operation_name=operation.name,
            field_resolver=resolve_field,
            root_value={},
        )
        assert not isinstance(result, Awaitable)
        frame: dict[str, Any] = {"data": result.data}
        if result.errors:
            frame["errors"] = [format_error(error) for error in result.errors]
        return frame


def format_error(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error in AppSync's response shape: path, data, errorType, errorInfo, locations, message."""
    extensions = error.extensions or {}
    formatted: dict[str, Any] = {
        "path": list(error.path) if error.path else None,
        "data": extensions.get("data"),
        "errorType": extensions.get("errorType"),
        "errorInfo": extensions.get("errorInfo"),
        "locations": [
            {"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or []
        ],
        "message": error.message,
    }
    return formatted
