"""Who may read a field: AppSync's authorization directives, applied per field.

AppSync authorizes every field the way it applies ``@aws_cognito_user_pools(cognito_groups: ...)`` and
``@aws_iam``: a field's own directives, else its type's, else the API's default mode (Cognito user pools).
``Caller`` is the requester as the auth mode identified it; ``Authorizer`` answers for one field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLField, GraphQLObjectType, GraphQLSchema
from graphql.language import DirectiveNode, ListValueNode, StringValueNode

USER_POOLS = "AMAZON_COGNITO_USER_POOLS"
IAM = "AWS_IAM"
AUTH_DIRECTIVES = {"aws_cognito_user_pools": USER_POOLS, "aws_auth": USER_POOLS, "aws_iam": IAM}
"""Directives of the modes this API uses (default user pools, additional IAM), as AppSync names the modes."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: the auth mode, and ``ctx.identity`` as AppSync builds it for that mode."""

    mode: str
    identity: dict[str, Any]

    @property
    def groups(self) -> list[str]:
        return list(self.identity.get("groups") or [])

    def describe(self) -> str:
        if self.mode == USER_POOLS:
            email = self.identity.get("claims", {}).get("email")
            return f"user {self.identity.get('sub')}" + (f" ({email})" if email else "")
        return f"iam {self.identity.get('userArn')}"


@dataclass(frozen=True)
class AuthRule:
    mode: str
    groups: tuple[str, ...] | None = None


def _auth_rules(directives: Iterable[DirectiveNode]) -> list[AuthRule]:
    rules = []
    for directive in directives:
        mode = AUTH_DIRECTIVES.get(directive.name.value)
        if mode is None:
            continue
        groups = None
        for argument in directive.arguments:
            if argument.name.value == "cognito_groups" and isinstance(argument.value, ListValueNode):
                groups = tuple(v.value for v in argument.value.values if isinstance(v, StringValueNode))
        rules.append(AuthRule(mode, groups))
    return rules


class Authorizer:
    """AppSync's rule: a field's own auth directives, else its type's, else the default mode alone."""

    def __init__(self, schema: GraphQLSchema, default_mode: str = USER_POOLS) -> None:
        self._default = [AuthRule(default_mode)]
        self._cache: dict[tuple[str, str], list[AuthRule]] = {}
        self._schema = schema

    def rules(self, parent: GraphQLObjectType, field_name: str) -> list[AuthRule]:
        key = (parent.name, field_name)
        if key not in self._cache:
            definition: GraphQLField = parent.fields[field_name]
            own = _auth_rules(definition.ast_node.directives if definition.ast_node else ())
            inherited = _auth_rules(parent.ast_node.directives if parent.ast_node else ())
            self._cache[key] = own or inherited or self._default
        return self._cache[key]

    def allows(self, caller: Caller, parent: GraphQLObjectType, field_name: str) -> bool:
        for rule in self.rules(parent, field_name):
            if rule.mode != caller.mode:
                continue
            if rule.groups is None or caller.mode != USER_POOLS:
                return True
            if set(rule.groups) & set(caller.groups):
                return True
        return False


def not_authorized(field_name: str, parent: str) -> GraphQLError:
    return GraphQLError(
        f"Not Authorized to access {field_name} on type {parent}", extensions={"errorType": "Unauthorized"}
    )
