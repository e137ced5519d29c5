"""The Gemini wire protocol: ``generateContent`` / ``streamGenerateContent?alt=sse``.

Gemini's image models answer on this wire too, with images: their calls are built and read by :mod:`._gemini_images`.

One body format serves the Gemini API (``/models/{model}:…``) and Vertex AI
(``/projects/{project}/locations/{location}/publishers/google/models/{model}:…``); the host's route table knows the
difference. The request body is built in :mod:`._gemini_request`, answers and errors are read in
:mod:`._gemini_response`, streams are merged in :mod:`._gemini_stream`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..types.response import ChatResponse, ImageResponse
from . import _common as common
from ._gemini_request import build_body
from ._gemini_response import NAME
from ._gemini_response import parse_error as _parse_error
from ._gemini_response import parse_response as _parse_response
from .base import CallContext, ErrorInfo, WireRequest

if TYPE_CHECKING:
    from ._gemini_stream import Accumulator

#: How a stream of this wire is framed on the wire (a host row may say otherwise: Bedrock's event streams).
FRAMING = "sse"

__all__ = ["FRAMING", "NAME", "Accumulator", "build_request", "new_accumulator", "parse_error", "parse_response"]


def build_request(ctx: CallContext) -> WireRequest:
    path, params = ctx.route(NAME)
    return WireRequest(
        "POST", path, json=common.check_request_body(build_body(ctx)), params=params or None, stream=ctx.stream
    )


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse | ImageResponse:
    """A ``ChatResponse``; an ``ImageResponse`` for an image model (see :mod:`._gemini_images`)."""
    if ctx.model.is_image_model:
        from ._gemini_images import parse_image_response

        return parse_image_response(data, ctx)
    return _parse_response(data, ctx)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    return _parse_error(status, body)


def new_accumulator(ctx: CallContext) -> Accumulator:
    from ._gemini_stream import Accumulator

    return Accumulator(ctx)


def __getattr__(name: str) -> Any:
    # The stream reader is imported with the first stream: a call that does not stream never loads it.
    if name == "Accumulator":
        from ._gemini_stream import Accumulator

        return Accumulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
