"""What every Google OAuth signer shares: a bearer token fetched on demand, cached, and refreshed **once** — under the
driver's lock — shortly before it expires; and the reading of a token endpoint's answer into a token or a typed error.

Why a lock and a second look: when a token nears its end, every concurrent call notices at once. Without the lock
each would ask the token endpoint for its own token (a burst Google rate-limits); with it, the first caller fetches
and the others, finding a fresh token when they get the lock, use it. The first look is made without the lock, so
the common case (a valid token) costs no locking at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...errors import (
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    ResponseParseError,
    error_class_for_status,
)
from .base import AuthIO, FetchResult, OutgoingRequest

PROVIDER = "google_vertex_ai"
#: Refresh this long before the token expires (or after half its lifetime, for a token that lives less than twice
#: this): a token is never sent in its last minutes, when clock skew or a slow call could see it expire in flight.
REFRESH_MARGIN = 300.0
#: The lifetime Google gives access tokens, assumed when an answer names none.
DEFAULT_LIFETIME = 3600.0
_MAX_DESCRIPTION = 300


@dataclass(frozen=True, slots=True)
class CachedToken:
    value: str
    expires_at: float
    refresh_at: float


def cache_entry(value: str, now: float, lifetime: float) -> CachedToken:
    margin = min(REFRESH_MARGIN, lifetime / 2)
    return CachedToken(value, now + lifetime, now + lifetime - margin)


class CachedTokenSigner:
    """A signer whose bearer token comes from :meth:`_fetch_token` and is cached until shortly before it expires."""

    #: Header names set besides ``authorization`` (``x-goog-user-project``).
    _extra_headers: dict[str, str]
    _token: CachedToken | None

    def __init__(self, extra_headers: dict[str, str] | None = None) -> None:
        self._token = None
        self._extra_headers = dict(extra_headers or {})

    async def _fetch_token(self, io: AuthIO) -> tuple[str, float]:
        """A new access token and its lifetime in seconds."""
        raise NotImplementedError

    async def token(self, io: AuthIO) -> str:
        """The current token, fetched or refreshed first when it is missing or near its end."""
        current = self._token
        if current is not None and io.time() < current.refresh_at:
            return current.value
        async with io.lock(self):
            current = self._token
            now = io.time()
            if current is not None and now < current.refresh_at:
                return current.value  # another caller refreshed it while this one waited for the lock
            value, lifetime = await self._fetch_token(io)
            # ``now`` is taken before the request: the token is thought to expire no later than it does.
            self._token = cache_entry(value, now, lifetime)
            return value

    async def sign(self, request: OutgoingRequest, io: AuthIO) -> None:
        request.headers["authorization"] = "Bearer " + await self.token(io)
        request.headers.update(self._extra_headers)

    def secrets(self) -> list[str]:
        current = self._token
        return [current.value] if current is not None else []

    def headers_to_strip(self) -> frozenset[str]:
        return frozenset({"authorization", *self._extra_headers})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def read_token_answer(result: FetchResult, endpoint: str) -> tuple[str, float]:
    """``(access_token, lifetime)`` from a token endpoint's answer, or the typed error it stands for.

    An error names the endpoint's ``error`` and ``error_description`` and nothing of the request (the assertion and
    the key never appear). Refusals (4xx) are authentication errors; 429 and 5xx keep their own class, so the retry
    policy may try again.
    """
    data = _json(result.body)
    if result.status != 200:
        raise token_error(result.status, data, endpoint)
    if not isinstance(data, dict):
        raise ResponseParseError(f"{endpoint} answered 200 with a body that is not a JSON object", provider=PROVIDER)
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise ResponseParseError(f"{endpoint} answered 200 without an access_token", provider=PROVIDER)
    lifetime = data.get("expires_in", DEFAULT_LIFETIME)
    if isinstance(lifetime, str) and lifetime.isdigit():
        lifetime = int(lifetime)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
        raise ResponseParseError(f"{endpoint} answered with an invalid expires_in", provider=PROVIDER)
    return token, float(lifetime)


def token_error(status: int, data: Any, endpoint: str) -> APIStatusError:
    """The error for a token endpoint's refusal: ``{"error": ..., "error_description": ...}`` (RFC 6749 5.2), or a
    Google error object, or a bare status."""
    code: str | None = None
    description: str | None = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, str):
            code = error
            description = data.get("error_description") if isinstance(data.get("error_description"), str) else None
        elif isinstance(error, dict):  # a Google API error object
            code = error.get("status") if isinstance(error.get("status"), str) else None
            description = error.get("message") if isinstance(error.get("message"), str) else None
    cls: type[APIStatusError]
    if status == 429 or status >= 500:
        cls = error_class_for_status(status)
    elif status == 403:
        cls = PermissionDeniedError
    else:
        cls = AuthenticationError
    said = ": ".join(x for x in (code, (description or "")[:_MAX_DESCRIPTION]) if x)
    message = f"{endpoint} refused to issue an access token (HTTP {status})" + (f": {said}" if said else "")
    body = {"error": code, "error_description": description} if code or description else None
    return cls(message, provider=PROVIDER, status_code=status, error_type=code, body=body)
