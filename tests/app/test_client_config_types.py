"""Type-check a generated amplify_outputs.json against the types Amplify ships, with TypeScript's tsc.

Two types are checked in one tsc run (about 1 s):
- the whole document against `AWSAmplifyBackendOutputs` version 1.5 from npm @aws-amplify/client-config
  (the type generated from Amplify's JSON Schema: required keys, enums, no unknown keys);
- `data.model_introspection`, which that type leaves as `unknown`, against the `ModelIntrospectionSchema`
  that `Amplify.configure` takes (via the public `ResourcesConfig` type of npm aws-amplify).
The JSON is written as an object literal: importing the .json would widen enum strings to `string`, and
object literals also get TypeScript's excess-property check. Two deliberately broken copies prove the
check can fail.

The client-config type is imported from its file rather than the package root because the root's
declarations pull in the CDK and take ~16 s to load; `test_type_file_is_the_one_the_package_exports`
proves the file is the package's `clientConfigTypesV1_5`.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.client_config.sample import NODE_MODULES, sample_outputs

CLIENT_CONFIG_LIB = NODE_MODULES / "@aws-amplify" / "client-config" / "lib"
TYPE_FILE = "./node_modules/@aws-amplify/client-config/lib/client-config-schema/client_config_v1.5.js"
TSC = NODE_MODULES / "typescript" / "bin" / "tsc"


def typescript_module(document: dict[str, Any]) -> str:
    introspection = json.dumps(document["data"]["model_introspection"], indent=1)
    return (
        f"import type {{ AWSAmplifyBackendOutputs }} from '{TYPE_FILE}';\n"
        "import type { ResourcesConfig } from 'aws-amplify';\n"
        f"export const outputs: AWSAmplifyBackendOutputs = {json.dumps(document, indent=1)};\n"
        "export const api: ResourcesConfig['API'] = {\n"
        "  GraphQL: {\n"
        f"    endpoint: {json.dumps(document['data']['url'])},\n"
        "    defaultAuthMode: 'userPool',\n"
        f"    modelIntrospection: {introspection},\n"
        "  },\n"
        "};\n"
    )


@pytest.fixture(scope="module")
def tsc_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Runs tsc once over the good document and two broken copies; returns error lines per file."""
    node = shutil.which("node")
    assert node, "Node.js is required for the client-config type check"
    workdir: Path = tmp_path_factory.mktemp("client_config_types")
    (workdir / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    document = sample_outputs()
    wrong_enum = copy.deepcopy(document)
    wrong_enum["data"]["default_authorization_type"] = "COGNITO"
    wrong_introspection = copy.deepcopy(document)
    league_id = wrong_introspection["data"]["model_introspection"]["nonModels"]["League"]["fields"]["id"]
    league_id["type"] = {"customType": "ID"}
    sources = {
        "good.mts": document,
        "wrong_enum.mts": wrong_enum,
        "wrong_introspection.mts": wrong_introspection,
    }
    for name, content in sources.items():
        (workdir / name).write_text(typescript_module(content), encoding="utf-8")
    tsconfig = {
        "compilerOptions": {
            "strict": True,
            "module": "nodenext",
            "moduleResolution": "nodenext",
            "skipLibCheck": True,
            "noEmit": True,
            "types": [],
        },
        "files": sorted(sources),
    }
    (workdir / "tsconfig.json").write_text(json.dumps(tsconfig), encoding="utf-8")
    completed = subprocess.run(
        [node, str(TSC), "-p", "tsconfig.json", "--pretty", "false"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    errors: dict[str, list[str]] = {name: [] for name in sources}
    for line in completed.stdout.splitlines():
        file_name = line.split("(", 1)[0]
        assert file_name in errors, f"unexpected tsc output: {line}"
        errors[file_name].append(line)
    assert completed.returncode == (2 if any(errors.values()) else 0), completed.stderr
    return errors


def test_type_file_is_the_one_the_package_exports() -> None:
    declarations = (CLIENT_CONFIG_LIB / "client-config-types" / "client_config.d.ts").read_text(
        encoding="utf-8"
    )
    assert re.search(
        r"import \* as clientConfigTypesV1_5 from '\.\./client-config-schema/client_config_v1\.5\.js'",
        declarations,
    )
    assert "export { clientConfigTypesV1, clientConfigTypesV1_1" in declarations
    assert (CLIENT_CONFIG_LIB / "client-config-schema" / "client_config_v1.5.d.ts").is_file()


def test_generated_document_satisfies_amplify_types(tsc_errors: dict[str, list[str]]) -> None:
    assert tsc_errors["good.mts"] == []


def test_wrong_enum_value_is_rejected(tsc_errors: dict[str, list[str]]) -> None:
    (error,) = tsc_errors["wrong_enum.mts"]
    assert '"COGNITO"' in error and "AwsAppsyncAuthorizationType" in error


def test_malformed_introspection_is_rejected(tsc_errors: dict[str, list[str]]) -> None:
    (error,) = tsc_errors["wrong_introspection.mts"]
    assert "customType" in error and "NonModelFieldType" in error
