"""The OpenAI Responses API event stream.

The accumulator rebuilds the response object from the events: the ``response`` snapshot of ``response.created`` /
``in_progress`` / ``queued``, then every output item from ``output_item.added`` filled in by the content, text,
refusal, argument and reasoning events and replaced by ``output_item.done``. The terminal ``response.completed`` /
``response.incomplete`` event carries the whole response; ``final()`` parses that one, so a streamed answer equals
the same answer fetched without streaming. Before it arrives, ``final()`` parses the rebuilt object (a partial
answer, for ``StreamError``).

Items are keyed by ``output_index``, never by item id (some hosts rotate ids from event to event). Each delta's
``index`` is the position its item will have in the final ``contents``. Events are recognised by the payload's own
``type`` (some recordings lost the SSE framing); unknown events, keep-alives and undecodable payloads are ignored.
``error`` and ``response.failed`` raise the classified ``APIStatusError`` subclass. A hosted web search shows as a
generic delta holding the ``web_search_call`` item once it is done, and each citation as a generic delta holding its
annotation when it is added.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from .._decoders.sse import event_payload
from ..errors import (
    APIStatusError,
    BadRequestError,
    InternalServerError,
    implied_status,
)
from ..types.response import ChatResponse
from ..types.stream import (
    ChatResponseChunk,
    ChatResponseContentItemDelta,
    ChatResponseGenericContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from ._responses_response import content_count, error_info, parse_response
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

    # -- the interface ---------------------------------------------------------------------------------------------

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        if self.done:
            return []
        try:
            payload = event_payload(event.data)
        except ValueError:
            return []  # a keep-alive or a proxy's note: nothing in it to lose
        if type(payload) is not dict:  # padding, [DONE]
            return []
        kind = str(payload.get("type") or event.event)
        current = self._open
        if current is not None:
            if kind == current.kind and current.matches(payload):
                piece: str = payload["delta"]
                if not piece:
                    return []
                current.pieces.append(piece)
                return [current.make(piece)]
            self._close()
        handler = _HANDLERS.get(kind)
        deltas = handler(self, payload) if handler is not None else []
        return [self.ctx.make_chunk(deltas)] if deltas else []

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
        oi = payload.get("output_index")
        if isinstance(oi, int):
            return oi
        item_id = payload.get("item_id") or (payload.get("item") or {}).get("id")
        found = next((i for i, item in self._items.items() if item_id and item.get("id") == item_id), None)
        if found is not None:
            return found
        return max(self._items) if self._items else 0

    def _item(self, oi: int, kind: str) -> dict[str, Any]:
        return self._items.setdefault(oi, {"type": kind})

    def _part(self, item: dict[str, Any], key: str, index: int, default: dict[str, Any]) -> dict[str, Any]:
        parts = item.get(key)
        if not isinstance(parts, list):
            parts = item[key] = []
        while len(parts) <= index:
            parts.append(copy.deepcopy(default))
        part: dict[str, Any] = parts[index]
        return part

    def _position(self, oi: int, ci: int = 0) -> int:
        """Where the content item of output item ``oi`` (part ``ci``) will sit in the final contents."""
        return sum(content_count(item) for i, item in self._items.items() if i < oi) + ci

    # -- messages --------------------------------------------------------------------------------------------------

    def _text_part(self, payload: dict[str, Any], kind: str) -> tuple[int, int, dict[str, Any]]:
        oi, ci = self._index(payload), int(payload.get("content_index") or 0)
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
        part = payload.get("part")
        if isinstance(part, dict):
            oi, ci = self._index(payload), int(payload.get("content_index") or 0)
            # Some hosts (DeepSeek, OpenRouter) announce a reasoning item's ``reasoning_text`` parts here too.
            item = self._item(oi, "reasoning" if part.get("type") == "reasoning_text" else "message")
            self._part(item, "content", ci, {})
            item["content"][ci] = copy.deepcopy(part)
        return []

    def _on_part_done(self, payload: dict[str, Any]) -> Deltas:
        self._on_part_added(payload)
        part = payload.get("part") or {}
        if part.get("type") == "reasoning_text":
            # Reasoning streams through ``reasoning_text.delta``; its part is never answer text.
            return []
        oi, ci = self._index(payload), int(payload.get("content_index") or 0)
        return self._catch_up_text(oi, ci, str(part.get("text") or part.get("refusal") or ""))

    def _on_text_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "output_text")
        piece = str(payload.get("delta") or "")
        part["text"] = str(part.get("text") or "") + piece
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
        if isinstance(payload.get("text"), str):
            part["text"] = payload["text"]
        return self._catch_up_text(oi, ci, str(part.get("text") or ""))

    def _on_annotation(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "output_text")
        annotation = payload.get("annotation")
        if annotation is None:
            return []
        part.setdefault("annotations", []).append(annotation)
        # A citation (hosted web search) as it comes, for a caller that shows sources while the text streams.
        return [ChatResponseGenericContentItemDelta(index=self._position(oi, ci), metadata={"annotation": annotation})]

    def _on_refusal_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "refusal")
        piece = str(payload.get("delta") or "")
        part["refusal"] = str(part.get("refusal") or "") + piece
        deltas = self._text_delta(oi, ci, piece)
        if deltas:
            self._open_text("response.refusal.delta", oi, ci, part, "refusal", deltas[0].index)
        return deltas

    def _on_refusal_done(self, payload: dict[str, Any]) -> Deltas:
        oi, ci, part = self._text_part(payload, "refusal")
        if isinstance(payload.get("refusal"), str):
            part["refusal"] = payload["refusal"]
        return self._catch_up_text(oi, ci, str(part.get("refusal") or ""))

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
                tool_call_id=item.get("call_id") if first else None,
                tool_name=item.get("name") if first else None,
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
        piece = str(payload.get("delta") or "")
        item["arguments"] = str(item.get("arguments") or "") + piece
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
        if isinstance(payload.get("arguments"), str):
            item["arguments"] = payload["arguments"]
        return self._catch_up_args(oi, str(item.get("arguments") or ""))

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
                index=self._position(oi), text_delta=piece, thinking_id=item.get("id")
            )
        ]

    def _on_summary_part(self, payload: dict[str, Any]) -> Deltas:
        oi, si = self._index(payload), int(payload.get("summary_index") or 0)
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        if isinstance(payload.get("part"), dict):
            part.update(payload["part"])
        return []

    def _on_summary_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, si = self._index(payload), int(payload.get("summary_index") or 0)
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        piece = str(payload.get("delta") or "")
        part["text"] = str(part.get("text") or "") + piece
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
        oi, si = self._index(payload), int(payload.get("summary_index") or 0)
        part = self._part(self._item(oi, "reasoning"), "summary", si, {"type": "summary_text", "text": ""})
        if isinstance(payload.get("text"), str):
            part["text"] = payload["text"]
        return []

    def _on_reasoning_text_delta(self, payload: dict[str, Any]) -> Deltas:
        oi, ci = self._index(payload), int(payload.get("content_index") or 0)
        part = self._part(self._item(oi, "reasoning"), "content", ci, {"type": "reasoning_text", "text": ""})
        piece = str(payload.get("delta") or "")
        part["text"] = str(part.get("text") or "") + piece
        deltas = self._reasoning_delta(oi, "content", ci, piece)
        self._open_reasoning(deltas, "response.reasoning_text.delta", oi, "content_index", ci, part)
        return deltas

    def _on_reasoning_text_done(self, payload: dict[str, Any]) -> Deltas:
        oi, ci = self._index(payload), int(payload.get("content_index") or 0)
        part = self._part(self._item(oi, "reasoning"), "content", ci, {"type": "reasoning_text", "text": ""})
        if isinstance(payload.get("text"), str):
            part["text"] = payload["text"]
        return []

    # -- items and the response ------------------------------------------------------------------------------------

    def _on_snapshot(self, payload: dict[str, Any]) -> Deltas:
        response = payload.get("response")
        if isinstance(response, dict):
            self._snapshot = {k: v for k, v in response.items() if k != "output"}
        return []

    def _on_item_added(self, payload: dict[str, Any]) -> Deltas:
        item = payload.get("item")
        if isinstance(item, dict):
            self._items[self._index(payload)] = copy.deepcopy(item)
        return []

    def _on_item_done(self, payload: dict[str, Any]) -> Deltas:
        item = payload.get("item")
        if not isinstance(item, dict):
            return []
        oi = self._index(payload)
        self._items[oi] = copy.deepcopy(item)
        kind = item.get("type")
        deltas: Deltas = []
        if kind == "message":
            for ci, part in enumerate(item.get("content") or []):
                if isinstance(part, dict):
                    deltas += self._catch_up_text(oi, ci, str(part.get("text") or part.get("refusal") or ""))
        elif kind == "function_call":
            deltas += self._catch_up_args(oi, str(item.get("arguments") or ""))
            if oi not in self._sent_args:
                # A call with empty arguments still announces itself once.
                deltas.append(
                    ChatResponseToolCallContentItemDelta(
                        index=self._position(oi), tool_call_id=item.get("call_id"), tool_name=item.get("name")
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
        self._final = response if isinstance(response, dict) else {**self._snapshot, "output": self._output()}
        self.done = True
        return []

    def _on_failed(self, payload: dict[str, Any]) -> Deltas:
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        raise self._error(error if isinstance(error, dict) else {}, "the response failed")

    def _on_error(self, payload: dict[str, Any]) -> Deltas:
        # The spec puts code/message/param on the event itself (whose "type" is the event's); some hosts nest an
        # OpenAI error object under "error".
        nested = payload.get("error")
        error = nested if isinstance(nested, dict) else {k: v for k, v in payload.items() if k != "type"}
        raise self._error(error, "the stream reported an error")

    def _error(self, error: dict[str, Any], fallback: str) -> APIStatusError:
        info = error_info(error, fallback)
        # An error the stream names no known code for: the request's fault when its type says so, else the server's.
        cls = info.error_class or (
            BadRequestError if info.error_type == "invalid_request_error" else InternalServerError
        )
        # The status the error would have had as an HTTP answer, so that the retry policy treats it alike.
        status = implied_status(cls)
        message = info.message
        # In-band errors never pass the transport, which scrubs secrets from the errors it builds.
        for secret in self.ctx.endpoint.api.secrets():
            message = message.replace(secret, "[REDACTED]")
        return cls(
            message,
            provider=self.ctx.api_provider.value,
            model=self.ctx.model_name,
            status_code=status,
            error_type=info.error_type,
            error_code=info.error_code,
            body=error,
        )


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
