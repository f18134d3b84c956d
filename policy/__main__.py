"""CrossGuard entry point: ``pulumi preview --policy-pack policy`` runs this folder with it on ``sys.path``.

The policies live in ``guardrails.py`` so tests can import them; this file only starts the analyzer (the
``PolicyPack`` constructor serves the engine and never returns).
"""

from guardrails import policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="genai-backend-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
