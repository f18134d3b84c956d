"""ConversationRoute tools at deploy time: data tools derived from the schema (input JSON schema, query
document, checks with problem paths), the generated sendMessage step that carries them (run in Node), the
executable-tools package shipped beside the handler, and the tool-loop bound in the handler's environment."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from genai_backend_components.conversation import (
    ConversationModelSettings,
    ConversationRoute,
    ConversationRouteArgs,
    DataTool,
    compose_conversation_schema,
    data_tool_definition,
    tools_check,
    tools_settings_code,
)
from genai_backend_components.conversation.conversation_handler.settings import (
    ALL_VARIABLES,
    NO_DATA_TOOLS_SHA256,
    OPTIONAL_VARIABLES,
    data_tools_sha256,
)
from genai_backend_components.conversation.data_tools import DataToolError
from genai_backend_components.conversation.wiring import HANDLER_DIRECTORY, TOOL_SETTINGS_FILE
from genai_backend_components.function.packaging import code_members
from genai_backend_components.graphql import MAX_CODE_LENGTH, build_appsync_schema
from genai_backend_components.validation import InvalidArgsError
from tests.appsync_harness import REPO_ROOT
from tests.conversation_fakes import BASE_SCHEMA_SDL
from tests.support import evaluate_component
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID

REGION = "us-east-1"
SCHEMA = compose_conversation_schema(BASE_SCHEMA_SDL, ["chat"])
SAMPLE_TOOLS = REPO_ROOT / "tests" / "fixtures" / "conversation_tools" / "sample_tools"
RICH_SDL = '''
type Query {
  """Matches of a team, newest first."""
  findMatches(
    """The team's id."""
    teamId: ID!
    filter: MatchFilter
    statuses: [MatchStatus!]
    since: AWSDateTime
    limit: Int = 20
    details: AWSJSON
  ): [Match] @aws_cognito_user_pools
  adminReport: Report @aws_iam
  secretOnly: Secret
  ping: String
}
enum MatchStatus { SCHEDULED PLAYED }
input MatchFilter { venue: String minGoals: Float and: [MatchFilter] }
type Match @aws_cognito_user_pools @aws_iam {
  id: ID!
  status: MatchStatus
  home: Team
  scorers(limit: Int!): [String]
  notes(first: Int): [String]
  audit: String @aws_iam
  stats: Stats
}
type Team @aws_cognito_user_pools @aws_iam { id: ID! name: String league: League }
type League @aws_cognito_user_pools @aws_iam { id: ID! name: String country: Country }
type Country @aws_cognito_user_pools @aws_iam { code: String }
type Stats @aws_iam { shots: Int }
type Report @aws_iam { total: Int }
type Secret @aws_iam { value: String }
'''


def route_args(**changes: Any) -> ConversationRouteArgs:
    args = ConversationRouteArgs(
        route="chat",
        api_id="chatapi1234567890",
        graphql_url=f"https://chatapi1234567890.appsync-api.{REGION}.amazonaws.com/graphql",
        schema_sdl=SCHEMA,
        region=REGION,
        account_id=ACCOUNT_ID,
        model=ConversationModelSettings(
            model_id="anthropic.claude-sonnet-4-5-20250929-v1:0", system_prompt="Answer about notes."
        ),
        protect_data=False,
    )
    return {**args, **changes}  # type: ignore[typeddict-item]


def evaluate(**changes: Any) -> Evaluation:
    return evaluate_component(lambda: ConversationRoute("chat", route_args(**changes)), region=REGION)


def test_input_schema_comes_from_the_arguments_and_the_query_selects_what_a_user_may_read() -> None:
    tool = data_tool_definition(
        build_appsync_schema(RICH_SDL), "findMatches", "Finds matches.", "findMatches"
    )

    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "teamId": {"type": "string", "description": "The team's id."},
            "filter": {"type": "object", "properties": {
                "venue": {"type": "string"}, "minGoals": {"type": "number"},
                "and": {"type": "array", "items": {"type": "object", "description": "a MatchFilter, as above"}}}},
            "statuses": {"type": "array", "items": {"type": "string", "enum": ["SCHEDULED", "PLAYED"]}},
            "since": {"type": "string", "format": "date-time"},
            "limit": {"type": "integer"},
            "details": {"type": "string", "description": "a JSON document, as text"},
        },
        "required": ["teamId"],  # the only non-null argument without a default
    }  # fmt: skip
    # Scalars and enums, nested objects three levels down (Country is the fourth: left out), no field that
    # needs an argument (scorers), optional-argument fields without arguments, nothing IAM-only (audit, stats).
    assert tool.query == (
        "query ($teamId: ID!, $filter: MatchFilter, $statuses: [MatchStatus!], $since: AWSDateTime, "
        "$limit: Int, $details: AWSJSON) { findMatches(teamId: $teamId, filter: $filter, statuses: $statuses, "
        "since: $since, limit: $limit, details: $details) { id status home { id name league { id name } } notes } }"
    )
    assert tool.payload() == {
        "name": "findMatches", "description": "Finds matches.",
        "inputSchema": {"json": tool.input_schema}, "query": tool.query,
    }  # fmt: skip
    no_arguments = data_tool_definition(build_appsync_schema(RICH_SDL), "ping", "Pings.", "ping")
    assert (no_arguments.query, no_arguments.input_schema) == (
        "query { ping }",
        {"type": "object", "properties": {}},
    )


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("missing", "has no field 'missing'"),
        ("adminReport", "not open to Cognito user pools callers"),
        ("secretOnly", "of which a Cognito user may read no field"),
    ],
)
def test_a_field_that_cannot_be_a_data_tool_says_why(field: str, words: str) -> None:
    with pytest.raises(DataToolError, match=words):
        data_tool_definition(build_appsync_schema(RICH_SDL), "tool", "A tool.", field)


def test_bad_tool_args_are_refused_with_their_paths_before_anything_exists(tmp_path: Path) -> None:
    (tmp_path / "no_init").mkdir()
    handler_named = tmp_path / "conversation_handler"
    handler_named.mkdir()
    (handler_named / "__init__.py").write_text("TOOLS = []\n")
    cases = [
        (
            {"data_tools": [
                DataTool(name="listNotes", description="Notes.", query_field="listNotes"),
                DataTool(name="bad name!", description="Notes.", query_field="listNotes"),
                DataTool(name="listNotes", description="Again.", query_field="getNote"),
                DataTool(name="missing", description="Gone.", query_field="noSuchField"),
            ]},
            {"data_tools[1].name": "not a Bedrock tool name"},
        ),
        (
            {"data_tools": [
                DataTool(name="listNotes", description="Notes.", query_field="listNotes"),
                DataTool(name="listNotes", description="Again.", query_field="getNote"),
                DataTool(name="missing", description="Gone.", query_field="noSuchField"),
            ]},
            {"data_tools[1].name": "also data_tools[0]", "data_tools[2].query_field": "no field 'noSuchField'"},
        ),
        ({"data_tools": [DataTool(name="x", description="", query_field="listNotes")]}, {"data_tools[0].description": "empty"}),
        ({"max_tool_iterations": 0}, {"max_tool_iterations": "1 to 20"}),
        ({"max_tool_iterations": 21}, {"max_tool_iterations": "1 to 20"}),
        ({"executable_tools_code_path": str(tmp_path / "absent")}, {"executable_tools_code_path": "not a folder"}),
        ({"executable_tools_code_path": str(tmp_path / "no_init")}, {"executable_tools_code_path": "no __init__.py"}),
        ({"executable_tools_code_path": str(handler_named)}, {"executable_tools_code_path": "other than"}),
    ]  # fmt: skip
    for changes, expected in cases:
        with pytest.raises(InvalidArgsError) as error:
            ConversationRoute("chat", route_args(**changes))
        found = {problem.path: problem.message for problem in error.value.problems}
        assert set(found) == set(expected), found
        for path, words in expected.items():
            assert words in found[path], found


def test_definitions_over_appsyncs_code_limit_are_refused() -> None:
    many = [
        DataTool(name=f"notes{index}", description="d" * 4000, query_field="listNotes") for index in range(9)
    ]
    with pytest.raises(InvalidArgsError) as error:
        ConversationRoute("chat", route_args(data_tools=many))
    [problem] = error.value.problems
    assert problem.path == "data_tools" and f"{MAX_CODE_LENGTH:,}" in problem.message


def _run_step(code: str) -> dict[str, Any]:
    script = (
        "const step = await import('data:text/javascript;base64,' + Buffer.from(process.argv[1]).toString('base64'));\n"
        "const ctx = { stash: {}, prev: { result: 'stored message' } };\n"
        "step.request(ctx);\n"
        "console.log(JSON.stringify({ stash: ctx.stash, response: step.response(ctx) }));\n"
    )
    completed = subprocess.run(["node", "--input-type=module", "-e", script, code], capture_output=True,
                               text=True, check=True, timeout=30)  # fmt: skip
    return json.loads(completed.stdout)


def _tool_step_code(evaluation: Evaluation) -> str:
    [step] = [
        record for record in evaluation.of_type("aws:appsync/function:Function")
        if record.inputs["name"] == "ConversationChatToolSettings"
    ]  # fmt: skip
    return step.inputs["code"]


def test_data_tools_reach_the_send_pipeline_in_a_generated_step() -> None:
    tools = [DataTool(name="listNotes", description="The user's notes.", query_field="listNotes")]
    evaluation = evaluate(data_tools=tools)
    definition = data_tool_definition(
        build_appsync_schema(SCHEMA), "listNotes", "The user's notes.", "listNotes"
    )

    code = _tool_step_code(evaluation)
    assert code == tools_settings_code([definition])
    assert _run_step(code) == {
        "stash": {"conversationTools": {"dataTools": [definition.payload()]}}, "response": "stored message"}  # fmt: skip
    # A route without data tools deploys the packaged step: an empty list, so no token is ever forwarded.
    plain = _tool_step_code(evaluate())
    assert plain == TOOL_SETTINGS_FILE.read_text()
    assert _run_step(plain)["stash"] == {"conversationTools": {"dataTools": []}}


def _archive_digest(members: dict[str, Path]) -> str:
    assets = {
        name: {"asset": hashlib.sha256(path.read_bytes()).hexdigest()} for name, path in members.items()
    }
    return hashlib.sha256(json.dumps(assets, sort_keys=True).encode()).hexdigest()


def test_executable_tools_ship_beside_the_handler_and_load_as_lambda_imports_them(tmp_path: Path) -> None:
    evaluation = evaluate(executable_tools_code_path=str(SAMPLE_TOOLS), max_tool_iterations=7)
    handler = evaluation.named("chat-handler-function").inputs
    members = {
        **code_members(HANDLER_DIRECTORY, "conversation_handler"),
        **code_members(SAMPLE_TOOLS, "sample_tools"),
    }
    assert handler["code"] == {"archive": _archive_digest(dict(sorted(members.items())))}
    variables = handler["environment"]["variables"]
    assert (variables["EXECUTABLE_TOOLS_MODULE"], variables["MAX_TOOL_ITERATIONS"]) == ("sample_tools", "7")
    # Exactly the variables the handler reads: the required ones and, with a tools package, its name.
    assert set(variables) == {*ALL_VARIABLES, *OPTIONAL_VARIABLES}
    plain = evaluate().named("chat-handler-function").inputs["environment"]["variables"]
    assert set(plain) == set(ALL_VARIABLES)
    # The cleanup function ships the handler package alone.
    cleanup = evaluation.named("chat-cleanup-function").inputs
    assert cleanup["code"] == {
        "archive": _archive_digest(code_members(HANDLER_DIRECTORY, "conversation_handler"))
    }

    for name, source in members.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp_path / name)
    script = (
        "import sys; sys.modules['genai_backend_components'] = None\n"
        "from conversation_handler.handler import _executable_tools\n"
        "from conversation_handler.executable_tools import ToolContext\n"
        "[tool] = _executable_tools('sample_tools')\n"
        "print(tool.name, tool.run({'name': 'Ada'}, ToolContext('sub', 'c', 'm')))"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment, capture_output=True,
                               text=True, timeout=60, check=False)  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip() == "greet Hello, Ada!"


TOOL_IMPORT = "from conversation_handler.executable_tools import ExecutableTool\n"
GREET = 'ExecutableTool("greet", "Greets.", {"type": "object"}, lambda tool_input, context: "hi")'
BAD_TOOL_PACKAGES = {
    "import_fails": (
        "import not_installed_anywhere\n",
        "importing 'import_fails' as the handler does fails: ModuleNotFoundError: No module named "
        "'not_installed_anywhere' (import_fails/__init__.py:1)",
    ),
    "syntax_error": ("TOOLS = [\n", "fails: SyntaxError: "),
    "raises_at_import": (
        "RATES = {}\nRATE = RATES['USD']\nTOOLS = []\n",
        "fails: KeyError: 'USD' (raises_at_import/__init__.py:2)",
    ),
    "library_import": (
        "from genai_backend_components.conversation import ExecutableTool\nTOOLS = []\n",
        "genai_backend_components is not in the handler's archive",
    ),
    "no_tools": ("RATES = {}\n", "no_tools/__init__.py defines no TOOLS (a list of ExecutableTool)"),
    "tools_not_a_list": ("TOOLS = 'greet'\n", "tools_not_a_list.TOOLS: must be a list of ExecutableTool, got str"),
    "not_a_tool": (f"{TOOL_IMPORT}TOOLS = [{GREET}, 42]\n", "not_a_tool.TOOLS[1]: is not an ExecutableTool"),
    "bad_tool_at_import": (
        f'{TOOL_IMPORT}TOOLS = [ExecutableTool("bad name", "Bad.", {{"type": "object"}}, print)]\n',
        "executable tool 'bad name': name must match ^[a-zA-Z0-9_-]{1,64}$, raised while importing "
        "'bad_tool_at_import' (bad_tool_at_import/__init__.py:2)",
    ),
    "bad_duck_tool": (
        "class Tool:\n    name, description, input_schema = 'lookup', 'Looks up.', {'type': 'string'}\n"
        "    def run(self, tool_input, context):\n        return 'x'\nTOOLS = [Tool()]\n",
        "bad_duck_tool.TOOLS[0]: executable tool 'lookup'.input_schema: must be a JSON schema with \"type\": "
        '"object"',
    ),
    "repeated": (f"{TOOL_IMPORT}TOOLS = [{GREET}, {GREET}]\n", "repeated.TOOLS: tool names must be unique; repeated: greet"),
    "clashes_with_data_tool": (
        f'{TOOL_IMPORT}TOOLS = [ExecutableTool("listNotes", "Mine.", {{"type": "object"}}, print)]\n',
        "executable tool 'listNotes' has the name of data_tools[0]: the route's tool names must be unique",
    ),
}  # fmt: skip


def _refusal(args: ConversationRouteArgs) -> tuple[list[str], InvalidArgsError | None]:
    """What the engine registered while the route was constructed, and the InvalidArgsError it raised."""
    raised: list[InvalidArgsError] = []

    def program() -> None:
        try:
            ConversationRoute("chat", args)
        except InvalidArgsError as error:
            raised.append(error)

    evaluation = evaluate_component(program, region=REGION)
    return [record.type for record in evaluation.resources], raised[0] if raised else None


@pytest.mark.parametrize("package", sorted(BAD_TOOL_PACKAGES))
def test_a_tools_package_the_handler_would_refuse_is_refused_before_anything_exists(
    package: str, tmp_path: Path
) -> None:
    source, message = BAD_TOOL_PACKAGES[package]
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text(source)
    tools = [DataTool(name="listNotes", description="The user's notes.", query_field="listNotes")]

    registered, error = _refusal(
        route_args(executable_tools_code_path=str(tmp_path / package), data_tools=tools)
    )

    assert error is not None, f"{package} was accepted"
    assert [(problem.path, message in problem.message) for problem in error.problems] == [
        ("executable_tools_code_path", True)
    ], error.problems
    assert registered == []


def test_every_problem_of_a_tools_package_is_listed_at_once(tmp_path: Path) -> None:
    (tmp_path / "many").mkdir()
    (tmp_path / "many" / "__init__.py").write_text(
        f"{TOOL_IMPORT}TOOLS = [{GREET}, 42, {GREET}, "
        'ExecutableTool("listNotes", "Mine.", {"type": "object"}, print), "text"]\n'
    )
    tools = [DataTool(name="listNotes", description="The user's notes.", query_field="listNotes")]

    registered, error = _refusal(
        route_args(executable_tools_code_path=str(tmp_path / "many"), data_tools=tools)
    )

    assert error is not None and registered == []
    assert [problem.message for problem in error.problems] == [
        "many.TOOLS[1]: is not an ExecutableTool (name, description, input_schema, run)",
        "many.TOOLS[4]: is not an ExecutableTool (name, description, input_schema, run)",
        "many.TOOLS: tool names must be unique; repeated: greet",
        "executable tool 'listNotes' has the name of data_tools[0]: the route's tool names must be unique",
    ]


def test_a_tools_package_is_imported_as_lambda_would_import_it(tmp_path: Path) -> None:
    """Only the archive's files and the Region variables: no project sibling, no variable of the caller."""
    project = tmp_path / "project"
    (project / "inspecting").mkdir(parents=True)
    (project / "helpers.py").write_text("VALUE = 1\n")  # beside the folder, so not in the archive
    (project / "inspecting" / "__init__.py").write_text(
        "import os, sys\n"
        "raise RuntimeError(repr((sorted(set(os.environ) - {'LC_CTYPE'}), "
        "sorted(p.rsplit('/', 1)[-1] for p in os.listdir(sys.path[0])))))\n"
    )
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("AWS_PROFILE", "someone-elses")
        environment.setenv("PYTHONPATH", str(project))
        environment.chdir(project)
        registered, error = _refusal(route_args(executable_tools_code_path="inspecting"))

    assert error is not None and registered == []
    [problem] = error.problems
    expected = (
        ["AWS_DEFAULT_REGION", "AWS_REGION", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "PYTHONIOENCODING"],
        ["conversation_handler", "inspecting"],
    )
    assert f"RuntimeError: {expected!r}" in problem.message, problem.message


def test_a_tools_package_whose_import_hangs_is_refused_after_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools_check, "CHECK_TIMEOUT_SECONDS", 1)
    (tmp_path / "hangs").mkdir()
    (tmp_path / "hangs" / "__init__.py").write_text("import time\ntime.sleep(120)\nTOOLS = []\n")
    started = time.monotonic()

    registered, error = _refusal(route_args(executable_tools_code_path=str(tmp_path / "hangs")))

    assert time.monotonic() - started < 30
    assert error is not None and registered == []
    [problem] = error.problems
    assert problem.path == "executable_tools_code_path"
    assert problem.message.startswith("importing 'hangs' took longer than 1 s")


def test_good_tools_packages_pass_the_check() -> None:
    for folder in (SAMPLE_TOOLS, REPO_ROOT / "examples" / "conversation" / "chat_tools"):
        assert tools_check.executable_tools_problems(str(folder), REGION, ["listNotes"]) == [], folder
    registered, error = _refusal(route_args(executable_tools_code_path=str(SAMPLE_TOOLS)))
    assert error is None and "genai-backend:index:ConversationRoute" in registered


def test_the_handler_gets_the_digest_of_exactly_the_data_tools_the_generated_step_stashes() -> None:
    """The generated step run in Node, its stash serialised as AppSync serialises it into the Invoke payload:
    the handler's DATA_TOOLS_SHA256 is that list's digest, so the route's own events pass its check."""
    tools = [
        DataTool(name="listNotes", description="The user's notes, «newest» first.", query_field="listNotes"),
        DataTool(name="getNote", description="One note.", query_field="getNote"),
    ]
    for changes in ({"data_tools": tools}, {}):
        evaluation = evaluate(**changes)
        stashed = _run_step(_tool_step_code(evaluation))["stash"]["conversationTools"]["dataTools"]
        variables = evaluation.named("chat-handler-function").inputs["environment"]["variables"]
        assert variables["DATA_TOOLS_SHA256"] == data_tools_sha256(stashed)
        assert len(stashed) == len(changes.get("data_tools", []))
    assert variables["DATA_TOOLS_SHA256"] == NO_DATA_TOOLS_SHA256  # the route without data tools
