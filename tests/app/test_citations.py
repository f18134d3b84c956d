"""Code, tests and docs cite public documentation, never a file outside this repository.

A path like ``/work/shared/aws-facts.md`` means nothing to a reader of a clone (or of the installed library): the
facts must be cited by the public document they come from (AWS, Pulumi, Amplify), by name or URL.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(
    r"/work/|\.\./shared/|aws-facts\.md|amplify-reference\.md|testing-locally\.md|pulumi-conventions\.md|aws-facts §"
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
        if path.is_file() and path != Path(__file__)
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_check_finds_such_a_citation() -> None:
    assert OUTSIDE.search("Facts relied on (see /work/shared/testing-locally.md §1)")
    assert OUTSIDE.search("CDK enum comments quoted in aws-facts §1.1")
    assert not OUTSIDE.search(
        'Amazon Bedrock User Guide, "Supported Regions and models for inference profiles"'
    )
