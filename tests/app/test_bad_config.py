"""Every bad value a stack file can hold stops the run before the first resource, with one message naming its key.

These are the cases that used to end in a Python traceback naming internal args fields (and two of them only
after 47 and 93 resources were registered, which on a real ``pulumi up`` is a half-deployed stack). Each one
runs the real program through ``synth``, as a user would, and checks the exit code, the message, and that the
engine received no resource at all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools import evaluate
from tools.synth import main as synth_main

OIDC = "issuer=https://login.dev.example.com;clientId=genai-backend-dev"
CASES = {
    "oidc name too short": (
        [f'authOidcProviders=["name=ab;{OIDC}"]'],
        "authOidcProviders[0].name",
        "'ab' must be 3 to 32 characters long",
    ),
    "oidc scopes without email": (
        [f'authOidcProviders=["name=OIDC-Provider;{OIDC};scopes=openid profile"]'],
        "authOidcProviders[0].scopes",
        "must include ['email']",
    ),
    "issuer without a host": (
        ['authOidcProviders=["name=OIDC-Provider;issuer=https://;clientId=web"]'],
        "authOidcProviders[0].issuer",
        "'https://' must be an https:// URL with a host",
    ),
    "first factors without password": (
        ['authFirstFactors=["EMAIL_OTP", "WEB_AUTHN"]'],
        "authFirstFactors",
        "must include PASSWORD",
    ),
    "relying party with a scheme": (
        ["authPasskeyRelyingPartyId=https://app.example.com"],
        "authPasskeyRelyingPartyId",
        "must be a lowercase host name",
    ),
    "from address without @": (
        ["authFromEmail=GenAI App"],
        "authFromEmail",
        "is not an email address",
    ),
    "uppercase custom domain": (
        [
            "authCustomDomain=Auth.Example.com",
            "authCertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c",
        ],
        "authCustomDomain",
        "must be a lowercase host name",
    ),
    "apple team id": (
        ["authAppleServicesId=com.example.web", "authAppleTeamId=abc", "authAppleKeyId=ABCDEFGHIJ"],
        "authAppleTeamId",
        "must be Apple's 10-character id",
    ),
    "system prompt over 2,048 bytes": (
        ["aiSystemPrompt=" + "x" * 3000],
        "aiSystemPrompt",
        "at most 2,048 bytes of UTF-8 (got 3,000)",
    ),
    "branch with a space": (
        ["hostingRepository=https://github.com/example/web", "hostingBranch=feature x"],
        "hostingBranch",
        "'feature x' is not a Git branch name",
    ),
    "generation answer longer than AppSync waits": (
        ["aiGenerationMaxTokens=1500"],
        "aiGenerationMaxTokens",
        "1,500 output tokens take about 24 s at 65 tokens/s (assumed for Anthropic Claude Haiku)",
    ),
    "tool loop longer than allowed": (
        ["aiMaxToolIterations=21"],
        "aiMaxToolIterations",
        "21 is not a whole number from 1 to 20",
    ),
    "typo in the provider namespace": (
        ["aws:regoin=us-east-2"],
        "aws:regoin",
        "unknown key in the 'aws' namespace; did you mean 'region'?",
    ),
}


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every resource type the engine is asked to register, the stack itself excluded."""
    types: list[str] = []
    original = evaluate.RecordingMonitor.RegisterResource

    def spy(self: evaluate.RecordingMonitor, request: object) -> object:
        if request.type != "pulumi:pulumi:Stack":  # type: ignore[attr-defined]
            types.append(request.type)  # type: ignore[attr-defined]
        return original(self, request)

    monkeypatch.setattr(evaluate.RecordingMonitor, "RegisterResource", spy)
    yield types


def _synth(overrides: list[str]) -> int:
    return synth_main(["--stack", "dev", "--out", "/dev/null", *(f"--config={item}" for item in overrides)])


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_value_exits_2_naming_its_key_before_any_resource(
    case: str, registered: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    overrides, key, message = CASES[case]
    assert _synth(overrides) == 2
    error = capsys.readouterr().err
    [line] = [line for line in error.splitlines() if line.startswith(f"  - {key}: ")]
    assert message in line
    assert "Traceback" not in error
    assert registered == []


CROSS_ARG_CASES = {"generation answer longer than AppSync waits"}
"""Rules over several args of one component (here max_tokens with model_id) run once that component's args are
each valid, as the library documents; the combined run below breaks the same route's system prompt too."""


def test_every_bad_key_is_listed_in_one_message(
    registered: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = [
        item
        for case, (items, _, _) in CASES.items()
        if "oidc" not in case and case not in CROSS_ARG_CASES
        for item in items
    ]
    assert _synth(overrides) == 2
    error = capsys.readouterr().err
    assert error.count("has invalid configuration:") == 1
    for case, (_, key, message) in CASES.items():
        if "oidc" not in case and case not in CROSS_ARG_CASES:
            assert f"  - {key}: " in error and message in error, case
    assert registered == []


def test_a_good_stack_registers_resources(registered: list[str]) -> None:
    """The spy sees registrations when there are some, so the empty lists above mean something."""
    assert _synth([]) == 0
    assert "aws:cognito/userPool:UserPool" in registered
