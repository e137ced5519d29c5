"""The cost of a call, from its normalised usage and the model's prices.

Chat: usage counts every prompt token in ``prompt_tokens`` (cache reads and writes are parts of it) and every output
token in ``completion_tokens`` (reasoning is a part of it). So the bill is::

    uncached prompt tokens x input rate + cache reads x cache-read rate + cache writes x cache-write rate
    + completion tokens x output rate

with a missing cache rate falling back to the input rate. When the prompt is longer than a tier's threshold the whole
call is priced at that tier's rates (the highest tier passed wins) — the way Google, OpenAI and Anthropic bill long
prompts.

Hosted web search adds its per-call price: ``web_search_requests`` searches (or, for a model billed per grounded
prompt, 1 when the call searched at all) x the price per thousand / 1000. A call that searched on a model without a
search price gets no cost (``None``): an unknown price is never counted as free.

Images: a price per image, found by the size and quality the call used (the model's defaults fill what the call left
out), times the number of images. Where the provider bills image models by tokens (OpenAI's GPT image models, Gemini
image models) and the answer counts them, the tokens are priced instead: input text and image tokens, output image
tokens (in place of the per-image price, which is the provider's price of the usual token count of such an image) and
output text tokens. A counted token kind without a rate leaves the call unpriced.

``cost`` is rounded to 9 decimals (a nano-dollar); ``charge`` is ``cost`` raised by ``cost_multiplier_percentage``.

Costs never overflow: a token or image count no answer can carry (above :data:`MAX_PRICED_COUNT`; every count read from
an answer is below 2**53) or a cost that is not a finite number is refused with a ``ResponseParseError``, before any
arithmetic that could raise ``OverflowError`` (a Python int too large for a float) or give ``inf``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._settings import get_settings
from .errors import ResponseParseError
from .types._trusted import trusted
from .types.model import ChatModelCostData, ImageModelCostData
from .types.response import ChatResponseUsage, ImageResponseUsage, UsageCharge, UsageChargeComponent

if TYPE_CHECKING:
    from .types.model import FoundationModel


#: The largest token (or image) count priced.
MAX_PRICED_COUNT = 2**60


def _priceable(*counts: int) -> None:
    if any(count > MAX_PRICED_COUNT for count in counts):
        raise ResponseParseError(f"the usage reports more than {MAX_PRICED_COUNT} tokens or images: too large to price")


def usage_charge(
    cost: float, multiplier: float | None, components: list[UsageChargeComponent] | None = None
) -> UsageCharge:
    """A :class:`UsageCharge` for this cost (made of these components), with ``charge`` set when a multiplier is
    given."""
    cost = round(cost, 9)
    charge = round(cost * (1 + multiplier / 100.0), 9) if multiplier else None
    if not math.isfinite(cost) or (charge is not None and not math.isfinite(charge)):
        raise ResponseParseError("the cost of this usage is not a finite number")
    if components is None:
        return trusted(UsageCharge, cost=cost, charge=charge)
    return trusted(UsageCharge, cost=cost, charge=charge, components=components)


def chat_rates(cost_data: ChatModelCostData, prompt_tokens: int) -> tuple[float, float, float, float]:
    """(input, output, cache read, cache write) rates per million tokens for a prompt of this size."""
    inp = cost_data.input_token_cost_per_million
    out = cost_data.output_token_cost_per_million
    read = cost_data.cache_read_token_cost_per_million
    write = cost_data.cache_write_token_cost_per_million
    for tier in sorted(cost_data.tiers, key=lambda t: t.above_input_tokens):
        if prompt_tokens > tier.above_input_tokens:
            inp, out = tier.input_token_cost_per_million, tier.output_token_cost_per_million
            if tier.cache_read_token_cost_per_million is not None:
                read = tier.cache_read_token_cost_per_million
            if tier.cache_write_token_cost_per_million is not None:
                write = tier.cache_write_token_cost_per_million
    return inp, out, (read if read is not None else inp), (write if write is not None else inp)


def _chat_rows(usage: ChatResponseUsage, cost_data: ChatModelCostData) -> list[tuple[str, int, float]]:
    """(component, tokens, rate per million) of the uncached input, cache reads, cache writes and output."""
    inp, out, read, write = chat_rates(cost_data, usage.prompt_tokens)
    read_tokens = usage.cache_read_tokens or 0
    write_tokens = usage.cache_write_tokens or 0
    uncached = max(usage.prompt_tokens - read_tokens - write_tokens, 0)
    return [
        ("input_tokens", uncached, inp),
        ("cache_read_tokens", read_tokens, read),
        ("cache_write_tokens", write_tokens, write),
        ("output_tokens", usage.completion_tokens, out),
    ]


def _cost_of(rows: list[tuple[str, int, float]]) -> float:
    return sum(tokens * rate for _, tokens, rate in rows) / 1_000_000


def _components_of(rows: list[tuple[str, int, float]]) -> list[UsageChargeComponent]:
    return [
        trusted(UsageChargeComponent, key=key, cost=round(tokens * rate / 1_000_000, 9), units=tokens, unit="token")
        for key, tokens, rate in rows
        if tokens or key in ("input_tokens", "output_tokens")
    ]


def chat_cost(usage: ChatResponseUsage, cost_data: ChatModelCostData) -> float:
    """USD for these tokens at these prices, unrounded."""
    _priceable(usage.prompt_tokens, usage.completion_tokens, usage.cache_read_tokens, usage.cache_write_tokens)
    return _cost_of(_chat_rows(usage, cost_data))


def chat_cost_components(usage: ChatResponseUsage, cost_data: ChatModelCostData) -> list[UsageChargeComponent]:
    """The parts of :func:`chat_cost`: uncached input, cache reads, cache writes (those two only when the call had
    any) and output, each with its token count; they add up to the cost."""
    return _components_of(_chat_rows(usage, cost_data))


def _tracking_cost() -> bool:
    settings = get_settings()
    return bool(settings.ENABLE_COST_TRACKING and settings.ENABLE_USAGE_TRACKING)


def web_search_cost(usage: ChatResponseUsage, cost_data: ChatModelCostData) -> float | None:
    """USD for the call's hosted web searches (0 when it ran none); None when it searched and has no search price."""
    searches = usage.web_search_requests
    if not searches:
        return 0.0
    _priceable(searches)
    price = cost_data.web_search_cost_per_thousand
    if price is None:
        return None
    units = 1 if cost_data.web_search_unit == "grounded_prompt" else searches
    return units * price / 1000


def chat_usage_charge(
    usage: ChatResponseUsage | None, cost_data: ChatModelCostData | ImageModelCostData | None
) -> UsageCharge | None:
    """The cost (and charge) of a chat call, with its components; None without usage, without chat prices, when the
    settings turn cost tracking off, or when the call used a priced feature (hosted web search) the prices do not
    cover."""
    if usage is None or not isinstance(cost_data, ChatModelCostData) or not _tracking_cost():
        return None
    search = web_search_cost(usage, cost_data)
    if search is None:
        return None
    _priceable(usage.prompt_tokens, usage.completion_tokens, usage.cache_read_tokens, usage.cache_write_tokens)
    rows = _chat_rows(usage, cost_data)
    components = _components_of(rows)
    if search:
        units = 1 if cost_data.web_search_unit == "grounded_prompt" else usage.web_search_requests
        components.append(
            UsageChargeComponent(key="web_search", cost=round(search, 9), units=units, unit=cost_data.web_search_unit)
        )
    return usage_charge(_cost_of(rows) + search, cost_data.cost_multiplier_percentage, components)


def _option(options: dict[str, Any], model: FoundationModel | None, name: str) -> str | None:
    value = options.get(name)
    if value is None and model is not None and name in model.valid_options:
        value = model.valid_options[name].default_value
    return None if value is None else str(value)


def _token_cost(usage: ImageResponseUsage, cost_data: ImageModelCostData, *, images: bool) -> float | None:
    """USD for the usage's tokens — its output image tokens only when ``images`` (else the images are priced per
    image); None when a counted kind of token has no rate. Input tokens counted only as a total (no text / image
    split) are priced as text."""
    text_in = usage.input_text_tokens
    image_in = usage.input_image_tokens or 0
    if text_in is None:
        text_in = max((usage.prompt_tokens or 0) - image_in, 0)
    parts = [(text_in, cost_data.input_text_token_cost_per_million)]
    parts.append((image_in, cost_data.input_image_token_cost_per_million))
    parts.append((usage.output_text_tokens or 0, cost_data.output_text_token_cost_per_million))
    if images:
        parts.append((usage.output_image_tokens or 0, cost_data.output_image_token_cost_per_million))
    total = 0.0
    for count, rate in parts:
        if not count:
            continue
        if rate is None:
            return None
        total += count * rate
    return total / 1_000_000


def image_cost(
    usage: ImageResponseUsage, cost_data: ImageModelCostData, model: FoundationModel | None = None
) -> float | None:
    """USD for an image call, unrounded; None when it cannot be priced (see the module docstring)."""
    _priceable(
        usage.number_of_images,
        usage.prompt_tokens or 0,
        usage.input_text_tokens or 0,
        usage.input_image_tokens or 0,
        usage.output_text_tokens or 0,
        usage.output_image_tokens or 0,
    )
    if cost_data.bills_tokens and usage.output_image_tokens:
        return _token_cost(usage, cost_data, images=True)
    size = _option(usage.options, model, cost_data.size_option)
    quality = _option(usage.options, model, cost_data.quality_option)
    per_image = cost_data.cost_per_image(size, quality)
    if per_image is None:
        return None
    tokens = _token_cost(usage, cost_data, images=False) if cost_data.bills_tokens else 0.0
    if tokens is None:
        return None
    return per_image * usage.number_of_images + tokens


def image_usage_charge(
    usage: ImageResponseUsage | None,
    cost_data: ChatModelCostData | ImageModelCostData | None,
    model: FoundationModel | None = None,
) -> UsageCharge | None:
    """The cost (and charge) of an image call: the per-image price for ``usage.options``' size and quality (the
    model's default options fill the gaps) times ``usage.number_of_images``, or the tokens where the provider bills
    tokens. None without usage, without image prices, or when nothing prices what the call used (an unpriced call
    is reported as such, not as free)."""
    if usage is None or not isinstance(cost_data, ImageModelCostData) or not _tracking_cost():
        return None
    cost = image_cost(usage, cost_data, model)
    if cost is None:
        return None
    return usage_charge(cost, cost_data.cost_multiplier_percentage)
