"""Byte decoders with no I/O of their own: network bytes in, events out.

Every decoder yields the same event type, :class:`~.sse.SSEEvent` (``event`` name and ``data`` text), so the stream
accumulators of the protocols never see bytes or framing. A protocol names its framing in ``FRAMING``; a host row may
override it per wire (Bedrock sends AWS event streams). :func:`decoder_for` makes a decoder for a framing name:

* ``"sse"`` — :class:`~.sse.SSEDecoder`, server-sent events (WHATWG rules).
* ``"aws-eventstream"`` — :class:`~.eventstream.EventStreamDecoder`, AWS binary event-stream frames (CRC-checked).

A decoder offers ``feed(chunk)`` (the events a network chunk completes), ``iter_feed(chunk)`` (the same, made as
they are taken: for large reads) and ``iter_flush()`` (at the end of the body: what is left). Malformed input raises
a ``ResponseParseError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Protocol

from .sse import SSEEvent

__all__ = ["FRAMINGS", "Decoder", "SSEEvent", "decoder_for"]


class Decoder(Protocol):
    def feed(self, chunk: bytes) -> list[SSEEvent]: ...

    def iter_feed(self, chunk: bytes) -> Iterator[SSEEvent]: ...

    def iter_flush(self) -> Iterator[SSEEvent]: ...


#: Framing name → (module of this package, decoder class).
FRAMINGS: dict[str, tuple[str, str]] = {
    "sse": ("sse", "SSEDecoder"),
    "aws-eventstream": ("eventstream", "EventStreamDecoder"),
}


def decoder_for(framing: str) -> Decoder:
    try:
        module, name = FRAMINGS[framing]
    except KeyError:
        raise ValueError(f"unknown stream framing {framing!r}") from None
    cls = getattr(import_module(f"{__name__}.{module}"), name)
    decoder: Decoder = cls()
    return decoder
