"""Amplify Hosting for a Next.js (SSR) frontend: one app and one branch per stack, fed the backend's client config.

The build itself (spec, and the client config handed to it) is in ``.build``. Amplify prefers an
``amplify.yml`` committed in the frontend repository over the app's build spec; such a file must run
``WRITE_OUTPUTS_COMMAND`` in its preBuild phase too. SSR logs: Amplify writes them through the app's service
role, which may only write to the app's own ``/aws/amplify/<app id>`` group, created here with a retention so
the logs do not pile up forever.
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from ..iam import attach_statements, statement
from ..package import component_options, component_type
from ..validation import check_args
from .args import HostingArgs
from .build import build_spec, outputs_variables
from .checks import HostingModel

PLATFORM = "WEB_COMPUTE"
"""Amplify Hosting compute: the platform for Next.js 12+ server-side rendering."""
FRAMEWORK = "Next.js - SSR"


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
    """Amplify app (WEB_COMPUTE) and branch for one stack, with the client config handed to every build."""

    app: aws.amplify.App
    """The Amplify app."""
    branch: aws.amplify.Branch
    """The branch this stack builds and serves."""
    role: aws.iam.Role | None
    """Role Amplify writes SSR logs with; only with ssr_logging."""
    log_group: aws.cloudwatch.LogGroup | None
    """The app's SSR log group; only with ssr_logging."""
    app_id: pulumi.Output[str]
    """Amplify app id."""
    url: pulumi.Output[str]
    """``https://<branch>.<app id>.amplifyapp.com``, where Amplify serves the branch."""

    def __init__(self, name: str, args: HostingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = check_args(HostingModel, "HostingArgs", args)
        super().__init__(component_type("Hosting"), name, None, component_options("Hosting", opts))
        child = pulumi.ResourceOptions(parent=self)

        self.role = None
        if spec.ssr_logging:
            self.role = aws.iam.Role(
                f"{name}-ssr-logging-role", assume_role_policy=_trust_policy(self), tags=spec.tags, opts=child
            )
        self.app = aws.amplify.App(
            f"{name}-app",
            name=spec.app_name,
            repository=spec.repository,
            access_token=pulumi.Output.secret(spec.access_token),
            platform=PLATFORM,
            build_spec=build_spec(spec.node_version),
            iam_service_role_arn=self.role.arn if self.role else None,
            tags=spec.tags,
            opts=child,
        )
        self.log_group = None
        if self.role is not None:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-ssr-logs",
                name=pulumi.Output.concat("/aws/amplify/", self.app.id),
                retention_in_days=spec.ssr_log_retention_days,
                tags=spec.tags,
                opts=child,
            )
            attach_statements(
                f"{name}-ssr-logging", self.role, ssr_logging_statements(self.log_group.arn), parent=self
            )

        variables = pulumi.Output.all(
            pulumi.Output.from_input(spec.amplify_outputs).apply(outputs_variables),
            pulumi.Output.from_input(dict(spec.environment_variables)),
        ).apply(lambda pair: {**pair[1], **pair[0]})
        self.branch = aws.amplify.Branch(
            f"{name}-branch",
            app_id=self.app.id,
            branch_name=spec.branch,
            stage="PRODUCTION" if spec.production else "DEVELOPMENT",
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
            "https://", spec.branch.replace("/", "-"), ".", self.app.default_domain
        )
        outputs: dict[str, Any] = {
            "app": self.app,
            "branch": self.branch,
            "app_id": self.app_id,
            "url": self.url,
        }
        if self.role is not None:
            outputs |= {"role": self.role, "log_group": self.log_group}
        self.register_outputs(outputs)
