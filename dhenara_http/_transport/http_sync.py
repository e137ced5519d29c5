"""The sync transport: the primitives of :class:`~.http.Transport` over ``httpx.Client``.

Every ``async def`` here finishes without suspending, so the sync driver runs a whole call in one
``coro.send(None)``. ``httpx.Client`` is thread-safe, so one client serves any number of threads at once.

The total deadline: each blocking step is given the time left. httpx fixes a response body's read timeout when the
body starts, so a per-read limit is applied one level down, in the connection pool's network backend
(:class:`_DeadlineBackend`), which clamps every socket read, write and connect to the time left on the calling
thread's deadline. Where that backend cannot be installed (a client the user gave, a proxy), the deadline is checked
before every blocking step instead, so it is overrun by at most one read timeout.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx

from .http import Deadline, Target, Transport, total_timeout_error

#: The wait between two attempts (tests replace it).
sleep = time.sleep

_local = threading.local()


class SyncDeadline:
    __slots__ = ("at", "model", "provider", "seconds")

    def __init__(self, seconds: float | None, provider: str, model: str) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds if seconds is not None else None
        self.provider = provider
        self.model = model

    def check(self) -> None:
        if self.at is not None and time.monotonic() >= self.at:
            raise total_timeout_error(self.seconds, self.provider, self.model)

    def close(self) -> None:
        return None


def _clamp(timeout: float | None) -> float | None:
    at: float | None = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        # (httpcore's own timeout error: httpx maps it to ReadTimeout, which the transport reads as the deadline.)
        import httpcore

        raise httpcore.ReadTimeout("the total deadline has passed")
    return left if timeout is None else min(timeout, left)


def _deadline_backend(inner: Any) -> Any:
    """A network backend whose streams clamp every blocking call to the calling thread's deadline."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        __slots__ = ("_inner",)

        def __init__(self, stream: httpcore.NetworkStream) -> None:
            self._inner = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _clamp(timeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _clamp(timeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
            return Stream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            return Stream(inner.connect_tcp(host, port, _clamp(timeout), local_address, socket_options))

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> httpcore.NetworkStream:
            return Stream(inner.connect_unix_socket(path, _clamp(timeout), socket_options))

        def sleep(self, seconds: float) -> None:
            inner.sleep(seconds)

    return Backend()


def _new_client() -> httpx.Client:
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100))
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _deadline_backend(backend)  # type: ignore[union-attr]
    return httpx.Client(transport=transport, timeout=httpx.Timeout(600.0, connect=10.0), follow_redirects=False)


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    if response.is_stream_consumed:
        # A response made with its content already read (an ``httpx.MockTransport`` handler's, say).
        return _once(response.content)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    # Without a content encoding the decoded bytes are the raw bytes: one generator layer fewer per read.
    return response.iter_raw() if encoding in ("", "identity") else response.iter_bytes()


def _once(content: bytes) -> Iterator[bytes]:
    yield content


class SyncPool:
    """The ``httpx.Client`` of a client's sync calls: the user's, or one of ours made on first use and kept for the
    pool's life (closed by :meth:`close`, reopened when used again, and closed when the pool is collected)."""

    def __init__(self, user: httpx.Client | None = None) -> None:
        self._user = user
        self._own: httpx.Client | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @property
    def follow_redirects(self) -> bool:
        return bool(self._user.follow_redirects) if self._user is not None else False

    @property
    def own(self) -> bool:
        """Whether the client is the library's own (not the user's)."""
        return self._user is None

    def client(self) -> httpx.Client:
        if self._user is not None:
            return self._user
        own = self._own
        if own is not None:
            return own
        with self._lock:
            if self._own is None:
                self._own = _new_client()
                self._finalizer = weakref.finalize(self, self._own.close)
            return self._own

    def close(self) -> None:
        with self._lock:
            own, self._own = self._own, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if own is not None:
            own.close()


class _ThreadLocks:
    """``threading.Lock``s per owner (a signer refreshing a token), as async context managers that block."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[object, threading.Lock] = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()

    def get(self, owner: object) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(owner)
            if lock is None:
                lock = self._locks[owner] = threading.Lock()
            return lock


_LOCKS = _ThreadLocks()


class SyncHTTPTransport(Transport):
    kind = "sync"

    def __init__(self, target: Target, pool: SyncPool) -> None:
        super().__init__(target, follow_redirects=pool.follow_redirects)
        self.pool = pool

    def _client(self) -> httpx.Client:
        return self.pool.client()

    def _own_client(self) -> bool:
        return self.pool.own

    def new_deadline(self, seconds: float | None) -> Deadline:
        return SyncDeadline(seconds, self.target.provider, self.target.model)

    async def _send(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        assert isinstance(deadline, SyncDeadline)
        deadline.check()
        _local.at = deadline.at
        try:
            response = self.pool.client().send(request, stream=True, follow_redirects=False)
        finally:
            _local.at = None
        response._dhenara_chunks = _chunks(response)  # type: ignore[attr-defined]
        return response

    async def _read_chunk(self, response: httpx.Response, deadline: Deadline) -> bytes | None:
        return self._read_chunk_now(response, deadline)

    def _read_chunk_now(self, response: httpx.Response, deadline: Deadline) -> bytes | None:
        chunks: Iterator[bytes] = response._dhenara_chunks  # type: ignore[attr-defined]
        at = deadline.at  # type: ignore[attr-defined]
        if at is not None:
            if time.monotonic() >= at:
                raise total_timeout_error(deadline.seconds, self.target.provider, self.target.model)
            _local.at = at
            try:
                return next(chunks, None)
            finally:
                _local.at = None
        return next(chunks, None)

    async def _close(self, response: httpx.Response) -> None:
        self._close_now(response)

    def _close_now(self, response: httpx.Response) -> None:
        chunks = getattr(response, "_dhenara_chunks", None)
        if chunks is not None:
            chunks.close()  # (every chunk iterator here is a generator)
        response.close()

    async def sleep(self, seconds: float) -> None:
        sleep(seconds)

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        return _held(_LOCKS.get(owner))


@asynccontextmanager
async def _held(lock: threading.Lock) -> AsyncIterator[None]:
    with lock:
        yield
