"""The mock server's Anthropic Messages wire: JSON and SSE shapes, answers that reflect the request, auth, thinking
signatures, and the public client reading the stream exactly as the JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import Prompt, ToolCallResult, ToolDefinition
from dhenara_http.foundation_models import Claude35Haiku, ClaudeSonnet45
from dhenara_http.testing import MockProviderServer

from ._support import ANTHROPIC_HEADERS, WEATHER_PARAMETERS, Trip, events, generate, payloads, streamed_equals_json
from ._support import words as count_words

SYSTEM = "Be creative and engaging."
STORY = [
    {"role": "user", "content": "Tell me a short story about a robot learning to paint."},
    {"role": "assistant", "content": [{"type": "text", "text": "Once upon a time a robot picked up a brush."}]},
    {"role": "user", "content": [{"type": "text", "text": "Continue the story with a twist."}]},
]
WEATHER = {"name": "get_weather", "description": "Current weather of a city.", "input_schema": WEATHER_PARAMETERS}
BASE = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": STORY, "system": SYSTEM}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


@pytest.fixture
def http(server: MockProviderServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=ANTHROPIC_HEADERS, timeout=5.0) as client:
        yield client


def text_of(message: dict[str, Any]) -> str:
    return "".join(b["text"] for b in message["content"] if b["type"] == "text")


def test_json_shape_and_usage(http: httpx.Client) -> None:
    r = http.post("/v1/messages", json=BASE)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["request-id"].startswith("req_")
    msg = r.json()
    assert (msg["type"], msg["role"], msg["model"]) == ("message", "assistant", "claude-sonnet-4-5")
    assert re.fullmatch(r"msg_01[A-Za-z0-9]{22}", msg["id"])
    assert [b["type"] for b in msg["content"]] == ["text"]
    assert msg["stop_reason"] == "end_turn"
    assert msg["stop_sequence"] is None
    text = text_of(msg)
    sent = (
        count_words(SYSTEM)
        + count_words(STORY[0]["content"])
        + sum(count_words(b["text"]) for m in STORY[1:] for b in m["content"])
    )
    usage = msg["usage"]
    assert usage["input_tokens"] == sent
    assert usage["output_tokens"] == count_words(text)
    assert (usage["cache_read_input_tokens"], usage["cache_creation_input_tokens"]) == (0, 0)
    assert "output_tokens_details" not in usage  # no thinking, nothing to detail


def test_answer_reflects_the_conversation(http: httpx.Client) -> None:
    text = text_of(http.post("/v1/messages", json=BASE).json())
    assert "Continue the story with a twist." in text  # the last user message
    assert "turn 2" in text
    assert "3 messages" in text
    assert '"Once upon a time a robot picked up' in text  # the previous answer
    assert "Tell me a short story about a robot" in text  # the earlier question
    assert SYSTEM in text
    # The system prompt as a list of text blocks is read the same.
    blocks = http.post("/v1/messages", json={**BASE, "system": [{"type": "text", "text": SYSTEM}]}).json()
    assert text_of(blocks) == text


def test_answers_are_deterministic(http: httpx.Client) -> None:
    one = http.post("/v1/messages", json=BASE).json()
    assert http.post("/v1/messages", json=BASE).json() == one
    other = http.post("/v1/messages", json={**BASE, "messages": STORY[:1]}).json()
    assert other["id"] != one["id"]


def test_key_and_version_are_required(server: MockProviderServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=5.0) as raw:
        no_key = raw.post("/v1/messages", json=BASE, headers={"anthropic-version": "2023-06-01"})
        assert no_key.status_code == 401
        body = no_key.json()
        assert body["type"] == "error"
        assert body["error"]["type"] == "authentication_error"
        assert body["request_id"].startswith("req_")
        no_version = raw.post("/v1/messages", json=BASE, headers={"x-api-key": "k"})
        assert no_version.status_code == 400
        assert no_version.json()["error"] == {
            "type": "invalid_request_error",
            "message": "anthropic-version: header is required",
        }
        bad_version = raw.post("/v1/messages", json=BASE, headers={"x-api-key": "k", "anthropic-version": "2099-1-1"})
        assert bad_version.status_code == 400
        assert "is not a valid version" in bad_version.json()["error"]["message"]
        no_max = raw.post("/v1/messages", json={"model": "m", "messages": STORY}, headers=ANTHROPIC_HEADERS)
        assert no_max.status_code == 400
        assert no_max.json()["error"]["message"] == "max_tokens: Field required"


def test_stream_event_sequence_rebuilds_the_json(http: httpx.Client) -> None:
    whole = http.post("/v1/messages", json=BASE).json()
    r = http.post("/v1/messages", json={**BASE, "stream": True})
    assert r.headers["content-type"].startswith("text/event-stream")
    evs = events(r.content)
    data = [json.loads(d) for _, d in evs]
    assert [name for name, _ in evs] == [p["type"] for p in data]  # the SSE name is the payload's type
    kinds = [p["type"] for p in data]
    assert kinds[:4] == ["message_start", "content_block_start", "ping", "content_block_delta"]
    assert kinds[-5:] == ["content_block_delta", "content_block_stop", "ping", "message_delta", "message_stop"]
    start = data[0]["message"]
    assert start["id"] == whole["id"]
    assert start["content"] == []
    assert start["stop_reason"] is None
    deltas = [p["delta"] for p in data if p["type"] == "content_block_delta"]
    assert len(deltas) > 1
    assert all(d["type"] == "text_delta" for d in deltas)
    assert "".join(d["text"] for d in deltas) == text_of(whole)
    end = next(p for p in data if p["type"] == "message_delta")
    assert end["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert end["usage"]["output_tokens"] == whole["usage"]["output_tokens"]
    assert end["usage"]["input_tokens"] == whole["usage"]["input_tokens"]


def test_thinking_block_signature_and_stream(http: httpx.Client) -> None:
    body = {**BASE, "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2000}}
    msg = http.post("/v1/messages", json=body).json()
    thinking, text = msg["content"]
    assert (thinking["type"], text["type"]) == ("thinking", "text")
    assert "Continue the story with a twist." in thinking["thinking"]
    assert thinking["signature"]
    usage = msg["usage"]
    assert usage["output_tokens_details"] == {"thinking_tokens": count_words(thinking["thinking"])}
    assert usage["output_tokens"] == count_words(thinking["thinking"]) + count_words(text["text"])
    data = payloads(http.post("/v1/messages", json={**body, "stream": True}).content)
    block0 = [p["delta"] for p in data if p["type"] == "content_block_delta" and p["index"] == 0]
    assert [d["type"] for d in block0[:-1]] == ["thinking_delta"] * (len(block0) - 1)
    assert block0[-1] == {"type": "signature_delta", "signature": thinking["signature"]}
    assert "".join(d["thinking"] for d in block0[:-1]) == thinking["thinking"]
    starts = [p["content_block"] for p in data if p["type"] == "content_block_start"]
    assert starts == [{"type": "thinking", "thinking": "", "signature": ""}, {"type": "text", "text": ""}]
    # Adaptive thinking that omits the text still signs (and counts) it.
    omitted = {**BASE, "thinking": {"type": "adaptive", "display": "omitted"}}
    block = http.post("/v1/messages", json=omitted).json()["content"][0]
    assert block["type"] == "thinking"
    assert block["thinking"] == ""
    assert block["signature"]


def test_replayed_thinking_is_checked(http: httpx.Client) -> None:
    body = {**BASE, "messages": STORY[:1], "thinking": {"type": "enabled", "budget_tokens": 1024}}
    first = http.post("/v1/messages", json=body).json()
    follow = [STORY[0], {"role": "assistant", "content": first["content"]}, STORY[2]]
    answer = http.post("/v1/messages", json={**body, "messages": follow})
    assert answer.status_code == 200
    assert "1 earlier reasoning item" in text_of(answer.json())
    tampered = json.loads(json.dumps(follow))
    tampered[1]["content"][0]["thinking"] += " (edited)"
    refused = http.post("/v1/messages", json={**body, "messages": tampered})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"


@pytest.mark.parametrize(
    ("tool_choice", "prompt", "calls"),
    [
        ({"type": "any"}, "What should I wear?", True),
        ({"type": "tool", "name": "get_weather"}, "What should I wear?", True),
        ({"type": "auto"}, "Use get_weather for Paris.", True),
        ({"type": "auto"}, "What should I wear?", False),
        ({"type": "none"}, "Use get_weather for Paris.", False),
    ],
)
def test_tool_use(http: httpx.Client, tool_choice: dict[str, Any], prompt: str, calls: bool) -> None:
    body = {**BASE, "messages": [{"role": "user", "content": prompt}], "tools": [WEATHER], "tool_choice": tool_choice}
    msg = http.post("/v1/messages", json=body).json()
    assert [b["type"] for b in msg["content"]] == (["tool_use"] if calls else ["text"])
    assert msg["stop_reason"] == ("tool_use" if calls else "end_turn")
    if calls:
        call = msg["content"][0]
        assert call["name"] == "get_weather"
        assert re.fullmatch(r"toolu_01[A-Za-z0-9]{22}", call["id"])
        assert set(call["input"]) == set(WEATHER_PARAMETERS["required"])  # type: ignore[arg-type]
        assert call["input"]["days"] >= 1


def test_tool_use_stream_splits_the_input(http: httpx.Client) -> None:
    body = {**BASE, "tools": [WEATHER], "tool_choice": {"type": "tool", "name": "get_weather"}}
    whole = http.post("/v1/messages", json=body).json()
    data = payloads(http.post("/v1/messages", json={**body, "stream": True}).content)
    start = next(p["content_block"] for p in data if p["type"] == "content_block_start")
    assert start == {**whole["content"][0], "input": {}}
    pieces = [p["delta"]["partial_json"] for p in data if p["type"] == "content_block_delta"]
    assert pieces[0] == ""  # Anthropic opens with an empty piece
    assert len(pieces) > 2
    assert json.loads("".join(pieces)) == whole["content"][0]["input"]
    assert next(p for p in data if p["type"] == "message_delta")["delta"]["stop_reason"] == "tool_use"


def test_tool_result_turn_is_quoted(http: httpx.Client) -> None:
    ask = {**BASE, "messages": [{"role": "user", "content": "Use get_weather."}], "tools": [WEATHER]}
    call = http.post("/v1/messages", json=ask).json()["content"][0]
    result = {"type": "tool_result", "tool_use_id": call["id"], "content": [{"type": "text", "text": "sunny, 21C"}]}
    follow = [*ask["messages"], {"role": "assistant", "content": [call]}, {"role": "user", "content": [result]}]
    msg = http.post("/v1/messages", json={**ask, "messages": follow, "tool_choice": {"type": "any"}}).json()
    assert [b["type"] for b in msg["content"]] == ["text"]
    assert 'get_weather returned "sunny, 21C"' in text_of(msg)


def test_structured_output_and_max_tokens(http: httpx.Client) -> None:
    fmt = {"type": "json_schema", "schema": Trip.model_json_schema()}
    msg = http.post("/v1/messages", json={**BASE, "output_config": {"format": fmt}}).json()
    trip = Trip.model_validate_json(text_of(msg))
    assert trip.stops[0].population >= 1000
    cut = http.post("/v1/messages", json={**BASE, "max_tokens": 5}).json()
    assert cut["stop_reason"] == "max_tokens"
    assert count_words(text_of(cut)) == 5


# -- through the public client ---------------------------------------------------------------------------------------


def test_client_stream_equals_json_text_and_thinking(server: MockProviderServer) -> None:
    plain = streamed_equals_json(server, "anthropic", ClaudeSonnet45)
    assert "robot learning to paint" in (plain.text() or "")
    assert plain.metadata["wire_api"] == "anthropic"
    thinking = streamed_equals_json(server, "anthropic", ClaudeSonnet45, reasoning=True, max_output_tokens=4000)
    reasoning = thinking.choices[0].contents[0]
    assert reasoning.thinking_signature
    assert thinking.usage.reasoning_tokens == count_words(reasoning.thinking_text)
    assert thinking.usage_charge is not None
    sent = server.requests[-1]
    assert sent.header("x-api-key") == "mock-key"
    assert sent.json["thinking"]["type"] == "enabled"


def test_client_tool_call_then_result(server: MockProviderServer) -> None:
    tool = ToolDefinition(name="get_weather", description="Weather of a city.", parameters=WEATHER_PARAMETERS)
    config = {"tools": [tool], "tool_choice": "get_weather"}
    first = streamed_equals_json(server, "anthropic", Claude35Haiku, **config)
    [call] = first.tools()
    assert call.tool_call.name == "get_weather"
    assert call.tool_call.arguments["days"] >= 1
    messages = [
        Prompt(text="Use get_weather for Paris."),
        first,
        ToolCallResult(call_id=call.tool_call.id, name="get_weather", output="rainy"),
    ]
    answer = generate(server, "anthropic", Claude35Haiku, prompt=messages, tools=[tool]).chat_response
    assert answer is not None
    assert 'get_weather returned "rainy"' in (answer.text() or "")


@pytest.mark.parametrize("model", [ClaudeSonnet45, Claude35Haiku], ids=["native-format", "answer-tool"])
def test_client_structured_output(server: MockProviderServer, model: Any) -> None:
    chat = streamed_equals_json(server, "anthropic", model, structured_output=Trip)
    trip = chat.parsed()
    assert isinstance(trip, Trip)
    assert trip.stops[0].kind in ("city", "village")
