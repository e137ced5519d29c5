"""What the environment configures: base URLs (``DHENARA_HTTP_BASE_URL_<PROVIDER>``, then the official SDKs' own
variables with the meaning each SDK gives them) and the variables a missing key's error names."""

from __future__ import annotations

from typing import Any

import pytest

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    ResourceConfig,
)
from dhenara_http.foundation_models import Claude35Haiku, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer


def _ask(provider: str, model: Any) -> str | None:
    api = AIModelAPI(provider=provider, api_key="k")
    with AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(retries=0)) as client:
        chat = client.generate(prompt="hello").chat_response
    return chat.text() if chat is not None else None


# -- base URLs -----------------------------------------------------------------------------------------------------


def test_openai_base_url_ends_in_v1_as_the_openai_sdk_means_it(
    mock: MockProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", mock.url("/v1/"))
    assert AIModelAPI(provider="openai", api_key="k").config["base_url"] == mock.url("/v1")
    assert _ask("openai", GPT4oMini)
    assert [r.path for r in mock.requests] == ["/v1/responses"]


def test_anthropic_base_url_is_the_host_root_as_the_anthropic_sdk_means_it(
    mock: MockProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", mock.base_url)
    assert _ask("anthropic", Claude35Haiku)
    assert [r.path for r in mock.requests] == ["/v1/messages"]


@pytest.mark.parametrize("name", ["GOOGLE_GEMINI_BASE_URL", "GEMINI_BASE_URL"])
def test_gemini_base_url_is_the_host_root_as_google_genai_means_it(
    mock: MockProviderServer, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, mock.base_url + "/")
    assert _ask("google_gemini_api", Gemini25Flash)
    assert [r.path for r in mock.requests] == ["/v1beta/models/gemini-2.5-flash:generateContent"]


def test_order_config_then_dhenara_variable_then_sdk_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://sdk.test")
    assert AIModelAPI(provider="anthropic").config["base_url"] == "http://sdk.test/v1"
    monkeypatch.setenv("DHENARA_HTTP_BASE_URL_ANTHROPIC", "http://ours.test/v1")
    assert AIModelAPI(provider="anthropic").config["base_url"] == "http://ours.test/v1"
    explicit = AIModelAPI(provider="anthropic", config={"base_url": "http://given.test/v1"})
    assert explicit.config["base_url"] == "http://given.test/v1"
    # A root that already names the version is not given it twice.
    monkeypatch.delenv("DHENARA_HTTP_BASE_URL_ANTHROPIC")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://sdk.test/v1/")
    assert AIModelAPI(provider="anthropic").config["base_url"] == "http://sdk.test/v1"


def test_sdk_variables_reach_only_their_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-proxy.test/v1")
    assert "base_url" not in AIModelAPI(provider="deepseek", api_key="k").config
    assert "base_url" not in AIModelAPI(provider="anthropic", api_key="k").config


def test_resource_config_from_env_reads_them_the_same_way(
    mock: MockProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", mock.base_url)
    endpoint = ResourceConfig.from_env().get_model_endpoint("claude-3-5-haiku-latest")
    assert endpoint.api.config["base_url"] == mock.url("/v1")
    with AIModelClient(endpoint, AIModelCallConfig(retries=0)) as client:
        client.generate(prompt="hi")
    assert [r.path for r in mock.requests] == ["/v1/messages"]


# -- a missing key -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "model", "variables"),
    [
        ("openai", GPT4oMini, "OPENAI_API_KEY"),
        ("anthropic", Claude35Haiku, "ANTHROPIC_API_KEY"),
        ("google_gemini_api", Gemini25Flash, "GEMINI_API_KEY or GOOGLE_API_KEY"),
        ("deepseek", "deepseek-chat", "DEEPSEEK_API_KEY"),
    ],
)
def test_a_missing_key_names_the_variable_to_set(
    mock: MockProviderServer, provider: str, model: Any, variables: str
) -> None:
    api = AIModelAPI(provider=provider, config={"base_url": mock.url("/v1")})
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model))
    with pytest.raises(ConfigurationError, match=f"no api_key given; set {variables}$"):
        client.generate(prompt="hi")
    assert mock.requests == []  # nothing was sent


def test_missing_aws_credentials_name_the_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    api = AIModelAPI(provider="amazon_bedrock", config={"region": "us-east-1", "base_url": "http://127.0.0.1:9"})
    client = AIModelClient(AIModelEndpoint(api=api, ai_model="anthropic.claude-3-5-haiku-20241022-v1:0"))
    with pytest.raises(ConfigurationError) as caught:
        client.generate(prompt="hi")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_BEARER_TOKEN_BEDROCK"):
        assert name in str(caught.value)
