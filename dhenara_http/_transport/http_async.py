"""The async transport: the primitives of :class:`~.http.Transport` over ``httpx.AsyncClient``, on the caller's
event loop.

The total deadline is one timer per call on the loop: when it passes while the call awaits the network, the waiting
task is cancelled and the cancellation comes out as :class:`~dhenara_http.errors.APITimeoutError`
(``asyncio.timeout`` does this, but only from 3.11). It is armed only while the transport itself awaits, so a
caller's code between two stream items is never cancelled; a deadline that passes meanwhile is acted on at the next
read.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

import httpx

from .http import Deadline, Target, Transport, total_timeout_error

#: The event loop running in this thread, or None (``asyncio.get_running_loop`` without the exception).
_running_loop = asyncio._get_running_loop


async def sleep(seconds: float) -> None:
    """The wait between two attempts (tests replace it)."""
    await asyncio.sleep(seconds)


class AsyncDeadline:
    __slots__ = ("_armed", "_at", "_due", "_handle", "_task", "expired", "model", "provider", "seconds")

    def __init__(self, seconds: float | None, provider: str, model: str) -> None:
        self.seconds = seconds
        self.provider = provider
        self.model = model
        self.expired = False
        self._at: float | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._armed = False
        #: The timer went off (``expired`` is set only when it cancels an await).
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

    def translate(self, exc: BaseException) -> BaseException:
        """The error to raise instead of ``exc``: a cancellation this deadline caused becomes a timeout."""
        if isinstance(exc, asyncio.CancelledError) and self.expired:
            task = self._task
            if task is not None and hasattr(task, "uncancel"):
                task.uncancel()
            return total_timeout_error(self.seconds, self.provider, self.model)
        return exc

    def check(self) -> None:
        if self.expired or self._due:
            raise total_timeout_error(self.seconds, self.provider, self.model)

    def close(self) -> None:
        self._armed = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._task = None


async def _closed_with_the_loop(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """An async generator that closes ``client`` when it is closed. Stepped once on the client's loop, it is tracked
    by that loop, and ``asyncio.run`` closes the async generators it tracks before it closes the loop
    (``loop.shutdown_asyncgens``): so a pool left open by a program that never calls ``aclose()`` is still closed on
    its own loop, not dropped with open sockets."""
    try:
        yield
    finally:
        await client.aclose()


class AsyncPool:
    """The ``httpx.AsyncClient`` of a client's async calls: the user's, or one of ours made on first use on the
    running loop and closed by ``aclose()``, or else when that loop is shut down. A call from another loop (a second
    ``asyncio.run``) gets a new client."""

    def __init__(self, user: httpx.AsyncClient | None = None) -> None:
        self._user = user
        self._own: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: AsyncGenerator[None, None] | None = None

    @property
    def follow_redirects(self) -> bool:
        return bool(self._user.follow_redirects) if self._user is not None else False

    @property
    def own(self) -> bool:
        """Whether the client is the library's own (not the user's)."""
        return self._user is None

    def client(self) -> httpx.AsyncClient:
        if self._user is not None:
            return self._user
        loop = _running_loop()
        own = self._own
        if own is not None and loop is self._loop:
            return own
        if own is not None:
            self.close()  # a pool of another loop
        own = self._own = httpx.AsyncClient(
            timeout=httpx.Timeout(600.0, connect=10.0),
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
            follow_redirects=False,
        )
        self._loop = loop
        guard = self._guard = _closed_with_the_loop(own)
        with contextlib.suppress(StopIteration):
            cast(Any, guard.__anext__()).send(None)  # runs to its ``yield`` at once; the loop now tracks it
        return own

    async def aclose(self) -> None:
        own, self._own = self._own, None
        guard, self._guard = self._guard, None
        if guard is not None:
            await guard.aclose()  # closes ``own``
        elif own is not None:
            await own.aclose()

    def close(self) -> None:
        """Close from sync code: on its loop's thread while the loop runs, as a task; else, when its loop is gone,
        the pool is dropped (its connections go with the loop)."""
        own, self._own = self._own, None
        loop, self._loop = self._loop, None
        guard, self._guard = self._guard, None
        if own is None or loop is None or loop.is_closed():
            return
        closing = guard.aclose() if guard is not None else own.aclose()
        if loop.is_running():
            loop.call_soon_threadsafe(loop.create_task, closing)
        else:
            loop.run_until_complete(closing)


class _LoopLocks:
    """``asyncio.Lock``s per owner and event loop."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[object, dict[int, asyncio.Lock]] = weakref.WeakKeyDictionary()

    def get(self, owner: object) -> asyncio.Lock:
        per_loop = self._locks.setdefault(owner, {})
        key = id(asyncio.get_running_loop())
        lock = per_loop.get(key)
        if lock is None:
            lock = per_loop[key] = asyncio.Lock()
        return lock


_LOCKS = _LoopLocks()


def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:
        # A response made with its content already read (an ``httpx.MockTransport`` handler's, say).
        return _once(response.content)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    # Without a content encoding the decoded bytes are the raw bytes: one generator layer fewer per read.
    return response.aiter_raw() if encoding in ("", "identity") else response.aiter_bytes()


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


class HTTPTransport(Transport):
    kind = "async"

    def __init__(self, target: Target, pool: AsyncPool) -> None:
        super().__init__(target, follow_redirects=pool.follow_redirects)
        self.pool = pool

    def _client(self) -> httpx.AsyncClient:
        return self.pool.client()

    def _own_client(self) -> bool:
        return self.pool.own

    def new_deadline(self, seconds: float | None) -> Deadline:
        return AsyncDeadline(seconds, self.target.provider, self.target.model)

    async def _send(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        assert isinstance(deadline, AsyncDeadline)
        deadline.check()
        deadline.arm()
        try:
            response = await self.pool.client().send(request, stream=True, follow_redirects=False)
        except BaseException as exc:
            translated = deadline.translate(exc)
            if translated is exc:
                raise
            raise translated from None
        finally:
            deadline.disarm()
        response._dhenara_chunks = _chunks(response)  # type: ignore[attr-defined]
        return response

    async def _read_chunk(self, response: httpx.Response, deadline: Deadline) -> bytes | None:
        chunks: AsyncIterator[bytes] = response._dhenara_chunks  # type: ignore[attr-defined]
        assert isinstance(deadline, AsyncDeadline)
        if deadline.seconds is None:
            try:
                return await chunks.__anext__()
            except StopAsyncIteration:
                return None
        deadline.check()
        deadline.arm()
        try:
            return await chunks.__anext__()
        except StopAsyncIteration:
            return None
        except BaseException as exc:
            translated = deadline.translate(exc)
            if translated is exc:
                raise
            raise translated from None
        finally:
            deadline.disarm()

    async def _close(self, response: httpx.Response) -> None:
        chunks = getattr(response, "_dhenara_chunks", None)
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
        await response.aclose()

    async def sleep(self, seconds: float) -> None:
        await sleep(seconds)

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        return _LOCKS.get(owner)
