"""Builds the Lambda layer that carries a function's third-party packages (pydantic for the League handler).

Why a layer: pydantic's core is a compiled extension, so it must come as manylinux aarch64 wheels for
the Lambda's Python version — never from the developer's own environment. Keeping it out of the
function zip keeps that zip a few KB, so code changes upload in an instant and the layer changes
only when the pinned requirements do.

Why it is reproducible: the requirements file pins every package with ``==`` and ``--hash``, pip
downloads exactly those wheels (no dependency resolution, no sdists), and the zip is written with
sorted entries, fixed timestamps and fixed permissions. Entries are *stored*, not deflated: deflate
output depends on the zlib build, so compressed bytes could differ between a laptop and CI, while
Lambda's limits (50 MB zipped upload, 250 MB unzipped) leave ample room.

Why it is fast after the first run: the zip is cached under ``output_dir`` with a name derived from
the requirements' hash and the target, so ``pulumi up``/``synth`` only stat a file. Only a cache
miss needs the package index; if it is unreachable, the build fails with a message saying so.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_PYTHON_VERSION = "3.13"
DEFAULT_PLATFORM = "manylinux2014_aarch64"
LAYER_PREFIX = "python/"
"""Lambda puts ``/opt/python`` on sys.path for every Python runtime."""
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip can hold: no build time leaks into the archive."""
LAYOUT_VERSION = "1"
"""Part of the cache key: bump it when the archive layout changes, so stale caches are not reused."""

Downloader = Callable[[Path, Path, str, str], None]
"""(requirements_file, destination, python_version, platform) -> wheels written into destination."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PINNED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.!+_-]+\s.*--hash=sha256:[0-9a-f]{64}")


class LayerBuildError(RuntimeError):
    """The layer could not be built (for example the package index is unreachable and nothing is cached)."""


def requirement_lines(requirements_file: Path) -> list[str]:
    """Logical requirement lines (continuations joined, comments and blanks dropped)."""
    joined = requirements_file.read_text().replace("\\\n", " ")
    lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def check_pinned(requirements_file: Path) -> None:
    """Refuses anything that would let the layer's contents drift between builds."""
    lines = requirement_lines(requirements_file)
    if not lines:
        raise ValueError(f"{requirements_file}: lists no requirements")
    for line in lines:
        if not _PINNED.match(line + " "):
            name = _NAME.match(line)
            raise ValueError(
                f"{requirements_file}: {name[0] if name else line!r} must be pinned as name==version with "
                "--hash=sha256:<digest>, so every build gets the same wheels"
            )


def pip_download(
    requirements_file: Path,
    destination: Path,
    python_version: str,
    platform: str,
    extra_arguments: Sequence[str] = (),
) -> None:
    """Downloads exactly the pinned wheels for the Lambda target (not for this machine)."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--only-binary=:all:", "--require-hashes",
        "--platform", platform, "--python-version", python_version, "--implementation", "cp",
        "--requirement", str(requirements_file), "--dest", str(destination), *extra_arguments,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise LayerBuildError(
            "could not download the layer's wheels from the package index (is PyPI reachable?); "
            "pip said:\n" + "\n".join(details)
        )


def cache_key(requirements_file: Path, python_version: str, platform: str) -> str:
    digest = hashlib.sha256()
    for part in (LAYOUT_VERSION, python_version, platform):
        digest.update(part.encode() + b"\0")
    digest.update(requirements_file.read_bytes())
    return digest.hexdigest()[:16]


def write_layer_zip(wheels: Sequence[Path], target: Path) -> None:
    """Unpacks the wheels under ``python/`` into one zip whose bytes depend only on their contents."""
    entries: dict[str, tuple[bytes, int]] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = LAYER_PREFIX + info.filename
                if name in entries:
                    raise LayerBuildError(f"{info.filename} is shipped by more than one wheel ({wheel.name})")
                executable = (info.external_attr >> 16) & 0o111
                entries[name] = (archive.read(info), 0o755 if executable else 0o644)
    with zipfile.ZipFile(target, "w") as layer:
        for name in sorted(entries):
            data, mode = entries[name]
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.external_attr = (0o100000 | mode) << 16  # regular file with fixed permissions
            info.create_system = 3  # Unix, so the permissions above are honoured when unpacked
            layer.writestr(info, data, compress_type=zipfile.ZIP_STORED)


def build_layer(
    requirements_file: Path,
    output_dir: Path,
    *,
    python_version: str = DEFAULT_PYTHON_VERSION,
    platform: str = DEFAULT_PLATFORM,
    download: Downloader = pip_download,
) -> Path:
    """Returns the layer zip for ``requirements_file``, building it only when it is not cached yet.

    ``python_version`` must match the function's runtime (python3.13 -> "3.13"): compiled wheels are
    built per Python version.
    """
    check_pinned(requirements_file)
    key = cache_key(requirements_file, python_version, platform)
    target = output_dir / f"layer-py{python_version}-{platform}-{key}.zip"
    if target.is_file():
        return target
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="layer-") as scratch:
        wheels = Path(scratch) / "wheels"
        wheels.mkdir()
        try:
            download(requirements_file, wheels, python_version, platform)
        except LayerBuildError as error:
            raise LayerBuildError(f"no cached layer at {target}, and {error}") from None
        found = sorted(wheels.glob("*.whl"))
        if len(found) != len(requirement_lines(requirements_file)):
            raise LayerBuildError(
                f"expected one wheel per requirement in {requirements_file}, got {[w.name for w in found]}"
            )
        # Written beside the target under a name of its own and renamed: an interrupted build never leaves a
        # cache hit behind, and two processes building the same layer at once (parallel tests) never share one.
        with tempfile.NamedTemporaryFile(
            dir=output_dir, prefix=f"{target.name}.", suffix=".partial", delete=False
        ) as staging:
            staged = Path(staging.name)
        try:
            write_layer_zip(found, staged)
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tools.build_layer <requirements.txt> <output dir>")
    print(build_layer(Path(sys.argv[1]), Path(sys.argv[2])))
