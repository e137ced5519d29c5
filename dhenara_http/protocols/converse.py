"""Amazon Bedrock's Converse protocol: ``POST /model/{modelId}/converse`` and ``/model/{modelId}/converse-stream``.

One body shape for every model Bedrock hosts (Claude, Nova, Llama, Mistral, DeepSeek, Qwen …). The path comes from
the host's route table (the model id URL-quoted: ``…-v1:0`` → ``…-v1%3A0``); streams are AWS binary event streams
(``FRAMING``), decoded by ``dhenara_http._decoders.eventstream``. Authentication (SigV4 or a Bedrock API key) is
added by the transport's signer.

The body is built in :mod:`._converse_request`, answers and errors are read in :mod:`._converse_response`, streams
in :mod:`._converse_stream`; their docstrings explain the choices made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..types.response import ChatResponse
from . import _common as common
from ._converse_request import NAME, build_body
from ._converse_response import parse_error as _parse_error
from ._converse_response import parse_response as _parse_response
from .base import CallContext, ErrorInfo, WireRequest

if TYPE_CHECKING:
    from ._converse_stream import ConverseAccumulator

    #: The stream accumulator class (see :mod:`._converse_stream`).
    Accumulator = ConverseAccumulator

#: How a stream of this wire is framed.
FRAMING = "aws-eventstream"

__all__ = ["FRAMING", "NAME", "Accumulator", "build_request", "new_accumulator", "parse_error", "parse_response"]


def build_request(ctx: CallContext) -> WireRequest:
    path, params = ctx.route(NAME)
    headers = {"accept": "application/vnd.amazon.eventstream" if ctx.stream else "application/json"}
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is signed or sent.
    body = common.check_request_body(build_body(ctx))
    return WireRequest("POST", path, json=body, headers=headers, params=params or None, stream=ctx.stream)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    return _parse_response(data, ctx)


def parse_error(status: int, body: Any, headers: Mapping[str, str] | None = None) -> ErrorInfo | None:
    """The error of a Bedrock answer; ``headers`` (when the caller has them) carry the error type
    (``x-amzn-errortype``), which the body usually does not."""
    return _parse_error(status, body, headers)


def new_accumulator(ctx: CallContext) -> ConverseAccumulator:
    from ._converse_stream import ConverseAccumulator

    return ConverseAccumulator(ctx)


def __getattr__(name: str) -> Any:
    # The stream reader is imported with the first stream: a call that does not stream never loads it.
    if name == "Accumulator":
        from ._converse_stream import ConverseAccumulator

        return ConverseAccumulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
