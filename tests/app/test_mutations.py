"""The mutation check stays runnable: every mutation still applies to today's code, and its tests exist.

``tools/mutations.py`` itself runs outside the suite (it runs pytest once per mutation); without this test an edit
to a guarded file could silently turn a mutation into a no-op that nobody notices until the check is run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.mutations import ROOT, Edit, Mutation, _apply, mutations

MUTATIONS = mutations()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_each_edit_matches_exactly_one_place_and_changes_it(mutation: Mutation) -> None:
    assert mutation.edits
    for edit in mutation.edits:
        text = (ROOT / edit.path).read_text(encoding="utf-8")
        assert text.count(edit.old) == 1, f"{edit.path}: {edit.old!r}"
        assert edit.old != edit.new


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_each_mutation_names_test_files_that_exist(mutation: Mutation) -> None:
    assert mutation.tests
    for test in mutation.tests:
        assert (ROOT / test).is_file(), test


def test_names_are_unique() -> None:
    assert len({mutation.name for mutation in MUTATIONS}) == len(MUTATIONS)


def test_apply_refuses_an_edit_that_no_longer_matches(tmp_path: Path) -> None:
    (tmp_path / "resolver.js").write_text("const sub = ctx.identity?.sub;\n")
    originals = _apply(tmp_path, [Edit("resolver.js", "ctx.identity?.sub", "ctx.identity?.username")])
    assert (tmp_path / "resolver.js").read_text() == "const sub = ctx.identity?.username;\n"
    assert originals == {tmp_path / "resolver.js": "const sub = ctx.identity?.sub;\n"}
    with pytest.raises(SystemExit, match="expected exactly one"):
        _apply(tmp_path, [Edit("resolver.js", "ctx.identity?.sub", "x")])
