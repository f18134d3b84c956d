"""Reusable Pulumi components for an Amplify-compatible GenAI backend on AWS.

Each module holds one ``ComponentResource`` with a typed args object; none of them reads
Pulumi config, environment variables or files other than those passed in its args, so each
one can be used alone in another Pulumi program.
"""
