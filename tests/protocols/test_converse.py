"""Bedrock Converse: request bodies (golden, from the Converse API reference; and rebuilt from recorded
conversations), answers, streams and errors read from recorded Bedrock traffic (``fixtures/converse``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import BaseModel

from dhenara_http import AIModelCallConfig, Prompt, ToolCallResult, ToolDefinition
from dhenara_http.errors import (
    BadRequestError,
    CapabilityError,
    ConfigurationError,
    NotFoundError,
    OverloadedError,
    RateLimitError,
    ResponseParseError,
)
from dhenara_http.protocols import converse
from dhenara_http.types.enums import FinishReason, PromptMessageRoleEnum
from dhenara_http.types.prompt import GenericFile
from dhenara_http.types.response import (
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutputContentItem,
    ChatResponseToolCallContentItem,
)
from dhenara_http.types.stream import ChatResponseToolCallContentItemDelta
from tests.protocols._converse_support import CLAUDE_ID, claude, context, final_of, nova, run_stream
from tests.support.recordings import load_record, request_json, response_json

WEATHER = ToolDefinition(
    function={
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def user(text: str, files: list[GenericFile] | None = None) -> Prompt:
    return Prompt(role=PromptMessageRoleEnum.USER, text=text, files=files or [])


def body_of(ctx: Any) -> dict[str, Any]:
    wire = converse.build_request(ctx)
    assert wire.json is not None
    return wire.json


# -- requests: golden bodies ---------------------------------------------------------------------------------------


def test_path_quotes_the_model_id_and_stream_path() -> None:
    wire = converse.build_request(context([user("hi")]))
    assert wire.method == "POST"
    assert wire.path == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
    streamed = converse.build_request(context([user("hi")], stream=True))
    assert streamed.path == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream"
    assert streamed.stream is True
    assert "stream" not in (streamed.json or {})


def test_system_turns_and_inference_config() -> None:
    config = AIModelCallConfig(
        max_output_tokens=300, options={"temperature": 0.2, "top_p": 0.9, "stop": "END", "top_k": 40}
    )
    ctx = context(
        [user("Hello"), Prompt(role=PromptMessageRoleEnum.ASSISTANT, text="Hi!"), user("Bye")],
        config=config,
        instructions=["Be brief.", "  "],
    )
    assert body_of(ctx) == {
        "system": [{"text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [{"text": "Hello"}]},
            {"role": "assistant", "content": [{"text": "Hi!"}]},
            {"role": "user", "content": [{"text": "Bye"}]},
        ],
        "inferenceConfig": {"maxTokens": 300, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
        "additionalModelRequestFields": {"top_k": 40},
    }


def test_tools_tool_choice_and_tool_turns() -> None:
    config = AIModelCallConfig(tools=[WEATHER], tool_choice="one_or_more")
    first = body_of(context([user("Weather in Paris?")], config=config))
    assert first["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Weather in a city",
                    "inputSchema": {
                        "json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
                    },
                }
            }
        ],
        "toolChoice": {"any": {}},
    }
    answer = converse.parse_response(
        response_json(load_record("converse", "amazon-bedrock-tool-call_1_0")), context([])
    )
    results = ToolCallResult(call_id="tool-use-id", name="bash", output={"ok": True})
    body = body_of(context([user("Go"), answer, results], config=AIModelCallConfig(tools=[WEATHER])))
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "tool-use-id", "name": "bash", "input": {"command": "ls -l"}}}],
    }
    assert body["messages"][2]["content"][0]["toolResult"]["toolUseId"] == "tool-use-id"
    assert json.loads(body["messages"][2]["content"][0]["toolResult"]["content"][0]["text"]) == {"ok": True}
    assert "toolChoice" not in body["toolConfig"]


def test_tool_choice_none_and_specific() -> None:
    none = body_of(context([user("x")], config=AIModelCallConfig(tools=[WEATHER], tool_choice="none")))
    assert "toolConfig" not in none  # Converse has no "none": no tools are offered
    named = body_of(context([user("x")], config=AIModelCallConfig(tools=[WEATHER], tool_choice="get_weather")))
    assert named["toolConfig"]["toolChoice"] == {"tool": {"name": "get_weather"}}


def test_tool_ids_made_safe_reversibly() -> None:
    answer = converse.parse_response(
        {
            "output": {
                "message": {
                    "role": "assistant",
                    "content": [
                        {"toolUse": {"toolUseId": "functions.get_weather:0", "name": "get_weather", "input": {}}}
                    ],
                }
            },
            "stopReason": "tool_use",
        },
        context([]),
    )
    body = body_of(
        context(
            [user("x"), answer, ToolCallResult(call_id="functions.get_weather:0", output="sun")],
            config=AIModelCallConfig(tools=[WEATHER]),
        )
    )
    sent = body["messages"][1]["content"][0]["toolUse"]["toolUseId"]
    assert sent != "functions.get_weather:0"
    assert all(c.isalnum() or c in "_-" for c in sent)
    assert body["messages"][2]["content"][0]["toolResult"]["toolUseId"] == sent


def test_claude_thinking_budget_and_no_temperature() -> None:
    config = AIModelCallConfig(
        reasoning=True, max_reasoning_tokens=2048, max_output_tokens=8000, options={"temperature": 0.5}
    )
    body = body_of(context([user("think")], config=config))
    assert body["additionalModelRequestFields"] == {"thinking": {"type": "enabled", "budget_tokens": 2048}}
    # max_output_tokens is the answer's share; the budget comes on top (docs/reasoning.md).
    assert body["inferenceConfig"] == {"maxTokens": 10_048}


def test_adaptive_thinking_with_effort() -> None:
    config = AIModelCallConfig(reasoning=True, reasoning_effort="high")
    body = body_of(context([user("think")], config=config, model=claude(control="adaptive")))
    assert body["additionalModelRequestFields"] == {
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
    }


def test_images_and_documents_as_bytes() -> None:
    pdf = GenericFile(name="Q3 report (final).v2.pdf", media_type="application/pdf", data=b"%PDF-1.4 x")
    image = GenericFile(name="cat.png", media_type="image/png", data=PNG)
    body = body_of(context([user("Describe", [image, pdf])]))
    assert body["messages"][0]["content"] == [
        {"image": {"format": "png", "source": {"bytes": base64.b64encode(PNG).decode()}}},
        {
            "document": {
                "format": "pdf",
                "name": "Q3 report (final)-v2",
                "source": {"bytes": base64.b64encode(b"%PDF-1.4 x").decode()},
            }
        },
        {"text": "Describe"},
    ]
    s3 = GenericFile(name="a.png", media_type="image/png", url="s3://bucket/a.png")
    assert body_of(context([user("x", [s3])]))["messages"][0]["content"][0] == {
        "image": {"format": "png", "source": {"s3Location": {"uri": "s3://bucket/a.png"}}}
    }
    web = GenericFile(name="a.png", media_type="image/png", url="https://example.com/a.png")
    with pytest.raises(CapabilityError, match="s3://"):
        body_of(context([user("x", [web])]))


class City(BaseModel):
    city: str
    population: int


def test_structured_output_forced_tool_and_native() -> None:
    forced = body_of(context([user("Paris?")], config=AIModelCallConfig(structured_output=City), model=nova()))
    assert forced["toolConfig"]["toolChoice"] == {"tool": {"name": "City"}}
    assert forced["toolConfig"]["tools"][0]["toolSpec"]["name"] == "City"
    native = body_of(
        context([user("Paris?")], config=AIModelCallConfig(structured_output=City), model=claude(native=True))
    )
    fmt = native["outputConfig"]["textFormat"]
    assert fmt["type"] == "json_schema"
    assert json.loads(fmt["structure"]["jsonSchema"]["schema"])["required"] == ["city", "population"]
    assert "toolConfig" not in native
    # The forced tool's input is the structured output.
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": "t1", "name": "City", "input": {"city": "Paris", "population": 2}}}
                ],
            }
        },
        "stopReason": "tool_use",
    }
    parsed = converse.parse_response(
        answer, context([], config=AIModelCallConfig(structured_output=City), model=nova())
    )
    item = parsed.choices[0].contents[0]
    assert isinstance(item, ChatResponseStructuredOutputContentItem)
    assert item.structured_output.structured_data == {"city": "Paris", "population": 2}
    assert parsed.choices[0].finish_reason == FinishReason.STOP


# -- requests rebuilt from recorded conversations -----------------------------------------------------------------


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A recorded body without the empty fields its client always sends."""
    return {k: v for k, v in body.items() if v not in ([], {})}


def test_reasoning_replay_matches_the_recorded_second_turn() -> None:
    """pydantic-ai's Claude thinking conversation: our replay of the recorded first answer gives the recorded
    second request (reasoning with its signature, then the text)."""
    first = load_record("converse", "bedrock_model_thinking_part_anthropic_legacy_0")
    second = load_record("converse", "bedrock_model_thinking_part_anthropic_legacy_1")
    config = AIModelCallConfig(reasoning=True, max_reasoning_tokens=10000, max_output_tokens=20000)
    answer = converse.parse_response(response_json(first), context([], config=config))
    question = request_json(second)["messages"][2]["content"][0]["text"]
    body = body_of(context([user("How do I cross the street?"), answer, user(question)], config=config))
    # The cassette's first answer reads "--" where its second request has an em dash (the recorder rewrote one of
    # them); everything else is byte-for-byte the recorded request.
    recorded = _comparable(json.loads(second["request_body"].replace("\\u2014", "--")))
    assert body["messages"] == recorded["messages"]
    assert body["additionalModelRequestFields"] == recorded["additionalModelRequestFields"]


def test_stop_sequences_match_the_recorded_request() -> None:
    record = load_record("converse", "stop_settings_bedrock_0")
    recorded = request_json(record)
    question = recorded["messages"][0]["content"][0]["text"]
    body = body_of(context([user(question)], model=nova(), config=AIModelCallConfig(options={"stop": ["Paris"]})))
    assert body["inferenceConfig"]["stopSequences"] == recorded["inferenceConfig"]["stopSequences"]
    assert body["messages"][0]["content"][0]["text"] == recorded["messages"][0]["content"][0]["text"]


def test_reasoning_of_another_family_is_dropped() -> None:
    first = load_record("converse", "bedrock_model_thinking_part_anthropic_legacy_0")
    answer = converse.parse_response(response_json(first), context([]))
    # Replayed to another model vendor on Bedrock: text only.
    body = body_of(context([user("q"), answer, user("again")], model=nova()))
    assert [list(b) for b in body["messages"][1]["content"]] == [["text"]]
    # The same answer read as Anthropic's own: no reasoning for first-party Anthropic either (see conversations.md).
    from dhenara_http import AIModelAPI, AIModelEndpoint
    from dhenara_http.hosts import host_for
    from dhenara_http.protocols import anthropic
    from dhenara_http.protocols.base import CallContext

    api = AIModelAPI(provider="anthropic", api_key="sk-ant-x")
    ctx = CallContext(
        AIModelEndpoint(api=api, ai_model=claude("claude-sonnet-4-5")),
        AIModelCallConfig(),
        host_for(api),
        [],
        [user("q"), answer, user("again")],
    )
    sent = anthropic.build_request(ctx).json
    assert sent is not None
    assert [b["type"] for b in sent["messages"][1]["content"]] == ["text"]


# -- answers ---------------------------------------------------------------------------------------------------------


def test_text_answer_and_usage_with_cache() -> None:
    record = load_record("converse", "bedrock_cache_messages_with_document_as_last_content_1")
    response = converse.parse_response(response_json(record), context([]))
    raw = response_json(record)
    assert response.text() == raw["output"]["message"]["content"][0]["text"]
    usage = response.usage
    assert usage is not None
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (1712, 236)
    assert usage.prompt_tokens == 3 + 1712 + 236
    assert usage.total_tokens == raw["usage"]["totalTokens"]
    assert response.choices[0].finish_reason == FinishReason.STOP
    assert response.metadata["wire_api"] == "converse"


def test_reasoning_with_signature() -> None:
    record = load_record("converse", "bedrock_model_thinking_part_anthropic_legacy_0")
    response = converse.parse_response(response_json(record), context([]))
    reasoning = response.choices[0].contents[0]
    assert isinstance(reasoning, ChatResponseReasoningContentItem)
    raw = response_json(record)["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]
    assert reasoning.thinking_text == raw["text"]
    assert reasoning.thinking_signature == raw["signature"]


@pytest.mark.parametrize(
    ("native", "finish"),
    [
        ("end_turn", "stop"),
        ("tool_use", "tool_use"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_tool_use", "other"),
    ],
)
def test_stop_reasons(native: str, finish: str) -> None:
    data = {"output": {"message": {"role": "assistant", "content": [{"text": "x"}]}}, "stopReason": native}
    choice = converse.parse_response(data, context([])).choices[0]
    assert choice.finish_reason == finish
    assert choice.metadata["native_finish_reason"] == native


@pytest.mark.parametrize("data", [{}, {"output": []}, {"output": {"message": {"content": "x"}}}])
def test_malformed_answers_are_parse_errors(data: dict[str, Any]) -> None:
    with pytest.raises(ResponseParseError):
        converse.parse_response(data, context([]))


# -- errors ----------------------------------------------------------------------------------------------------------


def test_recorded_errors() -> None:
    record = load_record("converse", "model_name_suggestion_bedrock_0")
    info = converse.parse_error(400, response_json(record))
    assert info is not None
    assert info.message == "The provided model identifier is invalid."
    assert info.error_class is None  # no type without the header: the status decides


@pytest.mark.parametrize(
    ("header", "cls"),
    [
        ("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", RateLimitError),
        ("ValidationException", BadRequestError),
        ("ResourceNotFoundException", NotFoundError),
        ("ServiceUnavailableException", OverloadedError),
    ],
)
def test_error_type_from_header(header: str, cls: type[Exception]) -> None:
    info = converse.parse_error(400, {"message": "m"}, {"X-Amzn-ErrorType": header})
    assert info is not None
    assert info.error_class is cls
    assert info.error_type == header.split(":")[0]


def test_quota_is_not_retryable_and_body_type_read() -> None:
    info = converse.parse_error(400, {"__type": "com.amazon.coral#ServiceQuotaExceededException", "message": "q"})
    assert info is not None
    assert info.error_class is RateLimitError
    assert info.retryable is False


# -- streams ---------------------------------------------------------------------------------------------------------


def test_binary_stream_rebuilds_the_answer() -> None:
    record = load_record("converse", "bedrock_model_stream_0")
    chunks, acc = run_stream(record)
    final = acc.final()
    assert acc.done
    text = "".join(d.get_text_delta() for c in chunks for d in c.choice_deltas[0].content_deltas)
    assert text == final.text()
    assert len(text) > 100
    assert final.usage is not None
    assert final.usage.completion_tokens > 0
    assert final.choices[0].finish_reason == FinishReason.STOP


def test_streamed_reasoning_keeps_its_signature() -> None:
    final = final_of(load_record("converse", "bedrock_model_thinking_part_stream_0"))
    item = final.choices[0].contents[0]
    assert isinstance(item, ChatResponseReasoningContentItem)
    assert item.thinking_text
    assert item.thinking_signature


def test_streamed_redacted_reasoning_is_kept() -> None:
    final = final_of(load_record("converse", "bedrock_model_thinking_part_redacted_stream_0"))
    redacted = [
        c
        for c in final.choices[0].contents
        if isinstance(c, ChatResponseReasoningContentItem) and c.metadata.get("redacted")
    ]
    assert redacted
    assert all(r.encrypted_content for r in redacted)
    # Replayed to the same family, in place.
    body = body_of(
        context([user("q"), final, user("more")], model=claude("us.anthropic.claude-3-7-sonnet-20250219-v1:0"))
    )
    assert any("redactedContent" in b.get("reasoningContent", {}) for b in body["messages"][1]["content"])


def test_streamed_tool_arguments_accumulate_by_block_index() -> None:
    record = load_record("converse", "amazon-bedrock-tool-call_1_chunks_0")
    chunks, acc = run_stream(record)
    call = acc.final().choices[0].contents[0]
    assert isinstance(call, ChatResponseToolCallContentItem)
    assert call.tool_call.arguments == {"value": "Sparkle Day"}
    pieces = [
        d.arguments_delta
        for c in chunks
        for d in c.choice_deltas[0].content_deltas
        if isinstance(d, ChatResponseToolCallContentItemDelta)
    ]
    assert "".join(pieces) == '{"value":"Sparkle Day"}'


def test_streamed_equals_non_streamed() -> None:
    for name in (
        "bedrock_model_stream_0",
        "bedrock_model_thinking_part_stream_0",
        "amazon-bedrock-json-with-tools_1_chunks_0",
    ):
        acc = run_stream(load_record("converse", name))[1]
        assert acc.final().model_dump() == converse.parse_response(acc.rebuilt(), context([])).model_dump()


def test_in_band_json_exception_is_typed() -> None:
    from dhenara_http._decoders.sse import SSEEvent

    acc = converse.new_accumulator(context([], stream=True))
    acc.feed(SSEEvent("", '{"messageStart": {"role": "assistant"}}'))
    with pytest.raises(RateLimitError):
        acc.feed(SSEEvent("", '{"throttlingException": {"message": "slow down"}}'))


def test_not_json_event_is_a_parse_error() -> None:
    from dhenara_http._decoders.sse import SSEEvent

    with pytest.raises(ResponseParseError):
        converse.new_accumulator(context([], stream=True)).feed(SSEEvent("contentBlockDelta", "{nope"))


def test_tool_turn_without_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="toolUseId"):
        body_of(context([user("x"), ToolCallResult(name="nothing", output="r")]))


def test_claude_id_is_the_one_given() -> None:
    assert CLAUDE_ID in converse.build_request(context([user("x")])).path.replace("%3A", ":")
