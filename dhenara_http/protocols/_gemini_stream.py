"""The Gemini stream (``streamGenerateContent?alt=sse``): every event is a whole ``GenerateContentResponse``
fragment.

The accumulator merges the fragments back into one response, part by part, and ``final()`` parses that:

* text parts are deltas — appended to the previous part when it is a text part of the same kind (thought or not)
  that has not yet been sealed by a ``thoughtSignature``;
* a ``thoughtSignature`` often arrives on an otherwise empty text part at the end; it joins the part before it, which
  is where the non-streamed answer carries it;
* a ``functionCall`` usually arrives whole in one event. Vertex AI can also stream its arguments: a call opens with
  ``name`` + ``willContinue``, ``partialArgs`` (``jsonPath`` + value; string values in pieces) follow, and a
  fragment without ``willContinue`` closes it — as does the end of the candidate;
* usage is cumulative: the last report wins; a candidate is done when it has a ``finishReason``.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._decoders.sse import DONE_MARKER, NO_PAYLOAD, event_payload
from ..errors import ResponseParseError
from ..types.enums import FinishReason
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
from ._gemini_response import error_from_event, finish_reason, parse_response, synthetic_call_id
from .base import CallContext

if TYPE_CHECKING:
    from .._decoders.sse import SSEEvent

_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


#: Fields of the answer a fragment may carry at its top level, kept as the last fragment gave them.
_TOP_KEYS = ("modelVersion", "responseId", "createTime")


@dataclass
class _Candidate:
    parts: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    finish: str | None = None
    calls: int = 0
    #: The part index of a function call whose arguments are still streaming, and its id.
    open_call: int | None = None
    open_id: str | None = None
    #: Text not yet added to the last part's ``text``: joined once (by :meth:`seal`) instead of growing a string
    #: piece by piece, which is quadratic.
    pending: list[str] = field(default_factory=list)

    def seal(self) -> None:
        """Add the pending text to the last part (before another part is appended, and before the rebuild)."""
        if self.pending:
            self.parts[-1]["text"] += "".join(self.pending)
            self.pending.clear()


class Accumulator:
    """Rebuilds the non-streamed ``GenerateContentResponse`` from the events; ``final()`` parses it."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.done = False
        self._candidates: dict[int, _Candidate] = {}
        self._top: dict[str, Any] = {}
        self._usage: dict[str, Any] | None = None
        self._blocked = False
        self._text_chunk = ctx.text_chunk_factory()

    # -- events --------------------------------------------------------------------------------------------------

    def feed(self, event: SSEEvent) -> list[ChatResponseChunk]:
        try:
            payload = event_payload(event.data)
        except ValueError:
            raise ResponseParseError(
                f"a Gemini stream event is not JSON: {event.data[:200]!r}",
                provider=self.ctx.api_provider.value,
                model=self.ctx.model_name,
            ) from None
        if payload is NO_PAYLOAD or payload is DONE_MARKER:
            return []
        with common.reading(self.ctx):
            if type(payload) is dict:
                return self._fragment(payload)
            if type(payload) is not list:
                raise common.bad_field("", "the stream event", payload, "an object or a list of objects")
            chunks: list[ChatResponseChunk] = []
            for _, fragment in common.dicts(payload, "the stream event"):
                chunks.extend(self._fragment(fragment))
            return chunks

    def _fragment(self, fragment: dict[str, Any]) -> list[ChatResponseChunk]:
        if fragment.get("error"):
            raise error_from_event(fragment, self.ctx)
        top = self._top
        for key in _TOP_KEYS:
            value = fragment.get(key)
            # (Gemini repeats these on every fragment: a value equal to the one kept is a string already checked.)
            if value is not None and top.get(key) != value:
                value = common.get_str(fragment, key)
                if value:
                    top[key] = value
        feedback = common.opt_dict(fragment, "promptFeedback")
        if feedback is not None:
            self._top["promptFeedback"] = feedback
            if common.get_str(feedback, "blockReason", "promptFeedback"):
                self._blocked = True
        self._take_usage(common.opt_dict(fragment, "usageMetadata"))
        candidates = common.get_list(fragment, "candidates")
        if len(candidates) == 1 and not self._blocked:
            chunk = self._plain_text(candidates[0])
            if chunk is not None:
                return chunk
        chunks: list[ChatResponseChunk] = []
        # Whether the stream may have become complete (or not) with this fragment: a candidate finished or appeared.
        changed = self._blocked
        for position, cand in common.dicts(candidates, "candidates"):
            where = f"candidates[{position}]"
            index = common.get_index(cand, "index", where)
            index = index if index is not None else position
            state = self._candidates.get(index)
            if state is None:
                state = self._candidates[index] = _Candidate()
                changed = True
            deltas: list[ChatResponseContentItemDelta] = []
            content = common.get_dict(cand, "content", where)
            parts_where = f"{where}.content.parts"
            for i, part in common.dicts(common.get_list(content, "parts", f"{where}.content"), parts_where):
                if len(part) == 1 and type(text := part.get("text")) is str and state.open_call is None:
                    # A plain piece of answer text, the usual part: what _part() → _text() would do, in short.
                    parts = state.parts
                    last = parts[-1] if parts else None
                    if (
                        last is not None
                        and "text" in last
                        and not last.get("thought")
                        and "thoughtSignature" not in last
                    ):
                        if text:
                            state.pending.append(text)
                    elif text:
                        state.seal()
                        parts.append({"text": text})
                    if text:
                        deltas.append(ChatResponseTextContentItemDelta(len(parts) - 1, text))
                    continue
                deltas.extend(self._part(state, index, part, f"{parts_where}[{i}]"))
            if len(cand) > 2 or "content" not in cand or "index" not in cand:
                state.extras.update({k: v for k, v in cand.items() if k not in ("content", "index", "finishReason")})
            finish: FinishReason | None = None
            native = common.get_str(cand, "finishReason", where)
            if native:
                deltas.extend(self._close_call(state))
                state.finish = native
                finish = finish_reason(state.finish, state.calls)
                changed = True
            if deltas:
                chunks.append(self.ctx.make_chunk(deltas, choice_index=index, finish_reason=finish))
        if changed:
            self.done = self._blocked or (
                bool(self._candidates) and all(c.finish is not None for c in self._candidates.values())
            )
        return chunks

    def _plain_text(self, cand: Any) -> list[ChatResponseChunk] | None:
        """The chunks of the usual fragment — one candidate, not finished, one plain text part, nothing else — or
        None for any other (which takes the general way). What the general way would do, in short."""
        if type(cand) is not dict or len(cand) > 2 or ("index" not in cand and len(cand) > 1):
            return None
        content = cand.get("content")
        parts = content.get("parts") if type(content) is dict else None
        if type(parts) is not list or len(parts) != 1:
            return None
        part = parts[0]
        if type(part) is not dict or len(part) != 1 or type(text := part.get("text")) is not str:
            return None
        index = cand.get("index")
        if index is not None and type(index) is not int:
            return None  # the full way refuses it
        state = self._candidates.get(0 if index is None else index)
        if state is None or state.open_call is not None:
            return None
        if not text:
            return []
        parts = state.parts
        last = parts[-1] if parts else None
        if last is not None and "text" in last and not last.get("thought") and "thoughtSignature" not in last:
            state.pending.append(text)
        else:
            state.seal()
            parts.append({"text": text})
        if not isinstance(index, int) or index == 0:
            return [self._text_chunk(len(parts) - 1, text)]
        return [self.ctx.text_chunk(len(parts) - 1, text, index)]

    def _take_usage(self, usage: dict[str, Any] | None) -> None:
        if usage is None or usage == self._usage:
            return  # (Gemini repeats its usage on every fragment: the same counts were checked and kept already)
        # A bad count is reported where it came, not when the answer is rebuilt (without building a usage object
        # per fragment: Gemini repeats its usage on every one).
        for key, value in usage.items():
            if not (type(value) is int and 0 <= value <= common.MAX_COUNT) and key.endswith("TokenCount"):
                common.as_count(value, "usageMetadata", key)
        if self._usage is None or "totalTokenCount" in usage or any(k.endswith("TokenCount") for k in usage):
            # Cumulative: the latest report with counts replaces the earlier ones.
            self._usage = dict(usage)
        else:
            self._usage.update(usage)

    # -- parts -----------------------------------------------------------------------------------------------------

    def _part(
        self, state: _Candidate, cand: int, part: dict[str, Any], where: str
    ) -> list[ChatResponseContentItemDelta]:
        signature = common.get_str(part, "thoughtSignature", where)
        fc = common.opt_dict(part, "functionCall", where)
        if fc is not None and not fc.get("name"):
            return self._continue_call(state, fc, signature)
        deltas = self._close_call(state)
        if fc is not None:
            return deltas + self._start_call(state, cand, fc, signature, f"{where}.functionCall")
        if "text" in part or set(part) <= {"thoughtSignature", "thought"}:
            return deltas + self._text(state, part, signature, where)
        state.seal()
        state.parts.append(dict(part))
        kind = next((k for k in part if k != "thoughtSignature"), "unknown")
        index = len(state.parts) - 1
        return [
            *deltas,
            ChatResponseGenericContentItemDelta(index=index, metadata={"gemini_part_type": kind, "gemini_part": part}),
        ]

    def _text(
        self, state: _Candidate, part: dict[str, Any], signature: str | None, where: str
    ) -> list[ChatResponseContentItemDelta]:
        text = common.get_text(part, "text", where)
        thought = common.get_bool(part, "thought", where)
        last = state.parts[-1] if state.parts else None
        if (
            last is not None
            and "text" in last
            and bool(last.get("thought")) == thought
            and "thoughtSignature" not in last
        ):
            if text:
                state.pending.append(text)
            if signature:
                last["thoughtSignature"] = signature
        elif text or signature:
            state.seal()
            merged: dict[str, Any] = {"text": text}
            if thought:
                merged["thought"] = True
            if signature:
                merged["thoughtSignature"] = signature
            state.parts.append(merged)
        else:
            return []
        index = len(state.parts) - 1
        if thought:
            if text or signature:
                return [
                    ChatResponseReasoningContentItemDelta(index=index, text_delta=text, thinking_signature=signature)
                ]
            return []
        return [ChatResponseTextContentItemDelta(index=index, text_delta=text)] if text else []

    def _start_call(
        self, state: _Candidate, cand: int, fc: dict[str, Any], signature: str | None, where: str
    ) -> list[ChatResponseContentItemDelta]:
        name = common.get_text(fc, "name", where)
        call: dict[str, Any] = {"name": name, "args": dict(common.get_dict(fc, "args", where))}
        given_id = common.get_id(fc, "id", where)
        if given_id:
            call["id"] = given_id
        merged: dict[str, Any] = {"functionCall": call}
        if signature:
            merged["thoughtSignature"] = signature
        state.seal()
        state.parts.append(merged)
        index = len(state.parts) - 1
        call_id = given_id or synthetic_call_id(name, cand, state.calls)
        state.calls += 1
        _apply_partial_args(call["args"], fc.get("partialArgs"), where)
        if fc.get("willContinue"):
            state.open_call, state.open_id = index, call_id
            return [ChatResponseToolCallContentItemDelta(index=index, tool_call_id=call_id, tool_name=name)]
        return [
            ChatResponseToolCallContentItemDelta(
                index=index, tool_call_id=call_id, tool_name=name, arguments_delta=json.dumps(call["args"])
            )
        ]

    def _continue_call(
        self, state: _Candidate, fc: dict[str, Any], signature: str | None
    ) -> list[ChatResponseContentItemDelta]:
        if state.open_call is None:
            return []  # a fragment of no open call: nothing to add it to
        part = state.parts[state.open_call]
        _apply_partial_args(part["functionCall"]["args"], fc.get("partialArgs"), "functionCall")
        if signature and "thoughtSignature" not in part:
            part["thoughtSignature"] = signature
        if fc.get("willContinue"):
            return []
        return self._close_call(state)

    def _close_call(self, state: _Candidate) -> list[ChatResponseContentItemDelta]:
        """The complete arguments of a call that streamed them, as one delta (so a call's argument deltas always
        concatenate to its JSON arguments)."""
        if state.open_call is None:
            return []
        index, call_id = state.open_call, state.open_id
        state.open_call = state.open_id = None
        args = state.parts[index]["functionCall"]["args"]
        return [
            ChatResponseToolCallContentItemDelta(index=index, tool_call_id=call_id, arguments_delta=json.dumps(args))
        ]

    # -- the answer ------------------------------------------------------------------------------------------------

    def rebuilt(self) -> dict[str, Any]:
        """The ``GenerateContentResponse`` the non-streamed call would have returned."""
        candidates = []
        for index in sorted(self._candidates):
            state = self._candidates[index]
            state.seal()
            cand: dict[str, Any] = {"content": {"parts": [dict(p) for p in state.parts], "role": "model"}}
            if state.finish is not None:
                cand["finishReason"] = state.finish
            cand.update(state.extras)
            cand["index"] = index
            candidates.append(cand)
        data: dict[str, Any] = {}
        if candidates:
            data["candidates"] = candidates
        if "promptFeedback" in self._top:
            data["promptFeedback"] = self._top["promptFeedback"]
        if self._usage is not None:
            data["usageMetadata"] = self._usage
        for key in ("modelVersion", "responseId", "createTime"):
            if key in self._top:
                data[key] = self._top[key]
        return data

    def final(self) -> ChatResponse:
        return parse_response(self.rebuilt(), self.ctx)


def _apply_partial_args(args: dict[str, Any], partial: Any, where: str) -> None:
    """Set each ``partialArgs`` entry at its ``jsonPath`` (``$.a.b[0].c``); string values arrive in pieces and are
    appended. A path deeper than ``MAX_DEPTH`` or an array index above ``MAX_INDEX`` is an error (filling the gap
    would cost memory for nothing)."""
    if partial is None:
        return
    if not isinstance(partial, list):
        raise common.bad_field(where, "partialArgs", partial, "a list")
    for i, entry in common.dicts(partial, f"{where}.partialArgs"):
        path = common.get_str(entry, "jsonPath", f"{where}.partialArgs[{i}]")
        if path is None:
            continue
        if "stringValue" in entry:
            value: Any = entry["stringValue"]
        elif "numberValue" in entry:
            value = entry["numberValue"]
        elif "boolValue" in entry:
            value = entry["boolValue"]
        elif "nullValue" in entry:
            value = None
        else:
            continue
        keys: list[str | int] = []
        for m in _PATH_TOKEN.finditer(path.lstrip("$")):
            name, number, single, double = m.groups()
            if number is not None:
                # (A run of digits too long to be an index is not even converted: int() refuses huge ones.)
                index = int(number) if len(number) <= 9 else -1
                keys.append(common.as_index(index, f"{where}.partialArgs[{i}]", "jsonPath"))
            else:
                keys.append(name or single or double or "")
        if len(keys) > common.MAX_DEPTH:
            raise ResponseParseError(f"malformed answer: {where}.partialArgs[{i}].jsonPath is too deep")
        if keys:
            _set_path(args, keys, value, append=isinstance(value, str))


def _set_path(root: dict[str, Any], keys: list[str | int], value: Any, *, append: bool) -> None:
    node: Any = root
    for key, following in itertools.pairwise(keys):
        fresh: Any = [] if isinstance(following, int) else {}
        node = _child(node, key, fresh)
        if node is None:
            return
    last = keys[-1]
    if isinstance(node, list) and isinstance(last, int):
        node.extend([None] * (last + 1 - len(node)))
        current = node[last]
        node[last] = current + value if append and isinstance(current, str) else value
    elif isinstance(node, dict) and isinstance(last, str):
        current = node.get(last)
        node[last] = current + value if append and isinstance(current, str) else value


def _child(node: Any, key: str | int, fresh: Any) -> Any:
    if isinstance(node, dict) and isinstance(key, str):
        if not isinstance(node.get(key), dict | list):
            node[key] = fresh
        return node[key]
    if isinstance(node, list) and isinstance(key, int):
        node.extend([None] * (key + 1 - len(node)))
        if not isinstance(node[key], dict | list):
            node[key] = fresh
        return node[key]
    return None
