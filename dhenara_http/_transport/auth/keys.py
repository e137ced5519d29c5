"""Static keys: a header that carries the API key, the same on every attempt."""

from __future__ import annotations

from .base import AuthIO, OutgoingRequest


class HeaderSigner:
    """Sets ``header`` to ``prefix + key`` (``Authorization: Bearer <key>``, ``x-api-key: <key>`` …)."""

    __slots__ = ("_header", "_key", "_value")

    def __init__(self, header: str, key: str, prefix: str = "") -> None:
        from ..urls import checked_header

        checked_header(header, prefix + key, "AIModelAPI.api_key")
        self._header = header.lower()
        self._key = key
        self._value = prefix + key

    async def sign(self, request: OutgoingRequest, io: AuthIO) -> None:
        request.headers[self._header] = self._value

    def apply(self, headers: dict[str, str]) -> None:
        """The same, without a request object: a static key needs no I/O, so the transport may set it directly."""
        headers[self._header] = self._value

    def secrets(self) -> list[str]:
        return [self._key]

    def headers_to_strip(self) -> frozenset[str]:
        return frozenset({self._header})

    def __repr__(self) -> str:
        return f"HeaderSigner({self._header!r}, key=[REDACTED])"


class NoAuth:
    """A host that needs no credentials (a local OpenAI-compatible server)."""

    async def sign(self, request: OutgoingRequest, io: AuthIO) -> None:
        return None

    def secrets(self) -> list[str]:
        return []

    def headers_to_strip(self) -> frozenset[str]:
        return frozenset()


def bearer(key: str) -> HeaderSigner:
    return HeaderSigner("authorization", key, "Bearer ")
