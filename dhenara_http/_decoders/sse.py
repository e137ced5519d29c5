"""A server-sent-events decoder on bytes, following the WHATWG rules, with no I/O.

Feed it network chunks as they arrive; it returns the events they complete.

* Lines end with CR, LF or CRLF — a CR at the end of one chunk and an LF at the start of the next are one line end.
* Lines are decoded as UTF-8 only once complete, so a character split across two network chunks is never broken.
  Invalid UTF-8 becomes U+FFFD, as the standard says.
* ``data`` lines accumulate (joined by LF); ``:`` lines are comments; a leading BOM is dropped; ``id`` with NUL is
  ignored; ``retry`` takes digits only; an event is dispatched on a blank line, and only if it has data.
* One deliberate departure: :meth:`SSEDecoder.flush` at the end of the stream dispatches an event whose closing blank
  line never came (a server that ends without it still delivers its last event).
* ``[DONE]`` is an ordinary event here; the stream driver ends on it.

A line longer than ``max_line_bytes`` raises :class:`SSEDecodeError` instead of growing the buffer without bound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import ResponseParseError

__all__ = ["SSEDecodeError", "SSEDecoder", "SSEEvent"]

_COLON = 0x3A


class SSEDecodeError(ResponseParseError):
    """The byte stream is not a usable event stream."""


@dataclass(slots=True)
class SSEEvent:
    event: str
    data: str
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SSEDecoder:
    __slots__ = ("_buf", "_data", "_event", "_last_id", "_max", "_pending_cr", "_retry", "_started")

    def __init__(self, max_line_bytes: int = 32 * 1024 * 1024) -> None:
        self._buf = b""
        self._pending_cr = False
        self._started = False
        self._event = ""
        self._data: list[str] = []
        self._last_id = ""
        self._retry: int | None = None
        self._max = max_line_bytes

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """The events completed by this chunk (often none, sometimes many)."""
        if self._pending_cr:
            self._pending_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not chunk:
            return []
        buf = self._buf + chunk if self._buf else chunk
        lines = buf.splitlines()
        last = buf[-1]
        if last == 0x0A:
            self._buf = b""
        elif last == 0x0D:
            self._buf = b""
            self._pending_cr = True
        else:
            self._buf = lines.pop()
            if len(self._buf) > self._max:
                raise SSEDecodeError(f"event-stream line longer than {self._max} bytes")
        out: list[SSEEvent] = []
        for line in lines:
            self._line(line, out)
        return out

    def flush(self) -> list[SSEEvent]:
        """At the end of the stream: the last event, even if its closing blank line never came."""
        out: list[SSEEvent] = []
        if self._buf:
            line, self._buf = self._buf, b""
            self._line(line, out)
        self._line(b"", out)
        return out

    def _line(self, line: bytes, out: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                out.append(SSEEvent(self._event or "message", "\n".join(self._data), self._last_id, self._retry))
                self._data = []
            self._event = ""
            return
        if not self._started:
            self._started = True
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
                if not line:
                    return
        if line[0] == _COLON:
            return
        text = line.decode("utf-8", "replace")
        name, sep, value = text.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
