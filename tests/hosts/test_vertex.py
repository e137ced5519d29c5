"""Vertex AI end to end: ``AIModelClient`` on both drivers against the mock's Vertex routes on 127.0.0.1, which accept
only OAuth tokens the mock's own token endpoint issued (for an RS256 assertion it verified) and that have not expired
by its clock.

Gemini and Claude publishers, as JSON and streams; one token for many calls, and for many threads; a refresh when
the shared clock moves past the token's refresh time; revoked tokens; ``GOOGLE_APPLICATION_CREDENTIALS`` and the
metadata server; an in-band error after the first chunk.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.errors import AuthenticationError, OverloadedError, StreamError
from dhenara_http.foundation_models import Claude37Sonnet, Gemini20Flash
from dhenara_http.testing import MockProviderServer, MockRequest, _accounts
from tests.hosts._support import Clock, Driver, install_clock, streamed_text

MODELS = [Gemini20Flash, Claude37Sonnet]
MODEL_IDS = ["gemini", "claude"]
PUBLISHERS = f"/v1/projects/{_accounts.PROJECT_ID}/locations/us-central1/publishers"
METHODS = {"gemini": ("generateContent", "streamGenerateContent"), "claude": ("rawPredict", "streamRawPredict")}


def endpoint(server: MockProviderServer, model: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=server.api("google_vertex_ai"), ai_model=model)


def token_requests(server: MockProviderServer) -> list[MockRequest]:
    return [r for r in server.requests if r.path == "/token"]


def vertex_requests(server: MockProviderServer) -> list[MockRequest]:
    return [r for r in server.requests if r.path.startswith("/v1/projects/")]


def bearer(request: MockRequest) -> str:
    value = str(request.header("authorization"))
    assert value.startswith("Bearer ya29.mock-")
    return value.removeprefix("Bearer ")


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_both_publishers_streamed_and_not_on_one_token(server: MockProviderServer, driver: Driver, model: Any) -> None:
    client = driver.client(endpoint(server, model))
    streaming = client.with_options(streaming=True)
    plain = driver.answer(client, prompt="Say hello.")
    chunks, streamed = driver.run(streaming, prompt="Say hello.")
    again = driver.answer(client, prompt="Say hello again.")
    assert streamed.chat_response is not None
    assert streamed.chat_response.model_dump() == plain.model_dump()
    assert streamed_text(chunks) == plain.text()
    assert "Say hello again." in (again.text() or "")
    # One token for every call of the client; each call carries it.
    assert len(token_requests(server)) == 1
    assert server.oauth.issued == [_accounts.CLIENT_EMAIL]
    sent = vertex_requests(server)
    assert len({bearer(r) for r in sent}) == 1
    model_id = sent[0].path.rsplit("/", 1)[-1].split(":")[0]
    key = "gemini" if model is Gemini20Flash else "claude"
    publisher = "google" if key == "gemini" else "anthropic"
    plain_method, stream_method = METHODS[key]
    assert [r.path for r in sent] == [
        f"{PUBLISHERS}/{publisher}/models/{model_id}:{m}" for m in (plain_method, stream_method, plain_method)
    ]
    if key == "claude":
        assert all(r.json["anthropic_version"] == "vertex-2023-10-16" and "model" not in r.json for r in sent)
    else:
        assert sent[1].query == {"alt": "sse"}


def test_eight_threads_sharing_one_sync_client_fetch_one_token(server: MockProviderServer) -> None:
    answers: dict[int, str] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(8)
    with AIModelClient(endpoint(server, Gemini20Flash)) as client:

        def work(n: int) -> None:
            try:
                start.wait(5)
                response = client.generate(prompt=f"Thread number {n} asks.")
                assert response.chat_response is not None
                answers[n] = response.chat_response.text() or ""
            except BaseException as exc:  # reported below, with the others
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert failures == []
    assert all(f"Thread number {n} asks." in answers[n] for n in range(8))
    assert len(token_requests(server)) == 1
    assert len({bearer(r) for r in vertex_requests(server)}) == 1


def test_eight_concurrent_tasks_on_one_async_client_fetch_one_token(server: MockProviderServer) -> None:
    async def main() -> list[str]:
        async with AIModelClient(endpoint(server, Claude37Sonnet), is_async=True) as client:
            calls = [client.generate_async(prompt=f"Task number {n} asks.") for n in range(8)]
            return [r.chat_response.text() or "" for r in await asyncio.gather(*calls) if r.chat_response]

    answers = asyncio.run(main())
    assert all(f"Task number {n} asks." in answers[n] for n in range(8))
    assert len(token_requests(server)) == 1
    assert len({bearer(r) for r in vertex_requests(server)}) == 1


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_a_short_lived_token_is_refreshed_when_the_clock_moves(driver: Driver, model: Any, monkeypatch: Any) -> None:
    clock = Clock(1_780_000_000.0)
    install_clock(monkeypatch, clock)
    with MockProviderServer(token_lifetime=120) as server:
        server.oauth.clock = clock  # the server's notion of time is the client's
        client = driver.client(endpoint(server, model))
        driver.answer(client, prompt="First.")
        clock.advance(59)  # a 120 s token is used for half its life ...
        driver.answer(client, prompt="Second.")
        assert len(token_requests(server)) == 1
        clock.advance(2)  # ... then refreshed, once, on the next call
        driver.answer(client, prompt="Third.")
        driver.answer(client, prompt="Fourth.")
        assert len(token_requests(server)) == 2
        tokens = [bearer(r) for r in vertex_requests(server)]
        assert tokens[0] == tokens[1] != tokens[2] == tokens[3]
        clock.advance(60)  # the first token has expired on the server; the second is still fine
        assert server.oauth.status(tokens[0]) == "expired"
        driver.answer(client, prompt="Fifth.")
        assert len(token_requests(server)) == 3  # the second passed its refresh time too
        assert server.errors == []


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_revoked_tokens_are_an_authentication_error(
    server: MockProviderServer, driver: Driver, model: Any, stream: bool
) -> None:
    client = driver.client(endpoint(server, model), AIModelCallConfig(streaming=stream, retries=3))
    driver.run(client, prompt="Before.")
    server.oauth.revoke_all()
    with pytest.raises(AuthenticationError) as caught:
        driver.run(client, prompt="After.")
    error = caught.value
    assert error.status_code == 401
    assert error.error_type == "UNAUTHENTICATED"  # Google's front door answers for both publishers
    assert len(vertex_requests(server)) == 2  # refused, and not retried
    revoked = bearer(vertex_requests(server)[1])
    assert revoked not in f"{error!s} {error!r} {error.body}"


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_an_in_band_error_after_the_first_chunk_is_both_classes(
    server: MockProviderServer, driver: Driver, model: Any
) -> None:
    server.inject(in_band_error=True, after_events=6, path=":stream")
    client = driver.client(endpoint(server, model), AIModelCallConfig(streaming=True, retries=3))
    with pytest.raises(OverloadedError) as caught:
        driver.run(client, prompt="Tell me a long story.")
    error = caught.value
    assert isinstance(error, StreamError)
    assert error.partial is not None
    assert error.partial.chat_response is not None
    assert error.partial.chat_response.text()
    assert len(vertex_requests(server)) == 1


# -- where the credentials come from ----------------------------------------------------------------------------------


def test_google_application_credentials_names_a_key_file(
    server: MockProviderServer, driver: Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(_accounts.service_account(token_uri=server.url("/token"))), encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    api = AIModelAPI(provider="google_vertex_ai", config={"base_url": server.url("/v1")})
    assert api.config["project_id"] == _accounts.PROJECT_ID  # the key file's project
    for model in MODELS:
        assert driver.answer(driver.client(AIModelEndpoint(api=api, ai_model=model)), prompt="Hi.").text()
    assert server.oauth.issued == [_accounts.CLIENT_EMAIL] * 2  # one token per client
    assert all(r.path.startswith(PUBLISHERS) for r in vertex_requests(server))


def test_the_metadata_server_named_by_gce_metadata_host(
    server: MockProviderServer, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCE_METADATA_HOST", f"{server.host}:{server.port}")
    api = AIModelAPI(
        provider="google_vertex_ai",
        config={"base_url": server.url("/v1"), "project_id": "metadata-project", "location": "europe-west4"},
    )
    client = driver.client(AIModelEndpoint(api=api, ai_model=Claude37Sonnet))
    driver.answer(client, prompt="One.")
    driver.answer(client, prompt="Two.")
    (fetch,) = [r for r in server.requests if r.path.startswith("/computeMetadata/")]
    assert fetch.method == "GET"
    assert fetch.header("metadata-flavor") == "Google"
    assert server.oauth.issued == ["metadata"]
    paths = [r.path for r in vertex_requests(server)]
    assert all(
        p.startswith("/v1/projects/metadata-project/locations/europe-west4/publishers/anthropic/") for p in paths
    )
