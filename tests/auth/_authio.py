"""AuthIO implementations for tests: a scripted fake, and one over a real ``httpx.Client`` — both with
awaitables that never suspend, driven by :func:`run` the way the sync driver steps the core (no event loop)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from dhenara_http._transport.auth.base import FetchResult
from dhenara_http.errors import APIConnectionError

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Step ``coro`` to its end without an event loop; fails if it ever waits for one."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise AssertionError("the coroutine suspended: it needs an event loop")


class _LockMixin:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.locks_taken = 0
        self._locks: dict[int, threading.Lock] = {}

    def lock(self, owner: object) -> Any:
        lock = self._locks.setdefault(id(owner), threading.Lock())

        @asynccontextmanager
        async def held() -> Any:
            with lock:
                self.locks_taken += 1
                yield

        return held()

    def time(self) -> float:
        return self.now


class FakeIO(_LockMixin):
    """Answers ``fetch`` from ``handler(method, url, headers, body) -> (status, body)``; records every call."""

    def __init__(self, handler: Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]] | None = None):
        super().__init__()
        self.handler = handler
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        hdrs = dict(headers or {})
        self.calls.append((method, url, hdrs))
        if self.handler is None:
            raise APIConnectionError(f"no network in this test: {method} {url}")
        status, payload = self.handler(method, url, hdrs, body)
        return FetchResult(status, {}, payload)


class HttpxIO(_LockMixin):
    """Real HTTP over ``httpx.Client`` (blocking), as the sync driver's AuthIO does."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        try:
            answer = self.client.request(method, url, headers=dict(headers or {}), content=body, timeout=timeout)
        except httpx.HTTPError as exc:
            raise APIConnectionError(f"{type(exc).__name__}") from exc
        return FetchResult(answer.status_code, answer.headers, answer.content)
