"""The Node side of the APPSYNC_JS runtime: one long-lived ``node worker.mjs`` process, one JSON line per call.

Starting Node costs about 0.1 s, so a runner keeps one worker for all its calls; a call that gets
no answer within the timeout (an endless loop in resolver code, say) kills the worker and fails.
Calls may come from several threads (the sandbox serves requests concurrently): each call holds a
lock for its write and its read, so answers never cross.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().parent / "worker.mjs"


class ResolverCrashError(AssertionError):
    """Resolver code threw something other than util.error / runtime.earlyReturn (a bug, not an outcome)."""


class NodeWorker:
    """One ``node worker.mjs`` process speaking one JSON line per call."""

    def __init__(self, timeout_seconds: float) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH; the APPSYNC_JS runtime needs Node 20+")
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the worker
        self._process = subprocess.Popen(
            [node, str(WORKER)], cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, encoding="utf-8",
        )  # fmt: skip
        self._next_id = 0

    @property
    def pid(self) -> int:
        return self._process.pid

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self._call(message)

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        if self._process.poll() is not None:
            raise ResolverCrashError("APPSYNC_JS worker is not running")
        self._next_id += 1
        self._process.stdin.write(json.dumps({**message, "id": self._next_id}) + "\n")
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], self._timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line:
            self._stop()
            self._stderr.seek(0)
            raise ResolverCrashError(
                f"APPSYNC_JS worker gave no answer (hung or died): {self._stderr.read()[-2000:]}"
            )
        answer = json.loads(line)
        if answer.get("status") == "crash":
            raise ResolverCrashError(
                f"{message['file']} {message['handler']}: {answer['message']}\n{answer['stack']}"
            )
        return answer

    def _stop(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()
            if not self._stderr.closed:
                self._stderr.close()
