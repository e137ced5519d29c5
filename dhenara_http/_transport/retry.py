"""The retry policy users know from the official SDKs, decided by tenacity, run by either driver.

Retried: connection errors and timeouts, and HTTP 408, 409, 429, 5xx (529 included), unless the server says
``x-should-retry: false`` (or forces a retry with ``true``). The wait honours ``retry-after-ms``, then ``Retry-After``
(seconds or an HTTP date), then a hint in the error body (Gemini's ``RetryInfo.retryDelay``); without one it backs
off exponentially (``initial`` seconds doubling, at most ``maximum``) with up to 25 % jitter. A server that asks for a
longer wait than ``max_retry_wait`` is not waited for: the error is raised at once, carrying ``retry_after``.

tenacity is the policy engine — its ``stop``/``wait``/``retry`` strategies decide after a failed attempt — but the
loop is ours: a first attempt that succeeds costs one ``await`` and nothing else, and the wait between attempts is
the ``sleep`` of the driver running the call (``time.sleep`` for the sync driver, ``asyncio.sleep`` for the async
one), so this module never touches an event loop.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ConflictError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)

if TYPE_CHECKING:
    from tenacity import RetryCallState, Retrying

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
RETRYABLE_STATUS = frozenset({408, 409, 429})

T = TypeVar("T")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked to wait, from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date).

    A value that is none of these (garbage, ``nan``) counts as absent: it must never turn an API error into a
    ``ValueError``.
    """
    ms = _seconds(headers.get("retry-after-ms"))
    if ms is not None:
        return ms / 1000.0
    value = headers.get("retry-after")
    if not value or not value.strip():
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000" means UTC without a known zone; a naive datetime would be read as local
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return max(parsed.timestamp() - time.time(), 0.0)


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def parse_duration(value: Any) -> float | None:
    """A protobuf duration (``"53s"``, ``"1.5s"``) in seconds."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def should_retry(exc: BaseException, max_retry_wait: float) -> bool:
    if not isinstance(exc, APIError):
        return False
    forced = getattr(exc, "should_retry", None)
    if forced is not None:
        return bool(forced)
    if exc.retry_after is not None and exc.retry_after > max_retry_wait:
        return False
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, OverloadedError | RateLimitError | InternalServerError | ConflictError):
        return True
    if isinstance(exc, APIStatusError) and exc.status_code is not None:
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return False


def backoff(attempt: int, initial: float = INITIAL_BACKOFF, maximum: float = MAX_BACKOFF) -> float:
    """Exponential backoff with jitter for the ``attempt``-th retry (1-based)."""
    delay = min(initial * 2.0 ** (attempt - 1), maximum)
    return delay * (1.0 - 0.25 * random.random())


class _Wait:
    def __init__(self, max_retry_wait: float, initial: float, maximum: float) -> None:
        self.max_retry_wait = max_retry_wait
        self.initial = initial
        self.maximum = maximum

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None and 0 <= hinted <= self.max_retry_wait:
            return float(hinted)
        return backoff(state.attempt_number, self.initial, self.maximum)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one call retries: ``retries`` retries after the first attempt."""

    retries: int = 2
    max_retry_wait: float = 60.0
    initial: float = INITIAL_BACKOFF
    maximum: float = MAX_BACKOFF

    def engine(self) -> Retrying:
        """The tenacity controller whose strategies decide (built, and tenacity imported, only once an attempt has
        failed: a call that succeeds at once never pays for it)."""
        from tenacity import Retrying, stop_after_attempt

        return Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=_Wait(self.max_retry_wait, self.initial, self.maximum),
            retry=lambda state: (
                state.outcome is not None
                and state.outcome.failed
                and should_retry(state.outcome.exception(), self.max_retry_wait)  # type: ignore[arg-type]
            ),
            reraise=True,
        )


async def run(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]],
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """``await attempt(n)`` for n = 1, 2, … until one succeeds or the policy gives up (then its error is raised).

    ``on_retry(n, error, wait)`` is told before each wait (for the log)."""
    try:
        return await attempt(1)
    except Exception as first:
        failure: BaseException = first
    engine = policy.engine()
    from tenacity import RetryCallState

    state = RetryCallState(engine, fn=None, args=(), kwargs={})
    while True:
        state.set_exception((type(failure), failure, failure.__traceback__))
        if not engine.retry(state) or engine.stop(state):
            raise failure
        wait = float(engine.wait(state))
        if on_retry is not None:
            on_retry(state.attempt_number, failure, wait)
        await sleep(wait)
        state.prepare_for_next_attempt()
        try:
            return await attempt(state.attempt_number)
        except Exception as exc:
            failure = exc
