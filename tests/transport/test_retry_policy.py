"""The retry policy (which failures are retried, how long to wait) and the transport's error mapping.

The first half tests ``_transport.retry`` on its own; the second drives ``Transport.send_json`` against respx on both
drivers (the sync transport stepped by the sync driver, the async one awaited), so that what is retried, how often,
with which waits, and what finally reaches the caller is seen end to end.
Retries never sleep here: the ``retry_waits`` fixture records the waits that were asked for.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from dhenara_http._drive import run_sync
from dhenara_http._transport import retry
from dhenara_http._transport.auth.keys import bearer
from dhenara_http._transport.http import Target, Transport
from dhenara_http._transport.pools import Pools
from dhenara_http._transport.retry import backoff, parse_retry_after, should_retry
from dhenara_http.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    RateLimitError,
    ResponseParseError,
    error_class_for_status,
)
from dhenara_http.protocols.base import ErrorInfo, WireRequest

BASE = "https://api.example.test/v1"
URL = f"{BASE}/chat/completions"
KEY = "sk-test-0123456789abcdefSECRETKEY"
MAX_WAIT = 60.0


def status_error(status: int, *, retry_after: float | None = None) -> APIError:
    return error_class_for_status(status)(f"HTTP {status}", status_code=status, retry_after=retry_after)


# -- parse_retry_after ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise header wins
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),  # an unreadable one falls back to the other
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "garbage"}, None),
        ({"retry-after": "Mon, 99 Foo 2020"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": " "}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_is_case_insensitive_with_httpx_headers() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    assert parse_retry_after(httpx.Headers({"Retry-After-Ms": "70"})) == pytest.approx(0.07)


def test_parse_retry_after_http_date() -> None:
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert parse_retry_after({"retry-after": future}) == pytest.approx(30, abs=2)
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    assert parse_retry_after({"retry-after": past}) == 0.0


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone far from UTC, so that reading a zone-less date as local time would show."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_parse_retry_after_http_date_without_known_zone_is_utc() -> None:
    when = time.time() + 100
    gmt = email.utils.formatdate(when, usegmt=True)
    unknown_zone = gmt.replace("GMT", "-0000")
    assert parse_retry_after({"retry-after": unknown_zone}) == pytest.approx(
        parse_retry_after({"retry-after": gmt}), abs=2
    )


# -- should_retry --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        *[(408, True), (409, True), (429, True), (500, True), (502, True), (503, True), (529, True)],
        *[(400, False), (401, False), (403, False), (404, False), (413, False), (422, False)],
    ],
)
def test_should_retry_by_status(status: int, retried: bool) -> None:
    assert should_retry(status_error(status), MAX_WAIT) is retried


def test_should_retry_connection_errors_and_timeouts() -> None:
    assert should_retry(APIConnectionError("reset"), MAX_WAIT)
    assert should_retry(APITimeoutError("slow"), MAX_WAIT)


def test_in_band_overload_without_status_is_retried() -> None:
    assert should_retry(OverloadedError("overloaded_error"), MAX_WAIT)


def test_should_not_retry_parse_errors_or_foreign_exceptions() -> None:
    assert not should_retry(ResponseParseError("not JSON", status_code=200), MAX_WAIT)
    assert not should_retry(ValueError("bug"), MAX_WAIT)
    assert not should_retry(KeyboardInterrupt(), MAX_WAIT)


def test_retry_after_above_max_wait_fails_fast() -> None:
    assert should_retry(status_error(429, retry_after=MAX_WAIT), MAX_WAIT)
    assert not should_retry(status_error(429, retry_after=MAX_WAIT + 1), MAX_WAIT)
    assert not should_retry(status_error(503, retry_after=120), MAX_WAIT)


def _target() -> Target:
    return Target(
        base_url=BASE,
        headers={},
        signer=bearer(KEY),
        provider="openai",
        model="gpt-test",
        parse_error=lambda status, body, headers: parse_error(status, body),
        request_id_headers=("x-request-id",),
    )


def _transport() -> Transport:
    return Pools().transport("async", _target())


@pytest.mark.parametrize(
    ("status", "header", "retried"),
    [(400, "true", True), (401, "true", True), (500, "false", False), (429, "false", False), (503, "maybe", True)],
)
def test_x_should_retry_overrides_the_status(status: int, header: str, retried: bool) -> None:
    err = _transport().error_from_body(
        status, b'{"error": {"message": "m"}}', httpx.Headers({"x-should-retry": header})
    )
    assert should_retry(err, MAX_WAIT) is retried


def test_x_should_retry_true_wins_over_a_too_long_retry_after() -> None:
    # The server's explicit instruction is followed, as the official SDKs do; the wait then falls back to backoff.
    headers = httpx.Headers({"x-should-retry": "true", "retry-after": "120"})
    err = _transport().error_from_body(429, b"{}", headers)
    assert err.retry_after == 120
    assert should_retry(err, MAX_WAIT)


# -- backoff -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("attempt", "base"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (20, 8.0)])
def test_backoff_doubles_from_half_a_second_capped_at_eight(
    attempt: int, base: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry.random, "random", lambda: 0.0)
    assert backoff(attempt) == base
    monkeypatch.setattr(retry.random, "random", lambda: 0.999999)
    assert backoff(attempt) == pytest.approx(base * 0.75, rel=1e-5)


def test_backoff_jitter_stays_within_a_quarter_and_varies() -> None:
    samples = [backoff(3) for _ in range(500)]
    assert all(1.5 <= s <= 2.0 for s in samples)
    assert len(set(samples)) > 100


# -- end to end through HTTPTransport.send_json -------------------------------------------------------------------


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """A minimal OpenAI-style error reader, with a Gemini-style retry hint in ``error.retry_after``."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    return ErrorInfo(
        message=str(error.get("message") or f"HTTP {status}"),
        error_type=error.get("type"),
        error_code=error.get("code"),
        retry_after=retry.parse_duration(error.get("retry_after")),
    )


def error_json(status: int, message: str = "failed", type_: str = "server_error", **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": type_, **extra}})


OK = httpx.Response(200, json={"id": "chatcmpl-1", "choices": []}, headers={"x-request-id": "req_ok"})
WIRE = WireRequest(method="POST", path="/chat/completions", json={"model": "gpt-test", "messages": []})


Send = Callable[..., Awaitable[Any]]


@pytest.fixture(params=["sync", "async"])
def send(request: pytest.FixtureRequest) -> Send:
    """``await send(retries=…, max_retry_wait=…)``: one call through the transport of the parametrised driver."""
    kind: str = request.param

    async def _send(retries: int = 2, max_retry_wait: float = MAX_WAIT) -> Any:
        pools = Pools()
        transport = pools.transport(kind, _target())
        cfg = SimpleNamespace(
            retries=retries,
            max_retry_wait=max_retry_wait,
            timeout=60.0,
            read_timeout=30.0,
            connect_timeout=5.0,
            retry_delay=None,
            max_retry_delay=None,
        )
        try:
            answer = (
                run_sync(transport.send_json(WIRE, cfg)) if kind == "sync" else await transport.send_json(WIRE, cfg)
            )
        finally:
            await pools.aclose()
        return answer.data

    return _send


@pytest.mark.anyio
async def test_429_with_retry_after_then_success(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            side_effect=[
                httpx.Response(429, headers={"retry-after": "2"}, json={"error": {"message": "slow down"}}),
                OK,
            ]
        )
        data = await send()
    assert data == {"id": "chatcmpl-1", "choices": []}
    assert route.call_count == 2
    assert retry_waits == [2.0]


@pytest.mark.anyio
async def test_503_exhausts_retries(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(return_value=error_json(503, "upstream down"))
        with pytest.raises(InternalServerError) as info:
            await send(retries=2)
    assert route.call_count == 3
    assert info.value.status_code == 503
    assert info.value.message == "upstream down"
    # No hint from the server: exponential backoff for retries 1 and 2, with at most 25 % jitter taken off.
    assert len(retry_waits) == 2
    assert 0.375 <= retry_waits[0] <= 0.5
    assert 0.75 <= retry_waits[1] <= 1.0


@pytest.mark.anyio
async def test_529_overloaded_is_retried(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(side_effect=[error_json(529, type_="overloaded_error"), OK])
        await send()
    assert route.call_count == 2
    assert len(retry_waits) == 1


@pytest.mark.anyio
async def test_retry_after_ms_is_honoured(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        respx.post(URL).mock(
            side_effect=[httpx.Response(429, headers={"retry-after-ms": "1250", "retry-after": "9"}, json={}), OK]
        )
        await send()
    assert retry_waits == [1.25]


@pytest.mark.anyio
async def test_retry_hint_in_the_error_body_is_used_without_headers(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        respx.post(URL).mock(side_effect=[error_json(429, "quota", retry_after="3.5s"), OK])
        await send()
    assert retry_waits == [3.5]


@pytest.mark.anyio
async def test_retry_after_longer_than_max_wait_fails_at_once(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            return_value=httpx.Response(
                429, headers={"retry-after": "120", "x-request-id": "req_429"}, json={"error": {"message": "quota"}}
            )
        )
        with pytest.raises(RateLimitError) as info:
            await send(retries=5, max_retry_wait=60)
    assert route.call_count == 1
    assert retry_waits == []
    assert info.value.retry_after == 120
    assert info.value.request_id == "req_429"


@pytest.mark.anyio
async def test_garbage_retry_after_still_gives_the_typed_error(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "soon-ish"}, json={}))
        with pytest.raises(RateLimitError) as info:
            await send(retries=1)
    assert info.value.retry_after is None
    assert len(retry_waits) == 1


@pytest.mark.anyio
async def test_connection_error_is_retried_then_raised(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(side_effect=httpx.ConnectError(f"connection refused for key {KEY}"))
        with pytest.raises(APIConnectionError) as info:
            await send(retries=2)
    assert route.call_count == 3
    assert len(retry_waits) == 2
    assert not isinstance(info.value, APITimeoutError)
    assert KEY not in str(info.value)


@pytest.mark.anyio
async def test_connection_error_then_success(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(side_effect=[httpx.ConnectError("reset"), OK])
        assert await send() == {"id": "chatcmpl-1", "choices": []}
    assert route.call_count == 2


@pytest.mark.anyio
async def test_read_timeout_becomes_a_retried_timeout_error(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(side_effect=httpx.ReadTimeout("timed out"))
        with pytest.raises(APITimeoutError) as info:
            await send(retries=1)
    assert route.call_count == 2
    assert isinstance(info.value, TimeoutError)


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "cls"), [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError)])
async def test_client_errors_are_not_retried(
    send: Send, status: int, cls: type[APIError], retry_waits: list[float]
) -> None:
    with respx.mock:
        route = respx.post(URL).mock(return_value=error_json(status, "no", type_="invalid_request_error", code="bad"))
        with pytest.raises(cls) as info:
            await send(retries=3)
    assert route.call_count == 1
    assert retry_waits == []
    assert (info.value.status_code, info.value.error_type, info.value.error_code) == (
        status,
        "invalid_request_error",
        "bad",
    )


@pytest.mark.anyio
async def test_409_is_retried(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(return_value=error_json(409, "busy"))
        with pytest.raises(ConflictError):
            await send(retries=1)
    assert route.call_count == 2


@pytest.mark.anyio
async def test_x_should_retry_false_stops_retries_of_a_503(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            return_value=httpx.Response(503, headers={"x-should-retry": "false"}, json={"error": {"message": "no"}})
        )
        with pytest.raises(InternalServerError):
            await send(retries=3)
    assert route.call_count == 1


@pytest.mark.anyio
async def test_x_should_retry_true_retries_a_400(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            side_effect=[httpx.Response(400, headers={"x-should-retry": "true"}, json={"error": {"message": "x"}}), OK]
        )
        await send(retries=3)
    assert route.call_count == 2


NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
CLOUDFLARE_PAGE = (
    '<!DOCTYPE html>\n<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->\n<head>\n'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
    "<style>" + "body{margin:0;padding:0} " * 40 + "</style>\n"
    "<script>" + "window.cf = window.cf || {}; " * 20 + "</script>\n"
    "<title>api.example.test | 504: Gateway time-out</title>\n</head>\n<body>\n"
    + "<div class='cf-wrapper'><h1>Gateway time-out</h1><p>Error code 504</p></div>\n" * 5
    + "</body></html>"
)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("page", "status", "expected"),
    [(NGINX_502, 502, "502 Bad Gateway"), (CLOUDFLARE_PAGE, 504, "504: Gateway time-out")],
)
async def test_html_error_page_gives_a_short_readable_message(
    send: Send, page: str, status: int, expected: str, retry_waits: list[float]
) -> None:
    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(status, text=page, headers={"content-type": "text/html"}))
        with pytest.raises(InternalServerError) as info:
            await send(retries=0)
    message = info.value.message
    assert message.startswith(f"HTTP {status}")
    assert expected in message
    assert "<" not in message
    assert len(message) <= 320
    assert isinstance(info.value.body, str)  # the raw page is kept, capped, for debugging


@pytest.mark.anyio
async def test_plain_text_error_body_is_kept_in_the_message(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(404, text="Not Found: no such deployment\n"))
        with pytest.raises(NotFoundError) as info:
            await send()
    assert info.value.message == "HTTP 404: Not Found: no such deployment"


@pytest.mark.anyio
async def test_non_json_200_is_a_response_parse_error(send: Send, retry_waits: list[float]) -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            return_value=httpx.Response(
                200, text="<html>maintenance</html>", headers={"content-type": "text/html", "x-request-id": "req_x"}
            )
        )
        with pytest.raises(ResponseParseError) as info:
            await send(retries=3)
    assert route.call_count == 1  # a 200 that is not JSON is not retried
    assert info.value.status_code == 200
    assert info.value.request_id == "req_x"
    assert "not JSON" in info.value.message
    assert "text/html" in info.value.message


@pytest.mark.anyio
@pytest.mark.parametrize(
    "response",
    [
        error_json(401, f"Incorrect API key provided: {KEY}. Find your key at ...", type_="invalid_request_error"),
        httpx.Response(401, text=f"<html><title>Denied</title><body>key {KEY} refused</body></html>"),
        httpx.Response(400, json={"error": {"message": "bad", "param": {"echo": f"Bearer {KEY}"}}}),
        httpx.Response(200, text=f"oops {KEY}"),
    ],
    ids=["json-message", "html-page", "nested-body-field", "non-json-200"],
)
async def test_the_key_never_appears_in_an_error(
    send: Send, response: httpx.Response, retry_waits: list[float]
) -> None:
    with respx.mock:
        respx.post(URL).mock(return_value=response)
        with pytest.raises(APIError) as info:
            await send(retries=0)
    err = info.value
    for text in (str(err), repr(err), err.message, json.dumps(err.body), str(err.args)):
        assert KEY not in text
    assert "[REDACTED]" in err.message + json.dumps(err.body)


def test_a_very_short_key_does_not_mangle_error_messages() -> None:
    target = Target(
        base_url="http://127.0.0.1:9",
        headers={},
        signer=bearer("k"),
        provider="openai",
        model="m",
        parse_error=lambda status, body, headers: None,
        request_id_headers=(),
        extra_secrets=["sk-a-real-looking-secret-0001"],
    )
    assert target.scrub.text("it took too long") == "it took too long"
    assert target.scrub.text("key sk-a-real-looking-secret-0001 rejected") == "key [REDACTED] rejected"
