"""Just enough HTTP/1.1 for the mock server, on asyncio streams: read one request, write one response.

Requests may carry a ``Content-Length`` or a chunked body. Responses are written whole with a ``Content-Length``, or —
for streams — with ``Transfer-Encoding: chunked``, one chunk per event, so a test can cut a stream between two events.
"""

from __future__ import annotations

import asyncio
import http
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024


class BadRequest(Exception):
    """The bytes on the connection are not a request we can read; the connection is answered and closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class MockRequest:
    """One request as the server received it. ``json`` is the parsed body (``None`` when it is empty or not JSON);
    ``connection_id`` numbers the TCP connections, so tests can see which requests shared one."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    connection_id: int
    keep_alive: bool = True
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    #: State the server keeps between requests for its wire modules (the OAuth tokens it issued), the same dict for
    #: every request of one server; a handler called without a server gets an empty one.
    state: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass(slots=True)
class Reply:
    """A response to write: a whole ``body``, or ``events`` for a stream (each written as one chunk)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    events: list[bytes] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status=status, body=raw, headers={"content-type": "application/json", **(headers or {})})

    @classmethod
    def stream(cls, events: list[bytes], headers: dict[str, str] | None = None) -> Reply:
        base = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
        return cls(status=200, events=events, headers={**base, **(headers or {})})

    @property
    def is_stream(self) -> bool:
        return self.events is not None


async def read_request(reader: asyncio.StreamReader, connection_id: int) -> MockRequest | None:
    """The next request on the connection, or ``None`` when the client closed it between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "the connection closed in the middle of a request head") from None
    except asyncio.LimitOverrunError:
        raise BadRequest(431, "the request head is too large") from None
    lines = head.decode("latin-1").lstrip("\r\n").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        raise BadRequest(400, f"malformed request line {lines[0]!r}") from None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadRequest(400, f"malformed header line {line!r}")
        headers[name.strip().lower()] = value.strip()
    body = await _read_body(reader, headers)
    path, _, query = target.partition("?")
    connection = headers.get("connection", "").lower()
    keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
    request = MockRequest(
        method=method.upper(),
        path=path,
        query=dict(parse_qsl(query, keep_blank_values=True)),
        headers=headers,
        body=body,
        connection_id=connection_id,
        keep_alive=keep_alive,
    )
    if body:
        try:
            request.json = json.loads(body)
        except ValueError:
            request.json = None
    return request


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts: list[bytes] = []
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            length = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if length == 0:
                # Trailers, if any, end with an empty line.
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(parts)
            size += length
            if size > MAX_BODY:
                raise BadRequest(413, "the request body is too large")
            parts.append(await reader.readexactly(length))
            await reader.readexactly(2)
    length_text = headers.get("content-length")
    if not length_text:
        return b""
    try:
        length = int(length_text)
    except ValueError:
        raise BadRequest(400, f"bad Content-Length {length_text!r}") from None
    if length > MAX_BODY:
        raise BadRequest(413, "the request body is too large")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise BadRequest(400, "the connection closed in the middle of a request body") from None


def head_bytes(status: int, headers: dict[str, str]) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {status} {phrase}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply_head(reply: Reply, keep_alive: bool, extra: dict[str, str] | None = None) -> bytes:
    """The status line and headers of ``reply``: chunked for a stream, else with its ``Content-Length``."""
    headers = {"server": "dhenara-mock", **(extra or {}), **reply.headers}
    if reply.is_stream:
        headers["transfer-encoding"] = "chunked"
    else:
        headers["content-length"] = str(len(reply.body))
    headers["connection"] = "keep-alive" if keep_alive else "close"
    return head_bytes(reply.status, headers)


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"
