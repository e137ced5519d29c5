"""The ids a conversation's tool calls and tool results get on a wire that pairs them by id.

A history may repeat a tool-call id across turns: Gemini gives no ids, and the ids made up for its calls when they
are parsed (``<name>_<n>``) start again at 0 in every answer; some OpenAI-compatible servers answer ``call_0`` every
time. Anthropic rejects a request whose ``tool_use`` ids are not unique, and OpenAI Responses one whose
``function_call`` items share a ``call_id``. :class:`ToolCallIds` gives a repeated id a fresh one (the original with
``_2``, ``_3`` … appended) and pairs each tool result with the oldest unanswered call of its id, which is how the
results of a tool loop follow its calls.
"""

from __future__ import annotations

from collections.abc import Callable

from ..types.prompt import ToolCallResult
from .base import decode_tool_id


class ToolCallIds:
    """Wire ids for one request. ``render`` turns an original id into what the wire accepts
    (:func:`~.base.encode_tool_id` for Anthropic; as it is for OpenAI). Ids in the history may be original or
    rewritten ones (a turn read back from a wire that rewrote them): both stand for the original."""

    def __init__(self, render: Callable[[str], str]) -> None:
        self._render = render
        self._used: set[str] = set()
        #: Calls not answered yet: (original id or None, wire id, tool name), in conversation order.
        self._open: list[tuple[str | None, str, str]] = []

    def call(self, call_id: str | None, name: str, fallback: str) -> str:
        """The wire id of a tool call; ``fallback`` for a call without an id."""
        original = decode_tool_id(call_id) if call_id else None
        wire = self._render(original) if original is not None else fallback
        repeat = 1
        while wire in self._used:
            repeat += 1
            wire = self._render(f"{original or fallback}_{repeat}")
        self._used.add(wire)
        self._open.append((original, wire, name))
        return wire

    def result(self, result: ToolCallResult) -> str | None:
        """The wire id of the call ``result`` answers: by its ``call_id``, else by its tool name (or, with neither,
        the oldest unanswered call). None when it answers no call of the history."""
        if result.call_id:
            original = decode_tool_id(result.call_id)
            for i, (call_id, wire, _) in enumerate(self._open):
                if call_id == original:
                    del self._open[i]
                    return wire
            # Not a call of this history: sent as it is, for the provider to judge.
            return self._render(original)
        for i, (_, wire, name) in enumerate(self._open):
            if result.name is None or name == result.name:
                del self._open[i]
                return wire
        return None
