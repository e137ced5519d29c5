"""Hypothesis strategies for the stream property tests: random answer content (text, reasoning, tool calls with JSON
arguments, usage), random ways to cut it into deltas, and random ways to put events on the wire (SSE framing styles,
whitespace inside ``data`` JSON, line endings, comments, network reads that split anywhere — inside a UTF-8 character
too); and running one streamed and one non-streamed call through the public client."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx
from hypothesis import strategies as st

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.types.response import ChatResponse
from dhenara_http.types.stream import ChatResponseChunk
from tests.support.recordings import Reads

#: Text as models write it, and worse: any Unicode but lone surrogates (which no UTF-8 body can carry).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
IDENT = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,12}", fullmatch=True)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | TEXT
)


def json_values(keys: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3), max_leaves=6
    )


@dataclass
class ToolCall:
    id: str
    name: str
    args: dict[str, Any]
    #: The arguments' JSON text cut into the pieces the stream sends (empty pieces included).
    pieces: list[str] = field(default_factory=list)

    @property
    def arguments(self) -> str:
        return "".join(self.pieces)


@dataclass
class Content:
    """One generated answer, with the pieces each part streams in."""

    text_pieces: list[str]
    reasoning_pieces: list[str]
    tools: list[ToolCall]
    prompt_tokens: int
    completion_tokens: int
    signature: str

    @property
    def text(self) -> str:
        return "".join(self.text_pieces)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_pieces)


@st.composite
def pieces(draw: st.DrawFn, whole: str, max_cuts: int = 8) -> list[str]:
    """``whole`` cut at random points; repeated cuts make empty pieces."""
    cuts = sorted(draw(st.lists(st.integers(0, len(whole)), max_size=max_cuts)))
    bounds = [0, *cuts, len(whole)]
    return [whole[a:b] for a, b in itertools.pairwise(bounds)]


@st.composite
def contents(
    draw: st.DrawFn, *, reasoning: bool = True, keys: st.SearchStrategy[str] = TEXT, ascii_json: bool | None = None
) -> Content:
    text = draw(TEXT)
    thought = draw(TEXT) if reasoning else ""
    tools = []
    for i in range(draw(st.integers(0, 3))):
        args = draw(st.dictionaries(keys, json_values(keys), max_size=4))
        ensure_ascii = draw(st.booleans()) if ascii_json is None else ascii_json
        spaced = draw(st.booleans())
        raw = json.dumps(args, ensure_ascii=ensure_ascii, separators=(", ", ": ") if spaced else (",", ":"))
        call_id = draw(st.from_regex(r"call_[A-Za-z0-9]{6,12}", fullmatch=True)) + f"_{i}"
        tools.append(ToolCall(call_id, draw(IDENT), args, draw(pieces(raw))))
    return Content(
        text_pieces=draw(pieces(text)),
        reasoning_pieces=draw(pieces(thought)),
        tools=tools,
        prompt_tokens=draw(st.integers(1, 10**6)),
        completion_tokens=draw(st.integers(1, 10**6)),
        signature=draw(st.from_regex(r"[A-Za-z0-9+/]{8,40}={0,2}", fullmatch=True)),
    )


# -- on the wire -------------------------------------------------------------------------------------------------

Event = tuple[str | None, Any]  # (SSE event name, payload: a JSON value, or a raw string such as "[DONE]")


def _data_lines(payload: Any, style: str) -> list[str]:
    if isinstance(payload, str):
        return [payload]
    if style == "compact":
        return [json.dumps(payload, separators=(",", ":"), ensure_ascii=False)]
    if style == "spaced":
        return [json.dumps(payload)]
    if style == "padded":  # whitespace around the JSON inside the data field
        return ["   " + json.dumps(payload, ensure_ascii=False) + " \t "]
    # "multiline": the JSON spread over several data lines (joined by LF again by the decoder)
    return json.dumps(payload, indent=1, ensure_ascii=False).split("\n")


@st.composite
def sse_body(draw: st.DrawFn, events: list[Event]) -> bytes:
    """The events as an SSE body: a random line ending for the stream, a random data style per event, and
    sometimes a comment line (keep-alive) or a blank line between events."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out: list[str] = []
    for name, payload in events:
        if draw(st.integers(0, 9)) == 0:
            out.append(": keep-alive" + newline)
        if draw(st.integers(0, 9)) == 0:
            out.append(newline)  # a blank line with no data dispatches nothing
        style = draw(st.sampled_from(["compact", "spaced", "padded", "multiline"]))
        lines = ([f"event: {name}"] if name else []) + [f"data: {line}" for line in _data_lines(payload, style)]
        out.append(newline.join(lines) + newline + newline)
    return "".join(out).encode("utf-8")


@st.composite
def network_reads(draw: st.DrawFn, body: bytes) -> list[bytes]:
    """The body cut into reads at random byte offsets (inside a UTF-8 character, or a CRLF, too)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=12)))
    bounds = [0, *cuts, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


def streamed(reads: list[bytes]) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Reads(reads))


# -- through the client ------------------------------------------------------------------------------------------


def stream_call(endpoint: AIModelEndpoint, reads: list[bytes]) -> tuple[list[ChatResponseChunk], ChatResponse]:
    with respx.mock(assert_all_called=True) as router:
        router.route().mock(return_value=streamed(reads))
        with AIModelClient(endpoint, AIModelCallConfig(streaming=True, retries=0)) as client:
            result = client.generate(prompt="hi")
            assert result.stream_generator is not None
            items = list(result.stream_generator)
    *head, (last_chunk, final) = items
    assert last_chunk is None
    assert final is not None
    assert final.chat_response is not None
    chunks = [chunk.data for chunk, _ in head if chunk is not None and isinstance(chunk.data, ChatResponseChunk)]
    assert len(chunks) == len(head), "only the last item carries the final response"
    return chunks, final.chat_response


def json_call(endpoint: AIModelEndpoint, body: dict[str, Any]) -> ChatResponse:
    with respx.mock(assert_all_called=True) as router:
        router.route().mock(return_value=httpx.Response(200, json=body))
        with AIModelClient(endpoint, AIModelCallConfig(retries=0)) as client:
            response = client.generate(prompt="hi").chat_response
    assert response is not None
    return response


Builder = Callable[[Content], tuple[list[Event], dict[str, Any]]]
