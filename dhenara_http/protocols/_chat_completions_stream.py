"""Chat Completions streams: ``chat.completion.chunk`` events → chunks, and the ``chat.completion`` they add up to.

The accumulator rebuilds the non-streaming JSON object (id, model, created, choices with their ``message``, finish
reasons, usage) and its ``final()`` is :func:`parse_response` of it, so a streamed answer equals the same answer
without streaming. What real hosts do that it tolerates:

* tool-call deltas are keyed by their ``index`` — the id and name come only on the first delta of a call, some hosts
  repeat the name (or send ``""``) on every delta, and Mistral sends whole calls with no ``index`` at all;
* ``"arguments": ""`` and ``"arguments": null`` deltas;
* usage in a last chunk with no choices (``stream_options.include_usage``), ``usage: null`` after it (the last real
  usage is kept), usage in the finishing chunk, or in Groq's ``x_groq.usage``;
* reasoning deltas as ``reasoning_content`` or ``reasoning`` (plus OpenRouter's ``reasoning_details`` with their
  signatures) and Mistral's ``thinking`` content parts;
* a first chunk with an empty id and model (Azure's content-filter preamble);
* no ``[DONE]``: a stream in which every choice got a ``finish_reason`` is complete without it.

An ``error`` object inside a chunk (or an ``event: error``) raises the error it names. A chunk that is not JSON, or
whose fields have the wrong types, is a ``ResponseParseError`` naming the field: what it carried cannot be known, so it
is never skipped (a chunk cut short would otherwise turn "Hello LOST world" into a successful "Hello world").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._decoders.sse import DONE_MARKER, event_payload
from ..errors import ResponseParseError
from ..types.stream import (
    ChatResponseContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from . import _common as common
from ._chat_completions_response import (
    REASONING_FIELDS,
    finish_reason,
    in_band_error,
    parse_response,
    parse_usage,
    tool_arguments,
)

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent
    from ..types.response import ChatResponse
    from ..types.stream import ChatResponseChunk
    from .base import CallContext

_TOP_LEVEL = ("id", "object", "created", "model", "system_fingerprint", "service_tier", "provider")
_RARE = ("error", "x_groq")
#: The fields of a ``reasoning_details`` entry that arrive in pieces.
_DETAIL_TEXTS = ("text", "summary", "data")


@dataclass(slots=True)
class _ToolCall:
    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Choice:
    index: int = 0
    role: str | None = None
    #: The content pieces; None until a delta carried ``content`` at all (``null`` and absent stay apart).
    text: list[str] | None = None
    #: Whether any content piece is non-empty (so that positions need not join the text on every delta).
    has_text: bool = False
    #: ``item_index("text")``, kept up to date by ``_feed_choice`` (the only place reasoning is added).
    text_position: int = 0
    array_content: bool = False
    thinking: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    reasoning_field: str | None = None
    details: list[dict[str, Any]] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    tools: dict[Any, _ToolCall] = field(default_factory=dict)
    finish_reason: str | None = None
    logprobs: list[Any] = field(default_factory=list)

    def tool_key(self, call: dict[str, Any]) -> Any:
        """Where a tool-call delta belongs: its ``index``; without one, the call with its id, a new call when the id is
        new, else the call being streamed."""
        index = call.get("index")
        if isinstance(index, int):
            return index
        call_id = call.get("id")
        if isinstance(call_id, str) and call_id:
            for key, tc in self.tools.items():
                if tc.id == call_id:
                    return key
            return f"#{len(self.tools)}"
        return next(reversed(self.tools)) if self.tools else "#0"

    def item_index(self, kind: str, tool_key: Any = None) -> int:
        """The position the delta's item will have in the final choice (reasoning, text, refusal, tool calls)."""
        has_reasoning = bool(self.reasoning or self.thinking or self.details)
        if kind == "reasoning":
            return 0
        base = int(has_reasoning)
        if kind == "text":
            return base
        base += self.has_text
        if kind == "refusal":
            return base
        return base + int(bool(self.refusal)) + list(self.tools).index(tool_key)

    def merge_details(self, details: list[Any]) -> None:
        """OpenRouter's ``reasoning_details`` arrive piecewise, keyed by ``index``: texts concatenate, the rest of
        their fields (signature, format, id …) are taken as they come."""
        for i, d in common.dicts(details, "reasoning_details"):
            for key in _DETAIL_TEXTS:
                common.get_str(d, key, f"reasoning_details[{i}]")  # a text must be a string to be joined
            idx = d.get("index", len(self.details))
            target = next(
                (x for x in self.details if x.get("index", -1) == idx and x.get("type") == d.get("type")), None
            )
            if target is None:
                self.details.append(dict(d))
                continue
            for key, value in d.items():
                if key in _DETAIL_TEXTS and isinstance(value, str):
                    target[key] = (target.get(key) or "") + value
                elif value not in (None, ""):
                    target[key] = value

    def message(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": self.role or "assistant"}
        text = "".join(self.text) if self.text is not None else None
        if self.array_content:
            parts: list[dict[str, Any]] = []
            if self.thinking:
                parts.append({"type": "thinking", "thinking": [{"type": "text", "text": "".join(self.thinking)}]})
            if text:
                parts.append({"type": "text", "text": text})
            msg["content"] = parts
        else:
            msg["content"] = text
        if self.reasoning:
            msg[self.reasoning_field or REASONING_FIELDS[0]] = "".join(self.reasoning)
        if self.details:
            msg["reasoning_details"] = self.details
        msg["refusal"] = "".join(self.refusal) if self.refusal else None
        if self.tools:
            msg["tool_calls"] = [
                {
                    "index": i,
                    "id": tc.id,
                    "type": tc.type or "function",
                    "function": {"name": tc.name or "", "arguments": "".join(tc.arguments)},
                }
                for i, tc in enumerate(self.tools.values())
            ]
        return msg


class Accumulator:
    """The stream accumulator of the Chat Completions protocol (see the module docstring)."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._saw_done_marker = False
        self._top: dict[str, Any] = {}
        #: The top-level fields not yet known (most arrive with the first chunk; looked up only until they do).
        self._missing_top: tuple[str, ...] = _TOP_LEVEL
        #: The keys whose presence asks for more than the usual chunk's handling (see ``_take_rare``).
        self._rare = frozenset((*_TOP_LEVEL, *_RARE))
        self._choices: dict[int, _Choice] = {}
        self._usage: dict[str, Any] | None = None
        self._text_chunk = ctx.text_chunk_factory()

    # -- feeding ---------------------------------------------------------------------------------------------------

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        try:
            payload = event_payload(event.data)
        except ValueError:
            # A chunk cut short or corrupted: what it carried cannot be known, so it is never skipped silently.
            raise common.located(
                ResponseParseError(f"a Chat Completions stream event is not JSON: {event.data[:200]!r}"),
                self.ctx,
            ) from None
        if type(payload) is not dict:
            if payload is DONE_MARKER:
                self._saw_done_marker = True
                self.done = True
            return []
        if self._rare.isdisjoint(payload):
            # The usual chunk: no error and no top-level field still unknown — one look instead of several.
            if event.event == "error" and "choices" not in payload:
                raise in_band_error(payload, self.ctx)
            usage = payload.get("usage")  # OpenAI sends "usage": null in every chunk but the last
            if type(usage) is dict:
                self._usage = usage
        else:
            self._take_rare(event, payload)
        choices = payload.get("choices")
        if not choices or type(choices) is not list:
            if choices is not None and type(choices) is not list:
                raise common.located(common.bad_field("the chunk", "choices", choices, "a list"), self.ctx)
            return []
        if len(choices) == 1:
            # The usual chunk: one choice whose delta is one piece of text and nothing else takes the short way.
            raw = choices[0]
            delta = raw.get("delta") if type(raw) is dict else None
            if (
                type(delta) is dict
                and len(delta) == 1
                and type(content := delta.get("content")) is str
                and content
                and raw.get("finish_reason") is None
                and raw.get("logprobs") is None
            ):
                index = raw.get("index")
                # (An index that is not a number takes the full way, which refuses it.)
                st = self._choices.get(0 if index is None else index) if index is None or type(index) is int else None
                if st is not None and st.text is not None:
                    st.text.append(content)
                    st.has_text = True
                    if st.index == 0:
                        return [self._text_chunk(st.text_position, content)]
                    return [self.ctx.text_chunk(st.text_position, content, st.index)]
        chunks: list[ChatResponseChunk] = []
        try:
            for position, raw in common.dicts(choices, "choices"):
                chunk = self._feed_choice(raw, position)
                if chunk is not None:
                    chunks.append(chunk)
        except ResponseParseError as exc:
            raise common.located(exc, self.ctx) from None
        # A choice may have finished (or appeared): whether the stream is complete is checked again.
        if not self.done and self._choices and all(c.finish_reason for c in self._choices.values()):
            # Some compatible hosts never send [DONE]; every choice having finished is as final.
            self.done = True
        return chunks

    def _take_rare(self, event: SSEEvent, payload: dict[str, Any]) -> None:
        """An in-band error, the usage, and the top-level fields not yet known."""
        if payload.get("error") or (event.event == "error" and "choices" not in payload):
            raise in_band_error(payload, self.ctx)
        missing = self._missing_top
        if missing:
            top = self._top
            changed = False
            for key in missing:
                value = payload.get(key)
                if value not in (None, "", 0) and not top.get(key):
                    top[key] = value
                    changed = True
            if changed:
                self._missing_top = missing = tuple(k for k in missing if not top.get(k))
                self._rare = frozenset((*missing, *_RARE))
        usage = payload.get("usage")
        where = "usage"
        if type(usage) is not dict:
            groq = payload.get("x_groq")
            usage = groq.get("usage") if type(groq) is dict else None
            where = "x_groq.usage"
        if type(usage) is dict:
            with common.reading(self.ctx):
                parse_usage(usage, where)  # a bad count is reported where it came, not at the end
            self._usage = usage

    def _feed_choice(self, raw: dict[str, Any], position: int) -> ChatResponseChunk | None:
        where = f"choices[{position}]"
        index = common.get_index(raw, "index", where)
        if index is None:
            index = position
        st = self._choices.get(index)
        if st is None:
            st = self._choices[index] = _Choice(index)
        delta = raw.get("delta")
        if delta is None:
            delta = common.get_dict(raw, "message", where)
            where = f"{where}.message"
        elif type(delta) is not dict:
            raise common.bad_field(where, "delta", delta, "an object")
        else:
            where = f"{where}.delta"
        out: list[ChatResponseContentItemDelta] = []
        if isinstance(delta.get("role"), str) and st.role is None:
            st.role = delta["role"]
        self._reasoning(st, delta, out, where)
        self._content(st, delta.get("content"), out, f"{where}.content")
        refusal = common.get_text(delta, "refusal", where)
        if refusal:
            st.refusal.append(refusal)
            out.append(ChatResponseTextContentItemDelta(index=st.item_index("refusal"), text_delta=refusal))
        calls = [
            (f"{where}.tool_calls[{i}]", c)
            for i, c in common.dicts(common.get_list(delta, "tool_calls", where), f"{where}.tool_calls")
        ]
        legacy = common.opt_dict(delta, "function_call", where)
        if legacy is not None and (legacy.get("name") or legacy.get("arguments")):
            calls.append((where, {"index": -1, "function": legacy}))
        for call_where, call in calls:
            self._tool_delta(st, call, out, call_where)
        logprobs = raw.get("logprobs")
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            st.logprobs.extend(logprobs["content"])
        native = common.get_str(raw, "finish_reason", f"choices[{position}]")
        if native:
            st.finish_reason = native
        st.text_position = st.item_index("text")
        if not out:
            return None
        reason = finish_reason(native, bool(st.tools)) if native else None
        return self.ctx.make_chunk(out, choice_index=index, finish_reason=reason)

    def _reasoning(
        self, st: _Choice, delta: dict[str, Any], out: list[ChatResponseContentItemDelta], where: str
    ) -> None:
        # Some hosts send the same text under both names; one of them is the reasoning.
        texts = {f: common.get_text(delta, f, where) for f in REASONING_FIELDS}
        field_name = next((f for f in REASONING_FIELDS if texts[f]), None)
        signature = None
        details = common.get_list(delta, "reasoning_details", where)
        if details:
            st.merge_details(details)
            signature = next(
                (d["signature"] for d in details if isinstance(d, dict) and isinstance(d.get("signature"), str)),
                None,
            )
        if field_name is not None:
            text = texts[field_name]
            st.reasoning_field = st.reasoning_field or field_name
            st.reasoning.append(text)
            out.append(ChatResponseReasoningContentItemDelta(index=0, text_delta=text))
        if signature:
            out.append(ChatResponseReasoningContentItemDelta(index=0, thinking_signature=signature))

    def _content(self, st: _Choice, content: Any, out: list[ChatResponseContentItemDelta], where: str) -> None:
        if isinstance(content, str):
            self._text(st, content, out)
            return
        if content is None:
            return
        if not isinstance(content, list):
            raise common.bad_field(where, "", content, "a string or a list of parts")
        st.array_content = True
        for i, part in enumerate(content):
            if isinstance(part, str):
                self._text(st, part, out)
                continue
            if type(part) is not dict:
                raise common.bad_field(where, i, part, "an object or a string")
            here = f"{where}[{i}]"
            kind = part.get("type")
            if kind == "thinking":
                inner = part.get("thinking")
                if isinstance(inner, list):
                    pieces = [common.get_text(p, "text", f"{here}.thinking[{j}]") for j, p in common.dicts(inner, here)]
                else:
                    pieces = [common.get_text(part, "thinking", here)]
                for piece in pieces:
                    if piece:
                        st.thinking.append(piece)
                        out.append(ChatResponseReasoningContentItemDelta(index=0, text_delta=piece))
            elif kind in ("text", "output_text"):
                self._text(st, common.get_text(part, "text", here), out)

    def _text(self, st: _Choice, text: str, out: list[ChatResponseContentItemDelta]) -> None:
        if st.text is None:
            st.text = []
        st.text.append(text)
        if text:
            st.has_text = True
            out.append(ChatResponseTextContentItemDelta(index=st.item_index("text"), text_delta=text))

    def _tool_delta(
        self, st: _Choice, call: dict[str, Any], out: list[ChatResponseContentItemDelta], where: str
    ) -> None:
        if call.get("index") is not None and call.get("index") != -1:
            common.get_index(call, "index", where)
        key = st.tool_key(call)
        tc = st.tools.setdefault(key, _ToolCall())
        new_id = new_name = None
        call_id = common.get_id(call, "id", where)
        if call_id and tc.id is None:
            tc.id = new_id = call_id
        if isinstance(call.get("type"), str) and tc.type is None:
            tc.type = call["type"]
        fn = common.get_dict(call, "function", where)
        name = common.get_text(fn, "name", f"{where}.function")
        if name and tc.name is None:
            tc.name = new_name = name  # taken once: some hosts repeat it on every delta
        args = tool_arguments(fn, f"{where}.function")
        if isinstance(args, dict):
            args = json.dumps(args, ensure_ascii=False)
        piece = args or ""
        if piece:
            tc.arguments.append(piece)
        if new_id or new_name or piece:
            out.append(
                ChatResponseToolCallContentItemDelta(
                    index=st.item_index("tool", key), arguments_delta=piece, tool_call_id=new_id, tool_name=new_name
                )
            )

    # -- the result ----------------------------------------------------------------------------------------------

    def rebuilt(self) -> dict[str, Any]:
        """The ``chat.completion`` object the stream adds up to."""
        data: dict[str, Any] = {k: v for k, v in self._top.items() if k != "object"}
        data["object"] = "chat.completion"
        choices = []
        for index in sorted(self._choices):
            st = self._choices[index]
            choice: dict[str, Any] = {"index": index, "message": st.message(), "finish_reason": st.finish_reason}
            choice["logprobs"] = {"content": st.logprobs} if st.logprobs else None
            choices.append(choice)
        data["choices"] = choices
        if self._usage is not None:
            data["usage"] = self._usage
        return data

    def final(self) -> ChatResponse:
        return parse_response(self.rebuilt(), self.ctx)
