"""AWS binary event-stream frames (``application/vnd.amazon.eventstream``) → :class:`~.sse.SSEEvent`, with no I/O.

A frame::

    total length (u32) | headers length (u32) | prelude CRC32 (u32, of the 8 bytes before it)
    headers: name length (u8) | name (UTF-8) | value type (u8) | value …
    payload
    message CRC32 (u32, of every byte of the frame before it)

Both CRCs are checked; a frame longer than the limits (16 B … 24 MiB of payload, 128 KiB of headers, those of the
AWS SDKs) is refused before its bytes are waited for. Header values of every type are read (bool, byte, short,
int, long, byte array, string, timestamp, UUID), so a new header never breaks a stream.

What each frame becomes, by its ``:message-type`` header:

* ``event`` — ``SSEEvent(event=<:event-type>, data=<payload text>)``. Converse streams send one JSON object per
  event (``messageStart``, ``contentBlockDelta`` …, each with a ``"p"`` padding field that readers ignore).
  InvokeModel streams wrap each event of the model's own stream in a ``chunk`` frame whose payload is
  ``{"bytes": "<base64>"}``: it is unwrapped here into the inner event (``event`` = its ``type``, ``data`` = its JSON
  text), so the Anthropic accumulator reads a Bedrock InvokeModel stream exactly as it reads Anthropic's SSE.
* ``exception`` — raised as the typed error of its ``:exception-type`` (``errors.AWS_ERROR_CLASSES``), with the
  status that class implies: an in-band ``throttlingException`` is a ``RateLimitError`` like an HTTP 429.
* ``error`` — raised likewise from ``:error-code`` / ``:error-message``.

Network reads split frames anywhere. Bytes are appended to one ``bytearray`` and each complete frame is cut out
once, so a frame arriving in a thousand small reads costs linear time. A CRC mismatch, a malformed header, or bytes
left over at :meth:`EventStreamDecoder.iter_flush` (a truncated frame) raise :class:`EventStreamDecodeError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import uuid
import zlib
from collections.abc import Iterator
from typing import Any, NoReturn

from ..errors import InternalServerError as _InternalServerError
from ..errors import ResponseParseError, aws_error_class, aws_error_type, implied_status
from .sse import SSEEvent

__all__ = ["EventStreamDecodeError", "EventStreamDecoder", "parse_headers"]

_PRELUDE = struct.Struct(">III")
_U32 = struct.Struct(">I")
_PRELUDE_LEN = 12
_MIN_FRAME = 16
MAX_PAYLOAD = 24 * 1024 * 1024
MAX_HEADERS = 128 * 1024
#: Fixed-size header value types: type code → (struct, size).
_FIXED = {2: struct.Struct(">b"), 3: struct.Struct(">h"), 4: struct.Struct(">i"), 5: struct.Struct(">q")}
_TIMESTAMP = 8
_UUID = 9


class EventStreamDecodeError(ResponseParseError):
    """The bytes are not a valid AWS event stream (CRC mismatch, bad lengths, malformed headers, truncation)."""


def parse_headers(data: bytes, start: int = 0, end: int | None = None) -> dict[str, Any]:
    """The headers encoded in ``data[start:end]``: strings, bytes, ints, bools, ``uuid.UUID``; timestamps as
    milliseconds since the epoch."""
    end = len(data) if end is None else end
    headers: dict[str, Any] = {}
    i = start
    try:
        while i < end:
            name_len = data[i]
            name = data[i + 1 : i + 1 + name_len].decode("utf-8")
            i += 1 + name_len
            kind = data[i]
            i += 1
            value: Any
            if kind == 0:
                value = True
            elif kind == 1:
                value = False
            elif kind in _FIXED:
                fixed = _FIXED[kind]
                (value,) = fixed.unpack_from(data, i)
                i += fixed.size
            elif kind in (6, 7):
                (size,) = struct.unpack_from(">H", data, i)
                raw = data[i + 2 : i + 2 + size]
                if len(raw) != size:
                    raise EventStreamDecodeError("AWS event stream: a header value runs past the headers")
                value = raw.decode("utf-8") if kind == 7 else bytes(raw)
                i += 2 + size
            elif kind == _TIMESTAMP:
                (value,) = _FIXED[5].unpack_from(data, i)
                i += 8
            elif kind == _UUID:
                raw = data[i : i + 16]
                if len(raw) != 16:
                    raise EventStreamDecodeError("AWS event stream: a UUID header runs past the headers")
                value = uuid.UUID(bytes=bytes(raw))
                i += 16
            else:
                raise EventStreamDecodeError(f"AWS event stream: unknown header value type {kind}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError):
        raise EventStreamDecodeError("AWS event stream: malformed frame headers") from None
    if i != end:
        raise EventStreamDecodeError("AWS event stream: a header runs past the headers")
    return headers


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload) if payload else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _raise_error(error_type: str | None, message: str, body: Any) -> NoReturn:
    name = aws_error_type(error_type)
    cls = aws_error_class(name) or _InternalServerError
    raise cls(
        f"Bedrock stream error {name or 'unknown'}: {message}".rstrip(": "),
        status_code=implied_status(cls),
        error_type=name,
        body=body,
    )


def _unwrap_chunk(payload: bytes) -> SSEEvent:
    """An InvokeModel ``chunk`` frame: its ``bytes`` field, base64, is the model's own event (JSON)."""
    try:
        outer = json.loads(payload)
        inner = base64.b64decode(outer["bytes"], validate=True).decode("utf-8")
        event = json.loads(inner)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise EventStreamDecodeError("AWS event stream: a chunk frame without base64 JSON in 'bytes'") from None
    name = event.get("type") if isinstance(event, dict) else None
    return SSEEvent(str(name) if isinstance(name, str) else "chunk", inner)


class EventStreamDecoder:
    """Feed network chunks; get the events of the frames they complete (see the module docstring)."""

    __slots__ = ("_buffer", "_max_headers", "_max_payload")

    def __init__(self, max_payload: int = MAX_PAYLOAD, max_headers: int = MAX_HEADERS) -> None:
        self._buffer = bytearray()
        self._max_payload = max_payload
        self._max_headers = max_headers

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        return list(self.iter_feed(chunk))

    def flush(self) -> list[SSEEvent]:
        return list(self.iter_flush())

    def iter_feed(self, chunk: bytes) -> Iterator[SSEEvent]:
        buffer = self._buffer
        buffer += chunk
        size = len(buffer)
        pos = 0
        try:
            while size - pos >= _PRELUDE_LEN:
                total, headers_len, prelude_crc = _PRELUDE.unpack_from(buffer, pos)
                self._check_prelude(buffer, pos, total, headers_len, prelude_crc)
                if size - pos < total:
                    break
                frame = bytes(buffer[pos : pos + total])
                pos += total
                event = self._frame(frame, headers_len, prelude_crc)
                if event is not None:
                    yield event
        finally:
            if pos:
                del buffer[:pos]

    def iter_flush(self) -> Iterator[SSEEvent]:
        if self._buffer:
            left = len(self._buffer)
            self._buffer.clear()
            raise EventStreamDecodeError(f"AWS event stream truncated: {left} bytes of an unfinished frame")
        return iter(())

    def _check_prelude(self, buffer: bytearray, pos: int, total: int, headers_len: int, prelude_crc: int) -> None:
        if zlib.crc32(buffer[pos : pos + 8]) != prelude_crc:
            raise EventStreamDecodeError("AWS event stream: prelude CRC mismatch")
        if total < _MIN_FRAME or headers_len > total - _MIN_FRAME:
            raise EventStreamDecodeError(f"AWS event stream: bad frame lengths ({total}, headers {headers_len})")
        if headers_len > self._max_headers:
            raise EventStreamDecodeError(f"AWS event stream: {headers_len} bytes of headers exceed the limit")
        if total - _MIN_FRAME - headers_len > self._max_payload:
            raise EventStreamDecodeError(f"AWS event stream: a {total}-byte frame exceeds the payload limit")

    def _frame(self, frame: bytes, headers_len: int, prelude_crc: int) -> SSEEvent | None:
        (message_crc,) = _U32.unpack_from(frame, len(frame) - 4)
        if zlib.crc32(memoryview(frame)[8:-4], prelude_crc) != message_crc:
            raise EventStreamDecodeError("AWS event stream: message CRC mismatch")
        headers_end = _PRELUDE_LEN + headers_len
        headers = parse_headers(frame, _PRELUDE_LEN, headers_end)
        payload = frame[headers_end:-4]
        kind = headers.get(":message-type", "event")
        if kind == "event":
            name = headers.get(":event-type")
            if name == "chunk":
                return _unwrap_chunk(payload)
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                raise EventStreamDecodeError(f"AWS event stream: the {name!r} event is not UTF-8") from None
            return SSEEvent(str(name or ""), text)
        if kind == "exception":
            body = _json_object(payload)
            message = body.get("message") or body.get("Message") or ""
            _raise_error(
                str(headers.get(":exception-type") or ""), str(message), body or payload.decode("utf-8", "replace")
            )
        if kind == "error":
            code = str(headers.get(":error-code") or "")
            _raise_error(code, str(headers.get(":error-message") or ""), {"code": code})
        raise EventStreamDecodeError(f"AWS event stream: unknown message type {kind!r}")
