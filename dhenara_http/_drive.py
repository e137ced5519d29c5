"""The two drivers of the one async core.

The request logic is written once, as ``async def``, and every ``await`` in it bottoms out in a transport primitive
or the transport's sleep. The async driver is plain ``await`` on the caller's event loop. The sync driver, here,
steps the same coroutine with ``coro.send(None)`` over the sync transport, whose awaitables never suspend
(``httpx.Client`` underneath): a call finishes in one step, with no event loop, no task and no thread — so it works
inside a running loop (Jupyter, async code) and from any number of threads at once.

If the core ever awaited something that does suspend (an event-loop future), the step would return instead of
finishing; the driver then closes the coroutine and raises, instead of hanging.

A stream is opened, retried and read up to its first chunk by the core too; its rest is read by the sync transport's
own shell (``_streaming.SyncRest``), which makes its reads directly.
"""

from __future__ import annotations

from collections.abc import Coroutine
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
