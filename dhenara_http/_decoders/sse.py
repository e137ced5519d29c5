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

Speed matters here: a streamed answer is thousands of events. All the complete lines of a network chunk are decoded
with one ``decode`` call (line ends are ASCII, so this equals decoding line by line, invalid bytes included); runs of
the usual event shapes are recognised with a few checks over the whole run instead of line by line (see
:meth:`SSEDecoder._events`); :meth:`SSEDecoder.iter_feed` makes the events as they are taken, so that a large read
never holds hundreds of event objects at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

from ..errors import ResponseParseError
from ..types._json import MAX_DEPTH, SHALLOW, checked_answer

__all__ = [
    "DONE_MARKER",
    "NO_PAYLOAD",
    "SSEDecodeError",
    "SSEDecoder",
    "SSEEvent",
    "event_payload",
    "loads",
    "scan_json",
]

_BOM = "\ufeff"
#: How many events of a run are made at once by :meth:`SSEDecoder.iter_feed`.
_GROUP = 32
_flat = chain.from_iterable
#: The C scanner behind ``json.loads``: ``scan_json(text, index)`` → (value, end index); raises ``StopIteration`` when
#: no value starts at ``index`` (whitespace included) and ``ValueError`` for bad JSON. Stream accumulators call it
#: inline on their hot path, and go the ``json.loads`` way for anything it does not take whole.
scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads(text: str) -> Any:
    """``json.loads(text)``, about twice as fast for the usual compact payload: the C scanner is called directly,
    and only a text it cannot take whole (leading or trailing whitespace, junk after the value) goes through
    ``json.loads``, which then accepts or rejects it exactly as it always would. The value is checked as
    :func:`event_payload` checks it (bounded nesting, no lone surrogates); JSON nested too deep for the parser is a
    ``ResponseParseError``, never a ``RecursionError``."""
    try:
        try:
            value, end = scan_json(text, 0)
        except StopIteration:
            return _checked(json.loads(text), text)
        if end != len(text):
            return _checked(json.loads(text), text)
    except RecursionError:
        raise _too_deep() from None
    return _checked(value, text)


#: What :func:`event_payload` returns for an event that carries nothing (padding, a keep-alive, empty data).
NO_PAYLOAD: Any = object()
#: The end marker of OpenAI-style streams, returned as this very object by :func:`event_payload`.
DONE_MARKER = "[DONE]"


def _too_deep() -> ResponseParseError:
    return ResponseParseError(f"malformed stream event: nested more than {MAX_DEPTH} levels deep")


def _checked(value: Any, data: str) -> Any:
    """``value``, parsed from ``data``, checked as an answer is (see :func:`~dhenara_http.types._json.checked_answer`)
    — but only when the text could hold a problem: nesting needs brackets, and a lone surrogate needs a ``\\uD…``
    escape. A usual event is let through after a length check and two substring searches."""
    if (len(data) < SHALLOW or data.count("{") + data.count("[") <= MAX_DEPTH) and (
        "\\ud" not in data and "\\uD" not in data
    ):
        return value
    return checked_answer(value, "a stream event")


def event_payload(data: str) -> Any:
    """The JSON payload of an event's data, fast for the usual compact payload (see :func:`loads`); ``NO_PAYLOAD``
    for blank data; ``DONE_MARKER`` for ``[DONE]``; ``ValueError`` for anything else that is not JSON;
    ``ResponseParseError`` for JSON nested deeper than ``MAX_DEPTH``. Lone surrogates (``\\ud800``) come back
    replaced by U+FFFD. Every stream accumulator reads its events through this one function."""
    try:
        try:
            value, end = scan_json(data, 0)
            if end == len(data):
                return _checked(value, data)
        except (StopIteration, ValueError):
            pass
        stripped = data.strip()
        if not stripped:
            return NO_PAYLOAD
        if stripped == DONE_MARKER:
            return DONE_MARKER
        return _checked(json.loads(stripped), stripped)
    except RecursionError:
        raise _too_deep() from None


class SSEDecodeError(ResponseParseError):
    """The byte stream is not a usable event stream."""


@dataclass(slots=True)
class SSEEvent:
    event: str
    data: str
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return loads(self.data)


class SSEDecoder:
    __slots__ = ("_data", "_event", "_last_id", "_max", "_parts", "_pending_cr", "_retry", "_size", "_started")

    def __init__(self, max_line_bytes: int = 32 * 1024 * 1024) -> None:
        # The unfinished last line, as the pieces it arrived in: joined once, when its line end comes, so that a
        # multi-megabyte line (a base64 image) arriving in small network chunks costs linear, not quadratic, time.
        self._parts: list[bytes] = []
        self._size = 0
        self._pending_cr = False
        self._started = False
        self._event = ""
        self._data: list[str] = []
        self._last_id = ""
        self._retry: int | None = None
        self._max = max_line_bytes

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """The events completed by this chunk (often none, sometimes many)."""
        if (
            chunk[-2:] == b"\n\n"
            and self._started
            and not (self._parts or self._pending_cr or self._data or self._event)
        ):
            # The most common read of all, one whole event (providers send one per network chunk): read directly.
            one = self._one_event(chunk)
            if one is not None:
                return [one]
        lines = self._complete_lines(chunk)
        return list(_flat(self._events(lines))) if lines else []

    def _one_event(self, chunk: bytes) -> SSEEvent | None:
        """The event of a chunk that is exactly ``data: …`` or ``event: …`` + ``data: …`` and its blank line; None
        for anything else (which the general path reads)."""
        body = chunk[:-2]
        if b"\n\n" in body or b"\r" in body or len(body) > self._max:
            return None
        text = body.decode("utf-8", "replace")
        if text.startswith("data: "):
            if "\n" in text:
                return None
            return SSEEvent("message", text[6:], self._last_id, self._retry)
        if text.startswith("event: "):
            name, sep, data = text.partition("\n")
            if sep and data.startswith("data: ") and "\n" not in data:
                return SSEEvent(name[7:] or "message", data[6:], self._last_id, self._retry)
        return None

    def flush(self) -> list[SSEEvent]:
        """At the end of the stream: the last event, even if its closing blank line never came."""
        return list(_flat(self._events(self._last_lines())))

    def iter_feed(self, chunk: bytes) -> Iterator[SSEEvent]:
        """:meth:`feed`, its events made as they are taken, a few dozen at a time (take them all before the next
        call). A stream driver uses this so that a network read of hundreds of events never holds hundreds of event
        objects at once."""
        lines = self._complete_lines(chunk)
        return _flat(self._events(lines)) if lines else iter(())

    def iter_flush(self) -> Iterator[SSEEvent]:
        """:meth:`flush`, its events made as they are taken."""
        return _flat(self._events(self._last_lines()))

    def _complete_lines(self, chunk: bytes) -> list[str] | None:
        """Take ``chunk`` in: the lines it completes, decoded (None when it completes none)."""
        if not chunk:
            # An empty chunk must not clear a pending CR: its LF may still come in the next one.
            return None
        if self._pending_cr:
            self._pending_cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    return None
        if b"\r" in chunk:
            return self._complete_lines_cr(chunk)
        end = chunk.rfind(b"\n")
        if end < 0:
            self._parts.append(chunk)
            self._size += len(chunk)
            self._check(self._size)
            return None
        # The common case, LF line ends only: everything up to the last LF is complete lines.
        complete = b"".join([*self._parts, chunk[:end]]) if self._parts else chunk[:end]
        rest = chunk[end + 1 :]
        if rest:
            self._parts, self._size = [rest], len(rest)
        else:
            self._parts, self._size = [], 0
        if len(complete) > self._max or self._size > self._max:
            # Complete lines are checked too, so that whether a stream fails does not depend on how it was chunked.
            self._check(max(self._size, *map(len, complete.split(b"\n"))))
        return complete.decode("utf-8", "replace").split("\n")

    def _complete_lines_cr(self, chunk: bytes) -> list[str] | None:
        """The general path: lines ended by CR, LF or CRLF."""
        buf = b"".join([*self._parts, chunk]) if self._parts else chunk
        lines = buf.splitlines()
        last = buf[-1]
        if last == 0x0A:
            self._parts, self._size = [], 0
        elif last == 0x0D:
            self._parts, self._size = [], 0
            self._pending_cr = True
        else:
            rest = lines.pop()
            self._parts, self._size = [rest], len(rest)
        self._check(max(self._size, *map(len, lines)) if lines else self._size)
        if not lines:
            return None
        return b"\n".join(lines).decode("utf-8", "replace").split("\n")

    def _last_lines(self) -> list[str]:
        """At the end of the stream: the unfinished last line, if any, and a blank line to end its event."""
        lines: list[str] = []
        if self._parts:
            line = b"".join(self._parts)
            self._parts, self._size = [], 0
            lines.append(line.decode("utf-8", "replace"))
        lines.append("")
        return lines

    def _check(self, size: int) -> None:
        if size > self._max:
            raise SSEDecodeError(f"event-stream line longer than {self._max} bytes")

    def _events(self, lines: list[str]) -> Iterator[list[SSEEvent]]:
        """The events of these complete lines, in lists of up to ``_GROUP`` (a generator: the decoder's state moves
        as they are taken; the lists are flattened by :func:`itertools.chain`, which costs less per event than a
        generator's step).

        Runs of the two usual event shapes — ``data: …`` + blank line, and ``event: …`` + ``data: …`` + blank line —
        are recognised a run at a time (a few C-level checks over the whole run) and read without the line-by-line
        state machine; anything else, and an event begun in an earlier chunk, goes through :meth:`_general`.
        """
        if not self._started:
            # Only the very first bytes of the stream may be a BOM, even when the first line is blank.
            self._started = True
            if lines[0][:1] == _BOM:
                lines[0] = lines[0][1:]
        if self._data or self._event:
            # Finish the event in progress first, up to its blank line.
            end = lines.index("") + 1 if "" in lines else len(lines)
            yield self._general(lines[:end])
            lines = lines[end:]
        n = len(lines)
        if n >= 2 and lines[0].startswith("data: "):
            run = n - n % 2
            if not any(lines[1:run:2]) and all(map(str.startswith, lines[0:run:2], repeat("data: "))):
                last_id, retry = self._last_id, self._retry
                for start in range(0, run, 2 * _GROUP):
                    group = lines[start : min(start + 2 * _GROUP, run) : 2]
                    yield [SSEEvent("message", line[6:], last_id, retry) for line in group]
                lines = lines[run:]
        elif n >= 3 and lines[0].startswith("event: "):
            run = n - n % 3
            if (
                not any(lines[2:run:3])
                and all(map(str.startswith, lines[0:run:3], repeat("event: ")))
                and all(map(str.startswith, lines[1:run:3], repeat("data: ")))
            ):
                last_id, retry = self._last_id, self._retry
                for start in range(0, run, 3 * _GROUP):
                    end = min(start + 3 * _GROUP, run)
                    yield [
                        SSEEvent(name[7:] or "message", line[6:], last_id, retry)
                        for name, line in zip(lines[start:end:3], lines[start + 1 : end : 3], strict=True)
                    ]
                lines = lines[run:]
        if lines:
            yield self._general(lines)

    def _general(self, lines: list[str]) -> list[SSEEvent]:
        """The events of these complete lines, line by line, as the standard describes."""
        out: list[SSEEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    if len(data) == 1:
                        value = data.pop()
                    else:
                        value = "\n".join(data)
                        data.clear()
                    out.append(SSEEvent(self._event or "message", value, self._last_id, self._retry))
                self._event = ""
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line.startswith("event: "):
                self._event = line[7:]
            else:
                self._field(line, data)
        return out

    def _field(self, line: str, data: list[str]) -> None:
        """Any line but ``data: …`` and blank ones."""
        if line[0] == ":":
            return
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
