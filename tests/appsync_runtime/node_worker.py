"""Moved to ``sandbox.runtime.node_worker``."""

from sandbox.runtime.node_worker import NodeWorker, ResolverCrashError

__all__ = ["NodeWorker", "ResolverCrashError"]
