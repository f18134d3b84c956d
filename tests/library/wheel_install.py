"""The library as a user installs it: a wheel built from components/, in a fresh virtual environment.

The wheel is built offline from a copy of components/ (so the checkout gets no build/ or egg-info clutter)
and installed with ``--no-deps`` into a fresh venv. That venv reaches pulumi and the other dependencies through
a ``.pth`` line pointing at this venv's site-packages, where the library itself is installed only as an
editable finder that a plain path entry does not activate: so ``genai_backend_components`` can only come from
the wheel, and the repository (``app``, ``tools``) is on no path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARY = REPO_ROOT / "components"
SOURCE_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".*cache"
)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"{' '.join(command)}\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


def build_wheel(work: Path) -> Path:
    source = work / "components"
    shutil.copytree(LIBRARY, source, ignore=SOURCE_COPY_IGNORE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work / "dist"), "."],
        source,
    )
    [built] = (work / "dist").glob("*.whl")
    return built


@dataclass(frozen=True)
class WheelVenv:
    """A fresh venv with the wheel installed; ``python`` runs code there with the repository off the path."""

    python: Path
    site_packages: Path
    prefix: Path

    def environment(self) -> dict[str, str]:
        return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(self, arguments: list[str], cwd: Path) -> str:
        return run([str(self.python), *arguments], cwd, env=self.environment())


def install_into_fresh_venv(wheel: Path, work: Path) -> WheelVenv:
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    site_packages = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work).strip()
    )
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    run([*pip, "install", "--no-deps", "--no-index", str(wheel)], work)
    return WheelVenv(python=python, site_packages=site_packages, prefix=venv)
