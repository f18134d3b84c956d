"""Moved to ``sandbox.runtime.dynamodb``."""

from sandbox.runtime.dynamodb import dynamodb_table, encode_next_token, execute_dynamodb

__all__ = ["dynamodb_table", "encode_next_token", "execute_dynamodb"]
