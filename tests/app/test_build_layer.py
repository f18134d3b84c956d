"""The dependency layer build: reproducible bytes, cache by requirements hash, clear failures."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from tools.build_layer import (
    FIXED_TIMESTAMP,
    LayerBuildError,
    build_layer,
    check_pinned,
    pip_download,
    requirement_lines,
)

ROOT = Path(__file__).resolve().parents[2]
LEAGUE_REQUIREMENTS = ROOT / "functions" / "league" / "requirements.txt"


def _wheel(folder: Path, name: str, version: str, files: dict[str, tuple[bytes, int]]) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, (data, mode) in files.items():
            info = zipfile.ZipInfo(member, date_time=(2024, 5, 6, 7, 8, 9))
            info.external_attr = mode << 16
            wheel.writestr(info, data)
        info_folder = f"{name}-{version}.dist-info"
        wheel.writestr(
            f"{info_folder}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        wheel.writestr(
            f"{info_folder}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    folder.mkdir()
    _wheel(
        folder,
        "alpha",
        "1.0",
        {"alpha/__init__.py": (b"A = 1\n", 0o644), "alpha/run.sh": (b"#!/bin/sh\n", 0o755)},
    )
    _wheel(folder, "beta", "2.0", {"beta/__init__.py": (b"B = 2\n", 0o600)})
    return folder


def _requirements(folder: Path, wheels: Path, extra: str = "") -> Path:
    lines = []
    for wheel in sorted(wheels.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    path = folder / "requirements.txt"
    path.write_text("# pinned for the test\n" + "\n".join(lines) + "\n" + extra)
    return path


class FakeIndex:
    """Stands in for pip: copies the wheels, and counts how often the index would be contacted."""

    def __init__(self, wheels: Path) -> None:
        self.wheels = wheels
        self.calls: list[tuple[str, str]] = []

    def __call__(self, requirements: Path, destination: Path, python_version: str, platform: str) -> None:
        self.calls.append((python_version, platform))
        for wheel in self.wheels.glob("*.whl"):
            shutil.copy(wheel, destination)


def test_same_requirements_give_byte_identical_layers(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path, wheels)
    first = build_layer(requirements, tmp_path / "out-a", download=FakeIndex(wheels))
    second = build_layer(requirements, tmp_path / "out-b", download=FakeIndex(wheels))
    assert first.read_bytes() == second.read_bytes()
    assert first.name == second.name


def test_layer_puts_packages_under_python_with_fixed_metadata(tmp_path: Path, wheels: Path) -> None:
    layer = build_layer(_requirements(tmp_path, wheels), tmp_path / "out", download=FakeIndex(wheels))
    with zipfile.ZipFile(layer) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert "python/alpha/__init__.py" in names and "python/beta/__init__.py" in names
        assert all(name.startswith("python/") for name in names)
        assert {info.date_time for info in infos} == {FIXED_TIMESTAMP}
        assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in infos}
        assert modes["python/alpha/run.sh"] == 0o755
        assert modes["python/beta/__init__.py"] == 0o644
        assert archive.read("python/alpha/__init__.py") == b"A = 1\n"


def test_cached_layer_is_reused_without_contacting_the_index(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path, wheels)
    index = FakeIndex(wheels)
    layer = build_layer(requirements, tmp_path / "out", download=index)
    assert build_layer(requirements, tmp_path / "out", download=index) == layer
    assert index.calls == [("3.13", "manylinux2014_aarch64")]
    assert "py3.13" in layer.name and "aarch64" in layer.name
    other_target = build_layer(requirements, tmp_path / "out", python_version="3.14", download=index)
    assert other_target != layer and len(index.calls) == 2


def test_changed_requirements_miss_the_cache(tmp_path: Path, wheels: Path) -> None:
    index = FakeIndex(wheels)
    before = build_layer(_requirements(tmp_path, wheels), tmp_path / "out", download=index)
    (wheels / "beta-2.0-py3-none-any.whl").unlink()
    _wheel(wheels, "beta", "2.0", {"beta/__init__.py": (b"B = 3\n", 0o644)})
    after = build_layer(_requirements(tmp_path, wheels), tmp_path / "out", download=index)
    assert after != before and len(index.calls) == 2


def test_unreachable_index_without_cache_fails_clearly_and_leaves_no_file(
    tmp_path: Path, wheels: Path
) -> None:
    def offline(requirements: Path, destination: Path, python_version: str, platform: str) -> None:
        raise LayerBuildError(
            "could not download the layer's wheels from the package index (is PyPI reachable?)"
        )

    output = tmp_path / "out"
    with pytest.raises(LayerBuildError, match=r"no cached layer at .*is PyPI reachable"):
        build_layer(_requirements(tmp_path, wheels), output, download=offline)
    assert list(output.iterdir()) == []


def test_missing_wheels_are_reported(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path, wheels)
    (wheels / "beta-2.0-py3-none-any.whl").unlink()
    with pytest.raises(LayerBuildError, match="one wheel per requirement"):
        build_layer(requirements, tmp_path / "out", download=FakeIndex(wheels))


@pytest.mark.parametrize("line", ["gamma>=1.0 --hash=sha256:" + "0" * 64, "gamma==1.0", "gamma"])
def test_unpinned_requirements_are_refused_before_downloading(
    tmp_path: Path, wheels: Path, line: str
) -> None:
    index = FakeIndex(wheels)
    with pytest.raises(ValueError, match="'gamma' must be pinned"):
        build_layer(_requirements(tmp_path, wheels, extra=line + "\n"), tmp_path / "out", download=index)
    assert index.calls == []


def test_pip_download_fetches_exactly_the_hashed_wheel(tmp_path: Path, wheels: Path) -> None:
    requirements = _requirements(tmp_path, wheels)
    destination = tmp_path / "downloaded"
    destination.mkdir()
    offline_index = ["--no-index", "--find-links", str(wheels)]
    pip_download(requirements, destination, "3.13", "manylinux2014_aarch64", offline_index)
    assert sorted(path.name for path in destination.iterdir()) == sorted(
        path.name for path in wheels.iterdir()
    )

    pinned = requirement_lines(requirements)[0]  # "alpha==1.0 --hash=sha256:<digest>"
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(pinned[:-64] + "0" * 64 + "\n")  # same wheel, wrong digest
    with pytest.raises(LayerBuildError, match="is PyPI reachable"):
        pip_download(tampered, tmp_path / "nowhere", "3.13", "manylinux2014_aarch64", offline_index)


def test_league_layer_pins_the_pydantic_the_tests_run_against() -> None:
    check_pinned(LEAGUE_REQUIREMENTS)
    pins = dict(line.split()[0].split("==") for line in requirement_lines(LEAGUE_REQUIREMENTS))
    assert pins["pydantic"] == metadata.version("pydantic")
    assert pins["pydantic-core"] == metadata.version("pydantic-core")
