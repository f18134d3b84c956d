"""The guardrails this backend must keep in every deployment, as plain functions the engine or a test can call.

Each check takes ``(args, report_violation)`` exactly as CrossGuard hands it over (``args.props`` in the engine's
camelCase), so tests feed it real ``ResourceValidationArgs`` without a Pulumi CLI. The checks mirror what the
components already do by default; the pack exists so a later edit, a ``transform`` or another project reusing the
components cannot quietly drop them. The IAM checks live in ``iam_checks.py``, with what a preview can and cannot
judge when a policy document is still unknown.

Which stacks are "production" is one setting of the whole pack: the production rules are the checks of the one
policy ``production-data-protection``, and only it has config, ``productionStacks`` (default ``["prod"]``). The
SDK hands each policy only its own config, so one policy holding every production rule is what keeps a single
setting from covering some rules and not others. It is a resource policy, not a stack policy, so ``pulumi up``
runs it before each resource is created or updated (a stack policy runs after the update). A policy cannot read
the program's config, and ``args.stack_tags`` is only filled by backends that keep stack tags (Pulumi Cloud), so
the stack comes from the resource URN (``urn:pulumi:<stack>::<project>::<type>::<name>``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

try:  # imported as the package `policy` (tests) or run by the CLI with this folder on sys.path
    from . import iam_checks
except ImportError:  # pragma: no cover - the CLI's way
    import iam_checks  # type: ignore[no-redef]

LAMBDA_FUNCTION = "aws:lambda/function:Function"
IAM_ROLE = iam_checks.IAM_ROLE
IAM_ROLE_POLICY = iam_checks.IAM_ROLE_POLICY
IAM_POLICY = iam_checks.IAM_POLICY
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
APPSYNC_API = "aws:appsync/graphQLApi:GraphQLApi"
COGNITO_USER_POOL = "aws:cognito/userPool:UserPool"

PRODUCTION_POLICY = "production-data-protection"
PRODUCTION_STACKS_KEY = "productionStacks"
DEFAULT_PRODUCTION_STACKS = ("prod",)
PRODUCTION_CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        PRODUCTION_STACKS_KEY: {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": list(DEFAULT_PRODUCTION_STACKS),
            "description": "Stack names (the last part of org/project/stack) held to the production rules.",
        }
    }
)

LAMBDA_LOG_LEVELS = frozenset({"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"})
"""Lambda's ``ApplicationLogLevel`` values: only valid with the JSON log format."""
VERBOSE_FIELD_LOG_LEVELS = frozenset({"ALL", "DEBUG", "INFO"})
"""AppSync levels that log resolver arguments and results, i.e. user content, on every request."""


def stack_of(urn: str) -> str:
    """The stack part of ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    head = urn.split("::", 1)[0]
    prefix = "urn:pulumi:"
    if not head.startswith(prefix) or "::" not in urn:
        raise ValueError(f"not a Pulumi resource URN: {urn!r}")
    return head[len(prefix) :]


def production_stacks(config: Mapping[str, Any]) -> frozenset[str]:
    """Reads ``productionStacks`` from the policy's config; the engine validates it, tests and bad edits might not."""
    value = config.get(PRODUCTION_STACKS_KEY, list(DEFAULT_PRODUCTION_STACKS))
    if not iam_checks.is_list(value) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(
            f"policy config {PRODUCTION_STACKS_KEY!r} of {PRODUCTION_POLICY!r} must be a list of stack names, "
            f"e.g. ['prod'], got {value!r}"
        )
    return frozenset(value)


def lambda_json_logging(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Structured logs with an explicit level keep CloudWatch Insights queries and log costs predictable."""
    if args.resource_type != LAMBDA_FUNCTION:
        return
    logging = args.props.get("loggingConfig") or {}
    log_format = logging.get("logFormat")
    if log_format != "JSON":
        report_violation(
            f"Lambda function '{args.name}': loggingConfig.logFormat is {log_format!r}; set it to 'JSON'.",
            None,
        )
    level = logging.get("applicationLogLevel")
    if level not in LAMBDA_LOG_LEVELS:
        allowed = ", ".join(sorted(LAMBDA_LOG_LEVELS))
        report_violation(
            f"Lambda function '{args.name}': loggingConfig.applicationLogLevel is {level!r}; "
            f"set one of {allowed}.",
            None,
        )


def dynamodb_production_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Production tables hold user data: deletion protection stops an accidental replace or destroy, and
    point-in-time recovery undoes a bad write."""
    if args.props.get("deletionProtectionEnabled") is not True:
        report_violation(
            f"DynamoDB table '{args.name}': set deletionProtectionEnabled to true in production.", None
        )
    recovery = args.props.get("pointInTimeRecovery") or {}
    if recovery.get("enabled") is not True:
        report_violation(
            f"DynamoDB table '{args.name}': set pointInTimeRecovery.enabled to true in production.", None
        )


def appsync_production_field_logs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Verbose field logs write every request's arguments and results (prompts, answers, user data) to CloudWatch."""
    level = (args.props.get("logConfig") or {}).get("fieldLogLevel")
    if level in VERBOSE_FIELD_LOG_LEVELS:
        report_violation(
            f"AppSync API '{args.name}': logConfig.fieldLogLevel is {level!r} in production; "
            "use 'ERROR' or 'NONE'.",
            None,
        )


def cognito_production_deletion_protection(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    """Deleting or replacing a user pool deletes every account and password with it; there is no undo."""
    protection = args.props.get("deletionProtection")
    if protection != "ACTIVE":
        report_violation(
            f"Cognito user pool '{args.name}': deletionProtection is {protection!r} in production; "
            "set it to 'ACTIVE'.",
            None,
        )


Check = Callable[[ResourceValidationArgs, ReportViolation], None]

PRODUCTION_CHECKS: dict[str, Check] = {
    DYNAMODB_TABLE: dynamodb_production_protection,
    APPSYNC_API: appsync_production_field_logs,
    COGNITO_USER_POOL: cognito_production_deletion_protection,
}
"""The production rules, by the resource type each applies to. A new production-only rule goes here, so the
one ``productionStacks`` setting covers it too."""


def production_data_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """In a stack named in ``productionStacks``: tables protected and recoverable, API field logs without user
    content, user pools protected from deletion."""
    check = PRODUCTION_CHECKS.get(args.resource_type)
    if check is not None and stack_of(args.urn) in production_stacks(args.get_config()):
        check(args, report_violation)


class Guardrail(NamedTuple):
    name: str
    """What policy config files and violation reports call it."""
    description: str
    """The rule, as ``pulumi preview`` prints it above each violation."""
    check: Check
    configurable: bool = False
    """Whether it takes config (only the production policy: ``productionStacks``)."""


GUARDRAILS = (
    Guardrail(
        "lambda-json-logging",
        "Lambda functions log JSON with an explicit application log level.",
        lambda_json_logging,
    ),
    Guardrail(
        "iam-no-wildcard-actions",
        "IAM policies grant no '*' or '*:*', no whole service ('s3:*'), no NotAction, and no wildcard at all "
        "in iam, sts or kms actions.",
        iam_checks.iam_no_wildcard_actions,
    ),
    Guardrail(
        "iam-no-sensitive-actions-on-any-resource",
        "IAM policies grant no sensitive action (iam:PassRole, sts:AssumeRole, kms:Decrypt, data reads and "
        "writes, function and model invocation, ...) on Resource '*'.",
        iam_checks.iam_no_sensitive_actions_on_any_resource,
    ),
    Guardrail(
        "iam-no-broad-managed-policies",
        "No AWS managed policy that grants a whole account or service (AdministratorAccess, PowerUserAccess, "
        "IAMFullAccess, ReadOnlyAccess, *FullAccess, ...) is attached.",
        iam_checks.iam_no_broad_managed_policies,
    ),
    Guardrail(
        PRODUCTION_POLICY,
        "In production stacks (setting productionStacks): DynamoDB tables with deletion protection and "
        "point-in-time recovery, AppSync field logs at ERROR or NONE, Cognito user pools with deletion "
        "protection ACTIVE.",
        production_data_protection,
        configurable=True,
    ),
)


def policies() -> list[ResourceValidationPolicy]:
    """All mandatory: each guards data or access that cannot be restored after the fact."""
    return [
        ResourceValidationPolicy(
            name=guardrail.name,
            description=guardrail.description,
            validate=guardrail.check,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PRODUCTION_CONFIG_SCHEMA if guardrail.configurable else None,
        )
        for guardrail in GUARDRAILS
    ]
