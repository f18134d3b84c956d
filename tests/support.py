"""Shared helpers for tests that evaluate components under Pulumi's mock runtime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.evaluate import Evaluation, evaluate

TEST_REGION = "us-east-1"


def evaluate_component(
    build: Callable[[], Any], *, region: str = TEST_REGION, stack: str = "test"
) -> Evaluation:
    """Declares whatever ``build`` declares, under mocks, and returns the engine's view of it.

    Use ``evaluation.named("my-component-role").inputs`` to assert on wire inputs (camelCase).
    """
    return evaluate(build, stack=stack, project="components-test", region=region)
