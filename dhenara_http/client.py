"""``AIModelClient``: picks the wire protocol and host, hands the one async core to a driver, builds responses.

``generate_async()`` awaits the core on the caller's event loop over ``httpx.AsyncClient``; ``generate()`` runs the
very same core with the sync driver (:mod:`dhenara_http._drive`) over ``httpx.Client``, with no event loop. Both
work on any client, whatever ``is_async`` says. One client may be shared by many threads and tasks: a call keeps
its state to itself; the connection pools live as long as the client (reopened when it is used after ``close()``).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, cast

from ._client_compat import ClientCompatMixin
from .errors import ConfigurationError
from .types.config import AIModelCallConfig
from .types.endpoint import AIModelEndpoint

if TYPE_CHECKING:
    import httpx

    from ._artifacts import CallArtifacts
    from ._transport.http import Target, Transport
    from ._transport.pools import Pools
    from .protocols.base import CallContext, ErrorInfo, WireProtocol
    from .types.response import AIModelCallResponse, StreamItem

    HTTPClient = httpx.Client | httpx.AsyncClient | tuple[httpx.Client | httpx.AsyncClient, ...]


class _Unset(enum.Enum):
    """The default of a per-call option that was not given (``None`` is a value: no timeout, the model's limit)."""

    UNSET = "UNSET"


UNSET = _Unset.UNSET
Unset = Literal[_Unset.UNSET]


class AIModelClient(ClientCompatMixin):
    """Calls one model endpoint.

    ``generate()`` is the sync call and ``await generate_async()`` the async one; both work on any client
    (``is_async`` is kept for dhenara-ai programs). ``with`` / ``async with`` and ``close()`` / ``aclose()`` release
    the connection pools; a client used again afterwards opens new ones. A client that is never closed releases its
    sync pool when it is garbage-collected.

    ``http_client`` takes your own ``httpx.Client`` (used by ``generate``), ``httpx.AsyncClient`` (used by
    ``generate_async``) or a tuple of both; the library never closes it, and never sends credentials to another host
    when it follows a redirect.
    """

    def __init__(
        self,
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
        *,
        http_client: HTTPClient | None = None,
    ) -> None:
        if not isinstance(model_endpoint, AIModelEndpoint):
            raise ConfigurationError(
                f"AIModelClient.model_endpoint: expected an AIModelEndpoint, got {type(model_endpoint).__name__}"
            )
        if config is not None and not isinstance(config, AIModelCallConfig):
            raise ConfigurationError(
                f"AIModelClient.config: expected an AIModelCallConfig, got {type(config).__name__}"
            )
        from ._transport.pools import Pools

        self.model_endpoint = model_endpoint
        self.config = config or AIModelCallConfig()
        self.is_async = is_async
        self._pools: Pools = Pools(http_client)
        self._protocol: WireProtocol | None = None
        #: Where calls go, per anonymity (test mode): the API's, shared by every client ``with_options`` derives.
        self._targets: dict[bool, Target] = {}
        #: The same with this client's ``extra_headers`` added (its own).
        self._call_targets: dict[bool, Target] = {}
        self._transports: dict[tuple[str, bool], Transport] = {}
        self._lock = threading.Lock()
        self._targets_lock = threading.Lock()  # shared with the clients with_options derives, as _targets is

    def __repr__(self) -> str:
        return f"AIModelClient({self.model_endpoint!r}, is_async={self.is_async})"

    def with_options(self, **fields: Any) -> AIModelClient:
        """A client for the same endpoint with these ``AIModelCallConfig`` fields changed, sharing this client's
        connection pools and credentials (a Vertex token, AWS credentials): closing either closes the pools for
        both; they reopen on the next call.

        ``client.with_options(timeout=5, retries=0).generate(...)``; ``generate(..., timeout=5)`` does the same for
        one call."""
        # The fields as they are, not dumped: a dump would lose what is not data (a structured output's class).
        given = {name: getattr(self.config, name) for name in self.config.model_fields_set}
        config = AIModelCallConfig.model_validate({**given, **fields})
        clone = AIModelClient.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.config = config
        clone._lock = threading.Lock()
        clone._transports = {}
        clone._call_targets = {}
        return clone

    def _for_call(
        self,
        timeout: float | Unset | None,
        retries: int | Unset,
        max_output_tokens: int | Unset | None,
        extra_headers: Mapping[str, str] | Unset | None,
    ) -> AIModelClient:
        """This client, or for per-call options the client :meth:`with_options` makes (``extra_headers`` add to the
        client's own)."""
        fields: dict[str, Any] = {}
        if timeout is not UNSET:
            fields["timeout"] = timeout
        if retries is not UNSET:
            fields["retries"] = retries
        if max_output_tokens is not UNSET:
            fields["max_output_tokens"] = max_output_tokens
        if extra_headers is not UNSET and extra_headers:
            if not isinstance(extra_headers, Mapping):
                raise ConfigurationError(
                    f"generate(): extra_headers must be a dict, got {type(extra_headers).__name__}"
                )
            fields["extra_headers"] = {**(self.config.extra_headers or {}), **extra_headers}
        return self.with_options(**fields) if fields else self

    # -- plumbing ------------------------------------------------------------------------------------------------

    @property
    def protocol(self) -> WireProtocol:
        if self._protocol is None:
            from .hosts import WIRE_MODULES, wire_api_for

            wire = wire_api_for(self.model_endpoint.api, self.model_endpoint.ai_model)
            module_name = WIRE_MODULES[wire]
            try:
                module = importlib.import_module(f"dhenara_http.protocols.{module_name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"dhenara_http.protocols.{module_name}":
                    raise
                raise ConfigurationError(f"the {wire!r} wire protocol is not available in this version") from None
            self._protocol = module  # type: ignore[assignment]
        assert self._protocol is not None
        return self._protocol

    def _get_target(self, anonymous: bool) -> Target:
        """Where and how this client's calls go; ``anonymous`` (test mode): with no credentials."""
        headers = self.config.extra_headers
        if not headers:
            return self._api_target(anonymous)
        target = self._call_targets.get(anonymous)
        if target is None:
            from ._transport.urls import checked_headers

            checked_headers(headers, "AIModelCallConfig.extra_headers")
            extra = {k.lower(): v for k, v in headers.items()}
            base = self._api_target(anonymous)
            # The same signer (and so the same cached token or credentials); the extra values are secrets too.
            target = self._call_targets[anonymous] = dataclasses.replace(
                base,
                headers={**base.headers, **extra},
                extra_secrets=[*base.extra_secrets, *(v for v in extra.values() if v)],
                private_headers=base.private_headers | frozenset(extra),
            )
        return target

    def _api_target(self, anonymous: bool) -> Target:
        target = self._targets.get(anonymous)
        if target is None:
            with self._targets_lock:
                target = self._targets.get(anonymous)
                if target is None:
                    target = self._targets[anonymous] = self._new_target(anonymous)
        return target

    def _new_target(self, anonymous: bool) -> Target:
        from ._transport.auth import signer_for
        from ._transport.auth.keys import NoAuth
        from ._transport.http import USER_AGENT, Target
        from ._transport.urls import checked_headers
        from .hosts import host_for

        api = self.model_endpoint.api
        host = host_for(api)
        given = api.config.get("headers") or {}
        if not isinstance(given, dict):
            raise ConfigurationError(
                f"AIModelAPI({api.provider.value}).config['headers'] must be a dict, got {type(given).__name__}"
            )
        extra = {str(k).lower(): str(v) for k, v in given.items()}
        checked_headers(extra, f"AIModelAPI({api.provider.value}).config['headers']")
        return Target(
            base_url=_base_url(api, self.model_endpoint.ai_model),
            headers={"user-agent": USER_AGENT, "accept": "application/json", **extra},
            signer=NoAuth() if anonymous else signer_for(api, host.auth),
            provider=api.provider.value,
            model=self.model_endpoint.ai_model.model_name,
            parse_error=_error_reader(_error_protocol(host.error_wire) or self.protocol),
            request_id_headers=host.request_id_headers,
            extra_secrets=[v for v in extra.values() if v],
            private_headers=frozenset(extra),
        )

    def _transport(self, kind: str) -> Transport:
        """The transport of ``kind`` (``"sync"`` / ``"async"``) for this client's calls (``test_mode`` ones answered
        in-process by the mock provider's routes)."""
        key = (kind, self.config.test_mode)
        transport = self._transports.get(key)
        if transport is None:
            with self._lock:
                transport = self._transports.get(key)
                if transport is None:
                    pools = self._pools.for_call(self.config.test_mode)
                    target = self._get_target(anonymous=pools is not self._pools)
                    transport = self._transports[key] = pools.transport(kind, target)
        return transport

    # -- the core ------------------------------------------------------------------------------------------------

    async def _generate(
        self, ctx: CallContext, kind: str, art: CallArtifacts | None = None
    ) -> AIModelCallResponse | AsyncIterator[StreamItem] | Iterable[StreamItem]:
        """A complete response, or for a stream its items (an async generator on the async transport, an iterable
        on the sync one), already open: errors before the first chunk have been raised. ``art`` records the provider's
        request and answer when artifacts are asked for."""
        path = _call_path()
        path.check_call(ctx)
        protocol = self.protocol
        wire = protocol.build_request(ctx)
        if art is not None:
            art.provider_request(wire)
        transport = self._transport(kind)
        if ctx.stream:
            from ._streaming import start_stream

            return await start_stream(transport, protocol, ctx, wire)
        answer = await transport.send_json(wire, ctx.config)
        if art is not None:
            art.provider_response(answer.data)
        return path.read_answer(protocol, answer.data, ctx, transport, answer.facts)

    def _call_artifacts(self, *arguments: Any) -> CallArtifacts | None:
        """The debugging artifacts of one call, when ``config.artifact_config`` asks for them (dhenara-ai's)."""
        return self._artifacts(*arguments) if self.config.artifact_config is not None else None

    def generate(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        *,
        messages: Sequence[Any] | None = None,
        timeout: float | Unset | None = UNSET,
        retries: int | Unset = UNSET,
        max_output_tokens: int | Unset | None = UNSET,
        extra_headers: Mapping[str, str] | Unset | None = UNSET,
    ) -> AIModelCallResponse:
        """Call the model, blocking. With ``streaming=True`` the result's ``stream_generator`` yields
        ``(chunk, None)`` items and finally ``(None, final_response)``.

        ``timeout``, ``retries``, ``max_output_tokens`` override the client's config for this call;
        ``extra_headers`` are added to its requests (see :meth:`with_options`)."""
        path = _call_path()
        AIModelCallResponse = path.AIModelCallResponse
        client = self._for_call(timeout, retries, max_output_tokens, extra_headers)
        ctx = path.build_context(client.model_endpoint, client.config, prompt, context, instructions, messages)
        art = client._call_artifacts(prompt, context, instructions, messages)
        try:
            result = path.run_sync(client._generate(ctx, "sync", art))
        except BaseException as exc:
            if art is not None:
                art.fail(exc)
            raise
        if isinstance(result, AIModelCallResponse):
            if art is not None:
                art.finish(result)
            return result
        items = iter(cast("Iterable[StreamItem]", result))
        return AIModelCallResponse(stream_generator=art.watch_stream(items) if art is not None else items)

    async def generate_async(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        *,
        messages: Sequence[Any] | None = None,
        timeout: float | Unset | None = UNSET,
        retries: int | Unset = UNSET,
        max_output_tokens: int | Unset | None = UNSET,
        extra_headers: Mapping[str, str] | Unset | None = UNSET,
    ) -> AIModelCallResponse:
        """Call the model on the running event loop. With ``streaming=True`` the result's ``async_stream_generator``
        (and ``stream_generator``) yields ``(chunk, None)`` items and finally ``(None, final_response)``.
        Per-call options as for :meth:`generate`."""
        path = _call_path()
        AIModelCallResponse = path.AIModelCallResponse
        client = self._for_call(timeout, retries, max_output_tokens, extra_headers)
        ctx = path.build_context(client.model_endpoint, client.config, prompt, context, instructions, messages)
        art = client._call_artifacts(prompt, context, instructions, messages)
        try:
            result = await client._generate(ctx, "async", art)
        except BaseException as exc:
            if art is not None:
                art.fail(exc)
            raise
        if isinstance(result, AIModelCallResponse):
            if art is not None:
                art.finish(result)
            return result
        stream = cast("AsyncIterator[StreamItem]", result)
        if art is not None:
            stream = art.watch_async_stream(stream)
        return AIModelCallResponse(stream_generator=stream, async_stream_generator=stream)

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pools (not a client you gave). The client may still be used: it reopens them."""
        self._pools.close()

    async def aclose(self) -> None:
        await self._pools.aclose()

    def __enter__(self) -> AIModelClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> AIModelClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class _CallPath:
    """What every call uses, imported on the first call rather than with this module (``import dhenara_http``
    stays cheap) and kept: an ``import`` statement inside a function costs a few microseconds on every call."""

    def __init__(self) -> None:
        from ._answers import read_answer
        from ._capabilities import check_call
        from ._context import build_context
        from ._drive import run_sync
        from .types.response import AIModelCallResponse

        self.read_answer = read_answer
        self.check_call = check_call
        self.build_context = build_context
        self.run_sync = run_sync
        self.AIModelCallResponse = AIModelCallResponse


_CALL_PATH: list[_CallPath] = []


def _call_path() -> _CallPath:
    if not _CALL_PATH:
        _CALL_PATH.append(_CallPath())
    return _CALL_PATH[0]


def _error_protocol(wire: str | None) -> WireProtocol | None:
    """The protocol whose error reader reads a host's errors when the host names one (Bedrock's on InvokeModel)."""
    if not wire:
        return None
    from .hosts import WIRE_MODULES

    return importlib.import_module(f"dhenara_http.protocols.{WIRE_MODULES[wire]}")


def _error_reader(protocol: WireProtocol) -> Callable[[int, Any, Mapping[str, str]], ErrorInfo | None]:
    """The protocol's ``parse_error`` as ``(status, body, headers)``, whether or not it reads headers."""
    parse = protocol.parse_error
    if len(inspect.signature(parse).parameters) >= 3:
        return parse  # type: ignore[return-value]
    return lambda status, body, headers: parse(status, body)


def _base_url(api: Any, model: Any) -> str:
    from ._transport.urls import checked_base_url
    from .hosts import base_url_for

    return checked_base_url(base_url_for(api, model), api.provider.value)
