"""Serves the components to every Pulumi language: ``pulumi package add <repo>/components``.

The Pulumi CLI starts this package as a plugin (``PulumiPlugin.yaml``: ``runtime: python``), which runs
``components/__main__.py``; the SDK's component provider host infers the schema from the args' type
annotations and docstrings and constructs a component when a TypeScript, Go, C#, Java or YAML program asks
for one. Python programs import the components directly instead.
"""

import pulumi

from .auth import Auth
from .conversation import ConversationRoute
from .function import LoggedFunction
from .generation import GenerationRoute
from .graphql import GraphqlApi
from .hosting import Hosting
from .package import PACKAGE_NAME, PACKAGE_VERSION
from .table import Table

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    Auth,
    ConversationRoute,
    GenerationRoute,
    GraphqlApi,
    Hosting,
    LoggedFunction,
    Table,
]
"""Every component of the package, in the schema's order."""


def serve() -> None:
    """Runs the provider: prints its gRPC port and answers the engine until it is stopped."""
    from pulumi.provider.experimental import component_provider_host

    component_provider_host(COMPONENTS, name=PACKAGE_NAME, version=PACKAGE_VERSION)
