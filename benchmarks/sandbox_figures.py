"""Prints the offline sandbox's start-up time and the median round trip of a query (targets: ready in <= 3 s,
query <= 50 ms).

    .venv/bin/python -m benchmarks.sandbox_figures [--starts 3] [--queries 200]

- start-up: wall time from spawning ``python -m sandbox`` to its "ready" line (client config written), each
  start a fresh process with a fresh moto; median of ``--starts``;
- query: ``listLeagues`` (one DynamoDB Query through the bySeason index, a page of 20 leagues) as a signed-in
  user, over one kept-alive HTTPS connection, after 20 warm-up requests; median and 95th percentile of
  ``--queries`` requests, measured by the client (TLS, JWT check, validation, two Node handler calls and
  the DynamoDB call in moto included).
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
USER = {"email": "bench@example.com", "password": "Bench-Passw0rd-2026!", "groups": ["admins"]}
START_TARGET_SECONDS = 3.0
QUERY_TARGET_MS = 50.0


def start(out_dir: Path) -> tuple[subprocess.Popen[str], float, str]:
    users = out_dir / "users.json"
    users.write_text(json.dumps([USER]))
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--users", str(users), "--out", str(out_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if "sandbox: ready in" in line:
            return process, time.perf_counter() - began, line.strip()
    raise RuntimeError(f"the sandbox exited with {process.wait()} before it was ready")


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)


def query_times(out_dir: Path, count: int) -> list[float]:
    endpoints = json.loads((out_dir / "endpoints.json").read_text())
    outputs = json.loads((out_dir / "amplify_outputs.json").read_text())
    cognito = boto3.client("cognito-idp", endpoint_url=endpoints["cognito"], region_name="us-east-1",
                           aws_access_key_id="bench", aws_secret_access_key="bench")  # fmt: skip
    token = cognito.initiate_auth(
        ClientId=outputs["auth"]["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USER["email"], "PASSWORD": USER["password"]},
    )["AuthenticationResult"]["AccessToken"]  # fmt: skip
    host_port = endpoints["graphql"].split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    connection = http.client.HTTPSConnection(
        host, int(port), context=ssl.create_default_context(cafile=str(out_dir / "cert.pem"))
    )
    headers = {"Authorization": token, "Content-Type": "application/json"}

    def send(query: str, variables: dict[str, object]) -> dict[str, object]:
        connection.request("POST", "/graphql", json.dumps({"query": query, "variables": variables}), headers)
        answer = json.loads(connection.getresponse().read())
        if answer.get("errors"):
            raise RuntimeError(f"query failed: {answer['errors']}")
        return answer

    upsert = "mutation U($input: LeagueInput!) { upsertLeague(input: $input) { id } }"
    for index in range(25):
        send(
            upsert,
            {"input": {"id": f"bench-{index}", "season": 2024, "leagueCountry": {"name": "Benchland"}}},
        )
    query = "query L($season: Int!) { listLeagues(season: $season) { items { id season leagueCountry { name } } nextToken } }"
    for _ in range(20):
        send(query, {"season": 2024})
    times = []
    for _ in range(count):
        began = time.perf_counter()
        send(query, {"season": 2024})
        times.append((time.perf_counter() - began) * 1000)
    connection.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    starts, reported = [], []
    with tempfile.TemporaryDirectory() as scratch:
        out_dir = Path(scratch)
        times: list[float] = []
        for attempt in range(args.starts):
            process, seconds, line = start(out_dir)
            starts.append(seconds)
            reported.append(float(line.split("ready in ")[1].split(" s")[0]))
            try:
                if attempt == args.starts - 1:
                    times = query_times(out_dir, args.queries)
            finally:
                stop(process)
    median_start = statistics.median(starts)
    median_query = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"sandbox start-up: median {median_start:.2f} s to ready (target <= {START_TARGET_SECONDS:.0f} s; "
        f"runs {', '.join(f'{s:.2f}' for s in starts)}; self-reported {', '.join(f'{s:.2f}' for s in reported)})"
    )
    print(
        f"sandbox query round trip (listLeagues, {len(times)} requests): median {median_query:.1f} ms, "
        f"p95 {p95:.1f} ms (target <= {QUERY_TARGET_MS:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
