"""Serves the components to every Pulumi language: ``pulumi package add <repo>/components``.

The Pulumi CLI starts this package as a plugin (``PulumiPlugin.yaml``: ``runtime: python``), which runs
``components/__main__.py``; the SDK's component provider infers the schema from the args' type
annotations and docstrings and constructs a component when a TypeScript, Go, C#, Java or YAML program asks
for one. Python programs import the components directly instead.
"""

import re
import sys
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from .auth import Auth
from .conversation import ConversationRoute
from .function import LoggedFunction
from .generation import GenerationRoute
from .graphql import GraphqlApi
from .hosting import Hosting
from .package import PACKAGE_NAME, PACKAGE_VERSION
from .table import Table
from .validation import InvalidArgsError

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


class GenaiBackendProvider(ComponentProvider):
    """The SDK's component provider, with two fixes to how it hands other languages' inputs to a component.

    The pinned SDK (pulumi 3.272) maps every element of a list or map whose items reference a package type
    as if it were an object type, so ``attributeTypes: {id: "S"}`` reached ``Table`` as ``{"id": {}}`` (and
    ``firstAuthFactors``, ``additionalAuthModes`` likewise): no Table could be built from another language.
    Such collections are passed on as sent; the component's own checks turn each value into its enum and
    report a bad one with its path, like every other arg.

    Numbers cross the wire as floats, and the SDK's conversion of integer properties back to ``int`` is
    overwritten on the next line, so ``memorySize: 512`` arrived as ``512.0`` and failed the whole-number
    check. Whole floats of integer properties become ``int`` here; any other value is left for the checks.

    A component's ``InvalidArgsError`` goes back to the engine as per-property errors named the way the
    caller wrote them (``oidcProviders[0].issuerUrl``), as the SDK's own input errors are, instead of a
    Python traceback.
    """

    def construct(
        self, name: str, resource_type: str, inputs: Any, options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            invalid = error.inner if isinstance(error.inner, InvalidArgsError) else None
            if invalid is None:
                raise
            errors = [
                {"property_path": schema_path(problem.path), "reason": problem.message}
                for problem in invalid.problems
            ]
            raise InputPropertiesError(str(invalid), errors) from None  # type: ignore[arg-type]

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> Any:
        enum_collections = {name: prop for name, prop in properties.items() if self._holds_enums(prop)}
        others = {name: prop for name, prop in properties.items() if name not in enum_collections}
        mapped = super().map_input_properties(inputs, others, mapping, component_name, property_path)
        for schema_name, prop in enum_collections.items():
            value = inputs.get(schema_name) if isinstance(inputs, Mapping) else None
            full_path = f"{property_path}.{schema_name}" if property_path else schema_name
            if value is None:
                if not prop.optional:
                    raise InputPropertyError(
                        full_path, f"Missing required input '{full_path}' on '{component_name}'"
                    )
                continue
            mapped[mapping[schema_name]] = value
        for schema_name, prop in properties.items():
            value = mapped.get(mapping[schema_name])
            if prop.type is PropertyType.INTEGER and isinstance(value, float) and value.is_integer():
                mapped[mapping[schema_name]] = int(value)
        return mapped

    def _holds_enums(self, prop: PropertyDefinition) -> bool:
        element = prop.items or prop.additional_properties
        if element is None or not element.ref:
            return False
        type_def = self.get_type_definition(element)
        return type_def is not None and type_def.enum is not None


def schema_path(path: str) -> str:
    """``oidc_providers[0].issuer_url`` -> ``oidcProviders[0].issuerUrl``; mapping keys stay as written."""
    return re.sub(r"(?<![\[\w'])([a-z][a-z0-9_]*)", lambda match: camel_case(match.group(1)), path)


def serve() -> None:
    """Runs the provider: prints its gRPC port and answers the engine until it is stopped.

    What ``pulumi.provider.experimental.component_provider_host`` does, with the provider above.
    """
    from pulumi.provider import main

    main(GenaiBackendProvider(COMPONENTS, PACKAGE_NAME, None, PACKAGE_VERSION), sys.argv[1:])
