"""Chat Completions answers (not streamed), recorded from OpenAI, Azure OpenAI, DeepSeek, Groq, Mistral, OpenRouter and
Ollama, read through the public client and checked against what the raw JSON says."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.enums import FinishReason
from tests.protocols._chat_completions_support import NATIVE_FINISH, call, expected, json_records
from tests.support.recordings import load_record, response_json

JSON_RECORDS = json_records()


@pytest.mark.parametrize(("name", "record"), JSON_RECORDS, ids=[n for n, _ in JSON_RECORDS])
def test_recorded_answer_is_parsed_as_the_json_says(name: str, record: dict[str, Any]) -> None:
    raw = response_json(record)
    want = expected(raw)
    result, _, sent = call(record)
    response = result.chat_response
    assert response is not None
    assert len(sent) == 1
    assert response.metadata["wire_api"] == "chat_completions"
    assert response.metadata["response_id"] == raw["id"]
    assert response.provider_response == raw
    assert response.model == raw["model"]
    assert (response.text() or "") == want["text"]
    assert response.reasoning() == want["reasoning"]
    assert [(t.id, t.name, t.arguments) for t in response.tools()] == want["tools"]
    choice = response.choices[0]
    assert choice.metadata["native_finish_reason"] == want["finish"]
    assert choice.finish_reason == FinishReason(NATIVE_FINISH[want["finish"]])
    usage = response.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (
        want["prompt_tokens"],
        want["completion_tokens"],
        want["total_tokens"],
    )
    assert usage.cache_read_tokens == want["cached"]
    assert usage.reasoning_tokens == want["reasoning_tokens"]
    # Item order: reasoning first, then the answer's text, then tool calls; indexes are positions.
    kinds = [c.type for c in choice.contents]
    assert kinds == sorted(kinds, key=[T.REASONING, T.TEXT, T.TOOL_CALL].index)
    assert [c.index for c in choice.contents] == list(range(len(kinds)))


def test_plain_answer_is_the_first_content_item() -> None:
    record = load_record("chat_completions", "openai_chat__text")
    result, _, _ = call(record)
    assert result.chat_response is not None
    first = result.chat_response.choices[0].contents[0]
    assert first.get_text() == response_json(record)["choices"][0]["message"]["content"]


def test_cost_is_computed_from_the_catalogue_prices() -> None:
    """gpt-4o is in the catalogue: the usage of a recorded answer is priced (cached input at the cache price)."""
    record = load_record("chat_completions", "openai_chat__tool_call")
    result, _, _ = call(record, model="gpt-4o")
    response = result.chat_response
    assert response is not None
    assert response.usage_charge is not None
    usage = response_json(record)["usage"]
    expected_cost = (usage["prompt_tokens"] * 2.5 + usage["completion_tokens"] * 10.0) / 1_000_000
    assert response.usage_charge.cost == pytest.approx(expected_cost)


def test_deepseek_cache_hit_tokens_are_cache_reads_inside_prompt_tokens() -> None:
    record = load_record("chat_completions", "deepseek__thinking_tool_loop_turn1")
    usage = response_json(record)["usage"]
    result, _, _ = call(record)
    got = result.chat_response.usage  # type: ignore[union-attr]
    assert got is not None
    assert got.cache_read_tokens == usage["prompt_cache_hit_tokens"]
    assert got.prompt_tokens == usage["prompt_cache_hit_tokens"] + usage["prompt_cache_miss_tokens"]
    assert got.reasoning_tokens == usage["completion_tokens_details"]["reasoning_tokens"]


def test_openrouter_cache_write_tokens() -> None:
    record = load_record("chat_completions", "openrouter__cache_write_tokens")
    details = response_json(record)["usage"]["prompt_tokens_details"]
    result, _, _ = call(record)
    usage = result.chat_response.usage  # type: ignore[union-attr]
    assert usage is not None
    assert usage.cache_write_tokens == details["cache_write_tokens"]
    assert usage.cache_read_tokens == details["cached_tokens"]


def test_mistral_thinking_parts_become_a_reasoning_item() -> None:
    record = load_record("chat_completions", "mistral__thinking_parts")
    parts = response_json(record)["choices"][0]["message"]["content"]
    result, _, _ = call(record)
    contents = result.chat_response.choices[0].contents  # type: ignore[union-attr]
    assert [c.type for c in contents] == [T.REASONING, T.TEXT]
    assert contents[0].get_text() == parts[0]["thinking"][0]["text"]
    assert contents[1].get_text() == parts[1]["text"]


def test_structured_output_answer_becomes_structured_data() -> None:
    record = load_record("chat_completions", "groq__structured_output_reasoning")
    schema = json.loads(record["request_body"])["response_format"]["json_schema"]["schema"]
    config = AIModelCallConfig(structured_output=schema)
    result, _, _ = call(record, config=config)
    response = result.chat_response
    assert response is not None
    content = response_json(record)["choices"][0]["message"]["content"]
    assert response.structured() == json.loads(content)
    assert response.reasoning() == response_json(record)["choices"][0]["message"]["reasoning"]


def _answer(message: dict[str, Any], finish: str | None = "stop", **extra: Any) -> httpx.Response:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        **extra,
    }
    return httpx.Response(200, json=body)


def test_refusal_is_a_text_item_marked_as_refusal_with_content_filter() -> None:
    # OpenAI's documented refusal shape (structured outputs): content null, refusal text.
    refusal = "I'm sorry, I cannot help with that."
    result, _, _ = call(None, response=_answer({"content": None, "refusal": refusal}))
    choice = result.chat_response.choices[0]  # type: ignore[union-attr]
    assert [c.get_text() for c in choice.contents] == [refusal]
    assert choice.contents[0].metadata["refusal"] is True
    assert choice.finish_reason == FinishReason.CONTENT_FILTER
    assert choice.metadata["native_finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("native", "normalised"),
    [
        ("stop", FinishReason.STOP),
        ("length", FinishReason.MAX_TOKENS),
        ("tool_calls", FinishReason.TOOL_USE),
        ("function_call", FinishReason.TOOL_USE),
        ("content_filter", FinishReason.CONTENT_FILTER),
        ("something_new", FinishReason.OTHER),
    ],
)
def test_finish_reasons_are_normalised_and_the_native_one_kept(native: str, normalised: FinishReason) -> None:
    result, _, _ = call(None, response=_answer({"content": "x"}, finish=native))
    choice = result.chat_response.choices[0]  # type: ignore[union-attr]
    assert choice.finish_reason == normalised
    assert choice.metadata["native_finish_reason"] == native


def test_tool_calls_with_finish_reason_stop_are_tool_use() -> None:
    """Some compatible servers (Ollama, older vLLM) answer ``stop`` while calling tools."""
    call_json = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    result, _, _ = call(None, response=_answer({"content": None, "tool_calls": [call_json]}, finish="stop"))
    response = result.chat_response
    assert response is not None
    assert response.finish_reason == FinishReason.TOOL_USE
    assert response.tools()[0].arguments == {"a": 1}


def test_legacy_function_call_is_a_tool_call() -> None:
    fc = {"name": "lookup", "arguments": '{"q": "x"}'}
    result, _, _ = call(None, response=_answer({"content": None, "function_call": fc}, finish="function_call"))
    tools = result.chat_response.tools()  # type: ignore[union-attr]
    assert [(t.name, t.arguments) for t in tools] == [("lookup", {"q": "x"})]


def test_unparseable_tool_arguments_are_kept_not_lost() -> None:
    call_json = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": '}}
    result, _, _ = call(None, response=_answer({"content": None, "tool_calls": [call_json]}, finish="tool_calls"))
    tool = result.chat_response.tools()[0].tool_call  # type: ignore[union-attr]
    assert tool.raw_arguments == '{"a": '
    assert tool.parse_error


def test_several_choices() -> None:
    body = {
        "id": "chatcmpl-n",
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "one"}, "finish_reason": "stop"},
            {"index": 1, "message": {"role": "assistant", "content": "two"}, "finish_reason": "length"},
        ],
    }
    result, _, _ = call(None, response=httpx.Response(200, json=body))
    choices = result.chat_response.choices  # type: ignore[union-attr]
    assert [(c.index, c.contents[0].get_text(), c.finish_reason) for c in choices] == [
        (0, "one", FinishReason.STOP),
        (1, "two", FinishReason.MAX_TOKENS),
    ]
    assert result.chat_response.usage is None  # type: ignore[union-attr]


def test_groq_usage_inside_x_groq_is_read() -> None:
    body = {
        "id": "x",
        "model": "llama",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "x_groq": {"id": "req", "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}},
    }
    result, _, _ = call(None, provider="groq", model="llama", response=httpx.Response(200, json=body))
    usage = result.chat_response.usage  # type: ignore[union-attr]
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (3, 1)
