"""Transport faults through the public client, against the real (embedded) mock server: retries and their waits,
timeouts, dropped and reset connections, broken bodies, streams cut midway, and the pool after close.

Retry sleeps are patched out by ``tests/conftest.py`` (``retry_waits`` records the waits asked for). Timeouts are
small; elapsed times are only asserted as a generous guard against hanging.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseParseError,
    StreamError,
)
from dhenara_http._decoders.sse import SSEDecoder
from dhenara_http.foundation_models import GPT4oMini
from dhenara_http.testing import MockProviderServer

WIRES = ["responses", "chat_completions"]
PROMPT = "Tell me a short story about a robot learning to paint."
HANG_GUARD = 5.0  # seconds; far above the configured timeouts, only there to catch a hang


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


def make_client(server: MockProviderServer, wire: str = "responses", **config: Any) -> AIModelClient:
    endpoint = AIModelEndpoint(api=server.api("openai", wire_api=wire), ai_model=GPT4oMini)
    return AIModelClient(endpoint, AIModelCallConfig(**config))


#: The driver :func:`generate` calls through (set for each test by the ``driver`` fixture).
DRIVER = "sync"


@pytest.fixture(autouse=True, params=["sync", "async"])
def driver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs on both drivers: the sync client and the async one see the same faults alike."""
    monkeypatch.setattr(sys.modules[__name__], "DRIVER", request.param)
    return str(request.param)


def generate(server: MockProviderServer, wire: str = "responses", **config: Any) -> Any:
    if DRIVER == "async":
        return asyncio.run(_generate_async(server, wire, **config))
    with make_client(server, wire, **config) as client:
        response = client.generate(prompt=PROMPT)
        if response.stream_generator is not None:
            final = None
            for _chunk, accumulated in response.stream_generator:
                if accumulated is not None:
                    final = accumulated
            return final
        return response


async def _generate_async(server: MockProviderServer, wire: str, **config: Any) -> Any:
    async with make_client(server, wire, **config) as client:
        response = await client.generate_async(prompt=PROMPT)
        if response.async_stream_generator is not None:
            final = None
            async for _chunk, accumulated in response.async_stream_generator:
                if accumulated is not None:
                    final = accumulated
            return final
        return response


# -- retried status errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("streaming", [False, True])
def test_429_with_retry_after_is_retried_with_the_wait_asked(
    server: MockProviderServer, retry_waits: list[float], wire: str, streaming: bool
) -> None:
    server.inject(status=429, retry_after=2, times=2)
    response = generate(server, wire, retries=2, streaming=streaming)
    assert PROMPT in response.chat_response.text()
    assert len(server.requests) == 3
    assert retry_waits == [2.0, 2.0]


def test_retry_after_ms_wins_over_retry_after(server: MockProviderServer, retry_waits: list[float]) -> None:
    server.inject(status=429, retry_after=30, headers={"retry-after-ms": "1500"})
    generate(server, retries=1)
    assert retry_waits == [1.5]


def test_a_wait_longer_than_the_cap_fails_at_once(server: MockProviderServer, retry_waits: list[float]) -> None:
    server.inject(status=429, retry_after=120, times=None)
    with pytest.raises(RateLimitError) as caught:
        generate(server, retries=3, max_retry_wait=60)
    assert caught.value.retry_after == 120
    assert caught.value.status_code == 429
    assert caught.value.error_code == "rate_limit_exceeded"
    assert len(server.requests) == 1
    assert retry_waits == []


@pytest.mark.parametrize("wire", WIRES)
def test_503_every_time_gives_internal_server_error_after_all_attempts(
    server: MockProviderServer, retry_waits: list[float], wire: str
) -> None:
    server.inject(status=503, times=None)
    with pytest.raises(InternalServerError) as caught:
        generate(server, wire, retries=3)
    assert caught.value.status_code == 503
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_")
    assert len(server.requests) == 4
    assert len(retry_waits) == 3  # exponential backoff, no hint from the server
    assert all(0 < w <= 8 for w in retry_waits)


def test_401_is_not_retried(server: MockProviderServer, retry_waits: list[float]) -> None:
    server.inject(status=401, times=None)
    with pytest.raises(AuthenticationError):
        generate(server, retries=3)
    assert len(server.requests) == 1
    assert server.requests[0].header("authorization") == "Bearer mock-key"


# -- no answer, half an answer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("streaming", [False, True])
def test_reset_before_headers_is_retried_then_connection_error(
    server: MockProviderServer, retry_waits: list[float], streaming: bool
) -> None:
    server.inject(reset=True, times=None)
    with pytest.raises(APIConnectionError) as caught:
        generate(server, retries=2, streaming=streaming)
    assert not isinstance(caught.value, APITimeoutError)
    assert len(server.requests) == 3
    assert len(retry_waits) == 2


def test_one_reset_then_success(server: MockProviderServer) -> None:
    server.inject(reset=True)
    assert PROMPT in generate(server, retries=1).chat_response.text()
    assert len(server.requests) == 2


@pytest.mark.parametrize("streaming", [False, True])
def test_a_server_that_never_answers_times_out(server: MockProviderServer, streaming: bool) -> None:
    server.inject(hang=True, times=None)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        generate(server, timeout=0.5, retries=1, streaming=streaming)
    assert time.monotonic() - started < HANG_GUARD
    assert len(server.requests) == 2  # a timeout is retried like any connection error


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("streaming", [False, True])
def test_headers_then_nothing_is_a_read_timeout(server: MockProviderServer, wire: str, streaming: bool) -> None:
    server.inject(headers_then_hang=True, times=None)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        generate(server, wire, timeout=0.5, retries=0, streaming=streaming)
    assert time.monotonic() - started < HANG_GUARD
    assert len(server.requests) == 1


def test_read_timeout_is_the_silence_between_reads(server: MockProviderServer) -> None:
    server.inject(headers_then_hang=True)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        generate(server, timeout=30, read_timeout=0.3, retries=0, streaming=True)
    assert time.monotonic() - started < HANG_GUARD


# -- streams cut after their first chunk -----------------------------------------------------------------------------


def _text_of_events(wire: str, raw: bytes, count: int) -> str:
    """The answer text carried by the first ``count`` events of a raw stream (read from the wire, not the client)."""
    text = ""
    for event in SSEDecoder().feed(raw)[:count]:
        if event.data == "[DONE]":
            continue
        data = json.loads(event.data)
        if wire == "responses":
            if data["type"] == "response.output_text.delta":
                text += data["delta"]
        else:
            for choice in data.get("choices") or []:
                text += choice["delta"].get("content") or ""
    return text


@pytest.mark.parametrize(("wire", "cut_after"), [("responses", 9), ("chat_completions", 6)])
def test_a_stream_cut_midway_raises_stream_error_with_the_partial_text(
    server: MockProviderServer, retry_waits: list[float], wire: str, cut_after: int
) -> None:
    server.inject(drop_after_events=cut_after)
    pieces: list[str] = []

    def read_all(items: Iterator[Any]) -> None:
        pieces.extend(c.data.choice_deltas[0].content_deltas[0].get_text_delta() for c, _ in items if c is not None)

    with make_client(server, wire, streaming=True, retries=3) as client:
        response = client.generate(prompt=PROMPT)
        assert response.stream_generator is not None
        with pytest.raises(StreamError) as caught:
            read_all(response.stream_generator)
    shown = "".join(pieces)
    assert len(server.requests) == 1  # nothing retried after the first chunk
    assert retry_waits == []
    # What the cut stream carried, read from the same request replayed without the fault.
    sent = server.requests[0]
    raw = httpx.post(server.url(sent.path), content=sent.body, headers={"authorization": "Bearer k"}).content
    expected = _text_of_events(wire, raw, cut_after)
    assert expected
    assert shown == expected
    partial = caught.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    assert partial.chat_response.text() == expected
    assert isinstance(caught.value.error, APIConnectionError)


def test_a_stream_cut_before_any_content_is_retried(server: MockProviderServer) -> None:
    server.inject(drop_after_events=2)  # response.created and response.in_progress carry no content
    final = generate(server, "responses", streaming=True, retries=1)
    assert PROMPT in final.chat_response.text()
    assert len(server.requests) == 2


# -- broken bodies ---------------------------------------------------------------------------------------------------

HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.mark.parametrize("streaming", [False, True])
def test_an_html_error_page_is_a_typed_error(
    server: MockProviderServer, retry_waits: list[float], streaming: bool
) -> None:
    server.inject(status=502, body=HTML, times=None)
    with pytest.raises(InternalServerError) as caught:
        generate(server, retries=1, streaming=streaming)
    assert caught.value.status_code == 502
    assert "Bad Gateway" in str(caught.value)
    assert len(server.requests) == 2
    server.clear_faults()
    server.inject(status=400, body=b"<html><body>Bad Request</body></html>")
    with pytest.raises(BadRequestError):
        generate(server, retries=3, streaming=streaming)
    assert len(server.requests) == 3  # a 400 is not retried


@pytest.mark.parametrize("wire", WIRES)
def test_malformed_json_with_200_is_a_parse_error(server: MockProviderServer, wire: str) -> None:
    server.inject(status=200, body=b'{"id": "resp_abc", "output": [', times=None)
    with pytest.raises(ResponseParseError) as caught:
        generate(server, wire, retries=3)
    assert caught.value.status_code == 200
    assert len(server.requests) == 1


# -- connections -----------------------------------------------------------------------------------------------------


def test_close_leaves_no_open_connection(server: MockProviderServer) -> None:
    client = make_client(server, streaming=True)
    response = client.generate(prompt=PROMPT)
    assert response.stream_generator is not None
    next(iter(response.stream_generator))  # abandon the stream after its first chunk
    client.generate(prompt="And another one")  # a second connection while the first is still held
    pool = client._pools.sync.client()
    assert server.active_connections >= 1
    client.close()
    assert pool.is_closed
    assert server.wait_for_connections(0)


@pytest.mark.anyio
async def test_async_close_leaves_no_open_connection(server: MockProviderServer) -> None:
    endpoint = AIModelEndpoint(api=server.api("openai"), ai_model=GPT4oMini)
    async with AIModelClient(endpoint, AIModelCallConfig(), is_async=True) as client:
        await client.generate_async(prompt=PROMPT)
        await client.generate_async(prompt=PROMPT)
        assert server.active_connections == 1
    assert server.wait_for_connections(0)
    assert server.connections_opened == 1


# =====================================================================================================================
# Body size limits: a JSON answer over the transport's cap is refused; an error answer over the error-body cap is
# still its status's typed error (its body is cut, not refused). The caps are lowered for the test; the mock server
# serves bodies above them.
# =====================================================================================================================


def _big_error(code: str, size: int) -> dict[str, Any]:
    return {"error": {"message": "x" * size, "type": code, "param": None, "code": code}}


@pytest.mark.parametrize("wire", WIRES)
def test_a_json_answer_over_the_cap_is_a_parse_error(
    server: MockProviderServer, monkeypatch: pytest.MonkeyPatch, retry_waits: list[float], wire: str
) -> None:
    from dhenara_http._transport import http

    monkeypatch.setattr(http, "MAX_JSON_BODY", 512)
    server.inject(status=200, body={"id": "resp_big", "output": [], "padding": "y" * 4096})
    with pytest.raises(ResponseParseError) as caught:
        generate(server, wire, retries=3)
    assert "larger than 512 bytes" in str(caught.value)
    assert caught.value.status_code == 200
    assert len(server.requests) == 1  # an answer too large is not retried
    assert retry_waits == []
    # Under the cap, the same client reads the server's own answer.
    monkeypatch.setattr(http, "MAX_JSON_BODY", 1024 * 1024)
    assert PROMPT in generate(server, wire).chat_response.text()


def test_a_json_answer_to_a_streamed_call_over_the_cap_is_a_parse_error(
    server: MockProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dhenara_http._transport import http

    monkeypatch.setattr(http, "MAX_JSON_BODY", 512)
    server.inject(status=200, body={"padding": "y" * 4096})
    with pytest.raises(ResponseParseError):
        generate(server, streaming=True, retries=0)


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [(429, "rate_limit_exceeded", RateLimitError), (400, "invalid_request_error", BadRequestError)],
)
def test_an_error_body_over_its_cap_is_still_the_typed_error(
    server: MockProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    retry_waits: list[float],
    streaming: bool,
    status: int,
    code: str,
    expected: type[Exception],
) -> None:
    from dhenara_http._transport import http

    monkeypatch.setattr(http, "MAX_ERROR_BODY", 256)
    body = _big_error(code, 10_000)
    server.inject(status=status, body=body, times=None)
    with pytest.raises(expected) as caught:
        generate(server, retries=0, streaming=streaming)
    error: Any = caught.value
    assert error.status_code == status
    assert error.request_id is not None
    assert error.request_id.startswith("req_")
    # The body was cut at the cap: what the error shows of it is its first bytes, never more.
    shown = json.dumps(error.body) if not isinstance(error.body, str) else error.body
    assert len(shown) < 2 * 256
    assert json.dumps(body, separators=(",", ":"))[:100] in str(error)
    assert len(server.requests) == 1
