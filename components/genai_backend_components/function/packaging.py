"""Which files a function ships: an explicit, sorted list, so the same sources give the same archive hash."""

import os
from pathlib import Path

import pulumi


def code_members(code_path: Path, package: str) -> dict[str, Path]:
    """Archive member name -> source file, in sorted order, for everything the function ships.

    Listing files explicitly (instead of archiving the folder) keeps caches, tests and local clutter out
    of the package. Requirements files are left out too: they describe a dependency layer, not the code.
    """
    members: dict[str, Path] = {}
    for directory, folders, files in os.walk(code_path):
        folders[:] = sorted(
            name for name in folders if not name.startswith(".") and name not in ("__pycache__", "tests")
        )
        for file_name in sorted(files):
            if _is_shipped(file_name):
                source = Path(directory) / file_name
                relative = source.relative_to(code_path).as_posix()
                members[f"{package}/{relative}"] = source
    return dict(sorted(members.items()))


def _is_shipped(file_name: str) -> bool:
    return not (
        file_name.startswith(".")
        or file_name.endswith((".pyc", ".pyo"))
        or file_name.startswith("test_")
        or file_name.endswith("_test.py")
        or (file_name.startswith("requirements") and file_name.endswith(".txt"))
    )


def code_archive(members: dict[str, Path]) -> pulumi.AssetArchive:
    return pulumi.AssetArchive({member: pulumi.FileAsset(str(source)) for member, source in members.items()})
