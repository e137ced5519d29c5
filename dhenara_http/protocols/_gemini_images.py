"""Gemini's image models on the ``gemini`` wire (``generateContent`` with image output), answered with an
:class:`ImageResponse` as every image model is (dhenara-ai's choice for image models).

Request: the conversation as on any Gemini call (so images to edit travel as ``inlineData`` parts, and a multi-turn
edit keeps its history), ``generationConfig.responseModalities`` ``["TEXT", "IMAGE"]`` (these models answer with
both) and the image options in ``generationConfig.imageConfig``: ``aspect_ratio`` → ``aspectRatio``,
``image_size`` → ``imageSize`` (``1K``, ``2K``, ``4K``). ``response_modalities`` replaces the default modalities.

Answer: each candidate is one choice. Its ``inlineData`` parts become ``BASE64`` image items (with their
``mimeType``, and a part's ``thoughtSignature`` in the item's metadata), its text parts ``choice.text``; thought parts
(interim images and text a thinking model shows) are not answers: their text is kept in
``choice.metadata["thoughts"]`` and their images counted in ``choice.metadata["thought_images"]``. An answer without
any image whose prompt was blocked or whose candidates stopped for safety is a ``ContentFilterError``. Usage: input
text and image tokens from ``promptTokensDetails``, output image and text tokens from ``candidatesTokensDetails``
(thinking counts as text output, as Google bills it).
"""

from __future__ import annotations

from typing import Any

from ..errors import ResponseParseError
from ..types.response import ImageContentItem, ImageResponse, ImageResponseChoice, ImageResponseUsage
from ._gemini_response import NAME
from ._images import call_options, content_filtered, count, image_item, image_response
from .base import CallContext

#: Option name → ``imageConfig`` field.
_IMAGE_CONFIG = {"aspect_ratio": "aspectRatio", "image_size": "imageSize"}
#: Finish reasons and block reasons that mean the safety system withheld the answer.
_FILTERED = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "MODEL_ARMOR",
        "OTHER",
    }
)


def image_generation_config(ctx: CallContext) -> dict[str, Any]:
    """``generationConfig`` of an image model's call."""
    config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"]}
    max_tokens = ctx.max_output_tokens()
    if max_tokens:
        config["maxOutputTokens"] = max_tokens
    image_config: dict[str, Any] = {}
    for name, value in call_options(ctx, NAME).items():
        if name in _IMAGE_CONFIG:
            image_config[_IMAGE_CONFIG[name]] = value
        elif name == "response_modalities":
            config["responseModalities"] = [str(v).upper() for v in value]
        else:
            head, *rest = name.split("_")
            config[head + "".join(w[:1].upper() + w[1:] for w in rest)] = value
    if image_config:
        config["imageConfig"] = image_config
    return config


def parse_image_response(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    choices = [_choice(c, i) for i, c in enumerate(candidates)]
    raw_feedback = data.get("promptFeedback")
    feedback: dict[str, Any] = raw_feedback if isinstance(raw_feedback, dict) else {}
    if not any(choice.contents for choice in choices):
        reasons = [str(feedback["blockReason"])] if feedback.get("blockReason") else []
        reasons += [str(c.get("finishReason")) for c in candidates if c.get("finishReason") in _FILTERED]
        if reasons:
            code = reasons[0]
            raise content_filtered(ctx, f"Gemini made no image ({', '.join(reasons)})", data, code)
    images = sum(len(choice.contents) for choice in choices)
    usage = _usage(data.get("usageMetadata"), images, ctx.model_name, call_options(ctx, NAME))
    return image_response(
        ctx,
        choices,
        usage,
        data,
        NAME,
        response_id=data.get("responseId"),
        model_version=data.get("modelVersion"),
        prompt_feedback=feedback or None,
    )


def _choice(candidate: dict[str, Any], position: int) -> ImageResponseChoice:
    index = candidate.get("index")
    index = index if isinstance(index, int) else position
    items: list[ImageContentItem] = []
    texts: list[str] = []
    thoughts: list[str] = []
    thought_images = 0
    for part in (candidate.get("content") or {}).get("parts") or []:
        if not isinstance(part, dict):
            continue
        inline = part.get("inlineData") or part.get("inline_data")
        if part.get("thought"):
            if isinstance(part.get("text"), str):
                thoughts.append(part["text"])
            thought_images += 1 if isinstance(inline, dict) else 0
        elif isinstance(inline, dict):
            item = image_item(
                inline.get("data"),
                media_type=inline.get("mimeType") or inline.get("mime_type"),
                index=len(items),
                thought_signature=part.get("thoughtSignature"),
            )
            items.append(item)
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            raise ResponseParseError(f"an image model's answer has an unexpected part: {sorted(part)}")
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "index")}
    if thoughts:
        metadata["thoughts"] = thoughts
    if thought_images:
        metadata["thought_images"] = thought_images
    text = "".join(texts)
    return ImageResponseChoice(index=index, contents=items, text=text or None, metadata=metadata)


def _by_modality(details: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for entry in details if isinstance(details, list) else []:
        if isinstance(entry, dict) and count(entry.get("tokenCount")) is not None:
            key = str(entry.get("modality") or "TEXT")
            out[key] = out.get(key, 0) + int(entry["tokenCount"])
    return out


def _usage(raw: Any, images: int, model: str, options: dict[str, Any]) -> ImageResponseUsage:
    usage = ImageResponseUsage(number_of_images=images, model=model, options=options)
    if not isinstance(raw, dict):
        return usage
    prompt = count(raw.get("promptTokenCount")) or 0
    candidates = count(raw.get("candidatesTokenCount")) or 0
    thoughts = count(raw.get("thoughtsTokenCount")) or 0
    prompt_split = _by_modality(raw.get("promptTokensDetails"))
    output_split = _by_modality(raw.get("candidatesTokensDetails"))
    usage.prompt_tokens = prompt
    usage.completion_tokens = candidates + thoughts
    usage.total_tokens = count(raw.get("totalTokenCount")) or prompt + candidates + thoughts
    usage.input_image_tokens = prompt_split.get("IMAGE", 0)
    usage.input_text_tokens = prompt - usage.input_image_tokens
    if output_split:
        usage.output_image_tokens = output_split.get("IMAGE", 0)
    else:
        # Without a split, the answer's tokens are its images' (thinking apart) — or its text's when it has no image.
        usage.output_image_tokens = candidates if images else 0
    usage.output_text_tokens = candidates - usage.output_image_tokens + thoughts
    return usage
