"""Hosting under mocks: the Amplify app and branch the engine receives, and the build that uses them.

The strongest check here runs the build spec's own preBuild commands in bash with the branch's
variables: the client config must come out of ``amplify_outputs.json`` as the same document, using
the tools (printf, base64, gunzip, node) the Amplify build image has.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import botocore.session
import pulumi
import pytest
import yaml

from genai_backend_components.hosting import Hosting, HostingArgs
from genai_backend_components.validation import InvalidArgsError
from tests.policy_evaluator import is_allowed
from tests.support import TEST_REGION, evaluate_component
from tests.transforms import (
    assert_transform_reaches_every_child,
    evaluate_with_engine_transforms,
    tagging_transform,
)
from tools.evaluate import SECRET, Evaluation
from tools.fake_cloud import ACCOUNT_ID

AMPLIFY = botocore.session.get_session().get_service_model("amplify")
SMALL_DOCUMENT = {"version": "1.4", "auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_abc"}}
# Hex digests compress only ~2x, so this document needs several variables: the multi-part path is exercised.
LARGE_DOCUMENT = {
    "version": "1.4",
    "custom": {f"key{index}": hashlib.sha256(str(index).encode()).hexdigest() for index in range(250)},
}
TOO_LARGE_DOCUMENT = {"custom": [hashlib.sha256(str(index).encode()).hexdigest() for index in range(1000)]}
"""~64 KB of hex, ~44 KB once gzipped and base64-encoded: more than four Amplify variables hold."""
DEV = HostingArgs(
    repository="https://github.com/acme/web",
    branch="dev",
    access_token="ghp_exampletoken",
    production=False,
    amplify_outputs=SMALL_DOCUMENT,
    environment_variables={"NEXT_PUBLIC_SITE_NAME": "League insights"},
)
PROD: HostingArgs = {**DEV, "branch": "main", "production": True}


def evaluate(args: HostingArgs, document: dict[str, Any] | None = None) -> Evaluation:
    """The document arrives as an Output, as it does from the backend."""

    def build() -> None:
        outputs = pulumi.Output.from_input(document) if document is not None else args["amplify_outputs"]
        Hosting("web", {**args, "amplify_outputs": outputs})

    return evaluate_component(build)


@pytest.fixture(scope="module")
def dev() -> Evaluation:
    return evaluate(DEV, LARGE_DOCUMENT)


@pytest.fixture(scope="module")
def prod() -> Evaluation:
    return evaluate(PROD, SMALL_DOCUMENT)


def build_spec_of(evaluation: Evaluation) -> dict[str, Any]:
    return yaml.safe_load(evaluation.named("web-app").inputs["buildSpec"])


def test_app_is_an_ssr_compute_app_with_a_secret_token(dev: Evaluation) -> None:
    app = dev.named("web-app").inputs
    assert app["platform"] == "WEB_COMPUTE"
    assert app["platform"] in AMPLIFY.shape_for("Platform").enum
    assert app["repository"] == DEV["repository"]
    assert app["accessToken"] == SECRET
    assert DEV["access_token"] not in json.dumps(dev.as_json())


def test_build_spec_builds_next_on_node_20_and_caches_dependencies(dev: Evaluation) -> None:
    frontend = build_spec_of(dev)["frontend"]
    pre_build = frontend["phases"]["preBuild"]["commands"]
    assert pre_build[:2] == ["nvm use 20", "npm ci --cache .npm --prefer-offline"]
    assert frontend["phases"]["build"]["commands"][-1] == "npm run build"
    assert all("nvm use 20" in phase["commands"] for phase in frontend["phases"].values())
    assert frontend["artifacts"] == {"baseDirectory": ".next", "files": ["**/*"]}
    assert {".next/cache/**/*", "node_modules/**/*"} <= set(frontend["cache"]["paths"])


def test_build_spec_is_constant_text_within_amplify_limits(dev: Evaluation, prod: Evaluation) -> None:
    spec = dev.named("web-app").inputs["buildSpec"]
    assert spec == prod.named("web-app").inputs["buildSpec"]
    assert spec == evaluate(DEV, LARGE_DOCUMENT).named("web-app").inputs["buildSpec"]
    assert len(spec) <= AMPLIFY.shape_for("BuildSpec").metadata["max"]


def test_node_version_is_selected_in_every_phase() -> None:
    spec = build_spec_of(evaluate({**DEV, "node_version": 22}))
    assert all(phase["commands"][0] == "nvm use 22" for phase in spec["frontend"]["phases"].values())


def test_branch_stage_follows_the_production_flag(dev: Evaluation, prod: Evaluation) -> None:
    stages = AMPLIFY.shape_for("Stage").enum
    assert (dev.named("web-branch").inputs["stage"], prod.named("web-branch").inputs["stage"]) == (
        "DEVELOPMENT",
        "PRODUCTION",
    )
    for evaluation, args in ((dev, DEV), (prod, PROD)):
        branch = evaluation.named("web-branch").inputs
        assert branch["stage"] in stages
        assert branch["branchName"] == args["branch"]
        assert branch["framework"] == "Next.js - SSR"
        assert branch["enableAutoBuild"] is True
        assert evaluation.named("web-branch").dependencies == ["web-app"]


def outputs_commands(evaluation: Evaluation) -> list[str]:
    """The spec's preBuild commands except Node selection and install (no frontend is under test)."""
    commands = build_spec_of(evaluation)["frontend"]["phases"]["preBuild"]["commands"]
    return [command for command in commands if not command.startswith(("nvm ", "npm "))]


def run_pre_build(evaluation: Evaluation, workdir: Path) -> Any:
    commands = outputs_commands(evaluation)
    assert commands
    variables = evaluation.named("web-branch").inputs["environmentVariables"]
    environment = {"PATH": os.environ["PATH"], **variables}
    assert shutil.which("node") and shutil.which("gunzip") and shutil.which("base64")
    for command in commands:
        completed = subprocess.run(
            ["bash", "-c", command], cwd=workdir, env=environment, capture_output=True, text=True, check=False
        )
        assert completed.returncode == 0, completed.stderr
    return json.loads((workdir / "amplify_outputs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("fixture", "document"), [("dev", LARGE_DOCUMENT), ("prod", SMALL_DOCUMENT)])
def test_pre_build_writes_the_backend_document(
    fixture: str, document: dict[str, Any], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert run_pre_build(request.getfixturevalue(fixture), tmp_path) == document


def test_outputs_fit_amplify_variables_and_large_documents_use_several(dev: Evaluation) -> None:
    variables = dev.named("web-branch").inputs["environmentVariables"]
    outputs = {name: value for name, value in variables.items() if name.startswith("AMPLIFY_OUTPUTS_")}
    assert len(outputs) > 1
    value_limit = AMPLIFY.shape_for("EnvValue").metadata["max"]
    assert all(len(value) <= value_limit for value in variables.values())
    assert all(len(name) <= AMPLIFY.shape_for("EnvKey").metadata["max"] for name in variables)


def test_a_document_holding_outputs_is_resolved_before_encoding(tmp_path: Path) -> None:
    document = {"version": "1.4", "data": {"url": pulumi.Output.from_input("https://api.example/graphql")}}
    evaluation = evaluate_component(lambda: Hosting("web", {**DEV, "amplify_outputs": document}))
    assert run_pre_build(evaluation, tmp_path) == {
        "version": "1.4",
        "data": {"url": "https://api.example/graphql"},
    }


def test_extra_variables_reach_the_branch_beside_the_outputs(prod: Evaluation) -> None:
    variables = prod.named("web-branch").inputs["environmentVariables"]
    assert variables["NEXT_PUBLIC_SITE_NAME"] == "League insights"
    assert len(variables) == 2


def test_a_broken_document_fails_the_build_instead_of_deploying(prod: Evaluation, tmp_path: Path) -> None:
    variables = dict(prod.named("web-branch").inputs["environmentVariables"])
    variables["AMPLIFY_OUTPUTS_GZIP_1"] = variables["AMPLIFY_OUTPUTS_GZIP_1"][:-12]
    results = [
        subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env={"PATH": os.environ["PATH"], **variables},
            capture_output=True,
            check=False,
        ).returncode
        for command in outputs_commands(prod)
    ]
    assert any(code != 0 for code in results)


def role_policy(evaluation: Evaluation) -> dict[str, Any]:
    return json.loads(evaluation.named("web-ssr-logging").inputs["policy"])


def test_ssr_logging_role_writes_only_the_apps_log_group(dev: Evaluation) -> None:
    group = dev.named("web-ssr-logs").inputs
    assert group["name"].startswith("/aws/amplify/d")
    assert "ssr_log_retention_days" not in DEV
    assert group["retentionInDays"] == 30  # the default
    group_arn = f"arn:aws:logs:{TEST_REGION}:{ACCOUNT_ID}:log-group:{group['name']}"
    other_arn = f"arn:aws:logs:{TEST_REGION}:{ACCOUNT_ID}:log-group:/aws/amplify/dother"
    policy = role_policy(dev)
    assert is_allowed(policy, "logs:PutLogEvents", f"{group_arn}:log-stream:main", {})
    assert is_allowed(policy, "logs:CreateLogStream", f"{group_arn}:log-stream:main", {})
    assert not is_allowed(policy, "logs:PutLogEvents", f"{other_arn}:log-stream:main", {})
    assert not is_allowed(policy, "logs:CreateLogGroup", other_arn, {})
    assert not is_allowed(policy, "logs:DeleteLogGroup", group_arn, {})
    assert all(resource != "*" for item in policy["Statement"] for resource in item["Resource"])
    app = dev.named("web-app")
    assert app.inputs["iamServiceRoleArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:role/web-ssr-logging-role-")
    assert "web-ssr-logging-role" in app.dependencies


def test_only_amplify_for_this_account_may_assume_the_role(dev: Evaluation) -> None:
    trust = json.loads(dev.named("web-ssr-logging-role").inputs["assumeRolePolicy"])
    [grant] = trust["Statement"]
    assert grant["Principal"] == {"Service": "amplify.amazonaws.com"}
    assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    assert grant["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:amplify:{TEST_REGION}:{ACCOUNT_ID}:apps/*"
    }


def test_without_ssr_logging_there_is_no_role() -> None:
    evaluation = evaluate({**DEV, "ssr_logging": False})
    assert {record.type for record in evaluation.resources} == {
        "genai-backend:index:Hosting",
        "aws:amplify/app:App",
        "aws:amplify/branch:Branch",
    }
    assert "iamServiceRoleArn" not in evaluation.named("web-app").inputs


def test_children_are_parented_and_named_after_the_component(dev: Evaluation) -> None:
    for record in dev.resources:
        if record.name != "web":
            assert record.parent == "web"
            assert record.name.startswith("web-")


def test_the_component_has_the_package_token_and_answers_to_the_old_one(dev: Evaluation) -> None:
    component = dev.named("web")
    assert component.type == "genai-backend:index:Hosting"
    assert {"type": "genai:index:Hosting"} in component.aliases


def test_retention_is_passed_to_the_log_group() -> None:
    evaluation = evaluate({**DEV, "ssr_log_retention_days": 365})
    assert evaluation.named("web-ssr-logs").inputs["retentionInDays"] == 365


def test_tags_reach_the_app_its_role_and_its_log_group() -> None:
    tags = {"team": "web", "cost-centre": "league"}
    evaluation = evaluate({**DEV, "tags": tags})
    for name in ("web-app", "web-ssr-logging-role", "web-ssr-logs"):
        assert evaluation.named(name).inputs["tags"] == tags, name
    untagged = evaluate(DEV)
    for name in ("web-app", "web-ssr-logging-role", "web-ssr-logs"):
        assert "tags" not in untagged.named(name).inputs, name


def test_a_transforms_option_reaches_every_child() -> None:
    transform, seen = tagging_transform("costCenter", "42")
    evaluation = evaluate_with_engine_transforms(
        lambda: Hosting("web", DEV, pulumi.ResourceOptions(transforms=[transform]))
    )
    assert {"web", "web-app", "web-branch", "web-ssr-logging-role", "web-ssr-logs", "web-ssr-logging"} <= {
        name for _, name in seen
    }
    assert_transform_reaches_every_child(evaluation, seen)


def refused(args: object) -> tuple[Evaluation, InvalidArgsError]:
    """Builds Hosting from ``args`` under mocks, expecting it to refuse them before declaring anything."""
    errors: list[InvalidArgsError] = []

    def build() -> None:
        with pytest.raises(InvalidArgsError) as raised:
            Hosting("web", args)  # type: ignore[arg-type]
        errors.append(raised.value)

    evaluation = evaluate_component(build)
    assert len(errors) == 1, "Hosting accepted the args"
    return evaluation, errors[0]


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"repository": "http://github.com/acme/web"}, "repository", "https://"),
        ({"repository": "git@github.com:acme/web.git"}, "repository", "https://"),
        ({"branch": ""}, "branch", "1 to 255 characters"),
        ({"branch": "feature x"}, "branch", "'feature x' is not a Git branch name"),
        ({"branch": "release..2"}, "branch", "not a Git branch name"),
        ({"branch": "-main"}, "branch", "not a Git branch name"),
        ({"access_token": " "}, "access_token", "empty"),
        ({"production": "yes"}, "production", "true or false"),
        ({"node_version": 18}, "node_version", "20, 22, 24"),
        ({"ssr_log_retention_days": 10}, "ssr_log_retention_days", "retention"),
        ({"app_name": "x" * 256}, "app_name", "255"),
        ({"environment_variables": {"AWS_REGION": "x"}}, "environment_variables['AWS_REGION']", "reserved"),
        (
            {"environment_variables": {"AMPLIFY_OUTPUTS_GZIP_1": "x"}},
            "environment_variables['AMPLIFY_OUTPUTS_GZIP_1']",
            "reserved",
        ),
        ({"environment_variables": {"1BAD": "x"}}, "environment_variables['1BAD']", "must match"),
        ({"environment_variables": {"BIG": "x" * 5501}}, "environment_variables['BIG']", "5500"),
        ({"amplify_outputs": TOO_LARGE_DOCUMENT}, "amplify_outputs", "4 Amplify variables"),
        ({"tags": {"team": 7}}, "tags['team']", "text"),
    ],
)
def test_bad_arguments_fail_before_any_resource(overrides: dict[str, Any], path: str, words: str) -> None:
    evaluation, error = refused({**DEV, **overrides})
    assert [problem.path for problem in error.problems] == [path]
    assert words in error.problems[0].message
    assert str(error).startswith("HostingArgs has 1 invalid value:")
    assert evaluation.resources == []


def test_a_bad_token_is_named_but_never_shown() -> None:
    evaluation, error = refused({**DEV, "access_token": 4242424242, "node_version": 16})
    assert {problem.path for problem in error.problems} == {"access_token", "node_version"}
    assert "4242424242" not in str(error)
    assert evaluation.resources == []
