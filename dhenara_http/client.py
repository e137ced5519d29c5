"""``AIModelClient``: picks the wire protocol and host, drives the transport, builds responses.

The async methods are the core. The sync ``generate`` runs that same core on a private event loop (see
:mod:`dhenara_http._sync`), so there is one copy of the request logic.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._streaming import Batch, flatten, start_stream, success_status
from .errors import ConfigurationError
from .hosts import WIRE_MODULES, auth_headers, base_url_for, host_for, wire_api_for
from .protocols.base import CallContext, Message, WireProtocol
from .types.config import AIModelCallConfig
from .types.endpoint import AIModelEndpoint
from .types.enums import PromptMessageRoleEnum
from .types.prompt import Prompt, SystemInstruction, ToolCallResult, ToolCallResultsMessage
from .types.response import AIModelCallResponse, ChatResponse, StreamItem

if TYPE_CHECKING:
    import httpx

    from ._sync import SyncRunner
    from ._transport.http import HTTPTransport


def _as_message(item: Any, where: str) -> Message:
    if isinstance(item, Prompt | ChatResponse | ToolCallResult | ToolCallResultsMessage):
        return item
    if isinstance(item, str):
        return Prompt(role=PromptMessageRoleEnum.USER, text=item)
    if isinstance(item, dict):
        kind = item.get("type")
        if kind == "chat_response":
            return ChatResponse.model_validate(item)
        if kind == "tool_result":
            return ToolCallResult.model_validate(item)
        if kind == "tool_result_message":
            return ToolCallResultsMessage.model_validate(item)
        return Prompt.model_validate(item)
    raise ConfigurationError(
        f"{where}: expected a str, Prompt, ChatResponse, ToolCallResult or ToolCallResultsMessage, "
        f"got {type(item).__name__}"
    )


def _spread(values: Sequence[Any]) -> list[Any]:
    """``values`` with lists inside spread out: what ``PromptFormatter`` returns for a turn is a list of messages."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            out.extend(value)
        else:
            out.append(value)
    return out


def _instruction_text(item: Any, i: int) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, SystemInstruction):
        return item.get_formatted_text()
    if isinstance(item, Prompt):
        return item.rendered_text()
    raise ConfigurationError(f"instructions[{i}]: expected a str or SystemInstruction, got {type(item).__name__}")


class AIModelClient:
    """Calls one model endpoint.

    ``is_async=False`` (the default) gives ``generate``; ``is_async=True`` gives ``await generate_async``.

    Connections: inside ``with`` / ``async with`` one connection pool serves every call and is closed at the end.
    A sync client used without ``with`` opens and closes its pool (and its private event loop) per call, so nothing
    is left for the garbage collector; an async client used without ``async with`` keeps its pool until
    ``await client.aclose()``. ``http_client`` lets you bring your own ``httpx.AsyncClient`` (it is then yours to
    close).
    """

    def __init__(
        self,
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
        *,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        if not isinstance(model_endpoint, AIModelEndpoint):
            raise ConfigurationError(
                f"AIModelClient.model_endpoint: expected an AIModelEndpoint, got {type(model_endpoint).__name__}"
            )
        if config is not None and not isinstance(config, AIModelCallConfig):
            raise ConfigurationError(
                f"AIModelClient.config: expected an AIModelCallConfig, got {type(config).__name__}"
            )
        self.model_endpoint = model_endpoint
        self.config = config or AIModelCallConfig()
        self.is_async = is_async
        self._http_client = http_client
        self._transport: HTTPTransport | None = None
        self._protocol: WireProtocol | None = None
        self._runner: SyncRunner | None = None
        self._closed = False
        self._entered = False

    def __repr__(self) -> str:
        return f"AIModelClient({self.model_endpoint!r}, is_async={self.is_async})"

    # -- plumbing ------------------------------------------------------------------------------------------------

    @property
    def protocol(self) -> WireProtocol:
        if self._protocol is None:
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

    def _get_transport(self) -> HTTPTransport:
        if self._transport is None:
            from ._transport.http import HTTPTransport

            api = self.model_endpoint.api
            host = host_for(api)
            headers = {**auth_headers(api), **{str(k): str(v) for k, v in (api.config.get("headers") or {}).items()}}
            self._transport = HTTPTransport(
                base_url=base_url_for(api),
                headers=headers,
                provider=api.provider.value,
                model=self.model_endpoint.ai_model.model_name,
                parse_error=self.protocol.parse_error,
                request_id_headers=host.request_id_headers,
                secrets=api.secrets(),
                http_client=self._http_client,
            )
        return self._transport

    def _context(
        self,
        prompt: Any,
        context: Sequence[Any] | None,
        instructions: Sequence[Any] | None,
        messages: Sequence[Any] | None,
    ) -> CallContext:
        if messages is not None and (prompt is not None or context):
            raise ConfigurationError("generate(): give either messages=[...] or prompt (with context), not both")
        items: list[Message] = []
        if messages is not None:
            items = [_as_message(m, f"messages[{i}]") for i, m in enumerate(_spread(messages))]
        else:
            items = [_as_message(m, f"context[{i}]") for i, m in enumerate(_spread(context or []))]
            if prompt is not None:
                items.extend(_as_message(p, "prompt") for p in _spread([prompt]))
        if not items:
            raise ConfigurationError("generate(): nothing to send (no prompt and no messages)")
        system: list[str] = [_instruction_text(x, i) for i, x in enumerate(instructions or [])]
        # System prompts given as messages join the instructions, in order.
        kept: list[Message] = []
        for m in items:
            if isinstance(m, Prompt) and m.role == PromptMessageRoleEnum.SYSTEM:
                system.append(m.rendered_text())
            else:
                kept.append(m)
        return CallContext(
            endpoint=self.model_endpoint,
            config=self.config,
            host=host_for(self.model_endpoint.api),
            instructions=system,
            messages=kept,
            stream=self.config.streaming,
            wire_api=wire_api_for(self.model_endpoint.api, self.model_endpoint.ai_model),
        )

    def _check_open(self) -> None:
        if self._closed:
            raise ConfigurationError("this AIModelClient is closed")

    # -- the async core ------------------------------------------------------------------------------------------

    async def _generate(self, ctx: CallContext) -> AIModelCallResponse | AsyncIterator[Batch]:
        """A complete response, or for a stream the generator of its batches (already open: errors before the first
        chunk have been raised)."""
        from ._capabilities import check_call
        from ._finalize import finalize

        check_call(ctx)
        cfg = self.config
        if cfg.test_mode:
            from ._test_mode import canned_response, canned_stream

            if ctx.stream:
                return canned_stream(ctx)
            return AIModelCallResponse(status=success_status(ctx), chat_response=canned_response(ctx))
        protocol = self.protocol
        wire = protocol.build_request(ctx)
        transport = self._get_transport()
        if ctx.stream:
            return await start_stream(transport, protocol, ctx, wire)
        data, _headers = await transport.send_json(
            wire,
            connect=cfg.connect_timeout,
            read=cfg.read_timeout,
            total=cfg.timeout,
            retries=cfg.retries,
            max_retry_wait=cfg.max_retry_wait,
        )
        if not isinstance(data, dict):
            from .errors import ResponseParseError

            raise ResponseParseError(
                "the answer is JSON but not an object", provider=transport.provider, model=transport.model
            )
        response = finalize(protocol.parse_response(data, ctx), ctx)
        return AIModelCallResponse(status=success_status(ctx), chat_response=response)

    async def generate_async(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        *,
        messages: Sequence[Any] | None = None,
    ) -> AIModelCallResponse:
        """Call the model (async client). With ``streaming=True`` the result's ``async_stream_generator`` yields
        ``(chunk, None)`` items and finally ``(None, final_response)``."""
        if not self.is_async:
            raise ConfigurationError("generate_async() needs AIModelClient(..., is_async=True); use generate()")
        self._check_open()
        result = await self._generate(self._context(prompt, context, instructions, messages))
        if isinstance(result, AIModelCallResponse):
            return result
        return AIModelCallResponse(async_stream_generator=flatten(result))

    # -- the sync shell --------------------------------------------------------------------------------------------

    def _sync_runner(self) -> SyncRunner:
        if self._runner is None:
            from ._sync import SyncRunner

            self._runner = SyncRunner()
        return self._runner

    def generate(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        *,
        messages: Sequence[Any] | None = None,
    ) -> AIModelCallResponse:
        """Call the model (sync client). With ``streaming=True`` the result's ``stream_generator`` yields
        ``(chunk, None)`` items and finally ``(None, final_response)``."""
        if self.is_async:
            raise ConfigurationError("generate() is for a sync client; this one is async: await generate_async()")
        self._check_open()
        ctx = self._context(prompt, context, instructions, messages)
        runner = self._sync_runner()
        try:
            result = runner.run(self._generate(ctx))
        except BaseException:
            self._release_unless_entered()
            raise
        if isinstance(result, AIModelCallResponse):
            self._release_unless_entered()
            return result
        # Batches, not single items: one trip into the loop per network read.
        return AIModelCallResponse(stream_generator=self._sync_stream(runner.iterate(result, owner=self)))

    def _sync_stream(self, items: Iterator[StreamItem]) -> Iterator[StreamItem]:
        try:
            yield from items
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
            self._release_unless_entered()

    def _release_unless_entered(self) -> None:
        """Outside a ``with`` block a sync client keeps nothing open between calls: its event loop and connection
        pool are closed when a call (or its stream) ends, so a client that is never closed leaks nothing and nothing
        has to be cleaned up by the garbage collector (where running a loop is unsafe). Inside ``with``, one pool
        serves every call of the block."""
        if not self._entered and self._runner is not None:
            if self._runner.running_here():
                # A stream finalised by the garbage collector during a later call of this client: that call's own
                # end releases everything.
                return
            runner, self._runner = self._runner, None
            transport, self._transport = self._transport, None
            runner.close(transport.aclose() if transport is not None else None)

    # -- lifecycle -------------------------------------------------------------------------------------------------

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None
        self._closed = True

    def close(self) -> None:
        self._entered = False
        if self._runner is not None:
            runner, self._runner = self._runner, None
            runner.close(self.aclose())
        self._closed = True

    def __enter__(self) -> AIModelClient:
        if self.is_async:
            raise ConfigurationError("use 'async with' for an async AIModelClient")
        self._entered = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> AIModelClient:
        if not self.is_async:
            raise ConfigurationError("use 'with' for a sync AIModelClient")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
