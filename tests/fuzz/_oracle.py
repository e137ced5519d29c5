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
    #: AWS event streams: the framing is broken (a bad CRC, a cut frame) or a frame is an exception: the stream
    #: cannot be a success.
    broken: bool = False

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
    if wire == "converse":
        _converse(raw, reading)
        return reading
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


def aws_frames(raw: bytes) -> tuple[list[tuple[str, str, bytes]], bool]:
    """(message type, event or exception type, payload) of every frame of an AWS event stream, read by botocore
    (CRCs checked), and whether the bytes are whole frames and nothing else."""
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    frames: list[tuple[str, str, bytes]] = []
    try:
        for message in buffer:
            headers = dict(message.headers)
            kind = str(headers.get(":message-type"))
            name = headers.get(":event-type") if kind == "event" else headers.get(":exception-type")
            frames.append((kind, str(name), message.payload))
    except Exception:  # botocore's parser errors: a CRC mismatch, bad lengths
        return frames, False
    return frames, not buffer._data


def _converse(raw: bytes, reading: StreamReading) -> None:
    """ConverseStream (Bedrock API reference): ``contentBlockDelta`` events carry ``delta.text`` pieces of the block
    at ``contentBlockIndex``; ``messageStop`` ends the message; an exception frame ends the stream in error."""
    frames, whole = aws_frames(raw)
    reading.broken = not whole or any(kind != "event" for kind, _, _ in frames)
    blocks: dict[Any, list[str]] = {}
    stopped = False
    for _, name, payload in frames:
        try:
            p = fix_surrogates(json.loads(payload.decode("utf-8"))) if payload.strip() else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            reading.unreadable = True
            continue
        if stopped:
            continue
        if name == "messageStop":
            stopped = True
        elif name == "contentBlockDelta" and isinstance(p, dict) and isinstance(p.get("delta"), dict):
            text = p["delta"].get("text")
            if isinstance(text, str) and text:
                blocks.setdefault(_index(p.get("contentBlockIndex"), -1), []).append(text)
                reading.add(0, text)
    try:
        ordered = sorted(blocks)
    except TypeError:
        ordered = list(blocks)
    reading.final_text[0] = "".join("".join(blocks[i]) for i in ordered)


# -- image answers ---------------------------------------------------------------------------------------------------


@dataclass
class ImageExpect:
    """What an image answer says: its images as (base64 data or None, URL or None, media type or None), the first
    choice's text, the token counts it gives, and whether it can be a success at all (an answer without images
    that says why is a content-filter refusal)."""

    images: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    revised_prompts: list[str | None] = field(default_factory=list)
    text: str | None = None
    usage: dict[str, int | None] = field(default_factory=dict)
    refused: bool = False


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def expect_image(wire: str, data: dict[str, Any]) -> ImageExpect:
    """An image answer read by the providers' documented shapes (OpenAI ``ImagesResponse``, Imagen ``predictions``,
    Gemini ``candidates[].content.parts[].inlineData``); raises (TypeError …) where the rules cannot read it."""
    out = ImageExpect()
    if wire == "openai_images":
        fmt = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}.get(data.get("output_format") or "png")
        for entry in data["data"]:
            b64, url = entry.get("b64_json"), entry.get("url")
            if isinstance(b64, str) and b64:
                out.images.append((b64, None, fmt))
            elif isinstance(url, str) and url:
                out.images.append((None, url, None))
            else:
                raise ValueError("an image with neither data nor url")
            out.revised_prompts.append(_str(entry.get("revised_prompt")))
        usage = data.get("usage")
        if isinstance(usage, dict):
            out.usage = {
                "prompt_tokens": usage.get("input_tokens"),
                "completion_tokens": usage.get("output_tokens"),
                "total_tokens": usage.get("total_tokens"),
            }
        return out
    if wire == "imagen":
        for prediction in data.get("predictions") or []:
            encoded = prediction.get("bytesBase64Encoded")
            if isinstance(encoded, str) and encoded:
                out.images.append((encoded, None, _str(prediction.get("mimeType"))))
        out.refused = not out.images
        return out
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    texts: list[list[str]] = []
    for candidate in candidates:
        pieces: list[str] = []
        for part in (candidate.get("content") or {}).get("parts") or []:
            if part.get("thought"):
                continue
            inline = part.get("inlineData") or part.get("inline_data")
            if isinstance(inline, dict):
                out.images.append((inline["data"], None, inline.get("mimeType") or inline.get("mime_type")))
            elif isinstance(part.get("text"), str):
                pieces.append(part["text"])
        texts.append(pieces)
    if candidates:
        first = min(range(len(candidates)), key=lambda i: candidates[i].get("index", i))
        out.text = "".join(texts[first]) or None
    filtered = ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MODEL_ARMOR", "OTHER")
    if not out.images:
        reasons = [(data.get("promptFeedback") or {}).get("blockReason")]
        reasons += [c.get("finishReason") for c in candidates]
        out.refused = any(isinstance(r, str) and (r in filtered or r.startswith("IMAGE_")) for r in reasons)
    usage = data.get("usageMetadata")
    if isinstance(usage, dict):
        prompt = usage.get("promptTokenCount") or 0
        completion = (usage.get("candidatesTokenCount") or 0) + (usage.get("thoughtsTokenCount") or 0)
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": usage.get("totalTokenCount") or prompt + completion,
        }
    return out


def read_image_answer(wire: str, raw: bytes) -> tuple[Any, ImageExpect | None]:
    """(the JSON the transport would read — None when the body is not JSON —, what it says — None when the rules
    cannot read it)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(data, dict):
        return data, None
    try:
        return data, expect_image(wire, fix_surrogates(data))
    except (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError):
        return data, None
