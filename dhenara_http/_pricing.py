"""The cost of a call, from its normalised usage and the model's prices.

Chat: usage counts every prompt token in ``prompt_tokens`` (cache reads and writes are parts of it) and every output
token in ``completion_tokens`` (reasoning is a part of it). So the bill is::

    uncached prompt tokens x input rate + cache reads x cache-read rate + cache writes x cache-write rate
    + completion tokens x output rate

with a missing cache rate falling back to the input rate. When the prompt is longer than a tier's threshold the whole
call is priced at that tier's rates (the highest tier passed wins) — the way Google, OpenAI and Anthropic bill long
prompts.

Images: a price per image, found by the size and quality the call used (the model's defaults fill what the call left
out), times the number of images.

``cost`` is rounded to 9 decimals (a nano-dollar); ``charge`` is ``cost`` raised by ``cost_multiplier_percentage``.

Costs never overflow: a token or image count no answer can carry (above :data:`MAX_PRICED_COUNT`; every count read from
an answer is below 2**53) or a cost that is not a finite number is refused with a ``ResponseParseError``, before any
arithmetic that could raise ``OverflowError`` (a Python int too large for a float) or give ``inf``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .errors import ResponseParseError
from .types.model import ChatModelCostData, ImageModelCostData
from .types.response import ChatResponseUsage, ImageResponseUsage, UsageCharge

if TYPE_CHECKING:
    from .types.model import FoundationModel


#: The largest token (or image) count priced.
MAX_PRICED_COUNT = 2**60


def _priceable(*counts: int) -> None:
    if any(count > MAX_PRICED_COUNT for count in counts):
        raise ResponseParseError(f"the usage reports more than {MAX_PRICED_COUNT} tokens or images: too large to price")


def usage_charge(cost: float, multiplier: float | None) -> UsageCharge:
    """A :class:`UsageCharge` for this cost, with ``charge`` set when a multiplier is given."""
    cost = round(cost, 9)
    charge = round(cost * (1 + multiplier / 100.0), 9) if multiplier else None
    if not math.isfinite(cost) or (charge is not None and not math.isfinite(charge)):
        raise ResponseParseError("the cost of this usage is not a finite number")
    return UsageCharge(cost=cost, charge=charge)


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


def chat_cost(usage: ChatResponseUsage, cost_data: ChatModelCostData) -> float:
    """USD for these tokens at these prices, unrounded."""
    _priceable(usage.prompt_tokens, usage.completion_tokens, usage.cache_read_tokens, usage.cache_write_tokens)
    inp, out, read, write = chat_rates(cost_data, usage.prompt_tokens)
    read_tokens = usage.cache_read_tokens or 0
    write_tokens = usage.cache_write_tokens or 0
    uncached = max(usage.prompt_tokens - read_tokens - write_tokens, 0)
    return (uncached * inp + read_tokens * read + write_tokens * write + usage.completion_tokens * out) / 1_000_000


def chat_usage_charge(
    usage: ChatResponseUsage | None, cost_data: ChatModelCostData | ImageModelCostData | None
) -> UsageCharge | None:
    """The cost (and charge) of a chat call; None without usage or without chat prices."""
    if usage is None or not isinstance(cost_data, ChatModelCostData):
        return None
    return usage_charge(chat_cost(usage, cost_data), cost_data.cost_multiplier_percentage)


def _option(options: dict[str, Any], model: FoundationModel | None, name: str) -> str | None:
    value = options.get(name)
    if value is None and model is not None and name in model.valid_options:
        value = model.valid_options[name].default_value
    return None if value is None else str(value)


def image_usage_charge(
    usage: ImageResponseUsage | None,
    cost_data: ChatModelCostData | ImageModelCostData | None,
    model: FoundationModel | None = None,
) -> UsageCharge | None:
    """The cost (and charge) of an image call: the per-image price for ``usage.options``' size and quality (the
    model's default options fill the gaps) times ``usage.number_of_images``. None without usage, without image
    prices, or when no price row matches the options used (an unpriced call is reported as such, not as free)."""
    if usage is None or not isinstance(cost_data, ImageModelCostData):
        return None
    size = _option(usage.options, model, "size")
    quality = _option(usage.options, model, "quality")
    per_image = cost_data.cost_per_image(size, quality)
    if per_image is None:
        return None
    _priceable(usage.number_of_images)
    return usage_charge(per_image * usage.number_of_images, cost_data.cost_multiplier_percentage)
