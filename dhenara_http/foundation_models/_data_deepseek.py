"""DeepSeek's models as plain data.

DeepSeek bills by time of day since 2026-08-16: the rates below are the peak-hour rates (01:00-04:00 and 06:00-10:00
UTC on weekdays); every other hour costs half. Give ``AIModelEndpoint(cost_data=...)`` with the off-peak rates to
price off-peak traffic. Cache hits are the cache-read rate; DeepSeek bills no cache writes.

``deepseek-chat`` and ``deepseek-reasoner`` are DeepSeek's names of V4 Flash without and with thinking (dhenara-ai's
programs use them): they resolve to that entry and its prices and are sent as given.
"""

from __future__ import annotations

from typing import Any

from ._rows import TEXT, VISION, chat

SOURCE = "https://api-docs.deepseek.com/quick_start/pricing"
AZURE_SOURCE = "https://azure.microsoft.com/en-us/pricing/details/ai-foundry-models/deepseek/"

V = "deepseek"
_PEAK = "Peak-hour rates; off-peak hours cost half."
_EFFORTS = ("high", "max")


def _v4(name: str, display: str, price: tuple[float, float, float], **kw: Any) -> dict[str, Any]:
    return chat(
        name,
        display,
        V,
        context=1_000_000,
        max_out=384_000,
        price=(price[0], price[1], price[2], None),
        source=SOURCE,
        reasoning="effort",
        efforts=_EFFORTS,
        price_notes=_PEAK,
        **kw,
    )


MODELS: dict[str, dict[str, Any]] = {
    "DeepseekFlash": _v4("deepseek-flash", "DeepSeek V4.1 Flash", (0.3, 1.2, 0.006), inputs=VISION),
    "DeepseekV4Pro": _v4("deepseek-v4-pro", "DeepSeek V4 Pro", (1.32, 3.96, 0.044), inputs=TEXT),
    "DeepseekV4Flash": _v4(
        "deepseek-v4-flash",
        "DeepSeek V4 Flash",
        (0.3, 1.2, 0.006),
        inputs=TEXT,
        aliases=("deepseek-chat", "deepseek-reasoner"),
        metadata={"deprecated": True, "details": "Retired name; served by DeepSeek V4.1 Flash at its price."},
    ),
    "DeepseekR1": chat(
        "DeepSeek-R1",
        "DeepSeek-R1",
        V,
        context=128_000,
        max_out=32_768,
        price=(1.35, 5.4, None, None),
        source=AZURE_SOURCE,
        always_on=True,
        inputs=TEXT,
        enabled=False,
        metadata={"deprecated": True, "details": "The Azure AI Foundry deployment name of DeepSeek-R1."},
    ),
}
