"""A distinctive fake key goes through every public object that holds credentials, and through failures that echo
it back; it must never appear in a repr, a str, a dump, an exception (with its chain and traceback) or a log record."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    DhenaraError,
    ResourceConfig,
)
from dhenara_http.foundation_models import Claude35Haiku, DeepseekFlash, Gemini20Flash, GPT4oMini

CANARY = "sk-CANARY-7c1e9f3a2b5d4e6f8a0b-DO-NOT-LEAK"
AWS_SECRET = "wJalrCANARYsecretEXAMPLEKEY0123456789abcd"

HOSTS = {
    "openai": ("https://api.openai.com", GPT4oMini),
    "anthropic": ("https://api.anthropic.com", Claude35Haiku),
    "google_gemini_api": ("https://generativelanguage.googleapis.com", Gemini20Flash),
    "deepseek": ("https://api.deepseek.com", DeepseekFlash),
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog
    for record in caplog.records:
        rendered = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        if record.exc_info:
            rendered += "".join(traceback.format_exception(*record.exc_info))
        assert CANARY not in rendered, record
        assert AWS_SECRET not in rendered, record


def assert_clean(*things: Any) -> None:
    for thing in things:
        for text in (repr(thing), str(thing)):
            assert CANARY not in text
            assert AWS_SECRET not in text
        dump = getattr(thing, "model_dump", None)
        if callable(dump):
            assert CANARY not in str(dump())
            assert CANARY not in thing.model_dump_json()
            assert CANARY not in json.dumps(thing.model_dump(mode="json"))


def assert_clean_error(exc: BaseException) -> None:
    rendered = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert CANARY not in rendered
    assert CANARY not in repr(exc)
    assert CANARY not in repr(exc.args)
    for value in vars(exc).values():
        assert CANARY not in repr(value)
        if isinstance(value, dict | list):
            assert CANARY not in json.dumps(value, default=str)


def consume(client: AIModelClient) -> None:
    response = client.generate("hello")
    for _ in response.stream_generator or ():
        pass


def api(provider: str) -> AIModelAPI:
    return AIModelAPI(provider=provider, api_key=CANARY)


def test_configuration_objects_never_show_the_key(logs: pytest.LogCaptureFixture) -> None:
    openai = api("openai")
    bedrock = AIModelAPI(
        provider="amazon_bedrock",
        credentials={"access_key_id": "AKIATEST", "secret_access_key": AWS_SECRET, "session_token": CANARY},
    )
    endpoint = AIModelEndpoint(api=openai, ai_model=GPT4oMini)
    by_name = AIModelEndpoint(api=openai, ai_model="my-model")
    client = AIModelClient(endpoint, AIModelCallConfig())
    config = ResourceConfig(model_apis=[openai, bedrock], model_endpoints=[endpoint])
    assert_clean(openai, bedrock, endpoint, by_name, client, config)
    assert openai.get_api_key() == CANARY  # the key is there, only hidden


def test_the_key_from_the_environment_stays_hidden(monkeypatch: pytest.MonkeyPatch, logs: Any) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    from_env = AIModelAPI(provider="anthropic")
    assert from_env.get_api_key() == CANARY
    assert_clean(from_env, ResourceConfig.from_env())


def _error_body(provider: str) -> dict[str, Any]:
    message = f"Incorrect API key provided: {CANARY}. You can find your API key at ..."
    if provider == "anthropic":
        return {"type": "error", "error": {"type": "authentication_error", "message": message}}
    if provider == "google_gemini_api":
        return {"error": {"code": 401, "message": message, "status": "UNAUTHENTICATED"}}
    return {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}


@pytest.mark.parametrize("provider", sorted(HOSTS))
@pytest.mark.parametrize("streaming", [False, True])
def test_a_401_that_echoes_the_key_is_scrubbed(provider: str, streaming: bool, logs: Any) -> None:
    base, model = HOSTS[provider]
    body = _error_body(provider)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.route(url__startswith=base).mock(
            return_value=httpx.Response(401, json=body, headers={"x-request-id": "req_1", "request-id": "req_1"})
        )
        client = AIModelClient(
            AIModelEndpoint(api=api(provider), ai_model=model), AIModelCallConfig(streaming=streaming)
        )
        with pytest.raises(AuthenticationError) as caught:
            consume(client)
    sent = route.calls.last.request
    assert CANARY in " ".join(sent.headers.values())  # the key was really sent ...
    assert_clean_error(caught.value)  # ... and never comes back out
    assert caught.value.status_code == 401
    assert "[REDACTED]" in caught.value.message
    assert_clean(client)


@pytest.mark.anyio
async def test_the_async_client_scrubs_too(logs: Any) -> None:
    with respx.mock:
        respx.post("https://api.openai.com/v1/responses").mock(
            return_value=httpx.Response(401, json=_error_body("openai"))
        )
        client = AIModelClient(AIModelEndpoint(api=api("openai"), ai_model=GPT4oMini), is_async=True)
        with pytest.raises(APIStatusError) as caught:
            await client.generate_async("hello")
        await client.aclose()
    assert_clean_error(caught.value)


def test_a_connection_error_carries_no_key(logs: Any) -> None:
    with respx.mock:
        respx.route(host="api.openai.com").mock(side_effect=httpx.ConnectError(f"failed for {CANARY}"))
        client = AIModelClient(AIModelEndpoint(api=api("openai"), ai_model=GPT4oMini), AIModelCallConfig(retries=1))
        with pytest.raises(DhenaraError) as caught:
            client.generate("hello")
    assert_clean_error(caught.value)


def test_test_mode_answers_carry_no_key(logs: Any) -> None:
    for provider, (_, model) in HOSTS.items():
        client = AIModelClient(AIModelEndpoint(api=api(provider), ai_model=model), AIModelCallConfig(test_mode=True))
        response = client.generate("hello")
        assert_clean(response, response.chat_response)


def _bad_files(tmp_path: Path) -> list[Path]:
    files = {
        "unterminated.toml": f'[openai]\napi_key = "{CANARY}\n',
        "trailing.toml": f'[openai]\napi_key = "{CANARY}" oops\n',
        "bare.toml": f"[openai]\napi_key = {CANARY}\n",
        "list.json": json.dumps({"openai": {"api_key": [CANARY]}}),
        "broken.json": f'{{"openai": {{"api_key": "{CANARY}",}}}}',
        "unknown.json": json.dumps({"openai": {"api_key": CANARY, "secret": CANARY}}),
        "wire.json": json.dumps({"openai": {"api_key": CANARY, "config": {"wire_api": "smoke"}}}),
        "sa.json": json.dumps({"google_vertex_ai": {"credentials": {"service_account_json": "{" + CANARY}}}),
    }
    out = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def test_credentials_file_errors_never_quote_the_file(tmp_path: Path, logs: Any) -> None:
    for path in _bad_files(tmp_path):
        with pytest.raises(ConfigurationError) as caught:
            ResourceConfig.from_file(path)
        assert str(path) in str(caught.value)
        assert_clean_error(caught.value)


def test_yaml_errors_never_quote_the_file(tmp_path: Path, logs: Any) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "c.yaml"
    path.write_text(f"openai:\n  api_key: [{CANARY}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        ResourceConfig.from_file(path)
    assert_clean_error(caught.value)


def test_a_loaded_config_and_its_check_command_show_no_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], logs: Any
) -> None:
    from dhenara_http.resource_config import main

    path = tmp_path / "c.toml"
    path.write_text(
        f'[openai]\napi_key = "{CANARY}"\n[amazon_bedrock.credentials]\naccess_key_id = "AKIA"\n'
        f'secret_access_key = "{AWS_SECRET}"\n',
        encoding="utf-8",
    )
    config = ResourceConfig.from_file(path)
    endpoint = config.get_model_endpoint("gpt-4o-mini")
    assert endpoint is not None
    assert_clean(config, endpoint, *config.model_apis)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr()
    assert CANARY not in out.out + out.err
    assert AWS_SECRET not in out.out + out.err


def test_an_invalid_api_configuration_error_carries_no_key(logs: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AIModelAPI(provider="openai", api_key=CANARY, config={"wire_api": "x"})
    assert_clean_error(caught.value)
    with pytest.raises(ConfigurationError) as unknown:
        AIModelAPI(provider="no-such-host", api_key=CANARY)
    assert_clean_error(unknown.value)


def test_a_key_in_extra_headers_is_hidden_and_scrubbed(logs: Any) -> None:
    gateway = AIModelAPI(provider="openai", api_key="sk-plain-test-key", config={"headers": {"X-Gateway-Key": CANARY}})
    for text in (repr(gateway), str(gateway), gateway.model_dump_json(), json.dumps(gateway.model_dump(mode="json"))):
        assert CANARY not in text
    with respx.mock:
        route = respx.post("https://api.openai.com/v1/responses").mock(
            return_value=httpx.Response(403, json={"error": {"message": f"gateway key {CANARY} revoked", "type": "x"}})
        )
        client = AIModelClient(AIModelEndpoint(api=gateway, ai_model=GPT4oMini), AIModelCallConfig(retries=0))
        with pytest.raises(APIStatusError) as caught:
            client.generate("hello")
    assert route.calls.last.request.headers["x-gateway-key"] == CANARY
    assert_clean_error(caught.value)
