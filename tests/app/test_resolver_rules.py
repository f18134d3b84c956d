"""Rule blocks that APPSYNC_JS resolvers must repeat are byte-identical to their one source.

The tool is ``tools/resolver_rules.py``; these tests run its check on the repository and prove, on copies in a
temporary folder, that it reports each way a copy can drift and that ``--write`` repairs an edited copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import resolver_rules
from tools.resolver_rules import RULES, RuleBlock, check, holders, write

OWNER_RULE, UTF8_SIZE_RULE, STORED_EMAIL_RULE = RULES
OWNER_SCOPED = {
    "Mutation.action.js",
    "Mutation.unfollow.js",
    "Query.myFollows.js",
    "createConversation.js",
    "getConversation.js",
    "listConversations.js",
    "updateConversation.js",
    "deleteConversation.js",
    "sendMessage.js",
    "listMessages.js",
    "onCreateAssistantResponse.js",
}
"""Every resolver that reads or writes a user's own records; each must state the owner rule."""


def test_every_copy_in_the_repository_matches_its_source() -> None:
    drifts = check()
    assert drifts == [], "\n".join(drift.describe() for drift in drifts)


def test_the_owner_rule_is_held_by_every_owner_scoped_resolver() -> None:
    assert {path.name for path in holders(OWNER_RULE)} == OWNER_SCOPED


def test_the_stored_email_rule_is_held_where_a_follow_email_is_returned() -> None:
    assert {path.name for path in holders(STORED_EMAIL_RULE)} == {"Mutation.action.js", "Query.myFollows.js"}


def test_the_utf8_size_rule_is_held_where_a_message_is_stored() -> None:
    assert {path.name for path in holders(UTF8_SIZE_RULE)} == {"sendMessage.js", "createAssistantResponse.js"}


def test_the_owner_rule_keys_on_the_sub() -> None:
    source = OWNER_RULE.source.read_text(encoding="utf-8")
    assert "const sub = ctx.identity?.sub;" in source and "return sub;" in source
    assert "username;" not in source


@pytest.fixture
def copies(tmp_path: Path) -> tuple[RuleBlock, dict[str, Path]]:
    """The owner rule's source and three owner-scoped resolvers, copied to a scratch folder."""
    source = tmp_path / "owner_rule.js"
    shutil.copy(OWNER_RULE.source, source)
    files = {}
    for name in ("getConversation.js", "sendMessage.js", "listMessages.js"):
        original = next(path for path in OWNER_RULE.resolver_files() if path.name == name)
        files[name] = tmp_path / name
        shutil.copy(original, files[name])
    rule = RuleBlock(OWNER_RULE.name, source, OWNER_RULE.call, (tmp_path,))
    return rule, files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_copy_is_reported_with_a_diff_and_write_repairs_it(
    copies: tuple[RuleBlock, dict[str, Path]],
) -> None:
    rule, files = copies
    _edit(
        files["getConversation.js"], "const sub = ctx.identity?.sub;", "const sub = ctx.identity?.username;"
    )

    (drift,) = check([rule], files.values())
    assert (drift.path, drift.problem) == (files["getConversation.js"], "differs from the source")
    assert "+  const sub = ctx.identity?.username;" in drift.diff

    assert write([rule], files.values()) == [files["getConversation.js"]]
    assert check([rule], files.values()) == []


def test_a_caller_without_the_block_and_a_doubled_block_are_reported(
    copies: tuple[RuleBlock, dict[str, Path]],
) -> None:
    rule, files = copies
    block = rule.source.read_text(encoding="utf-8")
    _edit(files["sendMessage.js"], block, "")
    _edit(files["listMessages.js"], block, block + block)

    problems = {drift.path.name: drift.problem for drift in check([rule], files.values())}

    assert problems == {
        "sendMessage.js": "calls ownerOf(...) but holds 0 copies",
        "listMessages.js": "calls ownerOf(...) but holds 2 copies",
    }
    assert write([rule], files.values()) == []  # nothing it could repair safely


def test_a_block_left_behind_where_it_is_not_called_is_reported(
    copies: tuple[RuleBlock, dict[str, Path]],
) -> None:
    rule, files = copies
    _edit(files["getConversation.js"], "const owner = ownerOf(ctx);", "const owner = ctx.identity.sub;")

    (drift,) = check([rule], files.values())
    assert drift.path == files["getConversation.js"] and "never calls ownerOf(" in drift.problem


def test_the_command_exits_1_on_drift_and_names_the_file(
    copies: tuple[RuleBlock, dict[str, Path]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rule, files = copies
    assert resolver_rules.main([]) == 0
    _edit(files["sendMessage.js"], "Unauthorized", "Forbidden")
    monkeypatch.setattr(resolver_rules, "RULES", (rule,))
    monkeypatch.setattr(resolver_rules, "check", lambda: check([rule], files.values()))

    assert resolver_rules.main([]) == 1
    assert "sendMessage.js: owner rule: differs from the source" in capsys.readouterr().err
