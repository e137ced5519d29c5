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
(thinking counts as text output, as Google bills it); a split larger than its total is capped at the total, so no
count (and no cost) is ever negative. Read defensively (:mod:`._common`): a field of the wrong type is a
``ResponseParseError`` naming its JSON path (``candidates[0].content.parts[1].inlineData.data is a number …``).
"""

from __future__ import annotations

from typing import Any

from ..errors import ResponseParseError
from ..types.response import ImageContentItem, ImageResponse, ImageResponseChoice, ImageResponseUsage
from . import _common as common
from ._gemini_response import NAME
from ._images import call_options, content_filtered, image_item, image_response
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
    """Read defensively: a field of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    candidates = list(common.dicts(common.get_list(data, "candidates"), "candidates"))
    choices = [_choice(c, i, f"candidates[{i}]") for i, c in candidates]
    feedback = common.get_dict(data, "promptFeedback")
    if not any(choice.contents for choice in choices):
        block = common.get_str(feedback, "blockReason", "promptFeedback")
        reasons = [block] if block else []
        for i, c in candidates:
            finish = common.get_str(c, "finishReason", f"candidates[{i}]")
            if finish in _FILTERED:
                reasons.append(finish)
        if reasons:
            code = reasons[0]
            raise content_filtered(ctx, f"Gemini made no image ({', '.join(reasons)})", data, code)
    images = sum(len(choice.contents) for choice in choices)
    usage = _usage(common.opt_dict(data, "usageMetadata"), images, ctx.model_name, call_options(ctx, NAME))
    return image_response(
        ctx,
        choices,
        usage,
        data,
        NAME,
        response_id=common.get_str(data, "responseId"),
        model_version=common.get_str(data, "modelVersion"),
        prompt_feedback=feedback or None,
    )


def _choice(candidate: dict[str, Any], position: int, where: str) -> ImageResponseChoice:
    index = common.get_index(candidate, "index", where)
    items: list[ImageContentItem] = []
    texts: list[str] = []
    thoughts: list[str] = []
    thought_images = 0
    content = common.get_dict(candidate, "content", where)
    here = f"{where}.content.parts"
    for i, part in common.dicts(common.get_list(content, "parts", f"{where}.content"), here):
        at = f"{here}[{i}]"
        key = "inlineData" if part.get("inlineData") is not None else "inline_data"
        inline = common.opt_dict(part, key, at)
        text = common.get_str(part, "text", at)
        if common.get_bool(part, "thought", at):
            if text is not None:
                thoughts.append(text)
            thought_images += 1 if inline is not None else 0
        elif inline is not None:
            data_at = f"{at}.{key}"
            media_type = common.get_str(inline, "mimeType", data_at) or common.get_str(inline, "mime_type", data_at)
            item = image_item(
                common.get_str(inline, "data", data_at),
                media_type=media_type,
                index=len(items),
                where=f"{data_at}.data",
                thought_signature=common.get_str(part, "thoughtSignature", at),
            )
            items.append(item)
        elif text is not None:
            texts.append(text)
        else:
            raise ResponseParseError(f"malformed answer: {at} is a part an image model does not answer: {sorted(part)}")
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "index")}
    if thoughts:
        metadata["thoughts"] = thoughts
    if thought_images:
        metadata["thought_images"] = thought_images
    text = "".join(texts)
    return ImageResponseChoice(
        index=position if index is None else index, contents=items, text=text or None, metadata=metadata
    )


def _by_modality(usage: dict[str, Any], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    where = f"usageMetadata.{key}"
    for i, entry in common.dicts(common.get_list(usage, key, "usageMetadata"), where):
        modality = common.get_str(entry, "modality", f"{where}[{i}]") or "TEXT"
        out[modality] = out.get(modality, 0) + common.get_count(entry, "tokenCount", f"{where}[{i}]")
    return out


def _usage(raw: dict[str, Any] | None, images: int, model: str, options: dict[str, Any]) -> ImageResponseUsage:
    usage = ImageResponseUsage(number_of_images=images, model=model, options=options)
    if raw is None:
        return usage
    where = "usageMetadata"
    prompt = common.get_count(raw, "promptTokenCount", where)
    candidates = common.get_count(raw, "candidatesTokenCount", where)
    thoughts = common.get_count(raw, "thoughtsTokenCount", where)
    prompt_split = _by_modality(raw, "promptTokensDetails")
    output_split = _by_modality(raw, "candidatesTokensDetails")
    usage.prompt_tokens = prompt
    usage.completion_tokens = candidates + thoughts
    usage.total_tokens = common.get_count(raw, "totalTokenCount", where) or prompt + candidates + thoughts
    # A split larger than its total cannot make a count negative (nor a cost).
    usage.input_image_tokens = min(prompt_split.get("IMAGE", 0), prompt)
    usage.input_text_tokens = prompt - usage.input_image_tokens
    if output_split:
        usage.output_image_tokens = min(output_split.get("IMAGE", 0), candidates)
    else:
        # Without a split, the answer's tokens are its images' (thinking apart) — or its text's when it has no image.
        usage.output_image_tokens = candidates if images else 0
    usage.output_text_tokens = candidates - usage.output_image_tokens + thoughts
    return usage
