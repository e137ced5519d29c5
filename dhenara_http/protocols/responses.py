"""The OpenAI Responses API wire protocol (``POST /responses``): the default for OpenAI, and Azure OpenAI's v1 API.

The work is split by direction: requests in :mod:`._responses_request`, answers and errors in
:mod:`._responses_response`, the event stream in :mod:`._responses_stream`. Their docstrings say how
each part of a call maps onto the wire. In short:

* ``instructions`` carries the system instructions; the conversation is ``input`` (see ``render_input``).
* ``AIModelCallConfig.reasoning`` asks for ``reasoning: {effort, summary}`` with ``store: false`` and
  ``include: ["reasoning.encrypted_content"]``, so that reasoning is replayed statelessly on the next turn.
* Structured output is ``text.format`` of type ``json_schema`` in strict mode; tools are function tools.
* ``options`` pass through to the body, except Chat Completions parameters the API does not have (``stop``,
  ``seed`` …), which raise ``ConfigurationError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._responses_request import build_request
from ._responses_response import NAME, parse_error, parse_response
from .base import CallContext

if TYPE_CHECKING:
    from ._responses_stream import Accumulator

#: How a stream of this wire is framed on the wire (a host row may say otherwise: Bedrock's event streams).
FRAMING = "sse"

__all__ = ["FRAMING", "NAME", "Accumulator", "build_request", "new_accumulator", "parse_error", "parse_response"]


def new_accumulator(ctx: CallContext) -> Accumulator:
    """A fresh stream accumulator for one call."""
    from ._responses_stream import Accumulator

    return Accumulator(ctx)


def __getattr__(name: str) -> Any:
    # The stream reader is imported with the first stream: a call that does not stream never loads it.
    if name == "Accumulator":
        from ._responses_stream import Accumulator

        return Accumulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
