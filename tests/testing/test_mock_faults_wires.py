"""Every scripted fault on the Anthropic and Gemini wires of the mock server, through the public client: status
errors in each provider's own body shape with its way of asking for a wait, in-band stream errors after N events,
dropped streams, hangs, resets, broken bodies and delays. In-band errors on the OpenAI wires too."""

from __future__ import annotations

import json
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
    InternalServerError,
    OverloadedError,
    RateLimitError,
    StreamError,
)
from dhenara_http.foundation_models import Claude35Haiku, Gemini20Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer

from ._support import ANTHROPIC_HEADERS, GEMINI_HEADERS, events, generate

PROMPT = "Tell me a short story about a robot learning to paint."
HANG_GUARD = 5.0
#: (API provider, model, headers for a raw replay)
WIRES = {
    "anthropic": ("anthropic", Claude35Haiku, ANTHROPIC_HEADERS),
    "gemini": ("google_gemini_api", Gemini20Flash, GEMINI_HEADERS),
}
#: Each wire's fault that means "rate limited / overloaded, wait and retry", and the class it becomes.
BUSY = {"anthropic": (529, OverloadedError, "overloaded_error"), "gemini": (429, RateLimitError, "RESOURCE_EXHAUSTED")}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


def call(server: MockProviderServer, wire: str, **config: Any) -> Any:
    provider, model, _ = WIRES[wire]
    return generate(server, provider, model, prompt=PROMPT, **config)


def raw_replay(server: MockProviderServer, wire: str) -> bytes:
    """The last request sent again, without faults: the bytes the faulted answer was made of."""
    sent = server.requests[-1]
    path = sent.path + ("?alt=sse" if sent.query.get("alt") == "sse" else "")
    return httpx.post(server.url(path), content=sent.body, headers=WIRES[wire][2], timeout=5).content


def text_of_events(wire: str, raw: bytes, count: int) -> str:
    """The answer text the first ``count`` events of a raw stream carry, read from the wire."""
    text = ""
    for event in events(raw)[:count]:
        data = json.loads(event[1])
        if wire == "anthropic":
            if data["type"] == "content_block_delta" and data["delta"]["type"] == "text_delta":
                text += data["delta"]["text"]
        else:
            text += "".join(p.get("text", "") for p in data["candidates"][0]["content"]["parts"])
    return text


def read_stream(server: MockProviderServer, wire: str, **config: Any) -> tuple[str, StreamError]:
    """Read a stream that must fail: the text shown before the failure and the StreamError."""
    provider, model, _ = WIRES[wire]
    endpoint = AIModelEndpoint(api=server.api(provider), ai_model=model)
    shown: list[str] = []

    def read_all(items: Iterator[Any]) -> None:
        for chunk, _ in items:
            if chunk is not None:
                shown.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta() or "")

    with AIModelClient(endpoint, AIModelCallConfig(streaming=True, **config)) as client:
        response = client.generate(prompt=PROMPT)
        assert response.stream_generator is not None
        with pytest.raises(StreamError) as caught:
            read_all(response.stream_generator)
    return "".join(shown), caught.value


# -- status errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("streaming", [False, True])
def test_busy_status_is_retried_with_the_wait_asked(
    server: MockProviderServer, retry_waits: list[float], wire: str, streaming: bool
) -> None:
    status, _, _ = BUSY[wire]
    server.inject(status=status, retry_after=2, times=2)
    final = call(server, wire, retries=2, streaming=streaming)
    assert PROMPT in final.chat_response.text()
    assert len(server.requests) == 3
    assert retry_waits == [2.0, 2.0]


def test_anthropic_overloaded_body_and_header(server: MockProviderServer, retry_waits: list[float]) -> None:
    server.inject(status=529, retry_after=4, times=None)
    raw = httpx.post(server.url("/v1/messages"), json={}, headers=ANTHROPIC_HEADERS, timeout=5)
    assert raw.status_code == 529
    assert raw.headers["retry-after"] == "4"
    body = raw.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    with pytest.raises(OverloadedError) as caught:
        call(server, "anthropic", retries=1)
    assert caught.value.status_code == 529
    assert caught.value.error_type == "overloaded_error"
    assert caught.value.retry_after == 4
    assert caught.value.request_id is not None
    assert retry_waits == [4.0]


def test_gemini_rate_limit_asks_for_its_wait_in_the_body(server: MockProviderServer, retry_waits: list[float]) -> None:
    server.inject(status=429, retry_after=2.5, times=None)
    raw = httpx.post(server.url("/v1beta/models/m:generateContent"), json={}, headers=GEMINI_HEADERS, timeout=5)
    assert raw.status_code == 429
    assert "retry-after" not in raw.headers  # Google says it in the body only
    error = raw.json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    kinds = {d["@type"].rsplit(".", 1)[-1]: d for d in error["details"]}
    assert kinds["RetryInfo"]["retryDelay"] == "2.5s"
    assert "QuotaFailure" in kinds
    with pytest.raises(RateLimitError) as caught:
        call(server, "gemini", retries=2)
    assert caught.value.retry_after == 2.5
    assert caught.value.error_type == "RESOURCE_EXHAUSTED"
    assert retry_waits == [2.5, 2.5]
    server.clear_faults()
    server.inject(status=429, retry_after=300)  # more than max_retry_wait: fails at once
    server.clear_requests()
    with pytest.raises(RateLimitError):
        call(server, "gemini", retries=3)
    assert len(server.requests) == 1


@pytest.mark.parametrize("wire", WIRES)
def test_busy_every_time_gives_the_provider_class(server: MockProviderServer, wire: str) -> None:
    status, cls, error_type = BUSY[wire]
    server.inject(status=status, times=None)
    with pytest.raises(cls) as caught:
        call(server, wire, retries=2)
    assert caught.value.status_code == status
    assert caught.value.error_type == error_type
    assert len(server.requests) == 3


# -- in-band errors --------------------------------------------------------------------------------------------------

#: Events sent before the in-band error: past the first content on each wire.
AFTER = {"anthropic": 6, "gemini": 3}


@pytest.mark.parametrize("wire", WIRES)
def test_in_band_error_after_events_raises_with_the_partial_answer(
    server: MockProviderServer, retry_waits: list[float], wire: str
) -> None:
    server.inject(in_band_error=True, after_events=AFTER[wire])
    shown, error = read_stream(server, wire, retries=3)
    assert len(server.requests) == 1  # never retried after content reached the caller
    expected = text_of_events(wire, raw_replay(server, wire), AFTER[wire])
    assert expected
    assert shown == expected
    assert error.partial is not None
    assert error.partial.chat_response.text() == expected
    assert isinstance(error.error, OverloadedError)  # overloaded_error / UNAVAILABLE


def test_in_band_error_event_shapes(server: MockProviderServer) -> None:
    server.inject(in_band_error="rate_limit_error", after_events=2)
    body = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}], "stream": True}
    raw = httpx.post(server.url("/v1/messages"), json=body, headers=ANTHROPIC_HEADERS, timeout=5)
    evs = events(raw.content)
    assert [name for name, _ in evs] == ["message_start", "content_block_start", "error"]
    assert json.loads(evs[-1][1]) == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your per-minute rate limit."},
    }
    server.inject(in_band_error="RESOURCE_EXHAUSTED", after_events=1)
    path = "/v1beta/models/m:streamGenerateContent?alt=sse"
    raw = httpx.post(server.url(path), json={"contents": [{"parts": [{"text": "Hi"}]}]}, headers=GEMINI_HEADERS)
    blocks = [b for b in raw.text.split("\r\n\r\n") if b]
    assert len(blocks) == 2
    error = json.loads(blocks[1].removeprefix("data: "))["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    server.inject(in_band_error={"type": "error", "error": {"type": "api_error", "message": "custom"}})
    raw = httpx.post(server.url("/v1/messages"), json=body, headers=ANTHROPIC_HEADERS, timeout=5)
    assert events(raw.content) == [("error", '{"type":"error","error":{"type":"api_error","message":"custom"}}')]


@pytest.mark.parametrize(
    ("wire", "kind", "cls"),
    [("anthropic", "rate_limit_error", RateLimitError), ("gemini", "INTERNAL", InternalServerError)],
)
def test_in_band_error_kind_gives_its_class(server: MockProviderServer, wire: str, kind: str, cls: type) -> None:
    server.inject(in_band_error=kind, after_events=AFTER[wire])
    _, error = read_stream(server, wire)
    assert type(error.error) is cls


@pytest.mark.parametrize("wire", WIRES)
def test_in_band_error_before_any_content_is_retried(server: MockProviderServer, wire: str) -> None:
    server.inject(in_band_error=True, after_events=0)
    final = call(server, wire, streaming=True, retries=1)
    assert PROMPT in final.chat_response.text()
    assert len(server.requests) == 2


def test_anthropic_error_in_a_json_200(server: MockProviderServer) -> None:
    server.inject(in_band_error="overloaded_error", times=None)
    body = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}
    raw = httpx.post(server.url("/v1/messages"), json=body, headers=ANTHROPIC_HEADERS, timeout=5)
    assert raw.status_code == 200
    assert raw.json()["error"]["type"] == "overloaded_error"
    with pytest.raises(OverloadedError) as caught:
        call(server, "anthropic", retries=0)
    assert caught.value.status_code == 529  # the status the error type stands for
    assert caught.value.error_type == "overloaded_error"


@pytest.mark.parametrize("wire_api", ["responses", "chat_completions"])
def test_in_band_error_on_the_openai_wires(server: MockProviderServer, wire_api: str) -> None:
    server.inject(in_band_error=True, after_events=6)
    endpoint = AIModelEndpoint(api=server.api("openai", wire_api=wire_api), ai_model=GPT4oMini)
    with AIModelClient(endpoint, AIModelCallConfig(streaming=True)) as client:
        response = client.generate(prompt=PROMPT)
        assert response.stream_generator is not None
        with pytest.raises(StreamError) as caught:
            for _ in response.stream_generator:
                pass
    assert isinstance(caught.value.error, InternalServerError)
    # Chat nests an error object (type server_error); the Responses event carries the code on itself.
    assert "server_error" in (caught.value.error.error_type, caught.value.error.error_code)
    partial = caught.value.partial.chat_response.text() or ""
    whole = generate(server, "openai", GPT4oMini, prompt=PROMPT, api_config={"wire_api": wire_api}).chat_response
    assert partial
    assert len(partial) < len(whole.text())
    assert whole.text().startswith(partial)


# -- connections and bodies ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
def test_dropped_stream_raises_with_the_partial_answer(
    server: MockProviderServer, retry_waits: list[float], wire: str
) -> None:
    server.inject(drop_after_events=AFTER[wire])
    shown, error = read_stream(server, wire, retries=3)
    assert len(server.requests) == 1
    expected = text_of_events(wire, raw_replay(server, wire), AFTER[wire])
    assert shown == expected
    assert error.partial is not None
    assert error.partial.chat_response.text() == expected
    assert isinstance(error.error, APIConnectionError)


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("streaming", [False, True])
def test_hang_reset_and_headers_then_hang(server: MockProviderServer, wire: str, streaming: bool) -> None:
    started = time.monotonic()
    # (A deadline long enough that a busy machine still sends the request before it passes: a fault left untaken
    # would hang the next call.)
    server.inject(hang=True)
    with pytest.raises(APITimeoutError):
        call(server, wire, timeout=1.0, retries=0, streaming=streaming)
    server.inject(headers_then_hang=True)
    with pytest.raises(APITimeoutError):
        call(server, wire, timeout=1.0, retries=0, streaming=streaming)
    server.clear_faults()
    server.inject(reset=True, times=2)
    with pytest.raises(APIConnectionError) as caught:
        call(server, wire, retries=1, streaming=streaming)
    assert not isinstance(caught.value, APITimeoutError)
    assert time.monotonic() - started < 3 * HANG_GUARD
    assert len(server.requests) == 4


@pytest.mark.parametrize("wire", WIRES)
def test_html_error_page_and_delay(server: MockProviderServer, retry_waits: list[float], wire: str) -> None:
    server.inject(status=502, body=b"<html><body>Bad Gateway</body></html>", times=None)
    with pytest.raises(InternalServerError) as caught:
        call(server, wire, retries=1)
    assert caught.value.status_code == 502
    assert len(server.requests) == 2
    server.clear_faults()
    server.inject(delay=0.2)
    started = time.monotonic()
    assert PROMPT in call(server, wire).chat_response.text()
    assert time.monotonic() - started >= 0.2
