"""The package as TypeScript, Go, C# and YAML programs get it: the plugin in components/, over gRPC.

``pulumi package add <repo>/components`` runs the plugin and asks for its schema; a program in another
language then asks the same plugin to ``Construct`` each component, and the plugin registers the children
with the engine's resource monitor. Both are exercised here against the real plugin process, with a fake
engine and monitor (``provider_harness``) in place of the Pulumi CLI.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import textwrap
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, NotRequired, Required, Union, get_args, get_origin, is_typeddict

import grpc
import pulumi
import pytest
import yaml
from google.protobuf import empty_pb2

from genai_backend_components import PACKAGE_VERSION, InvalidArgsError
from genai_backend_components.provider import COMPONENTS
from genai_backend_components.table.checks import TableModel
from genai_backend_components.validation import check_args
from tests.library.provider_harness import (
    STACK_URN,
    UNKNOWN,
    Archive,
    Constructed,
    FakeServers,
    ProviderProcess,
    ResourceReference,
    construct,
    property_errors,
)

PACKAGE = "genai-backend"
AWS_VERSION = importlib.metadata.version("pulumi-aws")
COMPONENT_TOKENS = {
    f"{PACKAGE}:index:{name}"
    for name in (
        "Auth",
        "ConversationRoute",
        "GenerationRoute",
        "GraphqlApi",
        "Hosting",
        "LoggedFunction",
        "Table",
    )
}
SIMPLE_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}
OUTPUT_VALUE_SIG = {"4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4"}
KMS_KEY_URN = "urn:pulumi:dev::consumer::aws:kms/key:Key::data-key"
KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


# --- the plugin, the fake engine, and the schema ------------------------------------------------------------


@pytest.fixture(scope="module")
def servers() -> Iterator[FakeServers]:
    started = FakeServers.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def provider(servers: FakeServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderProcess]:
    # Started outside the repository, with no PYTHONPATH: only the plugin folder and its venv are needed.
    process = ProviderProcess(servers.engine_address, tmp_path_factory.mktemp("plugin-cwd"))
    yield process
    exit_code = process.stop()
    assert exit_code == 0, f"the provider did not stop cleanly ({exit_code}):\n{process.stderr()}"


@pytest.fixture(scope="module")
def schema(provider: ProviderProcess) -> dict[str, Any]:
    from pulumi.runtime.proto import provider_pb2

    return json.loads(provider.stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=20).schema)


@pytest.fixture(scope="module")
def handler_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("functions") / "greeter"
    (folder / "tests").mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "handler.py").write_text("def handler(event, context):\n    return 'hi'\n", encoding="utf-8")
    (folder / "requirements.txt").write_text("requests\n", encoding="utf-8")
    (folder / "tests" / "test_handler.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    return folder


# --- what the Python classes say the schema must be --------------------------------------------------------


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def args_type(component: type) -> type:
    return inspect.get_annotations(component.__init__)["args"]


def own_annotations(cls: type) -> dict[str, Any]:
    if is_typeddict(cls):
        return dict(cls.__annotations__)
    return {name: hint for name, hint in inspect.get_annotations(cls).items() if not name.startswith("_")}


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The string right after each attribute in the class's source: what schema descriptions are made of."""
    [class_def] = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    assert isinstance(class_def, ast.ClassDef)
    docstrings = {}
    for node, following in zip(class_def.body, class_def.body[1:], strict=False):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        is_docstring = isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
        if isinstance(target, ast.Name) and is_docstring and isinstance(following.value.value, str):
            docstrings[target.id] = following.value.value
    return docstrings


def aws_resource_ref(resource: type[pulumi.Resource]) -> str:
    token = resource.pulumi_type  # type: ignore[attr-defined]
    return f"/aws/v{AWS_VERSION}/schema.json#/resources/{token.replace('/', '%2F')}"


def is_optional(annotation: Any) -> bool:
    origin = get_origin(annotation)
    return origin is NotRequired or (origin in (Union, UnionType) and type(None) in get_args(annotation))


def expected_shape(annotation: Any) -> dict[str, Any]:
    """The schema type of an annotation, independent of the SDK's analyzer: type, $ref, items, values."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin in (NotRequired, Required, pulumi.Output):
        return expected_shape(arguments[0])
    if origin in (Union, UnionType):
        members = [member for member in arguments if member is not type(None)]
        awaited = [get_args(member)[0] for member in members if get_origin(member) is Awaitable]
        [value_type] = awaited[:1] or members  # pulumi.Input[T] is T | Awaitable[T] | Output[T]
        return expected_shape(value_type)
    if origin in (Sequence, list):
        return {"type": "array", "items": expected_shape(arguments[0])}
    if origin in (Mapping, dict):
        assert arguments[0] is str
        return {"type": "object", "additionalProperties": expected_shape(arguments[1])}
    if annotation is Any:
        return {"$ref": "pulumi.json#/Any"}
    if annotation in SIMPLE_TYPES:
        return {"type": SIMPLE_TYPES[annotation]}
    if isinstance(annotation, type) and issubclass(annotation, pulumi.Resource):
        return {"$ref": aws_resource_ref(annotation)}
    if isinstance(annotation, type) and (issubclass(annotation, Enum) or is_typeddict(annotation)):
        return {"$ref": f"#/types/{PACKAGE}:index:{annotation.__name__}"}
    raise AssertionError(f"no schema type for {annotation!r}")


def schema_shape(prop: Mapping[str, Any]) -> dict[str, Any]:
    nested = ("items", "additionalProperties")
    return {
        key: schema_shape(value) if key in nested else value
        for key, value in prop.items()
        if key in ("type", "$ref", *nested)
    }


def package_types() -> dict[str, type]:
    """Every TypedDict and Enum reachable from the components' args, by name (the schema's types)."""
    found: dict[str, type] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and (is_typeddict(annotation) or issubclass(annotation, Enum)):
            assert found.setdefault(annotation.__name__, annotation) is annotation, (
                f"two {annotation.__name__}"
            )
            for hint in own_annotations(annotation).values() if is_typeddict(annotation) else ():
                visit(hint)
        for argument in get_args(annotation):
            visit(argument)

    for component in COMPONENTS:
        for hint in own_annotations(args_type(component)).values():
            visit(hint)
    return found


def check_properties(
    where: str,
    schema_properties: Mapping[str, Any],
    annotations: Mapping[str, Any],
    docstrings: Mapping[str, str],
) -> None:
    assert set(schema_properties) == {camel(name) for name in annotations}, where
    for name, annotation in annotations.items():
        prop = schema_properties[camel(name)]
        assert docstrings.get(name, "").strip(), f"{where}.{name} has no docstring"
        assert prop["description"] == docstrings[name], f"{where}.{name}"
        assert schema_shape(prop) == expected_shape(annotation), f"{where}.{name}"


# --- GetSchema ---------------------------------------------------------------------------------------------


def test_plugin_reports_the_package_version(provider: ProviderProcess) -> None:
    assert provider.stub.GetPluginInfo(empty_pb2.Empty(), timeout=10).version == PACKAGE_VERSION == "0.2.0"


def test_schema_names_the_package_and_its_aws_dependency(schema: dict[str, Any]) -> None:
    assert (schema["name"], schema["version"]) == ("genai-backend", "0.2.0")
    assert schema["dependencies"] == [{"name": "aws", "version": AWS_VERSION}]


def test_schema_has_exactly_the_seven_components(schema: dict[str, Any]) -> None:
    assert set(schema["resources"]) == COMPONENT_TOKENS
    assert len(COMPONENTS) == 7
    for component in COMPONENTS:
        resource = schema["resources"][f"{PACKAGE}:index:{component.__name__}"]
        assert resource["isComponent"] is True
        assert resource["description"] == (component.__doc__ or "").strip() != ""


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda component: component.__name__)
def test_every_input_is_documented_required_as_declared_and_typed_as_annotated(
    schema: dict[str, Any], component: type
) -> None:
    resource = schema["resources"][f"{PACKAGE}:index:{component.__name__}"]
    args = args_type(component)
    check_properties(
        component.__name__, resource["inputProperties"], own_annotations(args), attribute_docstrings(args)
    )
    assert resource["requiredInputs"] == sorted(camel(name) for name in args.__required_keys__)


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda component: component.__name__)
def test_every_output_is_documented_and_typed_as_annotated(schema: dict[str, Any], component: type) -> None:
    resource = schema["resources"][f"{PACKAGE}:index:{component.__name__}"]
    annotations = own_annotations(component)
    check_properties(component.__name__, resource["properties"], annotations, attribute_docstrings(component))
    assert resource["required"] == sorted(
        camel(name) for name, hint in annotations.items() if not is_optional(hint)
    )


def test_object_types_match_their_typed_dicts_and_enums_their_members(schema: dict[str, Any]) -> None:
    expected = package_types()
    assert set(schema["types"]) == {f"{PACKAGE}:index:{name}" for name in expected}
    for name, cls in expected.items():
        declared = schema["types"][f"{PACKAGE}:index:{name}"]
        assert declared["description"] == cls.__doc__ and cls.__doc__.strip(), name
        if is_typeddict(cls):
            assert declared["type"] == "object"
            check_properties(name, declared["properties"], own_annotations(cls), attribute_docstrings(cls))
            assert declared.get("required", []) == sorted(camel(key) for key in cls.__required_keys__), name
        else:
            assert declared["type"] == "string"
            assert [(value["name"], value["value"]) for value in declared["enum"]] == [
                (member.name, member.value)
                for member in cls  # type: ignore[attr-defined]
            ], name


def test_representative_properties_have_the_types_other_languages_need(schema: dict[str, Any]) -> None:
    resources, types = schema["resources"], schema["types"]
    table, function = resources[f"{PACKAGE}:index:Table"], resources[f"{PACKAGE}:index:LoggedFunction"]
    auth, api = resources[f"{PACKAGE}:index:Auth"], resources[f"{PACKAGE}:index:GraphqlApi"]

    attribute_types = table["inputProperties"]["attributeTypes"]
    assert attribute_types["type"] == "object"
    assert attribute_types["additionalProperties"]["$ref"] == "#/types/genai-backend:index:AttributeType"
    assert [value["value"] for value in types["genai-backend:index:AttributeType"]["enum"]] == ["S", "N", "B"]
    assert table["requiredInputs"] == ["attributeTypes", "hashKey", "protectData"]

    assert (
        function["inputProperties"]["applicationLogLevel"]["$ref"]
        == "#/types/genai-backend:index:ApplicationLogLevel"
    )
    levels = [value["value"] for value in types["genai-backend:index:ApplicationLogLevel"]["enum"]]
    assert levels == ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]

    oidc = auth["inputProperties"]["oidcProviders"]
    assert (oidc["type"], oidc["items"]["$ref"]) == ("array", "#/types/genai-backend:index:OidcProvider")
    assert api["inputProperties"]["dataSources"]["additionalProperties"]["$ref"] == (
        "#/types/genai-backend:index:DataSource"
    )

    assert table["properties"]["table"]["$ref"] == (
        f"/aws/v{AWS_VERSION}/schema.json#/resources/aws:dynamodb%2Ftable:Table"
    )
    assert table["properties"]["arn"]["type"] == "string"
    assert table["required"] == ["arn", "name", "table"]  # stream_arn exists only with a stream

    # Plain args take prompt values in other languages' SDKs; pulumi.Input args also take Outputs.
    assert table["inputProperties"]["hashKey"].get("plain") is True
    assert "plain" not in table["inputProperties"]["kmsKeyArn"]
    assert "plain" not in api["inputProperties"]["userPoolId"]
    assert "plain" not in function["inputProperties"]["layers"]["items"]


# --- Construct ---------------------------------------------------------------------------------------------


def reference(outcome: Constructed, type_: str) -> ResourceReference:
    child = outcome.one(type_)
    return ResourceReference(child.urn, child.id)


def test_table_is_built_with_its_protections_and_returns_its_outputs(
    provider: ProviderProcess, servers: FakeServers
) -> None:
    outcome = construct(
        provider,
        servers,
        "genai-backend:index:Table",
        "items",
        {
            "hashKey": "id",
            "attributeTypes": {"id": "S", "owner": "S"},
            "protectData": True,
            "globalSecondaryIndexes": [{"name": "byOwner", "hashKey": "owner", "projection": "KEYS_ONLY"}],
            "streamViewType": "NEW_IMAGE",
        },
    )
    assert outcome.error is None, outcome.error.details()
    assert [registration.type for registration in outcome.registrations] == [
        "genai-backend:index:Table",
        "aws:dynamodb/table:Table",
    ]
    component = outcome.one("genai-backend:index:Table")
    assert (component.name, component.parent, component.custom) == ("items", STACK_URN, False)
    assert component.alias_types == ["genai:index:Table"]

    table = outcome.one("aws:dynamodb/table:Table")
    assert (table.name, table.parent, table.custom) == ("items-table", component.urn, True)
    assert table.inputs["deletionProtectionEnabled"] is True
    assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert (table.protect, table.retain_on_delete) == (True, True)
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["hashKey"] == "id"
    # The map of enum values arrives intact (the pinned SDK alone turned each value into {}).
    assert table.inputs["attributes"] == [{"name": "id", "type": "S"}, {"name": "owner", "type": "S"}]
    assert table.inputs["globalSecondaryIndexes"] == [
        {
            "name": "byOwner",
            "keySchemas": [{"attributeName": "owner", "keyType": "HASH"}],
            "projectionType": "KEYS_ONLY",
        }
    ]
    assert (table.inputs["streamEnabled"], table.inputs["streamViewType"]) == (True, "NEW_IMAGE")

    expected_state = {
        "table": ResourceReference(table.urn, table.id),
        "name": table.outputs["name"],
        "arn": table.outputs["arn"],
        "streamArn": table.outputs["streamArn"],
    }
    assert outcome.response.urn == component.urn
    assert outcome.state == expected_state
    assert servers.monitor.registered_outputs[component.urn] == {
        "table": ResourceReference(table.urn, table.id),
        "name": table.outputs["name"],
        "arn": table.outputs["arn"],
        "stream_arn": table.outputs["streamArn"],
    }


def test_logged_function_gets_its_role_log_group_logging_policy_and_json_logging(
    provider: ProviderProcess, servers: FakeServers, handler_folder: Path
) -> None:
    outcome = construct(
        provider,
        servers,
        "genai-backend:index:LoggedFunction",
        "greeter",
        {
            "codePath": str(handler_folder),
            "handler": "greeter.handler.handler",
            "applicationLogLevel": "DEBUG",
            "memorySize": 512,
            "logRetentionDays": 30,
        },
    )
    assert outcome.error is None, outcome.error.details()
    component = outcome.one("genai-backend:index:LoggedFunction")
    assert component.parent == STACK_URN
    assert component.alias_types == ["genai:index:LoggedFunction"]
    children = outcome.registrations[1:]
    assert sorted(child.type for child in children) == [
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:lambda/function:Function",
    ]
    assert all(child.parent == component.urn for child in children)

    role, log_group = outcome.named("greeter-role"), outcome.named("greeter-logs")
    policy, function = outcome.named("greeter-logging"), outcome.named("greeter-function")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [statement["Principal"] for statement in trust["Statement"]] == [
        {"Service": "lambda.amazonaws.com"}
    ]
    # Whole numbers cross the wire as floats; the provider hands the component ints again.
    assert log_group.inputs["retentionInDays"] == 30

    assert policy.inputs["role"] == role.id
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == [f"{log_group.outputs['arn']}:*"]

    assert function.inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "applicationLogLevel": "DEBUG",
        "systemLogLevel": "INFO",
        "logGroup": log_group.outputs["name"],
    }
    assert function.inputs["role"] == role.outputs["arn"]
    assert (function.inputs["handler"], function.inputs["runtime"]) == (
        "greeter.handler.handler",
        "python3.13",
    )
    assert (function.inputs["memorySize"], function.inputs["architectures"]) == (512, ["arm64"])
    assert isinstance(function.inputs["code"], Archive)
    assert set(function.inputs["code"].members) == {"greeter/__init__.py", "greeter/handler.py"}
    assert {log_group.urn, policy.urn} <= set(function.dependencies)

    assert outcome.state == {
        "function": reference(outcome, "aws:lambda/function:Function"),
        "role": reference(outcome, "aws:iam/role:Role"),
        "logGroup": reference(outcome, "aws:cloudwatch/logGroup:LogGroup"),
        "arn": function.outputs["arn"],
        "name": function.outputs["name"],
        "roleArn": role.outputs["arn"],
        "logGroupName": log_group.outputs["name"],
    }


def test_graphql_api_gets_lists_of_enums_and_maps_of_objects_intact(
    provider: ProviderProcess, servers: FakeServers
) -> None:
    outcome = construct(
        provider,
        servers,
        "genai-backend:index:GraphqlApi",
        "api",
        {
            "schemaSdl": "type Item @aws_iam { id: ID! }\ntype Query { item(id: ID!): Item @aws_iam }\n",
            "userPoolId": "eu-west-1_example",
            "additionalAuthModes": ["AWS_IAM"],
            "queryDepthLimit": 5,
            "dataSources": {
                "Items": {
                    "dynamodb": {
                        "tableName": "items",
                        "tableArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/items",
                        "actions": ["dynamodb:GetItem"],
                    }
                }
            },
        },
    )
    assert outcome.error is None, outcome.error.details()
    api = outcome.one("aws:appsync/graphQLApi:GraphQLApi")
    assert api.inputs["additionalAuthenticationProviders"] == [{"authenticationType": "AWS_IAM"}]
    assert api.inputs["queryDepthLimit"] == 5
    data_source = outcome.named("api-datasource-Items")
    assert (data_source.inputs["name"], data_source.inputs["type"]) == ("Items", "AMAZON_DYNAMODB")
    assert data_source.inputs["dynamodbConfig"]["tableName"] == "items"
    [statement] = json.loads(outcome.named("api-datasource-Items-policy").inputs["policy"])["Statement"]
    assert statement["Action"] == ["dynamodb:GetItem"]
    assert outcome.state["dataSources"] == {"Items": ResourceReference(data_source.urn, data_source.id)}
    assert (
        outcome.state["graphqlUrl"]
        == f"https://{api.outputs['name']}.appsync-api.eu-west-1.amazonaws.com/graphql"
    )


@pytest.mark.parametrize(
    ("dry_run", "kms_key_arn", "expected"),
    [
        (False, {**OUTPUT_VALUE_SIG, "value": KMS_KEY_ARN, "dependencies": [KMS_KEY_URN]}, KMS_KEY_ARN),
        (True, {**OUTPUT_VALUE_SIG, "dependencies": [KMS_KEY_URN]}, UNKNOWN),
    ],
    ids=["known-output", "unknown-in-preview"],
)
def test_an_output_of_the_calling_program_reaches_the_child_with_its_dependency(
    provider: ProviderProcess, servers: FakeServers, dry_run: bool, kms_key_arn: dict[str, Any], expected: str
) -> None:
    outcome = construct(
        provider,
        servers,
        "genai-backend:index:Table",
        f"encrypted-{'preview' if dry_run else 'up'}",
        {"hashKey": "id", "attributeTypes": {"id": "S"}, "protectData": False, "kmsKeyArn": kms_key_arn},
        dry_run=dry_run,
    )
    assert outcome.error is None, outcome.error.details()
    table = outcome.one("aws:dynamodb/table:Table")
    assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": expected}
    assert KMS_KEY_URN in table.dependencies
    assert (table.protect, table.inputs["deletionProtectionEnabled"]) == (False, False)


def test_invalid_args_fail_with_every_problem_named_and_nothing_registered(
    provider: ProviderProcess, servers: FakeServers
) -> None:
    outcome = construct(
        provider,
        servers,
        "genai-backend:index:Table",
        "bad-table",
        {"hashKey": "id", "attributeTypes": {"id": "X"}, "protectData": "yes"},
    )
    with pytest.raises(InvalidArgsError) as expected:
        check_args(
            TableModel, "TableArgs", {"hash_key": "id", "attribute_types": {"id": "X"}, "protect_data": "yes"}
        )
    assert {problem.path for problem in expected.value.problems} == {"attribute_types['id']", "protect_data"}
    assert outcome.error is not None
    # The component's own problems come back as the engine's per-property errors, named as the caller wrote
    # them (camelCase), with the library's whole message as the summary: no Python traceback.
    assert outcome.error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert outcome.error.details() == str(expected.value)
    assert property_errors(outcome.error) == [
        ("attributeTypes['id']", "'X' is not one of S, N, B"),
        ("protectData", "must be true or false (got 'yes')"),
    ]
    assert outcome.registrations == []


@pytest.mark.parametrize(
    ("type_", "inputs", "path", "reason"),
    [
        (
            "genai-backend:index:LoggedFunction",
            {"codePath": "/nowhere", "handler": "a.b.c", "applicationLogLevel": "LOUD"},
            "applicationLogLevel",
            "Invalid value LOUD of type <class 'str'> for enum 'ApplicationLogLevel'",
        ),
        (
            "genai-backend:index:Table",
            {"attributeTypes": {"id": "S"}, "protectData": True},
            "hashKey",
            "Missing required input 'hashKey' on 'Table'",
        ),
        (
            "genai-backend:index:Table",
            {"hashKey": "id", "protectData": True},
            "attributeTypes",
            "Missing required input 'attributeTypes' on 'Table'",
        ),
    ],
    ids=["unknown-enum-value", "missing-input", "missing-map-of-enums"],
)
def test_inputs_the_schema_rejects_are_reported_per_property_and_register_nothing(
    provider: ProviderProcess,
    servers: FakeServers,
    type_: str,
    inputs: dict[str, Any],
    path: str,
    reason: str,
) -> None:
    outcome = construct(provider, servers, type_, f"rejected-{path}", inputs)
    assert outcome.error is not None
    assert outcome.error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert property_errors(outcome.error) == [(path, reason)]
    assert outcome.registrations == []


def _readme_yaml_program() -> dict[str, Any]:
    readme = (Path(__file__).resolve().parents[2] / "components" / "README.md").read_text(encoding="utf-8")
    [block] = [block for block in readme.split("```yaml\n")[1:] if "runtime: yaml" in block]
    return yaml.safe_load(block.split("```", 1)[0])


def test_the_yaml_program_of_the_library_readme_constructs(
    provider: ProviderProcess, servers: FakeServers, tmp_path: Path
) -> None:
    """Every resource of the README's Pulumi YAML example is accepted by the provider as written.

    ``${other.output}`` interpolations become plain stand-ins (the engine would pass the other resource's
    output) and ``codePath`` points at a handler folder made here, as ``functions/notes`` would be beside the
    YAML program.
    """
    program = _readme_yaml_program()
    handler = tmp_path / "notes"
    handler.mkdir()
    (handler / "handler.py").write_text("def handler(event, context):\n    return event\n", encoding="utf-8")

    def resolved(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: resolved(item) for key, item in value.items()}
        if isinstance(value, str) and value.startswith("${"):
            return "stand-in-for-" + value.strip("${}")
        return value

    assert {resource["type"] for resource in program["resources"].values()} <= {
        f"{PACKAGE}:index:{component.__name__}" for component in COMPONENTS
    }
    for name, resource in program["resources"].items():
        inputs = resolved(resource.get("properties", {}))
        if "codePath" in inputs:
            inputs["codePath"] = str(handler)
        outcome = construct(provider, servers, resource["type"], name, inputs)
        assert outcome.error is None, (name, outcome.error)
        assert outcome.registrations[0].type == resource["type"]
        assert len(outcome.registrations) > 1
