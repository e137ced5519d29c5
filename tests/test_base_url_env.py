"""``DHENARA_HTTP_BASE_URL_<PROVIDER>``: the environment points APIs built without a ``base_url`` elsewhere."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import Claude35Haiku
from dhenara_http.testing import MockProviderServer
from dhenara_http.types.api import base_url_env_var

P = AIModelAPIProviderEnum


def test_variable_names_follow_the_provider_value() -> None:
    assert base_url_env_var(P.OPEN_AI) == "DHENARA_HTTP_BASE_URL_OPENAI"
    assert base_url_env_var(P.ANTHROPIC) == "DHENARA_HTTP_BASE_URL_ANTHROPIC"
    assert base_url_env_var(P.GOOGLE_AI) == "DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API"


def test_the_variable_fills_base_url_only_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHENARA_HTTP_BASE_URL_ANTHROPIC", "http://gateway.test/v1")
    assert AIModelAPI(provider=P.ANTHROPIC, api_key="k").config["base_url"] == "http://gateway.test/v1"
    explicit = AIModelAPI(provider=P.ANTHROPIC, api_key="k", config={"base_url": "http://mine.test"})
    assert explicit.config["base_url"] == "http://mine.test"
    assert "base_url" not in AIModelAPI(provider=P.OPEN_AI, api_key="k").config  # other providers untouched
    monkeypatch.setenv("DHENARA_HTTP_BASE_URL_OPENAI", "")
    assert "base_url" not in AIModelAPI(provider=P.OPEN_AI, api_key="k").config  # empty means unset


def test_a_program_unchanged_reaches_the_mock_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with MockProviderServer() as server:
        env = server.environment()
        assert set(env) == {
            "DHENARA_HTTP_BASE_URL_OPENAI",
            "DHENARA_HTTP_BASE_URL_ANTHROPIC",
            "DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API",
        }
        assert env["DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API"] == server.url("/v1beta")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # As a seed program builds it: a placeholder key, no base_url.
        api = AIModelAPI(provider=P.ANTHROPIC, api_key="your_anthropic_api_key")
        with AIModelClient(AIModelEndpoint(api=api, ai_model=Claude35Haiku), AIModelCallConfig()) as client:
            answer = client.generate(prompt="Hello from an unchanged program").chat_response
        assert answer is not None
        assert "Hello from an unchanged program" in (answer.text() or "")
        [request] = server.requests
        assert request.path == "/v1/messages"
        assert request.header("x-api-key") == "your_anthropic_api_key"


def test_the_standalone_server_prints_the_variables_and_serves_every_wire() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dhenara_http.testing", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(9)]
        base = lines[0]
        exported = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        assert exported == {
            "DHENARA_HTTP_BASE_URL_OPENAI": base + "/v1",
            "DHENARA_HTTP_BASE_URL_ANTHROPIC": base + "/v1",
            "DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API": base + "/v1beta",
        }
        claude = httpx.post(
            exported["DHENARA_HTTP_BASE_URL_ANTHROPIC"] + "/messages",
            json={"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]},
            headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
            timeout=5,
        )
        assert claude.json()["type"] == "message"
        gemini = httpx.post(
            exported["DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API"] + "/models/gemini-2.5-flash:generateContent",
            json={"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]},
            headers={"x-goog-api-key": "k"},
            timeout=5,
        )
        assert gemini.json()["modelVersion"] == "gemini-2.5-flash"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_config_none_is_no_settings() -> None:
    from dhenara_http import AIModelAPI

    api = AIModelAPI(provider="openai", api_key="sk-test-key", config=None)
    assert api.config == {}
