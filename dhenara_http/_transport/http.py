"""The transport: one copy of the request logic, written as ``async def``, over two sets of I/O primitives.

:class:`Transport` holds everything a call does on the wire — build the HTTP request, sign it (on every attempt),
send it, follow a redirect without leaking credentials, read the answer under its size cap and the call's total
deadline, turn an error answer or an httpx error into a typed error, retry by the policy, log — and calls five
primitives for the actual I/O: ``_send``, ``_read_chunk``, ``_close``, ``sleep`` and ``lock``.

* :class:`~.http_sync.SyncHTTPTransport` implements them over ``httpx.Client``: its awaitables never suspend, so
  the sync driver (:mod:`dhenara_http._drive`) runs a whole call with one ``coro.send(None)`` — no event loop, no
  thread — and one client may be shared by any number of threads.
* :class:`~.http_async.HTTPTransport` implements them over ``httpx.AsyncClient`` on the caller's event loop.

The endpoint-specific parts (base URL, signer, error reader, request-id headers) are a :class:`Target`, shared by
both transports of a client; the connection pools are in :mod:`.pools`, shared by the clients ``with_options``
derives.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from .._logs import bodies_enabled, configure_from_environment, log_body, logger
from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    ResponseParseError,
)
from ..protocols.base import ErrorInfo, WireRequest
from ..types._json import checked_json
from . import _errors
from . import retry as _retry
from .auth.base import FetchResult, OutgoingRequest, Signer

#: Cap on an error body read into memory; on a JSON answer accepted.
MAX_ERROR_BODY = 1 * 1024 * 1024
MAX_JSON_BODY = 256 * 1024 * 1024
USER_AGENT = "dhenara-http/0.1"
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# DHENARA_HTTP_LOG is read when the first transport is needed, not at ``import dhenara_http``.
configure_from_environment()


@dataclass(slots=True)
class Target:
    """Where and how one endpoint's calls go: shared by the sync and async transports of a client."""

    base_url: str
    #: Static headers of every request (user agent, the API's extra ``config["headers"]``).
    headers: dict[str, str]
    signer: Signer
    provider: str
    model: str
    #: ``parse_error(status, body, headers)``: the protocol's error reader.
    parse_error: Callable[[int, Any, Mapping[str, str]], ErrorInfo | None]
    request_id_headers: tuple[str, ...]
    #: Secrets that are not the signer's (values of extra headers).
    extra_secrets: list[str] = field(default_factory=list)
    #: Headers never sent to another host on a redirect: the signer's and the extra ``config["headers"]``.
    private_headers: frozenset[str] = frozenset()
    scrub: _errors.Scrubber = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.scrub = _errors.Scrubber(self.secrets)
        self.private_headers = self.private_headers | self.signer.headers_to_strip()

    def secrets(self) -> list[str]:
        return [*self.signer.secrets(), *self.extra_secrets]


@dataclass(slots=True)
class Facts:
    """What the HTTP exchange of a successful call says: the final attempt's headers, its status and request id,
    and how many attempts the call took."""

    status: int
    headers: Mapping[str, str]
    request_id: str | None
    attempts: int


@dataclass(slots=True)
class Answer:
    """A whole JSON answer."""

    data: Any
    facts: Facts


class Deadline(Protocol):
    """The call's total time limit, enforced by the driver's primitives around every blocking step."""

    seconds: float | None

    def check(self) -> None:
        """Raise :class:`APITimeoutError` when the deadline has passed."""
        ...

    def close(self) -> None:
        """No more blocking steps will come (a pending timer is cancelled)."""
        ...


def total_timeout_error(seconds: float | None, provider: str, model: str) -> APITimeoutError:
    return APITimeoutError(
        f"the call took longer than its total timeout of {seconds} s", provider=provider, model=model
    )


class Transport:
    """The request logic. Subclasses supply the primitives; see the module docstring."""

    #: ``"sync"`` or ``"async"``: which driver may run this transport's coroutines.
    kind: str = ""

    def __init__(self, target: Target, *, follow_redirects: bool) -> None:
        self.target = target
        self.follow_redirects = follow_redirects
        #: Parsed URLs by URL, and the default headers of the library's own client (see :meth:`_own_request`).
        self._urls: dict[str, httpx.URL] = {}
        self._defaults: tuple[object, list[tuple[str, str, str]]] | None = None
        self._header_sets: dict[tuple[bytes, tuple[tuple[str, str], ...]], httpx.Headers] = {}

    # -- primitives ----------------------------------------------------------------------------------------------

    def new_deadline(self, seconds: float | None) -> Deadline:
        raise NotImplementedError

    async def _send(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        """Send ``request`` (no redirects followed) and return the response with its body unread."""
        raise NotImplementedError

    async def _read_chunk(self, response: httpx.Response, deadline: Deadline) -> bytes | None:
        """The next piece of the body, None at its end."""
        raise NotImplementedError

    async def _close(self, response: httpx.Response) -> None:
        raise NotImplementedError

    def _read_chunk_now(self, response: httpx.Response, deadline: Deadline) -> bytes | None:
        """:meth:`_read_chunk` without a coroutine, on a transport whose reads block (the sync one): what a stream's
        sync shell reads with (see :class:`~dhenara_http._streaming.SyncRest`)."""
        raise NotImplementedError

    def _close_now(self, response: httpx.Response) -> None:
        """:meth:`_close` without a coroutine, on a transport whose reads block."""
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def lock(self, owner: object) -> AbstractAsyncContextManager[None]:
        raise NotImplementedError

    def _client(self) -> httpx.Client | httpx.AsyncClient:
        raise NotImplementedError

    def _own_client(self) -> bool:
        """Whether :meth:`_client` is the library's own client (not one the user gave)."""
        return False

    def time(self) -> float:
        return time.time()

    # -- AuthIO (what signers may use) ---------------------------------------------------------------------------

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 10.0,
    ) -> FetchResult:
        request = self._client().build_request(
            method, url, content=body, headers=dict(headers or {}), extensions={"timeout": _timeouts(timeout)}
        )
        deadline = self.new_deadline(timeout)
        try:
            response = await self._send(request, deadline)
            try:
                raw = await self._read_all(response, deadline, MAX_ERROR_BODY, cut=True)
            finally:
                await self._close(response)
        except httpx.HTTPError as exc:
            raise self.map_error(exc, deadline) from None
        finally:
            deadline.close()
        return FetchResult(response.status_code, response.headers, raw)

    # -- errors --------------------------------------------------------------------------------------------------

    def map_error(self, exc: httpx.HTTPError, deadline: Deadline | None = None) -> APIError:
        """The typed error for an httpx error (the total deadline's own timeout says so)."""
        t = self.target
        if deadline is not None:
            try:
                deadline.check()
            except APITimeoutError as expired:
                expired.provider, expired.model = t.provider, t.model
                return expired
        message = t.scrub.text(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return cls(message, provider=t.provider, model=t.model)

    def error_from_body(self, status: int, raw: bytes, headers: Mapping[str, str]) -> APIError:
        t = self.target
        return _errors.error_from_body(
            status,
            raw,
            headers,
            parse_error=t.parse_error,
            scrub=t.scrub,
            provider=t.provider,
            model=t.model,
            request_id_headers=t.request_id_headers,
        )

    def request_id(self, headers: Mapping[str, str]) -> str | None:
        return _errors.request_id_of(headers, self.target.request_id_headers)

    # -- one attempt ---------------------------------------------------------------------------------------------

    async def _prepare(self, wire: WireRequest, timeout: httpx.Timeout) -> httpx.Request:
        """The signed request of one attempt."""
        t = self.target
        headers = {**t.headers, **wire.headers}
        body = b""
        if wire.json is not None:
            try:
                body = json.dumps(wire.json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ConfigurationError(
                    f"the request contains text that is not valid Unicode (a lone surrogate at {exc.start})"
                ) from None
            headers["content-type"] = "application/json"
        if wire.stream and "accept" not in wire.headers:
            # (A wire whose streams are framed otherwise names its own: Bedrock's AWS event streams.)
            headers["accept"] = "text/event-stream"
        url = t.base_url + wire.path
        if wire.params:
            url += ("&" if "?" in url else "?") + urlencode(wire.params)
        outgoing = OutgoingRequest(wire.method, url, headers, body)
        await t.signer.sign(outgoing, self)
        if body and bodies_enabled():
            log_body(f"{wire.method} {t.scrub.text(str(url))} request body", body, t.scrub.text)
        client = self._client()
        if self._own_client():
            return self._own_request(client, outgoing, timeout)
        return client.build_request(
            outgoing.method,
            outgoing.url,
            content=outgoing.body or None,
            headers=outgoing.headers,
            extensions={"timeout": timeout.as_dict()},
        )

    def _own_request(
        self, client: httpx.Client | httpx.AsyncClient, outgoing: OutgoingRequest, timeout: httpx.Timeout
    ) -> httpx.Request:
        """The request ``client.build_request`` would make, made directly, byte for byte: the library's own client
        has no base URL, query parameters or event hooks to merge, only its default headers (merged as
        ``build_request`` does: the defaults this request does not set, then this request's) and its cookie jar.

        What ``build_request`` redoes on every request is kept instead: the parsed URL per URL, the client's default
        headers once per client, and the encoded header block per set of headers (an API's headers are the same
        call after call; a signer that signs each attempt makes a new set each time, which is simply encoded). The
        body goes in as a stream already read, with its ``Content-Length`` added as httpx adds it."""
        url = self._urls.get(outgoing.url)
        if url is None:
            if len(self._urls) >= 64:
                self._urls.clear()
            url = self._urls[outgoing.url] = httpx.URL(outgoing.url)
        body = outgoing.body
        if client.cookies or not body:
            return self._built_request(client, outgoing, url, timeout)
        defaults = self._defaults
        if defaults is None or defaults[0] is not client:
            defaults = self._defaults = (client, _raw_headers(client.headers))
            self._header_sets.clear()
        ours = outgoing.headers
        key = (url.netloc, tuple(ours.items()))
        block = self._header_sets.get(key)
        if block is None:
            pairs: list[tuple[str, str]] = []
            if "host" not in ours:
                pairs.append(("Host", url.netloc.decode("ascii")))
            pairs.extend((k, v) for k, lower, v in defaults[1] if lower not in ours)
            pairs.extend(ours.items())
            if len(self._header_sets) >= 64:
                self._header_sets.clear()
            block = self._header_sets[key] = httpx.Headers(pairs)
        headers = httpx.Headers(block)
        if "content-length" not in ours:
            headers["Content-Length"] = str(len(body))
        request = httpx.Request(
            outgoing.method,
            url,
            headers=headers,
            stream=httpx.ByteStream(body),
            extensions={"timeout": timeout.as_dict()},
        )
        request.read()
        return request

    def _built_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        outgoing: OutgoingRequest,
        url: httpx.URL,
        timeout: httpx.Timeout,
    ) -> httpx.Request:
        """:meth:`_own_request` the way httpx builds it: for a client with cookies to send, and for a request without a
        body (whose ``Content-Length: 0``, where httpx adds one, goes second)."""
        ours = outgoing.headers
        headers = [(k, v) for k, lower, v in _raw_headers(client.headers) if lower not in ours]
        headers.extend(ours.items())
        return httpx.Request(
            outgoing.method,
            url,
            content=outgoing.body or None,
            headers=headers,
            cookies=client.cookies,
            extensions={"timeout": timeout.as_dict()},
        )

    async def _exchange(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        """Send, following redirects when the client is set to (credentials never go to another host), and raise
        the typed error of an error status. Returns the open response of a success."""
        hops = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._send(request, deadline)
            except httpx.HTTPError as exc:
                raise self.map_error(exc, deadline) from None
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s %s -> %s in %.0f ms (request id %s)",
                    request.method,
                    self.target.scrub.text(str(request.url)),
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    self.request_id(response.headers),
                )
            status = response.status_code
            if status in _REDIRECTS and "location" in response.headers:
                await self._close(response)
                hops += 1
                if not self.follow_redirects or hops > MAX_REDIRECTS:
                    raise self._redirect_error(response, hops)
                request = self._redirected(request, response)
                continue
            if status >= 400:
                try:
                    raw = await self._read_all(response, deadline, MAX_ERROR_BODY, cut=True)
                except httpx.HTTPError:
                    raw = b""
                finally:
                    await self._close(response)
                if bodies_enabled():
                    log_body(f"HTTP {status} error body", raw, self.target.scrub.text)
                raise self.error_from_body(status, raw, response.headers)
            return response

    def _redirected(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        """The request a redirect asks for. To another origin it goes without the signer's headers and the API's
        extra headers (httpx itself strips only ``Authorization``); a redirect back is not signed again."""
        url = request.url.join(response.headers["location"])
        method = request.method
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method = "GET"
        headers = dict(request.headers)
        if _origin(url) != _origin(request.url):
            for name in list(headers):
                if name.lower() in self.target.private_headers:
                    del headers[name]
        headers.pop("host", None)
        content = request.content if method == request.method else None
        if content is None:
            headers.pop("content-type", None)
            headers.pop("content-length", None)
        return self._client().build_request(
            method, url, content=content, headers=headers, extensions=request.extensions
        )

    def _redirect_error(self, response: httpx.Response, hops: int) -> APIStatusError:
        location = self.target.scrub.text(response.headers.get("location", ""))
        why = "too many redirects" if hops > MAX_REDIRECTS else "redirects are not followed by this HTTP client"
        return APIStatusError(
            f"HTTP {response.status_code}: redirected to {location} ({why})",
            provider=self.target.provider,
            model=self.target.model,
            status_code=response.status_code,
            request_id=self.request_id(response.headers),
        )

    async def _read_all(self, response: httpx.Response, deadline: Deadline, cap: int, *, cut: bool = False) -> bytes:
        """The body, at most ``cap`` bytes: an error body longer than that is cut short (``cut``), a longer answer
        is a :class:`ResponseParseError`."""
        parts: list[bytes] = []
        size = 0
        while True:
            chunk = await self._read_chunk(response, deadline)
            if chunk is None:
                break
            size += len(chunk)
            if size > cap:
                if cut:
                    parts.append(chunk[: cap - size + len(chunk)])
                    break
                raise ResponseParseError(
                    f"the answer is larger than {cap} bytes",
                    provider=self.target.provider,
                    model=self.target.model,
                    status_code=response.status_code,
                )
            parts.append(chunk)
        return b"".join(parts)

    # -- calls ---------------------------------------------------------------------------------------------------

    def policy(self, cfg: Any) -> _retry.RetryPolicy:
        return _policy(
            cfg.retries,
            cfg.max_retry_wait,
            cfg.retry_delay if getattr(cfg, "retry_delay", None) else _retry.INITIAL_BACKOFF,
            cfg.max_retry_delay if getattr(cfg, "max_retry_delay", None) else _retry.MAX_BACKOFF,
        )

    def log_retry(self, attempt: int, error: BaseException, wait: float) -> None:
        if logger.isEnabledFor(logging.INFO):
            status = getattr(error, "status_code", None)
            what = f"HTTP {status}" if status else type(error).__name__
            logger.info(
                "%s %s: attempt %d failed (%s: %s); retrying in %.2f s",
                self.target.provider,
                self.target.model,
                attempt,
                what,
                self.target.scrub.text(getattr(error, "message", str(error)))[:200],
                wait,
            )

    async def send_json(self, wire: WireRequest, cfg: Any) -> Answer:
        """Send and read a whole JSON answer, retrying by the policy; each attempt within ``cfg.timeout``."""
        timeout = timeouts_of(cfg)

        async def attempt(n: int) -> Answer:
            # (Prepared before the deadline starts: it bounds the exchange, not the local work before it.)
            request = await self._prepare(wire, timeout)
            deadline = self.new_deadline(cfg.timeout)
            try:
                response = await self._exchange(request, deadline)
                try:
                    raw = await self._read_all(response, deadline, MAX_JSON_BODY)
                except httpx.HTTPError as exc:
                    raise self.map_error(exc, deadline) from None
                finally:
                    await self._close(response)
            finally:
                deadline.close()
            if bodies_enabled():
                log_body("response body", raw, self.target.scrub.text)
            data = self.decode_json(raw, response)
            named = _errors.error_in_2xx(data)
            if named is not None:
                # An error answered with a 2xx status (Anthropic does so for some overloads): raised inside the
                # retry loop, so that it is retried exactly like the same error sent with its own status.
                err = self.error_from_body(named or 500, raw, response.headers)
                raise _errors.with_implied_status(err) if not named else err
            facts = Facts(response.status_code, response.headers, self.request_id(response.headers), n)
            return Answer(data, facts)

        return await _retry.run(attempt, self.policy(cfg), self.sleep, self.log_retry)

    def decode_json(self, raw: bytes, response: httpx.Response) -> Any:
        """The answer's JSON, checked (see :meth:`checked`)."""
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            snippet = " ".join(raw[:300].decode("utf-8", "replace").split())
            why = "nested too deeply" if isinstance(exc, RecursionError) else "not JSON"
            raise ResponseParseError(
                self.target.scrub.text(
                    f"the answer is {why} (content-type {response.headers.get('content-type')!r}): {snippet!r}"
                ),
                provider=self.target.provider,
                model=self.target.model,
                status_code=response.status_code,
                request_id=self.request_id(response.headers),
            ) from None
        return self.checked(raw, data)

    def checked(self, raw: bytes, data: Any) -> Any:
        """``data``, parsed from ``raw``, with lone surrogates replaced; nesting deeper than ``MAX_DEPTH`` is a
        ``ResponseParseError``. Every whole answer is checked here, where its bytes are at hand (see
        :func:`~dhenara_http.types._json.checked_json`); stream events are checked by their decoder's payload reader,
        and tool-call arguments where they are parsed."""
        try:
            return checked_json(raw, data)
        except ResponseParseError as exc:
            exc.provider, exc.model = self.target.provider, self.target.model
            raise

    async def open_stream(self, wire: WireRequest, cfg: Any) -> OpenStream:
        """Send a streaming request once and return the open response (status checked, body unread). The deadline
        covers the whole stream."""
        request = await self._prepare(wire, timeouts_of(cfg))
        deadline = self.new_deadline(cfg.timeout)
        try:
            response = await self._exchange(request, deadline)
        except BaseException:
            deadline.close()
            raise
        return OpenStream(self, response, deadline)


class OpenStream:
    """An open streaming answer, read a network chunk at a time (what :mod:`dhenara_http._streaming` sees: no
    httpx)."""

    __slots__ = ("_response", "deadline", "eof", "transport")

    def __init__(self, transport: Transport, response: httpx.Response, deadline: Deadline) -> None:
        self.transport = transport
        self._response = response
        self.deadline = deadline
        self.eof = False

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", ""))

    def facts(self, attempts: int) -> Facts:
        return Facts(self.status, self.headers, self.transport.request_id(self.headers), attempts)

    async def read(self) -> bytes | None:
        """The next network chunk; None at the end of the body. httpx errors come out typed."""
        if self.eof:
            return None
        try:
            chunk = await self.transport._read_chunk(self._response, self.deadline)
        except httpx.HTTPError as exc:
            raise self.transport.map_error(exc, self.deadline) from None
        return self._took(chunk)

    def read_now(self) -> bytes | None:
        """:meth:`read` on a transport whose reads block (the sync one), without a coroutine."""
        if self.eof:
            return None
        try:
            chunk = self.transport._read_chunk_now(self._response, self.deadline)
        except httpx.HTTPError as exc:
            raise self.transport.map_error(exc, self.deadline) from None
        return self._took(chunk)

    def _took(self, chunk: bytes | None) -> bytes | None:
        if chunk is None:
            self.eof = True
        elif bodies_enabled():
            log_body("stream read", chunk, self.transport.target.scrub.text)
        return chunk

    async def read_all(self, cap: int) -> bytes:
        try:
            raw = await self.transport._read_all(self._response, self.deadline, cap)
        except httpx.HTTPError as exc:
            raise self.transport.map_error(exc, self.deadline) from None
        if bodies_enabled():
            log_body("response body", raw, self.transport.target.scrub.text)
        return raw

    async def aclose(self) -> None:
        self.deadline.close()
        await self.transport._close(self._response)

    def close_now(self) -> None:
        """:meth:`aclose` on a transport whose reads block, without a coroutine."""
        self.deadline.close()
        self.transport._close_now(self._response)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def timeouts_of(cfg: Any) -> httpx.Timeout:
    read = cfg.read_timeout if cfg.read_timeout is not None else cfg.timeout
    return _timeout(cfg.connect_timeout, read)


@functools.lru_cache(maxsize=64)
def _policy(retries: int, max_retry_wait: float, initial: float, maximum: float) -> _retry.RetryPolicy:
    """The (frozen) retry policy of these settings, made once."""
    return _retry.RetryPolicy(retries=retries, max_retry_wait=max_retry_wait, initial=initial, maximum=maximum)


@functools.lru_cache(maxsize=64)
def _timeout(connect: float | None, read: float | None) -> httpx.Timeout:
    return httpx.Timeout(connect=connect, read=read, write=read, pool=read)


def _raw_headers(headers: httpx.Headers) -> list[tuple[str, str, str]]:
    """(name as sent, lower-case name, value) of each header."""
    enc = headers.encoding
    return [(k.decode(enc), k.decode(enc).lower(), v.decode(enc)) for k, v in headers.raw]


def _timeouts(seconds: float) -> dict[str, float]:
    return {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
