"""What every wire module of the mock shares besides the model: how an answer is cut into stream pieces, and SSE
framing."""

from __future__ import annotations

import json
import re
from typing import Any


def pieces(text: str) -> list[str]:
    """Text split the way tokens stream: each piece a word with the whitespace before it."""
    return re.findall(r"\s*\S+|\s+$", text)


def arg_pieces(arguments: str, size: int = 8) -> list[str]:
    """A tool call's JSON arguments in pieces of ``size`` characters (one empty piece for empty arguments)."""
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [""]


def sse(data: Any, event: str | None = None, *, newline: str = "\n") -> bytes:
    """One SSE event: an optional ``event:`` line and the compact JSON ``data:`` line, ``newline`` ending each line
    (Google's servers end lines with ``\\r\\n``)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"event: {event}{newline}" if event else ""
    return f"{head}data: {payload}{newline}{newline}".encode()
