"""Google's Imagen wire: ``POST …/models/{model}:predict`` on the Gemini API and
``…/publishers/google/models/{model}:predict`` on Vertex AI (the host's route table knows which).

Request: ``{"instances": [{"prompt": …}], "parameters": {…}}``. The call's options (the model's defaults filled in,
see :mod:`._images`) become ``parameters`` under Imagen's names — ``number_of_images`` (or ``n``) → ``sampleCount``,
``aspect_ratio`` → ``aspectRatio``, ``image_size`` → ``sampleImageSize``, ``safety_filter_level`` →
``safetySetting`` and ``person_generation`` → ``personGeneration`` (upper-cased, as Google's SDK sends its enums),
``output_mime_type`` / ``output_compression_quality`` → ``outputOptions`` … — and ``includeRaiReason`` is always
on, so that an image the safety filter withheld says why (dhenara-ai asks for it too). The Gemini API takes fewer
parameters than Vertex AI (no watermark switch, seed or negative prompt); its host row lists them, and a call that
gives one is refused before sending.

Answer: ``predictions``, each ``{"bytesBase64Encoded", "mimeType"}`` — one choice per image, as ``BASE64`` items —
or ``{"raiFilteredReason"}`` for an image the filter withheld (kept in ``metadata["rai_filtered_reasons"]``). An
answer with no image at all (every one withheld, or the prompt refused) is a ``ContentFilterError``. Imagen reports
no tokens; the call is priced per image. Read defensively (:mod:`._common`): a prediction without data (null or
empty) is a withheld image; a field of the wrong type is a ``ResponseParseError`` naming its JSON path.
"""

from __future__ import annotations

from typing import Any

from ..types.response import ImageResponse, ImageResponseChoice, ImageResponseUsage
from . import _common as common
from ._google_errors import parse_error as _parse_error
from ._images import call_options, content_filtered, image_item, image_response, prompt_text
from .base import CallContext, ErrorInfo, WireRequest, error_from_info

NAME = "imagen"
#: Never streamed (refused before sending); named for the host table's sake.
FRAMING = "sse"

__all__ = ["FRAMING", "NAME", "build_request", "parse_error", "parse_response"]

#: Option name → (path under ``parameters``, whether the value is one of Google's upper-case enums).
_PARAMETERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "number_of_images": (("sampleCount",), False),
    "aspect_ratio": (("aspectRatio",), False),
    "image_size": (("sampleImageSize",), False),
    "safety_filter_level": (("safetySetting",), True),
    "person_generation": (("personGeneration",), True),
    "add_watermark": (("addWatermark",), False),
    "negative_prompt": (("negativePrompt",), False),
    "seed": (("seed",), False),
    "guidance_scale": (("guidanceScale",), False),
    "language": (("language",), False),
    "enhance_prompt": (("enhancePrompt",), False),
    "include_safety_attributes": (("includeSafetyAttributes",), False),
    "output_mime_type": (("outputOptions", "mimeType"), False),
    "output_compression_quality": (("outputOptions", "compressionQuality"), False),
    "storage_uri": (("storageUri",), False),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def build_request(ctx: CallContext) -> WireRequest:
    """The ``:predict`` request."""
    parameters: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for name, value in call_options(ctx, NAME).items():
        if name == "labels":
            top["labels"] = value
            continue
        keys, enum = _PARAMETERS.get(name, ((_camel(name),), False))
        target = parameters
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value.upper() if enum and isinstance(value, str) else value
    parameters["includeRaiReason"] = True
    body: dict[str, Any] = {"instances": [{"prompt": prompt_text(ctx)}], "parameters": parameters, **top}
    path, params = ctx.route(NAME)
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is sent.
    return WireRequest("POST", path, json=common.check_request_body(body), params=params or None)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    """An :class:`ImageResponse` from a ``:predict`` answer; a ``ContentFilterError`` when it holds no image. Read
    defensively: a field of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    if data.get("error"):
        raise error_from_info(ctx, parse_error(500, data), data)
    choices: list[ImageResponseChoice] = []
    withheld: list[str] = []
    for i, entry in common.dicts(common.get_list(data, "predictions"), "predictions"):
        where = f"predictions[{i}]"
        encoded = common.get_str(entry, "bytesBase64Encoded", where)
        media_type = common.get_str(entry, "mimeType", where)
        if not encoded:
            reason = common.get_str(entry, "raiFilteredReason", where)
            withheld.append(reason or "no image and no reason given")
            continue
        extra = {k: v for k, v in entry.items() if k not in ("bytesBase64Encoded", "mimeType")}
        item = image_item(encoded, media_type=media_type, **extra)
        choices.append(ImageResponseChoice(index=len(choices), contents=[item]))
    if not choices:
        reason = "; ".join(withheld) or "the answer holds no image (the prompt or every image was filtered)"
        raise content_filtered(ctx, f"Imagen returned no image: {reason}", data, "rai_filtered")
    options = call_options(ctx, NAME)
    usage = ImageResponseUsage(number_of_images=len(choices), model=ctx.model_name, options=options)
    return image_response(ctx, choices, usage, data, NAME, rai_filtered_reasons=withheld or None)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """Google's error envelope (see :mod:`._google_errors`)."""
    return _parse_error(status, body)
