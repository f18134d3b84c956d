"""The sandbox's process plumbing: its listening socket, the ``moto_server`` child, and start-up failures.

The sandbox is one process tree on 127.0.0.1 that must not outlive Ctrl-C or its parent: the port is owned
before anything else starts (so a busy port fails fast, naming ``--port``), and ``moto_server`` (Cognito user
pool and DynamoDB tables) is a child that gets SIGTERM if the sandbox dies without cleaning up.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HOST = "127.0.0.1"


class StartupError(Exception):
    """The sandbox cannot start; the message says what to change. Exit status 2."""


def free_socket(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0: any free port), owned before anything else starts."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as error:
        listener.close()
        raise StartupError(
            f"--port: cannot listen on {HOST}:{port} ({error.strerror}); choose another port"
        ) from None
    listener.listen(128)
    listener.setblocking(False)
    return listener


def _die_with_parent() -> None:
    """Child processes get SIGTERM if the sandbox dies without cleaning up (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    probe = socket.socket()
    probe.bind((HOST, 0))
    port = probe.getsockname()[1]
    probe.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
    )  # fmt: skip
    return process, f"http://{HOST}:{port}"


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"moto_server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise StartupError(f"moto_server did not answer on {url} within {seconds:.0f} s")
