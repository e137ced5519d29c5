"""The request the transport builds on the library's own httpx client equals what ``client.build_request`` makes:
the same method, URL, headers in the same order, body and timeouts, and the client's cookies."""

from __future__ import annotations

import httpx
import pytest

from dhenara_http._drive import run_sync
from dhenara_http._transport.auth.keys import bearer
from dhenara_http._transport.http import Target, timeouts_of
from dhenara_http._transport.http_sync import SyncHTTPTransport, SyncPool
from dhenara_http.protocols.base import WireRequest
from dhenara_http.types.config import AIModelCallConfig


def _transport(pool: SyncPool) -> SyncHTTPTransport:
    target = Target(
        base_url="https://api.example.com/v1/",
        headers={"user-agent": "dhenara-http/0.1", "accept": "application/json", "x-extra": "1"},
        signer=bearer("sk-test"),
        provider="openai",
        model="m",
        parse_error=lambda status, body, headers: None,
        request_id_headers=(),
    )
    return SyncHTTPTransport(target, pool)


def _built(transport: SyncHTTPTransport, wire: WireRequest) -> httpx.Request:
    return run_sync(transport._prepare(wire, timeouts_of(AIModelCallConfig(timeout=30))))


@pytest.mark.parametrize("cookies", [False, True], ids=["no-cookies", "cookies"])
@pytest.mark.parametrize(
    "wire",
    [
        WireRequest(method="POST", path="/chat/completions", json={"a": 1}, params={"q": "x y"}),
        WireRequest(method="POST", path="/chat/completions", json={"a": 1}, headers={"x-call": "2"}, stream=True),
        WireRequest(method="GET", path="/models"),
        WireRequest(method="POST", path="/files/f/cancel"),
    ],
    ids=["post", "post-stream-call-headers", "get", "post-without-body"],
)
def test_own_client_request_equals_build_request(wire: WireRequest, cookies: bool) -> None:
    pool = SyncPool()
    transport = _transport(pool)
    client = pool.client()
    if cookies:
        client.cookies.set("session", "abc", domain="api.example.com")
    for _ in range(2):  # the second time from the cached URL, default headers and header block
        ours = _built(transport, wire)
        transport.pool._user = client  # the same client taken as a user's: the build_request path
        reference = _built(transport, wire)
        transport.pool._user = None
        assert ours.method == reference.method
        assert ours.url == reference.url
        assert ours.headers.raw == reference.headers.raw
        assert ours.content == reference.content
        assert ours.extensions == reference.extensions
        assert ("session=abc" in ours.headers.get("cookie", "")) is cookies
    pool.close()


def test_a_new_set_of_headers_is_encoded_anew() -> None:
    pool = SyncPool()
    transport = _transport(pool)
    first = _built(transport, WireRequest(method="POST", path="/x", json={}, headers={"x-call": "1"}))
    second = _built(transport, WireRequest(method="POST", path="/x", json={}, headers={"x-call": "2"}))
    assert (first.headers["x-call"], second.headers["x-call"]) == ("1", "2")
    pool.close()


def test_a_users_client_keeps_its_own_defaults() -> None:
    user = httpx.Client(headers={"x-user": "yes"}, params={"p": "1"})
    transport = _transport(SyncPool(user))
    request = _built(transport, WireRequest(method="GET", path="/models"))
    assert request.headers["x-user"] == "yes"
    assert request.url.params["p"] == "1"
    user.close()
