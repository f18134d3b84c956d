"""Pulumi program: check this stack's settings, declare the backend, export what clients need."""

import pulumi

from app.backend import FullstackBackend
from app.settings import load_settings

settings = load_settings()
backend = FullstackBackend("app", settings)
for name, value in backend.stack_outputs().items():
    pulumi.export(name, value)
