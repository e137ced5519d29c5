"""Anthropic Messages streams: every recorded stream through the public client, checked against the tests' own
reading of the events; in-band errors before and after the first chunk; spliced and repeated message starts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import APIConnectionError, OverloadedError, RateLimitError, ResponseParseError
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.enums import FinishReason
from dhenara_http.types.response import ChatResponseReasoningContentItem, ChatResponseToolCallContentItem
from dhenara_http.types.stream import (
    ChatResponseGenericContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from dhenara_http.types.tools import StructuredOutputConfig
from tests.protocols._anthropic_support import (
    NATIVE_FINISH,
    call,
    chunked,
    final_of,
    json_response,
    prompt_tokens,
    read_stream,
    sse,
    stream_records,
    stream_response,
    stream_until_error,
)
from tests.support.recordings import load_record

# A stream that splices a second message into an open one is an error (tested below), not an answer.
STREAMS = [(n, r) for n, r in stream_records() if n != "chunks_spliced_message_start"]
STREAM = AIModelCallConfig(streaming=True)


def deltas_of(items: list[Any]) -> list[Any]:
    out = []
    for chunk, final in items[:-1]:
        assert final is None
        assert chunk is not None
        # The snippet users write must never fail.
        assert isinstance(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta(), str)
        out.extend(d for cd in chunk.data.choice_deltas for d in cd.content_deltas)
    return out


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_recorded_stream_adds_up_to_what_its_events_say(name: str, record: dict[str, Any]) -> None:
    result, items, _ = call(chunked(record), config=STREAM)
    assert result.chat_response is None
    assert items
    final = final_of(items)
    deltas = deltas_of(items)
    want = read_stream(record)
    contents = final.choices[0].contents
    by_index = {c.index: c for c in contents}
    assert sorted(by_index) == list(range(len(want["blocks"])))
    for index, block in enumerate(want["blocks"]):
        item = by_index[index]
        pieces = [d for d in deltas if d.index == index]
        if block["type"] == "text":
            assert item.type == T.TEXT
            assert item.get_text() == block["text"]
            assert "".join(d.get_text_delta() for d in pieces) == block["text"]
            # Streamed citations (citations_delta) land on their text, each also passed on as it came.
            assert [c.metadata for c in item.citations] == block["citations"]
            passed = [d.metadata["citation"] for d in pieces if isinstance(d, ChatResponseGenericContentItemDelta)]
            assert passed == [c for c in block["citations"] if c not in (block["raw"].get("citations") or [])]
        elif block["type"] == "thinking":
            assert isinstance(item, ChatResponseReasoningContentItem)
            assert item.thinking_text == block["thinking"]
            assert item.thinking_signature == (block["signature"] or None)
            assert "".join(d.get_text_delta() for d in pieces) == block["thinking"]
            signatures = [d.thinking_signature for d in pieces if isinstance(d, ChatResponseReasoningContentItemDelta)]
            assert [s for s in signatures if s] == ([block["signature"]] if block["signature"] else [])
        elif block["type"] == "redacted_thinking":
            assert isinstance(item, ChatResponseReasoningContentItem)
            assert item.encrypted_content == block["raw"]["data"]
        elif block["type"] == "tool_use":
            assert isinstance(item, ChatResponseToolCallContentItem)
            assert (item.id, item.name) == (block["raw"]["id"], block["raw"]["name"])
            assert item.arguments == (json.loads(block["json"]) if block["json"] else block["raw"]["input"])
            calls = [d for d in pieces if isinstance(d, ChatResponseToolCallContentItemDelta)]
            assert calls[0].tool_call_id == item.id
            assert calls[0].tool_name == item.name
            assert "".join(d.arguments_delta for d in calls) == block["json"]
        else:
            if block["type"] == "web_search_tool_result":
                assert item.type == T.WEB_SEARCH_RESULT
            elif block["type"] == "server_tool_use" and block["raw"].get("name") == "web_search":
                assert item.type == T.WEB_SEARCH_CALL
            else:
                assert item.type == T.GENERIC
            assert item.metadata["block"]["type"] == block["type"]
            generic = [d for d in pieces if isinstance(d, ChatResponseGenericContentItemDelta)]
            assert len(generic) == 1
            assert generic[0].metadata["block"] == item.metadata["block"]
            if block["json"]:
                assert item.metadata["block"]["input"] == json.loads(block["json"])
    assert final.choices[0].metadata["native_finish_reason"] == want["stop"]
    assert final.finish_reason == FinishReason(NATIVE_FINISH[want["stop"]])
    usage = final.usage
    assert usage is not None
    assert usage.prompt_tokens == prompt_tokens(want["usage"])
    assert usage.completion_tokens == want["usage"]["output_tokens"]
    assert usage.cache_read_tokens == want["usage"].get("cache_read_input_tokens", 0)
    assert final.metadata["wire_api"] == "anthropic"


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_streamed_final_equals_the_non_streamed_answer(name: str, record: dict[str, Any]) -> None:
    streamed = final_of(call(record, config=STREAM)[1])
    rebuilt = streamed.provider_response
    assert rebuilt is not None
    assert rebuilt["type"] == "message"
    assert rebuilt["id"]
    whole = call(json_response(rebuilt))[0].chat_response
    assert whole is not None
    assert whole.model_dump() == streamed.model_dump()


def test_rebuilt_message_matches_the_recorded_json_shape() -> None:
    record = load_record("anthropic", "stream_thinking")
    rebuilt = final_of(call(record, config=STREAM)[1]).provider_response
    assert rebuilt is not None
    assert [b["type"] for b in rebuilt["content"]] == ["thinking", "text"]
    assert set(rebuilt["content"][0]) == {"type", "thinking", "signature"}
    assert rebuilt["stop_reason"] == "end_turn"
    assert rebuilt["usage"]["output_tokens"] == 282


def test_structured_output_tool_streams_as_text() -> None:
    record = load_record("anthropic", "chunks_json_tool")
    config = AIModelCallConfig(
        streaming=True,
        structured_output=StructuredOutputConfig(
            name="json", json_schema={"type": "object", "properties": {"elements": {"type": "array"}}}
        ),
    )
    items = call(record, config=config)[1]
    final = final_of(items)
    text = "".join(d.get_text_delta() for d in deltas_of(items))
    assert json.loads(text) == final.structured()
    assert final.tools() == []
    assert final.finish_reason == FinishReason.STOP
    assert final.metadata["structured_via_tool"] is True


def test_a_stream_without_content_still_ends_with_its_final() -> None:
    items = call(load_record("anthropic", "chunks_refusal"), config=STREAM)[1]
    assert len(items) == 1
    assert final_of(items).finish_reason == FinishReason.CONTENT_FILTER


def test_repeated_message_start_of_the_same_message_is_ignored() -> None:
    items = call(load_record("anthropic", "chunks_duplicate_message_start"), config=STREAM)[1]
    assert final_of(items).text() == "Hello, World!"


def test_a_spliced_second_message_fails_the_stream() -> None:
    record = load_record("anthropic", "chunks_spliced_message_start")
    got, error = stream_until_error(chunked(record, size=64))
    assert got
    assert isinstance(error.error, ResponseParseError)
    partial = error.partial.chat_response  # type: ignore[union-attr]
    assert partial is not None
    assert partial.metadata["response_id"] == "msg_first"
    assert partial.reasoning() == "I will call the tool."


# -- in-band errors ----------------------------------------------------------------------------------------------

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    },
}
TEXT_START = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


def text_delta(text: str) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}


def good_stream() -> list[bytes]:
    return sse(
        START,
        TEXT_START,
        text_delta("Fine"),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    )


def test_overloaded_error_after_chunks_is_a_stream_error_with_the_partial_text(retry_waits: list[float]) -> None:
    reads = sse(START, TEXT_START, text_delta("Hello"), text_delta(" wor"), {"type": "ping"}, OVERLOADED)
    seen, caught = stream_until_error(stream_response(reads))
    texts = [chunk.data.choice_deltas[0].content_deltas[0].get_text_delta() for chunk, _ in seen]
    assert texts == ["Hello", " wor"]
    error = caught.error
    assert isinstance(error, OverloadedError)
    assert error.error_type == "overloaded_error"
    assert caught.error_type == "overloaded_error"
    partial = caught.partial.chat_response  # type: ignore[union-attr]
    assert partial is not None
    assert partial.text() == "Hello wor"
    assert partial.finish_reason is None
    assert retry_waits == []


def test_overloaded_error_before_the_first_chunk_is_retried(retry_waits: list[float]) -> None:
    failing = stream_response(sse(START, {"type": "ping"}, OVERLOADED))
    _result, items, sent = call([failing, stream_response(good_stream())], config=STREAM)
    assert len(sent) == 2
    assert len(retry_waits) == 1
    assert final_of(items).text() == "Fine"


def test_in_band_error_type_decides_the_class() -> None:
    limited = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    _, caught = stream_until_error(stream_response(sse(START, TEXT_START, text_delta("x"), limited)))
    assert isinstance(caught.error, RateLimitError)
    assert caught.error.status_code == 429


def test_padding_empty_argument_pieces_and_unknown_events_are_tolerated() -> None:
    tool_start = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "toolu_9", "name": "lookup", "input": {}},
    }
    pieces = ["", '{"q": ', "", '"x"}']
    reads = [
        b"event: message_start\ndata: " + json.dumps(START).encode() + b"    \n\n",
        b"event: content_block_start\ndata:    " + json.dumps(tool_start).encode() + b"\t \n\n",
        *sse(
            *[
                {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": p}}
                for p in pieces
            ]
        ),
        b'event: something_new\ndata: {"type": "something_new", "x": 1}\n\n',
        *sse(
            {"type": "content_block_stop", "index": 0},
            {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}},
            {"type": "message_stop"},
        ),
    ]
    items = call(stream_response(reads), config=STREAM)[1]
    final = final_of(items)
    assert [(t.id, t.name, t.arguments) for t in final.tools()] == [("toolu_9", "lookup", {"q": "x"})]
    assert final.usage is not None
    assert final.usage.completion_tokens == 9
    assert final.usage.prompt_tokens == 10
    arg_deltas = [d.arguments_delta for d in deltas_of(items) if isinstance(d, ChatResponseToolCallContentItemDelta)]
    assert "".join(arg_deltas) == '{"q": "x"}'
    assert "" not in arg_deltas[1:]


def test_a_truncated_stream_is_a_stream_error() -> None:
    _, caught = stream_until_error(stream_response(sse(START, TEXT_START, text_delta("cut"))))
    # The body ended early, as a dropped connection ends it: both a StreamError and an APIConnectionError.
    assert isinstance(caught, APIConnectionError)
    assert isinstance(caught.error, APIConnectionError)
    assert caught.partial is not None
    assert caught.partial.chat_response is not None
    assert caught.partial.chat_response.text() == "cut"


def test_a_delta_without_its_block_start_still_counts() -> None:
    reads = sse(
        START,
        text_delta("orphan"),
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
        {"type": "message_stop"},
    )
    items = call(stream_response(reads), config=STREAM)[1]
    assert final_of(items).text() == "orphan"
