"""The ConverseStream accumulator: events → chunks, and the rebuilt Converse JSON → the final response.

Events arrive as AWS event-stream frames (the decoder gives ``event`` = the ``:event-type`` and ``data`` = its JSON,
with a ``"p"`` padding field that is ignored), or, from JSON recordings and gateways, as one object per event keyed
by its type (``{"contentBlockDelta": {…}}``): both are read.

The non-streaming answer is rebuilt as it arrives: ``messageStart`` (the role), ``contentBlockStart`` (a tool call's
``toolUseId`` and ``name``), ``contentBlockDelta`` (``text``; ``toolUse.input`` string pieces, **kept per content-block
index and joined at the end**, so a tool call streamed in pieces never ends as ``{}``; ``reasoningContent`` ``text``,
``signature`` and ``redactedContent``), ``contentBlockStop``, ``messageStop`` (``stopReason``, the terminal event) and
``metadata`` (usage and metrics, which may come before or after ``messageStop``). ``final()`` is ``parse_response`` of
that JSON, so a streamed answer equals the same answer without streaming.

Events are read with the typed readers of :mod:`._common`, like answers: an event that is not a JSON object, a field
of the wrong type (an index that is not a small non-negative integer, a delta that is not an object, a count that is
not a whole number …) is a ``ResponseParseError`` naming the field. So is every event that would lose what it
carries: a delta of one kind for a block of another (text into a tool call's input), a delta or a start after its
block stopped, a block started twice, a content event after ``messageStop``, a second ``messageStop`` that says
something else. Unknown event types and unknown delta members are ignored (new features must not break old clients).

An exception event in JSON form (``{"throttlingException": {"message": …}}``) raises its typed error, secrets
scrubbed; the binary form is raised by the decoder already.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._decoders.sse import NO_PAYLOAD, event_payload
from ..errors import InternalServerError, ResponseParseError, aws_error_class, implied_status
from ..types.response import ChatResponse
from ..types.stream import (
    ChatResponseChunk,
    ChatResponseContentItemDelta,
    ChatResponseGenericContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from . import _common as common
from ._converse_request import structured_tool_name
from ._converse_response import parse_response, parse_usage
from .base import CallContext, ErrorInfo

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent

EVENTS = frozenset(
    {"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"}
)
#: The events that change the message (after ``messageStop``, an error).
_CONTENT_EVENTS = frozenset({"contentBlockStart", "contentBlockDelta", "contentBlockStop"})


class _Block:
    """One content block being rebuilt: text / reasoning pieces and tool input pieces, joined once at the end."""

    __slots__ = ("extra", "kind", "pieces", "redacted", "signature", "tool")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "text", "reasoning", "tool", "other"
        self.pieces: list[str] = []
        self.signature: str | None = None
        self.redacted: list[str] = []
        self.tool: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}

    def rebuilt(self) -> dict[str, Any]:
        joined = "".join(self.pieces)
        if self.kind == "tool":
            block = dict(self.tool)
            if not joined.strip():
                block["input"] = {}
            else:
                try:
                    parsed = common.checked_answer(json.loads(joined), "the tool call's arguments")
                except (ValueError, RecursionError):
                    parsed = None
                # Anything but an object is kept as the text that came; the tool call records why it is not one.
                block["input"] = parsed if type(parsed) is dict else joined
            return {"toolUse": block}
        if self.kind == "reasoning":
            reasoning: dict[str, Any] = {}
            if joined or self.signature is not None or not self.redacted:
                text: dict[str, Any] = {"text": joined}
                if self.signature is not None:
                    text["signature"] = self.signature
                reasoning["reasoningText"] = text
            if self.redacted:
                reasoning["redactedContent"] = "".join(self.redacted)
            return {"reasoningContent": reasoning}
        if self.kind == "text":
            return {"text": joined, **self.extra}
        return dict(self.extra)


class ConverseAccumulator:
    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._role = "assistant"
        self._blocks: dict[int, _Block] = {}
        self._stopped: set[int] = set()
        self._stop: dict[str, Any] | None = None
        self._meta: dict[str, Any] = {}
        self._structured_tool = structured_tool_name(ctx)
        self._text_chunk = ctx.text_chunk_factory()

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        try:
            payload = event_payload(event.data)
        except ValueError:
            raise ResponseParseError(
                f"a Bedrock stream event is not JSON: {event.data[:200]!r}",
                provider=self.ctx.api_provider.value,
                model=self.ctx.model_name,
            ) from None
        if payload is NO_PAYLOAD:
            return []
        try:
            return self._event(event.event, payload)
        except ResponseParseError as exc:
            raise common.located(exc, self.ctx) from None

    def _event(self, name: str, payload: Any) -> list[ChatResponseChunk]:
        kind: str | None = name if name in EVENTS else None
        if type(payload) is not dict:
            raise common.bad_field("the stream event", name or "", payload, "an object")
        if kind is None:
            kind, payload = self._unwrap(payload)
            if kind is None:
                return []
        if self.done and kind in _CONTENT_EVENTS:
            # Nothing may change the message once it ended: ignoring the event would lose what it carries.
            raise ResponseParseError(f"malformed stream: a {kind} event came after messageStop")
        deltas: list[ChatResponseContentItemDelta]
        if kind == "contentBlockDelta":
            index = common.as_index(payload.get("contentBlockIndex"), kind, "contentBlockIndex")
            delta = payload.get("delta")
            if type(delta) is not dict:
                raise common.bad_field(kind, "delta", delta, "an object")
            if index in self._stopped:
                raise ResponseParseError(f"malformed stream: a delta for content block {index} came after its stop")
            text = delta.get("text")
            if text is not None:  # the usual event: one piece of answer text
                if type(text) is not str:
                    raise common.bad_field(f"{kind}.delta", "text", text, "a string")
                self._block(index, "text", "a text delta").pieces.append(text)
                return [self._text_chunk(index, text)] if text else []
            deltas = self._delta(index, delta)
        elif kind == "contentBlockStart":
            deltas = self._start(payload)
        elif kind == "contentBlockStop":
            self._stopped.add(common.as_index(payload.get("contentBlockIndex"), kind, "contentBlockIndex"))
            return []
        elif kind == "messageStart":
            self._role = common.get_str(payload, "role", kind) or "assistant"
            return []
        elif kind == "messageStop":
            common.get_str(payload, "stopReason", kind)
            common.opt_dict(payload, "additionalModelResponseFields", kind)
            stop = {k: v for k, v in payload.items() if k != "p"}
            if self._stop is not None and stop != self._stop:
                raise ResponseParseError("malformed stream: a second messageStop says something else")
            self._stop = stop
            self.done = True
            return []
        else:  # metadata
            usage = common.opt_dict(payload, "usage", kind)
            if usage is not None:
                parse_usage(usage, f"{kind}.usage")  # a bad count is reported where it came
            common.opt_dict(payload, "metrics", kind)
            self._meta.update({k: v for k, v in payload.items() if k != "p"})
            return []
        return [self.ctx.make_chunk(deltas)] if deltas else []

    def _unwrap(self, payload: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """``{"contentBlockDelta": {…}}`` → the event inside; an exception event raises its typed error."""
        for key, value in payload.items():
            if key in EVENTS:
                if type(value) is not dict:
                    raise common.bad_field("the stream event", key, value, "an object")
                return key, value
            if key.lower().endswith("exception") and value is not None:
                body = value if type(value) is dict else {"message": value}
                message = body.get("message")
                info = ErrorInfo(
                    message=f"Bedrock stream error {key}: {message if isinstance(message, str) else ''}".rstrip(": "),
                    error_type=key,
                )
                cls = aws_error_class(key) or InternalServerError
                raise common.in_band_error(cls, info, self.ctx, status=implied_status(cls), body=body)
        return None, payload

    def _answer_tool(self, tool: dict[str, Any]) -> bool:
        """Whether the tool is the synthetic one that carries the structured output (whose input is answer text); a
        tool call without a name (its start never came) is not."""
        return self._structured_tool is not None and tool.get("name") == self._structured_tool

    def _block(self, index: int, kind: str, what: str) -> _Block:
        """The block at ``index``, made of ``kind`` when it is new; a block of another kind is an error."""
        block = self._blocks.get(index)
        if block is None:
            block = self._blocks[index] = _Block(kind)
        elif block.kind != kind:
            raise ResponseParseError(f"malformed stream: {what} for content block {index}, a {block.kind} block")
        return block

    def _start(self, payload: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        index = common.as_index(payload.get("contentBlockIndex"), "contentBlockStart", "contentBlockIndex")
        start = common.get_dict(payload, "start", "contentBlockStart")
        if index in self._blocks or index in self._stopped:
            # A second start would replace what the first one built (and what the caller was sent).
            raise ResponseParseError(f"malformed stream: content block {index} started twice")
        tool = common.opt_dict(start, "toolUse", "contentBlockStart.start")
        if tool is not None:
            where = "contentBlockStart.start.toolUse"
            tool_id = common.get_id(tool, "toolUseId", where)
            name = common.get_text(tool, "name", where)
            block = self._block(index, "tool", "a tool call's start")
            block.tool = {k: v for k, v in tool.items() if k != "input"}
            if self._answer_tool(block.tool):
                return []
            return [
                ChatResponseToolCallContentItemDelta(
                    index=index, arguments_delta="", tool_call_id=tool_id, tool_name=name
                )
            ]
        if start:  # a block of a kind not streamed piece by piece
            self._block(index, "other", "a start").extra = dict(start)
        return []

    def _delta(self, index: int, delta: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        where = "contentBlockDelta.delta"
        tool = common.opt_dict(delta, "toolUse", where)
        if tool is not None:
            block = self._block(index, "tool", "a toolUse delta")
            piece = common.get_text(tool, "input", f"{where}.toolUse")
            if not piece:
                return []
            block.pieces.append(piece)
            if self._answer_tool(block.tool):
                return [ChatResponseTextContentItemDelta(index=index, text_delta=piece)]
            return [ChatResponseToolCallContentItemDelta(index=index, arguments_delta=piece)]
        reasoning = common.opt_dict(delta, "reasoningContent", where)
        if reasoning is not None:
            here = f"{where}.reasoningContent"
            text = common.get_text(reasoning, "text", here)
            signature = common.get_str(reasoning, "signature", here)
            redacted = common.get_str(reasoning, "redactedContent", here)
            block = self._block(index, "reasoning", "a reasoningContent delta")
            out: list[ChatResponseContentItemDelta] = []
            if text:
                block.pieces.append(text)
                out.append(ChatResponseReasoningContentItemDelta(index=index, text_delta=text))
            if signature:
                block.signature = signature
                out.append(ChatResponseReasoningContentItemDelta(index=index, thinking_signature=signature))
            if redacted:
                block.redacted.append(redacted)
                out.append(ChatResponseGenericContentItemDelta(index=index, metadata={"redacted_reasoning": redacted}))
            return out
        citation = delta.get("citation")
        if citation is not None:
            block = self._block(index, "text", "a citation")
            citations = block.extra.setdefault("citations", [])
            citations.append(citation)
            return [ChatResponseGenericContentItemDelta(index=index, metadata={"citation": citation})]
        return []

    # -- the result ------------------------------------------------------------------------------------------------

    def rebuilt(self) -> dict[str, Any]:
        """The Converse JSON from what arrived so far."""
        content = [self._blocks[i].rebuilt() for i in sorted(self._blocks)]
        data: dict[str, Any] = {"output": {"message": {"role": self._role, "content": content}}}
        data.update(self._stop or {})
        data.update(self._meta)
        return data

    def final(self) -> ChatResponse:
        return parse_response(self.rebuilt(), self.ctx)
