"""The signer interface, and the I/O a signer may need.

A signer turns an :class:`OutgoingRequest` (method, full URL, headers, body bytes — exactly what will be sent) into a
signed one by adding headers. It is called on **every attempt**, so a retry carries a fresh signature (SigV4 dates)
and a token refreshed in the meantime. Signing may need the network (a token endpoint, the instance metadata
service); it goes through :class:`AuthIO`, which the driver of the call provides, so one signer serves the sync
driver (blocking I/O over ``httpx.Client``, ``threading`` locks) and the async driver (``httpx.AsyncClient``,
``asyncio`` locks) alike, without importing ``asyncio`` itself.

Every secret a signer holds or obtains (keys, tokens) is returned by :meth:`Signer.secrets`, which the transport
consults each time it scrubs an error message or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class OutgoingRequest:
    """One request as it will go on the wire. ``headers`` keys are lower-case; a signer adds to them."""

    method: str
    #: The full URL, query included, exactly as it will be sent (path segments already percent-encoded).
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class FetchResult:
    """The answer to a request a signer made (a token endpoint, instance metadata)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class AuthIO(Protocol):
    """What the driver of the call lends a signer."""

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        """One HTTP exchange, no retries, no redirects. Connection failures raise ``APIConnectionError``."""
        ...

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        """A lock private to ``owner`` (weak-referenceable) and to this driver (a ``threading.Lock`` for the sync
        driver, an ``asyncio.Lock`` of the running loop for the async one): a token is refreshed once, not once per
        caller."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (``time.time()``; tests move it)."""
        ...


class Signer(Protocol):
    async def sign(self, request: OutgoingRequest, io: AuthIO) -> None:
        """Add the headers that authenticate ``request``."""
        ...

    def secrets(self) -> list[str]:
        """Every secret this signer holds now (keys, current tokens), to be scrubbed from messages."""
        ...

    def headers_to_strip(self) -> frozenset[str]:
        """The (lower-case) headers this signer sets: never sent to another host on a redirect."""
        ...
