"""Fixtures shared by the library's tests: the wheel of components/ and a fresh venv holding it (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.library.wheel_install import WheelVenv, build_wheel, install_into_fresh_venv


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> WheelVenv:
    return install_into_fresh_venv(wheel, tmp_path_factory.mktemp("wheel-venv"))
