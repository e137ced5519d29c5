"""``max_output_tokens`` is capped to the model's limit (the reasoning mode's limit when reasoning is on), checked on
the request bodies really sent, for every wire protocol this version speaks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import Claude35Haiku, Claude37Sonnet, Gemini20Flash, GPT4oMini, O3Mini

# Minimal valid answers, one per wire.
ANSWERS: dict[str, dict[str, Any]] = {
    "responses": {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
    },
    "chat_completions": {
        "id": "c1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    },
    "anthropic": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
    "gemini": {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
    },
}

# (wire, api provider, api config, where the cap is in the body)
WIRES = {
    "responses": ("openai", {}, ("max_output_tokens",)),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}, ("max_completion_tokens",)),
    "anthropic": ("anthropic", {}, ("max_tokens",)),
    "gemini": ("google_gemini_api", {}, ("generationConfig", "maxOutputTokens")),
}


def sent_cap(wire: str, model: Any, **config: Any) -> Any:
    """The output cap in the body of the request the client sends (None when the body has none)."""
    provider, api_config, path = WIRES[wire]
    api = AIModelAPI(provider=provider, api_key="sk-test", config=api_config)
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(retries=0, **config))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.route(method="POST").mock(return_value=httpx.Response(200, json=ANSWERS[wire]))
        result = client.generate("hello")
    assert result.chat_response is not None
    body = json.loads(route.calls.last.request.content)
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


@pytest.mark.parametrize(
    ("wire", "model"),
    [
        ("responses", GPT4oMini),
        ("chat_completions", GPT4oMini),
        ("anthropic", Claude35Haiku),
        ("gemini", Gemini20Flash),
    ],
)
def test_a_cap_above_the_models_limit_is_lowered_to_it(wire: str, model: Any) -> None:
    limit = model.chat_settings.max_output_tokens
    assert sent_cap(wire, model, max_output_tokens=limit * 10) == limit
    assert sent_cap(wire, model, max_output_tokens=limit) == limit


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_a_cap_below_the_limit_is_sent_as_given(wire: str) -> None:
    model = {"anthropic": Claude35Haiku, "gemini": Gemini20Flash}.get(wire, GPT4oMini)
    assert sent_cap(wire, model, max_output_tokens=123) == 123


def test_reasoning_mode_uses_its_own_limit() -> None:
    settings = Claude37Sonnet.chat_settings
    assert settings is not None
    variant = Claude37Sonnet.clone(
        settings={**settings.model_dump(), "max_output_tokens": 8_192, "max_output_tokens_reasoning_mode": 64_000}
    )
    # Without reasoning the plain limit caps; with it the reasoning mode's (thinking counts as output).
    assert sent_cap("anthropic", variant, max_output_tokens=100_000) == 8_192
    assert sent_cap("anthropic", variant, max_output_tokens=100_000, reasoning=True) == 64_000


def test_reasoning_models_cap_too() -> None:
    limit = O3Mini.chat_settings.max_output_tokens  # type: ignore[union-attr]
    assert sent_cap("responses", O3Mini, max_output_tokens=limit + 1, reasoning=True) == limit


def test_a_model_outside_the_catalogue_is_not_capped() -> None:
    assert sent_cap("responses", "my-big-model", max_output_tokens=1_000_000) == 1_000_000
