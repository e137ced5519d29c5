"""The stream driver: bytes → events (the decoder the wire's framing names) → protocol accumulator →
``(chunk, None)`` items, then ``(None, final)``. No httpx and no event loop here: the bytes come from the transport's
:class:`~dhenara_http._transport.http.OpenStream`, and the driver running the call decides how awaiting works.

The stream is opened, retried and read up to its first chunk by the one async core, on either driver. The rest is
read a network chunk at a time by a shell of each kind: :func:`_rest`, an async generator, on the async transport, and
:class:`SyncRest`, the same steps with its reads made directly, on the sync one (stepping an async generator through
the sync driver on every network read cost about a fifth of a 2,000-chunk stream). Each yields the items themselves,
made from one read at a time: a large read's events are made, accumulated and wrapped as the caller takes the items,
so a read of a few hundred events never holds a few hundred events and chunks at once.

Errors before the first chunk are retried by the retry policy (a failed open, a dropped connection, an in-band error
event): the stream is read eagerly up to its first chunk. After it, nothing is retried silently, and the error raised
is both a :class:`~dhenara_http.errors.StreamError` carrying the partial response and the cause's own class
(:func:`~dhenara_http.errors.stream_error`). Whatever a decoder or an accumulator raises that is not one of ours (a
malformed event read into a ``TypeError`` …) becomes a :class:`~dhenara_http.errors.ResponseParseError` here, the
one boundary where stream events are read.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from ._answers import read_answer, response_of
from ._decoders import Decoder, SSEEvent, decoder_for
from ._finalize import finalize
from ._transport import http as _http
from ._transport import retry as _retry
from ._transport.http import Facts, OpenStream, Transport
from .errors import APIConnectionError, DhenaraError, ResponseParseError, StreamError, stream_error
from .protocols.base import CallContext, StreamAccumulator, WireProtocol, WireRequest
from .types.response import AIModelCallResponse, StreamItem
from .types.stream import ChatResponseChunk, ChatResponseTextContentItemDelta, SSEResponse

#: How much of a body that yields no event is kept to be read as plain JSON.
MAX_SNIFFED_BODY = 1024 * 1024
#: Reads up to this size are made into items at once (see :meth:`_Reader.items`).
_EAGER_READ = 16 * 1024


def _raise(error: BaseException) -> Iterator[Any]:
    raise error
    yield  # a generator: raises when it is reached


def typed(exc: BaseException, transport: Transport, what: str) -> DhenaraError:
    """``exc`` as one of our errors, secrets scrubbed: a foreign exception from reading an answer is a
    :class:`ResponseParseError` naming ``what`` was read."""
    if isinstance(exc, DhenaraError):
        transport.target.scrub.error(exc)
        return exc
    t = transport.target
    detail = t.scrub.text(f"{type(exc).__name__}: {exc}")[:300]
    return ResponseParseError(f"malformed {what}: {detail}", provider=t.provider, model=t.model)


class _Reader:
    """One open stream: reads, decodes and accumulates."""

    def __init__(
        self,
        stream: OpenStream,
        acc: StreamAccumulator,
        decoder: Decoder,
        ctx: CallContext,
        facts: Facts,
    ) -> None:
        self.stream = stream
        self.acc = acc
        self.decoder = decoder
        self.ctx = ctx
        self.facts = facts
        self.transport = stream.transport
        #: The bytes read before the first event: a body that never yields one may be plain JSON sent with an
        #: event-stream content type (Gemini has answered an invalid key so); see :func:`start_stream`.
        self.head = b""
        self.saw_event = False
        #: The events of the first chunk's read that come after it.
        self.rest_of_read: Iterator[SSEEvent] = iter(())

    def events(self, chunk: bytes | None) -> Iterator[SSEEvent]:
        """The events ``chunk`` completes (``None``: the end of the body), made as they are taken."""
        return self.decoder.iter_feed(chunk) if chunk is not None else self.decoder.iter_flush()

    async def first_chunks(self) -> list[ChatResponseChunk]:
        """The first chunks (those of the first event that makes any), read eagerly so that an error before them can
        still be retried; [] when the body ends without one. The rest of their read stays in ``rest_of_read``."""
        stream = self.stream
        while not stream.eof:
            chunk = await stream.read()
            events = self.events(chunk)
            if chunk is not None and not self.saw_event and len(self.head) < MAX_SNIFFED_BODY:
                self.head += chunk
            feed = self.acc.feed
            for event in events:
                self.saw_event = True
                chunks = feed(event)
                if chunks:
                    self.rest_of_read = events
                    return chunks
        return []

    def items(self, chunk: bytes | None) -> Iterable[StreamItem]:
        """The items of one read; an error on the way is the stream's error, raised after the items before it.

        A small read (one event or a few, as providers send them) is made at once, as a list: cheaper than the
        generators the lazy path chains. A large one is made as it is taken (:meth:`items_of`)."""
        if chunk is not None and len(chunk) <= _EAGER_READ:
            out: list[StreamItem] = []
            try:
                feed = self.acc.feed
                for event in self.decoder.feed(chunk):
                    # A loop, not extend() of a comprehension: an event makes one chunk or none, and the
                    # comprehension's own frame costs more than the append.
                    for c in feed(event):
                        out.append((SSEResponse(c), None))  # noqa: PERF401
            except Exception as exc:
                return itertools.chain(out, _raise(self.failed(exc)))
            return out
        try:
            events = self.events(chunk)  # the bytes are taken in (and checked) now; the events come as taken
        except Exception as exc:
            raise self.failed(exc) from None
        return self.items_of(events)

    def items_of(self, events: Iterator[SSEEvent]) -> Iterator[StreamItem]:
        """The items of these events, made as they are taken; an error on the way is the stream's error."""
        try:
            feed = self.acc.feed
            for event in events:
                for c in feed(event):
                    # Positional: keyword construction costs twice as much, and this runs once per chunk.
                    yield (SSEResponse(c), None)
        except Exception as exc:
            raise self.failed(exc) from None

    def failed(self, exc: BaseException, message: str | None = None) -> StreamError:
        """The stream's error for ``exc`` (typed, secrets scrubbed), with the partial answer."""
        cause = typed(exc, self.transport, "stream event")
        return stream_error(
            message or f"the stream failed after its first chunk: {cause}", partial=self.partial(), error=cause
        )

    def partial(self) -> AIModelCallResponse | None:
        try:
            return AIModelCallResponse(chat_response=finalize(self.acc.final(), self.ctx))
        except Exception:  # the partial answer is a courtesy; never mask the real error
            return None

    def last_items(self) -> Iterator[StreamItem]:
        """At the end of the body: the items of the events still in the decoder, then the final answer."""
        yield from self.items(None)
        if not self.acc.done:
            t = self.transport.target
            cause = APIConnectionError("the stream ended before its final event", provider=t.provider, model=t.model)
            raise self.failed(cause, "the stream ended before its final event")
        try:
            final = finalize(self.acc.final(), self.ctx)
        except Exception as exc:
            raise self.failed(exc) from None
        yield (None, response_of(final, self.ctx, self.facts))


async def start_stream(
    transport: Transport, protocol: WireProtocol, ctx: CallContext, wire: WireRequest
) -> AsyncIterator[StreamItem] | Iterable[StreamItem]:
    """Open the stream and read up to its first chunk, retrying failures on the way (so ``generate`` raises errors
    that come before any chunk, as the official SDKs do); return the stream's items: an async generator on the async
    transport, an iterable (:class:`SyncRest`, or a list for an answer read whole) on the sync one."""
    cfg = ctx.config
    framing = ctx.host.framing_for(ctx.wire_api or protocol.NAME, getattr(protocol, "FRAMING", "sse"))

    async def attempt(n: int) -> AsyncIterator[StreamItem] | Iterable[StreamItem]:
        stream = await transport.open_stream(wire, cfg)
        facts = stream.facts(n)
        ctype = stream.content_type
        if "json" in ctype and "event-stream" not in ctype:
            # A host that ignored ``stream: true`` (or an error with a 2xx status): read it whole.
            try:
                raw = await stream.read_all(_http.MAX_JSON_BODY)
            finally:
                await stream.aclose()
            return _whole(transport, _whole_answer(transport, protocol, ctx, stream, raw, facts))
        reader = _Reader(stream, protocol.new_accumulator(ctx), decoder_for(framing), ctx, facts)
        try:
            first = await reader.first_chunks()
        except BaseException as exc:
            await stream.aclose()
            if isinstance(exc, Exception):
                raise typed(exc, transport, "stream event") from None
            raise
        if not first and stream.eof and not reader.saw_event and reader.head.strip():
            # Not an event stream after all, whatever the content type said: read it as a whole answer.
            await stream.aclose()
            return _whole(transport, _whole_answer(transport, protocol, ctx, stream, reader.head, facts))
        return SyncRest(reader, first) if transport.kind == "sync" else _rest(reader, first)

    return await _retry.run(attempt, transport.policy(cfg), transport.sleep, transport.log_retry)


def _whole(transport: Transport, items: list[StreamItem]) -> AsyncIterator[StreamItem] | Iterable[StreamItem]:
    return items if transport.kind == "sync" else _items_of(items)


async def _items_of(items: list[StreamItem]) -> AsyncIterator[StreamItem]:
    for item in items:
        yield item


async def _rest(reader: _Reader, first: list[ChatResponseChunk]) -> AsyncIterator[StreamItem]:
    """The rest of a stream on the async transport: its items, read a network chunk at a time."""
    stream = reader.stream
    try:
        if first:
            # The first chunks, then the rest of their read, made as they are taken.
            for c in first:
                yield (SSEResponse(c), None)
            for item in reader.items_of(reader.rest_of_read):
                yield item
        while True:
            try:
                chunk = await stream.read()
            except Exception as exc:
                raise reader.failed(exc) from None
            if chunk is None:
                break
            for item in reader.items(chunk):
                yield item
        # The body is complete: the connection goes back to the pool now, before the last events and the final answer.
        await stream.aclose()
        for item in reader.last_items():
            yield item
    finally:
        await stream.aclose()


class SyncRest:
    """The rest of a stream on the sync transport: the steps of :func:`_rest`, its reads made directly (see the
    module's docstring). Iterating it gives the stream's items; closing the iterator (``break``, or dropping it)
    closes the response at once, so its connection goes back to the pool."""

    __slots__ = ("first", "reader")

    def __init__(self, reader: _Reader, first: list[ChatResponseChunk]) -> None:
        self.reader = reader
        self.first = first

    def __iter__(self) -> Iterator[StreamItem]:
        reader = self.reader
        stream = reader.stream
        try:
            if self.first:
                yield from [(SSEResponse(c), None) for c in self.first]
                yield from reader.items_of(reader.rest_of_read)
            read = stream.read_now
            while True:
                try:
                    chunk = read()
                except Exception as exc:
                    raise reader.failed(exc) from None
                if chunk is None:
                    break
                yield from reader.items(chunk)
            stream.close_now()
            yield from reader.last_items()
        finally:
            stream.close_now()


def _whole_answer(
    transport: Transport, protocol: WireProtocol, ctx: CallContext, stream: OpenStream, raw: bytes, facts: Facts
) -> list[StreamItem]:
    try:
        data: Any = json.loads(raw)
    except (ValueError, RecursionError):
        t = transport.target
        raise ResponseParseError(
            "a streaming request was answered with a body that is neither an event stream nor JSON",
            provider=t.provider,
            model=t.model,
            status_code=stream.status,
        ) from None
    from ._transport._errors import error_in_2xx, with_implied_status

    data = transport.checked(raw, data)
    named = error_in_2xx(data)
    if named is not None:
        err = transport.error_from_body(named or 500, raw, stream.headers)
        raise with_implied_status(err) if not named else err
    final = read_answer(protocol, data, ctx, transport, facts)
    items: list[StreamItem] = []
    if final.chat_response is not None:
        text = final.chat_response.text()
        if text:
            chunk = ctx.make_chunk([ChatResponseTextContentItemDelta(index=0, text_delta=text)])
            items.append((SSEResponse(data=chunk), None))
    items.append((None, final))
    return items
