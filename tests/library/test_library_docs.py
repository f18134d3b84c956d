"""The library README is true: its reference tables are the package schema, and it names every component."""

from pathlib import Path

from genai_backend_components.provider import COMPONENTS

README = (Path(__file__).resolve().parents[2] / "components" / "README.md").read_text(encoding="utf-8")


def test_reference_tables_are_generated_from_the_schema() -> None:
    from tools.library_docs import main

    assert main(["--check"]) == 0


def test_every_component_is_described_and_has_an_example() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    for component in COMPONENTS:
        name = component.__name__
        assert f"| `{name}` |" in README, name
        assert f"### {name}\n" in README, name
    assert len([path for path in examples.iterdir() if (path / "__main__.py").is_file()]) >= len(COMPONENTS)


def test_install_commands_use_the_distribution_and_the_subdirectory() -> None:
    assert 'pip install "genai-backend-components @ git+https://' in README
    assert "#subdirectory=components" in README
    assert "pulumi package add github.com/YOUR-ORG/YOUR-REPO/components" in README
