"""What a driver lends a signer (``AuthIO``), for the signer tests: the sync driver's (blocking ``httpx.Client``,
``threading`` locks, awaitables that never suspend, driven by :func:`run_sync` as the sync driver steps the core)
and the async driver's (``httpx.AsyncClient``, ``asyncio`` locks). Both count lock acquisitions and take their
clock from the test."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import httpx

from dhenara_http._transport.auth.base import FetchResult
from dhenara_http.errors import APIConnectionError

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` the way the sync driver does: one ``send(None)``, which must finish it (no event loop)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise AssertionError("the coroutine suspended: it would need an event loop")


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SyncAuthIO:
    def __init__(self, client: httpx.Client | None = None, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self.clock = clock
        self.fetches: list[tuple[str, str]] = []
        self.locked = 0
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        self.fetches.append((method, url))
        try:
            r = self.client.request(method, url, headers=dict(headers or {}), content=body, timeout=timeout)
        except httpx.HTTPError as exc:
            raise APIConnectionError(f"connection failed: {type(exc).__name__}") from None
        return FetchResult(r.status_code, r.headers, r.content)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=5.0)
        return self._client

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        with self._guard:
            lock = self._locks.setdefault(id(owner), threading.Lock())

        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            with lock:
                self.locked += 1
                yield

        return held()

    def time(self) -> float:
        return self.clock()


class FakeIO(SyncAuthIO):
    """No network: answers ``fetch`` from ``handler(method, url, headers, body) -> (status, body)`` (without one,
    every fetch is a connection error) and records every call; its time is ``now``, which the test sets."""

    def __init__(
        self, handler: Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]] | None = None
    ) -> None:
        super().__init__()
        self.handler = handler
        self.now = 1_700_000_000.0
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

    def time(self) -> float:
        return self.now


class AsyncAuthIO:
    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        answer: Callable[[str, str, Mapping[str, str], bytes | None], FetchResult] | None = None,
    ) -> None:
        """``answer`` replaces the network: it is called for each fetch, after a suspension point (so that
        concurrent callers really interleave)."""
        self.client = client
        self.clock = clock
        self.answer = answer
        self.fetches: list[tuple[str, str, dict[str, str], bytes | None]] = []
        self.locked = 0
        self._locks: dict[int, asyncio.Lock] = {}

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        self.fetches.append((method, url, dict(headers or {}), body))
        if self.answer is not None:
            await asyncio.sleep(0)
            return self.answer(method, url, dict(headers or {}), body)
        client = self.client or httpx.AsyncClient(timeout=5.0)
        try:
            r = await client.request(method, url, headers=dict(headers or {}), content=body, timeout=timeout)
        except httpx.HTTPError as exc:
            raise APIConnectionError(f"connection failed: {type(exc).__name__}") from None
        finally:
            if self.client is None:
                await client.aclose()
        return FetchResult(r.status_code, r.headers, r.content)

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        lock = self._locks.setdefault(id(owner), asyncio.Lock())

        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            async with lock:
                self.locked += 1
                yield

        return held()

    def time(self) -> float:
        return self.clock()
