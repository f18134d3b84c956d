"""Who receives a published mutation result: the active subscriptions and AppSync's filtering rules.

A mutation named in a subscription's ``@aws_subscribe(mutations: [...])`` publishes its result to that
subscription's subscribers. AppSync delivers it to a subscriber when every argument the subscriber gave equals
the payload's field (basic filtering) and, if its resolver set a filter, some filter group holds (AppSync
developer guide, "Enhanced subscription filtering"). ``SubscriptionHub`` keeps the subscribers and applies
both rules; ``GraphqlApi.render_for`` shapes what each one receives.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.authorization import Caller

if TYPE_CHECKING:
    from sandbox.graphql_api import GraphqlApi, Operation


@dataclass
class Subscriber:
    id: str
    field: str
    arguments: dict[str, Any]
    operation: Operation
    caller: Caller
    filter: Any
    deliver: Callable[[dict[str, Any]], None]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


def _compare(operator: str, actual: Any, expected: Any) -> bool:
    """One enhanced-filter condition (AppSync "Enhanced subscription filtering": operators)."""
    if operator == "eq":
        return actual == expected
    if operator == "ne":
        return actual != expected
    if operator in ("le", "lt", "ge", "gt"):
        if actual is None:
            return False
        return {
            "le": actual <= expected,
            "lt": actual < expected,
            "ge": actual >= expected,
            "gt": actual > expected,
        }[operator]
    if operator == "in":
        return actual in expected
    if operator == "notIn":
        return actual not in expected
    if operator == "between":
        return actual is not None and expected[0] <= actual <= expected[1]
    if operator == "beginsWith":
        return isinstance(actual, str) and actual.startswith(expected)
    if operator == "contains":
        return actual is not None and expected in actual
    if operator == "notContains":
        return actual is None or expected not in actual
    if operator == "containsAny":
        return isinstance(actual, list) and any(item in actual for item in expected)
    if operator == "attributeExists":
        return (actual is not None) == bool(expected)
    raise ValueError(f"unknown subscription filter operator {operator!r}")


def _field(payload: Any, dotted: str) -> Any:
    value = payload
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def filter_delivers(subscription_filter: Any, payload: Any) -> bool:
    """AppSync delivers a payload when some filter group matches, i.e. all of that group's filters hold."""
    groups = subscription_filter.get("filterGroup") or []
    return any(
        all(
            _compare(item["operator"], _field(payload, item["fieldName"]), item.get("value"))
            for item in group["filters"]
        )
        for group in groups
    )


class SubscriptionHub:
    """Active subscriptions by field; a publish delivers to every subscriber whose filters match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_field: dict[str, dict[str, Subscriber]] = {}

    def add(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._by_field.setdefault(subscriber.field, {})[subscriber.key] = subscriber

    def remove(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._by_field.get(subscriber.field, {}).pop(subscriber.key, None)

    def count(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._by_field.values())

    def publish(self, field_name: str, payload: Any, api: GraphqlApi) -> int:
        with self._lock:
            subscribers = list(self._by_field.get(field_name, {}).values())
        delivered = 0
        for subscriber in subscribers:
            # Basic filtering: every argument the subscriber gave must equal the payload's field.
            matches = all(
                value is None or (isinstance(payload, dict) and payload.get(name) == value)
                for name, value in subscriber.arguments.items()
            )
            if matches and subscriber.filter is not None:
                matches = filter_delivers(subscriber.filter, payload)
            if not matches:
                continue
            subscriber.deliver(api.render_for(subscriber, payload))
            delivered += 1
        return delivered
