"""Details an error must carry: an error body sent as an event stream (some proxies do) is read like a JSON one, with
its provider's error type; the call's total deadline names the provider and model it cut short."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APITimeoutError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)
from dhenara_http.foundation_models import Claude35Haiku, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer

MODELS: dict[str, Any] = {"openai": GPT4oMini, "anthropic": Claude35Haiku, "google_gemini_api": Gemini25Flash}


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


def _client(server: MockProviderServer, provider: str, **config: Any) -> AIModelClient:
    return AIModelClient(
        AIModelEndpoint(api=server.api(provider), ai_model=MODELS[provider]), AIModelCallConfig(retries=0, **config)
    )


# The error bodies are each provider's documented error object, framed as one server-sent event.
EVENT_STREAM_ERRORS = [
    (
        "openai",
        500,
        "",
        {"error": {"message": "The server had an error", "type": "server_error", "param": None, "code": None}},
        InternalServerError,
        "server_error",
    ),
    (
        "anthropic",
        529,
        "event: error\n",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        OverloadedError,
        "overloaded_error",
    ),
    (
        "google_gemini_api",
        429,
        "",
        {"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}},
        RateLimitError,
        "RESOURCE_EXHAUSTED",
    ),
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("provider", "status", "prefix", "body", "cls", "error_type"),
    EVENT_STREAM_ERRORS,
    ids=[e[0] for e in EVENT_STREAM_ERRORS],
)
def test_an_error_body_sent_as_an_event_stream_is_classified(
    server: MockProviderServer,
    provider: str,
    status: int,
    prefix: str,
    body: dict[str, Any],
    cls: type[Exception],
    error_type: str,
    stream: bool,
) -> None:
    server.clear_faults()
    raw = f"{prefix}data: {json.dumps(body)}\n\n"
    server.inject(status=status, body=raw, content_type="text/event-stream")
    with pytest.raises(cls) as caught:
        _client(server, provider, streaming=stream).generate(prompt="hi")  # errors before a stream's first chunk
    err = caught.value
    assert getattr(err, "error_type", None) == error_type
    assert getattr(err, "status_code", None) == status
    assert "data:" not in str(err)  # the message is the provider's, not the raw frame
    assert (getattr(err, "provider", None), getattr(err, "model", None)) == (provider, MODELS[provider].model_name)


def test_the_total_deadline_names_provider_and_model() -> None:
    # Events keep coming (no read ever waits long) but the whole stream takes longer than the call's timeout.
    with MockProviderServer(event_delay=0.05) as slow:
        client = _client(slow, "anthropic", streaming=True, timeout=0.4)
        prompt = " ".join(f"word{i}" for i in range(200))
        with pytest.raises(APITimeoutError) as caught:
            for _ in client.generate(prompt=prompt).stream_generator:  # type: ignore[union-attr]
                pass
    err = caught.value
    assert (err.provider, err.model) == ("anthropic", "claude-3-5-haiku-latest")
    assert "total timeout of 0.4 s" in str(err)
    assert "anthropic" in str(err)
