"""The two drivers of the one async core.

The request logic is written once, as ``async def``, and every ``await`` in it bottoms out in a transport primitive
or the transport's sleep. The async driver is plain ``await`` on the caller's event loop. The sync driver, here,
steps the same coroutine with ``coro.send(None)`` over the sync transport, whose awaitables never suspend
(``httpx.Client`` underneath): a call finishes in one step, with no event loop, no task and no thread — so it works
inside a running loop (Jupyter, async code) and from any number of threads at once. A stream's async generator is
stepped the same way, one batch (network read) per step.

If the core ever awaited something that does suspend (an event-loop future), the step would return instead of
finishing; the driver then closes the coroutine and raises, instead of hanging.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class DriverError(RuntimeError):
    """The core awaited something only an event loop can wait for, on the sync path (a bug, never expected)."""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine of the core to completion without an event loop."""
    try:
        yielded = coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise DriverError(f"the sync driver cannot wait for {yielded!r}")


def _step(awaitable: Any) -> Any:
    try:
        yielded = awaitable.send(None)
    except StopIteration as done:
        return done.value
    awaitable.close()
    raise DriverError(f"the sync driver cannot wait for {yielded!r}")


def iterate_sync(batches: AsyncIterator[Iterable[T]] | Iterable[T]) -> Iterator[T]:
    """A sync generator over an async generator of batches of the core: one step per batch, its items taken here.
    A stream the sync transport reads directly (``_streaming.SyncRest``) is already a sync iterable of items.

    Closing this generator (``break``, or the generator dropped at any time) closes the async one at once, so its
    connection goes back to the pool; nothing is left for an event loop or the garbage collector.
    """
    if not isinstance(batches, AsyncIterator):
        return iter(batches)
    return _iterate(batches)


def _iterate(batches: AsyncIterator[Iterable[T]]) -> Iterator[T]:
    anext = batches.__anext__
    finished = False
    try:
        while True:
            hooks = sys.get_asyncgen_hooks()
            if hooks.firstiter is not None:
                # A loop runs in this thread (a sync call inside async code): async generators first stepped here
                # must not be adopted by that loop, whose finalizer would close them on the loop later.
                sys.set_asyncgen_hooks(None, None)
                try:
                    batch = _step(anext())
                except StopAsyncIteration:
                    finished = True
                    return
                finally:
                    sys.set_asyncgen_hooks(*hooks)
            else:
                try:
                    batch = _step(anext())
                except StopAsyncIteration:
                    finished = True
                    return
            yield from batch
    finally:
        if not finished:
            aclose = getattr(batches, "aclose", None)
            if aclose is not None:
                _step(aclose())
