"""A minimal, fast HTTP/1.1 server for the benchmarks: canned answers in each wire's shape, precomputed, so the
server costs the same whoever calls it. Run as ``python benchmarks/_server.py PORT_FILE``; it writes its port there.

The header ``x-bench-chunks`` sets how many text deltas a streamed answer has (default 2000); ``x-bench-delay`` makes
the server wait that many seconds before it answers. Streams go out one chunk per event, as providers send them.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from functools import cache
from pathlib import Path

WORD = "tok "


def _sse(payloads: list[dict], events: list[str] | None = None, done: bool = False) -> bytes:
    out = []
    for i, p in enumerate(payloads):
        head = f"event: {events[i]}\n" if events else ""
        out.append(f"{head}data: {json.dumps(p, separators=(',', ':'))}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def chat(stream: bool, n: int) -> bytes:
    usage = {"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}
    if not stream:
        return json.dumps(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": "gpt-4o-mini",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": WORD * 50}, "finish_reason": "stop"}
                ],
                "usage": usage,
            }
        ).encode()
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}
    payloads = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    ]
    payloads += [{**base, "choices": [{"index": 0, "delta": {"content": WORD}, "finish_reason": None}]}] * n
    payloads.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    payloads.append({**base, "choices": [], "usage": usage})
    return _sse(payloads, done=True)


def responses(stream: bool, n: int) -> bytes:
    text = WORD * (n if stream else 50)
    item = {
        "id": "msg_1",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": n,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 10 + n,
    }
    resp = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-4o-mini",
        "output": [item],
        "usage": usage,
    }
    if not stream:
        return json.dumps(resp).encode()
    started = {**resp, "status": "in_progress", "output": [], "usage": None}
    payloads = [
        {"type": "response.created", "response": started, "sequence_number": 0},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ]
    payloads += [
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": WORD}
    ] * n
    payloads += [
        {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "content_index": 0, "text": text},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": resp},
    ]
    return _sse(payloads, events=[p["type"] for p in payloads])


def anthropic(stream: bool, n: int) -> bytes:
    text = WORD * (n if stream else 50)
    msg = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-haiku-latest",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": n},
    }
    if not stream:
        return json.dumps(msg).encode()
    payloads = [
        {
            "type": "message_start",
            "message": {**msg, "content": [], "stop_reason": None, "usage": {"input_tokens": 10, "output_tokens": 1}},
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    payloads += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": WORD}}] * n
    payloads += [
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": n},
        },
        {"type": "message_stop"},
    ]
    return _sse(payloads, events=[p["type"] for p in payloads])


def gemini(stream: bool, n: int) -> bytes:
    def frag(text: str, finish: str | None, tokens: int) -> dict:
        cand: dict = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
        if finish:
            cand["finishReason"] = finish
        return {
            "candidates": [cand],
            "modelVersion": "gemini-2.0-flash",
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": tokens, "totalTokenCount": 10 + tokens},
        }

    if not stream:
        return json.dumps(frag(WORD * 50, "STOP", 50)).encode()
    payloads = [frag(WORD, None, i + 1) for i in range(n - 1)] + [frag(WORD, "STOP", n)]
    return _sse(payloads)


@cache
def body(path: str, stream: bool, n: int) -> tuple[bytes, bytes]:
    if path.endswith("/chat/completions"):
        data = chat(stream, n)
    elif path.endswith("/responses"):
        data = responses(stream, n)
    elif path.endswith("/messages"):
        data = anthropic(stream, n)
    elif ":generateContent" in path or ":streamGenerateContent" in path:
        data = gemini(stream, n)
    else:
        return b"application/json", b'{"error": {"message": "not found"}}'
    return (b"text/event-stream" if stream else b"application/json"), data


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """JSON answers whole, with a ``Content-Length``; streams chunked, one chunk per event, each written and flushed
    on its own, as providers send them."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            length = int(headers.get("content-length", "0"))
            raw = await reader.readexactly(length) if length else b""
            delay = float(headers.get("x-bench-delay", "0") or 0)
            if delay:
                await asyncio.sleep(delay)
            stream = b'"stream":true' in raw.replace(b" ", b"") or "streamGenerateContent" in path
            ctype, data = body(path.split("?")[0], stream, int(headers.get("x-bench-chunks", "2000")))
            if stream:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: " + ctype + b"\r\ntransfer-encoding: chunked\r\n\r\n")
                for event in events(data):
                    writer.write(_chunk(event))
                    await writer.drain()
                writer.write(b"0\r\n\r\n")
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: "
                    + ctype
                    + b"\r\ncontent-length: "
                    + str(len(data)).encode()
                    + b"\r\n\r\n"
                    + data
                )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@cache
def events(data: bytes) -> list[bytes]:
    return [e + b"\n\n" for e in data.split(b"\n\n") if e]


async def main(port_file: str) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    for sock in server.sockets:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    port = server.sockets[0].getsockname()[1]
    Path(port_file).write_text(str(port))  # noqa: ASYNC240 - once, before serving
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
