"""The stream driver: bytes → SSE events → protocol accumulator → ``(chunk, None)`` items, then ``(None, final)``.

It yields *batches* (all the items one network read completed) so that the sync shell crosses into the event loop
once per read, not once per chunk; the public generators flatten them.

Errors before the first chunk reach the caller are retried by the retry policy (a failed open, a dropped connection,
an in-band error event). After it, nothing is retried silently: a :class:`StreamError` carries the partial response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ._decoders.sse import SSEDecoder
from ._finalize import finalize
from ._transport import retry as _retry
from ._transport.http import Deadline, HTTPTransport
from .errors import DhenaraError, ResponseParseError, StreamError
from .protocols.base import CallContext, StreamAccumulator, WireProtocol, WireRequest
from .types.enums import ExternalApiCallStatusEnum
from .types.response import AIModelCallResponse, ExternalApiCallStatus, StreamItem
from .types.stream import ChatResponseTextContentItemDelta, SSEResponse

Batch = list[StreamItem]

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


class _Reader:
    """One open stream: reads, decodes and accumulates until a batch of chunks is ready."""

    def __init__(self, response: httpx.Response, acc: StreamAccumulator, deadline: Deadline) -> None:
        self.response = response
        self.acc = acc
        self.deadline = deadline
        self.decoder = SSEDecoder()
        self.bytes_iter = response.aiter_bytes().__aiter__()
        self.eof = False
        #: The bytes read before the first event: a body that never yields one may be plain JSON sent with an
        #: event-stream content type (Gemini has answered an invalid key so); see :func:`start_stream`.
        self.head = b""
        self.saw_event = False

    async def next_batch(self) -> Batch:
        """The next non-empty batch, or [] at the end of the stream."""
        while not self.eof:
            self.deadline.arm()
            try:
                chunk = await self.bytes_iter.__anext__()
            except StopAsyncIteration:
                self.eof = True
                events = self.decoder.flush()
            except BaseException as exc:
                translated = self.deadline.translate(exc)
                if translated is exc:
                    raise
                raise translated from None
            else:
                events = self.decoder.feed(chunk)
                if not self.saw_event and len(self.head) < MAX_SNIFFED_BODY:
                    self.head += chunk
            finally:
                self.deadline.disarm()
            self.saw_event = self.saw_event or bool(events)
            if events:
                # The hottest loop of a stream: locals, and positional construction (keywords cost twice as much).
                batch: Batch = []
                append = batch.append
                feed = self.acc.feed
                for event in events:
                    for c in feed(event):
                        append((SSEResponse(c), None))
                if batch:
                    return batch
        return []


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
                    raw = await response.aread()
                finally:
                    await response.aclose()
                return _once(await _whole_answer(transport, protocol, ctx, response, raw))
            reader = _Reader(response, protocol.new_accumulator(ctx), deadline)
            try:
                first = await reader.next_batch()
            except BaseException as exc:
                await response.aclose()
                if isinstance(exc, httpx.HTTPError):
                    raise transport.map_httpx_error(exc) from None
                raise transport.scrub_error(exc) from None
            if not first and reader.eof and not reader.saw_event and reader.head.strip():
                # Not an event stream after all, whatever the content type said: read it as a whole answer.
                await response.aclose()
                return _once(await _whole_answer(transport, protocol, ctx, response, reader.head))
            return _rest(reader, first, ctx, transport)
    raise AssertionError("unreachable")  # pragma: no cover


async def _once(batch: Batch) -> AsyncIterator[Batch]:
    yield batch


async def _rest(reader: _Reader, first: Batch, ctx: CallContext, transport: HTTPTransport) -> AsyncIterator[Batch]:
    try:
        if first:
            yield first
        while True:
            try:
                batch = await reader.next_batch()
            except httpx.HTTPError as exc:
                raise _stream_error(reader, ctx, transport.map_httpx_error(exc)) from None
            except DhenaraError as exc:
                transport.scrub_error(exc)
                raise _stream_error(reader, ctx, exc) from None
            if not batch:
                break
            yield batch
        if not reader.acc.done:
            raise _stream_error(reader, ctx, None, "the stream ended before its final event")
        final = finalize(reader.acc.final(), ctx)
        yield [(None, AIModelCallResponse(status=success_status(ctx), chat_response=final))]
    finally:
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
    items: Batch = []
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
