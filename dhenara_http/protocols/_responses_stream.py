"""The OpenAI Responses API event stream.

The accumulator rebuilds the response object from the events: the ``response`` snapshot of ``response.created`` /
``in_progress`` / ``queued``, then every output item from ``output_item.added`` filled in by the content, text,
refusal, argument and reasoning events and replaced by ``output_item.done``. The terminal ``response.completed`` /
``response.incomplete`` event carries the whole response; ``final()`` parses that one, so a streamed answer equals
the same answer fetched without streaming. Before it arrives, ``final()`` parses the rebuilt object (a partial
answer, for ``StreamError``).

Items are keyed by ``output_index``, never by item id (some hosts rotate ids from event to event). Each delta's
``index`` is the position its item will have in the final ``contents``. Events are recognised by the payload's own
``type`` (some recordings lost the SSE framing); unknown events and keep-alives are ignored. An event that is not
JSON, or whose fields have the wrong types, is a ``ResponseParseError``: what it carried cannot be known, so it is never
read around. ``error`` and ``response.failed`` raise the classified ``APIStatusError`` subclass. After the terminal
event nothing may change the response (an event that would is an error), except that another response beginning in
the same body (``response.created`` again, as captures of multi-step calls have) is left alone. A hosted web search
shows as a generic delta holding the ``web_search_call`` item once it is done, and each citation as a generic delta
holding its annotation when it is added.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
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
from ._responses_response import content_count, error_from_object, parse_response
from .base import CallContext

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent

Deltas = list[ChatResponseContentItemDelta]


class _Open:
    """The piece of text being streamed right now, so that its next delta event takes the short way.

    A delta event is handled in full once; when the next event is a delta of the same kind for the same item and part
    (the usual case: thousands in a row), the full handling would find the same part, the same position and the same
    kind of chunk, so the piece is only recorded and its chunk made. The pieces are joined into the part (and into
    what was sent) by :meth:`Accumulator._close`, before any other event is handled and before ``final()``, so the
    rest of the accumulator always sees plain strings — and joining once is linear where adding every piece to a
    growing string is quadratic.
    """

    __slots__ = ("kind", "make", "oi", "pieces", "sent", "sent_key", "sub", "sub_key", "target", "target_key")

    def __init__(
        self,
        kind: str,
        oi: int,
        sub_key: str | None,
        sub: int,
        target: dict[str, Any],
        target_key: str,
        sent: dict[Any, str],
        sent_key: Any,
        make: Callable[[str], ChatResponseChunk],
    ) -> None:
        self.kind = kind
        self.oi = oi
        self.sub_key = sub_key
        self.sub = sub
        self.target = target
        self.target_key = target_key
        self.sent = sent
        self.sent_key = sent_key
        self.make = make
        self.pieces: list[str] = []

    def matches(self, payload: dict[str, Any]) -> bool:
        """Whether the full handling of this (same-kind) delta event would land where the last one did."""
        oi = payload.get("output_index")
        if type(oi) is not int or oi != self.oi or type(payload.get("delta")) is not str:
            return False
        if self.sub_key is None:
            return True
        sub = payload.get(self.sub_key)
        return (sub is None or type(sub) is int) and (sub or 0) == self.sub


class Accumulator:
    """Stream state for one call (see the module docstring)."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._snapshot: dict[str, Any] = {}
        self._items: dict[int, dict[str, Any]] = {}
        self._final: dict[str, Any] | None = None
        #: Text sent as deltas, per (output_index, part index), to send only what is missing at the ``done`` events.
        self._sent: dict[tuple[int, int], str] = {}
        self._sent_args: dict[int, str] = {}
        self._open: _Open | None = None
        self._text_chunk = ctx.text_chunk_factory()
        #: Another response began after this one ended (see :meth:`_after_end`).
        self._other_response = False

    # -- the interface ---------------------------------------------------------------------------------------------

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        try:
            payload = event_payload(event.data)
        except ValueError:
            # An event cut short or corrupted: what it carried cannot be known, so it is never skipped silently.
            raise common.located(
                ResponseParseError(f"a Responses stream event is not JSON: {event.data[:200]!r}"), self.ctx
            ) from None
        if type(payload) is not dict:  # padding, [DONE]
            return []
        kind = payload.get("type") or event.event
        current = self._open
        if current is not None:
            if kind == current.kind and current.matches(payload):
                piece: str = payload["delta"]
                if not piece:
                    return []
                current.pieces.append(piece)
                return [current.make(piece)]
            self._close()
        if type(kind) is not str:
            raise common.located(common.bad_field("the stream event", "type", kind, "a string"), self.ctx)
        handler = _HANDLERS.get(kind)
        if handler is None:
            return []  # keep-alives and kinds of events this version does not know
        if self.done and not self._after_end(kind):
            return []
        with common.reading(self.ctx):
            deltas = handler(self, payload)
        return [self.ctx.make_chunk(deltas)] if deltas else []

    def _after_end(self, kind: str) -> bool:
        """Whether an event that came after the terminal one is to be handled (only a repeated end is). Another
        response may follow in the same body (captures of multi-step calls do that): from its ``response.created``
        on, everything belongs to it, not to this call's answer, and is left alone. Any other event there would
        change a response that already ended, and what it carries would be lost: an error."""
        if self._other_response or kind in _SNAPSHOTS:
            self._other_response = True
            return False
        if kind in _TERMINAL:
            return False  # the same end announced twice
        raise common.located(
            ResponseParseError(f"malformed stream: a {kind} event came after the response ended"), self.ctx
        )

    def final(self) -> ChatResponse:
        self._close()
        if self._final is not None:
            data = self._final
            if not data.get("output") and self._items:
                data = {**data, "output": self._output()}
        else:
            data = {**self._snapshot, "output": self._output()}
            data.setdefault("status", "in_progress")
        return parse_response(data, self.ctx)

    def _close(self) -> None:
        """Join the pieces of the text being streamed into its part and into what was sent (see :class:`_Open`)."""
        current = self._open
        if current is None:
            return
        self._open = None
        if current.pieces:
            joined = "".join(current.pieces)
            current.target[current.target_key] += joined
            current.sent[current.sent_key] += joined

    # -- state -----------------------------------------------------------------------------------------------------

    def _output(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(self._items[i]) for i in sorted(self._items)]

    def _index(self, payload: dict[str, Any]) -> int:
        oi = common.get_index(payload, "output_index", "the event")
        if oi is not None:
            return oi
        item = payload.get("item")
        item_id = payload.get("item_id") or (item.get("id") if type(item) is dict else None)
        found = next((i for i, item in self._items.items() if item_id and item.get("id") == item_id), None)
        if found is not None:
            return found
        return max(self._items) if self._items else 0

    @staticmethod
    def _sub(payload: dict[str, Any], key: str) -> int:
        """A part index of the event (``content_index``, ``summary_index``); 0 when absent."""
        return common.get_index(payload, key, "the event") or 0

    def _item(self, oi: int, kind: str) -> dict[str, Any]:
        return self._items.setdefault(oi, {"type": kind})

    def _part(self, item: dict[str, Any], key: str, index: int, default: dict[str, Any]) -> dict[str, Any]:
        parts = item.get(key)
        if parts is None:
            parts = item[key] = []
        elif type(parts) is not list:
            raise common.bad_field(f"output[{item.get('type')}]", key, parts, "a list")
        while len(parts) <= index:
            parts.append(copy.deepcopy(default))
        part: dict[str, Any] = parts[index]
        return part

    def _position(self, oi: int, ci: int = 0) -> int:
        """Where the content item of output item ``oi`` (part ``ci``) will sit in the final contents."""
        return sum(content_count(item) for i, item in self._items.items() if i < oi) + ci

    # -- messages --------------------------------------------------------------------------------------------------

    def _text_part(self, payload: dict[str, Any], kind: str) -> tuple[int, int, dict[str, Any]]:
        oi, ci = self._index(payload), self._sub(payload, "content_index")
        item = self._item(oi, "message")
        default: dict[str, Any] = {"type": kind, "text": "", "annotations": []}
        if kind == "refusal":
            default = {"type": "refusal", "refusal": ""}
        return oi, ci, self._part(item, "content", ci, default)

    def _text_delta(self, oi: int, ci: int, piece: str) -> Deltas:
        if not piece:
            return []
        self._sent[(oi, ci)] = self._sent.get((oi, ci), "") + piece
        return [ChatResponseTextContentItemDelta(index=self._position(oi, ci), text_delta=piece)]

    def _catch_up_text(self, oi: int, ci: int, full: str) -> Deltas:
        """The text a ``done`` event holds beyond what the deltas brought (none when the deltas were complete)."""
        sent = self._sent.get((oi, ci), "")
        if len(full) > len(sent) and full.startswith(sent):
            return self._text_delta(oi, ci, full[len(sent) :])
        return []

    def _on_part_added(self, payload: dict[str, Any]) -> Deltas:
        part = common.opt_dict(payload, "part", "the event")
        if part is not None:
            oi, ci = self._index(payload), self._sub(payload, "content_index")
            # Some hosts (DeepSeek, OpenRouter) announce a reasoning item's ``reasoning_text`` parts here too.
            item = self._item(oi, "reasoning" if part.get("type") == "reasoning_text" else "message")
            self._part(item, "content", ci, {})
            item["content"][ci] = copy.deepcopy(part)
        return []

    def _on_part_done(self, payload: dict[str, Any]) -> Deltas:
        self._on_part_added(payload)
        part = common.get_dict(payload, "part", "the event")
        if part.get("type") == "reasoning_text":
            # Reasoning streams through ``reasoning_text.delta``; its part is never answer text.
            return []
        oi, ci = self._index(payload), self._sub(payload, "content_index")
        return self._catch_up_text(oi, ci, _part_text(part, "part"))

    def _on_text_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "output_text")
        piece = common.get_text(payload, "delta", "the event")
        part["text"] = common.get_text(part, "text", "the part") + piece
        deltas = self._text_delta(oi, ci, piece)
        if deltas:
            self._open_text("response.output_text.delta", oi, ci, part, "text", deltas[0].index)
        return deltas

    def _open_text(self, kind: str, oi: int, ci: int, part: dict[str, Any], key: str, position: int) -> None:
        self._open = _Open(
            kind, oi, "content_index", ci, part, key, self._sent, (oi, ci), partial(self._text_chunk, position)
        )

    def _on_text_done(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "output_text")
        text = common.get_str(payload, "text", "the event")
        if text is not None:
            part["text"] = text
        return self._catch_up_text(oi, ci, common.get_text(part, "text", "the part"))

    def _on_annotation(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "output_text")
        annotation = payload.get("annotation")
        if annotation is None:
            return []
        annotations = part.setdefault("annotations", [])
        if type(annotations) is not list:
            raise common.bad_field("the part", "annotations", annotations, "a list")
        annotations.append(annotation)
        # A citation (hosted web search) as it comes, for a caller that shows sources while the text streams.
        return [ChatResponseGenericContentItemDelta(index=self._position(oi, ci), metadata={"annotation": annotation})]

    def _on_refusal_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "refusal")
        piece = common.get_text(payload, "delta", "the event")
        part["refusal"] = common.get_text(part, "refusal", "the part") + piece
        deltas = self._text_delta(oi, ci, piece)
        if deltas:
            self._open_text("response.refusal.delta", oi, ci, part, "refusal", deltas[0].index)
        return deltas

    def _on_refusal_done(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "refusal")
        refusal = common.get_str(payload, "refusal", "the event")
        if refusal is not None:
            part["refusal"] = refusal
        return self._catch_up_text(oi, ci, common.get_text(part, "refusal", "the part"))

    # -- function calls --------------------------------------------------------------------------------------------

    def _args_delta(self, oi: int, piece: str) -> Deltas:
        if not piece:
            return []
        first = oi not in self._sent_args
        self._sent_args[oi] = self._sent_args.get(oi, "") + piece
        item = self._items.get(oi, {})
        return [
            ChatResponseToolCallContentItemDelta(
                index=self._position(oi),
                arguments_delta=piece,
                tool_call_id=common.get_str(item, "call_id", "the item") if first else None,
                tool_name=common.get_str(item, "name", "the item") if first else None,
            )
        ]

    def _catch_up_args(self, oi: int, full: str) -> Deltas:
        sent = self._sent_args.get(oi, "")
        if len(full) > len(sent) and full.startswith(sent):
            return self._args_delta(oi, full[len(sent) :])
        return []

    def _on_args_delta(self, payload: dict[str, Any]) -> Deltas:
        oi = self._index(payload)
        item = self._item(oi, "function_call")
        piece = common.get_text(payload, "delta", "the event")
        item["arguments"] = common.get_text(item, "arguments", "the item") + piece
        deltas = self._args_delta(oi, piece)
        if deltas:
            position, make_chunk = deltas[0].index, self.ctx.make_chunk
            self._open = _Open(
                "response.function_call_arguments.delta",
                oi,
                None,
                0,
                item,
                "arguments",
                self._sent_args,
                oi,
                lambda piece: make_chunk([ChatResponseToolCallContentItemDelta(position, piece)]),
            )
        return deltas

    def _on_args_done(self, payload: dict[str, Any]) -> Deltas:
        oi = self._index(payload)
        item = self._item(oi, "function_call")
        arguments = common.get_str(payload, "arguments", "the event")
        if arguments is not None:
            item["arguments"] = arguments
        return self._catch_up_args(oi, common.get_text(item, "arguments", "the item"))

    # -- reasoning -------------------------------------------------------------------------------------------------

    def _reasoning_delta(self, oi: int, key: str, index: int, piece: str) -> Deltas:
        if not piece:
            return []
        sent_key = (oi, -1 - index) if key == "summary" else (oi, 1000 + index)
        started = any(k[0] == oi and k != sent_key for k in self._sent)
        if sent_key not in self._sent and started:
            # Summaries are joined with a blank line in the final text; the stream says so at the same place.
            piece = "\n\n" + piece
        self._sent[sent_key] = self._sent.get(sent_key, "") + piece
        item = self._items.get(oi, {})
        return [
            ChatResponseReasoningContentItemDelta(
                index=self._position(oi), text_delta=piece, thinking_id=common.get_str(item, "id", "the item")
            )
        ]

    def _on_summary_part(self, payload: dict[str, Any]) -> Deltas:
        oi, si = self._index(payload), self._sub(payload, "summary_index")
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        given = common.opt_dict(payload, "part", "the event")
        if given is not None:
            common.get_str(given, "text", "part")
            part.update(given)
        return []

    def _on_summary_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, si = self._index(payload), self._sub(payload, "summary_index")
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        piece = common.get_text(payload, "delta", "the event")
        part["text"] = common.get_text(part, "text", "the part") + piece
        deltas = self._reasoning_delta(oi, "summary", si, piece)
        self._open_reasoning(deltas, "response.reasoning_summary_text.delta", oi, "summary_index", si, part)
        return deltas

    def _open_reasoning(self, deltas: Deltas, kind: str, oi: int, sub_key: str, sub: int, part: dict[str, Any]) -> None:
        if not deltas:
            return
        first = deltas[0]
        assert isinstance(first, ChatResponseReasoningContentItemDelta)
        position, thinking_id, make_chunk = first.index, first.thinking_id, self.ctx.make_chunk
        sent_key = (oi, -1 - sub) if sub_key == "summary_index" else (oi, 1000 + sub)
        self._open = _Open(
            kind,
            oi,
            sub_key,
            sub,
            part,
            "text",
            self._sent,
            sent_key,
            lambda piece: make_chunk([ChatResponseReasoningContentItemDelta(position, piece, None, thinking_id)]),
        )

    def _on_summary_done(self, payload: dict[str, Any]) -> Deltas:
        oi, si = self._index(payload), self._sub(payload, "summary_index")
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        text = common.get_str(payload, "text", "the event")
        if text is not None:
            part["text"] = text
        return []

    def _on_reasoning_text_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci = self._index(payload), self._sub(payload, "content_index")
        part = self._part(self._item(oi, "reasoning"), "content", ci, {"type": "reasoning_text", "text": ""})
        piece = common.get_text(payload, "delta", "the event")
        part["text"] = common.get_text(part, "text", "the part") + piece
        deltas = self._reasoning_delta(oi, "content", ci, piece)
        self._open_reasoning(deltas, "response.reasoning_text.delta", oi, "content_index", ci, part)
        return deltas

    def _on_reasoning_text_done(self, payload: dict[str, Any]) -> Deltas:
        oi, ci = self._index(payload), self._sub(payload, "content_index")
        part = self._part(self._item(oi, "reasoning"), "content", ci, {"type": "reasoning_text", "text": ""})
        text = common.get_str(payload, "text", "the event")
        if text is not None:
            part["text"] = text
        return []

    # -- items and the response ------------------------------------------------------------------------------------

    def _on_snapshot(self, payload: dict[str, Any]) -> Deltas:
        response = common.opt_dict(payload, "response", "the event")
        if response is not None:
            self._snapshot = {k: v for k, v in response.items() if k != "output"}
        return []

    def _event_item(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The event's ``item``, checked as the final parse will read it (so that a bad field fails here)."""
        item = payload.get("item")
        if type(item) is not dict:
            raise common.bad_field("the event", "item", item, "an object")
        if item.get("type") == "message":
            for i, part in common.dicts(common.get_list(item, "content", "item"), "item.content"):
                _part_text(part, f"item.content[{i}]")
        elif item.get("type") == "function_call":
            for key in ("call_id", "name", "arguments"):
                common.get_str(item, key, "item")
        common.get_str(item, "encrypted_content", "item")
        common.get_id(item, "id", "item")
        return copy.deepcopy(item)

    def _on_item_added(self, payload: dict[str, Any]) -> Deltas:
        item = self._event_item(payload)
        self._items[self._index(payload)] = item
        return []

    def _on_item_done(self, payload: dict[str, Any]) -> Deltas:
        item = self._event_item(payload)
        oi = self._index(payload)
        self._items[oi] = item
        kind = item.get("type")
        deltas: Deltas = []
        if kind == "message":
            for ci, part in enumerate(item.get("content") or []):
                deltas += self._catch_up_text(oi, ci, _part_text(part, "item.content"))
        elif kind == "function_call":
            deltas += self._catch_up_args(oi, item.get("arguments") or "")
            if oi not in self._sent_args:
                # A call with empty arguments still announces itself once.
                deltas.append(
                    ChatResponseToolCallContentItemDelta(
                        index=self._position(oi), tool_call_id=item.get("call_id") or None, tool_name=item.get("name")
                    )
                )
                self._sent_args[oi] = ""
        elif kind == "web_search_call":
            # A search the provider ran, once it is done (with its queries and the pages it consulted).
            deltas.append(
                ChatResponseGenericContentItemDelta(index=self._position(oi), metadata={"web_search_call": item})
            )
        elif kind == "reasoning" and item.get("encrypted_content"):
            deltas.append(
                ChatResponseReasoningContentItemDelta(
                    index=self._position(oi), thinking_signature=item["encrypted_content"], thinking_id=item.get("id")
                )
            )
        return deltas

    def _on_terminal(self, payload: dict[str, Any]) -> Deltas:
        response = payload.get("response")
        if response is None:
            response = {**self._snapshot, "output": self._output()}
        elif type(response) is not dict:
            raise common.bad_field("the event", "response", response, "an object")
        self._final = response
        self.done = True
        return []

    def _on_failed(self, payload: dict[str, Any]) -> Deltas:
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        raise error_from_object(error if isinstance(error, dict) else {}, "the response failed", self.ctx)

    def _on_error(self, payload: dict[str, Any]) -> Deltas:
        # The spec puts code/message/param on the event itself (whose "type" is the event's); some hosts nest an
        # OpenAI error object under "error".
        nested = payload.get("error")
        error = nested if isinstance(nested, dict) else {k: v for k, v in payload.items() if k != "type"}
        raise error_from_object(error, "the stream reported an error", self.ctx)


def _part_text(part: dict[str, Any], where: str) -> str:
    """The text of a message part (its ``text``, or its ``refusal``)."""
    return common.get_text(part, "text", where) or common.get_text(part, "refusal", where)


#: The events that end the stream, and those that begin a response.
_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed", "error"})
_SNAPSHOTS = frozenset({"response.created", "response.in_progress", "response.queued"})

_HANDLERS: dict[str, Callable[[Accumulator, dict[str, Any]], Deltas]] = {
    "response.created": Accumulator._on_snapshot,
    "response.in_progress": Accumulator._on_snapshot,
    "response.queued": Accumulator._on_snapshot,
    "response.output_item.added": Accumulator._on_item_added,
    "response.output_item.done": Accumulator._on_item_done,
    "response.content_part.added": Accumulator._on_part_added,
    "response.content_part.done": Accumulator._on_part_done,
    "response.output_text.delta": Accumulator._on_text_delta,
    "response.output_text.done": Accumulator._on_text_done,
    "response.output_text.annotation.added": Accumulator._on_annotation,
    "response.refusal.delta": Accumulator._on_refusal_delta,
    "response.refusal.done": Accumulator._on_refusal_done,
    "response.function_call_arguments.delta": Accumulator._on_args_delta,
    "response.function_call_arguments.done": Accumulator._on_args_done,
    "response.reasoning_summary_part.added": Accumulator._on_summary_part,
    "response.reasoning_summary_part.done": Accumulator._on_summary_part,
    "response.reasoning_summary_text.delta": Accumulator._on_summary_delta,
    "response.reasoning_summary_text.done": Accumulator._on_summary_done,
    "response.reasoning_text.delta": Accumulator._on_reasoning_text_delta,
    "response.reasoning_text.done": Accumulator._on_reasoning_text_done,
    "response.completed": Accumulator._on_terminal,
    "response.incomplete": Accumulator._on_terminal,
    "response.failed": Accumulator._on_failed,
    "error": Accumulator._on_error,
}
