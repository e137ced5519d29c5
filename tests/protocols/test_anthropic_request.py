"""Golden request bodies for the Anthropic Messages protocol, one capability at a time, written from Anthropic's API
reference — and, where a recorded request exists, compared with what a real client sent and Anthropic accepted."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from dhenara_http import AIModelAPIProviderEnum, AIModelCallConfig, Prompt, ToolCallResult
from dhenara_http.errors import CapabilityError, ConfigurationError
from dhenara_http.protocols.base import decode_tool_id, encode_tool_id
from dhenara_http.types.enums import PromptMessageRoleEnum
from dhenara_http.types.prompt import GenericFile, ToolCallResultsMessage
from dhenara_http.types.response import (
    ChatResponse,
    ChatResponseChoice,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCall,
    ChatResponseToolCallContentItem,
)
from dhenara_http.types.tools import StructuredOutputConfig, ToolDefinition
from tests.protocols._anthropic_support import (
    body_of,
    call,
    model,
    recorded_request,
    sent_body,
)
from tests.support.recordings import load_record, response_json

USER = PromptMessageRoleEnum.USER
ASSISTANT = PromptMessageRoleEnum.ASSISTANT
WEATHER = ToolDefinition(
    name="get_weather",
    description="Get the current weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
WEATHER_PARAM = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def user(text: str, files: list[GenericFile] | None = None) -> Prompt:
    return Prompt(role=USER, text=text, files=files or [])


def foreign_answer(*contents: Any, provider: AIModelAPIProviderEnum = AIModelAPIProviderEnum.OPEN_AI) -> ChatResponse:
    return ChatResponse(
        model="gpt-5",
        provider="open_ai",
        api_provider=provider,
        choices=[ChatResponseChoice(contents=list(contents))],
        metadata={"wire_api": "responses"},
    )


def test_system_prompt_text_and_max_tokens() -> None:
    _, _, sent = call(
        config=AIModelCallConfig(max_output_tokens=1000), prompt="Hi", instructions=["Be brief.", "Be kind."]
    )
    assert body_of(sent[0]) == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1000,
        "system": [{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Be kind."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    }
    headers = sent[0].headers
    assert headers["x-api-key"] == "sk-ant-test"
    assert headers["anthropic-version"] == "2023-06-01"
    assert "anthropic-beta" not in headers
    assert "authorization" not in headers


def test_version_and_betas_come_from_the_api_config() -> None:
    _, _, sent = call(api_config={"api_version": "2099-01-01", "betas": ["feature-a-1", "feature-b-2"]})
    assert sent[0].headers["anthropic-version"] == "2099-01-01"
    assert sent[0].headers["anthropic-beta"] == "feature-a-1,feature-b-2"


def test_max_tokens_is_the_model_limit_or_4096_when_unknown() -> None:
    assert sent_body(ai_model=model(max_out=8192))["max_tokens"] == 8192
    # A model outside the catalogue has no known limit; Anthropic still needs max_tokens.
    assert sent_body(ai_model="claude-not-in-the-catalogue")["max_tokens"] == 4096
    assert (
        sent_body(ai_model=model(max_out=8192), config=AIModelCallConfig(max_output_tokens=50_000))["max_tokens"]
        == 8192
    )


def test_consecutive_turns_of_one_role_are_merged_and_foreign_reasoning_is_dropped() -> None:
    answer = foreign_answer(
        ChatResponseReasoningContentItem(thinking_text="private chain of thought", encrypted_content="gAAA-enc"),
        ChatResponseTextContentItem(text="First answer."),
    )
    body = sent_body(messages=[user("a"), user("b"), answer, Prompt(role=ASSISTANT, text="c"), user("d"), user("   ")])
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "First answer."}, {"type": "text", "text": "c"}]},
        {"role": "user", "content": [{"type": "text", "text": "d"}]},
    ]
    assert "private chain of thought" not in str(body)
    assert "gAAA-enc" not in str(body)


def test_options_pass_through_with_stop_and_user_mapped() -> None:
    options = {"temperature": 0.2, "top_p": 0.9, "top_k": 40, "stop": "END", "user": "u-42", "service_tier": "auto"}
    body = sent_body(config=AIModelCallConfig(options={**options, "seed": None}))
    assert {k: v for k, v in body.items() if k not in ("model", "max_tokens", "messages")} == {
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u-42"},
        "service_tier": "auto",
    }
    assert sent_body(config=AIModelCallConfig(options={"stop": ["a", "b"]}))["stop_sequences"] == ["a", "b"]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", {"type": "auto"}),
        ("required", {"type": "any"}),
        ("none", {"type": "none"}),
        ("get_weather", {"type": "tool", "name": "get_weather"}),
        (None, None),
    ],
)
def test_tools_and_tool_choice(choice: str | None, wire: dict[str, Any] | None) -> None:
    body = sent_body(config=AIModelCallConfig(tools=[WEATHER], tool_choice=choice))
    assert body["tools"] == [WEATHER_PARAM]
    assert body.get("tool_choice") == wire


def test_tool_call_and_result_round_trip_as_recorded() -> None:
    first, second = load_record("anthropic", "tool_use_turn1"), load_record("anthropic", "tool_result_turn2")
    recorded = recorded_request(second)
    question = recorded["messages"][0]["content"][0]["text"]
    schema = recorded["tools"][0]["input_schema"]
    config = AIModelCallConfig(tools=[ToolDefinition(name="get_user_country", parameters=schema)], tool_choice="auto")
    answer = call(first, config=config, prompt=question)[0].chat_response
    assert answer is not None
    tool = answer.tools()[0]
    result = ToolCallResult(call_id=tool.id, name=tool.name, output="Mexico")
    body = sent_body(config=config, messages=[user(question), answer, result])
    assert body["messages"] == recorded["messages"]
    assert body["tool_choice"] == recorded["tool_choice"]


def test_openai_style_ids_are_encoded_and_decode_back() -> None:
    original = "call_abc123|fc_0a1b2c"
    answer = foreign_answer(
        ChatResponseToolCallContentItem(
            tool_call=ChatResponseToolCall(id=original, name="get_weather", arguments={"city": "Oslo"})
        )
    )
    body = sent_body(
        config=AIModelCallConfig(tools=[WEATHER]),
        messages=[
            user("Weather in Oslo?"),
            answer,
            ToolCallResult(call_id=original, name="get_weather", output={"t": 3}),
        ],
    )
    tool_use = body["messages"][1]["content"][0]
    tool_result = body["messages"][2]["content"][0]
    assert re.fullmatch(r"[a-zA-Z0-9_-]+", tool_use["id"])
    assert tool_use == {
        "type": "tool_use",
        "id": encode_tool_id(original),
        "name": "get_weather",
        "input": {"city": "Oslo"},
    }
    assert tool_result == {
        "type": "tool_result",
        "tool_use_id": tool_use["id"],
        "content": '{"t": 3}',
        "is_error": False,
    }
    assert decode_tool_id(tool_use["id"]) == original


def test_results_without_ids_pair_with_calls_by_name_and_order() -> None:
    answer = foreign_answer(
        ChatResponseToolCallContentItem(tool_call=ChatResponseToolCall(name="get_weather", arguments={"city": "A"})),
        ChatResponseToolCallContentItem(tool_call=ChatResponseToolCall(name="get_time", arguments={})),
        provider=AIModelAPIProviderEnum.GOOGLE_AI,
    )
    results = ToolCallResultsMessage(
        results=[
            ToolCallResult(name="get_time", output="noon"),
            ToolCallResult(name="get_weather", output="sunny", is_error=True),
        ]
    )
    body = sent_body(messages=[user("q"), answer, results, user("and now?")])
    ids = [b["id"] for b in body["messages"][1]["content"]]
    assert len(set(ids)) == 2
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in ids)
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": ids[1], "content": "noon", "is_error": False},
        {"type": "tool_result", "tool_use_id": ids[0], "content": "sunny", "is_error": True},
        {"type": "text", "text": "and now?"},
    ]


def test_a_result_answering_nothing_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="call_id"):
        call(messages=[user("q"), ToolCallResult(name="nothing", output="x")])


# -- thinking ------------------------------------------------------------------------------------------------------


def test_thinking_budget_and_no_temperature() -> None:
    config = AIModelCallConfig(
        reasoning=True, max_output_tokens=16_000, max_reasoning_tokens=4000, options={"temperature": 0.5, "top_k": 5}
    )
    body = sent_body(config=config)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    # max_output_tokens is the answer's share: the budget comes on top (Anthropic counts thinking in max_tokens).
    assert body["max_tokens"] == 20_000
    assert "temperature" not in body
    assert "top_k" not in body
    assert "output_config" not in body


def test_budget_and_answer_share_max_tokens_within_the_models_limit() -> None:
    # The seeds' settings: the answer keeps its 4,000 tokens beside the 8,000 of thinking.
    seeds = sent_body(config=AIModelCallConfig(reasoning=True, max_output_tokens=4000, max_reasoning_tokens=8000))
    assert (seeds["max_tokens"], seeds["thinking"]["budget_tokens"]) == (12_000, 8000)
    # Above the model's limit the cap is the limit, and the budget stays below it.
    near = sent_body(
        ai_model=model(max_out=10_000),
        config=AIModelCallConfig(reasoning=True, max_output_tokens=9000, max_reasoning_tokens=4000),
    )
    assert (near["max_tokens"], near["thinking"]["budget_tokens"]) == (10_000, 4000)


def test_thinking_budget_defaults_and_limits() -> None:
    # The default budget is medium effort's (8,192); without a cap, max_tokens is the SDK's non-streaming default.
    default = sent_body(config=AIModelCallConfig(reasoning=True))
    assert (default["max_tokens"], default["thinking"]["budget_tokens"]) == (21_333, 8192)
    small = sent_body(config=AIModelCallConfig(reasoning=True, max_output_tokens=6000))
    assert (small["max_tokens"], small["thinking"]["budget_tokens"]) == (14_192, 8192)
    # Never above the model's budget limit.
    capped = sent_body(
        ai_model=model(max_reasoning=2048), config=AIModelCallConfig(reasoning=True, max_reasoning_tokens=9000)
    )
    assert capped["thinking"]["budget_tokens"] == 2048
    # Below Anthropic's minimum: an error naming the setting, before anything is sent.
    with pytest.raises(ConfigurationError, match=r"max_reasoning_tokens=500 .* at least 1024"):
        call(config=AIModelCallConfig(reasoning=True, max_reasoning_tokens=500))


def test_an_effort_on_a_budget_model_is_a_budget() -> None:
    for effort, budget in (("low", 1024), ("medium", 8192), ("high", 24_576), ("max", 32_000), ("minimal", 1024)):
        body = sent_body(
            ai_model=model(max_reasoning=32_000), config=AIModelCallConfig(reasoning=True, reasoning_effort=effort)
        )
        assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}, effort
        assert "output_config" not in body


def test_adaptive_thinking_with_effort() -> None:
    adaptive = model("claude-opus-4-7", control="adaptive", efforts=("low", "medium", "high", "xhigh", "max"))
    body = sent_body(ai_model=adaptive, config=AIModelCallConfig(reasoning=True, reasoning_effort="medium"))
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert body["output_config"] == {"effort": "medium"}
    plain = sent_body(ai_model=adaptive, config=AIModelCallConfig(reasoning=True, options={"temperature": 1}))
    assert plain["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert "output_config" not in plain
    assert "temperature" not in plain
    assert sent_body(ai_model=adaptive, config=AIModelCallConfig(reasoning=True, reasoning_effort="minimal"))[
        "output_config"
    ] == {"effort": "low"}
    limited = model("claude-opus-4-6", control="adaptive", efforts=("low", "medium", "high", "max"))
    with pytest.raises(CapabilityError, match="xhigh"):
        call(ai_model=limited, config=AIModelCallConfig(reasoning=True, reasoning_effort="xhigh"))


def test_effort_models_take_a_budget_and_an_effort() -> None:
    opus45 = model("claude-opus-4-5", control="effort", efforts=("low", "medium", "high"), max_reasoning=32_000)
    body = sent_body(
        ai_model=opus45, config=AIModelCallConfig(reasoning=True, reasoning_effort="low", max_reasoning_tokens=2000)
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert body["output_config"] == {"effort": "low"}
    # The effort alone also stands for a budget.
    alone = sent_body(ai_model=opus45, config=AIModelCallConfig(reasoning=True, reasoning_effort="high"))
    assert alone["thinking"] == {"type": "enabled", "budget_tokens": 24_576}
    assert alone["output_config"] == {"effort": "high"}


def test_a_budget_on_an_adaptive_model_is_an_effort() -> None:
    adaptive = model("claude-opus-4-7", control="adaptive", efforts=("low", "medium", "high", "xhigh", "max"))
    for budget, effort in ((1000, "low"), (2000, "low"), (8000, "medium"), (30_000, "high")):
        body = sent_body(
            ai_model=adaptive,
            config=AIModelCallConfig(reasoning=True, max_output_tokens=2000, max_reasoning_tokens=budget),
        )
        assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
        assert body["output_config"] == {"effort": effort}, budget
        # The budget makes room for thinking in max_tokens.
        assert body["max_tokens"] == 2000 + budget


def test_no_thinking_unless_asked_and_none_effort_means_none() -> None:
    assert "thinking" not in sent_body()
    assert "thinking" not in sent_body(config=AIModelCallConfig(reasoning=True, reasoning_effort="none"))
    with pytest.raises(CapabilityError):
        call(ai_model=model(control=None), config=AIModelCallConfig(reasoning=True))


def test_forcing_a_tool_while_thinking_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="thinking"):
        call(config=AIModelCallConfig(reasoning=True, tools=[WEATHER], tool_choice="required"))


def test_thinking_is_replayed_to_the_same_family_exactly_as_recorded() -> None:
    first, second = load_record("anthropic", "thinking_turn1"), load_record("anthropic", "thinking_turn2_replay")
    recorded = recorded_request(second)
    config = AIModelCallConfig(reasoning=True, max_reasoning_tokens=recorded["thinking"]["budget_tokens"])
    claude = model(max_out=recorded["max_tokens"])
    questions = [m["content"][0]["text"] for m in recorded["messages"] if m["role"] == "user"]
    answer = call(first, ai_model=claude, config=config, prompt=questions[0])[0].chat_response
    assert answer is not None
    body = sent_body(ai_model=claude, config=config, messages=[user(questions[0]), answer, user(questions[1])])
    assert body == {k: v for k, v in recorded.items() if k != "stream"}


def test_thinking_of_another_family_is_dropped() -> None:
    record = load_record("anthropic", "thinking_turn1")
    answer = call(record, config=AIModelCallConfig(reasoning=True))[0].chat_response
    assert answer is not None
    # The same answer as if it had come from Claude on Bedrock: signatures do not travel across hosts.
    bedrock = answer.model_copy(update={"api_provider": AIModelAPIProviderEnum.AMAZON_BEDROCK})
    body = sent_body(messages=[user("q"), bedrock, user("next")])
    text = response_json(record)["content"][1]["text"]
    assert body["messages"][1] == {"role": "assistant", "content": [{"type": "text", "text": text}]}


def test_replay_restores_block_order_and_server_tool_blocks() -> None:
    record = load_record("anthropic", "advisor_server_tool")
    answer = call(record)[0].chat_response  # reasoning not asked: the empty thinking item was moved back
    assert answer is not None
    assert answer.choices[0].contents[0].type != "reasoning"
    body = sent_body(messages=[user("q"), answer, user("next")])
    assert body["messages"][1]["content"] == response_json(record)["content"]


def test_redacted_thinking_is_replayed_with_its_data() -> None:
    record = load_record("anthropic", "stream_redacted_thinking")
    items = call(record, config=AIModelCallConfig(streaming=True, reasoning=True))[1]
    answer = items[-1][1].chat_response
    body = sent_body(messages=[user("q"), answer, user("next")])
    replayed = body["messages"][1]["content"]
    redacted = [b for b in replayed if b["type"] == "redacted_thinking"]
    assert len(redacted) == 2
    assert all(set(b) == {"type", "data"} and b["data"] for b in redacted)
    assert [b["type"] for b in replayed] == ["redacted_thinking", "redacted_thinking", "text"]


# -- structured output ---------------------------------------------------------------------------------------------


def test_native_structured_output_as_recorded() -> None:
    record = load_record("anthropic", "native_output_format")
    recorded = recorded_request(record)
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}, "population": {"type": "integer"}},
    }
    native = model(max_out=recorded["max_tokens"], native=True)
    config = AIModelCallConfig(structured_output=schema)
    result, _, sent = call(record, ai_model=native, config=config, prompt=recorded["messages"][0]["content"][0]["text"])
    assert body_of(sent[0]) == {k: v for k, v in recorded.items() if k != "stream"}
    response = result.chat_response
    assert response is not None
    assert response.structured() == json.loads(response_json(record)["content"][0]["text"])
    assert "structured_via_tool" not in response.metadata


def test_structured_output_through_a_forced_tool() -> None:
    record = load_record("anthropic", "json_tool")
    schema = {"type": "object", "properties": {"elements": {"type": "array"}}}
    config = AIModelCallConfig(structured_output=StructuredOutputConfig(name="json", json_schema=schema))
    result, _, sent = call(record, config=config)
    body = body_of(sent[0])
    assert body["tools"] == [
        {
            "name": "json",
            "description": "Give the final answer as this tool's input, following its schema.",
            "input_schema": schema,
        }
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "json"}
    assert "output_config" not in body
    response = result.chat_response
    assert response is not None
    assert response.structured() == response_json(record)["content"][0]["input"]
    assert response.tools() == []
    assert response.metadata["structured_via_tool"] is True
    assert response.finish_reason == "stop"
    assert response.choices[0].metadata["native_finish_reason"] == "tool_use"


def test_forced_structured_tool_beside_other_tools_and_with_thinking() -> None:
    so = StructuredOutputConfig(name="Answer", json_schema={"type": "object", "properties": {"x": {"type": "integer"}}})
    both = sent_body(config=AIModelCallConfig(tools=[WEATHER], structured_output=so))
    assert [t["name"] for t in both["tools"]] == ["get_weather", "Answer"]
    assert both["tool_choice"] == {"type": "any"}
    thinking = sent_body(config=AIModelCallConfig(structured_output=so, reasoning=True))
    assert thinking["tool_choice"] == {"type": "auto"}
    clash = StructuredOutputConfig(name="get_weather", json_schema={"type": "object"})
    with pytest.raises(ConfigurationError, match="get_weather"):
        call(config=AIModelCallConfig(tools=[WEATHER], structured_output=clash))


# -- files ---------------------------------------------------------------------------------------------------------


def test_image_pdf_and_text_files() -> None:
    png, pdf = b"\x89PNG\r\n\x1a\nfake", b"%PDF-1.4 fake"
    files = [
        GenericFile(name="a.png", media_type="image/png", data=png),
        GenericFile(media_type="image/jpeg", url="https://example.com/b.jpg"),
        GenericFile(name="c.pdf", media_type="application/pdf", data=pdf),
        GenericFile(media_type="application/pdf", url="https://example.com/d.pdf"),
        GenericFile(name="e.txt", media_type="text/plain", text="some notes"),
    ]
    body = sent_body(prompt=user("Describe these.", files))
    assert body["messages"][0]["content"] == [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(png).decode()},
        },
        {"type": "image", "source": {"type": "url", "url": "https://example.com/b.jpg"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(pdf).decode()},
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/d.pdf"}},
        {"type": "text", "text": "some notes"},
        {"type": "text", "text": "Describe these."},
    ]


def test_image_url_block_is_what_anthropic_accepted() -> None:
    recorded = recorded_request(load_record("anthropic", "image_url_input"))
    accepted = [b for b in recorded["messages"][0]["content"] if b["type"] == "image"]
    url = accepted[0]["source"]["url"]
    body = sent_body(prompt=user("What is this vegetable?", [GenericFile(media_type="image/jpeg", url=url)]))
    assert [b for b in body["messages"][0]["content"] if b["type"] == "image"] == accepted


def test_unsupported_files_are_refused() -> None:
    with pytest.raises(CapabilityError):
        call(prompt=user("x", [GenericFile(media_type="audio/wav", data=b"RIFF")]))


def test_stream_flag() -> None:
    _, _, sent = call(load_record("anthropic", "stream_text"), config=AIModelCallConfig(streaming=True))
    assert body_of(sent[0])["stream"] is True
    assert sent[0].headers["accept"] == "text/event-stream"


def test_vertex_body_and_path() -> None:
    from dhenara_http import AIModelAPI, AIModelEndpoint
    from dhenara_http.hosts import host_for
    from dhenara_http.protocols import anthropic as anthropic_messages  # the wire module
    from dhenara_http.protocols.base import CallContext

    api = AIModelAPI(
        provider=AIModelAPIProviderEnum.GOOGLE_VERTEX_AI,
        credentials={"access_token": "token"},
        config={"project_id": "proj", "location": "us-east5"},
    )
    ep = AIModelEndpoint(api=api, ai_model=model(max_out=1000))
    ctx = CallContext(ep, AIModelCallConfig(), host_for(api), [], [user("hi")], stream=True)
    wire = anthropic_messages.build_request(ctx)
    assert (
        wire.path == "/projects/proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict"
    )
    assert wire.json == {
        "anthropic_version": "vertex-2023-10-16",
        "max_tokens": 1000,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "stream": True,
    }
    assert "anthropic-version" not in wire.headers
