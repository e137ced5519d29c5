"""Per-call options: ``client.with_options(**fields)`` and ``generate(..., timeout=, retries=, max_output_tokens=,
extra_headers=)``, which is ``with_options`` under the hood — against the mock server, checking what reached it."""

from __future__ import annotations

import pydantic
import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APITimeoutError,
    ConfigurationError,
    RateLimitError,
)
from dhenara_http.foundation_models import Claude35Haiku, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer


class City(pydantic.BaseModel):
    name: str
    population: int


def _client(server: MockProviderServer, provider: str = "openai", **config: object) -> AIModelClient:
    model = {"openai": GPT4oMini, "anthropic": Claude35Haiku, "google_gemini_api": Gemini25Flash}[provider]
    return AIModelClient(AIModelEndpoint(api=server.api(provider), ai_model=model), AIModelCallConfig(**config))  # type: ignore[arg-type]


# -- with_options --------------------------------------------------------------------------------------------------


def test_with_options_changes_the_fields_given_and_nothing_else(mock: MockProviderServer) -> None:
    client = _client(mock, max_output_tokens=100, options={"temperature": 0.5})
    derived = client.with_options(max_output_tokens=7, retries=0)
    assert (derived.config.max_output_tokens, derived.config.retries) == (7, 0)
    assert derived.config.options == {"temperature": 0.5}
    assert (client.config.max_output_tokens, client.config.retries) == (100, 2)  # the original is untouched
    derived.generate(prompt="one")
    client.generate(prompt="two")
    first, second = mock.requests
    assert (first.json["max_output_tokens"], second.json["max_output_tokens"]) == (7, 100)
    assert first.json["temperature"] == second.json["temperature"] == 0.5


def test_with_options_shares_the_connection_pool(mock: MockProviderServer) -> None:
    with _client(mock) as client:
        derived = client.with_options(timeout=30)
        client.generate(prompt="one")
        derived.generate(prompt="two")
        client.generate(prompt="three")
    assert len({r.connection_id for r in mock.requests}) == 1


def test_with_options_keeps_the_structured_output_class(mock: MockProviderServer) -> None:
    client = _client(mock, structured_output=City)
    chat = client.with_options(timeout=30).generate(prompt="A city, please").chat_response
    assert chat is not None
    city = chat.parsed()
    assert isinstance(city, City)


def test_with_options_rejects_bad_values_before_sending(mock: MockProviderServer) -> None:
    client = _client(mock)
    with pytest.raises(ConfigurationError, match="extra_headers"):
        client.with_options(extra_headers="x-a: b")
    with pytest.raises(ConfigurationError, match="header name"):
        client.with_options(extra_headers={"bad header\r\n": "v"}).generate(prompt="hi")
    assert mock.requests == []


def test_derived_vertex_clients_share_the_token(mock: MockProviderServer) -> None:
    api = mock.api("google_vertex_ai")
    with AIModelClient(AIModelEndpoint(api=api, ai_model=Gemini25Flash)) as client:
        client.generate(prompt="one")
        client.with_options(extra_headers={"x-trace": "t"}).generate(prompt="two")
        client.generate(prompt="three", timeout=20)
    assert [r.path for r in mock.requests].count("/token") == 1
    calls = [r for r in mock.requests if r.path != "/token"]
    assert len(calls) == 3
    assert len({r.header("authorization") for r in calls}) == 1


# -- per-call keyword arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "field"),
    [("openai", "max_output_tokens"), ("anthropic", "max_tokens"), ("google_gemini_api", "maxOutputTokens")],
)
def test_max_output_tokens_for_one_call(mock: MockProviderServer, provider: str, field: str) -> None:
    client = _client(mock, provider, max_output_tokens=100)
    client.generate(prompt="one", max_output_tokens=9)
    client.generate(prompt="two")

    def sent(body: dict[str, object]) -> object:
        return body.get(field) if provider != "google_gemini_api" else body["generationConfig"][field]  # type: ignore[index]

    assert [sent(r.json) for r in mock.requests] == [9, 100]


def test_retries_for_one_call(mock: MockProviderServer) -> None:
    client = _client(mock)  # retries=2
    mock.inject(status=429, times=1)
    with pytest.raises(RateLimitError):
        client.generate(prompt="no retry", retries=0)
    assert len(mock.requests) == 1
    mock.inject(status=429, times=1)
    assert client.generate(prompt="retried").attempts == 2  # the client's own setting again


def test_timeout_for_one_call(mock: MockProviderServer) -> None:
    client = _client(mock)
    mock.inject(hang=True, times=1)
    with pytest.raises(APITimeoutError) as caught:
        client.generate(prompt="hangs", timeout=1.0, retries=0)
    assert (caught.value.provider, caught.value.model) == ("openai", "gpt-4o-mini")
    assert client.config.timeout == 600.0
    mock.clear_faults()  # in case the request was cut short before the server took the fault
    assert client.generate(prompt="answers").chat_response is not None


def test_extra_headers_for_one_call_add_to_the_api_and_client_headers(mock: MockProviderServer) -> None:
    api = mock.api("openai", headers={"x-gateway": "g", "x-both": "api"})
    config = AIModelCallConfig(extra_headers={"x-client": "c", "x-both": "client"})
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), config)
    client.generate(prompt="one", extra_headers={"X-Trace": "t-1", "x-client": "call"})
    client.generate(prompt="two")
    first, second = mock.requests
    assert (first.header("x-gateway"), first.header("x-trace"), first.header("x-client")) == ("g", "t-1", "call")
    assert first.header("x-both") == "client"
    assert (second.header("x-trace"), second.header("x-client"), second.header("x-both")) == (None, "c", "client")


def test_extra_headers_are_secrets(mock: MockProviderServer) -> None:
    secret = "gateway-token-0123456789abcdef"
    client = _client(mock).with_options(extra_headers={"x-gateway-key": secret})
    mock.inject(status=400, body={"error": {"message": f"bad key {secret}", "type": "invalid_request_error"}})
    with pytest.raises(Exception) as caught:
        client.generate(prompt="hi")
    assert secret not in str(caught.value)
    assert "[REDACTED]" in str(caught.value)


@pytest.mark.anyio
async def test_per_call_options_on_the_async_path(mock: MockProviderServer) -> None:
    client = _client(mock, "anthropic", max_output_tokens=100)
    mock.inject(status=529, times=1)
    response = await client.generate_async(
        prompt="one", max_output_tokens=11, retries=1, extra_headers={"x-trace": "async"}
    )
    assert response.attempts == 2
    assert [r.json["max_tokens"] for r in mock.requests] == [11, 11]
    assert {r.header("x-trace") for r in mock.requests} == {"async"}
    await client.aclose()


def test_an_unknown_keyword_is_a_type_error_of_python_itself(mock: MockProviderServer) -> None:
    client = _client(mock)
    with pytest.raises(TypeError):
        client.generate(prompt="hi", temperature=0.1)  # type: ignore[call-arg]
