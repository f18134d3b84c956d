"""The package's identity as Pulumi sees it: its name, its components' type tokens, and their history.

Every component's type token is ``genai-backend:index:<Class>``: the name other Pulumi languages use
(``pulumi package add``, ``type: genai-backend:index:Table`` in YAML) and the token Pulumi's component
provider host requires for ``Construct``. Release 0.1 registered the same components as
``genai:index:<Class>``; each component carries an alias to that token, so a stack deployed with 0.1
adopts its resources on the next ``pulumi up`` instead of replacing them.
"""

import pulumi

__all__ = ["PACKAGE_NAME", "PACKAGE_VERSION", "component_options", "component_type"]

PACKAGE_NAME = "genai-backend"
PACKAGE_VERSION = "0.2.0"
PREVIOUS_PACKAGE_NAMES = ("genai",)
"""Package names earlier releases used in type tokens (0.1: ``genai``)."""


def component_type(class_name: str) -> str:
    """``Table`` -> ``genai-backend:index:Table``."""
    return f"{PACKAGE_NAME}:index:{class_name}"


def component_options(class_name: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """The caller's options plus aliases to the component's earlier type tokens (children follow it)."""
    aliases = [pulumi.Alias(type_=f"{previous}:index:{class_name}") for previous in PREVIOUS_PACKAGE_NAMES]
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
