"""Amazon Bedrock end to end: ``AIModelClient`` on both drivers against the mock Bedrock runtime on 127.0.0.1, which
checks the SigV4 signature of every request it receives before anything else (a scripted fault included) — and every
request is checked again here, independently, by botocore.

Converse and InvokeModel, as JSON and as AWS event streams; a retried attempt signed anew; a bad secret refused and
not retried; an in-band exception frame after the first chunk; Bedrock API keys; secrets scrubbed from errors.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelEndpoint, ToolDefinition
from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    StreamError,
)
from dhenara_http.foundation_models.anthropic import ClaudeSonnet45
from dhenara_http.testing import MockProviderServer
from dhenara_http.testing.converse import (
    ACCESS_KEY_ID,
    SESSION_TOKEN,
    TEMPORARY_ACCESS_KEY_ID,
    TEMPORARY_SECRET_ACCESS_KEY,
)
from tests.hosts._support import (
    Clock,
    Driver,
    assert_signed,
    install_clock,
    model_requests,
    sigv4_fields,
    streamed_text,
)

WIRES = ["converse", "invoke"]
MODEL_ID = "anthropic.claude-sonnet-4-5-20250929-v1:0"
#: The model id as it goes in the path: once percent-encoded (the ``:``).
PATH_ID = MODEL_ID.replace(":", "%3A")
ROUTES = {"converse": ("converse", "converse-stream"), "invoke": ("invoke", "invoke-with-response-stream")}
WEATHER = ToolDefinition(
    function={
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
)
PROMPT = "Call get_weather for Paris, please."


def endpoint(server: MockProviderServer, wire: str, **api: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=server.api("amazon_bedrock", wire_api=wire, **api), ai_model=ClaudeSonnet45)


def config(**fields: Any) -> AIModelCallConfig:
    return AIModelCallConfig(tools=[WEATHER], reasoning=True, max_output_tokens=4000, **fields)


# -- answers ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
def test_streamed_final_equals_the_json_answer(server: MockProviderServer, driver: Driver, wire: str) -> None:
    plain = driver.answer(driver.client(endpoint(server, wire), config()), prompt=PROMPT)
    chunks, streamed = driver.run(driver.client(endpoint(server, wire), config(streaming=True)), prompt=PROMPT)
    final = streamed.chat_response
    assert final is not None
    assert final.model_dump() == plain.model_dump()
    # What the answer holds: reasoning with its signature, the tool call with complete arguments, usage.
    (call,) = plain.tools()
    assert (call.tool_call.name, call.tool_call.arguments) == ("get_weather", {"city": "city"})
    (reasoning,) = [c for c in plain.choices[0].contents if c.type.value == "reasoning"]
    assert reasoning.thinking_signature  # type: ignore[attr-defined]
    assert plain.usage is not None
    assert plain.usage.completion_tokens > 0
    assert plain.metadata["wire_api"] == ("converse" if wire == "converse" else "anthropic")
    assert streamed_text(chunks) == (final.text() or "")
    assert len(chunks) > 3
    sent = model_requests(server)
    assert [r.path for r in sent] == [f"/model/{PATH_ID}/{route}" for route in ROUTES[wire]]
    for request in sent:
        assert_signed(request)
    if wire == "invoke":
        # InvokeModel: the Anthropic Messages body, the model in the path, the version in the body, no stream field.
        bodies = [r.json for r in sent]
        assert all(b["anthropic_version"] == "bedrock-2023-05-31" for b in bodies)
        assert not any("model" in b or "stream" in b for b in bodies)
    assert sent[1].header("accept") == "application/vnd.amazon.eventstream"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("wire", WIRES)
def test_a_retried_attempt_is_signed_again(
    server: MockProviderServer, driver: Driver, wire: str, stream: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(1_780_000_000.0)
    install_clock(monkeypatch, clock)
    server.inject(status=503, retry_after=3)
    server.inject(status=429, retry_after=2)  # Bedrock's ThrottlingException
    response = driver.run(driver.client(endpoint(server, wire), config(streaming=stream)), prompt=PROMPT)[1]
    assert response.attempts == 3
    sent = model_requests(server)
    assert len(sent) == 3
    for request in sent:
        assert_signed(request)  # the server refused none of them: every attempt was verified and passed
    dates = [str(r.header("x-amz-date")) for r in sent]
    assert len(set(dates)) == 3, dates
    assert len({r.header("authorization") for r in sent}) == 3
    # Each attempt is dated when it is made: after the 3 s, then the 2 s, the server asked for.
    assert [_seconds(d) - _seconds(dates[0]) for d in dates] == [0, 3, 5]


def _seconds(amz_date: str) -> int:
    import calendar
    import time

    return calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("wire", WIRES)
def test_a_bad_secret_key_is_refused_and_not_retried(
    server: MockProviderServer, driver: Driver, wire: str, stream: bool
) -> None:
    wrong = "not/the/right/secret/key/0000000000000001"
    api = AIModelAPI(
        provider="amazon_bedrock",
        credentials={"access_key_id": ACCESS_KEY_ID, "secret_access_key": wrong},
        config={"base_url": server.url(""), "wire_api": wire},
    )
    client = driver.client(AIModelEndpoint(api=api, ai_model=ClaudeSonnet45), config(streaming=stream, retries=3))
    with pytest.raises(AuthenticationError) as caught:
        driver.run(client, prompt=PROMPT)
    error = caught.value
    assert error.status_code == 403
    assert error.error_type == "InvalidSignatureException"
    assert "signature we calculated does not match" in error.message
    assert error.request_id
    assert len(model_requests(server)) == 1
    assert wrong not in f"{error!s} {error!r} {error.body}"


@pytest.mark.parametrize("wire", WIRES)
def test_an_in_band_exception_after_the_first_chunk(server: MockProviderServer, driver: Driver, wire: str) -> None:
    server.inject(in_band_error="throttling", after_events=6)
    client = driver.client(endpoint(server, wire), config(streaming=True, retries=3))
    with pytest.raises(RateLimitError) as caught:
        driver.run(client, prompt=PROMPT)
    error = caught.value
    assert isinstance(error, StreamError)
    assert error.error_type == "throttlingException"
    assert error.partial is not None
    assert error.partial.chat_response is not None
    assert error.partial.chat_response.reasoning()  # what arrived before the fault is kept
    assert len(model_requests(server)) == 1  # after the first chunk nothing is retried silently


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("wire", WIRES)
def test_a_bedrock_api_key_is_a_bearer_token(
    server: MockProviderServer, driver: Driver, wire: str, stream: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-from-the-environment-0001")
    given = driver.client(endpoint(server, wire, api_key="bedrock-api-key-given-0001"), config(streaming=stream))
    assert driver.answer(given, prompt=PROMPT).tools()
    api = AIModelAPI(provider="amazon_bedrock", config={"base_url": server.url(""), "wire_api": wire})
    from_env = driver.client(AIModelEndpoint(api=api, ai_model=ClaudeSonnet45), config(streaming=stream))
    assert driver.answer(from_env, prompt=PROMPT).tools()
    first, second = model_requests(server)
    assert first.header("authorization") == "Bearer bedrock-api-key-given-0001"
    assert second.header("authorization") == "Bearer bedrock-api-key-from-the-environment-0001"
    assert first.header("x-amz-date") is None


# -- credentials ------------------------------------------------------------------------------------------------------


def temporary_api(server: MockProviderServer, wire: str, token: str = SESSION_TOKEN) -> AIModelAPI:
    credentials = {
        "access_key_id": TEMPORARY_ACCESS_KEY_ID,
        "secret_access_key": TEMPORARY_SECRET_ACCESS_KEY,
        "session_token": token,
    }
    return AIModelAPI(
        provider="amazon_bedrock", credentials=credentials, config={"base_url": server.url(""), "wire_api": wire}
    )


@pytest.mark.parametrize("wire", WIRES)
def test_a_session_token_is_sent_and_signed(server: MockProviderServer, driver: Driver, wire: str) -> None:
    client = driver.client(AIModelEndpoint(api=temporary_api(server, wire), ai_model=ClaudeSonnet45), config())
    assert driver.answer(client, prompt=PROMPT).tools()
    (request,) = model_requests(server)
    assert request.header("x-amz-security-token") == SESSION_TOKEN
    assert "x-amz-security-token" in sigv4_fields(request)["signed"].split(";")
    assert_signed(request)
    # The same key with a token it was not issued with is refused.
    stale = driver.client(
        AIModelEndpoint(
            api=temporary_api(server, wire, "IQoJb3JpZ2luX2VjEOld//session+token=="), ai_model=ClaudeSonnet45
        ),
        config(),
    )
    with pytest.raises(AuthenticationError) as caught:
        driver.run(stale, prompt=PROMPT)
    assert caught.value.error_type == "UnrecognizedClientException"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_secrets_echoed_by_an_error_are_scrubbed(
    server: MockProviderServer, driver: Driver, stream: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="dhenara_http")
    echo = f"Malformed input: key {TEMPORARY_SECRET_ACCESS_KEY} with token {SESSION_TOKEN} is not valid"
    server.inject(status=400, body={"message": echo}, headers={"x-amzn-errortype": "ValidationException"})
    client = driver.client(
        AIModelEndpoint(api=temporary_api(server, "converse"), ai_model=ClaudeSonnet45), config(streaming=stream)
    )
    with pytest.raises(BadRequestError) as caught:
        driver.run(client, prompt=PROMPT)
    _assert_scrubbed(caught.value, caplog.text)
    assert caught.value.error_type == "ValidationException"
    assert "Malformed input: key [REDACTED] with token [REDACTED]" in caught.value.message
    if stream:
        # The same echo in an exception frame after the first chunk.
        server.inject(in_band_error={"type": "validationException", "message": echo}, after_events=4)
        with pytest.raises(BadRequestError) as in_band:
            driver.run(client, prompt=PROMPT)
        assert isinstance(in_band.value, StreamError)
        _assert_scrubbed(in_band.value, caplog.text)


def _assert_scrubbed(error: APIStatusError, logged: str) -> None:
    shown = f"{error!s} {error!r} {error.message} {json.dumps(error.body)} {error.error_type} {logged}"
    for secret in (TEMPORARY_SECRET_ACCESS_KEY, SESSION_TOKEN):
        assert secret not in shown
