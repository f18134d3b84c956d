"""Where this repository keeps what the app deploys besides the library's own packaged code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOLVERS = ROOT / "resolvers"
"""The League API's GraphQL schema and APPSYNC_JS resolvers."""
LEAGUE_CODE = ROOT / "functions" / "league"
"""The League function's handler package."""
LAYER_CACHE = ROOT / "build" / "layers"
"""Built dependency layers, cached by the hash of their requirements."""
