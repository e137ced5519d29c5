"""The Gemini wire protocol: ``generateContent`` / ``streamGenerateContent?alt=sse``.

One body format serves the Gemini API (``/models/{model}:…``) and Vertex AI
(``/projects/{project}/locations/{location}/publishers/google/models/{model}:…``); only :func:`model_path` knows the
difference. The request body is built in :mod:`._gemini_request`, answers and errors are read in
:mod:`._gemini_response`, streams are merged in :mod:`._gemini_stream`.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from ..types.enums import AIModelAPIProviderEnum
from ..types.response import ChatResponse
from ._gemini_request import build_body
from ._gemini_response import NAME
from ._gemini_response import parse_error as _parse_error
from ._gemini_response import parse_response as _parse_response
from ._gemini_stream import Accumulator
from .base import CallContext, ErrorInfo, WireRequest

__all__ = ["NAME", "Accumulator", "build_request", "model_path", "new_accumulator", "parse_error", "parse_response"]


def model_path(ctx: CallContext, method: str) -> str:
    """The path of ``method`` (``generateContent`` …) for this call's model, relative to the host's base URL."""
    name = ctx.model_name
    if ctx.api_provider is AIModelAPIProviderEnum.GOOGLE_VERTEX_AI:
        config = ctx.endpoint.api.config
        project = config.get("project_id")
        if not project:
            raise ConfigurationError("AIModelAPI(google_vertex_ai).config needs 'project_id'")
        location = config.get("location") or "us-central1"
        return f"/projects/{project}/locations/{location}/publishers/google/models/{name}:{method}"
    # Names given in resource form ("models/…", "tunedModels/…") are already a path.
    prefix = "" if "/" in name else "models/"
    return f"/{prefix}{name}:{method}"


def build_request(ctx: CallContext) -> WireRequest:
    if ctx.stream:
        return WireRequest(
            "POST",
            model_path(ctx, "streamGenerateContent"),
            json=build_body(ctx),
            params={"alt": "sse"},
            stream=True,
        )
    return WireRequest("POST", model_path(ctx, "generateContent"), json=build_body(ctx))


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    return _parse_response(data, ctx)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    return _parse_error(status, body)


def new_accumulator(ctx: CallContext) -> Accumulator:
    return Accumulator(ctx)
