"""Cost of a call from its usage and the model's prices."""

from __future__ import annotations

from .types.model import ChatModelCostData, ImageModelCostData
from .types.response import ChatResponseUsage, UsageCharge


def _charge(cost: float, multiplier: float | None) -> UsageCharge:
    cost = round(cost, 9)
    charge = round(cost * (1 + multiplier / 100.0), 9) if multiplier else None
    return UsageCharge(cost=cost, charge=charge)


def chat_usage_charge(
    usage: ChatResponseUsage | None, cost_data: ChatModelCostData | ImageModelCostData | None
) -> UsageCharge | None:
    """USD for these tokens. Uncached input, cache reads, cache writes and output are each priced at their own rate
    (a missing cache rate falls back to the input rate); a price tier applies when the prompt is above its
    threshold."""
    if usage is None or not isinstance(cost_data, ChatModelCostData):
        return None
    inp = cost_data.input_token_cost_per_million
    out = cost_data.output_token_cost_per_million
    cache_read = cost_data.cache_read_token_cost_per_million
    cache_write = cost_data.cache_write_token_cost_per_million
    for tier in sorted(cost_data.tiers, key=lambda t: t.above_input_tokens):
        if usage.prompt_tokens > tier.above_input_tokens:
            inp, out = tier.input_token_cost_per_million, tier.output_token_cost_per_million
            cache_read = tier.cache_read_token_cost_per_million or cache_read
            cache_write = tier.cache_write_token_cost_per_million or cache_write
    read_tokens = usage.cache_read_tokens or 0
    write_tokens = usage.cache_write_tokens or 0
    uncached = max(usage.prompt_tokens - read_tokens - write_tokens, 0)
    cost = (
        uncached * inp
        + read_tokens * (cache_read if cache_read is not None else inp)
        + write_tokens * (cache_write if cache_write is not None else inp)
        + usage.completion_tokens * out
    ) / 1_000_000
    return _charge(cost, cost_data.cost_multiplier_percentage)
