"""An AWS event-stream frame encoder, for the mock Bedrock routes and for tests (the client only decodes)."""

from __future__ import annotations

import base64
import json
import struct
import uuid
import zlib
from typing import Any

__all__ = ["chunk_frame", "encode_frame", "error_frame", "event_frame", "exception_frame"]

#: A value of one of these Python types is written with this header type code (bool: 0/1; int: long, 5).
_TYPED = {"byte": (2, ">b"), "short": (3, ">h"), "int": (4, ">i"), "long": (5, ">q"), "timestamp": (8, ">q")}


def _header(name: str, value: Any) -> bytes:
    raw_name = name.encode("utf-8")
    out = bytes([len(raw_name)]) + raw_name
    if isinstance(value, tuple):  # ("short", 3): an explicitly typed integer
        code, fmt = _TYPED[value[0]]
        return out + bytes([code]) + struct.pack(fmt, value[1])
    if value is True or value is False:
        return out + bytes([0 if value else 1])
    if isinstance(value, int):
        return out + bytes([5]) + struct.pack(">q", value)
    if isinstance(value, uuid.UUID):
        return out + bytes([9]) + value.bytes
    if isinstance(value, bytes):
        return out + bytes([6]) + struct.pack(">H", len(value)) + value
    text = str(value).encode("utf-8")
    return out + bytes([7]) + struct.pack(">H", len(text)) + text


def encode_frame(headers: dict[str, Any], payload: bytes) -> bytes:
    """One frame: prelude, headers, payload and both CRC32s."""
    encoded = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event_frame(event_type: str, payload: dict[str, Any], *, pad: bool = True) -> bytes:
    """A Converse-style event; like Bedrock, a ``"p"`` padding field is added to the payload."""
    if pad:
        payload = {**payload, "p": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"[: 1 + len(event_type)]}
    return encode_frame(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(payload, separators=(",", ":")).encode("utf-8"),
    )


def chunk_frame(inner: dict[str, Any]) -> bytes:
    """An InvokeModel stream ``chunk``: the model's own event, base64 in ``bytes``."""
    data = base64.b64encode(json.dumps(inner, separators=(",", ":")).encode("utf-8")).decode("ascii")
    return encode_frame(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"},
        json.dumps({"bytes": data, "p": "abcd"}).encode("utf-8"),
    )


def exception_frame(exception_type: str, message: str) -> bytes:
    return encode_frame(
        {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"message": message}).encode("utf-8"),
    )


def error_frame(code: str, message: str) -> bytes:
    return encode_frame({":error-code": code, ":error-message": message, ":message-type": "error"}, b"")
