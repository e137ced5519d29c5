"""The stream driver: bytes → SSE events → protocol accumulator → ``(chunk, None)`` items, then ``(None, final)``.

It yields *batches* (the items of one network read) so that the sync shell crosses into the event loop once per
read, not once per chunk; the public generators flatten them. A batch is lazy: the read's events are made, accumulated
and wrapped one at a time as the caller takes the items, so a read of a few hundred events never holds a few hundred
events and chunks at once (which the garbage collector would otherwise keep promoting to its older generations, and
then sweep the whole heap for) — and the sync shell does that work outside the event loop.

Errors before the first chunk are retried by the retry policy (a failed open, a dropped connection, an in-band error
event): the stream is read eagerly up to its first chunk. After it, nothing is retried silently — whether the error
came in the same network read or a later one — and a :class:`StreamError` carries the partial response.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpx

from ._decoders.sse import SSEDecoder, SSEEvent
from ._finalize import finalize
from ._transport import http as _http
from ._transport import retry as _retry
from ._transport.http import Deadline, HTTPTransport
from .errors import DhenaraError, ResponseParseError, StreamError
from .protocols.base import CallContext, StreamAccumulator, WireProtocol, WireRequest
from .types.enums import ExternalApiCallStatusEnum
from .types.response import AIModelCallResponse, ExternalApiCallStatus, StreamItem
from .types.stream import ChatResponseChunk, ChatResponseTextContentItemDelta, SSEResponse

Batch = Iterable[StreamItem]

#: How much of a body that yields no event is kept to be read as plain JSON.
MAX_SNIFFED_BODY = 1024 * 1024


def success_status(ctx: CallContext, code: int = 200) -> ExternalApiCallStatus:
    return ExternalApiCallStatus(
        status=ExternalApiCallStatusEnum.RESPONSE_RECEIVED_SUCCESS,
        api_provider=ctx.api_provider,
        model=ctx.model_name,
        message="ok",
        http_status_code=code,
    )


class _StreamDeadline(Deadline):
    """The call's deadline while a stream is read, with one timer for the whole stream instead of one per network
    read (a timer set and cancelled per read costs more than a small read's own handling). It behaves as
    :class:`Deadline` does: the task is cancelled only while it awaits a read, and a deadline that passes while the
    caller's code runs between two items is acted on at the next read. :meth:`close` cancels the timer."""

    __slots__ = ("_armed", "_due")

    def __init__(self, opened: Deadline) -> None:
        super().__init__(opened.seconds)
        self._at = opened._at
        self.expired = opened.expired
        self._armed = False
        #: The timer went off (``expired`` is set only when it cancels a read, as in :class:`Deadline`).
        self._due = False

    def arm(self) -> None:
        if self.seconds is None:
            return
        self._armed = True
        self._task = asyncio.current_task()
        if self._handle is None:
            loop = asyncio.get_running_loop()
            if self._at is None:
                self._at = loop.time() + self.seconds
            self._handle = loop.call_at(self._at, self._expire)
        elif self._due:
            # The timer went off while disarmed: act at the next loop turn, as a timer set in the past would.
            asyncio.get_running_loop().call_soon(self._expire)

    def _expire(self) -> None:
        self._due = True
        if self._armed and self._task is not None:
            self.expired = True
            self._task.cancel()

    def disarm(self) -> None:
        self._armed = False

    def close(self) -> None:
        self._armed = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._task = None


class _Reader:
    """One open stream: reads, decodes and accumulates."""

    def __init__(
        self,
        response: httpx.Response,
        acc: StreamAccumulator,
        deadline: Deadline,
        ctx: CallContext,
        transport: HTTPTransport,
    ) -> None:
        self.response = response
        self.acc = acc
        self.deadline = _StreamDeadline(deadline)
        self.ctx = ctx
        self.transport = transport
        self.decoder = SSEDecoder()
        # Without a content encoding the decoded bytes are the raw bytes: one generator layer fewer per read.
        encoding = response.headers.get("content-encoding", "").strip().lower()
        chunks = response.aiter_raw() if encoding in ("", "identity") else response.aiter_bytes()
        self.bytes_iter = chunks.__aiter__()
        self.eof = False
        #: The bytes read before the first event: a body that never yields one may be plain JSON sent with an
        #: event-stream content type (Gemini has answered an invalid key so); see :func:`start_stream`.
        self.head = b""
        self.saw_event = False
        #: The events of the first chunk's read that come after it.
        self.rest_of_read: Iterator[SSEEvent] = iter(())

    async def read(self) -> bytes | None:
        """The next network chunk; None at the end of the body."""
        if self.eof:
            return None
        self.deadline.arm()
        try:
            return await self.bytes_iter.__anext__()
        except StopAsyncIteration:
            self.eof = True
            return None
        except BaseException as exc:
            translated = self.deadline.translate(exc)
            if translated is exc:
                raise
            raise translated from None
        finally:
            self.deadline.disarm()

    def events(self, chunk: bytes | None) -> Iterator[SSEEvent]:
        """The events ``chunk`` completes (``None``: the end of the body), made as they are taken."""
        return self.decoder.iter_feed(chunk) if chunk is not None else self.decoder.iter_flush()

    async def first_chunks(self) -> list[ChatResponseChunk]:
        """The first chunks (those of the first event that makes any), read eagerly so that an error before them can
        still be retried; [] when the body ends without one. The rest of their read stays in ``rest_of_read``."""
        while not self.eof:
            chunk = await self.read()
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

    def items(self, chunk: bytes | None) -> Iterator[StreamItem]:
        """The items of one read, made as they are taken; an error on the way is the stream's error."""
        try:
            events = self.events(chunk)  # the bytes are taken in (and checked) now; the events come as taken
        except DhenaraError as exc:
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
        except DhenaraError as exc:
            raise self.failed(exc) from None

    def failed(self, exc: DhenaraError) -> StreamError:
        """The stream's error for ``exc`` (secrets scrubbed), with the partial answer."""
        self.transport.scrub_error(exc)
        return _stream_error(self, self.ctx, exc)

    def last_items(self) -> Iterator[StreamItem]:
        """At the end of the body: the items of the events still in the decoder, then the final answer."""
        yield from self.items(None)
        if not self.acc.done:
            raise _stream_error(self, self.ctx, None, "the stream ended before its final event")
        final = finalize(self.acc.final(), self.ctx)
        yield (None, AIModelCallResponse(status=success_status(self.ctx), chat_response=final))


async def start_stream(
    transport: HTTPTransport, protocol: WireProtocol, ctx: CallContext, wire: WireRequest
) -> AsyncIterator[Batch]:
    """Open the stream and read up to its first chunk, retrying failures on the way (so ``generate`` raises errors
    that come before any chunk, as the official SDKs do); return the generator of the rest."""
    cfg = ctx.config
    async for attempt in _retry.retrying(cfg.retries, cfg.max_retry_wait):
        with attempt:
            deadline = Deadline(cfg.timeout)
            deadline.arm()
            try:
                response = await transport.open_stream(
                    wire, connect=cfg.connect_timeout, read=cfg.read_timeout, total=cfg.timeout
                )
            except BaseException as exc:
                translated = deadline.translate(exc)
                if translated is exc:
                    raise
                raise translated from None
            finally:
                deadline.disarm()
            ctype = response.headers.get("content-type", "")
            if "json" in ctype and "event-stream" not in ctype:
                # A host that ignored ``stream: true`` (or an error with a 2xx status): read it whole.
                try:
                    raw = await _http.read_capped(response, _http.MAX_JSON_BODY)
                finally:
                    await response.aclose()
                return _once(await _whole_answer(transport, protocol, ctx, response, raw))
            reader = _Reader(response, protocol.new_accumulator(ctx), deadline, ctx, transport)
            try:
                first = await reader.first_chunks()
            except BaseException as exc:
                reader.deadline.close()
                await response.aclose()
                if isinstance(exc, httpx.HTTPError):
                    raise transport.map_httpx_error(exc) from None
                raise transport.scrub_error(exc) from None
            # No timer pending until the caller takes the stream up (it may never).
            reader.deadline.close()
            if not first and reader.eof and not reader.saw_event and reader.head.strip():
                # Not an event stream after all, whatever the content type said: read it as a whole answer.
                await response.aclose()
                return _once(await _whole_answer(transport, protocol, ctx, response, reader.head))
            return _rest(reader, first)
    raise AssertionError("unreachable")  # pragma: no cover


async def _once(batch: Batch) -> AsyncIterator[Batch]:
    yield batch


async def _rest(reader: _Reader, first: list[ChatResponseChunk]) -> AsyncIterator[Batch]:
    ctx, transport = reader.ctx, reader.transport
    try:
        if first:
            # The first chunks, then the rest of their read, made as they are taken.
            yield itertools.chain([(SSEResponse(c), None) for c in first], reader.items_of(reader.rest_of_read))
        while True:
            try:
                chunk = await reader.read()
            except httpx.HTTPError as exc:
                raise _stream_error(reader, ctx, transport.map_httpx_error(exc)) from None
            except DhenaraError as exc:
                raise reader.failed(exc) from None
            if chunk is None:
                break
            # Taken whole by the caller before the next read (flatten() and the sync shell both do).
            yield reader.items(chunk)
        # The body is complete: the connection goes back to the pool now, and the last events and the final answer
        # come in one batch (one trip into the loop fewer for the sync shell).
        reader.deadline.close()
        await reader.response.aclose()
        yield reader.last_items()
    finally:
        reader.deadline.close()
        await reader.response.aclose()


def _stream_error(
    reader: _Reader, ctx: CallContext, error: DhenaraError | None, message: str | None = None
) -> StreamError:
    try:
        partial_response = finalize(reader.acc.final(), ctx)
        partial: AIModelCallResponse | None = AIModelCallResponse(chat_response=partial_response)
    except Exception:  # the partial answer is a courtesy; never mask the real error
        partial = None
    text = message or f"the stream failed after its first chunk: {error}"
    return StreamError(text, partial=partial, error=error)


async def _whole_answer(
    transport: HTTPTransport, protocol: WireProtocol, ctx: CallContext, response: httpx.Response, raw: bytes
) -> Batch:
    try:
        data: Any = json.loads(raw)
    except ValueError:
        raise ResponseParseError(
            "a streaming request was answered with a body that is neither an event stream nor JSON",
            provider=transport.provider,
            model=transport.model,
            status_code=response.status_code,
        ) from None
    # Google wraps some error bodies in a list: [{"error": {...}}].
    first = data[0] if isinstance(data, list) and data else data
    if isinstance(first, dict) and "error" in first and first["error"]:
        status = response.status_code
        if status < 400:
            # An error with a success status: the body's own HTTP code (Google's ``error.code``) says what it is.
            code = first["error"].get("code") if isinstance(first["error"], dict) else None
            status = code if isinstance(code, int) and code >= 400 else 500
        raise transport.error_from_body(status, raw, response.headers)
    if not isinstance(data, dict):
        raise ResponseParseError(
            "a streaming request was answered with JSON that is not an object",
            provider=transport.provider,
            model=transport.model,
            status_code=response.status_code,
        )
    final = finalize(protocol.parse_response(data, ctx), ctx)
    items: list[StreamItem] = []
    text = final.text()
    if text:
        chunk = ctx.make_chunk([ChatResponseTextContentItemDelta(index=0, text_delta=text)])
        items.append((SSEResponse(data=chunk), None))
    items.append((None, AIModelCallResponse(status=success_status(ctx), chat_response=final)))
    return items


async def flatten(batches: AsyncIterator[Batch]) -> AsyncIterator[StreamItem]:
    """The public async stream: one item at a time."""
    try:
        async for batch in batches:
            for item in batch:
                yield item
    finally:
        aclose = getattr(batches, "aclose", None)
        if aclose is not None:
            await aclose()
