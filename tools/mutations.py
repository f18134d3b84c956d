"""Proves the suite catches the breakages an adversarial review named: each is applied to a copy, tests must fail.

    python -m tools.mutations            # every mutation; prints one line each and exits 1 if any survives
    python -m tools.mutations --list     # the mutations and the tests each one runs
    python -m tools.mutations owner-rule-username getconversation-username   # a selection

Each mutation is a one-place edit of deployed code (a resolver, a component, a settings rule). The repository
(tracked and untracked, ignored files left out) is copied once to a scratch folder; there each mutation is
applied, the named test files run, and the edit is reverted. A mutation is *caught* when pytest fails. The copy's
``components/`` comes first on ``PYTHONPATH``, so a mutated library module is the one imported. Not part of the
test run (a few seconds per mutation, about 40 s for all); run it after changing a test that guards one of these.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONVERSATION = "components/genai_backend_components/conversation/resolvers"
CONVERSATION_TESTS = (
    "tests/library/test_conversation_resolvers.py",
    "tests/library/test_conversation_owner_matrix.py",
    "tests/library/test_conversation_send_message.py",
)
OWNER_FILTER = """    filter: {
      expression: '#owner = :owner',
      expressionNames: { '#owner': 'owner' },
      expressionValues: util.dynamodb.toMapValues({ ':owner': owner }),
    },
"""


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutation:
    name: str
    why: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]


def _owner_rule_files() -> list[str]:
    from tools.resolver_rules import RULES, holders

    return [str(path.relative_to(ROOT)) for path in holders(RULES[0])]


def mutations() -> list[Mutation]:
    return [
        Mutation(
            "querymessages-no-owner-filter",
            "queryMessages reads a conversation's messages without checking their owner",
            (Edit(f"{CONVERSATION}/queryMessages.function.js", OWNER_FILTER, ""),),
            CONVERSATION_TESTS,
        ),
        Mutation(
            "getconversation-username",
            "getConversation keyed by identity.username instead of the sub",
            (
                Edit(
                    f"{CONVERSATION}/getConversation.js",
                    "const owner = ownerOf(ctx);",
                    "const owner = ownerOf(ctx) && ctx.identity.username;",
                ),
            ),
            CONVERSATION_TESTS,
        ),
        Mutation(
            "owner-rule-username",
            "every owner-scoped resolver keys on identity.username",
            tuple(
                Edit(path, "const sub = ctx.identity?.sub;", "const sub = ctx.identity?.username;")
                for path in _owner_rule_files()
            ),
            (
                *CONVERSATION_TESTS,
                "tests/app/test_resolvers_follows.py",
                "tests/app/test_follows_owner_matrix.py",
            ),
        ),
        Mutation(
            "follow-email-from-username",
            "Mutation.action stores the username when the token has no verified email (release 0.1)",
            (
                Edit(
                    "resolvers/Mutation.action.js",
                    "const email = verifiedEmail(ctx.identity);",
                    "const email = ctx.identity.claims?.email ?? ctx.identity.username;",
                ),
            ),
            ("tests/app/test_follow_email.py",),
        ),
        Mutation(
            "sendmessage-character-limit",
            "sendMessage measures the message in characters instead of UTF-8 bytes",
            (
                Edit(
                    f"{CONVERSATION}/sendMessage.js",
                    "const messageBytes = utf8ByteLength(JSON.stringify(ctx.arguments));",
                    "const messageBytes = JSON.stringify(ctx.arguments).length;",
                ),
            ),
            ("tests/library/test_conversation_send_message.py",),
        ),
        Mutation(
            "sendmessage-stores-tool-use",
            "sendMessage stores the client's block as sent, toolUse included",
            (
                Edit(
                    f"{CONVERSATION}/sendMessage.js",
                    "return { [present[0]]: block[present[0]] };",
                    "return block;",
                ),
            ),
            ("tests/library/test_conversation_send_message.py",),
        ),
        Mutation(
            "answer-character-limit",
            "createAssistantResponse measures the answer in characters instead of UTF-8 bytes",
            (
                Edit(
                    f"{CONVERSATION}/createAssistantResponse.js",
                    "const contentBytes = utf8ByteLength(JSON.stringify(content));",
                    "const contentBytes = JSON.stringify(content).length;",
                ),
            ),
            ("tests/library/test_conversation_send_message.py",),
        ),
        Mutation(
            "any-iam-role-may-answer",
            "the answer mutations accept any IAM role of the account, not only the handler's",
            (
                Edit(
                    f"{CONVERSATION}/verifyHandlerCaller.function.js",
                    "|| typeof arn !== 'string' || !arn.startsWith(HANDLER_ROLE_SESSION_ARN_PREFIX)) {",
                    "|| typeof arn !== 'string') {",
                ),
            ),
            (
                "tests/library/test_conversation_resolvers.py",
                "tests/library/test_conversation_component.py",
                "tests/library/test_handler_caller_check.py",
            ),
        ),
        Mutation(
            "prod-guard-ignores-debug",
            "the production guard lets lambdaLogLevel=DEBUG through",
            (
                Edit(
                    "app/settings.py",
                    'if get("lambdaLogLevel") in ("TRACE", "DEBUG"):',
                    'if get("lambdaLogLevel") in ("TRACE",):',
                ),
            ),
            ("tests/app/test_settings.py", "tests/app/test_bad_config.py"),
        ),
        Mutation(
            "conversation-registers-before-checking",
            "ConversationRoute declares its tables before it checks its args",
            (
                Edit(
                    "components/genai_backend_components/conversation/component.py",
                    '        spec = check_args(ConversationRouteModel, "ConversationRouteArgs", args)\n',
                    '        Table(f"{name}-early", conversation_table_args(protect_data=False))\n'
                    '        spec = check_args(ConversationRouteModel, "ConversationRouteArgs", args)\n',
                ),
            ),
            ("tests/library/test_args_checked_first.py", "tests/library/test_conversation_component.py"),
        ),
        Mutation(
            "ssr-retention-fixed",
            "the Hosting SSR log group ignores logRetentionDays",
            (Edit("app/component_args.py", '"ssr_log_retention_days": get("logRetentionDays"),', ""),),
            ("tests/app/test_stack.py", "tests/library/test_hosting_component.py"),
        ),
    ]


def _copy_repository(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    (target / "node_modules").symlink_to(ROOT / "node_modules")


def _apply(copy: Path, edits: Sequence[Edit]) -> dict[Path, str]:
    originals: dict[Path, str] = {}
    for edit in edits:
        path = copy / edit.path
        text = originals.setdefault(path, path.read_text(encoding="utf-8"))
        current = path.read_text(encoding="utf-8")
        if current.count(edit.old) != 1:
            raise SystemExit(
                f"{edit.path}: expected exactly one {edit.old!r} (found {current.count(edit.old)})"
            )
        path.write_text(current.replace(edit.old, edit.new), encoding="utf-8")
        del text
    return originals


def run(selected: Sequence[Mutation]) -> int:
    survivors = 0
    with tempfile.TemporaryDirectory(prefix="mutations-") as scratch:
        copy = Path(scratch)
        _copy_repository(copy)
        environment = {**os.environ, "PYTHONPATH": f"{copy / 'components'}{os.pathsep}{copy}"}
        for mutation in selected:
            missing = [test for test in mutation.tests if not (copy / test).is_file()]
            if missing:
                raise SystemExit(f"{mutation.name}: no test file {', '.join(missing)}")
            tests = list(mutation.tests)
            originals = _apply(copy, mutation.edits)
            started = time.perf_counter()
            try:
                outcome = subprocess.run(
                    [sys.executable, "-m", "pytest", "-x", "-rf", "-p", "no:cacheprovider", *tests],
                    cwd=copy, env=environment, capture_output=True, text=True,
                )  # fmt: skip
            finally:
                for path, text in originals.items():
                    path.write_text(text, encoding="utf-8")
            seconds = time.perf_counter() - started
            caught = outcome.returncode == 1
            survivors += not caught
            lines = outcome.stdout.strip().splitlines() or [outcome.stderr[-200:]]
            first_failure = next((line for line in lines if line.startswith(("FAILED ", "ERROR "))), "")
            summary = f"{lines[-1]}; {first_failure}" if first_failure else lines[-1]
            verdict = "caught" if caught else f"SURVIVED (pytest exit {outcome.returncode})"
            print(f"{mutation.name}: {verdict} in {seconds:.1f} s by {len(tests)} test files; {summary}")
    return 1 if survivors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and their tests")
    arguments = parser.parse_args(argv)
    known = {mutation.name: mutation for mutation in mutations()}
    unknown = [name for name in arguments.names if name not in known]
    if unknown:
        parser.error(f"unknown mutation(s) {', '.join(unknown)}; known: {', '.join(known)}")
    selected = [known[name] for name in arguments.names] if arguments.names else list(known.values())
    if arguments.list:
        for mutation in selected:
            print(f"{mutation.name}: {mutation.why}\n    tests: {', '.join(mutation.tests)}")
        return 0
    return run(selected)


if __name__ == "__main__":
    sys.exit(main())
