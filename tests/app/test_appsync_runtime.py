"""The test APPSYNC_JS runtime behaves as AWS documents ``util`` and ``runtime``.

Expected values come from AWS's documentation examples (AppSync developer guide:
``dynamodb-helpers-in-util-dynamodb-js.html``, ``built-in-util-js.html``, ``runtime-utils-js.html``),
not from the implementation. Probes are tiny resolver modules run through the same Node worker
the resolver tests use.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.appsync_harness import AppSyncHarness, ResolverCrashError, none_source

PROBE = """
import { util, runtime } from '@aws-appsync/utils';
export function request(ctx) {
  const action = ctx.args.action;
  if (action === 'convert') { return { converted: util.dynamodb.toDynamoDB(ctx.args.value) }; }
  if (action === 'mapValues') { return { converted: util.dynamodb.toMapValues(ctx.args.value) }; }
  if (action === 'matches') { return { matched: util.matches(ctx.args.pattern, ctx.args.value) }; }
  if (action === 'base64') { return { encoded: util.base64Encode(ctx.args.value) }; }
  if (action === 'time') {
    return { iso: util.time.nowISO8601(), seconds: util.time.nowEpochSeconds(), millis: util.time.nowEpochMilliSeconds() };
  }
  if (action === 'ids') { return { ids: [util.autoId(), util.autoId()] }; }
  if (action === 'fail') {
    ctx.stash.before = true;
    util.error('bad input', 'ValidationError', { field: 'id' }, { hint: 'non-empty' });
    ctx.stash.after = true;
  }
  if (action === 'append') {
    util.appendError('first', 'Warning');
    util.appendError('second');
    return { payload: { continued: true } };
  }
  if (action === 'early') { runtime.earlyReturn({ early: true }); }
  if (action === 'missing') { return util.notARealHelper(); }
  if (action === 'async') { return Promise.resolve(1); }
  console.log('payload for', action);
  return { payload: { action } };
}
export function response(ctx) {
  if (ctx.args.action === 'early') { throw new Error('response must not run after earlyReturn'); }
  return ctx.result;
}
"""

FORBIDDEN_IMPORT = """
import { readFileSync } from 'node:fs';
export function request(ctx) { return { payload: readFileSync.name }; }
export function response(ctx) { return ctx.result; }
"""


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("probes")
    (directory / "Query.probe.js").write_text(PROBE)
    (directory / "Query.forbidden.js").write_text(FORBIDDEN_IMPORT)
    return {"probe": directory / "Query.probe.js", "forbidden": directory / "Query.forbidden.js"}


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as running:
        yield running


def request_value(harness: AppSyncHarness, probe: Path, **arguments: Any) -> Any:
    answer = harness.call_handler(probe, "request", {"arguments": arguments})
    assert answer["status"] == "returned", answer
    return answer["value"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("foo", {"S": "foo"}),
        (12345, {"N": 12345}),
        (True, {"BOOL": True}),
        (["foo", 123, {"bar": "baz"}], {"L": [{"S": "foo"}, {"N": 123}, {"M": {"bar": {"S": "baz"}}}]}),
        (
            {"foo": "bar", "baz": 1234, "beep": ["boop"]},
            {"M": {"foo": {"S": "bar"}, "baz": {"N": 1234}, "beep": {"L": [{"S": "boop"}]}}},
        ),
    ],
)
def test_to_dynamodb_matches_the_documented_examples(
    harness: AppSyncHarness, probes: dict[str, Path], value: Any, expected: Any
) -> None:
    assert request_value(harness, probes["probe"], action="convert", value=value)["converted"] == expected


def test_to_map_values_converts_each_member_as_documented(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    value = {"foo": "bar", "baz": 1234, "beep": ["boop"]}
    converted = request_value(harness, probes["probe"], action="mapValues", value=value)["converted"]
    assert converted == {"foo": {"S": "bar"}, "baz": {"N": 1234}, "beep": {"L": [{"S": "boop"}]}}


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("a*b", "aaaaab", True),
        ("a*b", "aaaaabc", False),
        ("^[^#\\s]{1,8}$", "ab#c", False),
        ("[0-9]+", "2024", True),
    ],
)
def test_matches_tests_the_whole_value(
    harness: AppSyncHarness, probes: dict[str, Path], pattern: str, value: str, expected: bool
) -> None:
    assert (
        request_value(harness, probes["probe"], action="matches", pattern=pattern, value=value)["matched"]
        is expected
    )


@pytest.mark.parametrize("value", ["", "League", "é", "表", "😀 mixed ascii", "a" * 1000])
def test_base64_encode_encodes_the_utf8_bytes(
    harness: AppSyncHarness, probes: dict[str, Path], value: str
) -> None:
    encoded = request_value(harness, probes["probe"], action="base64", value=value)["encoded"]
    assert encoded == base64.b64encode(value.encode("utf-8")).decode("ascii")


@pytest.mark.parametrize("value", [None, 7, ["a"]])
def test_matches_refuses_what_appsync_does_not_document(
    harness: AppSyncHarness, probes: dict[str, Path], value: object
) -> None:
    """AppSync documents util.matches(String, String); a resolver must not rely on another type's outcome."""
    with pytest.raises(ResolverCrashError, match=r"util\.matches expects"):
        request_value(harness, probes["probe"], action="matches", pattern="a", value=value)


def test_injected_clock_drives_every_time_helper(harness: AppSyncHarness, probes: dict[str, Path]) -> None:
    answer = harness.call_handler(
        probes["probe"], "request", {"arguments": {"action": "time"}}, now="2024-02-29T12:34:56.789Z"
    )
    assert answer["value"] == {
        "iso": "2024-02-29T12:34:56.789Z",
        "seconds": 1709210096,
        "millis": 1709210096789,
    }


def test_without_injected_clock_time_is_the_wall_clock_in_documented_form(probes: dict[str, Path]) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    with AppSyncHarness(now=None) as wall_clock:
        answer = wall_clock.call_handler(probes["probe"], "request", {"arguments": {"action": "time"}})
    after = datetime.now(UTC)
    iso = answer["value"]["iso"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert before <= datetime.fromisoformat(iso) <= after


def test_auto_id_returns_injected_ids_in_order_and_uuids_otherwise(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    injected = harness.call_handler(
        probes["probe"], "request", {"arguments": {"action": "ids"}}, ids=["id-1", "id-2"]
    )
    assert injected["value"]["ids"] == ["id-1", "id-2"]
    assert injected["idsUsed"] == 2
    generated = request_value(harness, probes["probe"], action="ids")["ids"]
    assert len({str(uuid.UUID(generated_id)) for generated_id in generated}) == 2
    with pytest.raises(ResolverCrashError, match="autoId was called more often"):
        harness.call_handler(probes["probe"], "request", {"arguments": {"action": "ids"}}, ids=["only-one"])


def test_util_error_stops_evaluation_and_surfaces_every_field(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    answer = harness.call_handler(probes["probe"], "request", {"arguments": {"action": "fail"}})
    assert answer["status"] == "error"
    assert answer["error"] == {
        "message": "bad input",
        "errorType": "ValidationError",
        "data": {"field": "id"},
        "errorInfo": {"hint": "non-empty"},
    }
    assert answer["stash"] == {"before": True}


def test_append_error_records_errors_without_stopping(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    run = harness.run_unit(probes["probe"], none_source(), arguments={"action": "append"})
    assert run.error is None
    assert run.result == {"continued": True}
    assert [(error.message, error.error_type) for error in run.appended_errors] == [
        ("first", "Warning"),
        ("second", None),
    ]
    follow_up = harness.call_handler(
        probes["probe"], "request", {"arguments": {"action": "convert", "value": 1}}
    )
    assert follow_up["appendedErrors"] == []


def test_early_return_skips_data_source_and_response(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    run = harness.run_unit(probes["probe"], none_source(), arguments={"action": "early"})
    assert run.error is None
    assert run.result == {"early": True}
    assert run.requests == []


def test_none_data_source_passes_payload_through_and_logs_are_captured(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    run = harness.run_unit(probes["probe"], none_source(), arguments={"action": "plain"})
    assert run.result == {"action": "plain"}
    assert run.logs == ["payload for plain"]


def test_helpers_the_runtime_does_not_implement_fail_loudly(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    with pytest.raises(ResolverCrashError, match=re.escape("util.notARealHelper is not implemented")):
        harness.call_handler(probes["probe"], "request", {"arguments": {"action": "missing"}})


def test_asynchronous_handlers_are_refused(harness: AppSyncHarness, probes: dict[str, Path]) -> None:
    with pytest.raises(ResolverCrashError, match="Promise"):
        harness.call_handler(probes["probe"], "request", {"arguments": {"action": "async"}})


def test_resolver_code_may_import_only_appsync_utils(
    harness: AppSyncHarness, probes: dict[str, Path]
) -> None:
    with pytest.raises(ResolverCrashError, match="may import only @aws-appsync/utils"):
        harness.call_handler(probes["forbidden"], "request", {"arguments": {}})
