"""The token cache of the Google signers, with a fake ``AuthIO``: many concurrent ``sign`` calls make one token
request (async driver: coroutines interleaving on one loop; sync driver: threads, coroutines that never suspend),
the token is reused until shortly before it expires and refreshed once after, under the lock; the token endpoint's
refusals become typed errors that name its ``error`` and never the assertion or the key; secrets and ``repr``."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pytest

from dhenara_http._transport.auth._der import rsa_key_from_pem
from dhenara_http._transport.auth._jwt import b64url_decode, rsa_verify
from dhenara_http._transport.auth.base import FetchResult, OutgoingRequest
from dhenara_http._transport.auth.google_sa import (
    JWT_BEARER_GRANT,
    AccessTokenSigner,
    AuthorizedUserSigner,
    ServiceAccountSigner,
)
from dhenara_http.errors import (
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    ResponseParseError,
)
from dhenara_http.testing import _accounts
from tests.support.auth_io import AsyncAuthIO, Clock, SyncAuthIO, run_sync

TOKEN_URI = "https://oauth2.example.test/token"
ACCOUNT = _accounts.service_account(TOKEN_URI)


class TokenEndpoint:
    """Answers token requests with numbered tokens of ``lifetime`` seconds (or with ``refusal``)."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.lifetime = lifetime
        self.refusal: tuple[int, Any] | None = None
        self.forms: list[dict[str, str]] = []

    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> FetchResult:
        assert method == "POST"
        assert url == TOKEN_URI
        assert headers["content-type"] == "application/x-www-form-urlencoded"
        self.forms.append(dict(urllib.parse.parse_qsl((body or b"").decode())))
        if self.refusal is not None:
            status, answer = self.refusal
            raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            return FetchResult(status, {"content-type": "application/json"}, raw)
        answer = {"access_token": f"ya29.token-{len(self.forms)}", "expires_in": self.lifetime, "token_type": "Bearer"}
        return FetchResult(200, {"content-type": "application/json"}, json.dumps(answer).encode())


def request() -> OutgoingRequest:
    return OutgoingRequest("POST", "https://aiplatform.googleapis.com/v1/x", {}, b"{}")


async def sign(signer: Any, io: Any) -> str:
    req = request()
    await signer.sign(req, io)
    return req.headers["authorization"]


# -- the assertion ---------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_assertion_is_an_rs256_jwt_with_google_claims() -> None:
    clock = Clock()
    endpoint = TokenEndpoint()
    io = AsyncAuthIO(clock=clock, answer=endpoint)
    assert await sign(ServiceAccountSigner(ACCOUNT), io) == "Bearer ya29.token-1"
    (form,) = endpoint.forms
    assert form["grant_type"] == JWT_BEARER_GRANT == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    head, claims, signature = form["assertion"].split(".")
    assert json.loads(b64url_decode(head)) == {"alg": "RS256", "typ": "JWT", "kid": _accounts.PRIVATE_KEY_ID}
    assert json.loads(b64url_decode(claims)) == {
        "iss": _accounts.CLIENT_EMAIL,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "aud": TOKEN_URI,
        "iat": int(clock.now),
        "exp": int(clock.now) + 3600,
    }
    key = rsa_key_from_pem(_accounts.PRIVATE_KEY)
    assert rsa_verify(key.n, key.e, f"{head}.{claims}".encode(), b64url_decode(signature))


@pytest.mark.anyio
async def test_the_scope_can_be_overridden() -> None:
    endpoint = TokenEndpoint()
    scopes = "https://www.googleapis.com/auth/cloud-platform.read-only"
    await sign(ServiceAccountSigner(ACCOUNT, scopes=scopes), AsyncAuthIO(answer=endpoint))
    claims = json.loads(b64url_decode(endpoint.forms[0]["assertion"].split(".")[1]))
    assert claims["scope"] == scopes


# -- the cache -------------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_many_concurrent_async_callers_make_one_token_request() -> None:
    endpoint = TokenEndpoint()
    io = AsyncAuthIO(clock=Clock(), answer=endpoint)
    signer = ServiceAccountSigner(ACCOUNT)
    headers = await asyncio.gather(*(sign(signer, io) for _ in range(50)))
    assert set(headers) == {"Bearer ya29.token-1"}
    assert len(endpoint.forms) == 1
    assert io.locked == 50  # each caller found no token without the lock, then took it (the first one fetched)
    await sign(signer, io)
    assert io.locked == 50  # a fresh token is served without locking


def test_many_threads_on_the_sync_driver_make_one_token_request() -> None:
    answered = threading.Event()
    release = threading.Event()
    endpoint = TokenEndpoint()
    io = SyncAuthIO(clock=Clock())

    async def slow_fetch(method: str, url: str, **kw: Any) -> FetchResult:
        answered.set()
        release.wait(5)  # the first caller holds the lock while the others pile up on it
        return endpoint(method, url, kw["headers"], kw["body"])

    io.fetch = slow_fetch  # type: ignore[method-assign]
    signer = ServiceAccountSigner(ACCOUNT)
    results: list[str] = []

    def call() -> None:
        results.append(run_sync(sign(signer, io)))

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    assert answered.wait(5)
    release.set()
    for t in threads:
        t.join(5)
    assert results == ["Bearer ya29.token-1"] * 16
    assert len(endpoint.forms) == 1


@pytest.mark.anyio
async def test_the_token_is_refreshed_once_five_minutes_before_it_expires() -> None:
    clock = Clock()
    endpoint = TokenEndpoint(lifetime=3600)
    io = AsyncAuthIO(clock=clock, answer=endpoint)
    signer = ServiceAccountSigner(ACCOUNT)
    assert await sign(signer, io) == "Bearer ya29.token-1"
    clock.advance(3600 - 300 - 1)
    assert await sign(signer, io) == "Bearer ya29.token-1"
    clock.advance(1)
    refreshed = await asyncio.gather(*(sign(signer, io) for _ in range(20)))
    assert set(refreshed) == {"Bearer ya29.token-2"}
    assert len(endpoint.forms) == 2
    # The new assertion is dated by the clock of its request.
    claims = json.loads(b64url_decode(endpoint.forms[1]["assertion"].split(".")[1]))
    assert claims["iat"] == int(clock.now)


@pytest.mark.anyio
async def test_a_short_lived_token_is_used_for_half_its_life() -> None:
    clock = Clock()
    endpoint = TokenEndpoint(lifetime=60)
    io = AsyncAuthIO(clock=clock, answer=endpoint)
    signer = ServiceAccountSigner(ACCOUNT)
    await sign(signer, io)
    clock.advance(29)
    assert await sign(signer, io) == "Bearer ya29.token-1"
    clock.advance(1)
    assert await sign(signer, io) == "Bearer ya29.token-2"


def test_the_sync_driver_never_suspends() -> None:
    endpoint = TokenEndpoint()
    io = SyncAuthIO(clock=Clock())

    async def fetch(method: str, url: str, **kw: Any) -> FetchResult:
        return endpoint(method, url, kw["headers"], kw["body"])

    io.fetch = fetch  # type: ignore[method-assign]
    signer = ServiceAccountSigner(ACCOUNT)
    assert run_sync(sign(signer, io)) == "Bearer ya29.token-1"
    assert run_sync(sign(signer, io)) == "Bearer ya29.token-1"
    assert io.locked == 1


# -- refusals --------------------------------------------------------------------------------------------------------

REFUSALS = [
    (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, AuthenticationError),
    (401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}, AuthenticationError),
    (403, {"error": "access_denied", "error_description": "Account restricted"}, PermissionDeniedError),
    (429, {"error": "rate_limit_exceeded", "error_description": "Slow down"}, RateLimitError),
    (503, {"error": "temporarily_unavailable", "error_description": "Try later"}, InternalServerError),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "answer", "cls"), REFUSALS)
async def test_token_endpoint_refusals_are_typed_and_name_the_endpoint_error(
    status: int, answer: dict[str, str], cls: type[Exception]
) -> None:
    endpoint = TokenEndpoint()
    endpoint.refusal = (status, answer)
    signer = ServiceAccountSigner(ACCOUNT)
    with pytest.raises(cls) as caught:
        await sign(signer, AsyncAuthIO(answer=endpoint))
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status  # type: ignore[attr-defined]
    assert error.error_type == answer["error"]  # type: ignore[attr-defined]
    assert answer["error_description"] in str(error)
    assertion = endpoint.forms[0]["assertion"]
    for text in (str(error), repr(error), repr(error.body)):  # type: ignore[attr-defined]
        assert assertion not in text
        assert assertion.split(".")[2][:16] not in text
        assert "PRIVATE KEY" not in text


@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [b"not json", b"[]", b'{"token_type": "Bearer"}', b'{"access_token": "t", "expires_in": "soon"}'],
)
async def test_a_malformed_token_answer_is_a_parse_error(answer: bytes) -> None:
    endpoint = TokenEndpoint()
    endpoint.refusal = (200, answer)
    with pytest.raises(ResponseParseError):
        await sign(ServiceAccountSigner(ACCOUNT), AsyncAuthIO(answer=endpoint))


# -- secrets ---------------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_secrets_hold_the_key_and_the_token_and_repr_shows_neither() -> None:
    signer = ServiceAccountSigner(ACCOUNT)
    lines = _accounts.PRIVATE_KEY.splitlines()[1:-1]
    assert signer.secrets() == [_accounts.PRIVATE_KEY, *lines]
    await sign(signer, AsyncAuthIO(answer=TokenEndpoint()))
    assert signer.secrets() == [_accounts.PRIVATE_KEY, *lines, "ya29.token-1"]
    assert "PRIVATE" not in repr(signer)
    assert "ya29" not in repr(signer)
    assert signer.headers_to_strip() == frozenset({"authorization"})


@pytest.mark.anyio
async def test_user_credentials_exchange_their_refresh_token_and_name_the_quota_project() -> None:
    endpoint = TokenEndpoint()
    signer = AuthorizedUserSigner(_accounts.authorized_user(TOKEN_URI))
    req = request()
    await signer.sign(req, AsyncAuthIO(answer=endpoint))
    assert req.headers == {"authorization": "Bearer ya29.token-1", "x-goog-user-project": _accounts.PROJECT_ID}
    assert endpoint.forms == [
        {
            "grant_type": "refresh_token",
            "client_id": _accounts.USER_CLIENT_ID,
            "client_secret": _accounts.USER_CLIENT_SECRET,
            "refresh_token": _accounts.USER_REFRESH_TOKEN,
        }
    ]
    assert set(signer.secrets()) == {_accounts.USER_REFRESH_TOKEN, _accounts.USER_CLIENT_SECRET, "ya29.token-1"}
    assert _accounts.USER_REFRESH_TOKEN not in repr(signer)
    assert signer.headers_to_strip() == frozenset({"authorization", "x-goog-user-project"})


@pytest.mark.anyio
async def test_an_access_token_is_sent_as_it_is() -> None:
    signer = AccessTokenSigner("ya29.given")
    req = request()
    await signer.sign(req, AsyncAuthIO(answer=TokenEndpoint()))
    assert req.headers == {"authorization": "Bearer ya29.given"}
    assert signer.secrets() == ["ya29.given"]
    assert "ya29" not in repr(signer)


@pytest.mark.parametrize("token", ["", "  ", "ya29.a\r\nx-evil: 1", "ya29.é", 42])
def test_an_unusable_access_token_is_a_configuration_error(token: Any) -> None:
    with pytest.raises(ConfigurationError, match="access_token"):
        AccessTokenSigner(token)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"client_email": None}, "client_email is missing"),
        ({"private_key": ""}, "private_key is missing"),
        ({"token_uri": "ftp://x/token"}, "token_uri is not an http"),
        ({"type": "authorized_user"}, "'service_account' key was expected"),
        ({"quota_project_id": 7}, "quota_project_id must be a string"),
    ],
)
def test_an_incomplete_key_names_its_field(change: dict[str, Any], said: str) -> None:
    info = {**ACCOUNT, **change}
    with pytest.raises(ConfigurationError, match=said):
        ServiceAccountSigner(info, where="key")


def test_a_key_given_as_json_text_is_read() -> None:
    assert ServiceAccountSigner(json.dumps(ACCOUNT)).client_email == _accounts.CLIENT_EMAIL
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        ServiceAccountSigner('{"type": "service_account",')
