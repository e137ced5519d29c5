"""Routes of the mock server: one wire protocol per module, each exporting ``ROUTES``.

A wire module (``responses``, ``chat_completions``, ``anthropic``, ``gemini``, ``openai_images``, ``imagen``) offers
a list of :class:`Route` rows: the method and path pattern it answers, a pure ``handler`` turning a request into a
:class:`Reply`, the provider's ``error`` body for a status (used for auth failures and for injected faults), an
``authorized`` check and the provider's usual response headers — and, for scripted faults, the provider's error body
carrying a retry delay (where the provider says it in the body rather than in ``Retry-After``) and its in-band stream
error event. The request is parsed into the wire-neutral model of :mod:`._answer` and the answer rendered back in the
provider's shapes; everything wire-specific stays in the wire's module. Adding a provider is one module and one name
in :data:`WIRE_MODULES`.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._http import MockRequest, Reply

#: Modules of ``dhenara_http.testing`` whose ``ROUTES`` the server serves by default.
WIRE_MODULES: tuple[str, ...] = (
    "responses",
    "chat_completions",
    "anthropic",
    "gemini",
    "converse",
    "aws_container",
    "vertex",
    "google_oauth",
    "openai_images",
    "imagen",
)


def _no_headers(request: MockRequest) -> dict[str, str]:
    return {}


def _generic_error(status: int, message: str | None) -> Any:
    return {"error": {"message": message or f"HTTP {status}", "code": status}}


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint. ``pattern`` is matched against the whole path; its named groups land in ``request.params``."""

    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[MockRequest], Reply]
    error: Callable[[int, str | None], Any] = _generic_error
    authorized: Callable[[MockRequest], bool] = field(default=lambda request: True)
    headers: Callable[[MockRequest], dict[str, str]] = _no_headers
    #: The error body for a status when the server asks the client to wait ``seconds`` in the body itself (Gemini's
    #: ``RetryInfo``); None when the provider says it only in the ``Retry-After`` header.
    error_with_retry: Callable[[int, str | None, float], Any] | None = None
    #: The bytes of an in-band error event in a stream, for a fault's ``in_band_error`` (True, an error kind of the
    #: provider, or a dict sent as the payload); None: a dict is sent as ``event: error`` data, as it is.
    stream_error: Callable[[Any], bytes] | None = None
    #: The provider's front door, run on every request before anything else (a scripted fault included): None to
    #: let the request through, else the refusal it gets (Bedrock's SigV4 check, Vertex's OAuth token check). A
    #: real provider authenticates a request before it throttles or fails it, and so tests see every request that
    #: reached the server checked, retried ones included.
    authenticate: Callable[[MockRequest], Reply | None] | None = None
    #: Headers of the provider's error answers for a status, besides :attr:`headers` (Bedrock names the error type
    #: in ``x-amzn-errortype``).
    error_headers: Callable[[int], dict[str, str]] | None = None

    def match(self, path: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(path)

    def error_reply(
        self, request: MockRequest, status: int, message: str | None = None, retry_after: float | None = None
    ) -> Reply:
        """The provider's error answer; ``retry_after`` lands in the body where the provider puts it there."""
        if retry_after is not None and self.error_with_retry is not None:
            body = self.error_with_retry(status, message, retry_after)
        else:
            body = self.error(status, message)
        headers = self.headers(request)
        if self.error_headers is not None:
            headers = {**headers, **self.error_headers(status)}
        return Reply.json(body, status=status, headers=headers)

    def in_band_error(self, kind: Any) -> bytes:
        """The in-band error event for a fault's ``in_band_error``."""
        if self.stream_error is not None:
            return self.stream_error(kind)
        payload = kind if isinstance(kind, dict) else self.error(500, None)
        return b"event: error\ndata: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def default_routes() -> list[Route]:
    routes: list[Route] = []
    for name in WIRE_MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        routes.extend(module.ROUTES)
    return routes


def find_route(routes: list[Route], request: MockRequest) -> tuple[Route | None, bool]:
    """The route for the request (with ``request.params`` filled), and whether some route knows the path at all
    (to tell a 405 from a 404)."""
    path_known = False
    for route in routes:
        found = route.match(request.path)
        if found is None:
            continue
        path_known = True
        if route.method == request.method:
            request.params = {k: v for k, v in found.groupdict().items() if v is not None}
            return route, True
    return None, path_known
