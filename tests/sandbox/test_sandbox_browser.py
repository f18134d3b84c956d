"""A real browser (Debian's headless Chromium) signs in and chats against the sandbox from a web page.

The page (tests/sandbox/browser/page.mjs, bundled with esbuild) is served over plain HTTP from 127.0.0.1, a
secure context, so it can call moto's Cognito (HTTP) and the sandbox's HTTPS/WSS endpoints; Chromium trusts
the sandbox's certificate by its public-key hash (``--ignore-certificate-errors-spki-list``), nothing else.
CORS preflights to both endpoints are real. The page reports what happened with a POST to its own server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.sandbox.conftest import REPO_ROOT, USERS, RunningSandbox

PAGE = REPO_ROOT / "tests" / "sandbox" / "browser" / "page.mjs"
ESBUILD = REPO_ROOT / "node_modules" / ".bin" / "esbuild"
INDEX = (
    b"<!doctype html><title>Sandbox chat</title><p id=answer></p><script type=module src=/page.js></script>"
)
REPORT_TIMEOUT = 45.0


def spki_hash(cert: Path) -> str:
    """Chromium's --ignore-certificate-errors-spki-list value: base64 SHA-256 of the public key info."""
    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def serve_page(
    files: dict[str, tuple[str, bytes]], reports: list[dict[str, Any]], arrived: threading.Event
) -> ThreadingHTTPServer:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = files.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            reports.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_browser_page_signs_in_and_chats(sandbox: RunningSandbox, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium is not None, "Debian's chromium is required (scripts/setup.sh installs it)"
    bundle = tmp_path / "page.js"
    subprocess.run(
        [str(ESBUILD), str(PAGE), "--bundle", "--format=esm", "--platform=browser", "--target=es2022",
         f"--outfile={bundle}", "--log-level=warning", '--define:process.env.NODE_ENV="production"'],
        cwd=REPO_ROOT, check=True, timeout=60,
    )  # fmt: skip
    config = {"outputs": sandbox.outputs, "endpoints": sandbox.endpoints, "user": USERS[0]}
    files = {
        "/": ("text/html", INDEX),
        "/page.js": ("text/javascript", bundle.read_bytes()),
        "/config.json": ("application/json", json.dumps(config).encode()),
    }
    reports: list[dict[str, Any]] = []
    arrived = threading.Event()
    server = serve_page(files, reports, arrived)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", f"--ignore-certificate-errors-spki-list={spki_hash(sandbox.cert)}",
         url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if not arrived.wait(REPORT_TIMEOUT):
            pytest.fail(f"the page reported nothing within {REPORT_TIMEOUT:.0f} s")
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        server.shutdown()
    (report,) = reports
    assert report.get("ok"), report.get("error")
    assert report["isSignedIn"] is True and report["secureContext"] is True
    assert report["stopReason"] == "end_turn" and report["parts"] >= 2
    assert "Hello from the browser" in report["text"]
    assert report["shown"] == report["text"], "the page shows the streamed answer"
