"""The Anthropic Messages protocol: ``POST {base}/messages``.

Headers: ``anthropic-version`` (``AIModelAPI.config["api_version"]``, default ``2023-06-01``) and, only when the
caller lists some in ``config["betas"]``, ``anthropic-beta`` — every feature used here is generally available, so
none is added on its own. The API key (``x-api-key``) is added by the host layer.

On Vertex AI the same body goes to ``…/publishers/anthropic/models/{model}:rawPredict`` (``:streamRawPredict`` for
a stream), without ``model`` and with ``anthropic_version`` in the body (``vertex-2023-10-16`` unless
``config["anthropic_version"]`` says otherwise).

The body is built in :mod:`._anthropic_request`, answers and errors are read in :mod:`._anthropic_response`, streams
in :mod:`._anthropic_stream`; their docstrings explain the choices made.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from ..types.enums import AIModelAPIProviderEnum
from ..types.response import ChatResponse
from ._anthropic_request import DEFAULT_MAX_TOKENS, NAME, build_body
from ._anthropic_response import parse_error as _parse_error
from ._anthropic_response import parse_response as _parse_response
from ._anthropic_stream import AnthropicAccumulator
from .base import CallContext, ErrorInfo, WireRequest

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "NAME",
    "Accumulator",
    "build_request",
    "new_accumulator",
    "parse_error",
    "parse_response",
]

DEFAULT_API_VERSION = "2023-06-01"
VERTEX_API_VERSION = "vertex-2023-10-16"

#: The stream accumulator class (see :mod:`._anthropic_stream`).
Accumulator = AnthropicAccumulator


def build_request(ctx: CallContext) -> WireRequest:
    api = ctx.endpoint.api
    body = build_body(ctx)
    headers: dict[str, str] = {}
    betas = api.config.get("betas") or []
    if isinstance(betas, str):
        betas = [betas]
    if betas:
        headers["anthropic-beta"] = ",".join(str(b) for b in betas)
    if ctx.stream:
        body["stream"] = True
    if ctx.api_provider is AIModelAPIProviderEnum.GOOGLE_VERTEX_AI:
        project = api.config.get("project_id")
        if not project:
            raise ConfigurationError("AIModelAPI(google_vertex_ai).config needs 'project_id' for Claude models")
        location = api.config.get("location") or "us-central1"
        model = body.pop("model")
        body = {"anthropic_version": str(api.config.get("anthropic_version") or VERTEX_API_VERSION), **body}
        method = "streamRawPredict" if ctx.stream else "rawPredict"
        path = f"/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:{method}"
        return WireRequest("POST", path, json=body, headers=headers, stream=ctx.stream)
    headers["anthropic-version"] = str(api.config.get("api_version") or DEFAULT_API_VERSION)
    return WireRequest("POST", "/messages", json=body, headers=headers, stream=ctx.stream)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    return _parse_response(data, ctx)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    return _parse_error(status, body)


def new_accumulator(ctx: CallContext) -> AnthropicAccumulator:
    return AnthropicAccumulator(ctx)
