"""examples/<component>: one separate Pulumi project per component, each run as its user would run it.

Every example is evaluated by ``example_runner.py`` in the wheel's venv, from the example's own folder: the
program can only import the installed library (never this checkout), and every file it deploys must come
from its own folder or from the installed package. Config is what the Pulumi CLI would pass: the defaults
Pulumi.yaml declares plus the stack's values (a key without a default must be given, as the CLI demands).
Each test then checks what the example is there to show, on the resources the engine would receive.
"""

from __future__ import annotations

import ast
import base64
import gzip
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws
from packaging.requirements import Requirement

from genai_backend_components.client_config import OUTPUTS_VERSION
from genai_backend_components.conversation import compose_conversation_schema
from genai_backend_components.provider import COMPONENTS
from tests.appsync_harness import AppSyncHarness, dynamodb_table
from tests.library.wheel_install import LIBRARY, REPO_ROOT, WheelVenv
from tests.policy_evaluator import is_allowed

EXAMPLES_DIR = REPO_ROOT / "examples"
EXAMPLES = ("auth", "conversation", "function", "generation", "graphql", "hosting", "table")
RUNNER = Path(__file__).with_name("example_runner.py")
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
SECRET = "[secret]"
COMPONENT = "genai-backend:index:"
LIBRARY_PROJECT = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MAIN_PROJECT = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
ACCESS_TOKEN = "ghp_example-token-that-must-never-show"
SES_IDENTITY = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/notes.example.com"
BACKEND = {
    "userPoolId": f"{REGION}_AbCdEf123",
    "userPoolClientId": "4example0client0id0abcdefgh",
    "graphqlUrl": f"https://abcdefghijklmnopqrstuvwxyz.appsync-api.{REGION}.amazonaws.com/graphql",
}


def project_file(example: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES_DIR / example / "Pulumi.yaml").read_text(encoding="utf-8"))


def module_constant(example: str, name: str) -> Any:
    """A literal the example's program assigns at module level."""
    tree = ast.parse((EXAMPLES_DIR / example / "__main__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = (
            [getattr(target, "id", None) for target in node.targets] if isinstance(node, ast.Assign) else []
        )
        if targets == [name]:
            return ast.literal_eval(node.value)
    raise KeyError(f"{example}/__main__.py assigns no {name}")


def _engine_value(value: Any) -> str:
    """Config values reach the program as strings, booleans and numbers in JSON spelling."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class Run:
    example: str
    values: Mapping[str, str]
    secrets: tuple[str, ...] = ()

    def request(self) -> dict[str, Any]:
        project = project_file(self.example)
        declared = project.get("config", {})
        missing = sorted(
            key for key, item in declared.items() if "default" not in item and key not in self.values
        )
        assert not missing, f"{self.example}: the CLI would refuse to run without {missing}"
        name = project["name"]
        values = {key: _engine_value(item["default"]) for key, item in declared.items() if "default" in item}
        values.update(self.values)
        return {
            "example": str(EXAMPLES_DIR / self.example),
            "project": name,
            "stack": "dev",
            "config": {"aws:region": REGION, **{f"{name}:{key}": value for key, value in values.items()}},
            "secrets": [f"{name}:{key}" for key in self.secrets],
        }


RUNS = {
    "table": Run("table", {}),
    "table-protected": Run("table", {"protectData": "true"}),
    "function": Run("function", {}),
    "function-configured": Run("function", {"protectData": "true", "logLevel": "DEBUG"}),
    "auth": Run(
        "auth",
        {
            "domainPrefix": "notes-dev",
            "sesIdentityArn": SES_IDENTITY,
            "fromEmail": "Notes <no-reply@notes.example.com>",
            "appUrl": "https://notes.example.com",
        },
    ),
    "graphql": Run("graphql", {}),
    "generation": Run("generation", {}),
    "conversation": Run("conversation", {}),
    "hosting": Run(
        "hosting",
        {"repository": "https://github.com/acme/notes-web", "accessToken": ACCESS_TOKEN, **BACKEND},
        secrets=("accessToken",),
    ),
}


@dataclass
class Evaluation:
    """What one example declared, as the runner printed it."""

    text: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]
    library: str
    repository_packages: dict[str, str | None]

    def named(self, name: str) -> dict[str, Any]:
        matches = [resource for resource in self.resources if resource["name"] == name]
        assert len(matches) == 1, (
            f"expected one {name!r}; declared: {sorted(r['name'] for r in self.resources)}"
        )
        return matches[0]

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [resource for resource in self.resources if resource["type"] == type_token]

    def components(self) -> list[tuple[str, str]]:
        return sorted((r["type"], r["name"]) for r in self.resources if r["type"].startswith(COMPONENT))


def _evaluate(wheel_venv: WheelVenv, run: Run) -> Evaluation:
    request = run.request()
    text = wheel_venv.run([str(RUNNER), json.dumps(request)], Path(request["example"]))
    document = json.loads(text)
    return Evaluation(
        text, document["resources"], document["outputs"], document["library"], document["repository_packages"]
    )


@pytest.fixture(scope="module")
def evaluations(wheel_venv: WheelVenv) -> dict[str, Evaluation]:
    """Every run once, in parallel: each is its own Python process, as each example is its own program."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(_evaluate, wheel_venv, run) for key, run in RUNS.items()}
        return {key: future.result() for key, future in futures.items()}


def installed(wheel_venv: WheelVenv, *parts: str) -> Path:
    return wheel_venv.site_packages.joinpath("genai_backend_components", *parts)


def policy_of(evaluation: Evaluation, name: str) -> dict[str, Any]:
    return json.loads(evaluation.named(name)["inputs"]["policy"])


def actions_and_resources(policy: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    actions = {action for statement in policy["Statement"] for action in statement["Action"]}
    resources = {resource for statement in policy["Statement"] for resource in statement["Resource"]}
    return actions, resources


def file_paths(value: Any) -> Iterator[str]:
    """Every file or folder an asset or archive in ``value`` points at."""
    if isinstance(value, dict):
        for key in ("path", "archive"):
            if set(value) == {key} and isinstance(value[key], str):
                yield value[key]
        for item in value.values():
            yield from file_paths(item)
    elif isinstance(value, list):
        for item in value:
            yield from file_paths(item)


# ---- The projects themselves


def test_examples_are_one_folder_per_component() -> None:
    folders = sorted(path.name for path in EXAMPLES_DIR.iterdir() if path.is_dir())
    assert folders == sorted(EXAMPLES)
    assert {run.example for run in RUNS.values()} == set(EXAMPLES)


def test_every_component_of_the_library_has_an_example(evaluations: dict[str, Evaluation]) -> None:
    shown = {
        resource["type"]
        for evaluation in evaluations.values()
        for resource in evaluation.resources
        if resource["type"].startswith(COMPONENT) and resource["parent_type"] is None
    }
    assert shown == {f"{COMPONENT}{component.__name__}" for component in COMPONENTS}


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_is_its_own_pip_project(example: str) -> None:
    folder = EXAMPLES_DIR / example
    project = project_file(example)
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert project["description"]
    names = [project_file(other)["name"] for other in EXAMPLES]
    assert len(set(names)) == len(names) and MAIN_PROJECT not in names
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "pulumi install" in readme and "pulumi preview" in readme


@pytest.mark.parametrize("example", EXAMPLES)
def test_requirements_install_the_library_from_git_with_the_library_s_ranges(example: str) -> None:
    lines = (EXAMPLES_DIR / example / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = {
        requirement.name: requirement
        for requirement in (Requirement(line) for line in lines if line.strip() and not line.startswith("#"))
    }
    library = requirements[LIBRARY_PROJECT["name"]]
    assert library.url is not None
    assert library.url.startswith("git+https://") and library.url.endswith("#subdirectory=components")
    pinned = {Requirement(item).name: Requirement(item).specifier for item in LIBRARY_PROJECT["dependencies"]}
    assert set(requirements) == {LIBRARY_PROJECT["name"], "pulumi", "pulumi-aws"}
    for name in ("pulumi", "pulumi-aws"):
        assert requirements[name].specifier == pinned[name]
    # The commented alternative for a local checkout is a path from the example's folder to the library.
    [local] = [line.lstrip("# ").removeprefix("-e ") for line in lines if line.lstrip("# ").startswith("-e ")]
    assert (EXAMPLES_DIR / example / local).resolve() == LIBRARY


_CONFIG_READ = re.compile(r"\bconfig\.(get|require)(_secret)?\w*\(\s*\"(\w+)\"")


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_config_key_the_program_reads_is_declared_and_secrets_stay_secret(example: str) -> None:
    source = (EXAMPLES_DIR / example / "__main__.py").read_text(encoding="utf-8")
    reads = {key: bool(secret) for _, secret, key in _CONFIG_READ.findall(source)}
    declared = project_file(example).get("config", {})
    assert set(reads) == set(declared)
    assert {key for key, secret in reads.items() if secret} == {
        key for key, item in declared.items() if item.get("secret")
    }
    # The AWS provider's region is the only other config the programs read.
    assert set(re.findall(r"pulumi\.Config\(\"(\w+)\"\)", source)) <= {"aws"}


def _imports(example: str) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse((EXAMPLES_DIR / example / "__main__.py").read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_imports_only_the_public_api(example: str) -> None:
    library_imports = 0
    for node in _imports(example):
        if isinstance(node, ast.Import):
            top_levels = {alias.name.split(".")[0] for alias in node.names}
            assert top_levels <= {"pulumi", "pulumi_aws"} | set(sys.stdlib_module_names), ast.unparse(node)
            continue
        assert node.module is not None and node.level == 0, ast.unparse(node)
        if node.module.split(".")[0] != "genai_backend_components":
            assert node.module.split(".")[0] in {"pulumi", "pulumi_aws", *sys.stdlib_module_names}, (
                node.module
            )
            continue
        # The package or one subpackage, as its __init__ exports it; never a module inside one.
        assert node.module.count(".") <= 1, f"{node.module} is not a public package"
        module = importlib.import_module(node.module)
        assert Path(str(module.__file__)).name == "__init__.py", f"{node.module} is not a package"
        for alias in node.names:
            assert alias.name in module.__all__, f"{node.module}.{alias.name} is not in its __all__"
            library_imports += 1
    assert library_imports, f"{example} imports nothing from the library"


@pytest.mark.parametrize("key", sorted(RUNS))
def test_example_runs_from_the_installed_wheel_with_its_own_files_only(
    evaluations: dict[str, Evaluation], wheel_venv: WheelVenv, key: str
) -> None:
    evaluation = evaluations[key]
    assert Path(evaluation.library).is_relative_to(wheel_venv.site_packages)
    assert evaluation.repository_packages == {name: None for name in ("app", "tools", "tests", "components")}
    folder = EXAMPLES_DIR / RUNS[key].example
    for resource in evaluation.resources:
        for path in file_paths(resource["inputs"]):
            assert Path(path).is_relative_to(folder) or Path(path).is_relative_to(wheel_venv.site_packages), (
                path
            )
            assert Path(path).exists(), path
    # Components parent everything they declare; the program itself declares components only.
    for resource in evaluation.resources:
        assert resource["type"].startswith(COMPONENT) or resource["parent_type"], resource["name"]


# ---- table


def test_table_example_is_on_demand_with_its_index_and_expiry(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["table"]
    assert evaluation.components() == [(f"{COMPONENT}Table", "notes")]
    table = evaluation.named("notes-table")
    inputs = table["inputs"]
    assert table["parent_type"] == f"{COMPONENT}Table"
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert (inputs["hashKey"], inputs["rangeKey"]) == ("owner", "id")
    assert inputs["attributes"] == [
        {"name": "id", "type": "S"},
        {"name": "owner", "type": "S"},
        {"name": "updatedAt", "type": "S"},
    ]
    assert inputs["globalSecondaryIndexes"] == [
        {
            "name": "byOwnerUpdatedAt",
            "keySchemas": [
                {"attributeName": "owner", "keyType": "HASH"},
                {"attributeName": "updatedAt", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        }
    ]
    assert inputs["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert inputs["serverSideEncryption"] == {"enabled": True}
    assert evaluation.outputs["tableName"].startswith("notes-table-")
    assert evaluation.outputs["tableArn"] == (
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{evaluation.outputs['tableName']}"
    )


def test_table_example_is_unprotected_by_default_and_protected_by_config(
    evaluations: dict[str, Evaluation],
) -> None:
    default = evaluations["table"].named("notes-table")
    assert default["inputs"]["deletionProtectionEnabled"] is False
    assert default["inputs"]["pointInTimeRecovery"] == {"enabled": False}
    assert not default["protect"] and not default["retain_on_delete"]
    protected = evaluations["table-protected"].named("notes-table")
    assert protected["inputs"]["deletionProtectionEnabled"] is True
    assert protected["inputs"]["pointInTimeRecovery"] == {"enabled": True}
    assert protected["protect"] and protected["retain_on_delete"]


# ---- function


def test_function_example_has_its_handler_and_structured_logging(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["function"]
    assert evaluation.components() == [
        (f"{COMPONENT}LoggedFunction", "hello"),
        (f"{COMPONENT}Table", "greetings"),
    ]
    function = evaluation.named("hello-function")
    inputs = function["inputs"]
    assert function["parent_type"] == f"{COMPONENT}LoggedFunction"
    assert inputs["handler"] == "hello.handler.handler"
    assert inputs["runtime"] == "python3.13" and inputs["architectures"] == ["arm64"]
    assert inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "applicationLogLevel": "INFO",
        "systemLogLevel": "INFO",
        "logGroup": evaluation.outputs["logGroupName"],
    }
    assert evaluation.outputs["logGroupName"].startswith("hello-logs-")
    assert evaluation.named("hello-logs")["inputs"]["retentionInDays"] == 14
    # The group and the logging permission exist before the function can log.
    assert {"hello-logs", "hello-logging"} <= set(function["dependencies"])
    # The handler ships from the example's own folder, as its package name.
    handler_file = EXAMPLES_DIR / "function" / "functions" / "hello" / "handler.py"
    assert inputs["code"] == {"archive": {"hello/handler.py": {"path": str(handler_file)}}}


def test_function_example_log_level_comes_from_config(evaluations: dict[str, Evaluation]) -> None:
    logging_config = evaluations["function-configured"].named("hello-function")["inputs"]["loggingConfig"]
    assert logging_config["applicationLogLevel"] == "DEBUG"


def test_function_example_is_told_the_table_name(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["function"]
    table_name = evaluation.named("hello-function")["inputs"]["environment"]["variables"]["TABLE_NAME"]
    assert table_name.startswith("greetings-table-")
    assert evaluation.outputs["tableName"] == table_name
    assert evaluation.outputs["functionName"].startswith("hello-function-")


def test_function_example_table_is_on_demand_and_protected_only_by_config(
    evaluations: dict[str, Evaluation],
) -> None:
    table = evaluations["function"].named("greetings-table")
    assert table["inputs"]["hashKey"] == "id"
    assert table["inputs"]["billingMode"] == "PAY_PER_REQUEST"
    assert table["inputs"]["deletionProtectionEnabled"] is False
    assert not table["protect"]
    protected = evaluations["function-configured"].named("greetings-table")
    assert protected["inputs"]["deletionProtectionEnabled"] is True
    assert protected["protect"] and protected["retain_on_delete"]


def test_function_example_grant_lets_the_function_role_use_this_table_only(
    evaluations: dict[str, Evaluation],
) -> None:
    evaluation = evaluations["function"]
    grant = evaluation.named("greetings-hello-read-write")
    assert grant["inputs"]["role"] == evaluation.named("hello-role")["id"]
    policy = json.loads(grant["inputs"]["policy"])
    table = evaluation.named("greetings-table")["arn"]
    assert table == f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{evaluation.outputs['tableName']}"
    other = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/someone-elses-table"
    assert is_allowed(policy, "dynamodb:PutItem", table, {})
    assert is_allowed(policy, "dynamodb:GetItem", table, {})
    assert not is_allowed(policy, "dynamodb:PutItem", other, {})
    assert not is_allowed(policy, "dynamodb:DeleteTable", table, {})
    assert not is_allowed(policy, "dynamodb:Scan", table, {})


@pytest.fixture
def greetings_table() -> Iterator[Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name=REGION)
        yield resource.create_table(
            TableName="greetings",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def test_function_example_handler_stores_one_greeting_per_request(
    greetings_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABLE_NAME", "greetings")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    spec = importlib.util.spec_from_file_location(
        "example_hello_handler", EXAMPLES_DIR / "function" / "functions" / "hello" / "handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    request = SimpleNamespace(aws_request_id="req-1")
    returned = module.handler({"name": "Ana"}, request)
    stored = greetings_table.get_item(Key={"id": "req-1"})["Item"]
    assert stored == returned == {"id": "req-1", "greeting": "Hello, Ana!"}
    # A retried invocation (same request id) overwrites rather than duplicates.
    module.handler({"name": "Bo"}, request)
    assert greetings_table.scan()["Count"] == 1


# ---- auth


def test_auth_example_offers_passwordless_sign_in(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["auth"]
    assert evaluation.components() == [(f"{COMPONENT}Auth", "auth")]
    pool = evaluation.named("auth-user-pool")["inputs"]
    assert pool["userPoolTier"] == "ESSENTIALS"
    assert pool["signInPolicy"] == {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}
    # Passkeys belong to the app's host (from appUrl); one-time codes go out through the SES identity.
    assert pool["webAuthnConfiguration"] == {
        "relyingPartyId": "notes.example.com",
        "userVerification": "preferred",
    }
    assert pool["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": SES_IDENTITY,
        "fromEmailAddress": "Notes <no-reply@notes.example.com>",
    }
    assert pool["usernameAttributes"] == ["email"]
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    assert pool["deletionProtection"] == "INACTIVE"
    client = evaluation.named("auth-web-client")["inputs"]
    assert client["generateSecret"] is False
    assert "ALLOW_USER_AUTH" in client["explicitAuthFlows"]
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["explicitAuthFlows"]


def test_auth_example_has_managed_login_on_its_hosted_domain(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["auth"]
    domain = evaluation.named("auth-domain")["inputs"]
    assert domain["domain"] == "notes-dev"
    assert domain["managedLoginVersion"] == 2
    assert domain["userPoolId"] == "auth-user-pool-id"
    assert evaluation.named("auth-web-client-branding")["inputs"]["useCognitoProvidedValues"] is True
    client = evaluation.named("auth-web-client")["inputs"]
    assert client["allowedOauthFlows"] == ["code"]
    assert client["callbackUrls"] == ["https://notes.example.com/"]
    assert client["logoutUrls"] == ["https://notes.example.com/"]
    assert evaluation.named("auth-group-admins")["inputs"]["name"] == "admins"
    assert evaluation.outputs["managedLoginHost"] == f"notes-dev.auth.{REGION}.amazoncognito.com"
    assert evaluation.outputs["issuerUrl"] == f"https://cognito-idp.{REGION}.amazonaws.com/auth-user-pool-id"
    assert evaluation.outputs["userPoolClientId"] == "auth-web-client-id"


def test_auth_example_refuses_a_bad_config_value_naming_the_arg(wheel_venv: WheelVenv) -> None:
    """A user's bad stack value stops the program before anything is declared, with the arg's path."""
    values = {**RUNS["auth"].values, "domainPrefix": "aws-notes"}
    request = Run("auth", values).request()
    completed = subprocess.run(
        [str(wheel_venv.python), str(RUNNER), json.dumps(request)],
        cwd=request["example"],
        env=wheel_venv.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert "InvalidArgsError: AuthArgs has 1 invalid value:" in completed.stderr
    assert "hosted_domain.prefix: 'aws-notes' must not contain ['aws'] (reserved by AWS)" in completed.stderr
    assert completed.stdout == ""


# ---- graphql


def test_graphql_example_api_serves_the_schema_file_to_the_user_pool(
    evaluations: dict[str, Evaluation],
) -> None:
    evaluation = evaluations["graphql"]
    assert evaluation.components() == [
        (f"{COMPONENT}Auth", "auth"),
        (f"{COMPONENT}GraphqlApi", "notes"),
        (f"{COMPONENT}Table", "notes"),
    ]
    api = evaluation.named("notes-api")
    inputs = api["inputs"]
    assert inputs["schema"] == (EXAMPLES_DIR / "graphql" / "schema.graphql").read_text(encoding="utf-8")
    assert inputs["authenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert inputs["userPoolConfig"]["userPoolId"] == evaluation.named("auth-user-pool")["id"]
    assert inputs["logConfig"]["fieldLogLevel"] == "ERROR"
    graphql_url = f"https://{api['id']}.appsync-api.{REGION}.amazonaws.com/graphql"
    assert evaluation.outputs["graphqlUrl"] == graphql_url


def test_graphql_example_resolver_deploys_the_example_s_file(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["graphql"]
    [resolver] = evaluation.of_type("aws:appsync/resolver:Resolver")
    inputs = resolver["inputs"]
    assert (inputs["type"], inputs["field"], inputs["kind"]) == ("Query", "getNote", "UNIT")
    assert inputs["code"] == (EXAMPLES_DIR / "graphql" / "resolvers" / "getNote.js").read_text(
        encoding="utf-8"
    )
    assert inputs["runtime"] == {"name": "APPSYNC_JS", "runtimeVersion": "1.0.0"}
    assert inputs["dataSource"] == "Notes"


def test_graphql_example_data_source_role_grants_exactly_the_listed_actions(
    evaluations: dict[str, Evaluation],
) -> None:
    evaluation = evaluations["graphql"]
    [source] = evaluation.of_type("aws:appsync/dataSource:DataSource")
    table, role = evaluation.named("notes-table"), evaluation.named("notes-datasource-Notes-role")
    assert source["inputs"]["name"] == "Notes" and source["inputs"]["type"] == "AMAZON_DYNAMODB"
    assert source["inputs"]["dynamodbConfig"] == {"tableName": table["physical_name"]}
    assert source["inputs"]["serviceRoleArn"] == role["arn"]
    policy = evaluation.named("notes-datasource-Notes-policy")["inputs"]
    assert policy["role"] == role["id"]
    assert actions_and_resources(json.loads(policy["policy"])) == ({"dynamodb:GetItem"}, {table["arn"]})
    # AppSync may assume the role only for this API.
    [statement] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "appsync.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == evaluation.named("notes-api")["arn"]


@pytest.fixture(scope="module")
def appsync() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as harness:
        yield harness


def test_graphql_example_resolver_reads_the_caller_s_own_note_only(appsync: AppSyncHarness) -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="notes",
            KeySchema=[
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "id", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "owner", "AttributeType": "S"},
                {"AttributeName": "id", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for owner, note_id, text in (("alice-sub", "n1", "Alice's"), ("bob-sub", "n2", "Bob's")):
            item = {"owner": {"S": owner}, "id": {"S": note_id}, "text": {"S": text}}
            client.put_item(TableName="notes", Item=item)
        source = dynamodb_table("Notes", client, "notes")
        resolver = EXAMPLES_DIR / "graphql" / "resolvers" / "getNote.js"
        alice = {"sub": "alice-sub", "username": "alice"}
        own = appsync.run_unit(resolver, source, arguments={"id": "n1"}, identity=alice)
        assert own.error is None
        assert own.result == {"owner": "alice-sub", "id": "n1", "text": "Alice's"}
        assert own.request["operation"] == "GetItem"
        others = appsync.run_unit(resolver, source, arguments={"id": "n2"}, identity=alice)
        assert others.error is None and others.result is None


LINT_SCRIPT = """
import { ESLint } from 'eslint';
const [code, probe] = JSON.parse(process.argv[1]);
const eslint = new ESLint();
const lint = async (text, path) => (await eslint.lintText(text, { filePath: path, warnIgnored: true }))[0].messages;
const example = await lint(code, 'resolvers/Example.getNote.js');
const bad = await lint(probe, 'resolvers/Example.probe.js');
process.stdout.write(JSON.stringify({ example, bad: bad.map((m) => m.ruleId) }));
"""


def test_graphql_example_resolver_passes_the_appsync_js_lint() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required to lint resolvers"
    code = (EXAMPLES_DIR / "graphql" / "resolvers" / "getNote.js").read_text(encoding="utf-8")
    probe = (
        "export function request(ctx) { while (true) {} }\nexport function response(ctx) { return ctx; }\n"
    )
    completed = subprocess.run(
        [node, "--input-type=module", "-e", LINT_SCRIPT, json.dumps([code, probe])],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["example"] == []
    assert "@aws-appsync/no-while" in result["bad"], "the lint must bite, or an empty result proves nothing"


# ---- generation


def _stash(code: str) -> dict[str, Any]:
    matched = re.search(r"ctx\.stash\.generation = (\{.*\});", code)
    assert matched is not None, code
    return json.loads(matched[1])


def test_generation_example_adds_the_query_to_the_api_schema(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["generation"]
    assert evaluation.components() == [
        (f"{COMPONENT}Auth", "auth"),
        (f"{COMPONENT}GenerationRoute", "insights-generation"),
        (f"{COMPONENT}GraphqlApi", "insights"),
    ]
    schema = evaluation.named("insights-api")["inputs"]["schema"]
    assert "summarizeRequirement(requirement: String!): RequirementSummary @aws_cognito_user_pools" in schema
    assert "type RequirementSummary @aws_cognito_user_pools" in schema and "ping: String" in schema
    assert "extend type" not in schema
    # The route waits for the whole API: the AppSync API (with its schema) and the API's other children.
    assert {"insights-api", "insights-logs"} <= set(evaluation.named("insights-generation")["dependencies"])


def test_generation_example_calls_bedrock_through_a_signed_data_source(
    evaluations: dict[str, Evaluation],
) -> None:
    evaluation = evaluations["generation"]
    source = evaluation.named(
        "insights-generation-datasource-GenerationBedrockDataSourceSummarizeRequirement"
    )["inputs"]
    assert source["type"] == "HTTP"
    assert source["httpConfig"] == {
        "endpoint": f"https://bedrock-runtime.{REGION}.amazonaws.com",
        "authorizationConfig": {
            "authorizationType": "AWS_IAM",
            "awsIamConfig": {"signingRegion": REGION, "signingServiceName": "bedrock"},
        },
    }
    policy = policy_of(
        evaluation, "insights-generation-datasource-GenerationBedrockDataSourceSummarizeRequirement-policy"
    )
    actions, resources = actions_and_resources(policy)
    assert actions == {"bedrock:InvokeModel"}
    profile = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:inference-profile/us.amazon.nova-lite-v1:0"
    assert profile in resources
    assert all(resource.endswith("amazon.nova-lite-v1:0") for resource in resources)


def test_generation_example_settings_step_holds_the_model_and_prompt(
    evaluations: dict[str, Evaluation], wheel_venv: WheelVenv
) -> None:
    evaluation = evaluations["generation"]
    settings = evaluation.named("insights-generation-settings")["inputs"]
    assert settings["name"] == "summarizeRequirementSettings"
    assert settings["dataSource"] == "GenerationBedrockDataSourceSummarizeRequirementSettings"
    stash = _stash(settings["code"])
    assert stash["modelId"] == "us.amazon.nova-lite-v1:0"
    assert stash["systemPrompt"] == project_file("generation")["config"]["systemPrompt"]["default"]
    assert stash["inferenceConfig"]["maxTokens"] == 600
    # The model is held to the declared return type: this is the tool's input schema.
    summary = stash["answerSchema"]["properties"]["value"]
    assert summary["required"] == ["summary", "risks", "effort"]
    assert summary["properties"]["effort"] == {"type": "string", "enum": ["LARGE", "MEDIUM", "SMALL"]}
    assert evaluation.outputs["modelInvokeId"] == "us.amazon.nova-lite-v1:0"
    invoke = evaluation.named("insights-generation-invoke")["inputs"]
    shipped = installed(wheel_venv, "generation", "resolvers", "invokeConverse.js")
    assert invoke["code"] == shipped.read_text(encoding="utf-8")
    resolver = evaluation.named("insights-generation-resolver")["inputs"]
    assert (resolver["type"], resolver["field"], resolver["kind"]) == (
        "Query",
        "summarizeRequirement",
        "PIPELINE",
    )
    assert resolver["pipelineConfig"]["functions"] == [
        "insights-generation-settings-function-id",
        "insights-generation-invoke-function-id",
    ]


# ---- conversation


def test_conversation_example_composes_the_route_into_the_api(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["conversation"]
    assert evaluation.components() == [
        (f"{COMPONENT}Auth", "auth"),
        (f"{COMPONENT}ConversationRoute", "chat"),
        (f"{COMPONENT}GraphqlApi", "assistant"),
        (f"{COMPONENT}LoggedFunction", "chat-cleanup"),
        (f"{COMPONENT}LoggedFunction", "chat-handler"),
        (f"{COMPONENT}Table", "chat-conversations"),
        (f"{COMPONENT}Table", "chat-messages"),
    ]
    api = evaluation.named("assistant-api")["inputs"]
    assert api["schema"] == compose_conversation_schema(
        module_constant("conversation", "BASE_SCHEMA"), ["chat"]
    )
    assert "sendMessageChat(" in api["schema"] and "ping: String" in api["schema"]
    # The handler answers with IAM-signed mutations.
    assert api["additionalAuthenticationProviders"] == [{"authenticationType": "AWS_IAM"}]
    resolvers = {
        resource["inputs"]["field"] for resource in evaluation.of_type("aws:appsync/resolver:Resolver")
    }
    assert {"sendMessageChat", "listConversationChats", "onCreateAssistantResponseChat"} <= resolvers
    assert len(resolvers) == 10
    assert {"assistant-api", "assistant-logs"} <= set(evaluation.named("chat")["dependencies"])


def test_conversation_example_has_its_two_tables(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["conversation"]
    conversations = evaluation.named("chat-conversations-table")["inputs"]
    assert (conversations["hashKey"], conversations["rangeKey"]) == ("owner", "id")
    assert [index["name"] for index in conversations["globalSecondaryIndexes"]] == ["byOwnerUpdatedAt"]
    assert conversations["streamViewType"] == "KEYS_ONLY"
    messages = evaluation.named("chat-messages-table")["inputs"]
    assert (messages["hashKey"], messages["rangeKey"]) == ("conversationId", "createdAtId")
    for table in (conversations, messages):
        assert table["billingMode"] == "PAY_PER_REQUEST"
        assert table["deletionProtectionEnabled"] is False


def test_conversation_example_handler_ships_from_the_installed_wheel(
    evaluations: dict[str, Evaluation], wheel_venv: WheelVenv
) -> None:
    evaluation = evaluations["conversation"]
    handler = evaluation.named("chat-handler-function")
    assert handler["parent"] == "chat-handler"
    inputs = handler["inputs"]
    assert inputs["handler"] == "conversation_handler.handler.handler"
    packaged = installed(wheel_venv, "conversation", "conversation_handler")
    expected = {f"conversation_handler/{path.name}": str(path) for path in sorted(packaged.glob("*.py"))}
    assert {"conversation_handler/handler.py", "conversation_handler/cleanup.py"} <= set(expected)
    # The example's executable tools ship beside the handler, from the example's own folder.
    expected["chat_tools/__init__.py"] = str(EXAMPLES_DIR / "conversation" / "chat_tools" / "__init__.py")
    members = {name: member["path"] for name, member in inputs["code"]["archive"].items()}
    assert members == expected
    assert not any(
        Path(path).is_relative_to(REPO_ROOT)
        for name, path in members.items()
        if name != "chat_tools/__init__.py"
    )
    variables = inputs["environment"]["variables"]
    assert (variables["EXECUTABLE_TOOLS_MODULE"], variables["MAX_TOOL_ITERATIONS"]) == ("chat_tools", "3")
    assert variables["MODEL_ID"] == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert variables["SYSTEM_PROMPT"] == project_file("conversation")["config"]["systemPrompt"]["default"]
    assert variables["GRAPHQL_URL"] == evaluation.outputs["graphqlUrl"]
    assert (
        variables["CONVERSATIONS_TABLE_NAME"] == evaluation.named("chat-conversations-table")["physical_name"]
    )
    assert evaluation.outputs["conversationHandlerName"] == handler["physical_name"]
    assert evaluation.outputs["cleanupFailuresQueueUrl"].startswith(f"https://sqs.{REGION}.amazonaws.com/")


def test_conversation_example_tools_load_and_run_as_the_handler_runs_them_in_lambda(
    evaluations: dict[str, Evaluation], tmp_path: Path
) -> None:
    """The archive the example deploys, unpacked as Lambda does, without the library: the handler imports the
    example's TOOLS, a tool answers, and an unknown currency is a ToolError message for the model."""
    archive = evaluations["conversation"].named("chat-handler-function")["inputs"]["code"]["archive"]
    for name, member in archive.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(member["path"], tmp_path / name)
    script = (
        "import json, sys; sys.modules['genai_backend_components'] = None\n"
        "from conversation_handler.handler import _executable_tools\n"
        "from conversation_handler.executable_tools import ToolContext, ToolError\n"
        "[tool] = _executable_tools('chat_tools')\n"
        "context = ToolContext('owner-sub', 'conversation', 'message')\n"
        "answer = tool.run({'amount': 10, 'currency': 'usd'}, context)\n"
        "try:\n    tool.run({'amount': 1, 'currency': 'XYZ'}, context)\nexcept ToolError as error:\n    refused = str(error)\n"
        "print(json.dumps({'name': tool.name, 'schema': tool.input_schema, 'answer': answer, 'refused': refused}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    assert report["name"] == "convertCurrency" and report["schema"]["required"] == ["amount", "currency"]
    assert report["answer"] == {
        "amount": 10.8,
        "currency": "USD",
        "from": {"amount": 10.0, "currency": "EUR"},
    }
    assert report["refused"].startswith("unknown currency 'XYZ'")


# ---- hosting


def _outputs_document(variables: Mapping[str, str]) -> dict[str, Any]:
    parts = [variables[key] for key in sorted(variables) if key.startswith("AMPLIFY_OUTPUTS_GZIP_")]
    return json.loads(gzip.decompress(base64.b64decode("".join(parts))))


def test_hosting_example_declares_the_app_and_branch(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["hosting"]
    assert evaluation.components() == [(f"{COMPONENT}Hosting", "web")]
    app = evaluation.named("web-app")["inputs"]
    assert app["repository"] == "https://github.com/acme/notes-web"
    assert app["platform"] == "WEB_COMPUTE"
    assert app["iamServiceRoleArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:role/web-ssr-logging-role-")
    branch = evaluation.named("web-branch")["inputs"]
    assert branch["appId"] == "web-app-id"
    assert (branch["branchName"], branch["stage"]) == ("main", "DEVELOPMENT")
    assert branch["framework"] == "Next.js - SSR"
    assert evaluation.outputs == {"appId": "web-app-id", "url": "https://main.web-app-id.amplifyapp.com"}


def test_hosting_example_access_token_stays_secret(evaluations: dict[str, Evaluation]) -> None:
    evaluation = evaluations["hosting"]
    assert evaluation.named("web-app")["inputs"]["accessToken"] == SECRET
    assert ACCESS_TOKEN not in evaluation.text


def test_hosting_example_hands_its_outputs_document_to_every_build(
    evaluations: dict[str, Evaluation],
) -> None:
    variables = evaluations["hosting"].named("web-branch")["inputs"]["environmentVariables"]
    assert variables["NEXT_PUBLIC_SITE_NAME"] == "Notes"
    assert _outputs_document(variables) == {
        "version": OUTPUTS_VERSION,
        "auth": {
            "aws_region": REGION,
            "user_pool_id": BACKEND["userPoolId"],
            "user_pool_client_id": BACKEND["userPoolClientId"],
        },
        "data": {
            "aws_region": REGION,
            "url": BACKEND["graphqlUrl"],
            "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
            "authorization_types": [],
        },
    }
