"""The Google signers against a real HTTP server on 127.0.0.1 (the mock's token endpoint and metadata server), which
issues short-lived tokens: the service-account, user-credentials and metadata flows on the sync driver (blocking
client, threads) and the async one, refreshes seen by the server, refusals typed, and the tokens accepted by the
mock's Vertex AI routes."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dhenara_http._transport.auth.base import OutgoingRequest
from dhenara_http._transport.auth.google_sa import (
    AuthorizedUserSigner,
    MetadataServerSigner,
    ServiceAccountSigner,
    vertex_signer,
)
from dhenara_http.errors import AuthenticationError, ConfigurationError
from dhenara_http.testing import MockProviderServer, _accounts
from tests.support.auth_io import AsyncAuthIO, Clock, SyncAuthIO, run_sync

VERTEX_PATH = "/v1/projects/{p}/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent"
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "Say hi."}]}]}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[MockProviderServer]:
    with MockProviderServer(token_lifetime=120) as s:
        s.oauth.clock = clock  # the server's notion of time is the test's, like the signer's
        yield s
    assert s.errors == []


def account(server: MockProviderServer) -> dict[str, Any]:
    return _accounts.service_account(token_uri=server.url("/token"))


def sign_sync(signer: Any, io: SyncAuthIO) -> str:
    req = OutgoingRequest("POST", "http://x/", {}, b"")
    run_sync(signer.sign(req, io))
    return req.headers["authorization"].removeprefix("Bearer ")


async def sign_async(signer: Any, io: AsyncAuthIO) -> str:
    req = OutgoingRequest("POST", "http://x/", {}, b"")
    await signer.sign(req, io)
    return req.headers["authorization"].removeprefix("Bearer ")


def vertex_status(server: MockProviderServer, token: str) -> httpx.Response:
    path = VERTEX_PATH.format(p=_accounts.PROJECT_ID)
    return httpx.post(server.url(path), json=GEMINI_BODY, headers={"authorization": f"Bearer {token}"}, timeout=5)


def token_requests(server: MockProviderServer) -> int:
    return sum(1 for r in server.requests if r.path == "/token")


def test_service_account_on_the_sync_driver_with_threads(server: MockProviderServer, clock: Clock) -> None:
    signer = ServiceAccountSigner(account(server))
    io = SyncAuthIO(clock=clock)
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(sign_sync(signer, io))) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(tokens) == 12
    assert len(set(tokens)) == 1
    assert token_requests(server) == 1
    assert server.oauth.issued == [_accounts.CLIENT_EMAIL]
    assert vertex_status(server, tokens[0]).status_code == 200


@pytest.mark.anyio
async def test_service_account_on_the_async_driver_refreshes_short_lived_tokens(
    server: MockProviderServer, clock: Clock
) -> None:
    signer = ServiceAccountSigner(account(server))
    async with httpx.AsyncClient(timeout=5) as client:
        io = AsyncAuthIO(client, clock=clock)
        first = await asyncio.gather(*(sign_async(signer, io) for _ in range(20)))
        assert len(set(first)) == 1
        assert token_requests(server) == 1
        clock.advance(59)  # a 120 s token is used for half its life
        assert await sign_async(signer, io) == first[0]
        clock.advance(1)
        second = await asyncio.gather(*(sign_async(signer, io) for _ in range(20)))
    assert len(set(second)) == 1
    assert second[0] != first[0]
    assert token_requests(server) == 2
    clock.advance(61)  # the first token has now expired on the server; the second has not
    assert vertex_status(server, first[0]).status_code == 401
    assert vertex_status(server, second[0]).status_code == 200


def test_a_key_the_server_does_not_know_is_refused_with_the_endpoint_error(server: MockProviderServer) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = ServiceAccountSigner({**account(server), "private_key": other.decode()})
    with pytest.raises(AuthenticationError) as caught:
        sign_sync(signer, SyncAuthIO())
    assert caught.value.error_type == "invalid_grant"
    assert "Invalid JWT Signature." in str(caught.value)
    assert caught.value.status_code == 400


def test_an_assertion_dated_wrong_is_refused(server: MockProviderServer, clock: Clock) -> None:
    signer = ServiceAccountSigner(account(server))
    with pytest.raises(AuthenticationError, match="iat and exp"):
        sign_sync(signer, SyncAuthIO(clock=lambda: clock.now - 7200))


def test_user_credentials_from_google_application_credentials(
    server: MockProviderServer, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "adc.json"
    path.write_text(json.dumps(_accounts.authorized_user(token_uri=server.url("/token"))))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    from dhenara_http import AIModelAPI

    api = AIModelAPI(provider="google_vertex_ai", config={"location": "us-central1"})
    assert api.config["project_id"] == _accounts.PROJECT_ID  # the user credentials' quota project
    signer = vertex_signer(api)
    assert isinstance(signer, AuthorizedUserSigner)
    io = SyncAuthIO(clock=clock)
    token = sign_sync(signer, io)
    assert sign_sync(signer, io) == token
    assert server.oauth.issued == [_accounts.USER_CLIENT_ID]
    assert server.requests[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert vertex_status(server, token).status_code == 200


def test_a_revoked_refresh_token_is_refused(server: MockProviderServer) -> None:
    info = {**_accounts.authorized_user(token_uri=server.url("/token")), "refresh_token": "1//revoked-token-xyz"}
    with pytest.raises(AuthenticationError, match="expired or revoked") as caught:
        sign_sync(AuthorizedUserSigner(info), SyncAuthIO())
    assert caught.value.error_type == "invalid_grant"


@pytest.mark.anyio
async def test_metadata_server_flow(server: MockProviderServer, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCE_METADATA_HOST", f"{server.host}:{server.port}")
    signer = MetadataServerSigner()
    async with httpx.AsyncClient(timeout=5) as client:
        io = AsyncAuthIO(client, clock=clock)
        first = await asyncio.gather(*(sign_async(signer, io) for _ in range(10)))
        clock.advance(60)
        second = await sign_async(signer, io)
    assert len(set(first)) == 1
    assert second != first[0]
    metadata = [r for r in server.requests if r.path.startswith("/computeMetadata/")]
    assert len(metadata) == 2
    assert all(r.headers["metadata-flavor"] == "Google" for r in metadata)
    assert server.oauth.issued == ["metadata", "metadata"]
    assert vertex_status(server, second).status_code == 200


def test_no_metadata_server_means_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(ConfigurationError, match="no Google credentials"):
        sign_sync(MetadataServerSigner(), SyncAuthIO())


def test_a_server_that_is_not_a_metadata_server_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    with MockProviderServer(routes=[]) as plain:  # answers, but without Metadata-Flavor
        plain.inject(status=200, body={"access_token": "x", "expires_in": 3600}, path="/computeMetadata/")
        monkeypatch.setenv("GCE_METADATA_HOST", f"{plain.host}:{plain.port}")
        with pytest.raises(ConfigurationError, match="not as a metadata server"):
            sign_sync(MetadataServerSigner(), SyncAuthIO())
