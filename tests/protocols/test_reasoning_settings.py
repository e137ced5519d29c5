"""Reasoning settings as a user of the seeds expects, checked on the bodies the mock provider server receives for every
wire: the budget and the answer share the output cap, efforts and budgets map onto each other, provider minimums are
errors naming the setting, settings that cannot apply are warned about, and the default cap is not the model's
maximum.

Expected numbers come from the providers' documented rules (Anthropic: ``budget_tokens`` >= 1,024 and below
``max_tokens``; Gemini's budget ranges per model; Google's effort → budget mapping low 1,024 / medium 8,192 / high
24,576; the Anthropic SDK's non-streaming ceiling of 21,333 tokens and its 8,192 for Opus 4 / 4.1)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint, ConfigurationError
from dhenara_http.foundation_models import (
    GPT5,
    Claude35Haiku,
    Claude37Sonnet,
    ClaudeOpus41,
    ClaudeSonnet46,
    DeepseekV4Pro,
    Gemini3FlashPreview,
    Gemini3Pro,
    Gemini25Flash,
    Gemini25FlashLite,
    Gemini25Pro,
    GPT4o,
    O3Mini,
)
from dhenara_http.testing import MockProviderServer
from dhenara_http.types.model import FoundationModel

#: wire -> (API provider, API config)
WIRES = {
    "anthropic": ("anthropic", {}),
    "gemini": ("google_gemini_api", {}),
    "responses": ("openai", {}),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}),
    "deepseek": ("deepseek", {}),
}
SEEDS = {"reasoning": True, "max_output_tokens": 4000, "max_reasoning_tokens": 8000}


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as running:
        yield running


def sent(server: MockProviderServer, wire: str, model: FoundationModel, **config: Any) -> dict[str, Any]:
    """The JSON body the server received for one call through the public client."""
    provider, api_config = WIRES[wire]
    api = server.api(provider, **api_config)
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(retries=0, **config))
    before = len(server.requests)
    response = client.generate(prompt="Think it through.")
    if response.stream_generator is not None:
        response = [final for _, final in response.stream_generator if final is not None][-1]  # type: ignore[union-attr]
    assert response.chat_response is not None
    assert len(server.requests) == before + 1
    body: dict[str, Any] = server.requests[-1].json
    return body


def gemini(body: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = body.get("generationConfig", {})
    return config


# -- the budget and the answer share the output cap --------------------------------------------------------------------


def test_seed_settings_on_every_wire(server: MockProviderServer) -> None:
    claude = sent(server, "anthropic", Claude37Sonnet, **SEEDS)
    assert (claude["max_tokens"], claude["thinking"]) == (12_000, {"type": "enabled", "budget_tokens": 8000})
    flash = gemini(sent(server, "gemini", Gemini25Flash, **SEEDS))
    assert (flash["maxOutputTokens"], flash["thinkingConfig"]["thinkingBudget"]) == (12_000, 8000)
    gemini3 = gemini(sent(server, "gemini", Gemini3FlashPreview, **SEEDS))
    assert (gemini3["maxOutputTokens"], gemini3["thinkingConfig"]["thinkingLevel"]) == (12_000, "MEDIUM")
    responses = sent(server, "responses", O3Mini, **SEEDS)
    assert (responses["max_output_tokens"], responses["reasoning"]["effort"]) == (12_000, "medium")
    chat = sent(server, "chat_completions", O3Mini, **SEEDS)
    assert (chat["max_completion_tokens"], chat["reasoning_effort"]) == (12_000, "medium")
    adaptive = sent(server, "anthropic", ClaudeSonnet46, **SEEDS)
    assert (adaptive["max_tokens"], adaptive["output_config"]) == (12_000, {"effort": "medium"})
    assert adaptive["thinking"]["type"] == "adaptive"


def test_the_sum_stays_within_the_models_limit(server: MockProviderServer) -> None:
    limit = Gemini25Flash.chat_settings.max_output_tokens  # type: ignore[union-attr]
    body = gemini(
        sent(server, "gemini", Gemini25Flash, reasoning=True, max_output_tokens=limit, max_reasoning_tokens=8000)
    )
    assert (body["maxOutputTokens"], body["thinkingConfig"]["thinkingBudget"]) == (limit, 8000)


# -- bounds ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "model", "budget", "minimum"),
    [
        ("anthropic", Claude37Sonnet, 500, 1024),
        ("gemini", Gemini25Pro, 100, 128),
        ("gemini", Gemini25FlashLite, 300, 512),
    ],
)
def test_a_budget_below_the_providers_minimum_names_the_setting(
    server: MockProviderServer, wire: str, model: FoundationModel, budget: int, minimum: int
) -> None:
    before = len(server.requests)
    with pytest.raises(ConfigurationError, match=rf"max_reasoning_tokens={budget} .*at least {minimum}"):
        sent(server, wire, model, reasoning=True, max_reasoning_tokens=budget)
    assert len(server.requests) == before  # nothing was sent


def test_a_budget_above_the_models_largest_is_lowered_with_a_warning(
    server: MockProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        body = sent(
            server, "anthropic", Claude37Sonnet, reasoning=True, max_output_tokens=1000, max_reasoning_tokens=40_000
        )
    assert (body["thinking"]["budget_tokens"], body["max_tokens"]) == (32_000, 33_000)
    assert "max_reasoning_tokens=40000" in caplog.text


# -- efforts and budgets map onto each other ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "model", "effort", "budget"),
    [
        ("anthropic", Claude37Sonnet, "low", 1024),
        ("anthropic", Claude37Sonnet, "high", 24_576),
        ("gemini", Gemini25Flash, "medium", 8192),
        ("gemini", Gemini25Flash, "max", 24_576),  # the model's largest
        ("gemini", Gemini25FlashLite, "minimal", 512),  # the model's smallest
    ],
)
def test_an_effort_on_a_budget_model_is_a_budget(
    server: MockProviderServer, wire: str, model: FoundationModel, effort: str, budget: int
) -> None:
    body = sent(server, wire, model, reasoning=True, reasoning_effort=effort)
    found = (
        body["thinking"]["budget_tokens"] if wire == "anthropic" else gemini(body)["thinkingConfig"]["thinkingBudget"]
    )
    assert found == budget


@pytest.mark.parametrize(
    ("wire", "model", "budget", "effort"),
    [
        ("responses", GPT5, 2000, "low"),
        ("responses", GPT5, 8000, "medium"),
        ("responses", GPT5, 30_000, "high"),
        ("chat_completions", O3Mini, 1000, "low"),
        ("deepseek", DeepseekV4Pro, 1000, "high"),  # DeepSeek V4 takes high or max: the nearest is sent
        ("gemini", Gemini3FlashPreview, 30_000, "HIGH"),
        ("gemini", Gemini3Pro, 8000, "HIGH"),  # Gemini 3 Pro takes low or high: medium goes up
        ("anthropic", ClaudeSonnet46, 2000, "low"),
    ],
)
def test_a_budget_on_an_effort_model_is_an_effort(
    server: MockProviderServer, wire: str, model: FoundationModel, budget: int, effort: str
) -> None:
    body = sent(server, wire, model, reasoning=True, max_reasoning_tokens=budget)
    found = {
        "responses": lambda b: b["reasoning"]["effort"],
        "chat_completions": lambda b: b["reasoning_effort"],
        "deepseek": lambda b: b["reasoning_effort"],
        "gemini": lambda b: gemini(b)["thinkingConfig"]["thinkingLevel"],
        "anthropic": lambda b: b["output_config"]["effort"],
    }[wire](body)
    assert found == effort


def test_effort_none_turns_thinking_off_where_the_model_allows(
    server: MockProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert (
        gemini(sent(server, "gemini", Gemini25Flash, reasoning=True, reasoning_effort="none"))["thinkingConfig"][
            "thinkingBudget"
        ]
        == 0
    )
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        pro = gemini(sent(server, "gemini", Gemini25Pro, reasoning=True, reasoning_effort="none"))
    assert pro["thinkingConfig"]["thinkingBudget"] == 128
    assert "cannot turn thinking off" in caplog.text
    assert "thinking" not in sent(server, "anthropic", Claude37Sonnet, reasoning=True, reasoning_effort="none")


# -- settings that cannot apply are warned about -----------------------------------------------------------------------


def test_ignored_settings_are_warned_about(server: MockProviderServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        off = sent(server, "responses", O3Mini, reasoning_effort="low", max_reasoning_tokens=5000)
    assert "reasoning" not in off
    assert "reasoning_effort='low'" in caplog.text
    assert "max_reasoning_tokens=5000" in caplog.text
    assert "reasoning is False" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        both = gemini(
            sent(server, "gemini", Gemini25Flash, reasoning=True, reasoning_effort="low", max_reasoning_tokens=3000)
        )
    assert both["thinkingConfig"]["thinkingBudget"] == 3000
    assert "reasoning_effort='low' not used" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        sent(server, "responses", GPT5, reasoning=True, reasoning_effort="high", max_reasoning_tokens=3000)
    assert "max_reasoning_tokens=3000 not used" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        sent(server, "responses", GPT4o, max_output_tokens=50)
    assert caplog.text == ""


# -- the default output cap --------------------------------------------------------------------------------------------


def test_the_default_cap_is_not_the_models_maximum(server: MockProviderServer) -> None:
    assert "max_output_tokens" not in sent(server, "responses", GPT5)
    assert "max_completion_tokens" not in sent(server, "chat_completions", GPT4o)
    assert "maxOutputTokens" not in gemini(sent(server, "gemini", Gemini25Flash))
    # Anthropic needs one: the SDK's non-streaming ceiling, the model's own, or the model's smaller limit.
    assert sent(server, "anthropic", Claude37Sonnet)["max_tokens"] == 21_333
    assert sent(server, "anthropic", Claude37Sonnet, streaming=True)["max_tokens"] == 21_333
    assert sent(server, "anthropic", ClaudeOpus41)["max_tokens"] == 8192
    assert sent(server, "anthropic", Claude35Haiku)["max_tokens"] == 8192
    # With thinking, room is left for the answer beside the budget.
    high = sent(server, "anthropic", Claude37Sonnet, reasoning=True, reasoning_effort="high")
    assert (high["max_tokens"], high["thinking"]["budget_tokens"]) == (24_576 + 4096, 24_576)
