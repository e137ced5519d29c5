"""OpenAI's models as plain data (text models, then image models).

Prices from OpenAI's pricing page and model pages. Models with a 1.05M context window (GPT-5.4, GPT-5.5 and their
pro variants) bill a prompt above 272K input tokens at 2x input and 1.5x output for the whole call; that is the tier
row below. OpenAI bills no cache writes, so that rate is left out (cached tokens are read at the cached-input rate).
``aliases`` are the dated snapshots OpenAI bills at the same prices as the model (``gpt-4o-2024-08-06``); a snapshot
priced differently (``gpt-4o-2024-05-13``) is not one.
The hosted web-search tool (``web_search``) costs $10 per 1,000 calls on every model, its search content tokens
billed at the model's rates.
"""

from __future__ import annotations

from typing import Any

from ._rows import (
    DOCS,
    IMAGES_AS_OF,
    TEXT,
    VISION,
    ImageTokenRates,
    Tier,
    chat,
    image,
    option,
    per_image,
    with_web_search,
)

SOURCE = "https://developers.openai.com/api/docs/pricing"
IMAGE_SOURCE = "https://developers.openai.com/api/docs/pricing#image-generation"
#: USD per 1,000 hosted web searches (``web_search`` tool calls).
WEB_SEARCH = (10.0, "search")

V = "open_ai"
_EFFORTS_O = ("low", "medium", "high")
_EFFORTS_GPT5 = ("minimal", "low", "medium", "high")
_EFFORTS_GPT51 = ("none", "low", "medium", "high")
_EFFORTS_XHIGH = ("none", "low", "medium", "high", "xhigh")
_EFFORTS_CODEX = ("low", "medium", "high", "xhigh")
_EFFORTS_PRO = ("medium", "high", "xhigh")
_LONG = "Prompts above 272K input tokens are billed at 2x input and 1.5x output for the whole call."


def _long(inp: float, out: float, cached: float | None) -> tuple[Tier, ...]:
    return ((272_000, inp * 2, out * 1.5, cached * 2 if cached is not None else None, None),)


def _gpt5(name: str, display: str, price: tuple[float, float, float | None], **kw: Any) -> dict[str, Any]:
    kw.setdefault("context", 400_000)
    kw.setdefault("max_out", 128_000)
    kw.setdefault("reasoning", "effort")
    kw.setdefault("always_on", True)
    return chat(name, display, V, price=(price[0], price[1], price[2], None), source=SOURCE, **kw)


MODELS: dict[str, dict[str, Any]] = {
    "GPT55": _gpt5(
        "gpt-5.5",
        "GPT-5.5",
        (5.0, 30.0, 0.5),
        context=1_050_000,
        efforts=_EFFORTS_XHIGH,
        always_on=False,
        tiers=_long(5.0, 30.0, 0.5),
        price_notes=_LONG,
    ),
    "GPT55Pro": _gpt5(
        "gpt-5.5-pro",
        "GPT-5.5 Pro",
        (30.0, 180.0, None),
        context=1_050_000,
        efforts=_EFFORTS_PRO,
        tiers=_long(30.0, 180.0, None),
        price_notes=_LONG,
        metadata={"wire_apis": ["responses"]},
    ),
    "GPT54": _gpt5(
        "gpt-5.4",
        "GPT-5.4",
        (2.5, 15.0, 0.25),
        context=1_050_000,
        efforts=_EFFORTS_XHIGH,
        always_on=False,
        tiers=_long(2.5, 15.0, 0.25),
        price_notes=_LONG,
    ),
    "GPT54Pro": _gpt5(
        "gpt-5.4-pro",
        "GPT-5.4 Pro",
        (30.0, 180.0, None),
        context=1_050_000,
        efforts=_EFFORTS_PRO,
        tiers=_long(30.0, 180.0, None),
        price_notes=_LONG,
        metadata={"wire_apis": ["responses"]},
    ),
    "GPT54Mini": _gpt5("gpt-5.4-mini", "GPT-5.4 mini", (0.75, 4.5, 0.075), efforts=_EFFORTS_XHIGH, always_on=False),
    "GPT54Nano": _gpt5("gpt-5.4-nano", "GPT-5.4 nano", (0.2, 1.25, 0.02), efforts=_EFFORTS_XHIGH, always_on=False),
    "GPT53Codex": _gpt5("gpt-5.3-codex", "GPT-5.3 Codex", (1.75, 14.0, 0.175), efforts=_EFFORTS_CODEX),
    "GPT52": _gpt5("gpt-5.2", "GPT-5.2", (1.75, 14.0, 0.175), efforts=_EFFORTS_XHIGH, always_on=False),
    "GPT52Pro": _gpt5(
        "gpt-5.2-pro", "GPT-5.2 Pro", (21.0, 168.0, None), efforts=_EFFORTS_PRO, metadata={"wire_apis": ["responses"]}
    ),
    "GPT51": _gpt5("gpt-5.1", "GPT-5.1", (1.25, 10.0, 0.125), efforts=_EFFORTS_GPT51, always_on=False),
    "GPT51Codex": _gpt5("gpt-5.1-codex", "GPT-5.1 Codex", (1.25, 10.0, 0.125), efforts=_EFFORTS_O),
    "GPT51CodexMini": _gpt5("gpt-5.1-codex-mini", "GPT-5.1 Codex mini", (0.25, 2.0, 0.025), efforts=_EFFORTS_O),
    "GPT5": _gpt5("gpt-5", "GPT-5", (1.25, 10.0, 0.125), efforts=_EFFORTS_GPT5, aliases=("gpt-5-2025-08-07",)),
    "GPT5Mini": _gpt5(
        "gpt-5-mini", "GPT-5 mini", (0.25, 2.0, 0.025), efforts=_EFFORTS_GPT5, aliases=("gpt-5-mini-2025-08-07",)
    ),
    "GPT5Nano": _gpt5(
        "gpt-5-nano", "GPT-5 nano", (0.05, 0.4, 0.005), efforts=_EFFORTS_GPT5, aliases=("gpt-5-nano-2025-08-07",)
    ),
    "GPT41": chat(
        "gpt-4.1",
        "GPT-4.1",
        V,
        context=1_047_576,
        max_out=32_768,
        price=(2.0, 8.0, 0.5, None),
        source=SOURCE,
        aliases=("gpt-4.1-2025-04-14",),
    ),
    "GPT41Mini": chat(
        "gpt-4.1-mini",
        "GPT-4.1 mini",
        V,
        context=1_047_576,
        max_out=32_768,
        price=(0.4, 1.6, 0.1, None),
        source=SOURCE,
        aliases=("gpt-4.1-mini-2025-04-14",),
    ),
    "GPT41Nano": chat(
        "gpt-4.1-nano",
        "GPT-4.1 nano",
        V,
        context=1_047_576,
        max_out=32_768,
        price=(0.1, 0.4, 0.025, None),
        source=SOURCE,
        aliases=("gpt-4.1-nano-2025-04-14",),
    ),
    "GPT4o": chat(
        "gpt-4o",
        "GPT-4o",
        V,
        context=128_000,
        max_out=16_384,
        price=(2.5, 10.0, 1.25, None),
        source=SOURCE,
        aliases=("gpt-4o-2024-08-06", "gpt-4o-2024-11-20"),
    ),
    "GPT4oMini": chat(
        "gpt-4o-mini",
        "GPT-4o mini",
        V,
        context=128_000,
        max_out=16_384,
        price=(0.15, 0.6, 0.075, None),
        source=SOURCE,
        aliases=("gpt-4o-mini-2024-07-18",),
    ),
    "O1": chat(
        "o1",
        "o1",
        V,
        context=200_000,
        max_out=100_000,
        price=(15.0, 60.0, 7.5, None),
        source=SOURCE,
        reasoning="effort",
        efforts=_EFFORTS_O,
        always_on=True,
        inputs=VISION,
        aliases=("o1-2024-12-17",),
    ),
    "O1Mini": chat(
        "o1-mini",
        "o1-mini",
        V,
        context=128_000,
        max_out=65_536,
        price=(1.1, 4.4, 0.55, None),
        source=SOURCE,
        always_on=True,
        tools=False,
        structured=False,
        inputs=TEXT,
        metadata={"deprecated": True, "details": "Reasons on every call; takes no reasoning effort, tools or schema."},
    ),
    "O3": chat(
        "o3",
        "o3",
        V,
        context=200_000,
        max_out=100_000,
        price=(2.0, 8.0, 0.5, None),
        source=SOURCE,
        reasoning="effort",
        efforts=_EFFORTS_O,
        always_on=True,
        inputs=DOCS,
        aliases=("o3-2025-04-16",),
    ),
    "O3Mini": chat(
        "o3-mini",
        "o3-mini",
        V,
        context=200_000,
        max_out=100_000,
        price=(1.1, 4.4, 0.55, None),
        source=SOURCE,
        reasoning="effort",
        efforts=_EFFORTS_O,
        always_on=True,
        inputs=TEXT,
        aliases=("o3-mini-2025-01-31",),
    ),
    "O4Mini": chat(
        "o4-mini",
        "o4-mini",
        V,
        context=200_000,
        max_out=100_000,
        price=(1.1, 4.4, 0.275, None),
        source=SOURCE,
        reasoning="effort",
        efforts=_EFFORTS_O,
        always_on=True,
        inputs=DOCS,
        aliases=("o4-mini-2025-04-16",),
    ),
}

with_web_search(MODELS, lambda row: WEB_SEARCH)

# -- image models ----------------------------------------------------------------------------------------------------

_SQUARE = ("1024x1024",)
_TALL_WIDE_DALLE = ("1024x1792", "1792x1024")
_TALL_WIDE_GPT = ("1024x1536", "1536x1024")
_RESPONSE_FORMAT = option(["b64_json", "url"], "url", description="Response format")
_WIRE = "openai_images"
_GPT_NOTE = (
    "OpenAI bills the GPT image models by tokens: when the answer counts them, the call is priced from its tokens "
    "(input text and image tokens, output image tokens); the per-image rows are OpenAI's published prices of an "
    "output image, used when no token count came back."
)


def _gpt_options(sizes: list[str], default_size: str) -> dict[str, dict[str, Any]]:
    return {
        "quality": option(["low", "medium", "high", "auto"], "medium", cost=True, description="Image quality"),
        "size": option(sizes, default_size, cost=True, description="Dimensions"),
        "n": option(list(range(1, 11)), 1, cost=True, description="Number of images"),
        "background": option(["transparent", "opaque", "auto"], None, description="Background"),
        "output_format": option(["png", "jpeg", "webp"], None, description="Image file format"),
        "output_compression": option(list(range(101)), None, description="Compression (jpeg, webp), 0-100"),
        "moderation": option(["low", "auto"], None, description="Content moderation level"),
    }


def _gpt_image(
    name: str,
    display: str,
    low: tuple[float, float],
    med: tuple[float, float],
    high: tuple[float, float],
    tokens: ImageTokenRates,
    **kw: Any,
) -> dict[str, Any]:
    rows = []
    for quality, (square, other) in (("low", low), ("medium", med), ("high", high)):
        rows.append(per_image(_SQUARE, quality, square))
        rows.append(per_image(_TALL_WIDE_GPT, quality, other))
    return image(
        name,
        display,
        V,
        source=IMAGE_SOURCE,
        rows=rows,
        max_words=32_000,
        inputs=VISION,
        options=_gpt_options(["1024x1024", "1024x1536", "1536x1024", "auto"], "1024x1024"),
        price_notes=_GPT_NOTE,
        wire=_WIRE,
        tokens=tokens,
        as_of=IMAGES_AS_OF,
        **kw,
    )


IMAGE_MODELS: dict[str, dict[str, Any]] = {
    "DallE2": image(
        "dall-e-2",
        "DALL·E 2",
        V,
        source=IMAGE_SOURCE,
        rows=[
            per_image(("256x256",), None, 0.016),
            per_image(("512x512",), None, 0.018),
            per_image(("1024x1024",), None, 0.02),
        ],
        max_words=1000,
        options={
            "size": option(["256x256", "512x512", "1024x1024"], "1024x1024", cost=True, description="Dimensions"),
            "n": option(list(range(1, 11)), 1, cost=True, description="Number of images"),
            "response_format": _RESPONSE_FORMAT,
        },
        metadata={"deprecated": True},
        wire=_WIRE,
    ),
    "DallE3": image(
        "dall-e-3",
        "DALL·E 3",
        V,
        source=IMAGE_SOURCE,
        rows=[
            per_image(_SQUARE, "standard", 0.04),
            per_image(_TALL_WIDE_DALLE, "standard", 0.08),
            per_image(_SQUARE, "hd", 0.08),
            per_image(_TALL_WIDE_DALLE, "hd", 0.12),
        ],
        max_words=4000,
        options={
            "quality": option(["standard", "hd"], "standard", cost=True, description="Image quality"),
            "size": option(["1024x1024", *_TALL_WIDE_DALLE], "1024x1024", cost=True, description="Dimensions"),
            "style": option(["natural", "vivid"], "natural", description="Style"),
            "n": option([1], 1, cost=True, description="Number of images"),
            "response_format": _RESPONSE_FORMAT,
        },
        metadata={"deprecated": True},
        wire=_WIRE,
    ),
    "GPTImage1": _gpt_image(
        "gpt-image-1", "GPT Image 1", (0.011, 0.016), (0.042, 0.063), (0.167, 0.25), (5.0, 10.0, 40.0, None)
    ),
    "GPTImage1Mini": _gpt_image(
        "gpt-image-1-mini", "GPT Image 1 mini", (0.005, 0.006), (0.011, 0.015), (0.036, 0.052), (2.0, 2.5, 8.0, None)
    ),
    "GPTImage15": _gpt_image(
        "gpt-image-1.5", "GPT Image 1.5", (0.009, 0.013), (0.034, 0.05), (0.133, 0.2), (5.0, 8.0, 32.0, 10.0)
    ),
    # Any WIDTHxHEIGHT (multiples of 16, up to 3840x2160): priced by its tokens only.
    "GPTImage2": image(
        "gpt-image-2",
        "GPT Image 2",
        V,
        source=IMAGE_SOURCE,
        max_words=32_000,
        inputs=VISION,
        options=_gpt_options([], "1024x1024"),
        price_notes="Billed by tokens only (any size): the answer's token counts price the call.",
        wire=_WIRE,
        tokens=(5.0, 8.0, 30.0, None),
        aliases=("gpt-image-2-2026-04-21",),
        as_of=IMAGES_AS_OF,
    ),
}
