"""The library installs as a package of its own and works from the installed wheel, not from this checkout."""

from __future__ import annotations

import ast
import email
import importlib.metadata
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import setuptools
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.library.wheel_install import LIBRARY, REPO_ROOT, WheelVenv

PACKAGE = LIBRARY / "genai_backend_components"
PROJECT = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MINIMUM_SETUPTOOLS = Version("77.0.3")
HANDLER = PACKAGE / "conversation" / "conversation_handler"
"""Code that runs on Lambda, not in the Pulumi program: it may use what the Lambda runtime provides (boto3)."""
LIBRARY_MODULES = sorted(path for path in PACKAGE.rglob("*.py") if HANDLER not in path.parents)
COMPONENTS = (
    "Auth",
    "ConversationRoute",
    "GenerationRoute",
    "GraphqlApi",
    "Hosting",
    "LoggedFunction",
    "Table",
)
PROBE = """
import importlib.metadata, json, sys
import pulumi
import genai_backend_components as library
from genai_backend_components.provider import COMPONENTS
from genai_backend_components.conversation import HANDLER_DIRECTORY, RESOLVER_DIRECTORY
from genai_backend_components.generation import INVOKE_CONVERSE_CODE, PIPELINE_CODE
from genai_backend_components.graphql import schema as graphql_schema

def importable(name):
    try:
        return importlib.import_module(name).__file__
    except ModuleNotFoundError:
        return None

import importlib
packaged = [INVOKE_CONVERSE_CODE, PIPELINE_CODE, HANDLER_DIRECTORY / "handler.py", HANDLER_DIRECTORY / "cleanup.py",
            *sorted(RESOLVER_DIRECTORY.glob("*.js"))]
print(json.dumps({
    "package_file": library.__file__,
    "version": importlib.metadata.version(sys.argv[1]),
    "components": sorted(c.__name__ for c in COMPONENTS if issubclass(c, pulumi.ComponentResource)),
    "packaged": [str(path) for path in packaged],
    "prelude": graphql_schema.APPSYNC_PRELUDE_SDL[:40],
    "elsewhere": {name: importable(name) for name in ("app", "tools", "tests", "components")},
}))
"""


def test_setuptools_can_build_offline() -> None:
    assert Version(setuptools.__version__) >= MINIMUM_SETUPTOOLS, (
        f"building offline needs setuptools >= {MINIMUM_SETUPTOOLS} (found {setuptools.__version__}); "
        "requirements-dev.txt must pin it"
    )


def test_wheel_ships_the_library_package_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {
        "genai_backend_components",
        f"genai_backend_components-{PROJECT['version']}.dist-info",
    }
    shipped = {path.relative_to(LIBRARY).as_posix() for path in PACKAGE.rglob("*.py")}
    assert shipped <= set(names)


def test_wheel_carries_what_the_components_deploy_and_read(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [
        PACKAGE / "py.typed",
        *PACKAGE.glob("graphql/*.graphql"),
        *PACKAGE.glob("*/resolvers/*.js"),
        *HANDLER.glob("*.py"),
    ]
    assert len(data) > 20
    assert {path.relative_to(LIBRARY).as_posix() for path in data} <= names


def test_wheel_metadata_matches_the_pinned_requirements(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        [metadata_file] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        metadata = email.message_from_string(archive.read(metadata_file).decode("utf-8"))
    assert (metadata["Name"], metadata["Version"], metadata["Requires-Python"]) == (
        PROJECT["name"],
        "0.2.0",
        ">=3.11",
    )
    pins = {
        Requirement(line).name: Requirement(line)
        for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "-e"))
    }
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist")]
    assert {requirement.name for requirement in requirements} == {
        "pulumi",
        "pulumi-aws",
        "pydantic",
        "graphql-core",
    }
    for requirement in requirements:
        [pinned] = pins[requirement.name].specifier
        assert requirement.specifier.contains(pinned.version), (requirement, pinned)
        assert any(spec.operator == "<" for spec in requirement.specifier), (
            f"{requirement} has no upper bound"
        )


def test_plugin_requirements_are_the_package_dependencies() -> None:
    """Pulumi runs the package as a plugin from components/requirements.txt: it must need what pyproject says."""
    lines = (LIBRARY / "requirements.txt").read_text(encoding="utf-8").splitlines()
    plugin = sorted(str(Requirement(line)) for line in lines if line and not line.startswith("#"))
    assert plugin == sorted(str(Requirement(line)) for line in PROJECT["dependencies"])


def test_installed_wheel_not_the_checkout_is_imported(wheel_venv: WheelVenv, tmp_path: Path) -> None:
    report = json.loads(wheel_venv.run(["-c", PROBE, PROJECT["name"]], tmp_path))
    package_file = Path(report["package_file"])
    assert package_file.is_relative_to(wheel_venv.site_packages)
    assert not package_file.is_relative_to(REPO_ROOT)
    assert report["version"] == PROJECT["version"]
    assert report["components"] == sorted(COMPONENTS)
    assert report["elsewhere"] == {"app": None, "tools": None, "tests": None, "components": None}
    assert report["prelude"].strip()
    for installed in map(Path, report["packaged"]):
        assert installed.is_relative_to(wheel_venv.site_packages), installed
        checkout_copy = LIBRARY / installed.relative_to(wheel_venv.site_packages)
        assert installed.read_bytes() == checkout_copy.read_bytes(), installed


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _declared_import_names() -> set[str]:
    """Top-level import names of the declared dependencies, as their installed metadata records them."""
    owners = importlib.metadata.packages_distributions()
    wanted = {canonicalize_name(Requirement(line).name) for line in PROJECT["dependencies"]}
    return {name for name, dists in owners.items() if {canonicalize_name(dist) for dist in dists} & wanted}


def test_declared_dependencies_resolve_to_their_import_names() -> None:
    """Guards the check below: if it found nothing, every module would be refused."""
    assert {"pulumi", "pulumi_aws", "pydantic", "graphql"} <= _declared_import_names()


@pytest.mark.parametrize("module", LIBRARY_MODULES, ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_library_module_imports_only_what_the_package_declares(module: Path) -> None:
    allowed = set(sys.stdlib_module_names) | _declared_import_names() | {"genai_backend_components"}
    for imported in _imports(module):
        assert imported.split(".")[0] in allowed, (
            f"{module.name} imports {imported}, which the package does not declare"
        )


@pytest.mark.parametrize("module", LIBRARY_MODULES, ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_library_reads_no_config_environment_or_repository_path(module: Path) -> None:
    """Everything a component uses arrives in its args; only the Lambda handler reads its environment."""
    code = module.read_text(encoding="utf-8")
    for forbidden in (
        r"pulumi\.Config\(",
        r"get_config\(",
        r"os\.environ",
        r"getenv\(",
        r"\bcwd\(\)",
        r"parents?\[\d\]",
    ):
        assert not re.search(forbidden, code), f"{module.name} uses {forbidden}"
