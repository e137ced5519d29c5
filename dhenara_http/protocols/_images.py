"""What the image wires share (``openai_images``, ``imagen``, and Gemini's image-output models on ``gemini``): the
prompt of an image call, the options it sends, and the pieces of an :class:`ImageResponse`.

* The prompt: image endpoints take one text, so the system instructions and the text of every turn are joined, one
  per line, in order (dhenara-ai's ``build_image_prompt_text``). An earlier answer contributes its text; tool results
  have no place in an image prompt and are refused, as are files on a wire that takes none.
* The options: the model's defaults (its catalogue ``valid_options``), overridden by the call's options under their
  own names (an alias such as Imagen's ``n`` becomes ``number_of_images``). A default the host does not take is left
  out; an option the call gives that the host does not take is a ``CapabilityError``; a None value is not sent.
  Sending the defaults makes the request — and so the price — exactly what the catalogue says, as dhenara-ai does.
"""

from __future__ import annotations

from typing import Any

from ..errors import CapabilityError, ConfigurationError, ContentFilterError, ResponseParseError
from ..types.enums import ImageContentFormat
from ..types.prompt import Prompt
from ..types.response import ChatResponse, ImageContentItem, ImageResponse, ImageResponseChoice, ImageResponseUsage
from ._common import describe
from .base import CallContext

#: ``output_format`` / file-extension names → media types.
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


def prompt_text(ctx: CallContext, *, files: bool = False) -> str:
    """The one prompt text of an image call. ``files``: whether the wire can carry files (else they are refused)."""
    lines = [text for text in ctx.instructions if text.strip()]
    for message in ctx.messages:
        if isinstance(message, Prompt):
            if message.files and not files:
                raise CapabilityError(
                    f"{ctx.model.model_name} makes images from text only on this wire; "
                    f"it cannot take the file(s) attached to the prompt"
                )
            text = message.rendered_text()
        elif isinstance(message, ChatResponse):
            text = message.text() or ""
        else:
            raise ConfigurationError(
                f"an image generation call takes prompts, not {type(message).__name__} (tool results)"
            )
        if text.strip():
            lines.append(text)
    prompt = "\n".join(lines).strip()
    if not prompt:
        raise ConfigurationError(f"{ctx.model.model_name}: an image generation call needs a non-empty prompt")
    return prompt


def call_options(ctx: CallContext, wire: str) -> dict[str, Any]:
    """The options this call sends, under the model's option names (see the module docstring)."""
    model = ctx.model
    given = ctx.config.options
    model.check_options(given)
    unsupported = ctx.host.unsupported_image_options.get(wire, frozenset())
    out: dict[str, Any] = {}
    for name, spec in model.valid_options.items():
        if spec.display_only or spec.default_value is None or name in unsupported:
            continue
        out[name] = spec.default_value
    for name, value in given.items():
        key = model.option_name(name) or name
        if key in unsupported:
            raise CapabilityError(
                f"{model.model_name} on {ctx.api_provider.value} does not take the option {name!r} "
                "(the host's image API has no such parameter)"
            )
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def content_filtered(ctx: CallContext, message: str, body: Any, code: str | None = None) -> ContentFilterError:
    """The error for an answer whose images the provider's safety system withheld, every one of them."""
    return ContentFilterError(
        message,
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=400,
        error_code=code,
        body=body,
    )


def image_item(
    data: Any, *, media_type: str | None = None, index: int = 0, where: str = "", **metadata: Any
) -> ImageContentItem:
    """A base64 image (``data`` as the provider sent it); a ``ResponseParseError`` naming ``where`` (the JSON path of
    the data) when it is not text, or empty."""
    if not isinstance(data, str) or not data:
        what = f"{where} is {describe(data) if data != '' else 'empty'}" if where else "an image in the answer"
        raise ResponseParseError(f"malformed answer: {what}, expected base64 image data")
    meta = {k: v for k, v in metadata.items() if v is not None}
    return ImageContentItem(
        index=index,
        content_format=ImageContentFormat.BASE64,
        content_b64_json=data,
        media_type=media_type,
        metadata=meta,
    )


def image_response(
    ctx: CallContext,
    choices: list[ImageResponseChoice],
    usage: ImageResponseUsage,
    data: dict[str, Any],
    wire: str,
    **metadata: Any,
) -> ImageResponse:
    return ImageResponse(
        model=ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=usage,
        choices=choices,
        metadata={"wire_api": wire, **{k: v for k, v in metadata.items() if v is not None}},
        provider_response=data,
    )
