"""The Anthropic Messages protocol: ``POST {base}/messages``.

Headers: ``anthropic-version`` (``AIModelCallConfig.api_version_override``, else ``AIModelAPI.config["api_version"]``,
default ``2023-06-01``) and, only when the caller lists some in ``config["betas"]``, ``anthropic-beta`` — every
feature used here is generally available, so none is added on its own. The API key (``x-api-key``) is added by the
host layer.

On Vertex AI and Bedrock (InvokeModel) the same body goes to the host's route with the model in the path
(``…/publishers/anthropic/models/{model}:rawPredict``, ``/model/{model}/invoke`` …), without ``model`` and with the
host's ``anthropic_version`` in the body (``vertex-2023-10-16``, ``bedrock-2023-05-31``) unless
``config["anthropic_version"]`` says otherwise; there the betas go in the body too (``anthropic_beta: [...]``), and on
Bedrock the route, not a ``stream`` field, says whether to stream.

The body is built in :mod:`._anthropic_request`, answers and errors are read in :mod:`._anthropic_response`, streams
in :mod:`._anthropic_stream`; their docstrings explain the choices made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..types.response import ChatResponse
from . import _common as common
from ._anthropic_request import DEFAULT_MAX_TOKENS, NAME, build_body
from ._anthropic_response import parse_error as _parse_error
from ._anthropic_response import parse_response as _parse_response
from .base import CallContext, ErrorInfo, WireRequest

if TYPE_CHECKING:
    from ._anthropic_stream import AnthropicAccumulator

    #: The stream accumulator class (see :mod:`._anthropic_stream`).
    Accumulator = AnthropicAccumulator

#: How a stream of this wire is framed on the wire (a host row may say otherwise: Bedrock's event streams).
FRAMING = "sse"

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "FRAMING",
    "NAME",
    "Accumulator",
    "build_request",
    "new_accumulator",
    "parse_error",
    "parse_response",
]

DEFAULT_API_VERSION = "2023-06-01"


def build_request(ctx: CallContext) -> WireRequest:
    api = ctx.endpoint.api
    body = build_body(ctx)
    headers: dict[str, str] = {}
    betas = api.config.get("betas") or []
    betas = [str(b) for b in ([betas] if isinstance(betas, str) else betas)]
    wire = ctx.wire_api or NAME
    if ctx.stream and wire not in ctx.host.anthropic_stream_by_route:
        body["stream"] = True
    if ctx.stream and ctx.host.framing_for(wire, FRAMING) == "aws-eventstream":
        headers["accept"] = "application/vnd.amazon.eventstream"  # Bedrock InvokeModel: AWS event streams
    path, params = ctx.route(NAME)
    body_version = ctx.body_version(NAME)
    if body_version is not None:
        # The model is in the path; the API version, and the betas, are in the body.
        body.pop("model", None)
        body = {"anthropic_version": str(api.config.get("anthropic_version") or body_version), **body}
        if betas:
            body["anthropic_beta"] = betas
    else:
        version = ctx.config.api_version_override or api.config.get("api_version") or DEFAULT_API_VERSION
        headers["anthropic-version"] = str(version)
        if betas:
            headers["anthropic-beta"] = ",".join(betas)
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is sent.
    common.check_request_body(body)
    return WireRequest("POST", path, json=body, headers=headers, params=params or None, stream=ctx.stream)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    return _parse_response(data, ctx)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    return _parse_error(status, body)


def new_accumulator(ctx: CallContext) -> AnthropicAccumulator:
    from ._anthropic_stream import AnthropicAccumulator

    return AnthropicAccumulator(ctx)


def __getattr__(name: str) -> Any:
    # The stream reader is imported with the first stream: a call that does not stream never loads it.
    if name == "Accumulator":
        from ._anthropic_stream import AnthropicAccumulator

        return AnthropicAccumulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
