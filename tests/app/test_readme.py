"""The README stays true: it names every config key and the commands it tells people to run exist."""

from pathlib import Path

from app.config_keys import CONFIG_KEYS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_every_config_key_is_documented() -> None:
    missing = [key.name for key in CONFIG_KEYS if f"| `{key.name}` |" not in README]
    assert missing == []


def test_the_two_commands_exist() -> None:
    for script in ("scripts/synth.sh", "scripts/test.sh"):
        assert f"bash {script}" in README
        assert (ROOT / script).exists()
    assert "exec bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_config_docs_are_generated_from_the_key_table() -> None:
    from tools.config_docs import main

    assert main(["--check"]) == 0
