"""Code, tests and docs cite public documentation, never a file outside this repository.

A path into the author's workspace or the team's private notes means nothing to a reader of a clone (or of the
installed library): the facts must be cited by the public document they come from (AWS, Pulumi, Amplify), by name
or URL. The patterns are assembled from parts so that this file does not itself hold such a path.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "/" + "work" + "/"
NOTES = ("aws-facts", "amplify-reference", "testing-locally", "pulumi-conventions")
"""The team's private notes, which were never published."""
OUTSIDE = re.compile(
    "|".join(
        [re.escape(WORKSPACE), re.escape("../" + "shared/")]
        + [re.escape(f"{note}.md") for note in NOTES]
        + [re.escape(f"{NOTES[0]} §")]
    )
)
TEXT_SUFFIXES = {".py", ".js", ".mjs", ".md", ".yml", ".yaml", ".sh", ".graphql", ".toml", ".txt", ".json"}


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name for name in listed if Path(name).suffix in TEXT_SUFFIXES and name != "package-lock.json"
    ]


def test_no_file_cites_a_path_outside_the_repository() -> None:
    files = tracked_text_files()
    assert len(files) > 100
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        if path.is_file()
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_check_finds_such_a_citation() -> None:
    assert OUTSIDE.search(f"Facts relied on (see {WORKSPACE}shared/{NOTES[2]}.md §1)")
    assert OUTSIDE.search("Facts relied on (see " + ".." + "/shared/" + NOTES[1] + ".md)")
    assert OUTSIDE.search(f"CDK enum comments quoted in {NOTES[0]} §1.1")
    assert not OUTSIDE.search(
        'Amazon Bedrock User Guide, "Supported Regions and models for inference profiles"'
    )
