"""The catalogue as plain data: one dict per model, keyed by the Python name users import.

Prices are USD per million tokens; ``as_of`` and ``source`` say where they were taken. Nothing here is validated at
import: a row becomes a ``FoundationModel`` the first time it is asked for.
"""

from __future__ import annotations

from typing import Any

OPENAI_PRICING = "https://openai.com/api/pricing/"
ANTHROPIC_PRICING = "https://docs.anthropic.com/en/docs/about-claude/pricing"
GOOGLE_PRICING = "https://ai.google.dev/gemini-api/docs/pricing"
AS_OF = "2026-11-01"


def _chat(
    name: str,
    display: str,
    vendor: str,
    *,
    context: int,
    max_out: int,
    price: tuple[float, float, float | None, float | None],
    source: str,
    reasoning: str | None = None,
    efforts: tuple[str, ...] | None = None,
    max_reasoning: int | None = None,
    max_out_reasoning: int | None = None,
    inputs: tuple[str, ...] = ("text", "image"),
) -> dict[str, Any]:
    return {
        "model_name": name,
        "display_name": display,
        "provider": vendor,
        "functional_type": "text_generation",
        "settings": {
            "max_context_window_tokens": context,
            "max_output_tokens": max_out,
            "supports_reasoning": reasoning is not None,
            "reasoning_control": reasoning,
            "supported_reasoning_efforts": efforts,
            "max_reasoning_tokens": max_reasoning,
            "max_output_tokens_reasoning_mode": max_out_reasoning,
            "input_modalities": inputs,
        },
        "cost_data": {
            "input_token_cost_per_million": price[0],
            "output_token_cost_per_million": price[1],
            "cache_read_token_cost_per_million": price[2],
            "cache_write_token_cost_per_million": price[3],
            "source": source,
            "as_of": AS_OF,
        },
    }


_O_EFFORTS = ("low", "medium", "high")

MODELS: dict[str, dict[str, Any]] = {
    # OpenAI
    "GPT4o": _chat(
        "gpt-4o",
        "GPT-4o",
        "open_ai",
        context=128_000,
        max_out=16_384,
        price=(2.5, 10.0, 1.25, None),
        source=OPENAI_PRICING,
    ),
    "GPT4oMini": _chat(
        "gpt-4o-mini",
        "GPT-4o mini",
        "open_ai",
        context=128_000,
        max_out=16_384,
        price=(0.15, 0.6, 0.075, None),
        source=OPENAI_PRICING,
    ),
    "GPT41": _chat(
        "gpt-4.1",
        "GPT-4.1",
        "open_ai",
        context=1_047_576,
        max_out=32_768,
        price=(2.0, 8.0, 0.5, None),
        source=OPENAI_PRICING,
    ),
    "GPT41Mini": _chat(
        "gpt-4.1-mini",
        "GPT-4.1 mini",
        "open_ai",
        context=1_047_576,
        max_out=32_768,
        price=(0.4, 1.6, 0.1, None),
        source=OPENAI_PRICING,
    ),
    "GPT41Nano": _chat(
        "gpt-4.1-nano",
        "GPT-4.1 nano",
        "open_ai",
        context=1_047_576,
        max_out=32_768,
        price=(0.1, 0.4, 0.025, None),
        source=OPENAI_PRICING,
    ),
    "O1": _chat(
        "o1",
        "o1",
        "open_ai",
        context=200_000,
        max_out=100_000,
        price=(15.0, 60.0, 7.5, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=_O_EFFORTS,
    ),
    "O3Mini": _chat(
        "o3-mini",
        "o3-mini",
        "open_ai",
        context=200_000,
        max_out=100_000,
        price=(1.1, 4.4, 0.55, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=_O_EFFORTS,
        inputs=("text",),
    ),
    "O3": _chat(
        "o3",
        "o3",
        "open_ai",
        context=200_000,
        max_out=100_000,
        price=(2.0, 8.0, 0.5, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=_O_EFFORTS,
    ),
    "O4Mini": _chat(
        "o4-mini",
        "o4-mini",
        "open_ai",
        context=200_000,
        max_out=100_000,
        price=(1.1, 4.4, 0.275, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=_O_EFFORTS,
    ),
    "GPT5": _chat(
        "gpt-5",
        "GPT-5",
        "open_ai",
        context=400_000,
        max_out=128_000,
        price=(1.25, 10.0, 0.125, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=("minimal", "low", "medium", "high"),
    ),
    "GPT5Mini": _chat(
        "gpt-5-mini",
        "GPT-5 mini",
        "open_ai",
        context=400_000,
        max_out=128_000,
        price=(0.25, 2.0, 0.025, None),
        source=OPENAI_PRICING,
        reasoning="effort",
        efforts=("minimal", "low", "medium", "high"),
    ),
    # Anthropic
    "Claude37Sonnet": _chat(
        "claude-3-7-sonnet-latest",
        "Claude 3.7 Sonnet",
        "anthropic",
        context=200_000,
        max_out=8_192,
        price=(3.0, 15.0, 0.3, 3.75),
        source=ANTHROPIC_PRICING,
        reasoning="token_budget",
        max_reasoning=64_000,
        max_out_reasoning=64_000,
    ),
    "Claude35Haiku": _chat(
        "claude-3-5-haiku-latest",
        "Claude 3.5 Haiku",
        "anthropic",
        context=200_000,
        max_out=8_192,
        price=(0.8, 4.0, 0.08, 1.0),
        source=ANTHROPIC_PRICING,
    ),
    # Google
    "Gemini20Flash": _chat(
        "gemini-2.0-flash",
        "Gemini 2.0 Flash",
        "google_ai",
        context=1_048_576,
        max_out=8_192,
        price=(0.1, 0.4, 0.025, None),
        source=GOOGLE_PRICING,
    ),
    "Gemini20FlashLite": _chat(
        "gemini-2.0-flash-lite",
        "Gemini 2.0 Flash-Lite",
        "google_ai",
        context=1_048_576,
        max_out=8_192,
        price=(0.075, 0.3, None, None),
        source=GOOGLE_PRICING,
    ),
    # Images
    "DallE3": {
        "model_name": "dall-e-3",
        "display_name": "DALL·E 3",
        "provider": "open_ai",
        "functional_type": "image_generation",
        "settings": {"max_words": 4000},
        "cost_data": {
            "image_options_cost_data": [
                {"size": "1024x1024", "quality": "standard", "cost": 0.04},
                {"size": "1024x1792", "quality": "standard", "cost": 0.08},
                {"size": "1792x1024", "quality": "standard", "cost": 0.08},
                {"size": "1024x1024", "quality": "hd", "cost": 0.08},
                {"size": "1024x1792", "quality": "hd", "cost": 0.12},
                {"size": "1792x1024", "quality": "hd", "cost": 0.12},
            ],
            "source": OPENAI_PRICING,
            "as_of": AS_OF,
        },
    },
}
