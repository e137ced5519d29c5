"""Google's Gemini and Imagen models as plain data.

Prices from the Gemini Developer API pricing page (paid tier, text/image/video input; cache-read rates are the
context-caching rates, storage not included). Pro models bill prompts above 200K tokens (Gemini 1.5: 128K) at the
tier's rates. Vertex AI knows the current models by the same ids; Gemini 1.5 is pinned to its ``-002`` release
there.

Reasoning: Gemini 2.5 takes a ``thinkingBudget`` (``token_budget``) within a range of its own — 2.5 Pro 128 to 32,768
(thinking cannot be turned off), 2.5 Flash 0 to 24,576 (0 turns it off), 2.5 Flash-Lite 512 to 24,576 (0 turns it
off); Gemini 3 takes a ``thinkingLevel`` (``effort``).

Grounding with Google Search (the hosted web-search tool) is billed per search query on Gemini 3 ($14 per 1,000) and
per grounded prompt on the earlier models ($35 per 1,000), beyond a monthly / daily free allowance the catalogue does
not know about (it lists the price of every search).

Image models: Imagen (``:predict``) is priced per image; Gemini's image models answer on ``generateContent`` and are
billed by tokens (image output tokens at their own rate; an image is ~1,290 tokens on 2.5 Flash Image, ~1,120 tokens
at 1K and 2K and ~2,000 at 4K on 3 Pro Image); their per-image rows are Google's published prices of an image, used
when no token count came back.
"""

from __future__ import annotations

from typing import Any

from ._rows import ALL_MEDIA, IMAGES_AS_OF, TEXT, VISION, chat, image, option, per_image, with_web_search

SOURCE = "https://ai.google.dev/gemini-api/docs/pricing"
VERTEX_IMAGE_SOURCE = "https://cloud.google.com/vertex-ai/generative-ai/pricing"

V = "google_ai"
G = "google_vertex_ai"
_EFFORTS_PRO = ("low", "medium", "high")
_EFFORTS_FLASH = ("minimal", "low", "medium", "high")
_CONTEXT = 1_048_576


def _gemini(name: str, display: str, price: tuple[float, float, float | None], **kw: Any) -> dict[str, Any]:
    kw.setdefault("context", _CONTEXT)
    kw.setdefault("max_input", kw["context"])
    kw.setdefault("max_out", 65_536)
    kw.setdefault("inputs", ALL_MEDIA)
    return chat(name, display, V, price=(price[0], price[1], price[2], None), source=SOURCE, **kw)


def _gemini3(name: str, display: str, price: tuple[float, float, float | None], **kw: Any) -> dict[str, Any]:
    kw.setdefault("efforts", _EFFORTS_FLASH)
    metadata = {"google_vertex_location": "global", **kw.pop("metadata", {})}
    return _gemini(name, display, price, reasoning="effort", always_on=True, metadata=metadata, **kw)


_PRO3_TIER = ((200_000, 4.0, 18.0, 0.4, None),)
_PRO_NOTE = "Prompts above 200K tokens are billed at the tier's rates."

MODELS: dict[str, dict[str, Any]] = {
    "Gemini35Flash": _gemini3("gemini-3.5-flash", "Gemini 3.5 Flash", (1.5, 9.0, 0.15)),
    "Gemini31ProPreview": _gemini3(
        "gemini-3.1-pro-preview",
        "Gemini 3.1 Pro Preview",
        (2.0, 12.0, 0.2),
        efforts=_EFFORTS_PRO,
        tiers=_PRO3_TIER,
        price_notes=_PRO_NOTE,
        beta=True,
    ),
    "Gemini31ProPreviewCustomTools": _gemini3(
        "gemini-3.1-pro-preview-customtools",
        "Gemini 3.1 Pro Preview (custom tools)",
        (2.0, 12.0, 0.2),
        efforts=_EFFORTS_PRO,
        tiers=_PRO3_TIER,
        price_notes=_PRO_NOTE,
        beta=True,
    ),
    "Gemini3Pro": _gemini3(
        "gemini-3-pro-preview",
        "Gemini 3 Pro Preview",
        (2.0, 12.0, 0.2),
        efforts=("low", "high"),
        tiers=_PRO3_TIER,
        price_notes=_PRO_NOTE,
        beta=True,
        metadata={"deprecated": True, "details": "Shut down on 2026-03-09; requests go to Gemini 3.1 Pro Preview."},
    ),
    "Gemini3FlashPreview": _gemini3("gemini-3-flash-preview", "Gemini 3 Flash Preview", (0.5, 3.0, 0.05), beta=True),
    "Gemini31FlashLite": _gemini3("gemini-3.1-flash-lite", "Gemini 3.1 Flash-Lite", (0.25, 1.5, 0.025)),
    "Gemini31FlashLitePreview": _gemini3(
        "gemini-3.1-flash-lite-preview",
        "Gemini 3.1 Flash-Lite Preview",
        (0.25, 1.5, 0.025),
        beta=True,
        metadata={"deprecated": True, "details": "Shut down on 2026-05-25; use Gemini 3.1 Flash-Lite."},
    ),
    "Gemini25Pro": _gemini(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        (1.25, 10.0, 0.125),
        max_out=65_535,
        reasoning="token_budget",
        budget=32_768,
        min_budget=128,
        always_on=True,
        tiers=((200_000, 2.5, 15.0, 0.25, None),),
        price_notes=_PRO_NOTE,
    ),
    "Gemini25Flash": _gemini(
        "gemini-2.5-flash",
        "Gemini 2.5 Flash",
        (0.3, 2.5, 0.03),
        max_out=65_535,
        reasoning="token_budget",
        budget=24_576,
    ),
    "Gemini25FlashLite": _gemini(
        "gemini-2.5-flash-lite",
        "Gemini 2.5 Flash-Lite",
        (0.1, 0.4, 0.01),
        max_out=65_535,
        reasoning="token_budget",
        budget=24_576,
        min_budget=512,
    ),
    "Gemini20Flash": _gemini(
        "gemini-2.0-flash",
        "Gemini 2.0 Flash",
        (0.1, 0.4, 0.025),
        max_out=8_192,
        aliases=("gemini-2.0-flash-001",),
        metadata={"deprecated": True, "details": "Shut down on 2026-06-01; use Gemini 2.5 Flash-Lite or later."},
    ),
    "Gemini20FlashLite": _gemini(
        "gemini-2.0-flash-lite",
        "Gemini 2.0 Flash-Lite",
        (0.075, 0.3, None),
        max_out=8_192,
        aliases=("gemini-2.0-flash-lite-001",),
        metadata={"deprecated": True, "details": "Shut down on 2026-06-01; use Gemini 2.5 Flash-Lite or later."},
    ),
    "Gemini15Pro": _gemini(
        "gemini-1.5-pro",
        "Gemini 1.5 Pro",
        (1.25, 5.0, 0.3125),
        context=2_097_152,
        max_out=8_192,
        tiers=((128_000, 2.5, 10.0, 0.625, None),),
        price_notes="Prompts above 128K tokens are billed at the tier's rates.",
        hosts={G: "gemini-1.5-pro-002"},
        aliases=("gemini-1.5-pro-002",),
        metadata={"deprecated": True},
    ),
    "Gemini15Flash": _gemini(
        "gemini-1.5-flash",
        "Gemini 1.5 Flash",
        (0.075, 0.3, 0.01875),
        max_out=8_192,
        tiers=((128_000, 0.15, 0.6, 0.0375, None),),
        price_notes="Prompts above 128K tokens are billed at the tier's rates.",
        hosts={G: "gemini-1.5-flash-002"},
        aliases=("gemini-1.5-flash-002",),
        metadata={"deprecated": True},
    ),
}

with_web_search(
    MODELS,
    lambda row: (14.0, "search") if row["model_name"].startswith("gemini-3") else (35.0, "grounded_prompt"),
)

_ASPECT = ["1:1", "9:16", "16:9", "4:3", "3:4"]
_IMAGEN_OPTIONS = {
    "aspect_ratio": option(_ASPECT, "1:1", description="Aspect ratio"),
    "number_of_images": option([1, 2, 3, 4], 1, cost=True, description="Number of images", aliases=("n",)),
    "add_watermark": option([True, False], False, description="Add a SynthID watermark (Vertex AI only)"),
    "safety_filter_level": option(
        [None, "block_low_and_above", "block_medium_and_above", "block_only_high"],
        "block_only_high",
        description="Safety filter level",
    ),
    "person_generation": option([None, "dont_allow", "allow_adult", "allow_all"], "allow_adult"),
    "output_mime_type": option(["image/png", "image/jpeg"], None, description="Image file format"),
    "seed": option([], None, description="Seed (Vertex AI only, with add_watermark off)"),
}
_IMAGEN4_OPTIONS = {**_IMAGEN_OPTIONS, "image_size": option(["1K", "2K"], None, description="Output size")}
_GEMINI_ASPECT = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
_IMAGEN_NOTE = "Imagen is being retired in favour of the Gemini image models."


def _imagen(name: str, display: str, flat: float, **kw: Any) -> dict[str, Any]:
    kw.setdefault("options", _IMAGEN4_OPTIONS)
    kw.setdefault("source", SOURCE)
    return image(name, display, V, flat=flat, inputs=TEXT, wire="imagen", as_of=IMAGES_AS_OF, **kw)


def _gemini_image(
    name: str, display: str, rows: list[dict[str, Any]], tokens: tuple[float, float, float, float], **kw: Any
) -> dict[str, Any]:
    sizes = kw.pop("sizes", None)
    options = {"aspect_ratio": option(_GEMINI_ASPECT, None, description="Aspect ratio")}
    if sizes:
        options["image_size"] = option(list(sizes), sizes[0], cost=True, description="Output size")
    return image(
        name,
        display,
        V,
        source=SOURCE,
        rows=rows,
        options=options,
        inputs=VISION,
        tokens=tokens,
        size_option="image_size",
        as_of=IMAGES_AS_OF,
        **kw,
    )


IMAGE_MODELS: dict[str, dict[str, Any]] = {
    "Imagen3": image(
        "imagen-3.0-generate-002",
        "Imagen 3",
        V,
        source=SOURCE,
        flat=0.03,
        options=_IMAGEN_OPTIONS,
        inputs=TEXT,
        legacy=("imagen-3.0-generate",),
        price_notes="Gemini API price; Vertex AI lists $0.04 per image.",
        wire="imagen",
        metadata={"deprecated": True},
    ),
    "Imagen3Fast": image(
        "imagen-3.0-fast-generate-001",
        "Imagen 3 Fast",
        V,
        source=VERTEX_IMAGE_SOURCE,
        flat=0.02,
        options=_IMAGEN_OPTIONS,
        inputs=TEXT,
        legacy=("imagen-3.0-fast-generate",),
        price_notes="Vertex AI only.",
        wire="imagen",
        metadata={"deprecated": True},
    ),
    "Imagen4": _imagen("imagen-4.0-generate-001", "Imagen 4", 0.04, price_notes=_IMAGEN_NOTE),
    "Imagen4Fast": _imagen(
        "imagen-4.0-fast-generate-001", "Imagen 4 Fast", 0.02, options=_IMAGEN_OPTIONS, price_notes=_IMAGEN_NOTE
    ),
    "Imagen4Ultra": _imagen(
        "imagen-4.0-ultra-generate-001",
        "Imagen 4 Ultra",
        0.06,
        options={**_IMAGEN4_OPTIONS, "number_of_images": option([1], 1, cost=True, aliases=("n",))},
        price_notes=_IMAGEN_NOTE,
    ),
    "Gemini25FlashImage": _gemini_image(
        "gemini-2.5-flash-image",
        "Gemini 2.5 Flash Image",
        [per_image(("1K",), None, 0.039)],
        (0.3, 0.3, 30.0, 2.5),
        sizes=("1K",),
        aliases=("gemini-2.5-flash-image-preview",),
        metadata={"deprecated": True},
        price_notes="$30 per million image output tokens; an image up to 1024x1024 is 1,290 tokens ($0.039).",
    ),
    "Gemini3ProImagePreview": _gemini_image(
        "gemini-3-pro-image-preview",
        "Gemini 3 Pro Image Preview",
        [per_image(("1K", "2K"), None, 0.134), per_image(("4K",), None, 0.24)],
        (2.0, 2.0, 120.0, 12.0),
        sizes=("1K", "2K", "4K"),
        metadata={"google_vertex_location": "global"},
        price_notes="$120 per million image output tokens: 1,120 tokens at 1K and 2K ($0.134), 2,000 at 4K ($0.24).",
    ),
    "Gemini31FlashImagePreview": _gemini_image(
        "gemini-3.1-flash-image-preview",
        "Gemini 3.1 Flash Image Preview",
        [per_image(("1K",), None, 0.067), per_image(("2K",), None, 0.101), per_image(("4K",), None, 0.151)],
        (0.5, 0.5, 60.0, 3.0),
        sizes=("1K", "2K", "4K"),
        metadata={"google_vertex_location": "global"},
        price_notes="$60 per million image output tokens: 1,120 tokens at 1K ($0.067).",
    ),
}
