"""``test_mode=True``: a canned answer shaped like the endpoint's real one — usage, finish reasons, reasoning, tool
calls, structured output, streaming — and never a request on the network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from pydantic import BaseModel, Field

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    CapabilityError,
    ChatResponse,
    ChatResponseReasoningContentItem,
    FinishReason,
    ToolDefinition,
)
from dhenara_http._test_mode import example_for_schema
from dhenara_http.foundation_models import Claude37Sonnet, DeepseekFlash, Gemini25Flash, GPT4oMini, O3Mini
from dhenara_http.types.stream import (
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)

# (api provider, api config, model, the protocol NAME, the wire's native finish reasons for stop / tool call)
WIRES = {
    "responses": ("openai", {}, GPT4oMini, "completed", "completed"),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}, GPT4oMini, "stop", "tool_calls"),
    "anthropic": ("anthropic", {}, Claude37Sonnet, "end_turn", "tool_use"),
    "gemini": ("google_gemini_api", {}, Gemini25Flash, "STOP", "STOP"),
    "deepseek": ("deepseek", {}, DeepseekFlash, "stop", "tool_calls"),
}


class Weather(BaseModel):
    city: str
    days: int = Field(ge=1)
    unit: str = Field(json_schema_extra={"enum": ["c", "f"]})
    tags: list[str]


WEATHER_TOOL = ToolDefinition(
    name="get_weather",
    description="Weather for a city",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1},
            "unit": {"type": "string", "enum": ["c", "f"]},
        },
        "required": ["city", "days"],
    },
)


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        route = mock.route()  # any request would land here
        yield
    assert not route.called, "test mode sent a request"


def client(wire: str, **config: Any) -> AIModelClient:
    provider, api_config, model, _, _ = WIRES[wire]
    api = AIModelAPI(provider=provider, api_key="sk-test", config=api_config)
    return AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(test_mode=True, **config))


def answer(wire: str, prompt: str = "What is the weather like?", **config: Any) -> ChatResponse:
    result = client(wire, **config).generate(prompt)
    assert result.chat_response is not None
    assert result.status is not None
    assert result.status.successful
    return result.chat_response


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_plain_answer_is_shaped_like_the_wires(wire: str) -> None:
    response = answer(wire)
    _, _, model, native_stop, _ = WIRES[wire]
    assert response.metadata["test_mode"] is True
    assert response.metadata["wire_api"] == (wire if wire != "deepseek" else "chat_completions")
    assert response.metadata["response_id"]
    assert response.model == model.model_name
    text = response.text()
    assert text is not None
    assert model.model_name in text
    assert "What is the weather like?" in text
    assert response.choices[0].contents[0].get_text() == text
    assert response.finish_reason == FinishReason.STOP
    assert response.choices[0].metadata["native_finish_reason"] == native_stop
    usage = response.usage
    assert usage is not None
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens == len(text.split())
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.reasoning_tokens == 0  # ints on every wire, 0 when none
    assert response.usage_charge is not None
    assert response.usage_charge.cost > 0
    # The request a real call would send was built (and no network used).
    request = response.metadata["test_mode_request"]
    assert request["method"] == "POST"
    assert "What is the weather like?" in json.dumps(request["json"])


def test_repeating_a_call_repeats_its_answer() -> None:
    assert answer("responses") == answer("responses")
    assert answer("responses", "other").metadata["response_id"] != answer("responses").metadata["response_id"]


@pytest.mark.parametrize(
    ("wire", "model", "check"),
    [
        ("responses", O3Mini, lambda r: r.thinking_id.startswith("rs_") and r.thinking_summary),
        ("anthropic", Claude37Sonnet, lambda r: r.thinking_signature and r.thinking_text),
        ("gemini", Gemini25Flash, lambda r: r.thinking_text and not r.thinking_signature),
    ],
)
def test_reasoning_when_asked(wire: str, model: Any, check: Any) -> None:
    provider, api_config, _, _, _ = WIRES[wire]
    api = AIModelAPI(provider=provider, api_key="sk-test", config=api_config)
    result = AIModelClient(
        AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(test_mode=True, reasoning=True)
    ).generate("Think about it")
    response = result.chat_response
    assert response is not None
    first = response.choices[0].contents[0]
    assert isinstance(first, ChatResponseReasoningContentItem)
    assert check(first)
    assert response.reasoning() == first.get_text()
    usage = response.usage
    assert usage is not None
    assert usage.reasoning_tokens == len(first.get_text().split())
    assert usage.completion_tokens == usage.reasoning_tokens + len((response.text() or "").split())


@pytest.mark.parametrize("wire", sorted(WIRES))
@pytest.mark.parametrize("choice", ["required", "get_weather"])
def test_a_forced_tool_is_called_with_arguments_that_fit_its_schema(wire: str, choice: str) -> None:
    response = answer(wire, tools=[WEATHER_TOOL], tool_choice=choice)
    _, _, _, _, native_tool = WIRES[wire]
    (call,) = response.tools()
    assert call.name == "get_weather"
    assert call.id
    assert call.arguments["city"] == "test"
    assert call.arguments["days"] >= 1
    assert call.arguments["unit"] in ("c", "f")
    assert response.finish_reason == FinishReason.TOOL_USE
    assert response.choices[0].metadata["native_finish_reason"] == native_tool
    assert response.text() is None


def test_an_unforced_tool_is_not_called() -> None:
    response = answer("responses", tools=[WEATHER_TOOL])
    assert response.tools() == []
    assert response.finish_reason == FinishReason.STOP


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_structured_output_fits_the_schema(wire: str) -> None:
    response = answer(wire, structured_output=Weather)
    data = response.structured()
    assert data is not None
    parsed = response.parsed()
    assert isinstance(parsed, Weather)
    assert parsed.days >= 1
    assert parsed.unit == "c"
    assert parsed.tags == ["test"]


def test_the_output_cap_cuts_the_answer() -> None:
    response = answer("responses", max_output_tokens=3)
    assert response.finish_reason == FinishReason.MAX_TOKENS
    assert response.choices[0].metadata["native_finish_reason"] == "incomplete"
    assert len((response.text() or "").split()) == 3
    assert response.usage is not None
    assert response.usage.completion_tokens == 3


def collect(result: Any) -> tuple[list[Any], ChatResponse]:
    chunks, final = [], None
    for chunk, accumulated in result.stream_generator:
        if chunk:
            chunks.append(chunk)
        if accumulated:
            final = accumulated.chat_response
    assert final is not None
    return chunks, final


@pytest.mark.parametrize("wire", sorted(WIRES))
@pytest.mark.parametrize(
    "config", [{}, {"tools": [WEATHER_TOOL], "tool_choice": "required"}, {"structured_output": Weather}]
)
def test_a_stream_gives_the_same_answer_in_pieces(wire: str, config: dict[str, Any]) -> None:
    plain = answer(wire, **config)
    chunks, final = collect(client(wire, streaming=True, **config).generate("What is the weather like?"))
    # Equal but for the request that was built, which says ``stream`` for the stream.
    sent_streamed = final.metadata.pop("test_mode_request")
    assert sent_streamed != plain.metadata.pop("test_mode_request")
    assert final == plain
    assert chunks
    for chunk in chunks:  # the public snippet never fails
        chunk.data.choice_deltas[0].content_deltas[0].get_text_delta()
    deltas = [d for c in chunks for d in c.data.choice_deltas[0].content_deltas]
    text = "".join(d.text_delta for d in deltas if isinstance(d, ChatResponseTextContentItemDelta))
    arguments = "".join(d.arguments_delta for d in deltas if isinstance(d, ChatResponseToolCallContentItemDelta))
    if final.tools():
        assert json.loads(arguments) == final.tools()[0].arguments
        assert any(d.tool_name == "get_weather" for d in deltas if isinstance(d, ChatResponseToolCallContentItemDelta))
    else:
        assert text == final.choices[0].contents[0].get_text()
    assert chunks[-1].data.choice_deltas[0].finish_reason == final.finish_reason


def test_a_stream_with_reasoning_streams_it_first() -> None:
    api = AIModelAPI(provider="anthropic", api_key="sk-test")
    config = AIModelCallConfig(test_mode=True, streaming=True, reasoning=True)
    chunks, final = collect(AIModelClient(AIModelEndpoint(api=api, ai_model=Claude37Sonnet), config).generate("hm"))
    deltas = [c.data.choice_deltas[0].content_deltas[0] for c in chunks]
    assert isinstance(deltas[0], ChatResponseReasoningContentItemDelta)
    thought = "".join(d.text_delta for d in deltas if isinstance(d, ChatResponseReasoningContentItemDelta))
    assert thought == final.reasoning()
    signature = [d.thinking_signature for d in deltas if isinstance(d, ChatResponseReasoningContentItemDelta)]
    assert final.choices[0].contents[0].thinking_signature in signature  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_the_async_client_streams_in_test_mode() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    config = AIModelCallConfig(test_mode=True, streaming=True)
    async with AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), config, is_async=True) as c:
        result = await c.generate_async("hello async")
        assert result.async_stream_generator is not None
        items = [item async for item in result.async_stream_generator]
    assert items[-1][0] is None
    final = items[-1][1].chat_response
    assert "hello async" in (final.text() or "")
    assert "".join(i[0].data.choice_deltas[0].content_deltas[0].get_text_delta() for i in items[:-1]) == final.text()


def test_capability_errors_are_raised_in_test_mode_and_before_the_stream() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    config = AIModelCallConfig(test_mode=True, streaming=True, reasoning=True)
    with pytest.raises(CapabilityError, match="gpt-4o-mini does not support reasoning"):
        AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), config).generate("hi")


def test_example_values_fit_common_schemas() -> None:
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "score": {"type": "number", "exclusiveMinimum": 0},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
            "kind": {"const": "fixed"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 2},
            "code": {"type": "string", "minLength": 8},
        },
        "$defs": {"Item": {"type": "object", "properties": {"ok": {"type": "boolean"}}}},
    }
    assert example_for_schema(schema) == {
        "when": "2026-01-01T00:00:00Z",
        "mail": "test@example.com",
        "score": 1.0,
        "maybe": 0,
        "kind": "fixed",
        "items": [{"ok": True}, {"ok": True}],
        "code": "testxxxx",
    }
