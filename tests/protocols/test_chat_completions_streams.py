"""Chat Completions streams: every recorded stream through the public client (whole and split into small network
reads), its chunks, its final response, and that final response against the non-streamed reading of the same answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelCallConfig, AIModelClient
from dhenara_http.errors import BadRequestError, InternalServerError, RateLimitError, ResponseParseError, StreamError
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.enums import FinishReason
from dhenara_http.types.stream import (
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from tests.protocols._chat_completions_support import (
    NATIVE_FINISH,
    call,
    chunked_response,
    endpoint,
    expected,
    final_of,
    projection,
    rebuild_from_stream,
    stream_payloads,
    stream_records,
)
from tests.support.recordings import Reads, load_record

STREAMS = [(n, r) for n, r in stream_records() if "in_band_error" not in n]
STREAM_IDS = [n for n, _ in STREAMS]


def _deltas(items: list[Any]) -> list[Any]:
    return [d for chunk, _ in items if chunk is not None for d in chunk.data.choice_deltas[0].content_deltas]


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize(("name", "record"), STREAMS, ids=STREAM_IDS)
def test_recorded_stream(name: str, record: dict[str, Any], split: bool) -> None:
    result, items, _ = call(record, response=chunked_response(record) if split else None)
    assert result.chat_response is None
    assert items
    for chunk, final in items[:-1]:
        assert final is None
        # The documented snippet never fails: at least one choice delta with at least one content delta.
        assert isinstance(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta(), str)
    final = final_of(items)
    deltas = _deltas(items)
    texts = "".join(d.text_delta for d in deltas if isinstance(d, ChatResponseTextContentItemDelta))
    reasoning = "".join(d.text_delta for d in deltas if isinstance(d, ChatResponseReasoningContentItemDelta))
    assert texts == (final.text() or "")
    assert reasoning == (final.reasoning() or "")
    # What the recorded events add up to, read independently of the protocol module.
    want = expected(rebuild_from_stream(record))
    assert (final.text() or "") == want["text"]
    assert final.reasoning() == want["reasoning"]
    assert [(t.id, t.name, t.arguments) for t in final.tools()] == want["tools"]
    for tool in final.tools():
        assert tool.tool_call.parse_error is None
        pieces = [
            d.arguments_delta
            for d in deltas
            if isinstance(d, ChatResponseToolCallContentItemDelta) and d.index == tool.index
        ]
        assert json.loads("".join(pieces) or "{}") == tool.arguments
    named = [d.tool_name for d in deltas if isinstance(d, ChatResponseToolCallContentItemDelta) and d.tool_name]
    assert named == [t.name for t in final.tools()], "each tool's name is announced exactly once"
    assert final.choices[0].metadata.get("native_finish_reason") == want["finish"]
    if want["finish"] is not None:
        assert final.finish_reason == FinishReason(NATIVE_FINISH[want["finish"]])
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.total_tokens) == (
        want["prompt_tokens"],
        want["completion_tokens"],
        want["total_tokens"],
    )
    assert final.usage.cache_read_tokens == want["cached"]
    assert final.usage.reasoning_tokens == want["reasoning_tokens"]
    assert final.metadata["wire_api"] == "chat_completions"
    assert final.metadata["response_id"] == rebuild_from_stream(record).get("id")


@pytest.mark.parametrize(("name", "record"), STREAMS, ids=STREAM_IDS)
def test_streamed_answer_equals_the_same_answer_not_streamed(name: str, record: dict[str, Any]) -> None:
    _, items, _ = call(record)
    streamed = final_of(items)
    as_json = rebuild_from_stream(record)
    result, _, _ = call(record, config=AIModelCallConfig(streaming=False), response=httpx.Response(200, json=as_json))
    assert result.chat_response is not None
    assert projection(streamed) == projection(result.chat_response)


@pytest.mark.parametrize(
    ("stream", "twin"),
    [
        ("mistral__stream_thinking_parts", "mistral__thinking_parts"),
        ("mistral__stream_tool_call_no_index", "mistral__tool_call_no_index"),
    ],
)
def test_stream_equals_its_recorded_json_twin(stream: str, twin: str) -> None:
    """Mistral recorded the same answer streamed and not (same id): the two readings are identical."""
    _, items, _ = call(load_record("chat_completions", stream))
    streamed = final_of(items)
    result, _, _ = call(load_record("chat_completions", twin), config=AIModelCallConfig(streaming=False))
    plain = result.chat_response
    assert plain is not None
    assert streamed.metadata == plain.metadata
    assert [c.model_dump() for c in streamed.choices] == [c.model_dump() for c in plain.choices]
    assert streamed.usage == plain.usage


def test_parallel_tool_calls_keep_their_ids_and_order() -> None:
    record = load_record("chat_completions", "openai_chat__stream_parallel_tool_calls")
    announced = [
        (tc["id"], tc["function"]["name"])
        for p in stream_payloads(record)
        for ch in p["choices"]
        for tc in ch["delta"].get("tool_calls") or []
        if tc.get("id")
    ]
    _, items, _ = call(record)
    final = final_of(items)
    assert [(t.id, t.name) for t in final.tools()] == announced
    assert len(announced) == 2


def test_openrouter_reasoning_signature_is_kept() -> None:
    record = load_record("chat_completions", "openrouter__stream_reasoning_signature")
    signatures = [
        d["signature"]
        for p in stream_payloads(record)
        for ch in p["choices"]
        for d in ch["delta"].get("reasoning_details") or []
        if d.get("signature")
    ]
    _, items, _ = call(record)
    final = final_of(items)
    reasoning = final.choices[0].contents[0]
    assert reasoning.type == T.REASONING
    assert reasoning.thinking_signature == signatures[0]
    assert reasoning.metadata["reasoning_details"][0]["text"] == final.reasoning()
    signed = [
        d for d in _deltas(items) if isinstance(d, ChatResponseReasoningContentItemDelta) and d.thinking_signature
    ]
    assert [d.thinking_signature for d in signed] == signatures


@pytest.mark.anyio
async def test_async_stream_through_the_public_client() -> None:
    record = load_record("chat_completions", "deepseek__stream_tool_call_reasoning")
    ep, url = endpoint("deepseek", "deepseek-reasoner")
    with respx.mock:
        respx.post(url).mock(return_value=chunked_response(record, size=11))
        async with AIModelClient(ep, AIModelCallConfig(streaming=True), is_async=True) as client:
            result = await client.generate_async(prompt="Weather in San Francisco?")
            assert result.async_stream_generator is not None
            items = [item async for item in result.async_stream_generator]
    final = final_of(items)
    want = expected(rebuild_from_stream(record))
    assert final.reasoning() == want["reasoning"]
    assert [(t.id, t.name, t.arguments) for t in final.tools()] == want["tools"]
    assert final.finish_reason == FinishReason.TOOL_USE


# -- the pitfalls, as streams built for the purpose ----------------------------------------------------------------


def _sse(*payloads: Any, done: bool = True) -> httpx.Response:
    """A stream of these payloads, one event per network read."""
    parts = [f"data: {json.dumps(p) if not isinstance(p, str) else p}\n\n".encode() for p in payloads]
    if done:
        parts.append(b"data: [DONE]\n\n")
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Reads(parts))


def _chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "chatcmpl-s", "object": "chat.completion.chunk", "model": "m", "choices": choices, **top}


def _tool(index: int, *, id: str | None = None, name: str | None = None, arguments: Any = "") -> dict[str, Any]:
    fn: dict[str, Any] = {"arguments": arguments}
    if name is not None:
        fn["name"] = name
    out: dict[str, Any] = {"index": index, "function": fn}
    if id is not None:
        out["id"] = id
        out["type"] = "function"
    return out


STREAM = AIModelCallConfig(streaming=True)


def test_tool_deltas_are_keyed_by_index_with_the_name_repeated_and_empty_or_null_arguments() -> None:
    response = _sse(
        _chunk({"role": "assistant", "content": None}),
        _chunk({"tool_calls": [_tool(0, id="call_a", name="get_weather", arguments="")]}),
        _chunk({"tool_calls": [_tool(1, id="call_b", name="get_time", arguments=None)]}),
        # Interleaved pieces; the name repeated on every delta (as some hosts do), the id once more.
        _chunk({"tool_calls": [_tool(0, name="get_weather", arguments='{"city": ')]}),
        _chunk({"tool_calls": [_tool(1, name="get_time", arguments='{"tz": "UTC"}')]}),
        _chunk({"tool_calls": [_tool(0, id="call_a", name="get_weather", arguments=None)]}),
        _chunk({"tool_calls": [_tool(0, name="get_weather", arguments="")]}),
        _chunk({"tool_calls": [_tool(0, arguments='"Paris"}')]}),
        _chunk({}, finish="tool_calls"),
    )
    _, items, _ = call(None, config=STREAM, response=response)
    final = final_of(items)
    assert [(t.id, t.name, t.arguments) for t in final.tools()] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "UTC"}),
    ]
    tool_deltas = [d for d in _deltas(items) if isinstance(d, ChatResponseToolCallContentItemDelta)]
    assert [d.tool_name for d in tool_deltas if d.tool_name] == ["get_weather", "get_time"]
    assert [d.tool_call_id for d in tool_deltas if d.tool_call_id] == ["call_a", "call_b"]
    assert all(d.get_text_delta() or d.tool_name for d in tool_deltas), "no empty deltas for empty or null arguments"
    assert final.finish_reason == FinishReason.TOOL_USE


def test_usage_in_a_final_chunk_without_choices_then_usage_null() -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 3,
        "total_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 4},
    }
    response = _sse(
        _chunk({"role": "assistant", "content": "Hi"}, usage=None),
        _chunk({"content": " there"}, usage=None),
        _chunk({}, finish="stop", usage=None),
        _chunk(None, usage=usage),
        _chunk(None, usage=None),
    )
    _, items, _ = call(None, config=STREAM, response=response)
    final = final_of(items)
    assert final.text() == "Hi there"
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.cache_read_tokens) == (9, 3, 4)


def test_a_stream_without_done_is_complete_once_every_choice_finished() -> None:
    response = _sse(_chunk({"content": "ok"}), _chunk({}, finish="stop"), done=False)
    _, items, _ = call(None, config=STREAM, response=response)
    assert final_of(items).text() == "ok"


def test_a_stream_cut_before_any_finish_is_a_stream_error_with_the_partial_answer() -> None:
    response = _sse(_chunk({"content": "partial"}), _chunk({"content": " answer"}), done=False)
    with pytest.raises(StreamError) as info:
        call(None, config=STREAM, response=response)
    partial = info.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    assert partial.chat_response.text() == "partial answer"


def test_padding_whitespace_and_comments_are_tolerated() -> None:
    body = (
        ": keep-alive\n\n"
        'data:   {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}   \n\n'
        "data: \n\n"
        'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}\n\n'
        "data: [DONE]\n\n"
    )
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())
    _, items, _ = call(None, config=STREAM, response=response)
    assert final_of(items).text() == "ab"


def test_a_chunk_cut_short_fails_the_stream_instead_of_losing_its_text() -> None:
    # What a chunk that is not JSON carried cannot be known: skipping it would answer "Hello world" to a stream that
    # said "Hello LOST world", as a success.
    lost = json.dumps(_chunk({"content": "LOST "}))
    body = (
        f"data: {json.dumps(_chunk({'role': 'assistant', 'content': 'Hello '}))}\n\n"
        f"data: {lost[: len(lost) // 2]}\n\n"
        f"data: {json.dumps(_chunk({'content': 'world'}, finish='stop'))}\n\n"
        "data: [DONE]\n\n"
    )
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())
    with pytest.raises(StreamError) as caught:
        call(None, config=STREAM, response=response)
    assert isinstance(caught.value.error, ResponseParseError)
    partial = caught.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    assert partial.chat_response.text() == "Hello "


def test_reasoning_deltas_under_either_name_are_reasoning() -> None:
    response = _sse(
        _chunk({"role": "assistant", "reasoning_content": "think "}),
        _chunk({"reasoning": "more", "reasoning_content": None}),
        _chunk({"content": "answer"}),
        _chunk({}, finish="stop"),
    )
    _, items, _ = call(None, config=STREAM, response=response)
    reasoning = [d for d in _deltas(items) if isinstance(d, ChatResponseReasoningContentItemDelta)]
    assert "".join(d.text_delta for d in reasoning) == "think more"
    final = final_of(items)
    assert final.reasoning() == "think more"
    assert final.text() == "answer"
    assert final.choices[0].contents[0].type == T.REASONING


def test_refusal_deltas() -> None:
    response = _sse(_chunk({"role": "assistant", "refusal": "I can't"}), _chunk({"refusal": " help."}, finish="stop"))
    _, items, _ = call(None, config=STREAM, response=response)
    final = final_of(items)
    assert "".join(d.get_text_delta() for d in _deltas(items)) == "I can't help."
    assert final.choices[0].contents[0].metadata["refusal"] is True
    assert final.finish_reason == FinishReason.CONTENT_FILTER


def test_legacy_function_call_deltas_are_a_tool_call() -> None:
    response = _sse(
        _chunk({"role": "assistant", "function_call": {"name": "lookup", "arguments": ""}}),
        _chunk({"function_call": {"arguments": '{"q": '}}),
        _chunk({"function_call": {"arguments": '"x"}'}}),
        _chunk({}, finish="function_call"),
    )
    _, items, _ = call(None, config=STREAM, response=response)
    final = final_of(items)
    assert [(t.name, t.arguments) for t in final.tools()] == [("lookup", {"q": "x"})]
    assert final.finish_reason == FinishReason.TOOL_USE


def test_several_choices_stream_apart() -> None:
    def ch(i: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "c", "model": "m", "choices": [{"index": i, "delta": delta, "finish_reason": finish}]}

    response = _sse(
        ch(0, {"content": "A"}), ch(1, {"content": "B"}), ch(1, {"content": "b"}, "stop"), ch(0, {}, "stop")
    )
    _, items, _ = call(None, config=STREAM, response=response)
    final = final_of(items)
    assert [c.contents[0].get_text() for c in final.choices] == ["A", "Bb"]
    assert {chunk.data.choice_deltas[0].index for chunk, _ in items[:-1]} == {0, 1}


# -- errors inside a stream ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class"),
    [("groq__stream_in_band_error", BadRequestError), ("openrouter__stream_in_band_error", BadRequestError)],
)
def test_recorded_in_band_error_after_the_first_chunk(name: str, error_class: type[Exception]) -> None:
    record = load_record("chat_completions", name)
    error_event = next(p for p in stream_payloads(record) if p.get("error"))["error"]
    with pytest.raises(StreamError) as info:
        call(record, response=chunked_response(record, size=64))
    err = info.value.error
    assert type(err) is error_class
    assert err.message == error_event["message"]  # type: ignore[union-attr]
    assert err.error_code == str(error_event["code"])  # type: ignore[union-attr]
    assert err.status_code == 400  # type: ignore[union-attr]
    partial = info.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    assert partial.chat_response.reasoning()


def test_in_band_error_before_any_chunk_is_raised_as_its_class() -> None:
    record = load_record("chat_completions", "groq__stream_in_band_error")
    error_only = "\n".join(line for line in record["response_body"].split("\n\n") if "event: error" in line) + "\n\n"
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=error_only.encode())
    with pytest.raises(BadRequestError) as info:
        call(record, response=response)
    assert info.value.error_code == "tool_use_failed"
    assert info.value.error_type == "invalid_request_error"


@pytest.mark.parametrize(
    ("error", "error_class"),
    [
        ({"message": "The server had an error", "type": "server_error"}, InternalServerError),
        ({"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}, RateLimitError),
    ],
)
def test_in_band_error_is_classified_by_type_and_code(error: dict[str, Any], error_class: type[Exception]) -> None:
    response = _sse(_chunk({"content": "a"}), {"error": error}, done=False)
    with pytest.raises(StreamError) as info:
        call(None, config=AIModelCallConfig(streaming=True, retries=0), response=response)
    assert type(info.value.error) is error_class
