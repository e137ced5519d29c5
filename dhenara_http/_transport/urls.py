"""Checks of what goes into a request line and headers, made once when a client's transport is built: a bad base
URL or a header that cannot be sent is a :class:`~dhenara_http.errors.ConfigurationError` naming it, never a
connection error retried with back-off."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..errors import ConfigurationError


def checked_base_url(url: str, provider: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ConfigurationError(f"AIModelAPI({provider}): base_url {url!r} is not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"AIModelAPI({provider}): base_url {url!r} must be an http:// or https:// URL with a host"
        )
    return url


def checked_header(name: str, value: str, where: str) -> None:
    """A header name and value that can be sent as they are: visible ASCII, no CR or LF (which would split the
    request). The value is never quoted in the error: it may be a secret."""
    if not name or not name.isascii() or any(c in name for c in "\r\n:") or not name.isprintable():
        raise ConfigurationError(f"{where}: header name {name!r} is not a valid HTTP header name")
    if "\r" in value or "\n" in value or "\0" in value:
        raise ConfigurationError(f"{where}: the value of header {name!r} contains a line break or NUL")
    if not value.isascii():
        raise ConfigurationError(f"{where}: the value of header {name!r} contains non-ASCII characters")


def checked_headers(headers: Mapping[str, str], where: str) -> None:
    for name, value in headers.items():
        checked_header(name, value, where)
