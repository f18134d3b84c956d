"""A running sandbox for the tests of this folder: ``python -m sandbox`` on a free port, stopped with SIGTERM.

Start-up is bounded (``START_TIMEOUT``); the process is stopped at the end of the session and must exit 0,
with its moto server gone, which is the clean-shutdown test of every run.
"""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
USERS = [
    {"email": "ana@example.com", "password": "Sandbox-Test-Passw0rd!", "groups": ["admins"]},
    {"email": "ben@example.com", "password": "Sandbox-Test-Passw0rd!", "groups": []},
]


@dataclass
class RunningSandbox:
    process: subprocess.Popen[str]
    out_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def endpoints(self) -> dict[str, str]:
        return json.loads((self.out_dir / "endpoints.json").read_text())

    @property
    def outputs(self) -> dict[str, Any]:
        return json.loads((self.out_dir / "amplify_outputs.json").read_text())

    @property
    def cert(self) -> Path:
        return self.out_dir / "cert.pem"

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def post(self, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """POST /graphql; returns (status, JSON body)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            self.endpoints["graphql"], data=data, method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, context=self.tls(), timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as failure:
            return failure.code, json.loads(failure.read())

    def log_since(self, mark: int) -> list[str]:
        return self.lines[mark:]


def start_sandbox(out_dir: Path, *arguments: str) -> RunningSandbox:
    users = out_dir / "users.json"
    out_dir.mkdir(parents=True, exist_ok=True)
    users.write_text(json.dumps(USERS))
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--users", str(users), "--out", str(out_dir), *arguments],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    running = RunningSandbox(process, out_dir)
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line.rstrip("\n"))
            if "sandbox: ready in" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT) or process.poll() is not None:
        process.kill()
        raise AssertionError("sandbox did not start:\n" + "\n".join(running.lines[-40:]))
    return running


def stop_sandbox(running: RunningSandbox) -> int:
    running.process.send_signal(signal.SIGTERM)
    try:
        return running.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()
        raise AssertionError("sandbox did not stop within 15 s of SIGTERM") from None


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    cognito = running.endpoints["cognito"]
    yield running
    status = stop_sandbox(running)
    assert status == 0, "\n".join(running.lines[-30:])
    assert any("sandbox: stopped" in line for line in running.lines[-10:])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # moto_server, a child process, must be gone too
        try:
            urllib.request.urlopen(f"{cognito}/moto-api/", timeout=0.5).close()
        except OSError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("moto_server still answers after the sandbox stopped")
