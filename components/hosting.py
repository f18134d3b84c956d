"""Amplify Hosting for a Next.js (SSR) frontend: one app and one branch per stack, fed the backend's client config.

The build itself (spec, and the client config handed to it) is in components/hosting_build.py.

Amplify prefers an ``amplify.yml`` committed in the frontend repository over the app's build spec; such a
file must run ``WRITE_OUTPUTS_COMMAND`` in its preBuild phase too. SSR logs: Amplify writes them through
the app's service role, which may only write to the app's own ``/aws/amplify/<app id>`` group, created
here with a retention so the logs do not pile up forever.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.function import RETENTION_DAYS
from components.hosting_build import (
    MAX_VARIABLE_NAME,
    MAX_VARIABLE_VALUE,
    OUTPUTS_VARIABLE_PREFIX,
    build_spec,
    outputs_variables,
)
from components.iam import attach_statements, statement

PLATFORM = "WEB_COMPUTE"
"""Amplify Hosting compute: the platform for Next.js 12+ server-side rendering."""
FRAMEWORK = "Next.js - SSR"
SUPPORTED_NODE_VERSIONS = (20, 22, 24)
"""Node.js majors Amplify Hosting still runs SSR apps on; the SSR runtime matches the build's major."""
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REPOSITORY = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?/[^\s?#]+")
_RESERVED_PREFIXES = ("AWS", OUTPUTS_VARIABLE_PREFIX)
"""Amplify reserves names starting with AWS; the outputs prefix belongs to this component."""


@dataclass(frozen=True, kw_only=True)
class HostingArgs:
    """Where the frontend's code lives, which branch this stack serves, and what the build is handed."""

    repository: str
    """HTTPS URL of the frontend's Git repository, e.g. ``https://github.com/acme/web``."""
    branch: str
    """Branch of that repository this stack builds and serves (e.g. ``main`` for prod, ``dev`` for dev)."""
    access_token: pulumi.Input[str]
    """Git provider token Amplify uses once to install its webhook and deploy key; kept secret."""
    production: bool
    """Marks the branch PRODUCTION (else DEVELOPMENT) in Amplify; it changes nothing else."""
    amplify_outputs: pulumi.Input[Mapping[str, Any]]
    """The backend's client config (the amplify_outputs.json document), usually an Output."""
    app_name: str | None = None
    """Name shown in the Amplify console; None lets Pulumi name it from the component name."""
    environment_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Extra build-time variables for the branch (e.g. ``NEXT_PUBLIC_SITE_NAME``); not for secrets."""
    node_version: int = 20
    """Node.js major the build selects with ``nvm use``; one of SUPPORTED_NODE_VERSIONS."""
    ssr_logging: bool = True
    """Gives Amplify a role that writes SSR logs to the app's own log group; False: no role, no logs."""
    ssr_log_retention_days: int = 30
    """How long CloudWatch keeps the SSR logs; one of the values CloudWatch Logs accepts."""


def _check_args(args: HostingArgs) -> None:
    """Everything checkable before deployment fails here, naming the field, before any resource."""
    repository = args.repository
    if not isinstance(repository, str) or not _REPOSITORY.fullmatch(repository) or len(repository) > 1000:
        raise ValueError(
            f"HostingArgs.repository: {repository!r} must be an https:// URL of a repository, e.g. "
            "https://github.com/acme/web, of at most 1000 characters (no ssh or http URLs)"
        )
    if not isinstance(args.branch, str) or not args.branch or len(args.branch) > 255:
        raise ValueError("HostingArgs.branch: must be a branch name of 1 to 255 characters")
    if any(character.isspace() for character in args.branch) or args.branch.startswith(("-", "/")):
        raise ValueError(f"HostingArgs.branch: {args.branch!r} is not a Git branch name")
    if isinstance(args.access_token, str) and not args.access_token.strip():
        raise ValueError("HostingArgs.access_token: must not be empty")
    if args.app_name is not None and not 0 < len(str(args.app_name).strip()) <= 255:
        raise ValueError("HostingArgs.app_name: must be 1 to 255 characters, or None")
    if args.node_version not in SUPPORTED_NODE_VERSIONS or isinstance(args.node_version, bool):
        raise ValueError(
            f"HostingArgs.node_version: {args.node_version!r} is not one of "
            f"{', '.join(map(str, SUPPORTED_NODE_VERSIONS))}"
        )
    if args.ssr_log_retention_days not in RETENTION_DAYS or isinstance(args.ssr_log_retention_days, bool):
        raise ValueError(
            f"HostingArgs.ssr_log_retention_days: {args.ssr_log_retention_days!r} is not a value CloudWatch "
            f"Logs accepts ({', '.join(map(str, RETENTION_DAYS))})"
        )
    for name, value in args.environment_variables.items():
        if not _VARIABLE_NAME.fullmatch(name) or len(name) > MAX_VARIABLE_NAME:
            raise ValueError(
                f"HostingArgs.environment_variables: {name!r} must match [A-Za-z_][A-Za-z0-9_]* "
                f"(at most {MAX_VARIABLE_NAME} characters)"
            )
        if name.upper().startswith(_RESERVED_PREFIXES):
            raise ValueError(
                f"HostingArgs.environment_variables: {name!r} starts with a reserved prefix "
                f"({', '.join(_RESERVED_PREFIXES)})"
            )
        if isinstance(value, str) and len(value) > MAX_VARIABLE_VALUE:
            raise ValueError(
                f"HostingArgs.environment_variables: {name!r} is {len(value)} characters; "
                f"Amplify allows {MAX_VARIABLE_VALUE}"
            )
    # A document that still holds Outputs cannot be encoded yet; it is checked once they resolve.
    if isinstance(args.amplify_outputs, Mapping):
        with contextlib.suppress(TypeError):
            outputs_variables(args.amplify_outputs)


def ssr_logging_statements(group_arn: pulumi.Output[str]) -> list[dict[str, Any]]:
    """What Amplify's SSR logging needs (the console's own role grants the same), narrowed to one group."""
    return [
        statement(
            "PushLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [pulumi.Output.concat(group_arn, ":log-stream:*")],
        ),
        # The group exists already; should Amplify still try to create it, only this name is allowed.
        statement("CreateOwnLogGroup", ["logs:CreateLogGroup"], [group_arn]),
        # A list call: authorised on the Region's log-group:* pattern, never on a single group.
        statement(
            "DescribeLogGroups",
            ["logs:DescribeLogGroups"],
            [group_arn.apply(lambda arn: arn.split(":log-group:")[0] + ":log-group:*")],
        ),
    ]


def _trust_policy(parent: pulumi.Resource) -> pulumi.Output[str]:
    """Amplify may assume the role only for apps of this account and Region (confused-deputy guard).

    The app cannot be named here (it needs the role first), so the condition stops at ``apps/*``.
    """
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    account = aws.get_caller_identity_output(opts=invoke).account_id
    region = aws.get_region_output(opts=invoke).region
    partition = aws.get_partition_output(opts=invoke).partition

    def render(values: list[str]) -> str:
        account_id, region_name, partition_name = values
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "amplify.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:{partition_name}:amplify:{region_name}:{account_id}:apps/*"
                        },
                    },
                }
            ],
        }
        return json.dumps(document, sort_keys=True)

    return pulumi.Output.all(account, region, partition).apply(render)


class Hosting(pulumi.ComponentResource):
    """Amplify app (WEB_COMPUTE) + branch for one stack, with the client config handed to every build."""

    app: aws.amplify.App
    branch: aws.amplify.Branch
    app_id: pulumi.Output[str]
    url: pulumi.Output[str]
    """``https://<branch>.<app id>.amplifyapp.com``, where Amplify serves the branch."""

    def __init__(self, name: str, args: HostingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check_args(args)
        super().__init__("genai:index:Hosting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.role: aws.iam.Role | None = None
        if args.ssr_logging:
            self.role = aws.iam.Role(
                f"{name}-ssr-logging-role", assume_role_policy=_trust_policy(self), opts=child
            )
        self.app = aws.amplify.App(
            f"{name}-app",
            name=args.app_name,
            repository=args.repository,
            access_token=pulumi.Output.secret(args.access_token),
            platform=PLATFORM,
            build_spec=build_spec(args.node_version),
            iam_service_role_arn=self.role.arn if self.role else None,
            opts=child,
        )
        self.log_group: aws.cloudwatch.LogGroup | None = None
        if self.role is not None:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-ssr-logs",
                name=pulumi.Output.concat("/aws/amplify/", self.app.id),
                retention_in_days=args.ssr_log_retention_days,
                opts=child,
            )
            attach_statements(
                f"{name}-ssr-logging", self.role, ssr_logging_statements(self.log_group.arn), parent=self
            )

        variables = pulumi.Output.all(
            pulumi.Output.from_input(args.amplify_outputs).apply(outputs_variables),
            pulumi.Output.from_input(dict(args.environment_variables)),
        ).apply(lambda pair: {**pair[1], **pair[0]})
        self.branch = aws.amplify.Branch(
            f"{name}-branch",
            app_id=self.app.id,
            branch_name=args.branch,
            stage="PRODUCTION" if args.production else "DEVELOPMENT",
            framework=FRAMEWORK,
            enable_auto_build=True,
            # A pull-request preview would build against this stack's backend and client config.
            enable_pull_request_preview=False,
            environment_variables=variables,
            opts=child,
        )
        self.app_id = self.app.id
        # Amplify serves a branch on a subdomain named after it, with "/" turned into "-".
        self.url = pulumi.Output.concat(
            "https://", args.branch.replace("/", "-"), ".", self.app.default_domain
        )
        self.register_outputs({"appId": self.app_id, "branch": self.branch.branch_name, "url": self.url})
