"""Claude on Bedrock's InvokeModel (``config["wire_api"] = "invoke"``): the Anthropic Messages protocol with the
model in the path, ``anthropic_version`` and the betas in the body and no ``stream`` field; recorded InvokeModel
answers; an InvokeModel stream (``chunk`` frames) read by the Anthropic accumulator through the AWS decoder."""

from __future__ import annotations

import json
from typing import Any

from dhenara_http import AIModelCallConfig, Prompt
from dhenara_http._decoders import decoder_for
from dhenara_http.protocols import anthropic
from dhenara_http.testing._eventstream import chunk_frame
from dhenara_http.types.enums import PromptMessageRoleEnum
from tests.protocols._converse_support import claude, context
from tests.support.recordings import load_record, request_json, response_json

MODEL = "us.anthropic.claude-opus-4-8"


def _ctx(messages: list[Any], **kw: Any) -> Any:
    return context(messages, model=claude(MODEL), wire_api="invoke", **kw)


def test_body_matches_a_recorded_invoke_request() -> None:
    record = load_record("anthropic", "bedrock_invoke_mid_conversation_system_prompt_on_bedrock_0")
    recorded = request_json(record)
    turns = [
        Prompt(role=PromptMessageRoleEnum.USER, text="Review `def add(a, b): return a + b`."),
        Prompt(role=PromptMessageRoleEnum.ASSISTANT, text="Looks fine."),
        Prompt(role=PromptMessageRoleEnum.USER, text="Review it again."),
    ]
    wire = anthropic.build_request(
        _ctx(turns, config=AIModelCallConfig(max_output_tokens=4096), instructions=["You are a code reviewer."])
    )
    assert wire.path == "/model/us.anthropic.claude-opus-4-8/invoke"
    assert record["url"].endswith(wire.path)
    body = wire.json
    assert body is not None
    assert "model" not in body
    assert body["anthropic_version"] == recorded["anthropic_version"] == "bedrock-2023-05-31"
    assert body["max_tokens"] == recorded["max_tokens"]
    assert body["messages"] == recorded["messages"][:3]  # (the recording's 4th turn is a mid-conversation system turn)
    assert "anthropic-version" not in wire.headers


def test_stream_is_the_route_and_betas_are_in_the_body() -> None:
    wire = anthropic.build_request(_ctx([Prompt(text="hi")], stream=True, betas=["context-1m-2025-08-07"]))
    assert wire.path == "/model/us.anthropic.claude-opus-4-8/invoke-with-response-stream"
    assert wire.json is not None
    assert "stream" not in wire.json
    assert wire.json["anthropic_beta"] == ["context-1m-2025-08-07"]
    assert "anthropic-beta" not in wire.headers


def test_recorded_invoke_answers_parse() -> None:
    for name in (
        "bedrock_invoke_anthropic_cache_bedrock_real_api_1",
        "bedrock_invoke_mid_conversation_system_prompt_on_bedrock_0",
    ):
        data = response_json(load_record("anthropic", name))
        response = anthropic.parse_response(data, _ctx([]))
        assert response.text() == "".join(b["text"] for b in data["content"] if b["type"] == "text")
        assert response.usage is not None
        assert response.usage.completion_tokens == data["usage"]["output_tokens"]


def test_invoke_stream_read_by_the_anthropic_accumulator() -> None:
    inner = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": MODEL,
                "content": [],
                "usage": {"input_tokens": 9, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"city":'}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 12}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 9, "outputTokenCount": 12}},
    ]
    raw = b"".join(chunk_frame(e) for e in inner)
    decoder = decoder_for("aws-eventstream")
    acc = anthropic.new_accumulator(_ctx([], stream=True))
    for i in range(0, len(raw), 7):
        for event in decoder.iter_feed(raw[i : i + 7]):
            acc.feed(event)
    assert list(decoder.iter_flush()) == []
    assert acc.done
    final = acc.final()
    call = final.tools()[0].tool_call
    assert (call.id, call.name, call.arguments) == ("toolu_1", "get_weather", {"city": "Paris"})
    assert final.usage is not None
    assert final.usage.completion_tokens == 12
    assert json.dumps(final.provider_response)
