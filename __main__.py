"""Pulumi program: validate this stack's settings, declare the backend, export what clients need."""

import pulumi

from components.backend import FullstackBackend
from components.settings import load_settings

settings = load_settings()
backend = FullstackBackend("app", settings)
for name, value in backend.stack_outputs().items():
    pulumi.export(name, value)
