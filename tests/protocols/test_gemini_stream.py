"""Gemini streams (``alt=sse``) through the public client: every recorded stream yields chunks the user snippet can
read, ends with ``(None, final)``, its deltas add up to the final answer, and the final answer equals the
non-streamed parse of the merged response."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import StreamError
from dhenara_http.errors import OverloadedError
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.response import ChatResponseReasoningContentItem
from tests.protocols._gemini_support import (
    MODEL,
    all_parts,
    client,
    expected_searches,
    expected_text,
    expected_thoughts,
    expected_usage,
    run_json,
    run_stream,
    stream_payloads,
    stream_records,
    url,
    value_at,
)
from tests.support.recordings import Reads, load_record

STREAMS = stream_records()


def test_the_stream_fixtures_cover_what_they_should() -> None:
    names = {n for n, _ in STREAMS}
    assert {"stream_text", "stream_reasoning_gemini3", "stream_thinking_parts", "stream_tool_call"} <= names
    assert any(r["stream_format"] == "jsonl-chunks" for _, r in STREAMS)
    assert any(r["stream_format"] == "sse" for _, r in STREAMS)
    assert any("partialArgs" in r["response_body"] for _, r in STREAMS)


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_stream_items_are_well_formed(name: str, record: dict[str, Any]) -> None:
    items, final = run_stream(record, reasoning=True)
    assert items[-1][0] is None
    for chunk, accumulated in items[:-1]:
        assert accumulated is None
        assert chunk is not None
        # The user snippet of the public contract must never fail.
        assert isinstance(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta(), str)
    assert final.metadata["wire_api"] == "gemini"


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_deltas_add_up_to_the_final_answer_and_to_the_recorded_parts(name: str, record: dict[str, Any]) -> None:
    items, final = run_stream(record, reasoning=True)
    deltas = [d for chunk, _ in items[:-1] if chunk for c in chunk.data.choice_deltas for d in c.content_deltas]
    parts = all_parts(stream_payloads(record))

    text = "".join(d.get_text_delta() for d in deltas if d.type == T.TEXT)
    assert text == (final.text() or "")
    assert (final.text() or None) == expected_text(parts)

    thoughts = "".join(d.get_text_delta() for d in deltas if d.type == T.REASONING)
    assert thoughts == expected_thoughts(parts)
    assert (final.reasoning() or "") == thoughts

    calls = final.tools()
    for call in calls:
        pieces = [d for d in deltas if d.type == T.TOOL_CALL and d.index == call.index]
        assert pieces, f"no delta for tool call {call.name}"
        assert pieces[0].tool_call_id == call.id
        assert pieces[0].tool_name == call.name
        assert json.loads("".join(d.get_text_delta() for d in pieces)) == call.arguments


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_final_equals_the_non_streamed_parse_of_the_merged_response(name: str, record: dict[str, Any]) -> None:
    _, final = run_stream(record, reasoning=True)
    assert final.provider_response is not None
    again = run_json(final.provider_response, reasoning=True).chat_response
    assert again is not None
    assert again.model_dump() == final.model_dump()


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=[n for n, _ in STREAMS])
def test_usage_finish_and_signatures_come_from_the_events(name: str, record: dict[str, Any]) -> None:
    payloads = stream_payloads(record)
    _, final = run_stream(record, reasoning=True)
    last_usage = [p["usageMetadata"] for p in payloads if "totalTokenCount" in (p.get("usageMetadata") or {})][-1]
    assert final.usage is not None
    # Grounding arrives with the last fragment; its searches are the stream's.
    searches = sum(expected_searches(p) for p in payloads)
    assert final.usage.model_dump() == expected_usage(last_usage, searches)

    native = [c["finishReason"] for p in payloads for c in p.get("candidates", []) if c.get("finishReason")][-1]
    assert final.choices[0].metadata["native_finish_reason"] == native
    if native == "STOP":
        assert final.finish_reason == ("tool_use" if final.tools() else "stop")

    # Every signature that arrived is kept exactly once, on an item.
    sent = [p["thoughtSignature"] for p in all_parts(payloads) if p.get("thoughtSignature")]
    kept = []
    for item in final.choices[0].contents:
        if isinstance(item, ChatResponseReasoningContentItem):
            kept.append(item.thinking_signature)
        kept.append(item.metadata.get("thought_signature"))
        kept.append((item.metadata.get("gemini_part") or {}).get("thoughtSignature"))
    assert sorted(s for s in kept if s) == sorted(sent)


def test_a_signature_on_a_trailing_empty_part_joins_the_text_before_it() -> None:
    record = load_record("gemini", "stream_reasoning_gemini3")
    signature = next(p["thoughtSignature"] for p in all_parts(stream_payloads(record)) if p.get("thoughtSignature"))
    _, final = run_stream(record)
    texts = [i for i in final.choices[0].contents if i.type == T.TEXT]
    assert len(texts) == 1
    assert texts[0].metadata["thought_signature"] == signature


@pytest.mark.parametrize(
    "name",
    [
        "stream_partial_args",
        "stream_partial_args_no_args_calls",
        "stream_partial_args_missing_terminal",
        "vertex_stream_partial_args_nested",
    ],
)
def test_streamed_function_call_arguments_are_assembled(name: str) -> None:
    record = load_record("gemini", name)
    parts = all_parts(stream_payloads(record))
    _, final = run_stream(record)
    calls = final.tools()
    starts = [p["functionCall"]["name"] for p in parts if p.get("functionCall", {}).get("name")]
    assert [c.name for c in calls] == starts
    # Walk the recorded fragments: each partial value must be found at its path in the assembled call.
    expected: list[dict[str, Any]] = []
    for part in parts:
        fc = part.get("functionCall") or {}
        if fc.get("name"):
            expected.append({})
        for arg in fc.get("partialArgs") or []:
            values = expected[-1]
            if "stringValue" in arg:
                values[arg["jsonPath"]] = values.get(arg["jsonPath"], "") + arg["stringValue"]
            elif "numberValue" in arg:
                values[arg["jsonPath"]] = arg["numberValue"]
            elif "boolValue" in arg:
                values[arg["jsonPath"]] = arg["boolValue"]
    assert len(expected) == len(calls)
    for call, values in zip(calls, expected, strict=True):
        for path, value in values.items():
            assert value_at(call.arguments, path) == value


def test_an_in_band_error_after_the_first_chunk_is_a_stream_error_with_the_partial_answer() -> None:
    first = {"candidates": [{"content": {"parts": [{"text": "Hel"}], "role": "model"}, "index": 0}]}
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    reads = [f"data: {json.dumps(first)}\n\n".encode(), f"data: {json.dumps(error)}\n\n".encode()]

    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(stream=True)).mock(
            side_effect=lambda request: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, stream=Reads(reads)
            )
        )
        # Kept in a variable: the stream needs its client alive between reads.
        sync_client = client(streaming=True)
        result = sync_client.generate("hi")
        assert result.stream_generator is not None
        got: list[Any] = []
        with pytest.raises(StreamError) as caught:
            got.extend(result.stream_generator)
    assert [c.data.choice_deltas[0].content_deltas[0].get_text_delta() for c, _ in got] == ["Hel"]
    assert isinstance(caught.value.error, OverloadedError)
    assert caught.value.error_type == error["error"]["status"]
    assert caught.value.partial is not None
    assert caught.value.partial.chat_response is not None
    assert caught.value.partial.chat_response.text() == "Hel"


def test_a_truncated_stream_is_an_error() -> None:
    first = {"candidates": [{"content": {"parts": [{"text": "Hel"}], "role": "model"}, "index": 0}]}
    body = f"data: {json.dumps(first)}\n\n".encode()
    with respx.mock() as mock:
        mock.post(url(stream=True)).mock(
            return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
        )
        result = client(streaming=True).generate("hi")
        assert result.stream_generator is not None
        with pytest.raises(StreamError):
            list(result.stream_generator)


def test_a_blocked_prompt_streams_to_a_content_filter_final() -> None:
    event = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "responseId": "b1"}
    body = f"data: {json.dumps(event)}\n\n".encode()
    with respx.mock() as mock:
        mock.post(url(stream=True)).mock(
            return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
        )
        result = client(streaming=True).generate("hi")
        assert result.stream_generator is not None
        items = list(result.stream_generator)
    assert len(items) == 1
    final = items[0][1]
    assert final is not None
    assert final.chat_response is not None
    assert final.chat_response.finish_reason == "content_filter"
    assert final.chat_response.metadata["block_reason"] == event["promptFeedback"]["blockReason"]


@pytest.mark.anyio
async def test_async_stream_gives_the_same_final_answer() -> None:
    record = load_record("gemini", "stream_thinking_parts")
    _, sync_final = run_stream(record, reasoning=True)
    from tests.support.recordings import http_response

    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(MODEL, stream=True)).mock(return_value=http_response(record))
        async_client = client(streaming=True, reasoning=True, is_async=True)
        result = await async_client.generate_async("hi")
        assert result.async_stream_generator is not None
        items = [item async for item in result.async_stream_generator]
        await async_client.aclose()
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None
    assert final.chat_response.model_dump() == sync_final.model_dump()
