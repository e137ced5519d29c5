"""The Anthropic Messages stream: events → chunks, and the rebuilt ``Message`` JSON → the final response.

The accumulator keeps a snapshot of the message exactly as the non-streaming API would have returned it:
``message_start`` gives the envelope, ``content_block_start`` / ``_delta`` / ``_stop`` build each block (tool input
from the ``input_json_delta`` pieces, keyed by the block's index; a ``signature_delta`` stays on its thinking block),
``message_delta`` sets the stop reason and updates usage (its counts are cumulative, so they replace the earlier
ones), ``message_stop`` ends it. ``final()`` is ``parse_response`` of that snapshot.

Tolerated: ``ping`` events, whitespace padding inside the JSON, empty ``partial_json`` pieces, events without SSE
framing (dispatch is on the payload's own ``type``), a repeated ``message_start`` of the same message, and after
``message_stop`` another message (captures of multi-step calls hold several; it is not this call's answer and is left
alone). A ``message_start`` of another message while one is open is an error (the stream was spliced). So is every
event that would lose what it carries: one that is not JSON or has fields of the wrong type, a block started twice,
a delta after its block's stop or for a block of another type, a content event after ``message_stop``. An ``error``
event raises its typed error (``overloaded_error`` → ``OverloadedError``), whatever the HTTP status said.

Chunks: text and thinking deltas as they come; a tool call's id and name when its block starts, then its argument
pieces; a signature as a reasoning delta of its own; a server-side block (a web search, its results …) as a generic
delta once complete; a ``citations_delta`` as a generic delta holding the citation. The synthetic structured-output
tool streams its JSON as text deltas, since it becomes the answer.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from .._decoders.sse import event_payload
from ..errors import ResponseParseError
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
from ._anthropic_request import structured_tool_name
from ._anthropic_response import in_band_error, parse_response, parse_usage
from .base import CallContext

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent

# Blocks whose content is read as it streams; every other block is passed on whole once complete.
_STREAMED = frozenset({"text", "thinking", "redacted_thinking", "tool_use"})
# The events that change the message (after message_stop, an error).
_CONTENT_EVENTS = frozenset({"content_block_start", "content_block_delta", "content_block_stop", "message_delta"})
# The block types each content delta belongs to.
_DELTA_BLOCKS: dict[str, tuple[str, ...]] = {
    "text_delta": ("text",),
    "thinking_delta": ("thinking",),
    "signature_delta": ("thinking",),
    "citations_delta": ("text",),
}
# The block a delta implies when its content_block_start never came.
_IMPLIED: dict[str, dict[str, Any]] = {
    "text_delta": {"type": "text", "text": ""},
    "thinking_delta": {"type": "thinking", "thinking": "", "signature": ""},
    "signature_delta": {"type": "thinking", "thinking": "", "signature": ""},
}


class _Open:
    """The text or thinking block being streamed right now, so that its next delta takes the short way.

    A ``text_delta`` / ``thinking_delta`` is handled in full once; while the following events are deltas of the same
    type for the same block (the usual case: thousands in a row), their pieces are only recorded and their chunks made.
    :meth:`AnthropicAccumulator._close` joins the pieces into the block before any other event is handled and before
    the message is rebuilt, so the rest of the accumulator always sees plain strings — and joining once is linear where
    adding every piece to a growing string is quadratic.
    """

    __slots__ = ("block", "delta_type", "field", "index", "pieces")

    def __init__(self, index: int, block: dict[str, Any], delta_type: str, field: str) -> None:
        self.index = index
        self.block = block
        self.delta_type = delta_type
        self.field = field
        self.pieces: list[str] = []


class AnthropicAccumulator:
    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._message: dict[str, Any] | None = None
        self._blocks: dict[int, dict[str, Any]] = {}
        self._json: dict[int, list[str]] = {}
        #: Blocks whose content_block_stop came: a later delta for one of them is an error.
        self._stopped: set[int] = set()
        #: Another message began after this one's message_stop: everything from there on is left alone.
        self._other_message = False
        self._structured_tool = structured_tool_name(ctx)
        self._open: _Open | None = None
        self._text_chunk = ctx.text_chunk_factory()

    # -- events ----------------------------------------------------------------------------------------------------

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        try:
            payload = event_payload(event.data)
        except ValueError:
            raise self._bad(f"an Anthropic stream event is not JSON: {event.data[:200]!r}") from None
        if type(payload) is not dict:  # padding, [DONE]
            return []
        kind = payload.get("type") or event.event
        current = self._open
        if current is not None:
            if kind == "content_block_delta":
                # The next piece of the block being streamed: what the full handling would do, in short.
                delta = payload.get("delta")
                if (
                    type(delta) is dict
                    and payload.get("index") == current.index
                    and type(payload["index"]) is int
                    and delta.get("type") == current.delta_type
                    and type(text := delta.get(current.field)) is str
                ):
                    if not text:
                        return []
                    current.pieces.append(text)
                    if current.field == "text":
                        return [self._text_chunk(current.index, text)]
                    return [self.ctx.make_chunk([ChatResponseReasoningContentItemDelta(current.index, text)])]
            self._close()
        try:
            return self._event(kind, payload)
        except ResponseParseError as exc:
            raise common.located(exc, self.ctx) from None

    def _event(self, kind: Any, payload: dict[str, Any]) -> list[ChatResponseChunk]:
        """The full handling of one event."""
        if not isinstance(kind, str):
            raise common.bad_field("the stream event", "type", kind, "a string")
        if kind == "error":
            raise in_band_error(payload, self.ctx)
        if self.done and (self._other_message or kind == "message_start"):
            # Another message after this one ended (captures of multi-step calls hold several): not this answer.
            self._other_message = True
            return []
        if self.done and kind in _CONTENT_EVENTS:
            # Nothing may change the message once it ended: ignoring the event would lose what it carries.
            raise ResponseParseError(f"malformed stream: a {kind} event came after message_stop")
        if kind == "message_start":
            self._start(payload.get("message"))
            return []
        if kind == "content_block_start":
            deltas = self._block_start(payload)
        elif kind == "content_block_delta":
            deltas = self._block_delta(payload)
        elif kind == "content_block_stop":
            deltas = self._block_stop(payload)
        elif kind == "message_delta":
            self._message_delta(payload)
            return []
        elif kind == "message_stop":
            self._close()
            self.done = True
            return []
        else:  # ping and anything new
            return []
        return [self.ctx.make_chunk(deltas)] if deltas else []

    def _answer_tool(self, block: dict[str, Any]) -> bool:
        """Whether the block is the synthetic tool that carries the structured output (whose input is answer text)."""
        return self._structured_tool is not None and block.get("name") == self._structured_tool

    def _bad(self, message: str) -> ResponseParseError:
        return ResponseParseError(message, provider=self.ctx.api_provider.value, model=self.ctx.model_name)

    def _close(self) -> None:
        """Join the pieces of the block being streamed into it (see :class:`_Open`)."""
        current = self._open
        if current is not None:
            self._open = None
            if current.pieces:
                current.block[current.field] += "".join(current.pieces)

    def _start(self, message: Any) -> None:
        if type(message) is not dict:
            raise common.bad_field("message_start", "message", message, "an object")
        where = "message_start.message"
        content = common.get_list(message, "content", where)
        for key in ("id", "model", "stop_reason", "stop_sequence"):
            common.get_str(message, key, where)
        usage = common.opt_dict(message, "usage", where)
        if usage is not None:
            parse_usage(usage, f"{where}.usage")  # a bad count is reported where it came
        if self._message is not None:
            if message.get("id") == self._message.get("id"):
                return  # the same message announced twice
            raise self._bad(
                f"the stream started message {message.get('id')!r} while {self._message.get('id')!r} was open"
            )
        if content:
            raise self._bad("malformed stream: message_start carries content blocks; they come as their own events")
        self._message = copy.deepcopy(message)
        self._message["content"] = []

    def _block_start(self, payload: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        index = common.as_index(payload.get("index"), "content_block_start", "index")
        block = payload.get("content_block")
        if type(block) is not dict:
            raise common.bad_field("content_block_start", "content_block", block, "an object")
        if index in self._blocks:
            # A second start would replace what the first one's deltas built (and what the caller was sent).
            raise self._bad(f"malformed stream: content block {index} started twice")
        where = "content_block_start.content_block"
        block = copy.deepcopy(block)
        kind = block.get("type")
        if kind == "text":
            text = common.get_text(block, "text", where)
        elif kind == "thinking":
            text = common.get_text(block, "thinking", where)
            common.get_str(block, "signature", where)
        elif kind == "tool_use":
            common.get_id(block, "id", where)
            common.get_str(block, "name", where)
            if block.get("input") is not None and type(block.get("input")) is not dict:
                raise common.bad_field(where, "input", block["input"], "an object")
        self._blocks[index] = block
        if "input" in block:
            self._json[index] = []
        if kind == "text" and text:
            return [ChatResponseTextContentItemDelta(index=index, text_delta=text)]
        if kind == "thinking" and text:
            return [ChatResponseReasoningContentItemDelta(index=index, text_delta=text)]
        if kind == "tool_use" and not self._answer_tool(block):
            # The input usually streams as input_json_delta pieces after an empty ``{}``; programmatic tool calling
            # gives it whole here, and then it is the call's one argument delta.
            whole = block.get("input")
            return [
                ChatResponseToolCallContentItemDelta(
                    index=index,
                    arguments_delta=json.dumps(whole, ensure_ascii=False) if whole else "",
                    tool_call_id=block.get("id") or None,
                    tool_name=block.get("name"),
                )
            ]
        return []

    def _block_delta(self, payload: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        index = common.as_index(payload.get("index"), "content_block_delta", "index")
        delta = payload.get("delta")
        if type(delta) is not dict:
            raise common.bad_field("content_block_delta", "delta", delta, "an object")
        if index in self._stopped:
            raise self._bad(f"malformed stream: a delta for content block {index} came after its stop")
        kind = common.get_str(delta, "type", "content_block_delta.delta")
        block = self._blocks.get(index)
        if block is None:  # a delta without its start: make the block it implies
            implied = _IMPLIED.get(kind) if kind is not None else None
            if implied is None:
                if kind in _DELTA_BLOCKS:
                    raise self._bad(f"malformed stream: a {kind} for content block {index}, which never started")
                return []
            block = self._blocks[index] = copy.deepcopy(implied)
        if kind in _DELTA_BLOCKS and block.get("type") not in _DELTA_BLOCKS[kind]:
            raise self._bad(f"malformed stream: a {kind} for content block {index} of type {block.get('type')!r}")
        where = "content_block_delta.delta"
        if kind == "text_delta":
            text = common.get_text(delta, "text", where)
            block["text"] = common.get_text(block, "text") + text
            self._open = _Open(index, block, kind, "text")
            return [ChatResponseTextContentItemDelta(index=index, text_delta=text)] if text else []
        if kind == "thinking_delta":
            text = common.get_text(delta, "thinking", where)
            block["thinking"] = common.get_text(block, "thinking") + text
            self._open = _Open(index, block, kind, "thinking")
            return [ChatResponseReasoningContentItemDelta(index=index, text_delta=text)] if text else []
        if kind == "signature_delta":
            signature = common.get_text(delta, "signature", where)
            block["signature"] = signature
            return (
                [ChatResponseReasoningContentItemDelta(index=index, thinking_signature=signature)] if signature else []
            )
        if kind == "input_json_delta":
            piece = common.get_text(delta, "partial_json", where)
            if not piece:
                return []
            self._json.setdefault(index, []).append(piece)
            if block.get("type") != "tool_use":
                return []  # server-side tool input arrives whole with its block's generic delta
            if self._answer_tool(block):
                return [ChatResponseTextContentItemDelta(index=index, text_delta=piece)]
            return [ChatResponseToolCallContentItemDelta(index=index, arguments_delta=piece)]
        if kind == "citations_delta":
            citation = delta.get("citation")
            if citation is None:
                return []
            citations = block.setdefault("citations", [])
            if type(citations) is not list:
                raise common.bad_field(where, "citations", citations, "a list")
            citations.append(citation)
            # A citation (hosted web search) as it comes, for a caller that shows sources while the text streams.
            return [ChatResponseGenericContentItemDelta(index=index, metadata={"citation": citation})]
        if kind == "compaction_delta":
            block["content"] = common.get_text(block, "content") + common.get_text(delta, "content", where)
            return []
        return []

    def _block_stop(self, payload: dict[str, Any]) -> list[ChatResponseContentItemDelta]:
        index = common.as_index(payload.get("index"), "content_block_stop", "index")
        if index not in self._blocks:
            return []
        block = self._blocks[index]
        self._stopped.add(index)
        self._close_input(index)
        if _block_type(block) in _STREAMED:
            return []
        return [ChatResponseGenericContentItemDelta(index=index, metadata={"block": copy.deepcopy(block)})]

    def _close_input(self, index: int) -> None:
        pieces = self._json.pop(index, None)
        if pieces is not None:
            _set_input(self._blocks[index], pieces)

    def _message_delta(self, payload: dict[str, Any]) -> None:
        if self._message is None:
            self._message = {"type": "message", "role": "assistant", "content": []}
        delta = common.get_dict(payload, "delta", "message_delta")
        common.get_str(delta, "stop_reason", "message_delta.delta")
        common.get_str(delta, "stop_sequence", "message_delta.delta")
        for key, value in delta.items():
            if key not in ("type", "content"):
                self._message[key] = value
        usage = common.opt_dict(payload, "usage", "message_delta")
        if usage is not None:
            # Checked now, so that a bad count is reported where it came, not when the message is rebuilt.
            parse_usage(usage, "message_delta.usage")
            merged = dict(common.get_dict(self._message, "usage", "message"))
            merged.update({k: v for k, v in usage.items() if v is not None})
            self._message["usage"] = merged
        for key, value in payload.items():
            if key not in ("type", "delta", "usage", "content"):
                self._message[key] = value

    # -- the result ------------------------------------------------------------------------------------------------

    def rebuilt(self) -> dict[str, Any]:
        """The ``Message`` JSON from what arrived so far."""
        self._close()
        message: dict[str, Any] = (
            copy.deepcopy(self._message) if self._message is not None else {"type": "message", "role": "assistant"}
        )
        message.setdefault("model", self.ctx.model_name)
        content: list[dict[str, Any]] = []
        for index in sorted(self._blocks):
            block = copy.deepcopy(self._blocks[index])
            if index in self._json:  # a block still streaming its input (a partial answer)
                _set_input(block, self._json[index])
            content.append(block)
        message["content"] = content
        return message

    def final(self) -> ChatResponse:
        return parse_response(self.rebuilt(), self.ctx)


def _block_type(block: dict[str, Any]) -> str | None:
    """A block's type; None for one of no known shape (kept whole, as an unknown block is)."""
    kind = block.get("type")
    return kind if isinstance(kind, str) else None


def _set_input(block: dict[str, Any], pieces: list[str]) -> None:
    raw = "".join(pieces)
    if not raw.strip():
        return  # no argument pieces: the input given at the block's start stands
    try:
        block["input"] = common.checked_answer(json.loads(raw), "the tool call's arguments")
    except (ValueError, RecursionError):
        block["input"] = raw  # kept for the caller; parse_response records the parse error
