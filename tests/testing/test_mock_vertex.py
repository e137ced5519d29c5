"""The mock server's Vertex AI: Gemini and Claude routes behind OAuth bearer tokens the server issued, Google's 401s,
Vertex's Claude body rules, faults in each publisher's shapes — and the public client calling both publishers through
the Vertex host rows with a token the mock issued."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelAPI
from dhenara_http._transport.auth.base import OutgoingRequest
from dhenara_http._transport.auth.google_sa import ServiceAccountSigner
from dhenara_http.errors import AuthenticationError, OverloadedError, RateLimitError, StreamError
from dhenara_http.foundation_models import Claude37Sonnet, Gemini20Flash
from dhenara_http.testing import MockProviderServer, _accounts
from tests.support.auth_io import SyncAuthIO, run_sync

from ._support import GEMINI_HEADERS, generate, payloads, streamed_equals_json

PUBLISHERS = f"/v1/projects/{_accounts.PROJECT_ID}/locations/us-central1/publishers"
GEMINI = PUBLISHERS + "/google/models/gemini-2.0-flash"
CLAUDE = PUBLISHERS + "/anthropic/models/claude-3-7-sonnet@20250219"
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "Tell me a short story about a robot."}]}]}
CLAUDE_BODY = {
    "anthropic_version": "vertex-2023-10-16",
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "Tell me a short story about a robot."}],
}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


def issue_token(server: MockProviderServer) -> str:
    signer = ServiceAccountSigner(_accounts.service_account(token_uri=server.url("/token")))
    request = OutgoingRequest("POST", "http://x/", {}, b"")
    run_sync(signer.sign(request, SyncAuthIO()))
    return request.headers["authorization"].removeprefix("Bearer ")


@pytest.fixture
def http(server: MockProviderServer) -> Iterator[httpx.Client]:
    token = issue_token(server)
    with httpx.Client(base_url=server.base_url, headers={"authorization": f"Bearer {token}"}, timeout=5) as c:
        yield c


def test_server_api_is_the_mock_service_account_pointed_at_the_server(server: MockProviderServer) -> None:
    api = server.api("google_vertex_ai")
    account = api.get_credentials()["service_account_json"]
    assert account["token_uri"] == server.url("/token")
    assert account["client_email"] == _accounts.CLIENT_EMAIL
    assert api.config == {"base_url": server.url("/v1"), "location": "us-central1", "project_id": _accounts.PROJECT_ID}
    assert api.get_api_key() is None


def test_gemini_on_vertex_answers_as_the_gemini_api(server: MockProviderServer, http: httpx.Client) -> None:
    vertex = http.post(GEMINI + ":generateContent", json=GEMINI_BODY)
    assert vertex.status_code == 200
    direct = httpx.post(
        server.url("/v1beta/models/gemini-2.0-flash:generateContent"), json=GEMINI_BODY, headers=GEMINI_HEADERS
    )
    assert vertex.json() == direct.json()
    stream = http.post(GEMINI + ":streamGenerateContent", params={"alt": "sse"}, json=GEMINI_BODY)
    assert stream.headers["content-type"] == "text/event-stream"
    text = "".join(p["candidates"][0]["content"]["parts"][0].get("text", "") for p in payloads(stream.content))
    assert text == vertex.json()["candidates"][0]["content"]["parts"][0]["text"]


def test_claude_on_vertex_takes_the_model_from_the_path(http: httpx.Client) -> None:
    answer = http.post(CLAUDE + ":rawPredict", json=CLAUDE_BODY)
    assert answer.status_code == 200
    message = answer.json()
    assert message["model"] == "claude-3-7-sonnet@20250219"
    assert message["type"] == "message"
    assert message["content"][0]["type"] == "text"
    stream = http.post(CLAUDE + ":streamRawPredict", json={**CLAUDE_BODY, "stream": True})
    kinds = [p["type"] for p in payloads(stream.content)]
    assert kinds[0] == "message_start"
    assert kinds[-1] == "message_stop"
    deltas = "".join(p["delta"]["text"] for p in payloads(stream.content) if p["type"] == "content_block_delta")
    assert deltas == message["content"][0]["text"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"model": "claude-3-7-sonnet"}, "model: Extra inputs are not permitted"),
        ({"anthropic_version": None}, "anthropic_version: Field required"),
        ({"anthropic_version": "2023-06-01"}, "anthropic_version: '2023-06-01' is invalid"),
    ],
)
def test_claude_on_vertex_refuses_the_first_party_body(http: httpx.Client, change: dict[str, Any], said: str) -> None:
    body = {k: v for k, v in {**CLAUDE_BODY, **change}.items() if v is not None}
    answer = http.post(CLAUDE + ":rawPredict", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == {"type": "invalid_request_error", "message": said}


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "CREDENTIALS_MISSING"), ({"authorization": "Bearer ya29.never-issued"}, None)],
)
def test_requests_without_an_issued_token_get_googles_401(
    server: MockProviderServer, headers: dict[str, str], reason: str | None
) -> None:
    for path in (GEMINI + ":generateContent", CLAUDE + ":rawPredict"):
        answer = httpx.post(server.url(path), json=GEMINI_BODY, headers=headers)
        assert answer.status_code == 401
        error = answer.json()["error"]
        assert error["status"] == "UNAUTHENTICATED"
        assert error["code"] == 401
        assert answer.headers["www-authenticate"].startswith('Bearer realm="https://accounts.google.com/"')
        assert [d["reason"] for d in error.get("details", [])] == ([reason] if reason else [])


def test_an_expired_token_is_refused_and_a_token_of_another_server_is_unknown(server: MockProviderServer) -> None:
    token = issue_token(server)
    with MockProviderServer() as other:
        assert (
            httpx.post(
                other.url(GEMINI + ":generateContent"), json=GEMINI_BODY, headers={"authorization": f"Bearer {token}"}
            ).status_code
            == 401
        )
    now = [time.time()]
    server.oauth.clock = lambda: now[0]
    expired = issue_token(server)  # dated by the signer's own clock: the server checks only its own expiry
    now[0] += 3600
    answer = httpx.post(
        server.url(GEMINI + ":generateContent"), json=GEMINI_BODY, headers={"authorization": f"Bearer {expired}"}
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"


def test_faults_take_each_publishers_shape(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(status=429, retry_after=7, path=":generateContent")
    limited = http.post(GEMINI + ":generateContent", json=GEMINI_BODY).json()["error"]
    assert limited["status"] == "RESOURCE_EXHAUSTED"
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"} in limited["details"]
    server.inject(status=529, path=":rawPredict")
    overloaded = http.post(CLAUDE + ":rawPredict", json=CLAUDE_BODY)
    assert overloaded.status_code == 529
    assert overloaded.json()["error"]["type"] == "overloaded_error"
    server.inject(in_band_error=True, after_events=3, path=":streamRawPredict")
    events = payloads(http.post(CLAUDE + ":streamRawPredict", json={**CLAUDE_BODY, "stream": True}).content)
    assert len(events) == 4
    assert events[-1] == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


def test_token_endpoint_refuses_what_it_does_not_know(server: MockProviderServer) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    grant = httpx.post(server.url("/token"), content=b"grant_type=password", headers=form)
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    forged = httpx.post(
        server.url("/token"),
        content=b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=e30.e30.AAAA",
        headers=form,
    )
    assert forged.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    wrong_type = httpx.post(server.url("/token"), json={"grant_type": "refresh_token"})
    assert wrong_type.json()["error"] == "invalid_request"


# -- the public client over the Vertex host rows, with a token the mock issued ---------------------------------------


def token_api(server: MockProviderServer) -> AIModelAPI:
    config = {"base_url": server.url("/v1"), "project_id": _accounts.PROJECT_ID, "location": "us-central1"}
    return AIModelAPI(provider="google_vertex_ai", credentials={"access_token": issue_token(server)}, config=config)


@pytest.fixture
def token_server(server: MockProviderServer, monkeypatch: pytest.MonkeyPatch) -> MockProviderServer:
    # ``generate`` builds its API with ``server.api``; here it is one access-token API of the same server.
    api = token_api(server)
    monkeypatch.setattr(server, "api", lambda provider, **config: api)
    return server


@pytest.mark.parametrize("model", [Gemini20Flash, Claude37Sonnet], ids=["gemini", "claude"])
def test_the_client_calls_both_publishers_through_the_vertex_rows(token_server: MockProviderServer, model: Any) -> None:
    plain = streamed_equals_json(token_server, "google_vertex_ai", model)
    assert plain.text()
    paths = [r.path for r in token_server.requests if r.path.startswith("/v1/projects/")]
    publisher = "google" if model is Gemini20Flash else "anthropic"
    methods = (
        ("generateContent", "streamGenerateContent") if publisher == "google" else ("rawPredict", "streamRawPredict")
    )
    model_id = paths[0].rsplit("/", 1)[-1].split(":")[0]
    assert paths == [f"{PUBLISHERS}/{publisher}/models/{model_id}:{m}" for m in methods]


def test_the_client_types_the_vertex_errors(token_server: MockProviderServer) -> None:
    token_server.inject(status=529, path=":rawPredict")
    with pytest.raises(OverloadedError):
        generate(token_server, "google_vertex_ai", Claude37Sonnet, retries=0)
    token_server.inject(status=429, path=":generateContent")
    with pytest.raises(RateLimitError):
        generate(token_server, "google_vertex_ai", Gemini20Flash, retries=0)
    token_server.oauth.revoke_all()
    with pytest.raises(AuthenticationError) as caught:
        generate(token_server, "google_vertex_ai", Claude37Sonnet, retries=0)
    assert caught.value.status_code == 401
    assert caught.value.error_type == "UNAUTHENTICATED"  # Google's front door answers for Claude too


def test_an_in_band_error_in_a_claude_stream_on_vertex(token_server: MockProviderServer) -> None:
    token_server.inject(in_band_error=True, after_events=4, path=":streamRawPredict")
    with pytest.raises(StreamError) as caught:
        generate(token_server, "google_vertex_ai", Claude37Sonnet, streaming=True, retries=0)
    assert type(caught.value.error) is OverloadedError
    assert caught.value.partial is not None
