"""Local stand-in for AppSync's APPSYNC_JS runtime: the Node side (``*.mjs``: ``@aws-appsync/utils``, a worker)
and the Python side (``pipeline``: unit and pipeline resolvers; ``dynamodb`` and ``sources``: data sources).

AppSync cannot be emulated by moto and ``@aws-appsync/utils`` ships types only, so resolver code runs in Node
against ``utils.mjs`` and the requests it builds are executed here against real (moto) services. The sandbox
serves its API with it, and ``tests/appsync_harness.py`` tests resolver files with it.
"""
