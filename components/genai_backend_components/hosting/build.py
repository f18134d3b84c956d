"""What Amplify Hosting runs to build the frontend: the build spec, and the client config as branch variables.

The frontend imports ``amplify_outputs.json``, which exists only once the backend is deployed. It travels
as branch environment variables that a fixed preBuild command turns back into the file, so nobody copies
it by hand. Amplify caps a variable value at 5500 characters (botocore ``amplify`` EnvValue), and this
backend's document is already ~5.7 KB of compact JSON, growing with every route: so it is gzipped (~3.5x
smaller), base64-encoded and cut into at most ``MAX_OUTPUT_PARTS`` variables. That bounds it at 22000
encoded characters (~16 KB of gzip, some hundreds of KB of JSON). Sorted keys and a gzip header without
time, name or OS byte keep the variables identical from run to run (only another zlib build could differ).
"""

import base64
import gzip
import io
import json
from collections.abc import Mapping
from typing import Any

MAX_VARIABLE_VALUE = 5500
MAX_VARIABLE_NAME = 255
OUTPUTS_FILE = "amplify_outputs.json"
OUTPUTS_VARIABLE_PREFIX = "AMPLIFY_OUTPUTS_GZIP_"
MAX_OUTPUT_PARTS = 4
OUTPUTS_VARIABLES = tuple(f"{OUTPUTS_VARIABLE_PREFIX}{index}" for index in range(1, MAX_OUTPUT_PARTS + 1))
WRITE_OUTPUTS_COMMAND = (
    "printf '%s' \"" + "".join(f"${{{variable}}}" for variable in OUTPUTS_VARIABLES) + '"'
    f" | base64 -d | gunzip > {OUTPUTS_FILE}"
)
"""Rebuilds the client config from the branch variables (unset parts expand to nothing)."""
CHECK_OUTPUTS_COMMAND = f"node -e \"JSON.parse(require('fs').readFileSync('{OUTPUTS_FILE}', 'utf8'))\""
"""Fails the build on a missing or broken document rather than deploying a frontend that cannot connect."""


def build_spec(node_version: int) -> str:
    """The Next.js SSR build as Amplify's console recommends it, plus writing the client config.

    ``npm ci`` with a project-local npm cache makes the cached ``.npm`` useful (``npm ci`` removes
    node_modules first). Each phase selects Node itself, whether or not the shell carries over between
    phases. Every value is single-quoted YAML, so the text parses the same in any YAML reader.
    """

    def items(indent: int, *values: str) -> list[str]:
        quote = "'"
        return [f"{' ' * indent}- {quote}{value.replace(quote, quote * 2)}{quote}" for value in values]

    use_node = f"nvm use {node_version}"
    install = "npm ci --cache .npm --prefer-offline"
    lines = [
        "version: 1",
        "frontend:",
        "  phases:",
        "    preBuild:",
        "      commands:",
        *items(8, use_node, install, WRITE_OUTPUTS_COMMAND, CHECK_OUTPUTS_COMMAND),
        "    build:",
        "      commands:",
        *items(8, use_node, "npm run build"),
        "  artifacts:",
        "    baseDirectory: .next",
        "    files:",
        *items(6, "**/*"),
        "  cache:",
        "    paths:",
        *items(6, ".next/cache/**/*", ".npm/**/*", "node_modules/**/*"),
    ]
    return "\n".join(lines) + "\n"


def outputs_variables(document: Mapping[str, Any]) -> dict[str, str]:
    """The document as gzip + base64 parts, one branch variable each, in the order the build joins them."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    buffer = io.BytesIO()
    # GzipFile (unlike gzip.compress) writes OS byte 255; with mtime 0 and no name the header is constant.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as archive:
        archive.write(text.encode("ascii"))
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    parts = [
        encoded[start : start + MAX_VARIABLE_VALUE] for start in range(0, len(encoded), MAX_VARIABLE_VALUE)
    ]
    if len(parts) > MAX_OUTPUT_PARTS:
        raise ValueError(
            f"the compressed document is {len(encoded)} characters; at most "
            f"{MAX_OUTPUT_PARTS * MAX_VARIABLE_VALUE} fit in {MAX_OUTPUT_PARTS} Amplify variables"
        )
    return dict(zip(OUTPUTS_VARIABLES, parts, strict=False))
