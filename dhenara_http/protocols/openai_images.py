"""OpenAI's image generation wire: ``POST /images/generations`` (OpenAI, Azure OpenAI's v1 API, compatible hosts).

Request: ``model``, ``prompt`` (see :mod:`._images`) and the model's options under the API's own names — ``size``,
``quality``, ``style`` and ``response_format`` (DALL·E), ``background``, ``output_format``, ``output_compression`` and
``moderation`` (the GPT image models), ``n`` — the catalogue's defaults filled in, as dhenara-ai sends them. The
catalogue lists only what each model takes: the GPT image models answer ``response_format`` with a 400 (they always
return base64), DALL·E 3 makes one image per call.

Answer (``ImagesResponse``): each entry of ``data`` becomes one choice holding one image — ``b64_json`` as a
``BASE64`` item (its media type from ``output_format``, PNG by default), ``url`` as a ``URL`` item — with DALL·E 3's
``revised_prompt``. ``usage`` (GPT image models) gives the tokens; the ``size``, ``quality``, ``background`` and
``output_format`` the answer says it used replace the requested ones in ``usage.options`` (``auto`` resolved), which
is what the call is priced by. A safety refusal (``content_policy_violation``, ``moderation_blocked``) is a
``ContentFilterError``; other errors are classified like every OpenAI error.

There is no stream: a streaming call on an image model is refused before anything is sent.
"""

from __future__ import annotations

from typing import Any

from ..errors import ResponseParseError
from ..types.enums import ImageContentFormat
from ..types.response import ImageContentItem, ImageResponse, ImageResponseChoice, ImageResponseUsage
from ._images import MEDIA_TYPES, call_options, count, image_item, image_response, prompt_text
from ._openai_errors import openai_error_info
from .base import CallContext, ErrorInfo, WireRequest, error_from_info

NAME = "openai_images"
#: Never streamed (refused before sending); named for the host table's sake.
FRAMING = "sse"

__all__ = ["FRAMING", "NAME", "build_request", "parse_error", "parse_response"]

#: Fields of the answer that say what the call actually used (they win over the requested options for pricing).
_USED = ("size", "quality", "background", "output_format")


def build_request(ctx: CallContext) -> WireRequest:
    """The ``POST /images/generations`` request."""
    body: dict[str, Any] = {"model": ctx.model_name, "prompt": prompt_text(ctx)}
    body.update(call_options(ctx, NAME))
    path, params = ctx.route(NAME)
    return WireRequest("POST", path, json=body, params=params or None)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    """An :class:`ImageResponse` from an ``ImagesResponse`` (an error body with a 2xx status raises its error)."""
    images = data.get("data")
    if not isinstance(images, list):
        if data.get("error"):
            raise error_from_info(ctx, parse_error(500, data), data)
        raise ResponseParseError(
            "the image answer has no 'data' list", provider=ctx.api_provider.value, model=ctx.model_name
        )
    media_type = MEDIA_TYPES.get(str(data.get("output_format") or "png"))
    choices = [
        ImageResponseChoice(index=i, contents=[_item(entry, media_type, i, ctx)]) for i, entry in enumerate(images)
    ]
    options = call_options(ctx, NAME)
    options.update({k: data[k] for k in _USED if data.get(k)})
    usage = _usage(data.get("usage"), len(choices), ctx.model_name, options)
    return image_response(ctx, choices, usage, data, NAME, created=data.get("created"))


def _item(entry: Any, media_type: str | None, index: int, ctx: CallContext) -> ImageContentItem:
    if not isinstance(entry, dict):
        raise ResponseParseError(f"image {index} of the answer is not an object", provider=ctx.api_provider.value)
    revised = entry.get("revised_prompt")
    if entry.get("b64_json") is not None:
        item = image_item(entry["b64_json"], media_type=media_type, revised_prompt=revised)
    elif isinstance(entry.get("url"), str) and entry["url"]:
        meta = {"revised_prompt": revised} if revised else {}
        item = ImageContentItem(content_format=ImageContentFormat.URL, content_url=entry["url"], metadata=meta)
    else:
        raise ResponseParseError(f"image {index} of the answer has neither b64_json nor url")
    item.revised_prompt = revised if isinstance(revised, str) else None
    return item


def _usage(raw: Any, images: int, model: str, options: dict[str, Any]) -> ImageResponseUsage:
    usage = ImageResponseUsage(number_of_images=images, model=model, options=options)
    if not isinstance(raw, dict):
        return usage
    in_details = _dict(raw.get("input_tokens_details"))
    out_details = _dict(raw.get("output_tokens_details"))
    usage.prompt_tokens = count(raw.get("input_tokens"))
    usage.completion_tokens = count(raw.get("output_tokens"))
    usage.total_tokens = count(raw.get("total_tokens"))
    usage.input_text_tokens = count(in_details.get("text_tokens"))
    usage.input_image_tokens = count(in_details.get("image_tokens"))
    # ``output_tokens`` are the image's tokens unless a split says otherwise.
    usage.output_image_tokens = count(out_details.get("image_tokens")) or usage.completion_tokens
    usage.output_text_tokens = count(out_details.get("text_tokens"))
    return usage


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """An OpenAI error body (``{"error": {"message", "type", "code", "param"}}``), classified by code and type."""
    return openai_error_info(status, body)
