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

An exception event in JSON form (``{"throttlingException": {"message": …}}``) raises its typed error; the binary
form is raised by the decoder already.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._decoders.sse import event_payload
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
from ._converse_request import structured_tool_name
from ._converse_response import parse_response
from .base import CallContext

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent

EVENTS = frozenset(
    {"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"}
)


class _Block:
    """One content block being rebuilt: text / reasoning pieces and tool input pieces, joined once at the end."""

    __slots__ = ("extra", "kind", "pieces", "redacted", "signature", "tool")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "text", "reasoning", "tool", "other"
        self.pieces: list[str] = []
        self.signature: str | None = None
        self.redacted: str | None = None
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
                    block["input"] = json.loads(joined)
                except ValueError:
                    block["input"] = joined  # kept for the caller; the tool call records the parse error
            return {"toolUse": block}
        if self.kind == "reasoning":
            if self.redacted is not None and not joined and self.signature is None:
                return {"reasoningContent": {"redactedContent": self.redacted}}
            text: dict[str, Any] = {"text": joined}
            if self.signature is not None:
                text["signature"] = self.signature
            return {"reasoningContent": {"reasoningText": text}}
        if self.kind == "text":
            return {"text": joined, **self.extra}
        return dict(self.extra)


class ConverseAccumulator:
    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._role = "assistant"
        self._blocks: dict[int, _Block] = {}
        self._stop: dict[str, Any] = {}
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
        if type(payload) is not dict:
            return []
        kind: str | None = event.event
        if kind not in EVENTS:
            kind, payload = self._unwrap(payload)
            if kind is None:
                return []
        if self.done and kind != "metadata":
            return []
        deltas: list[ChatResponseContentItemDelta]
        if kind == "contentBlockDelta":
            index, delta = payload.get("contentBlockIndex"), payload.get("delta")
            if type(index) is int and type(delta) is dict:
                text = delta.get("text")
                if type(text) is str:  # the usual event: one piece of answer text
                    block = self._blocks.get(index) or self._new(index, "text")
                    block.pieces.append(text)
                    return [self._text_chunk(index, text)] if text else []
                deltas = self._delta(index, delta)
            else:
                deltas = []
        elif kind == "contentBlockStart":
            deltas = self._start(payload)
        elif kind == "messageStart":
            role = payload.get("role")
            self._role = role if isinstance(role, str) else "assistant"
            return []
        elif kind == "messageStop":
            self._stop = {k: v for k, v in payload.items() if k != "p"}
            self.done = True
            return []
        elif kind == "metadata":
            self._meta.update({k: v for k, v in payload.items() if k != "p"})
            return []
        else:  # contentBlockStop: nothing to add
            return []
        return [self.ctx.make_chunk(deltas)] if deltas else []

    def _unwrap(self, payload: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """``{"contentBlockDelta": {…}}`` → the event inside; an exception event raises its typed error."""
        for key, value in payload.items():
            if key in EVENTS and isinstance(value, dict):
                return key, value
            if key.lower().endswith("exception") and isinstance(value, dict):
                cls = aws_error_class(key) or InternalServerError
                raise cls(
                    f"Bedrock stream error {key}: {value.get('message') or ''}".rstrip(": "),
                    provider=self.ctx.api_provider.value,
                    model=self.ctx.model_name,
                    status_code=implied_status(cls),
                    error_type=key,
                    body=value,
                )
        return None, payload

    def _new(self, index: int, kind: str) -> _Block:
        block = self._blocks[index] = _Block(kind)
        return block

    def _start(self, payload: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        index, start = payload.get("contentBlockIndex"), payload.get("start")
        if type(index) is not int or not isinstance(start, dict):
            return []
        tool = start.get("toolUse")
        if isinstance(tool, dict):
            block = self._new(index, "tool")
            block.tool = {k: v for k, v in tool.items() if k != "input"}
            name = tool.get("name")
            if name == self._structured_tool:
                return []
            return [
                ChatResponseToolCallContentItemDelta(
                    index=index, arguments_delta="", tool_call_id=tool.get("toolUseId"), tool_name=name
                )
            ]
        if start and index not in self._blocks:  # a block of a kind not streamed piece by piece
            self._new(index, "other").extra = dict(start)
        return []

    def _delta(self, index: int, delta: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        tool = delta.get("toolUse")
        if isinstance(tool, dict):
            block = self._blocks.get(index) or self._new(index, "tool")
            piece = tool.get("input")
            if not isinstance(piece, str) or not piece:
                return []
            block.pieces.append(piece)
            if block.tool.get("name") == self._structured_tool:
                return [ChatResponseTextContentItemDelta(index=index, text_delta=piece)]
            return [ChatResponseToolCallContentItemDelta(index=index, arguments_delta=piece)]
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, dict):
            block = self._blocks.get(index) or self._new(index, "reasoning")
            text, signature, redacted = (
                reasoning.get("text"),
                reasoning.get("signature"),
                reasoning.get("redactedContent"),
            )
            if isinstance(text, str) and text:
                block.pieces.append(text)
                return [ChatResponseReasoningContentItemDelta(index=index, text_delta=text)]
            if isinstance(signature, str) and signature:
                block.signature = signature
                return [ChatResponseReasoningContentItemDelta(index=index, thinking_signature=signature)]
            if isinstance(redacted, str) and redacted:
                block.redacted = (block.redacted or "") + redacted
                return [ChatResponseGenericContentItemDelta(index=index, metadata={"redacted_reasoning": redacted})]
            return []
        citation = delta.get("citation")
        if citation is not None:
            block = self._blocks.get(index) or self._new(index, "text")
            block.extra.setdefault("citations", []).append(citation)
        return []

    # -- the result ------------------------------------------------------------------------------------------------

    def rebuilt(self) -> dict[str, Any]:
        """The Converse JSON from what arrived so far."""
        content = [self._blocks[i].rebuilt() for i in sorted(self._blocks)]
        data: dict[str, Any] = {"output": {"message": {"role": self._role, "content": content}}}
        data.update(self._stop)
        data.update(self._meta)
        return data

    def final(self) -> ChatResponse:
        return parse_response(self.rebuilt(), self.ctx)
