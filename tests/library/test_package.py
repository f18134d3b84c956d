"""The components install as a package and work from the installed wheel, not from this checkout.

A wheel is built offline from a copy of the repository (so the checkout gets no build/ or egg-info
clutter), installed with ``--no-deps`` into a fresh venv, and imported there from a temporary working
directory. The fresh venv reaches pulumi and the other dependencies through a ``.pth`` line pointing at
this venv's site-packages; the repository root is on no path, which the probe checks by failing to
import ``tools``. So every import below either comes from the wheel or fails.

Modules named ``backend*``, ``settings*`` and ``config_keys`` compose this repository's stack; they ship
in the wheel but are not reusable. Every other module must import only the standard library, the
declared dependencies and other reusable modules.
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import setuptools
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "components"
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MINIMUM_SETUPTOOLS = Version("77.0.3")
COMPONENT_CLASSES = {
    "function": "LoggedFunction",
    "table": "Table",
    "graphql": "GraphqlApi",
    "auth": "Auth",
    "generation": "GenerationRoute",
    "hosting": "Hosting",
}
SOURCE_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".*cache"
)


def is_composition(module: str) -> bool:
    """This repository's own stack: it reads settings and repository files, so it is not reusable."""
    return module.startswith(("backend", "settings")) or module == "config_keys"


MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
REUSABLE_MODULES = [module for module in MODULES if not is_composition(module)]

PROBE = """
import dataclasses, importlib, importlib.metadata, inspect, json, sys
from pathlib import Path

distribution, modules, classes = json.loads(sys.argv[1])
import components
import pulumi

defaults = {}
for name in modules:
    module = importlib.import_module(f"components.{name}")
    for _, value in inspect.getmembers(module, inspect.isclass):
        if dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
            for field in dataclasses.fields(value):
                if isinstance(field.default, Path):
                    defaults[f"{value.__name__}.{field.name}"] = str(field.default)
components_found = {
    name: issubclass(getattr(importlib.import_module(f"components.{module}"), name), pulumi.ComponentResource)
    for module, name in classes.items()
}
try:
    import tools
    tools_file = tools.__file__
except ModuleNotFoundError:
    tools_file = None
print(json.dumps({
    "prefix": sys.prefix,
    "package_file": components.__file__,
    "version": importlib.metadata.version(distribution),
    "components": components_found,
    "path_defaults": defaults,
    "tools_file": tools_file,
}))
"""


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"{' '.join(command)}\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert Version(setuptools.__version__) >= MINIMUM_SETUPTOOLS, (
        f"building offline needs setuptools >= {MINIMUM_SETUPTOOLS} in the venv (found "
        f"{setuptools.__version__}); requirements-dev.txt must pin it"
    )
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    shutil.copytree(REPO_ROOT, source, ignore=SOURCE_COPY_IGNORE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work / "dist"), "."],
        source,
    )
    [built] = (work / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Installs the wheel into a fresh venv and reports what that venv imports."""
    work = tmp_path_factory.mktemp("venv")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    site_packages = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work).strip()
    )
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    run([*pip, "install", "--no-deps", "--no-index", str(wheel)], work)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    arguments = json.dumps([PROJECT["name"], REUSABLE_MODULES, COMPONENT_CLASSES])
    report = json.loads(run([str(python), "-c", PROBE, arguments], work, env=environment))
    report["site_packages"] = str(site_packages)
    return report


def test_wheel_ships_the_components_package_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"components", f"{PROJECT['name'].replace('-', '_')}-{PROJECT['version']}.dist-info"}
    assert {f"components/{module}.py" for module in MODULES} <= set(names)


def test_wheel_carries_the_files_components_load_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [*PACKAGE.glob("*.graphql"), *(PACKAGE / "resolvers").rglob("*.js")]
    assert data, "no package data found in the checkout"
    assert {path.relative_to(REPO_ROOT).as_posix() for path in data} <= names


def test_wheel_metadata_matches_the_pinned_requirements(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        [metadata_file] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        metadata = email.message_from_string(archive.read(metadata_file).decode("utf-8"))
    assert metadata["Name"] == PROJECT["name"]
    assert metadata["Version"] == "0.1.0"
    assert metadata["Requires-Python"] == ">=3.11"
    pins = {
        Requirement(line).name: Requirement(line)
        for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist")]
    assert {requirement.name for requirement in requirements} == {"pulumi", "pulumi-aws", "graphql-core"}
    for requirement in requirements:
        [pinned] = pins[requirement.name].specifier
        assert requirement.specifier.contains(pinned.version), (requirement, pinned)
        assert any(spec.operator == "<" for spec in requirement.specifier), (
            f"{requirement} has no upper bound"
        )


def test_installed_wheel_not_the_checkout_is_imported(installed: dict[str, Any]) -> None:
    package_file = Path(installed["package_file"])
    assert package_file.is_relative_to(installed["prefix"])
    assert package_file.is_relative_to(installed["site_packages"])
    assert not package_file.is_relative_to(REPO_ROOT)
    assert installed["tools_file"] is None
    assert installed["version"] == PROJECT["version"]


def test_components_import_from_the_installed_wheel(installed: dict[str, Any]) -> None:
    assert installed["components"] == {name: True for name in COMPONENT_CLASSES.values()}


def test_default_files_of_components_exist_in_the_installed_package(installed: dict[str, Any]) -> None:
    defaults = installed["path_defaults"]
    assert {"GenerationRouteArgs.invoke_code_path", "GenerationRouteArgs.pipeline_code_path"} <= set(defaults)
    for field_name, default in defaults.items():
        path = Path(default)
        assert path.is_relative_to(installed["site_packages"]), field_name
        packaged_copy = REPO_ROOT / path.relative_to(installed["site_packages"])
        assert path.read_bytes() == packaged_copy.read_bytes(), field_name


def imported_modules(path: Path) -> set[str]:
    """Absolute imports of a module, with ``from components import x`` read as ``components.x``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "components":
                found.update(f"components.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def declared_import_names() -> set[str]:
    """Top-level import names of the declared dependencies, as their installed metadata records them."""
    owners = importlib.metadata.packages_distributions()
    wanted = {canonicalize_name(Requirement(line).name) for line in PROJECT["dependencies"]}
    return {name for name, dists in owners.items() if {canonicalize_name(dist) for dist in dists} & wanted}


@pytest.mark.parametrize("module", REUSABLE_MODULES)
def test_reusable_module_imports_only_what_the_package_declares(module: str) -> None:
    allowed = set(sys.stdlib_module_names) | declared_import_names() | {"components"}
    for imported in imported_modules(PACKAGE / f"{module}.py"):
        root = imported.split(".")[0]
        assert root in allowed, (
            f"components/{module}.py imports {imported}, which the package does not declare"
        )
        if root == "components" and imported != "components":
            assert not is_composition(imported.split(".")[1]), (
                f"components/{module}.py imports {imported}, this repository's composition"
            )


def test_declared_dependencies_resolve_to_their_import_names() -> None:
    """Guards declared_import_names: if it found nothing, the check above would reject every module."""
    assert {"pulumi", "pulumi_aws", "graphql"} <= declared_import_names()
