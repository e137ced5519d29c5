"""The retry policy users know from the official SDKs, as tenacity strategies.

Retried: connection errors and timeouts, and HTTP 408, 409, 429, 5xx (529 included), unless the server says
``x-should-retry: false`` (or forces a retry with ``true``). The wait honours ``retry-after-ms``, then ``Retry-After``
(seconds or an HTTP date), then a hint in the error body (Gemini's ``RetryInfo.retryDelay``); without one it backs
off exponentially (0.5 s doubling, at most 8 s) with up to 25 % jitter. A server that asks for a longer wait than
``max_retry_wait`` is not waited for: the error is raised at once, carrying ``retry_after``.

``sleep`` is looked up at call time so tests can patch ``dhenara_http._transport.retry.sleep``.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import math
import random
import time
from collections.abc import Mapping
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt

from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ConflictError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
RETRYABLE_STATUS = frozenset({408, 409, 429})


async def sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _sleep(seconds: float) -> None:
    await sleep(seconds)


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


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter for the ``attempt``-th retry (1-based)."""
    delay = min(INITIAL_BACKOFF * 2.0 ** (attempt - 1), MAX_BACKOFF)
    return delay * (1.0 - 0.25 * random.random())


class _Wait:
    def __init__(self, max_retry_wait: float) -> None:
        self.max_retry_wait = max_retry_wait

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None and 0 <= hinted <= self.max_retry_wait:
            return float(hinted)
        return backoff(state.attempt_number)


def retrying(retries: int, max_retry_wait: float) -> AsyncRetrying:
    """A tenacity controller for one call: ``retries`` retries after the first attempt."""
    return AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        wait=_Wait(max_retry_wait),
        retry=lambda state: (
            state.outcome is not None
            and state.outcome.failed
            and should_retry(state.outcome.exception(), max_retry_wait)
        ),  # type: ignore[arg-type]
        sleep=_sleep,
        reraise=True,
    )
