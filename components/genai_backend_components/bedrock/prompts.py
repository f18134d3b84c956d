"""The system prompt a route sends to the model: one constraint for every route that takes one."""

from typing import Annotated

from pydantic import AfterValidator, StrictStr

MAX_SYSTEM_PROMPT_BYTES = 2048
"""A conversation route's handler gets the prompt through its environment, where Lambda allows 4 KB in
total; the prompt may take half. The generation route keeps to the same bound, so one stack setting fits
both routes."""


def _system_prompt(value: str) -> str:
    size = len(value.encode("utf-8"))
    if not value.strip():
        raise ValueError("must not be empty")
    if size > MAX_SYSTEM_PROMPT_BYTES:
        raise ValueError(f"at most {MAX_SYSTEM_PROMPT_BYTES:,} bytes of UTF-8 (got {size:,})")
    return value


SystemPrompt = Annotated[StrictStr, AfterValidator(_system_prompt)]
