"""One ``httpx.AsyncClient`` per ``AIModelClient``; timeouts; retries; and the single place where httpx errors and
provider error answers become ``dhenara_http`` errors.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseParseError,
    error_class_for_status,
    implied_status,
)
from ..protocols.base import ErrorInfo, WireRequest
from . import retry as _retry

#: Cap on an error body we read into memory; on a JSON answer we accept.
MAX_ERROR_BODY = 1 * 1024 * 1024
MAX_JSON_BODY = 256 * 1024 * 1024
#: Shorter strings are not scrubbed from messages (no real credential is this short).
MIN_SECRET_LENGTH = 8
USER_AGENT = "dhenara-http/0.1"


class Deadline:
    """A total time limit, armed around each await that may block: when it passes, the waiting task is cancelled and
    the cancellation comes out as :class:`APITimeoutError` (``asyncio.timeout`` does this, but only from 3.11).
    Armed only while our own code awaits, so a caller's code between two stream items is never cancelled."""

    __slots__ = ("_at", "_handle", "_task", "expired", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.expired = False
        self._at: float | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None

    def arm(self) -> None:
        if self.seconds is None:
            return
        loop = asyncio.get_running_loop()
        if self._at is None:
            self._at = loop.time() + self.seconds
        self._task = asyncio.current_task()
        self._handle = loop.call_at(self._at, self._expire)

    def _expire(self) -> None:
        self.expired = True
        if self._task is not None:
            self._task.cancel()

    def disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def translate(self, exc: BaseException) -> BaseException:
        """The error to raise instead of ``exc``: a cancellation this deadline caused becomes a timeout."""
        if isinstance(exc, asyncio.CancelledError) and self.expired:
            task = self._task
            if task is not None and hasattr(task, "uncancel"):
                task.uncancel()
            return APITimeoutError(f"the call took longer than its total timeout of {self.seconds} s")
        return exc


class HTTPTransport:
    """Sends ``WireRequest``s to one base URL.

    ``parse_error`` is the protocol's error reader; ``secrets`` are scrubbed from every error message.
    """

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        provider: str,
        model: str,
        parse_error: Callable[[int, Any], ErrorInfo | None],
        request_id_headers: tuple[str, ...],
        secrets: list[str],
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"user-agent": USER_AGENT, "accept": "application/json", **headers}
        self.provider = provider
        self.model = model
        self._parse_error = parse_error
        self._request_id_headers = request_id_headers
        # Only strings long enough to be credentials: scrubbing a one-letter test key would mangle every message.
        self._secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._client = http_client
        self._owns_client = http_client is None

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(600.0, connect=10.0),
                limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
        self._client = None

    async def __aenter__(self) -> HTTPTransport:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- requests ------------------------------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[REDACTED]")
        return text

    def _build(self, wire: WireRequest, timeout: httpx.Timeout) -> httpx.Request:
        headers = {**self.headers, **wire.headers}
        content: bytes | None = None
        if wire.json is not None:
            content = json.dumps(wire.json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["content-type"] = "application/json"
        if wire.stream:
            headers["accept"] = "text/event-stream"
        return self.client().build_request(
            wire.method,
            self.base_url + wire.path,
            content=content,
            headers=headers,
            params=wire.params,
            extensions={"timeout": timeout.as_dict()},
        )

    def scrub_error(self, exc: BaseException) -> BaseException:
        """``exc`` with every secret removed from its message and body (for errors a protocol built itself, such as
        in-band stream errors, which did not pass through :meth:`error_from_body`)."""
        if isinstance(exc, APIError) and self._secrets:
            exc.message = self.scrub(exc.message)
            exc.args = (exc.message,)
            if exc.body is not None:
                exc.body = json.loads(self.scrub(json.dumps(exc.body, default=str)))
        return exc

    def request_id(self, headers: Mapping[str, str]) -> str | None:
        for name in self._request_id_headers:
            value = headers.get(name)
            if value:
                return value
        return None

    def map_httpx_error(self, exc: httpx.HTTPError) -> APIError:
        message = self.scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return cls(message, provider=self.provider, model=self.model)

    def error_from_body(self, status: int, raw: bytes, headers: Mapping[str, str]) -> APIError:
        """The typed error for a provider's error answer."""
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw[:2000].decode("utf-8", "replace")
        info: ErrorInfo | None = None
        if isinstance(body, dict | list):
            try:
                info = self._parse_error(status, body)
            except (KeyError, TypeError, ValueError, AttributeError):
                info = None
        if info is None:
            snippet = _summary(body) if isinstance(body, str) else ""
            info = ErrorInfo(message=f"HTTP {status}" + (f": {snippet}" if snippet else ""))
        cls = info.error_class or error_class_for_status(status)
        retry_after = _retry.parse_retry_after(headers)
        if retry_after is None:
            retry_after = info.retry_after
        err = cls(
            self.scrub(info.message),
            provider=self.provider,
            model=self.model,
            status_code=status,
            request_id=self.request_id(headers),
            error_type=info.error_type,
            error_code=info.error_code,
            retry_after=retry_after,
            body=json.loads(self.scrub(json.dumps(body))) if body is not None else None,
        )
        if info.retryable is not None:
            err.should_retry = info.retryable  # type: ignore[attr-defined]
        should = headers.get("x-should-retry")
        if should in ("true", "false"):
            err.should_retry = should == "true"  # type: ignore[attr-defined]
        return err

    def timeouts(self, *, connect: float, read: float | None, total: float | None) -> httpx.Timeout:
        read_t = read if read is not None else total
        return httpx.Timeout(connect=connect, read=read_t, write=read_t, pool=read_t)

    async def _send_once(self, wire: WireRequest, timeout: httpx.Timeout) -> httpx.Response:
        request = self._build(wire, timeout)
        try:
            response = await self.client().send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self.map_httpx_error(exc) from None
        if response.status_code >= 400:
            try:
                raw = await _read_head(response, MAX_ERROR_BODY)
            except httpx.HTTPError:
                raw = b""
            finally:
                await response.aclose()
            raise self.error_from_body(response.status_code, raw, response.headers)
        return response

    async def send_json(
        self,
        wire: WireRequest,
        *,
        connect: float,
        read: float | None,
        total: float | None,
        retries: int,
        max_retry_wait: float,
    ) -> tuple[Any, httpx.Headers]:
        """POST and read a JSON answer, with retries; each attempt within ``total`` seconds."""
        timeout = self.timeouts(connect=connect, read=read, total=total)
        async for attempt in _retry.retrying(retries, max_retry_wait):
            with attempt:
                deadline = Deadline(total)
                deadline.arm()
                try:
                    response = await self._send_once(wire, timeout)
                    try:
                        raw = await read_capped(response, MAX_JSON_BODY)
                    except httpx.HTTPError as exc:
                        raise self.map_httpx_error(exc) from None
                    finally:
                        await response.aclose()
                except BaseException as exc:
                    translated = deadline.translate(exc)
                    if translated is exc:
                        raise
                    raise translated from None
                finally:
                    deadline.disarm()
                data = self._decode_json(raw, response)
                if _is_error_body(data):
                    # An error answered with a 2xx status (Anthropic does so for some overloads): raised inside the
                    # retry loop, so that it is retried exactly like the same error sent with its own status.
                    named = _status_of_error_body(data)
                    err = self.error_from_body(named or 500, raw, response.headers)
                    if isinstance(err, APIStatusError) and named is None:
                        err.status_code = implied_status(type(err)) or err.status_code
                    raise err
                return data, response.headers
        raise AssertionError("unreachable")  # pragma: no cover

    def _decode_json(self, raw: bytes, response: httpx.Response) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            snippet = " ".join(raw[:300].decode("utf-8", "replace").split())
            raise ResponseParseError(
                self.scrub(
                    f"the answer is not JSON (content-type {response.headers.get('content-type')!r}): {snippet!r}"
                ),
                provider=self.provider,
                model=self.model,
                status_code=response.status_code,
                request_id=self.request_id(response.headers),
            ) from None

    async def open_stream(
        self, wire: WireRequest, *, connect: float, read: float | None, total: float | None
    ) -> httpx.Response:
        """Send a streaming request once and return the open response (status checked, body unread)."""
        timeout = self.timeouts(connect=connect, read=read, total=total)
        return await self._send_once(wire, timeout)


_HTML = re.compile(r"<(?:!doctype|html|head|body|title)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_INVISIBLE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _summary(text: str) -> str:
    """One short line from a non-JSON error body. A proxy's HTML error page becomes its title (or its visible text),
    not 300 characters of markup."""
    if _HTML.search(text):
        title = _TITLE.search(text)
        visible = title.group(1) if title and title.group(1).strip() else _TAG.sub(" ", _INVISIBLE.sub(" ", text))
        text = html.unescape(visible)
    return " ".join(text.split())[:300]


_ERROR_ONLY_KEYS = frozenset({"error", "type", "status", "code", "message", "request_id", "details"})


def _is_error_body(data: Any) -> bool:
    """Whether a 2xx JSON answer is in fact only an error (``{"type": "error", "error": {...}}`` and the like)."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    return isinstance(data, dict) and bool(data.get("error")) and set(data) <= _ERROR_ONLY_KEYS


def _status_of_error_body(data: Any) -> int | None:
    """The HTTP status an error body names (Google's ``error.code``), if any; without one the protocol's reading of
    the error type decides the class and the status is the one that class implies (``overloaded_error`` → 529)."""
    if isinstance(data, list):
        data = data[0]
    code = data.get("error", {}).get("code") if isinstance(data.get("error"), dict) else None
    return code if isinstance(code, int) and 400 <= code <= 599 else None


async def _read_head(response: httpx.Response, cap: int) -> bytes:
    """At most ``cap`` bytes of the body. An error answer is its status's error however long its body (which is only
    read for a message and codes), so a longer one is cut short, not refused."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        parts.append(chunk[: cap - size])
        size += len(parts[-1])
        if size >= cap:
            break
    return b"".join(parts)


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise ResponseParseError(f"the answer is larger than {cap} bytes", status_code=response.status_code)
        parts.append(chunk)
    return b"".join(parts)
