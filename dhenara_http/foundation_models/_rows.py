"""Builders of catalogue rows: plain dicts in the shape ``FoundationModel.model_validate`` takes.

They only arrange literals; nothing is validated here (that happens the first time a model is used).
"""

from __future__ import annotations

from typing import Any

#: The day the catalogue's prices were read from the providers' pages.
AS_OF = "2026-11-21"
#: The day the image-model and hosted web-search prices were read.
IMAGES_AS_OF = "2026-12-06"

#: (input, output, cache read, cache write) in USD per million tokens; None where the provider has no such rate.
Price = tuple[float, float, "float | None", "float | None"]
#: (above this many prompt tokens, input, output, cache read, cache write).
Tier = tuple[int, float, float, "float | None", "float | None"]
#: A hosted web search's price: (USD per 1,000 units, the unit: ``search`` or ``grounded_prompt``).
WebSearchPrice = tuple[float, str]
#: Token rates of an image model in USD per million: (input text, input image, output image, output text).
ImageTokenRates = tuple["float | None", "float | None", "float | None", "float | None"]

TEXT = ("text",)
VISION = ("text", "image")
DOCS = ("text", "image", "pdf")
ALL_MEDIA = ("text", "image", "pdf", "audio", "video")


def chat(
    name: str,
    display: str,
    vendor: str,
    *,
    context: int,
    max_out: int,
    price: Price,
    source: str,
    tiers: tuple[Tier, ...] = (),
    reasoning: str | None = None,
    efforts: tuple[str, ...] | None = None,
    budget: int | None = None,
    min_budget: int | None = None,
    max_out_reasoning: int | None = None,
    nonstreaming_max_out: int | None = None,
    always_on: bool = False,
    inputs: tuple[str, ...] = DOCS,
    tools: bool = True,
    structured: bool = True,
    native_structured: bool | None = None,
    hosts: dict[str, str] | None = None,
    aliases: tuple[str, ...] = (),
    legacy: tuple[str, ...] = (),
    max_input: int | None = None,
    metadata: dict[str, Any] | None = None,
    price_notes: str | None = None,
    web_search: WebSearchPrice | None = None,
    enabled: bool = True,
    beta: bool = False,
    order: int = 0,
) -> dict[str, Any]:
    """One text model. ``reasoning`` is its reasoning control (``effort``, ``token_budget`` or ``adaptive``), or None
    for a model that does not reason on request; ``always_on`` marks a model that reasons even when not asked.
    ``aliases`` are further API ids of the model (sent as given); ``legacy`` are older names that only find it.
    ``budget`` / ``min_budget`` bound the thinking budget; ``nonstreaming_max_out`` is the largest output cap the
    provider's SDK lets a non-streaming call ask for, where it has a rule of its own for the model."""
    return {
        "model_name": name,
        "display_name": display,
        "provider": vendor,
        "functional_type": "text_generation",
        "settings": {
            "max_context_window_tokens": context,
            "max_input_tokens": max_input,
            "max_output_tokens": max_out,
            "supports_reasoning": reasoning is not None or always_on,
            "reasoning_control": reasoning,
            "supported_reasoning_efforts": efforts,
            "min_reasoning_tokens": min_budget,
            "max_reasoning_tokens": budget,
            "max_output_tokens_reasoning_mode": max_out_reasoning,
            "nonstreaming_max_output_tokens": nonstreaming_max_out,
            "reasoning_always_on": always_on,
            "supports_tools": tools,
            "supports_structured_output": structured,
            "native_structured_output": native_structured,
            "input_modalities": inputs,
        },
        "cost_data": {
            "input_token_cost_per_million": price[0],
            "output_token_cost_per_million": price[1],
            "cache_read_token_cost_per_million": price[2],
            "cache_write_token_cost_per_million": price[3],
            "tiers": [
                {
                    "above_input_tokens": t[0],
                    "input_token_cost_per_million": t[1],
                    "output_token_cost_per_million": t[2],
                    "cache_read_token_cost_per_million": t[3],
                    "cache_write_token_cost_per_million": t[4],
                }
                for t in tiers
            ],
            "source": source,
            "as_of": AS_OF,
            "notes": price_notes,
            **(
                {"web_search_cost_per_thousand": web_search[0], "web_search_unit": web_search[1]}
                if web_search is not None
                else {}
            ),
        },
        "host_model_names": dict(hosts or {}),
        "aliases": aliases,
        "metadata": _metadata(metadata, legacy),
        "enabled": enabled,
        "beta": beta,
        "order": order,
    }


def image(
    name: str,
    display: str,
    vendor: str,
    *,
    source: str,
    rows: list[dict[str, Any]] | None = None,
    flat: float | None = None,
    options: dict[str, dict[str, Any]] | None = None,
    max_words: int | None = None,
    inputs: tuple[str, ...] = TEXT,
    hosts: dict[str, str] | None = None,
    aliases: tuple[str, ...] = (),
    legacy: tuple[str, ...] = (),
    metadata: dict[str, Any] | None = None,
    price_notes: str | None = None,
    order: int = 0,
    wire: str | None = None,
    tokens: ImageTokenRates | None = None,
    size_option: str = "size",
    as_of: str = AS_OF,
) -> dict[str, Any]:
    """One image model, priced per image: ``rows`` of ``{"size": (...), "quality": (...), "cost_per_image": x}`` or a
    ``flat`` price, and by ``tokens`` where the provider bills tokens. ``wire`` is the wire its images are made on
    (``openai_images``, ``imagen``; None: the vendor's chat wire)."""
    token_rates = tokens or (None, None, None, None)
    return {
        "model_name": name,
        "display_name": display,
        "provider": vendor,
        "functional_type": "image_generation",
        "settings": {"max_words": max_words, "input_modalities": inputs, "wire_api": wire},
        "valid_options": dict(options or {}),
        "cost_data": {
            "flat_cost_per_image": flat,
            "image_options_cost_data": list(rows or []),
            "size_option": size_option,
            "input_text_token_cost_per_million": token_rates[0],
            "input_image_token_cost_per_million": token_rates[1],
            "output_image_token_cost_per_million": token_rates[2],
            "output_text_token_cost_per_million": token_rates[3],
            "source": source,
            "as_of": as_of,
            "notes": price_notes,
        },
        "host_model_names": dict(hosts or {}),
        "aliases": aliases,
        "metadata": _metadata(metadata, legacy),
        "order": order,
    }


def _metadata(metadata: dict[str, Any] | None, legacy: tuple[str, ...]) -> dict[str, Any]:
    # ``legacy_names`` are dhenara-ai's names that are not API ids (``claude-3-7-sonnet``): they find the entry, and
    # the call then sends the entry's own id.
    out = dict(metadata or {})
    if legacy:
        out["legacy_names"] = list(legacy)
    return out


def option(
    allowed: list[Any],
    default: Any,
    *,
    cost: bool = False,
    description: str | None = None,
    aliases: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A model option (image size, quality ...) with its allowed values (empty: any value), default and other names.
    A None default (the option is not sent unless given) is one of the allowed values."""
    if default is None and allowed and None not in allowed:
        allowed = [None, *allowed]
    return {
        "allowed_values": allowed,
        "default_value": default,
        "cost_sensitive": cost,
        "description": description,
        "aliases": aliases,
    }


def per_image(sizes: tuple[str, ...], quality: str | None, cost: float) -> dict[str, Any]:
    return {"size": sizes, "quality": (quality,) if quality else None, "cost_per_image": cost}


def with_web_search(models: dict[str, dict[str, Any]], price_of: Any) -> dict[str, dict[str, Any]]:
    """``models`` with each text model's hosted web-search price set: ``price_of(row)`` gives (USD per 1,000
    units, the unit) or None for a model without one."""
    for row in models.values():
        price = price_of(row)
        if price is not None:
            row["cost_data"]["web_search_cost_per_thousand"] = price[0]
            row["cost_data"]["web_search_unit"] = price[1]
    return models
