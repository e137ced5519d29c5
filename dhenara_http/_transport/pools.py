"""The connection pools of a client: one for its sync calls, one for its async calls, each the user's own client or
one made on first use and kept for the client's life. Clients derived with ``with_options`` share them.

``http_client=`` takes an ``httpx.Client`` (used by ``generate``), an ``httpx.AsyncClient`` (used by
``generate_async``) or a tuple of both; a call whose kind has no given client uses the library's own. A user's client
is never closed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

    from .http import Target, Transport
    from .http_async import AsyncPool
    from .http_sync import SyncPool


class Pools:
    def __init__(self, http_client: Any = None) -> None:
        self._sync_client, self._async_client = _split(http_client)
        self._sync: SyncPool | None = None
        self._async: AsyncPool | None = None
        self._in_process: Pools | None = None

    @property
    def sync(self) -> SyncPool:
        if self._sync is None:
            from .http_sync import SyncPool

            self._sync = SyncPool(self._sync_client)
        return self._sync

    @property
    def async_(self) -> AsyncPool:
        # (Imported on first use: a program that never calls generate_async never imports asyncio for it.)
        if self._async is None:
            from .http_async import AsyncPool

            self._async = AsyncPool(self._async_client)
        return self._async

    def transport(self, kind: str, target: Target) -> Transport:
        if kind == "sync":
            from .http_sync import SyncHTTPTransport

            return SyncHTTPTransport(target, self.sync)
        from .http_async import HTTPTransport

        return HTTPTransport(target, self.async_)

    def for_call(self, test_mode: bool) -> Pools:
        """The pools a call uses: these, or for ``test_mode`` the in-process ones of :mod:`.mock`."""
        if not test_mode:
            return self
        if self._in_process is None:
            from .mock import in_process_clients

            self._in_process = Pools(in_process_clients())
        return self._in_process

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
        if self._async is not None:
            self._async.close()

    async def aclose(self) -> None:
        if self._sync is not None:
            self._sync.close()
        if self._async is not None:
            await self._async.aclose()


def _split(http_client: Any) -> tuple[httpx.Client | None, httpx.AsyncClient | None]:
    if http_client is None:
        return None, None
    # (Imported here and by the transports: building a client imports neither httpx nor the response types; its
    # first call does.)
    import httpx

    given = http_client if isinstance(http_client, tuple) else (http_client,)
    sync_client: httpx.Client | None = None
    async_client: httpx.AsyncClient | None = None
    for item in given:
        if isinstance(item, httpx.Client) and sync_client is None:
            sync_client = item
        elif isinstance(item, httpx.AsyncClient) and async_client is None:
            async_client = item
        else:
            raise ConfigurationError(
                "AIModelClient.http_client: expected an httpx.Client, an httpx.AsyncClient or a tuple of one of each, "
                f"got {_describe(http_client)}"
            )
    return sync_client, async_client


def _describe(value: Any) -> str:
    if isinstance(value, tuple):
        return "a tuple of " + ", ".join(type(v).__name__ for v in value)
    return type(value).__name__
