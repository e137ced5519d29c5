"""The mock server's Gemini wire: generateContent JSON, streamGenerateContent fragments (SSE and JSON array), auth,
thinking and thought signatures, tools, structured output, and the public client reading the stream as the JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import Prompt, ToolCallResult, ToolDefinition
from dhenara_http.foundation_models import Gemini20Flash, Gemini25Flash
from dhenara_http.testing import MockProviderServer
from dhenara_http.testing.gemini import FOREIGN_SIGNATURE

from ._support import GEMINI_HEADERS, WEATHER_PARAMETERS, Trip, generate, streamed_equals_json
from ._support import words as count_words

SYSTEM = "Be creative and engaging."
STORY = [
    {"role": "user", "parts": [{"text": "Tell me a short story about a robot learning to paint."}]},
    {"role": "model", "parts": [{"text": "Once upon a time a robot picked up a brush."}]},
    {"role": "user", "parts": [{"text": "Continue the story with a twist."}]},
]
BASE: dict[str, Any] = {"contents": STORY, "systemInstruction": {"parts": [{"text": SYSTEM}]}}
JSON_PATH = "/v1beta/models/gemini-2.0-flash:generateContent"
SSE_PATH = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
WEATHER = {
    "name": "get_weather",
    "description": "Current weather of a city.",
    "parametersJsonSchema": WEATHER_PARAMETERS,
}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


@pytest.fixture
def http(server: MockProviderServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=GEMINI_HEADERS, timeout=5.0) as client:
        yield client


def parts_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    return list(response["candidates"][0]["content"]["parts"])


def text_of(response: dict[str, Any]) -> str:
    return "".join(p.get("text", "") for p in parts_of(response) if not p.get("thought"))


def sse_fragments(raw: bytes) -> list[dict[str, Any]]:
    """The events of a Gemini SSE body, split by hand on Google's ``\\r\\n\\r\\n`` (not by the library's decoder)."""
    blocks = [b for b in raw.decode("utf-8").split("\r\n\r\n") if b.strip()]
    assert all(b.startswith("data: ") for b in blocks)
    return [json.loads(b[len("data: ") :]) for b in blocks]


def test_json_shape_and_usage(http: httpx.Client) -> None:
    r = http.post(JSON_PATH, json=BASE)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    obj = r.json()
    [candidate] = obj["candidates"]
    assert candidate["content"]["role"] == "model"
    assert candidate["finishReason"] == "STOP"
    assert candidate["index"] == 0
    assert obj["modelVersion"] == "gemini-2.0-flash"
    assert re.fullmatch(r"[A-Za-z0-9]{23}", obj["responseId"])
    text = text_of(obj)
    sent = count_words(SYSTEM) + sum(count_words(p["text"]) for c in STORY for p in c["parts"])
    usage = obj["usageMetadata"]
    assert usage["promptTokenCount"] == sent
    assert usage["candidatesTokenCount"] == count_words(text)
    assert usage["totalTokenCount"] == sent + count_words(text)
    assert usage["promptTokensDetails"] == [{"modality": "TEXT", "tokenCount": sent}]
    assert "thoughtsTokenCount" not in usage  # gemini-2.0 does not think
    assert "thoughtSignature" not in parts_of(obj)[0]


def test_answer_reflects_the_conversation(http: httpx.Client) -> None:
    text = text_of(http.post(JSON_PATH, json=BASE).json())
    assert "Mock answer from gemini-2.0-flash" in text
    assert "Continue the story with a twist." in text
    assert "turn 2" in text
    assert '"Once upon a time a robot picked up' in text
    assert SYSTEM in text
    again = http.post(JSON_PATH, json=BASE).json()
    assert again == http.post(JSON_PATH, json=BASE).json()  # deterministic
    other = http.post(JSON_PATH.replace("2.0-flash", "2.0-flash-lite"), json=BASE).json()
    assert other["responseId"] != again["responseId"]  # the model is part of the request


def test_api_key_is_required(server: MockProviderServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=5.0) as raw:
        missing = raw.post(JSON_PATH, json=BASE)
        assert missing.status_code == 403
        assert missing.json()["error"]["status"] == "PERMISSION_DENIED"
        assert missing.json()["error"]["code"] == 403
        assert raw.post(JSON_PATH + "?key=abc", json=BASE).status_code == 200
        no_contents = raw.post(JSON_PATH, json={"contents": []}, headers=GEMINI_HEADERS)
        assert no_contents.status_code == 400
        assert no_contents.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_sse_fragments_rebuild_the_json(http: httpx.Client) -> None:
    whole = http.post(JSON_PATH, json=BASE).json()
    r = http.post(SSE_PATH, json=BASE)
    assert r.headers["content-type"] == "text/event-stream"
    frags = sse_fragments(r.content)
    assert len(frags) > 2
    assert all(len(f["candidates"][0]["content"]["parts"]) == 1 for f in frags)
    assert "".join(f["candidates"][0]["content"]["parts"][0]["text"] for f in frags) == text_of(whole)
    assert [("finishReason" in f["candidates"][0]) for f in frags] == [False] * (len(frags) - 1) + [True]
    counts = [f["usageMetadata"].get("candidatesTokenCount", 0) for f in frags]
    assert counts == sorted(counts)  # cumulative
    assert frags[-1]["usageMetadata"] == whole["usageMetadata"]
    assert {f["responseId"] for f in frags} == {whole["responseId"]}
    # Without alt=sse the fragments come as one JSON array.
    array = http.post(SSE_PATH.replace("?alt=sse", ""), json=BASE).json()
    assert array == frags


def test_thoughts_and_signature(http: httpx.Client) -> None:
    body = {**BASE, "generationConfig": {"thinkingConfig": {"includeThoughts": True}}}
    obj = http.post(JSON_PATH, json=body).json()
    thought, answer = parts_of(obj)
    assert thought["thought"] is True
    assert "Continue the story with a twist." in thought["text"]
    assert answer["thoughtSignature"]
    assert obj["usageMetadata"]["thoughtsTokenCount"] == count_words(thought["text"])
    assert obj["usageMetadata"]["candidatesTokenCount"] == count_words(answer["text"])
    frags = sse_fragments(http.post(SSE_PATH, json=body).content)
    parts = [f["candidates"][0]["content"]["parts"][0] for f in frags]
    thoughts = [p for p in parts if p.get("thought")]
    assert len(thoughts) > 1
    assert "".join(p["text"] for p in thoughts) == thought["text"]
    assert parts[-1] == {"text": "", "thoughtSignature": answer["thoughtSignature"]}
    assert "finishReason" in frags[-1]["candidates"][0]
    thinking_so_far = [f["usageMetadata"].get("thoughtsTokenCount", 0) for f in frags]
    assert thinking_so_far == sorted(thinking_so_far)
    assert thinking_so_far[-1] == obj["usageMetadata"]["thoughtsTokenCount"]


def test_who_thinks(http: httpx.Client) -> None:
    path = JSON_PATH.replace("2.0-flash", "2.5-flash")
    default = http.post(path, json=BASE).json()
    assert default["usageMetadata"]["thoughtsTokenCount"] > 0  # 2.5 thinks by default, without showing thoughts
    assert not any(p.get("thought") for p in parts_of(default))
    assert parts_of(default)[0]["thoughtSignature"]
    off = http.post(path, json={**BASE, "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}}).json()
    assert "thoughtsTokenCount" not in off["usageMetadata"]
    snake = {**BASE, "generation_config": {"thinking_config": {"include_thoughts": True}}}
    assert parts_of(http.post(JSON_PATH, json=snake).json())[0]["thought"] is True  # snake_case is read too


def test_replayed_signatures_are_checked(http: httpx.Client) -> None:
    body = {**BASE, "generationConfig": {"thinkingConfig": {"includeThoughts": True}}}
    first = http.post(JSON_PATH, json={**body, "contents": STORY[:1]}).json()
    model_turn = first["candidates"][0]["content"]
    follow = [STORY[0], model_turn, STORY[2]]
    ok = http.post(JSON_PATH, json={**body, "contents": follow})
    assert ok.status_code == 200
    assert "1 earlier reasoning item" in text_of(ok.json())
    moved = json.loads(json.dumps(follow))
    moved[1]["parts"][1]["text"] += " (edited)"
    refused = http.post(JSON_PATH, json={**body, "contents": moved})
    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    moved[1]["parts"][1]["thoughtSignature"] = FOREIGN_SIGNATURE  # Google's documented stand-in passes
    assert http.post(JSON_PATH, json={**body, "contents": moved}).status_code == 200


@pytest.mark.parametrize(
    ("calling", "prompt", "calls"),
    [
        ({"mode": "ANY"}, "What should I wear?", True),
        ({"mode": "ANY", "allowedFunctionNames": ["get_weather"]}, "What should I wear?", True),
        ({"mode": "AUTO"}, "Use get_weather for Paris.", True),
        ({"mode": "AUTO"}, "What should I wear?", False),
        ({"mode": "NONE"}, "Use get_weather for Paris.", False),
    ],
)
def test_function_calls(http: httpx.Client, calling: dict[str, Any], prompt: str, calls: bool) -> None:
    body = {
        "contents": [{"role": "user", "parts": [{"text": prompt}]}],
        "tools": [{"functionDeclarations": [WEATHER]}],
        "toolConfig": {"functionCallingConfig": calling},
    }
    parts = parts_of(http.post(JSON_PATH, json=body).json())
    assert [next(iter(p)) for p in parts] == (["functionCall"] if calls else ["text"])
    if calls:
        call = parts[0]["functionCall"]
        assert call["name"] == "get_weather"
        assert set(call["args"]) == {"city", "days"}
        assert call["args"]["days"] >= 1


def test_function_call_stream_and_openapi_schema(http: httpx.Client) -> None:
    # Google's OpenAPI subset spells types in capitals.
    legacy = {
        "name": "get_weather",
        "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}, "days": {"type": "INTEGER"}}},
    }
    body = {
        "contents": [{"role": "user", "parts": [{"text": "Use get_weather."}]}],
        "tools": [{"functionDeclarations": [legacy]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": False}},
    }
    whole = http.post(JSON_PATH, json=body).json()
    [part] = parts_of(whole)
    assert part["functionCall"]["args"] == {"city": "city", "days": 0}
    assert part["thoughtSignature"]  # the first call of a thinking model carries the signature
    frags = sse_fragments(http.post(SSE_PATH, json=body).content)
    calls = [p for f in frags for p in f["candidates"][0]["content"]["parts"] if "functionCall" in p]
    assert calls == [part]  # whole in one event
    assert frags[-1]["candidates"][0]["finishReason"] == "STOP"


def test_function_response_turn_is_quoted(http: httpx.Client) -> None:
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "Use get_weather."}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "fog"}}}]},
        ],
        "tools": [{"functionDeclarations": [WEATHER]}],
    }
    assert 'get_weather returned "fog"' in text_of(http.post(JSON_PATH, json=body).json())


def test_structured_output(http: httpx.Client) -> None:
    config = {"responseMimeType": "application/json", "responseJsonSchema": Trip.model_json_schema()}
    trip = Trip.model_validate_json(text_of(http.post(JSON_PATH, json={**BASE, "generationConfig": config}).json()))
    assert trip.stops[0].population >= 1000
    openapi = {"type": "OBJECT", "properties": {"n": {"type": "INTEGER", "minimum": 3}}}
    config = {"responseMimeType": "application/json", "responseSchema": openapi}
    assert json.loads(text_of(http.post(JSON_PATH, json={**BASE, "generationConfig": config}).json())) == {"n": 3}
    cut = http.post(JSON_PATH, json={**BASE, "generationConfig": {"maxOutputTokens": 4}}).json()
    assert cut["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert count_words(text_of(cut)) == 4


# -- through the public client ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reasoning", [False, True])
def test_client_stream_equals_json(server: MockProviderServer, reasoning: bool) -> None:
    chat = streamed_equals_json(server, "google_gemini_api", Gemini25Flash, reasoning=reasoning)
    assert "robot learning to paint" in (chat.text() or "")
    assert chat.metadata["wire_api"] == "gemini"
    assert chat.usage.reasoning_tokens > 0
    assert bool(chat.reasoning()) is reasoning  # thoughts are shown only when asked for
    sent = server.requests[-1]
    assert sent.header("x-goog-api-key") == "mock-key"
    assert sent.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert sent.query == {"alt": "sse"}


def test_client_tool_call_then_result(server: MockProviderServer) -> None:
    tool = ToolDefinition(name="get_weather", description="Weather of a city.", parameters=WEATHER_PARAMETERS)
    first = streamed_equals_json(server, "google_gemini_api", Gemini20Flash, tools=[tool], tool_choice="required")
    [call] = first.tools()
    assert call.tool_call.name == "get_weather"
    messages = [
        Prompt(text="Use get_weather for Paris."),
        first,
        ToolCallResult(call_id=call.tool_call.id, output="rainy"),
    ]
    answer = generate(server, "google_gemini_api", Gemini20Flash, prompt=messages, tools=[tool]).chat_response
    assert answer is not None
    assert 'get_weather returned "rainy"' in (answer.text() or "")


def test_client_structured_output(server: MockProviderServer) -> None:
    chat = streamed_equals_json(server, "google_gemini_api", Gemini20Flash, structured_output=Trip)
    trip = chat.parsed()
    assert isinstance(trip, Trip)
    assert trip.confirmed is False
