"""Where a Bedrock client finds its AWS credentials, end to end on both drivers: the container credentials endpoint
(read through the client's own HTTP client, then cached), the environment and the shared credentials file. The
mock Bedrock runtime verifies every signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelEndpoint
from dhenara_http.errors import ConfigurationError
from dhenara_http.foundation_models.anthropic import ClaudeSonnet45
from dhenara_http.testing import MockProviderServer
from dhenara_http.testing.aws_container import AUTHORIZATION_TOKEN, PATH
from dhenara_http.testing.converse import (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    TEMPORARY_ACCESS_KEY_ID,
)
from tests.hosts._support import Driver, assert_signed, model_requests, sigv4_fields

MARK = {"x-test-http-client": "the-callers-own"}


@pytest.fixture
def http_clients() -> Iterator[tuple[httpx.Client, httpx.AsyncClient]]:
    """The caller's own HTTP clients, marked: a request that carries the mark went through them."""
    sync, async_ = httpx.Client(headers=MARK), httpx.AsyncClient(headers=MARK)
    yield sync, async_
    sync.close()


def bare_api(server: MockProviderServer, **config: str) -> AIModelAPI:
    """A Bedrock API with no credentials of its own: the chain finds them."""
    return AIModelAPI(provider="amazon_bedrock", config={"base_url": server.url(""), **config})


def test_container_credentials_through_the_clients_own_io(
    server: MockProviderServer,
    driver: Driver,
    monkeypatch: pytest.MonkeyPatch,
    http_clients: tuple[httpx.Client, httpx.AsyncClient],
) -> None:
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url(PATH))
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", AUTHORIZATION_TOKEN)
    endpoint = AIModelEndpoint(api=bare_api(server), ai_model=ClaudeSonnet45)
    client = driver.client(endpoint, AIModelCallConfig(), http_client=http_clients)
    for prompt in ("Say one.", "Say two.", "Say three."):
        assert prompt[4:-1] in (driver.answer(client, prompt=prompt).text() or "")
    fetches = [r for r in server.requests if r.path == PATH]
    assert len(fetches) == 1  # fetched once, then cached (they are valid for an hour)
    (fetch,) = fetches
    assert fetch.method == "GET"
    assert fetch.header("authorization") == AUTHORIZATION_TOKEN
    assert fetch.header("x-test-http-client") == MARK["x-test-http-client"]
    calls = model_requests(server)
    assert len(calls) == 3
    for request in calls:
        assert sigv4_fields(request)["key"] == TEMPORARY_ACCESS_KEY_ID
        assert request.header("x-amz-security-token") == SESSION_TOKEN
        assert request.header("x-test-http-client") == MARK["x-test-http-client"]
        assert_signed(request)
    if driver.loop is not None:
        driver.loop.run_until_complete(http_clients[1].aclose())


def test_a_refused_container_token_is_a_configuration_error(
    server: MockProviderServer, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url(PATH))
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-the-pod-identity-token-0001")
    client = driver.client(AIModelEndpoint(api=bare_api(server), ai_model=ClaudeSonnet45))
    with pytest.raises(ConfigurationError, match="container credentials endpoint: HTTP 403") as caught:
        driver.run(client, prompt="Hello.")
    assert "not-the-pod-identity-token-0001" not in str(caught.value)
    assert model_requests(server) == []  # nothing is sent unsigned


def test_keys_from_the_environment(server: MockProviderServer, driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    client = driver.client(AIModelEndpoint(api=bare_api(server), ai_model=ClaudeSonnet45))
    assert driver.answer(client, prompt="Hello.").text()
    (request,) = model_requests(server)
    assert sigv4_fields(request)["region"] == "eu-west-3"
    assert request.header("x-amz-security-token") is None
    assert_signed(request)


def test_a_profile_of_the_shared_credentials_file(
    server: MockProviderServer, driver: Driver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "credentials"
    path.write_text(
        f"[default]\naws_access_key_id = AKIDNOTTHISONE\naws_secret_access_key = wrong-secret-000000000\n\n"
        f"[bedrock]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    monkeypatch.setenv("AWS_PROFILE", "bedrock")
    client = driver.client(AIModelEndpoint(api=bare_api(server, region="ap-south-1"), ai_model=ClaudeSonnet45))
    assert driver.answer(client, prompt="Hello.").text()
    (request,) = model_requests(server)
    assert sigv4_fields(request)["key"] == ACCESS_KEY_ID
    assert sigv4_fields(request)["region"] == "ap-south-1"
    assert_signed(request)
