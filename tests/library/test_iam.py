"""IAM helpers render stable documents, including statements that are only known after deployment."""

import json

import pulumi_aws as aws
import pytest

from genai_backend_components.iam import attach_statements, service_trust_policy, statement
from tests.support import evaluate_component


def test_statement_sorts_and_deduplicates_actions() -> None:
    built = statement("Read", ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:Query"], ["arn:x"])
    assert built == {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": ["arn:x"],
    }


@pytest.mark.parametrize(("actions", "resources"), [([], ["arn:x"]), (["s3:GetObject"], [])])
def test_statement_needs_actions_and_resources(actions: list[str], resources: list[str]) -> None:
    with pytest.raises(ValueError, match="statement 'Empty'"):
        statement("Empty", actions, resources)


def test_trust_policy_names_only_the_service() -> None:
    document = json.loads(service_trust_policy("lambda.amazonaws.com"))
    assert document["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]


def test_attach_accepts_statements_known_only_later() -> None:
    def build() -> None:
        role = aws.iam.Role("worker-role", assume_role_policy=service_trust_policy("lambda.amazonaws.com"))
        later = role.arn.apply(lambda arn: [statement("Self", ["iam:GetRole"], [arn])])
        attach_statements("worker-policy", role, later, parent=role)

    evaluation = evaluate_component(build)
    policy = json.loads(evaluation.named("worker-policy").inputs["policy"])
    assert policy["Statement"][0]["Resource"][0].startswith("arn:aws:iam::123456789012:role/worker-role-")
    assert evaluation.named("worker-policy").parent == "worker-role"
    assert evaluation.named("worker-policy").dependencies == ["worker-role"]
