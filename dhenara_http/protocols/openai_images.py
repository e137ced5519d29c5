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
is what the call is priced by. Read defensively (:mod:`._common`): an entry's ``b64_json`` is used when it carries
data, else its ``url``; a field of the wrong type is a ``ResponseParseError`` naming its JSON path (``data[1].url is a
number …``); token counts are whole numbers (None when the answer gives none). A safety refusal
(``content_policy_violation``, ``moderation_blocked``) is a ``ContentFilterError``; other errors are classified like
every OpenAI error.

There is no stream: a streaming call on an image model is refused before anything is sent.
"""

from __future__ import annotations

from typing import Any

from ..errors import ResponseParseError
from ..types.enums import ImageContentFormat
from ..types.response import ImageContentItem, ImageResponse, ImageResponseChoice, ImageResponseUsage
from . import _common as common
from ._images import MEDIA_TYPES, call_options, image_item, image_response, prompt_text
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
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is sent.
    return WireRequest("POST", path, json=common.check_request_body(body), params=params or None)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    """An :class:`ImageResponse` from an ``ImagesResponse`` (an error body with a 2xx status raises its error). Read
    defensively: a field of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ImageResponse:
    images = data.get("data")
    if type(images) is not list:
        if images is None and data.get("error"):
            raise error_from_info(ctx, parse_error(500, data), data)
        raise common.bad_field("", "data", images, "a list of images")
    media_type = MEDIA_TYPES.get(common.get_str(data, "output_format") or "png")
    choices = [
        ImageResponseChoice(index=i, contents=[_item(entry, media_type, f"data[{i}]")])
        for i, entry in common.dicts(images, "data")
    ]
    options = call_options(ctx, NAME)
    for key in _USED:
        value = common.get_str(data, key)
        if value:
            options[key] = value
    usage = _usage(common.opt_dict(data, "usage"), len(choices), ctx.model_name, options)
    return image_response(ctx, choices, usage, data, NAME, created=common.opt_count(data, "created"))


def _item(entry: dict[str, Any], media_type: str | None, where: str) -> ImageContentItem:
    """One image: ``b64_json`` when it carries data, else ``url``; neither is an error."""
    revised = common.get_str(entry, "revised_prompt", where)
    b64 = common.get_str(entry, "b64_json", where)
    url = common.get_str(entry, "url", where)
    if b64:
        item = image_item(b64, media_type=media_type, revised_prompt=revised)
    elif url:
        meta = {"revised_prompt": revised} if revised else {}
        item = ImageContentItem(content_format=ImageContentFormat.URL, content_url=url, metadata=meta)
    else:
        raise ResponseParseError(f"malformed answer: {where} has neither b64_json nor url")
    item.revised_prompt = revised
    return item


def _usage(raw: dict[str, Any] | None, images: int, model: str, options: dict[str, Any]) -> ImageResponseUsage:
    """The tokens of the GPT image models; counts are ints, None only for a count the answer does not give."""
    usage = ImageResponseUsage(number_of_images=images, model=model, options=options)
    if raw is None:
        return usage
    where = "usage"
    in_details = common.get_dict(raw, "input_tokens_details", where)
    out_details = common.get_dict(raw, "output_tokens_details", where)
    usage.prompt_tokens = common.opt_count(raw, "input_tokens", where)
    usage.completion_tokens = common.opt_count(raw, "output_tokens", where)
    usage.total_tokens = common.opt_count(raw, "total_tokens", where)
    usage.input_text_tokens = common.opt_count(in_details, "text_tokens", f"{where}.input_tokens_details")
    usage.input_image_tokens = common.opt_count(in_details, "image_tokens", f"{where}.input_tokens_details")
    # ``output_tokens`` are the image's tokens unless a split says otherwise.
    image_tokens = common.opt_count(out_details, "image_tokens", f"{where}.output_tokens_details")
    usage.output_image_tokens = image_tokens or usage.completion_tokens
    usage.output_text_tokens = common.opt_count(out_details, "text_tokens", f"{where}.output_tokens_details")
    return usage


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """An OpenAI error body (``{"error": {"message", "type", "code", "param"}}``), classified by code and type."""
    return openai_error_info(status, body)
