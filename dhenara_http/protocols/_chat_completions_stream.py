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

An ``error`` object inside a chunk (or an ``event: error``) raises the error it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._decoders.sse import DONE_MARKER, event_payload
from ..types.stream import (
    ChatResponseContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from ._chat_completions_response import REASONING_FIELDS, finish_reason, in_band_error, parse_response

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent
    from ..types.response import ChatResponse
    from ..types.stream import ChatResponseChunk
    from .base import CallContext

_TOP_LEVEL = ("id", "object", "created", "model", "system_fingerprint", "service_tier", "provider")
_RARE = ("error", "x_groq")


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
        for d in details:
            if not isinstance(d, dict):
                continue
            idx = d.get("index", len(self.details))
            target = next(
                (x for x in self.details if x.get("index", -1) == idx and x.get("type") == d.get("type")), None
            )
            if target is None:
                self.details.append(dict(d))
                continue
            for key, value in d.items():
                if key in ("text", "summary", "data") and isinstance(value, str):
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
            return []  # not a chunk (a keep-alive or a proxy's note); nothing in it to lose
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
                st = self._choices.get(index if isinstance(index, int) else 0)
                if st is not None and st.text is not None:
                    st.text.append(content)
                    st.has_text = True
                    if st.index == 0:
                        return [self._text_chunk(st.text_position, content)]
                    return [self.ctx.text_chunk(st.text_position, content, st.index)]
        chunks: list[ChatResponseChunk] = []
        for position, raw in enumerate(choices):
            if type(raw) is dict:
                chunk = self._feed_choice(raw, position)
                if chunk is not None:
                    chunks.append(chunk)
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
        if type(usage) is not dict:
            groq = payload.get("x_groq")
            usage = groq.get("usage") if type(groq) is dict else None
        if type(usage) is dict:
            self._usage = usage

    def _feed_choice(self, raw: dict[str, Any], position: int) -> ChatResponseChunk | None:
        index = raw.get("index") if isinstance(raw.get("index"), int) else position
        assert isinstance(index, int)
        st = self._choices.get(index)
        if st is None:
            st = self._choices[index] = _Choice(index)
        delta = raw.get("delta")
        if not isinstance(delta, dict):
            delta = raw.get("message") if isinstance(raw.get("message"), dict) else {}
        assert isinstance(delta, dict)
        out: list[ChatResponseContentItemDelta] = []
        if isinstance(delta.get("role"), str) and st.role is None:
            st.role = delta["role"]
        self._reasoning(st, delta, out)
        self._content(st, delta.get("content"), out)
        refusal = delta.get("refusal")
        if isinstance(refusal, str) and refusal:
            st.refusal.append(refusal)
            out.append(ChatResponseTextContentItemDelta(index=st.item_index("refusal"), text_delta=refusal))
        calls = [c for c in delta.get("tool_calls") or [] if isinstance(c, dict)]
        legacy = delta.get("function_call")
        if isinstance(legacy, dict) and (legacy.get("name") or legacy.get("arguments")):
            calls.append({"index": -1, "function": legacy})
        for call in calls:
            self._tool_delta(st, call, out)
        logprobs = raw.get("logprobs")
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            st.logprobs.extend(logprobs["content"])
        native = raw.get("finish_reason")
        if isinstance(native, str) and native:
            st.finish_reason = native
        st.text_position = st.item_index("text")
        if not out:
            return None
        reason = finish_reason(native, bool(st.tools)) if isinstance(native, str) and native else None
        return self.ctx.make_chunk(out, choice_index=index, finish_reason=reason)

    def _reasoning(self, st: _Choice, delta: dict[str, Any], out: list[ChatResponseContentItemDelta]) -> None:
        # Some hosts send the same text under both names; one of them is the reasoning.
        field_name = next((f for f in REASONING_FIELDS if isinstance(delta.get(f), str) and delta[f]), None)
        signature = None
        details = delta.get("reasoning_details")
        if isinstance(details, list) and details:
            st.merge_details(details)
            signature = next(
                (d["signature"] for d in details if isinstance(d, dict) and isinstance(d.get("signature"), str)),
                None,
            )
        if field_name is not None:
            text = delta[field_name]
            st.reasoning_field = st.reasoning_field or field_name
            st.reasoning.append(text)
            out.append(ChatResponseReasoningContentItemDelta(index=0, text_delta=text))
        if signature:
            out.append(ChatResponseReasoningContentItemDelta(index=0, thinking_signature=signature))

    def _content(self, st: _Choice, content: Any, out: list[ChatResponseContentItemDelta]) -> None:
        if isinstance(content, str):
            if st.text is None:
                st.text = []
            st.text.append(content)
            if content:
                st.has_text = True
                out.append(ChatResponseTextContentItemDelta(index=st.item_index("text"), text_delta=content))
            return
        if not isinstance(content, list):
            return
        st.array_content = True
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "thinking":
                inner = part.get("thinking")
                pieces = (
                    [inner] if isinstance(inner, str) else [p.get("text") for p in inner or [] if isinstance(p, dict)]
                )
                for piece in pieces:
                    if isinstance(piece, str) and piece:
                        st.thinking.append(piece)
                        out.append(ChatResponseReasoningContentItemDelta(index=0, text_delta=piece))
            elif part.get("type") == "text" and isinstance(part.get("text"), str):
                if st.text is None:
                    st.text = []
                st.text.append(part["text"])
                if part["text"]:
                    st.has_text = True
                    out.append(ChatResponseTextContentItemDelta(index=st.item_index("text"), text_delta=part["text"]))

    def _tool_delta(self, st: _Choice, call: dict[str, Any], out: list[ChatResponseContentItemDelta]) -> None:
        key = st.tool_key(call)
        tc = st.tools.setdefault(key, _ToolCall())
        new_id = new_name = None
        call_id = call.get("id")
        if isinstance(call_id, str) and call_id and tc.id is None:
            tc.id = new_id = call_id
        if isinstance(call.get("type"), str) and tc.type is None:
            tc.type = call["type"]
        fn = call.get("function") if isinstance(call.get("function"), dict) else {}
        assert isinstance(fn, dict)
        name = fn.get("name")
        if isinstance(name, str) and name and tc.name is None:
            tc.name = new_name = name  # taken once: some hosts repeat it on every delta
        args = fn.get("arguments")
        if isinstance(args, dict):
            args = json.dumps(args, ensure_ascii=False)
        piece = args if isinstance(args, str) else ""
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
