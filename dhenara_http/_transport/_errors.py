"""Reading a provider's error answer into a typed error: one place, for every wire and both drivers.

The protocol's ``parse_error`` reads the body's structured codes; this module supplies everything around it — a body
that is not JSON (a proxy's HTML page becomes its title), ``Retry-After`` headers, ``x-should-retry``, the request
id — and scrubs every secret from the message, the codes and the body before the error exists.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import APIError, APIStatusError, error_class_for_status, implied_status
from ..protocols.base import ErrorInfo
from . import retry as _retry

#: Shorter strings are not scrubbed from messages (no real credential is this short).
MIN_SECRET_LENGTH = 8
REDACTED = "[REDACTED]"


class Scrubber:
    """Removes secrets from text. ``secrets`` is called each time, so tokens a signer obtains later are covered."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Callable[[], list[str]]) -> None:
        self._secrets = secrets

    def values(self) -> list[str]:
        # Only strings long enough to be credentials: scrubbing a one-letter test key would mangle every message.
        return sorted({s for s in self._secrets() if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self.values():
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def data(self, value: Any) -> Any:
        """A JSON-like value with every secret removed from its strings (keys included)."""
        secrets = self.values()
        if not secrets:
            return value
        return json.loads(self.text(json.dumps(value, default=str)))

    def error(self, exc: BaseException) -> BaseException:
        """``exc`` with every secret removed from its message, codes and body (for errors a protocol or a decoder
        built, such as in-band stream errors)."""
        if isinstance(exc, APIError):
            exc.message = self.text(exc.message)
            exc.args = (exc.message,)
            exc.error_type = self.optional(exc.error_type)
            exc.error_code = self.optional(exc.error_code)
            if exc.body is not None:
                exc.body = self.data(exc.body)
        return exc


def request_id_of(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None


def error_from_body(
    status: int,
    raw: bytes,
    headers: Mapping[str, str],
    *,
    parse_error: Callable[[int, Any, Mapping[str, str]], ErrorInfo | None],
    scrub: Scrubber,
    provider: str,
    model: str,
    request_id_headers: tuple[str, ...],
) -> APIError:
    """The typed error for a provider's error answer (any status: a 2xx body may be an error too)."""
    body: Any
    try:
        body = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        body = raw[:2000].decode("utf-8", "replace")
    if isinstance(body, str) and body.lstrip().startswith(("data:", "event:")):
        # An error sent as an event stream (some proxies do): the JSON of its first data line.
        body = _first_event_json(body)
    info: ErrorInfo | None = None
    if isinstance(body, dict | list):
        try:
            info = parse_error(status, body, headers)
        except Exception:  # a malformed error body still gives the status's error
            info = None
    if info is None:
        snippet = summary(body) if isinstance(body, str) else ""
        info = ErrorInfo(message=f"HTTP {status}" + (f": {snippet}" if snippet else ""))
    cls = info.error_class or error_class_for_status(status)
    retry_after = _retry.parse_retry_after(headers)
    if retry_after is None:
        retry_after = info.retry_after
    err = cls(
        scrub.text(info.message),
        provider=provider,
        model=model,
        status_code=status,
        request_id=request_id_of(headers, request_id_headers),
        error_type=scrub.optional(info.error_type),
        error_code=scrub.optional(info.error_code),
        retry_after=retry_after,
        body=scrub.data(body) if body is not None else None,
    )
    if info.retryable is not None:
        err.should_retry = info.retryable  # type: ignore[attr-defined]
    should = headers.get("x-should-retry")
    if should in ("true", "false"):
        err.should_retry = should == "true"  # type: ignore[attr-defined]
    return err


def error_in_2xx(data: Any) -> int | None:
    """For a 2xx JSON answer that is in fact only an error (``{"type": "error", "error": {...}}``, Google's
    ``[{"error": {...}}]``, the Responses API's error event sent as a body, ``{"type": "error", "code": ...}``):
    the HTTP status to read it with — the one the body names (Google's ``error.code``), else 0, meaning "whatever
    the error type implies" (``overloaded_error`` → 529). None for an ordinary answer."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not (
        isinstance(data, dict) and (data.get("error") or data.get("type") == "error") and set(data) <= _ERROR_ONLY_KEYS
    ):
        return None
    error = data.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599 else 0


def with_implied_status(err: APIError) -> APIError:
    """An error read from a 2xx body that named no status: it gets the status its class implies."""
    if isinstance(err, APIStatusError):
        err.status_code = implied_status(type(err)) or 500
    return err


_ERROR_ONLY_KEYS = frozenset({"error", "type", "status", "code", "message", "request_id", "details"})


@functools.cache
def _html_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(page, title, invisible parts, tag): compiled on the first error body read, not at import (the
    case-insensitive ones take milliseconds to compile)."""
    return (
        re.compile(r"<(?:!doctype|html|head|body|title)\b", re.IGNORECASE),
        re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL),
        re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL),
        re.compile(r"<[^>]*>"),
    )


def summary(text: str) -> str:
    """One short line from a non-JSON error body. A proxy's HTML error page becomes its title (or its visible text),
    not 300 characters of markup."""
    page, title_re, invisible, tag = _html_patterns()
    if page.search(text):
        title = title_re.search(text)
        visible = title.group(1) if title and title.group(1).strip() else tag.sub(" ", invisible.sub(" ", text))
        import html  # (here: its entity table costs a millisecond or two to import, and only an HTML page needs it)

        text = html.unescape(visible)
    return " ".join(text.split())[:300]


def _first_event_json(text: str) -> Any:
    for line in text.splitlines():
        if line.startswith("data:"):
            try:
                return json.loads(line[5:].strip())
            except (ValueError, RecursionError):
                break
    return text
