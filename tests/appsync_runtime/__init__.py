"""Local stand-in for the APPSYNC_JS runtime: the Node side (``*.mjs``) and Python data-source executors.

AppSync cannot be emulated by moto and ``@aws-appsync/utils`` ships types only, so resolver code runs
in Node against ``utils.mjs`` and the requests it builds are executed here against real (moto) services.
"""
