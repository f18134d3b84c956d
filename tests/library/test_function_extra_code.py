"""LoggedFunction.extra_code_paths: more packages in the same archive, by the same packaging rules, never two
folders under one package name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from genai_backend_components import InvalidArgsError
from genai_backend_components.function import LoggedFunction, LoggedFunctionArgs, code_members
from tests.support import evaluate_component


def _package(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    return folder


def _digest(members: dict[str, Path]) -> str:
    """The archive digest tools/evaluate.py records (each member by its sha256)."""
    assets = {
        name: {"asset": hashlib.sha256(path.read_bytes()).hexdigest()} for name, path in members.items()
    }
    return hashlib.sha256(json.dumps(assets, sort_keys=True).encode()).hexdigest()


def test_extra_packages_ship_beside_the_main_one(tmp_path: Path) -> None:
    main = _package(tmp_path, "app", {"__init__.py": "", "handler.py": "def handler(e, c): return 1\n"})
    extra = _package(
        tmp_path / "shared",
        "helpers",
        {"__init__.py": "", "text.py": "X = 1\n", "tests/test_text.py": "", "requirements.txt": "boto3\n"},
    )
    evaluation = evaluate_component(
        lambda: LoggedFunction(
            "fn",
            LoggedFunctionArgs(
                code_path=str(main), handler="app.handler.handler", extra_code_paths=[str(extra)]
            ),
        )
    )

    expected = {
        "app/__init__.py": main / "__init__.py",
        "app/handler.py": main / "handler.py",
        "helpers/__init__.py": extra / "__init__.py",
        "helpers/text.py": extra / "text.py",  # tests and requirements stay out, as for code_path
    }
    assert {**code_members(main, "app"), **code_members(extra, "helpers")} == expected
    assert evaluation.named("fn-function").inputs["code"] == {
        "archive": _digest(dict(sorted(expected.items())))
    }


@pytest.mark.parametrize(
    ("extra", "path", "words"),
    [
        (["missing"], "extra_code_paths[0]", "is not a folder"),
        (["not-a-package"], "extra_code_paths[0]", "must be a Python identifier"),
        (["other/app"], "extra_code_paths[0]", "ships as package 'app', like code_path"),
        (["helpers", "other/helpers"], "extra_code_paths[1]", "like extra_code_paths[0]"),
    ],
)
def test_extra_code_paths_are_checked(tmp_path: Path, extra: list[str], path: str, words: str) -> None:
    main = _package(tmp_path, "app", {"__init__.py": "", "handler.py": ""})
    for name in ("not-a-package", "other/app", "helpers", "other/helpers"):
        _package(tmp_path, name, {"__init__.py": ""})
    with pytest.raises(InvalidArgsError) as error:
        LoggedFunction(
            "fn",
            LoggedFunctionArgs(
                code_path=str(main), handler="app.handler.handler",
                extra_code_paths=[str(tmp_path / folder) for folder in extra],
            ),
        )  # fmt: skip
    [problem] = error.value.problems
    assert problem.path == path and words in problem.message, problem
