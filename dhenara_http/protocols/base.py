"""What every protocol module shares: the call context it builds from, the request it returns, the stream
accumulator interface and small helpers.

A protocol module is pure: it turns a :class:`CallContext` into a :class:`WireRequest`, a parsed JSON answer into a
``ChatResponse``, an error body into an :class:`ErrorInfo`, and stream events into chunks. It never does I/O.

A stream accumulator rebuilds the provider's own non-streaming JSON from the events, and its ``final()`` is
``parse_response`` of that JSON — so a streamed answer and the same answer without streaming give equal responses
by construction.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, Union

from ..errors import APIStatusError, CapabilityError, InternalServerError, implied_status
from ..types.enums import AIModelAPIProviderEnum, FinishReason
from ..types.prompt import Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import ChatResponse, ChatResponseTextContentItem, ImageResponse
from ..types.stream import (
    ChatResponseChoiceDelta,
    ChatResponseChunk,
    ChatResponseContentItemDelta,
    ChatResponseTextContentItemDelta,
    text_chunk,
)

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent
    from ..hosts import HostProfile
    from ..types.config import AIModelCallConfig
    from ..types.endpoint import AIModelEndpoint
    from ..types.model import FoundationModel
    from ._reasoning import ReasoningPlan

#: A provider-neutral turn: a user/assistant/system ``Prompt``, an earlier answer (``ChatResponse``, kept whole so
#: that tool calls and reasoning survive), or tool results.
Message = Union[Prompt, ChatResponse, ToolCallResult, ToolCallResultsMessage]  # noqa: UP007


@dataclass(slots=True)
class CallContext:
    """Everything a protocol needs to build one request and to read its answer."""

    endpoint: AIModelEndpoint
    config: AIModelCallConfig
    host: HostProfile
    instructions: list[str]
    messages: list[Message]
    stream: bool = False
    #: The wire this call speaks as ``config["wire_api"]`` names it (``"invoke"`` is the Anthropic protocol on
    #: Bedrock's InvokeModel routes); empty: the protocol's own name.
    wire_api: str = ""
    #: (model, vendor, api provider) of every chunk, computed once per call: a stream makes thousands of chunks.
    _chunk_ids: tuple[str, str, str] | None = None
    #: The reasoning plan, worked out once per call (see :meth:`reasoning_plan`).
    _plan: ReasoningPlan | None = None
    #: :attr:`model_name`, worked out once per call.
    _model_name: str | None = None

    @property
    def model(self) -> FoundationModel:
        return self.endpoint.ai_model

    @property
    def model_name(self) -> str:
        """The model id on the wire: ``config["deployment"]`` when given (Azure deployments, Bedrock inference
        profiles), else the model's id on this host (Bedrock and Vertex name Claude their own way)."""
        name = self._model_name
        if name is None:
            deployment = self.endpoint.api.config.get("deployment")
            name = self._model_name = str(
                deployment or self.endpoint.ai_model.api_model_name(self.endpoint.api.provider)
            )
        return name

    def route(self, protocol_name: str) -> tuple[str, dict[str, str]]:
        """The path and query of this call, from the host's route table (``protocol_name`` when the call names no
        wire of its own)."""
        wire = self.wire_api or protocol_name
        config = self.host.call_config(self.endpoint.api.config, self.model)
        return self.host.route(wire, self.model_name, config, self.stream)

    def body_version(self, protocol_name: str) -> str | None:
        """Anthropic Messages on a host that carries the API version in the body (and the model in the path)."""
        return self.host.anthropic_body_version.get(self.wire_api or protocol_name)

    @property
    def api_provider(self) -> AIModelAPIProviderEnum:
        return self.endpoint.api.provider

    @property
    def vendor(self) -> str:
        return self.endpoint.ai_model.provider.value

    def reasoning_plan(self, wire: str | None = None, control: str | None = None) -> ReasoningPlan:
        """What this call sends about reasoning (see :mod:`._reasoning`): worked out on first use, for ``wire`` (the
        call's own wire when None) with ``control`` overriding the catalogue's."""
        if self._plan is None:
            from ._reasoning import plan_reasoning

            self._plan = plan_reasoning(self, wire or self.wire_api, control)
        return self._plan

    def max_output_tokens(self, default: int | None = None) -> int | None:
        """The output cap to send: ``max_output_tokens`` (the answer's share) plus what the reasoning plan reserves,
        within the model's limit (the reasoning mode's limit when reasoning is on); without ``max_output_tokens``,
        ``default`` (None: send none, the provider's default applies)."""
        from ._reasoning import output_cap

        return output_cap(self, self.reasoning_plan(), default)

    def wants_reasoning(self) -> bool:
        """Whether to ask for reasoning; a clear error when the model cannot reason."""
        if not self.config.reasoning:
            return False
        require_reasoning(self.model)
        return True

    def make_chunk(
        self,
        deltas: Sequence[ChatResponseContentItemDelta],
        *,
        choice_index: int = 0,
        finish_reason: FinishReason | None = None,
    ) -> ChatResponseChunk:
        model, vendor, api_provider = self._chunk_ids or self._ids()
        # Positional arguments: a stream makes thousands of chunks, and keyword calls cost twice as much.
        return ChatResponseChunk(
            model, vendor, api_provider, [ChatResponseChoiceDelta(choice_index, list(deltas), finish_reason)]
        )

    def text_chunk(self, index: int, text: str, choice_index: int = 0) -> ChatResponseChunk:
        """``make_chunk([ChatResponseTextContentItemDelta(index=index, text_delta=text)], choice_index=…)``: the chunk
        of the most common event by far, one piece of answer text, made the fastest way."""
        model, vendor, api_provider = self._chunk_ids or self._ids()
        if choice_index == 0:
            return text_chunk(model, vendor, api_provider, index, text)
        return ChatResponseChunk(
            model,
            vendor,
            api_provider,
            [ChatResponseChoiceDelta(choice_index, [ChatResponseTextContentItemDelta(index, text)])],
        )

    def text_chunk_factory(self) -> Callable[[int, str], ChatResponseChunk]:
        """``factory(index, text)`` = ``text_chunk(index, text)`` for choice 0, with one call less per chunk."""
        return partial(text_chunk, *(self._chunk_ids or self._ids()))

    def _ids(self) -> tuple[str, str, str]:
        ids = self._chunk_ids = (self.model_name, self.vendor, self.api_provider.value)
        return ids


def capability_error(model: FoundationModel, capability: str, hint: str = "") -> CapabilityError:
    """The error for a model asked for a capability it lacks."""
    where = f" ({hint})" if hint else ""
    return CapabilityError(f"{model.model_name} does not support {capability}{where}")


def is_generic(model: FoundationModel) -> bool:
    """A model outside the catalogue: nothing is known of it, so the provider decides."""
    return bool(model.metadata.get("generic"))


def require_reasoning(model: FoundationModel) -> None:
    """Raise unless the model can reason (or is outside the catalogue)."""
    settings = model.chat_settings
    if settings is not None and not settings.supports_reasoning and not is_generic(model):
        raise capability_error(model, "reasoning", "AIModelCallConfig.reasoning")


@dataclass(slots=True)
class WireRequest:
    """One HTTP request, before auth: ``path`` is relative to the host's base URL."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None
    stream: bool = False


@dataclass(slots=True)
class ErrorInfo:
    """What a protocol reads out of an error body. ``error_class`` overrides the class the HTTP status implies;
    ``retryable`` overrides the retry policy's reading of the status (e.g. OpenAI's ``insufficient_quota`` comes as a
    429 but waiting will not help); a server's ``x-should-retry`` header overrides both.

    An error that arrives *in-band* (an error event inside a 200 stream) is raised with the HTTP status its class
    implies (``errors.implied_status``), so that it is retried, or not, exactly like the same error sent as a status.
    """

    message: str
    error_type: str | None = None
    error_code: str | None = None
    error_class: type[APIStatusError] | None = None
    retry_after: float | None = None
    retryable: bool | None = None


def error_from_info(ctx: CallContext, info: ErrorInfo | None, body: Any) -> APIStatusError:
    """The typed error for an error body that arrived with a success status, given what the wire read of it: it is
    raised with the status its class implies, and its message is scrubbed of the call's secrets here, since it never
    passed the transport's error path, which scrubs the errors it builds."""
    info = info or ErrorInfo(message="the provider reported an error")
    cls = info.error_class or InternalServerError
    message = info.message
    for secret in ctx.endpoint.api.secrets():
        message = message.replace(secret, "[REDACTED]")
    err = cls(
        message,
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=implied_status(cls),
        error_type=info.error_type,
        error_code=info.error_code,
        body=body,
    )
    if info.retryable is not None:
        err.should_retry = info.retryable  # type: ignore[attr-defined]
    return err


class StreamAccumulator(Protocol):
    """Turns decoded stream events into chunks, and what arrived into a ``ChatResponse``."""

    #: True once the protocol's terminal event arrived; a stream that ends without it was truncated.
    done: bool

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        """The chunks this event adds (every one with at least one content delta). Raises an ``APIStatusError``
        subclass for an in-band error event."""
        ...

    def final(self) -> ChatResponse:
        """The response from everything fed so far (complete after ``done``, partial before)."""
        ...


class ImageWireProtocol(Protocol):
    """What an image wire module offers (``openai_images``, ``imagen``): a request and its one answer, never a stream
    (a streaming call on an image model is refused before sending), so no accumulator."""

    NAME: str
    FRAMING: str

    def build_request(self, ctx: CallContext) -> WireRequest: ...

    def parse_response(self, data: dict[str, Any], ctx: CallContext) -> ImageResponse: ...

    def parse_error(self, status: int, body: Any) -> ErrorInfo | None: ...


class WireProtocol(Protocol):
    """The functions every protocol module offers."""

    NAME: str

    def build_request(self, ctx: CallContext) -> WireRequest: ...

    def parse_response(self, data: dict[str, Any], ctx: CallContext) -> ChatResponse: ...

    def parse_error(self, status: int, body: Any) -> ErrorInfo | None:
        """The error a body says (a wire whose host names the error in a header — Bedrock's ``x-amzn-errortype`` —
        takes the response headers as a third argument)."""
        ...

    def new_accumulator(self, ctx: CallContext) -> StreamAccumulator: ...


# -- cross-provider history --------------------------------------------------------------------------------------
#
# One policy for every protocol (documented in docs/conversations.md):
# * Text always travels.
# * Tool calls and tool results travel as native tool turns. Ids are rewritten reversibly where the destination's
#   pattern demands it (see encode_tool_id); a provider that gives no ids (Gemini) gets deterministic ones when
#   its answer is parsed.
# * Reasoning travels only to the family that made it — the same wire protocol on the same API provider — with its
#   signature / encrypted content. To any other destination it is dropped, never re-sent as text: foreign thinking
#   pasted into a prompt confuses the next model, and signatures are rejected across families.
# * Hosted web search: its calls, results and citations travel only to the family that made them, as they came. To
#   any other destination the calls and results are dropped (they are the provider's own server-side state) and the
#   sources the text cites follow the answer as one short text (see cited_sources), so the facts keep their origin.

_TOOL_ID_OK = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_TOOL_ID_PREFIX = "tid_"


def encode_tool_id(tool_id: str) -> str:
    """An id matching ``^[a-zA-Z0-9_-]{1,64}$`` (Anthropic's rule, the strictest), reversible by
    :func:`decode_tool_id`. Ids that already match are kept as they are."""
    if _TOOL_ID_OK.match(tool_id) and not tool_id.startswith(_TOOL_ID_PREFIX):
        return tool_id
    encoded = base64.urlsafe_b64encode(tool_id.encode("utf-8")).decode("ascii").rstrip("=")
    return _TOOL_ID_PREFIX + encoded


def decode_tool_id(tool_id: str) -> str:
    """The original id of an id made by :func:`encode_tool_id` (other ids come back unchanged)."""
    if not tool_id.startswith(_TOOL_ID_PREFIX):
        return tool_id
    body = tool_id[len(_TOOL_ID_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return tool_id


def same_family(response: ChatResponse, ctx: CallContext, wire_api: str) -> bool:
    """Whether ``response`` was made by the same wire protocol on the same API provider as this call, so that its
    reasoning (signatures, encrypted content) may be replayed."""
    return response.metadata.get("wire_api") == wire_api and response.api_provider == ctx.api_provider


def cited_sources(response: ChatResponse) -> str:
    """The sources an earlier answer's text cites (its first choice), as text to append to that answer for a
    provider that cannot carry the citations themselves: ``"\n\nSources:\n- title: url …"``, or ``""``."""
    seen: dict[str, str | None] = {}
    for item in response.choices[0].contents if response.choices else []:
        if isinstance(item, ChatResponseTextContentItem):
            for cite in item.citations:
                if cite.url and cite.url not in seen:
                    seen[cite.url] = cite.title
    if not seen:
        return ""
    return "\n\nSources:\n" + "\n".join(f"- {title}: {url}" if title else f"- {url}" for url, title in seen.items())
