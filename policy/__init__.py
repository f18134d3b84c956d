"""CrossGuard policy pack for this backend; a package only so tests can import ``policy.guardrails``."""
