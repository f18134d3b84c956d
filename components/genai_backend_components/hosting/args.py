"""What a Hosting component can be asked for: the public args every Pulumi language sees."""

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi


class HostingArgs(TypedDict):
    """Amplify Hosting for a Next.js (SSR) frontend: one app and one branch, fed the backend's client config."""

    repository: str
    """HTTPS URL of the frontend's Git repository, e.g. ``https://github.com/acme/web`` (no ssh or http)."""
    branch: str
    """Branch of that repository this stack builds and serves (e.g. ``main`` for prod, ``dev`` for dev)."""
    access_token: pulumi.Input[str]
    """Git provider token Amplify uses once to install its webhook and deploy key; pass a secret Output."""
    production: bool
    """Marks the branch PRODUCTION (else DEVELOPMENT) in Amplify; it changes nothing else."""
    amplify_outputs: pulumi.Input[Mapping[str, Any]]
    """The backend's client config (the amplify_outputs.json document), usually an Output (checked when known)."""
    app_name: NotRequired[str]
    """Name shown in the Amplify console; unset lets Pulumi name it from the component name."""
    environment_variables: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Extra build-time variables for the branch (e.g. ``NEXT_PUBLIC_SITE_NAME``); not for secrets."""
    node_version: NotRequired[int]
    """Node.js major the build selects with ``nvm use``: 20 (default), 22 or 24."""
    ssr_logging: NotRequired[bool]
    """Gives Amplify a role that writes SSR logs to the app's own log group (default true)."""
    ssr_log_retention_days: NotRequired[int]
    """How long CloudWatch keeps the SSR logs; a value CloudWatch Logs accepts (default 30)."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the app, its role and its log group."""
