"""What the end-to-end tests of the signed hosts share: the two drivers of ``AIModelClient`` behind one call, a clock
that the client's signers and the mock server both read, and an independent check of SigV4 signatures (botocore).

A :class:`Driver` runs ``generate()`` (sync) or ``await generate_async()`` (async, on one event loop per test, so a
client's async pool outlives a call) and reads a streamed answer to its end: what comes back is the chunks and the
final response, whatever the driver and whether the call streamed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.testing import MockProviderServer, MockRequest
from dhenara_http.testing.converse import (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    TEMPORARY_ACCESS_KEY_ID,
    TEMPORARY_SECRET_ACCESS_KEY,
)
from dhenara_http.types.response import AIModelCallResponse, ChatResponse
from dhenara_http.types.stream import ChatResponseChunk
from tests.support import aws

DRIVERS = ["sync", "async"]


class Driver:
    """One of the client's two drivers."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        self._clients: list[AIModelClient] = []

    def client(self, endpoint: AIModelEndpoint, config: AIModelCallConfig | None = None, **kw: Any) -> AIModelClient:
        made = AIModelClient(endpoint, config or AIModelCallConfig(), is_async=self.kind == "async", **kw)
        self._clients.append(made)
        return made

    def run(self, client: AIModelClient, **call: Any) -> tuple[list[ChatResponseChunk], AIModelCallResponse]:
        """The chunks (none without streaming) and the final response of one call."""
        if self.loop is not None:
            return self.loop.run_until_complete(_run_async(client, call))
        response = client.generate(**call)
        if response.stream_generator is None:
            return [], response
        reading = _Reading()
        for item in response.stream_generator:
            reading.take(item)
        return reading.result()

    def answer(self, client: AIModelClient, **call: Any) -> ChatResponse:
        response = self.run(client, **call)[1]
        assert response.chat_response is not None
        return response.chat_response

    def close(self) -> None:
        for made in self._clients:
            made.close()
            if self.loop is not None:
                self.loop.run_until_complete(made.aclose())
        if self.loop is not None:
            self.loop.close()


class _Reading:
    """The items of a stream as they are taken: the chunks, and the final response that ends it."""

    def __init__(self) -> None:
        self.chunks: list[ChatResponseChunk] = []
        self.final: AIModelCallResponse | None = None

    def take(self, item: tuple[Any, AIModelCallResponse | None]) -> None:
        chunk, accumulated = item
        if chunk is not None:
            self.chunks.append(chunk.data)
        if accumulated is not None:
            self.final = accumulated

    def result(self) -> tuple[list[ChatResponseChunk], AIModelCallResponse]:
        assert self.final is not None, "a stream ends with (None, final)"
        return self.chunks, self.final


async def _run_async(client: AIModelClient, call: dict[str, Any]) -> tuple[list[ChatResponseChunk], Any]:
    response = await client.generate_async(**call)
    if response.async_stream_generator is None:
        return [], response
    reading = _Reading()
    async for item in response.async_stream_generator:
        reading.take(item)
    return reading.result()


def streamed_text(chunks: list[ChatResponseChunk]) -> str:
    return "".join(
        d.get_text_delta() for c in chunks for d in c.choice_deltas[0].content_deltas if d.type.value == "text"
    )


class Clock:
    """A clock a test moves: the mock server's token issuer, the client's signers (``Transport.time``) and the retry
    waits (each wait moves it on) all read it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def install_clock(monkeypatch: Any, clock: Clock, waits: list[float] | None = None) -> None:
    """Make the client's transports read ``clock`` and its retry waits move it on (without sleeping)."""
    from dhenara_http._transport import http, http_async, http_sync

    def wait(seconds: float) -> None:
        if waits is not None:
            waits.append(seconds)
        clock.advance(seconds)

    async def async_wait(seconds: float) -> None:
        wait(seconds)

    monkeypatch.setattr(http.Transport, "time", lambda self: clock())
    monkeypatch.setattr(http_sync, "sleep", wait)
    monkeypatch.setattr(http_async, "sleep", async_wait)


# -- SigV4, checked by botocore ---------------------------------------------------------------------------------------


def sigv4_fields(request: MockRequest) -> dict[str, str]:
    """The parts of a request's SigV4 ``Authorization`` header."""
    return aws.sigv4_fields(request.header("authorization"))


#: The mock Bedrock runtime's keys: secret and session token by key id.
MOCK_AWS_KEYS = {
    ACCESS_KEY_ID: (SECRET_ACCESS_KEY, None),
    TEMPORARY_ACCESS_KEY_ID: (TEMPORARY_SECRET_ACCESS_KEY, SESSION_TOKEN),
}


def assert_signed(request: MockRequest) -> None:
    """The request carries a SigV4 signature botocore agrees with, over host, date, body hash (and session token)."""
    fields = sigv4_fields(request)
    assert fields["service"] == "bedrock"
    assert set(fields["signed"].split(";")) >= {"host", "x-amz-date", "x-amz-content-sha256"}
    secret, token = MOCK_AWS_KEYS[fields["key"]]
    query = "&".join(f"{k}={v}" for k, v in request.query.items())
    url = f"http://{request.header('host')}{request.path}" + (f"?{query}" if query else "")
    expected = aws.botocore_authorization(request.method, url, request.headers, request.body, secret, token)
    assert request.header("authorization") == expected


def model_requests(server: MockProviderServer) -> list[MockRequest]:
    """The requests to the Bedrock runtime's model routes."""
    return [r for r in server.requests if r.path.startswith("/model/")]
