"""Moved: the APPSYNC_JS runtime is product code now, in ``sandbox/runtime`` (the offline sandbox serves the
API with it). These modules re-export it for code that still imports the old paths; new code imports
``sandbox.runtime`` (or ``tests.appsync_harness``).
"""
