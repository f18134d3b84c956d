"""``python -m sandbox [--port PORT] [--users FILE] [--bedrock stub|real]``: the whole backend on 127.0.0.1.

See the README section "Offline sandbox"; ``scripts/sandbox.sh`` sets up the environment and runs this.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_USERS = ROOT / "sandbox" / "users.example.json"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number (0-65535; 0 picks a free port)"
        ) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free port)")
    return value


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bash scripts/sandbox.sh",
        description="Run the whole backend on 127.0.0.1 (GraphQL over HTTPS and WebSocket, Cognito and DynamoDB "
        "in moto, the deployed resolvers and handlers, a local Bedrock stand-in). Ctrl-C stops it.",
    )
    parser.add_argument(
        "--port", type=_port, default=8443, help="HTTPS port of the GraphQL endpoint (default 8443)"
    )
    parser.add_argument(
        "--users",
        type=Path,
        default=DEFAULT_USERS,
        metavar="FILE",
        help='JSON list of {"email", "password", "groups"} to create (default sandbox/users.example.json)',
    )
    parser.add_argument(
        "--bedrock",
        choices=("stub", "real"),
        default="stub",
        help="stub: the local stand-in model (default); real: Amazon Bedrock with your AWS credentials",
    )
    parser.add_argument(
        "--stack", default="dev", help="stack whose settings the sandbox serves (default dev)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "out" / "sandbox", help="where cert.pem and the client config go"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    from sandbox.logs import configure_logging
    from sandbox.server import Options, run

    configure_logging()
    options = Options(
        port=arguments.port,
        users_file=arguments.users,
        bedrock=arguments.bedrock,
        stack=arguments.stack,
        out_dir=arguments.out.resolve(),
    )
    try:
        return asyncio.run(run(options, STARTED))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
