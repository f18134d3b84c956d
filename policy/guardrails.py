"""The guardrails this backend must keep in every deployment, as plain functions the engine or a test can call.

Each check takes ``(args, report_violation)`` exactly as CrossGuard hands it over (``args.props`` in the engine's
camelCase), so tests feed it real ``ResourceValidationArgs`` without a Pulumi CLI. The checks mirror what the
components already do by default; the pack exists so a later edit, a ``transform`` or another project reusing the
components cannot quietly drop them.

Which stacks are "production": a policy cannot read the program's config, and ``args.stack_tags`` is only filled by
backends that keep stack tags (Pulumi Cloud), so it is empty on a self-managed backend. The resource URN always
names the stack (``urn:pulumi:<stack>::<project>::<type>::<name>``), so the stack comes from there and is compared
with the policy's ``productionStacks`` config (default ``["prod"]``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

LAMBDA_FUNCTION = "aws:lambda/function:Function"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
APPSYNC_API = "aws:appsync/graphQLApi:GraphQLApi"
COGNITO_USER_POOL = "aws:cognito/userPool:UserPool"

PRODUCTION_STACKS_KEY = "productionStacks"
DEFAULT_PRODUCTION_STACKS = ("prod",)
PRODUCTION_CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        PRODUCTION_STACKS_KEY: {
            "type": "array",
            "items": {"type": "string"},
            "default": list(DEFAULT_PRODUCTION_STACKS),
            "description": "Stack names (the last part of org/project/stack) held to production rules.",
        }
    }
)

LAMBDA_LOG_LEVELS = frozenset({"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"})
"""Lambda's ``ApplicationLogLevel`` values: only valid with the JSON log format."""
GUARDED_SERVICES = frozenset({"bedrock", "dynamodb", "cognito-idp"})
"""Services holding user data or paid model calls, where a whole-service grant is never needed."""
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
    """Reads ``productionStacks`` from a policy's config; the engine validates it, tests and bad edits might not."""
    value = config.get(PRODUCTION_STACKS_KEY, list(DEFAULT_PRODUCTION_STACKS))
    if not _is_list(value) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(
            f"policy config {PRODUCTION_STACKS_KEY!r} must be a list of stack names, e.g. ['prod'], got {value!r}"
        )
    return frozenset(value)


def is_production(args: ResourceValidationArgs) -> bool:
    return stack_of(args.urn) in production_stacks(args.get_config())


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


def _policy_documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """(where, document) for every identity policy the resource carries; documents may be JSON text or data."""
    if args.resource_type in (IAM_ROLE_POLICY, IAM_POLICY):
        yield "policy", args.props.get("policy")
    elif args.resource_type == IAM_ROLE:
        for index, inline in enumerate(args.props.get("inlinePolicies") or []):
            yield f"inlinePolicies[{index}].policy", (inline or {}).get("policy")


def _is_list(value: Any) -> bool:
    """The engine hands lists over as read-only ``Sequence`` proxies, not ``list``."""
    return isinstance(value, Sequence) and not isinstance(value, str)


def _as_list(value: Any) -> list[Any]:
    """IAM allows a single value wherever it allows a list."""
    if value is None:
        return []
    return list(value) if _is_list(value) else [value]


def _over_broad(action: str) -> bool:
    """``*`` alone, or a guarded service with a name made only of wildcards (``dynamodb:*``); case-insensitive
    like IAM itself. Narrow patterns such as ``bedrock:InvokeModel*`` are allowed."""
    if action.strip("*") == "":
        return True
    service, _, name = action.partition(":")
    return service.lower() in GUARDED_SERVICES and name.strip("*") == ""


def iam_no_wildcard_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A whole-service grant on Bedrock, DynamoDB or Cognito lets one compromised role read every table, invoke
    every model or delete users; each statement must list the actions it needs."""
    for where, raw in _policy_documents(args):
        if raw is None:
            continue
        try:
            document = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as error:
            report_violation(f"'{args.name}': {where} is not valid JSON ({error}).", None)
            continue
        if not isinstance(document, Mapping):
            report_violation(
                f"'{args.name}': {where} is not a policy document (an object with 'Statement').", None
            )
            continue
        for index, item in enumerate(_as_list(document.get("Statement"))):
            if not isinstance(item, Mapping) or item.get("Effect") != "Allow":
                continue
            label = f"statement {item.get('Sid') or index}"
            if "NotAction" in item:
                report_violation(
                    f"'{args.name}': {where} {label} allows everything except {item['NotAction']!r} "
                    "(NotAction); list the allowed actions instead.",
                    None,
                )
            for action in _as_list(item.get("Action")):
                if isinstance(action, str) and _over_broad(action):
                    report_violation(
                        f"'{args.name}': {where} {label} allows {action!r}; list the actions the role needs, "
                        "e.g. 'dynamodb:GetItem' or 'bedrock:InvokeModel'.",
                        None,
                    )


def dynamodb_production_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Production tables hold user data: deletion protection stops an accidental replace or destroy, and
    point-in-time recovery undoes a bad write."""
    if args.resource_type != DYNAMODB_TABLE or not is_production(args):
        return
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
    if args.resource_type != APPSYNC_API or not is_production(args):
        return
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
    if args.resource_type != COGNITO_USER_POOL or not is_production(args):
        return
    protection = args.props.get("deletionProtection")
    if protection != "ACTIVE":
        report_violation(
            f"Cognito user pool '{args.name}': deletionProtection is {protection!r} in production; "
            "set it to 'ACTIVE'.",
            None,
        )


Check = Callable[[ResourceValidationArgs, ReportViolation], None]


class Guardrail(NamedTuple):
    name: str
    """What policy config files and violation reports call it."""
    description: str
    """The rule, as ``pulumi preview`` prints it above each violation."""
    check: Check
    production_only: bool
    """Whether it reads ``productionStacks`` (and so offers it as config)."""


GUARDRAILS = (
    Guardrail(
        "lambda-json-logging",
        "Lambda functions log JSON with an explicit application log level.",
        lambda_json_logging,
        production_only=False,
    ),
    Guardrail(
        "iam-no-wildcard-actions",
        "IAM policies grant no '*' action and no whole-service wildcard on bedrock, dynamodb or cognito-idp.",
        iam_no_wildcard_actions,
        production_only=False,
    ),
    Guardrail(
        "dynamodb-production-protection",
        "Production DynamoDB tables have deletion protection and point-in-time recovery.",
        dynamodb_production_protection,
        production_only=True,
    ),
    Guardrail(
        "appsync-production-field-logs",
        "Production AppSync APIs do not log fields at ALL, DEBUG or INFO.",
        appsync_production_field_logs,
        production_only=True,
    ),
    Guardrail(
        "cognito-production-deletion-protection",
        "Production Cognito user pools have deletion protection ACTIVE.",
        cognito_production_deletion_protection,
        production_only=True,
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
            config_schema=PRODUCTION_CONFIG_SCHEMA if guardrail.production_only else None,
        )
        for guardrail in GUARDRAILS
    ]
