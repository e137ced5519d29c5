"""What a (mutated) answer says, read independently of the protocol modules: the yardstick of the fuzz tests.

* JSON answers are read by :mod:`tests.protocols._conformance_expect` (rules written from the providers'
  documentation), after the one normalisation the library documents for every answer: lone surrogates become U+FFFD.
* Streams are split into events by a plain reading of the server-sent-events rules, and each wire's text-carrying
  events give the text pieces the stream carried, per choice, up to the wire's end event (one HTTP answer is one
  message; what follows another ``message_start`` / ``response.created`` is another answer). An event whose data is
  not JSON makes the stream unreadable: it cannot then be a success, since what that event carried is unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.protocols._conformance_expect import EXPECT, Expect

_LINE_END = re.compile(r"\r\n|\r|\n")


def fix_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates replaced by U+FFFD (through UTF-16, unlike the library's own way)."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, dict):
        return {fix_surrogates(k): fix_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fix_surrogates(v) for v in value]
    return value


def read_answer(wire: str, raw: bytes) -> tuple[Any, Expect | None]:
    """(the JSON the transport would read — ``None`` when the body is not JSON —, what it says — ``None`` when the
    reading rules cannot read it)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(data, dict):
        return data, None
    try:
        return data, EXPECT[wire](fix_surrogates(data))
    except (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError):
        return data, None


# -- streams ---------------------------------------------------------------------------------------------------------


def sse_events(raw: bytes) -> list[tuple[str, str]]:
    """(event name, data) of every event, by the plain rules: lines, ``data:`` lines joined, a blank line dispatches,
    the end of the body dispatches what is pending; invalid UTF-8 read as U+FFFD."""
    events: list[tuple[str, str]] = []
    name, data = "", []
    for line in _LINE_END.split(raw.decode("utf-8", "replace").lstrip("\ufeff")):
        if not line:
            if data:
                events.append((name or "message", "\n".join(data)))
            name, data = "", []
            continue
        field_name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field_name == "data":
            data.append(value)
        elif field_name == "event":
            name = value
    if data:
        events.append((name or "message", "\n".join(data)))
    return events


@dataclass
class StreamReading:
    """What a stream's events carried."""

    #: Some event's data is not JSON (and is not blank or ``[DONE]``).
    unreadable: bool = False
    #: Per choice index: the text pieces, in order.
    pieces: dict[int, list[str]] = field(default_factory=dict)
    #: Per choice index: the final answer text the pieces add up to (None: not known from the pieces alone).
    final_text: dict[int, str | None] = field(default_factory=dict)
    #: Responses: what the terminal event's response says (None when absent or unreadable).
    terminal: Expect | None = None

    def add(self, choice: Any, piece: Any) -> None:
        if isinstance(piece, str) and piece:
            self.pieces.setdefault(choice, []).append(piece)


def _payloads(raw: bytes, reading: StreamReading) -> list[tuple[str, Any]]:
    out = []
    for name, data in sse_events(raw):
        text = data.strip()
        if not text or text == "[DONE]":
            continue
        try:
            out.append((name, fix_surrogates(json.loads(text))))
        except (ValueError, RecursionError):
            reading.unreadable = True
    return out


def _index(value: Any, position: int) -> Any:
    """A choice's (or a block's) index as the wire gives it (its position when it has none); one that is not a
    number stands for itself, as text."""
    if value is None:
        return position
    return value if isinstance(value, int) and not isinstance(value, bool) else repr(value)


def read_stream(wire: str, raw: bytes) -> StreamReading:
    reading = StreamReading()
    payloads = _payloads(raw, reading)
    {"anthropic": _anthropic, "chat_completions": _chat, "gemini": _gemini, "responses": _responses}[wire](
        payloads, reading
    )
    return reading


def _anthropic(payloads: list[tuple[str, Any]], reading: StreamReading) -> None:
    blocks: dict[Any, list[str]] = {}
    for name, p in payloads:
        if not isinstance(p, dict):
            continue
        kind = p.get("type") or name
        if kind == "message_stop":
            break
        if kind == "content_block_start" and isinstance(p.get("content_block"), dict):
            block = p["content_block"]
            if block.get("type") == "text" and isinstance(block.get("text"), str) and block["text"]:
                blocks.setdefault(_index(p.get("index"), -1), []).append(block["text"])
                reading.add(0, block["text"])
        elif kind == "content_block_delta" and isinstance(p.get("delta"), dict):
            delta = p["delta"]
            if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str) and delta["text"]:
                blocks.setdefault(_index(p.get("index"), -1), []).append(delta["text"])
                reading.add(0, delta["text"])
    try:
        ordered = sorted(blocks)
    except TypeError:
        ordered = list(blocks)
    reading.final_text[0] = "".join("".join(blocks[i]) for i in ordered)


def _chat(payloads: list[tuple[str, Any]], reading: StreamReading) -> None:
    content: dict[Any, list[str]] = {}
    refusal: dict[Any, list[str]] = {}
    for _, p in payloads:
        if not isinstance(p, dict) or not isinstance(p.get("choices"), list):
            continue
        for position, choice in enumerate(p["choices"]):
            if not isinstance(choice, dict):
                continue
            index = _index(choice.get("index"), position)
            delta = choice.get("delta")
            if delta is None:
                delta = choice.get("message")
            if not isinstance(delta, dict):
                continue
            text = delta.get("content")
            parts = text if isinstance(text, list) else [text]
            for part in parts:
                if isinstance(part, dict) and part.get("type") in ("text", "output_text"):
                    part = part.get("text")
                if isinstance(part, str) and part:
                    content.setdefault(index, []).append(part)
                    reading.add(index, part)
            if isinstance(delta.get("refusal"), str) and delta["refusal"]:
                refusal.setdefault(index, []).append(delta["refusal"])
                reading.add(index, delta["refusal"])
    for index in set(content) | set(refusal):
        reading.final_text[index] = "".join(content.get(index, [])) + "".join(refusal.get(index, []))


def _gemini(payloads: list[tuple[str, Any]], reading: StreamReading) -> None:
    fragments = []
    for _, p in payloads:
        fragments += p if isinstance(p, list) else [p]
    for fragment in fragments:
        if not isinstance(fragment, dict) or not isinstance(fragment.get("candidates"), list):
            continue
        for position, candidate in enumerate(fragment["candidates"]):
            if not isinstance(candidate, dict) or not isinstance(candidate.get("content"), dict):
                continue
            index = _index(candidate.get("index"), position)
            parts = candidate["content"].get("parts")
            for part in parts if isinstance(parts, list) else []:
                if isinstance(part, dict) and not part.get("thought") and "functionCall" not in part:
                    reading.add(index, part.get("text"))
    for index, pieces in reading.pieces.items():
        reading.final_text[index] = "".join(pieces)


def _responses(payloads: list[tuple[str, Any]], reading: StreamReading) -> None:
    for name, p in payloads:
        if not isinstance(p, dict):
            continue
        kind = p.get("type") or name
        if kind in ("response.completed", "response.incomplete"):
            response = p.get("response")
            output = response.get("output") if isinstance(response, dict) else None
            if isinstance(output, list) and output:
                try:
                    reading.terminal = EXPECT["responses"](response)
                except (TypeError, AttributeError, KeyError, ValueError, IndexError):
                    reading.terminal = None
            break
        if kind in ("response.output_text.delta", "response.refusal.delta"):
            reading.add(0, p.get("delta"))
