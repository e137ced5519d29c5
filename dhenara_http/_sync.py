"""The sync shell: a private event loop that runs the async core.

When the calling thread has no running loop (a script), the loop runs right here. When it has one (Jupyter, or a
sync call made from async code), the same loop runs on a worker thread while the caller waits — so the sync client
works everywhere and there is still one loop, one ``httpx.AsyncClient`` and one copy of the request logic.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: The running loop of this thread, or None (``asyncio.get_running_loop`` without the exception).
_running_loop = asyncio._get_running_loop


class SyncRunner:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop

    def running_here(self) -> bool:
        """Whether this runner's own loop is the one running in the calling thread (a re-entrant call)."""
        running = _running_loop()
        return running is not None and running is self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self.loop
        # (The non-raising form: a sync stream calls this once per network read.)
        running = _running_loop()
        if running is None:
            with self._lock:
                return loop.run_until_complete(coro)
        if running is loop:
            # Blocking on our own running loop can never finish: fail loudly instead of deadlocking.
            coro.close()
            raise RuntimeError("SyncRunner.run() was called from inside its own event loop")
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dhenara-http")

        def _run() -> T:
            with self._lock:
                return loop.run_until_complete(coro)

        return self._executor.submit(_run).result()

    def iterate(self, agen: AsyncIterator[Iterable[T]], owner: object = None) -> Iterator[T]:
        """A sync generator over an async generator of batches, one loop entry per batch (a lazy batch is then
        taken here, outside the loop).

        ``owner`` (the client) is kept alive by the generator: a stream from a client that was never bound to a name
        must not lose its event loop to the garbage collector half-way.
        """
        it = agen.__aiter__()
        keep_alive = owner  # noqa: F841 - held by the generator frame on purpose

        async def _next() -> Iterable[T] | None:
            try:
                return await it.__anext__()
            except StopAsyncIteration:
                return None

        finished = False
        try:
            while True:
                batch = self.run(_next())
                if batch is None:
                    finished = True
                    return
                yield from batch
        finally:
            aclose = getattr(it, "aclose", None)
            if not finished and aclose is not None and self._loop is not None and not self._loop.is_closed():
                if self.running_here():
                    # An abandoned stream finalised by the garbage collector while this runner's loop is running a
                    # later call: waiting here would deadlock, so the stream is closed on the loop instead.
                    self._loop.create_task(aclose())
                else:
                    self.run(aclose())

    def close(self, final: Coroutine[Any, Any, None] | None = None) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                if final is not None:
                    self.run(final)
                self.run(loop.shutdown_asyncgens())
            finally:
                loop.close()
        elif final is not None:
            final.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
