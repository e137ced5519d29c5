"""The embedded mock provider server on its own: wire shapes, determinism, faults, the request log, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pydantic
import pytest

from dhenara_http._decoders.sse import SSEDecoder
from dhenara_http.testing import MockProviderServer, MockRequest, Reply, Route

AUTH = {"authorization": "Bearer test-key"}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather of a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
        "required": ["city", "days"],
        "additionalProperties": False,
    },
}
CHAT_WEATHER_TOOL = {
    "type": "function",
    "function": {k: v for k, v in WEATHER_TOOL.items() if k != "type"},
}


class Place(pydantic.BaseModel):
    name: str
    kind: str = pydantic.Field(json_schema_extra={"enum": ["city", "village"]})
    population: int = pydantic.Field(ge=1000)


class Trip(pydantic.BaseModel):
    title: str
    stops: list[Place]
    budget: float | None
    confirmed: bool


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


def post(http: httpx.Client, server: MockProviderServer, path: str, body: Any, **kw: Any) -> httpx.Response:
    return http.post(server.url(path), json=body, headers=kw.pop("headers", AUTH), **kw)


def events(raw: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in SSEDecoder().feed(raw)]


def words(text: str) -> int:
    return len(text.split())


def responses_text(obj: dict[str, Any]) -> str:
    return "".join(part["text"] for item in obj["output"] if item["type"] == "message" for part in item["content"])


STORY = [
    {"role": "user", "content": "Tell me a short story about a robot learning to paint."},
    {"role": "assistant", "content": "Once upon a time a robot picked up a brush."},
    {"role": "user", "content": "Continue the story with a twist."},
]


# -- OpenAI Responses ------------------------------------------------------------------------------------------------


def test_responses_json_shape_and_usage(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "input": STORY, "instructions": "Be creative and engaging."}
    r = post(http, server, "/v1/responses", body)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"].startswith("req_")
    obj = r.json()
    assert obj["object"] == "response"
    assert re.fullmatch(r"resp_[0-9a-f]{48}", obj["id"])
    assert obj["status"] == "completed"
    assert obj["model"] == "gpt-4o-mini"
    assert obj["instructions"] == body["instructions"]
    [message] = obj["output"]
    assert message["type"] == "message"
    assert message["role"] == "assistant"
    assert message["id"].startswith("msg_")
    assert message["content"][0]["type"] == "output_text"
    sent_words = words(body["instructions"]) + sum(words(m["content"]) for m in STORY)
    usage = obj["usage"]
    assert usage["input_tokens"] == sent_words
    assert usage["output_tokens"] == words(responses_text(obj))
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"cached_tokens": 0}
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0}


def test_responses_answer_reflects_the_conversation(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "input": STORY, "instructions": "Be creative and engaging."}
    text = responses_text(post(http, server, "/v1/responses", body).json())
    assert STORY[-1]["content"] in text  # quotes the last user message
    assert "turn 2" in text  # two user turns so far
    assert "3 messages" in text
    assert "Tell me a short story about a robot" in text  # recalls the earlier question
    assert "Be creative and engaging." in text  # mentions the system instructions
    shorter = {"model": "gpt-4o-mini", "input": STORY[:1]}
    first = responses_text(post(http, server, "/v1/responses", shorter).json())
    assert "turn 1" in first
    assert "Be creative" not in first


def test_answers_are_deterministic_and_streams_rebuild_the_json(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "input": STORY}
    one = post(http, server, "/v1/responses", body).json()
    two = post(http, server, "/v1/responses", body).json()
    assert one == two
    streamed = post(http, server, "/v1/responses", {**body, "stream": True})
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert streamed.headers["transfer-encoding"] == "chunked"
    evs = events(streamed.content)
    assert evs[-1][0] == "response.completed"
    assert json.loads(evs[-1][1])["response"] == one


def test_responses_stream_event_sequence(server: MockProviderServer, http: httpx.Client) -> None:
    r = post(http, server, "/v1/responses", {"model": "gpt-4o-mini", "input": "Hello there", "stream": True})
    evs = events(r.content)
    payloads = [json.loads(data) for _, data in evs]
    assert [name for name, _ in evs] == [p["type"] for p in payloads]  # the SSE name matches the payload type
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    kinds = [p["type"] for p in payloads]
    assert kinds[:5] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert payloads[0]["response"]["status"] == "in_progress"
    assert payloads[0]["response"]["usage"] is None
    deltas = "".join(p["delta"] for p in payloads if p["type"] == "response.output_text.delta")
    final = payloads[-1]["response"]
    assert deltas == responses_text(final)
    assert next(p for p in payloads if p["type"] == "response.output_text.done")["text"] == deltas


def test_reasoning_item_summary_and_tokens(server: MockProviderServer, http: httpx.Client) -> None:
    body = {
        "model": "o3-mini",
        "input": "How do I cross the street?",
        "reasoning": {"effort": "low", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
    }
    obj = post(http, server, "/v1/responses", body).json()
    reasoning, message = obj["output"]
    assert (reasoning["type"], message["type"]) == ("reasoning", "message")
    assert reasoning["id"].startswith("rs_")
    summary = reasoning["summary"][0]["text"]
    assert "How do I cross the street?" in summary
    assert reasoning["encrypted_content"].startswith("gAAAAA")
    assert obj["reasoning"] == {"effort": "low", "summary": "auto"}
    usage = obj["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] == words(summary)
    assert usage["output_tokens"] == words(summary) + words(responses_text(obj))
    # Without a summary request the model still reasons (tokens) but shows no summary and no encrypted content.
    plain = post(http, server, "/v1/responses", {"model": "o3-mini", "input": "How do I cross the street?"}).json()
    assert plain["output"][0]["summary"] == []
    assert "encrypted_content" not in plain["output"][0]
    assert plain["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    # A model that is not a reasoning model does not reason unless asked.
    none = post(http, server, "/v1/responses", {"model": "gpt-4o-mini", "input": "Hi"}).json()
    assert [item["type"] for item in none["output"]] == ["message"]
    streamed = events(post(http, server, "/v1/responses", {**body, "stream": True}).content)
    deltas = [json.loads(d) for n, d in streamed if n == "response.reasoning_summary_text.delta"]
    assert "".join(d["delta"] for d in deltas) == summary


def test_replayed_reasoning_is_noticed(server: MockProviderServer, http: httpx.Client) -> None:
    first = post(http, server, "/v1/responses", {"model": "o3-mini", "input": "Hi", "reasoning": {"effort": "low"}})
    replay = [{"role": "user", "content": "Hi"}, *first.json()["output"], {"role": "user", "content": "And then?"}]
    text = responses_text(post(http, server, "/v1/responses", {"model": "o3-mini", "input": replay}).json())
    assert "1 earlier reasoning item" in text


@pytest.mark.parametrize(
    ("tool_choice", "prompt", "calls"),
    [
        ("required", "What should I wear?", True),
        ({"type": "function", "name": "get_weather"}, "What should I wear?", True),
        ("auto", "Use get_weather for Paris.", True),
        ("auto", "What should I wear?", False),
        ("none", "Use get_weather for Paris.", False),
    ],
)
def test_responses_tool_calls(
    server: MockProviderServer, http: httpx.Client, tool_choice: Any, prompt: str, calls: bool
) -> None:
    body = {"model": "gpt-4o-mini", "input": prompt, "tools": [WEATHER_TOOL], "tool_choice": tool_choice}
    obj = post(http, server, "/v1/responses", body).json()
    kinds = [item["type"] for item in obj["output"]]
    assert kinds == (["function_call"] if calls else ["message"])
    if calls:
        call = obj["output"][0]
        assert call["name"] == "get_weather"
        assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call["call_id"])
        args = json.loads(call["arguments"])
        assert set(args) == set(WEATHER_TOOL["parameters"]["required"])  # type: ignore[index]
        assert isinstance(args["city"], str)
        assert isinstance(args["days"], int)
        assert args["days"] >= 1
        assert obj["usage"]["output_tokens"] == words(call["arguments"])


def test_responses_tool_result_turn(server: MockProviderServer, http: httpx.Client) -> None:
    ask = {"model": "gpt-4o-mini", "input": "Use get_weather for Paris.", "tools": [WEATHER_TOOL]}
    call = post(http, server, "/v1/responses", ask).json()["output"][0]
    follow = [
        {"role": "user", "content": "Use get_weather for Paris."},
        {k: call[k] for k in ("type", "call_id", "name", "arguments")},
        {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny and 21 degrees"},
    ]
    obj = post(http, server, "/v1/responses", {**ask, "input": follow, "tool_choice": "required"}).json()
    assert [item["type"] for item in obj["output"]] == ["message"]
    assert 'get_weather returned "sunny and 21 degrees"' in responses_text(obj)


def test_responses_function_call_stream(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "input": "Go", "tools": [WEATHER_TOOL], "tool_choice": "required"}
    payloads = [json.loads(d) for _, d in events(post(http, server, "/v1/responses", {**body, "stream": True}).content)]
    added = next(p for p in payloads if p["type"] == "response.output_item.added")
    assert added["item"]["arguments"] == ""
    assert added["item"]["status"] == "in_progress"
    args = "".join(p["delta"] for p in payloads if p["type"] == "response.function_call_arguments.delta")
    final = payloads[-1]["response"]["output"][0]
    assert args == final["arguments"]
    assert len([p for p in payloads if p["type"] == "response.function_call_arguments.delta"]) > 1


def test_structured_output_is_valid_for_the_schema(server: MockProviderServer, http: httpx.Client) -> None:
    schema = Trip.model_json_schema()
    fmt = {"type": "json_schema", "name": "Trip", "schema": schema, "strict": False}
    obj = post(http, server, "/v1/responses", {"model": "gpt-4o-mini", "input": "Plan", "text": {"format": fmt}})
    trip = Trip.model_validate_json(responses_text(obj.json()))
    assert trip.stops
    assert trip.stops[0].population >= 1000
    chat = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Plan"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "Trip", "schema": schema}},
    }
    content = post(http, server, "/v1/chat/completions", chat).json()["choices"][0]["message"]["content"]
    assert Trip.model_validate_json(content) == trip


def test_max_output_tokens_cuts_the_answer(server: MockProviderServer, http: httpx.Client) -> None:
    obj = post(http, server, "/v1/responses", {"model": "gpt-4o-mini", "input": STORY, "max_output_tokens": 5}).json()
    assert obj["status"] == "incomplete"
    assert obj["incomplete_details"] == {"reason": "max_output_tokens"}
    assert words(responses_text(obj)) == 5
    chat = {"model": "gpt-4o-mini", "messages": STORY, "max_completion_tokens": 4}
    choice = post(http, server, "/v1/chat/completions", chat).json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert words(choice["message"]["content"]) == 4


# -- OpenAI Chat Completions -----------------------------------------------------------------------------------------


def test_chat_json_shape(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."}, *STORY]}
    obj = post(http, server, "/v1/chat/completions", body).json()
    assert obj["object"] == "chat.completion"
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", obj["id"])
    assert obj["system_fingerprint"].startswith("fp_")
    [choice] = obj["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert "tool_calls" not in choice["message"]
    text = choice["message"]["content"]
    assert STORY[-1]["content"] in text
    assert "Be brief." in text
    usage = obj["usage"]
    assert usage["prompt_tokens"] == words("Be brief.") + sum(words(m["content"]) for m in STORY)
    assert usage["completion_tokens"] == words(text)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0
    # The path without /v1 (DeepSeek and other compatible hosts) answers the same.
    assert post(http, server, "/chat/completions", body).json() == obj


def test_chat_stream_chunks_usage_and_done(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "messages": STORY, "stream": True, "stream_options": {"include_usage": True}}
    evs = events(post(http, server, "/v1/chat/completions", body).content)
    assert evs[-1][1] == "[DONE]"
    chunks = [json.loads(d) for _, d in evs[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["usage"] is None for c in chunks[:-1])
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1])
    whole = post(http, server, "/v1/chat/completions", {**body, "stream": False}).json()
    assert text == whole["choices"][0]["message"]["content"]
    assert usage_chunk["usage"] == whole["usage"]
    assert chunks[0]["id"] == whole["id"]
    plain = events(post(http, server, "/v1/chat/completions", {**body, "stream_options": None}).content)
    assert all("usage" not in json.loads(d) for _, d in plain[:-1])


def test_chat_tool_call_stream_keyed_by_index(server: MockProviderServer, http: httpx.Client) -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "get_weather please"}],
        "tools": [CHAT_WEATHER_TOOL],
        "stream": True,
    }
    chunks = [json.loads(d) for _, d in events(post(http, server, "/v1/chat/completions", body).content)[:-1]]
    deltas = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls") or []]
    assert deltas[0]["id"].startswith("call_")
    assert deltas[0]["function"]["name"] == "get_weather"
    assert all("id" not in d for d in deltas[1:])
    assert {d["index"] for d in deltas} == {0}
    args = "".join(d["function"]["arguments"] for d in deltas)
    whole = post(http, server, "/v1/chat/completions", {**body, "stream": False}).json()
    [call] = whole["choices"][0]["message"]["tool_calls"]
    assert args == call["function"]["arguments"]
    assert whole["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    # The tool result turn is answered with text that uses it.
    follow = [
        *body["messages"],  # type: ignore[misc]
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "rainy"},
    ]
    answer = post(http, server, "/v1/chat/completions", {**body, "stream": False, "messages": follow}).json()
    assert 'get_weather returned "rainy"' in answer["choices"][0]["message"]["content"]


def test_chat_reasoning_tokens(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "o3-mini", "messages": STORY, "reasoning_effort": "low"}
    usage = post(http, server, "/v1/chat/completions", body).json()["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert usage["completion_tokens"] > reasoning


# -- auth, errors, routing -------------------------------------------------------------------------------------------


def test_auth_is_required_but_any_key_works(server: MockProviderServer, http: httpx.Client) -> None:
    body = {"model": "gpt-4o-mini", "input": "Hi"}
    missing = post(http, server, "/v1/responses", body, headers={})
    assert missing.status_code == 401
    assert set(missing.json()["error"]) == {"message", "type", "param", "code"}
    assert post(http, server, "/v1/responses", body, headers={"authorization": "Bearer anything"}).status_code == 200
    assert post(http, server, "/v1/responses", body, headers={"api-key": "azure-style"}).status_code == 200


def test_bad_requests_get_openai_error_shapes(server: MockProviderServer, http: httpx.Client) -> None:
    bad_json = http.post(server.url("/v1/chat/completions"), content=b"{nope", headers=AUTH)
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["type"] == "invalid_request_error"
    no_model = post(http, server, "/v1/responses", {"input": "Hi"})
    assert no_model.status_code == 400
    assert no_model.json()["error"]["param"] == "model"
    assert post(http, server, "/v1/nothing", {}).status_code == 404
    assert http.get(server.url("/v1/responses"), headers=AUTH).status_code == 405


def test_handler_errors_become_500s_and_are_recorded(http: httpx.Client) -> None:
    def broken(request: MockRequest) -> Reply:
        raise RuntimeError("boom")

    with MockProviderServer(routes=[Route("broken", "POST", re.compile(r"/v1/broken"), broken)]) as s:
        r = http.post(s.url("/v1/broken"), json={})
        assert r.status_code == 500
        assert "boom" in r.text
        assert [str(e) for e in s.errors] == ["boom"]


# -- faults ----------------------------------------------------------------------------------------------------------

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there, how are you?"}]}


def test_status_fault_with_retry_after_runs_out(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(status=429, retry_after=2, headers={"x-should-retry": "true"}, times=2)
    for _ in range(2):
        r = post(http, server, "/v1/chat/completions", CHAT)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "2"
        assert r.headers["x-should-retry"] == "true"
        assert r.json()["error"]["code"] == "rate_limit_exceeded"
    assert post(http, server, "/v1/chat/completions", CHAT).status_code == 200


def test_fault_bodies_and_path_filter(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(status=502, body=b"<html><body>Bad Gateway</body></html>", path="/responses")
    server.inject(status=200, body=b'{"id": "chatcmpl-', path="/chat/completions")
    server.inject(status=400, body={"error": {"message": "custom", "type": "x"}}, path="/chat/completions")
    malformed = post(http, server, "/v1/chat/completions", CHAT)  # the responses fault does not match this path
    assert malformed.status_code == 200
    assert malformed.content == b'{"id": "chatcmpl-'
    custom = post(http, server, "/v1/chat/completions", CHAT)
    assert custom.json() == {"error": {"message": "custom", "type": "x"}}
    html = post(http, server, "/v1/responses", {"model": "m", "input": "x"})
    assert html.status_code == 502
    assert html.headers["content-type"].startswith("text/html")


def test_repeating_fault_until_cleared(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(status=503, times=None)
    statuses = [post(http, server, "/v1/chat/completions", CHAT).status_code for _ in range(4)]
    assert statuses == [503] * 4
    server.clear_faults()
    assert post(http, server, "/v1/chat/completions", CHAT).status_code == 200


def test_drop_after_events_cuts_a_stream(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(drop_after_events=3)
    received: list[bytes] = []

    def consume() -> None:
        with http.stream("POST", server.url("/v1/chat/completions"), json={**CHAT, "stream": True}, headers=AUTH) as r:
            received.extend(r.iter_bytes())

    with pytest.raises(httpx.RemoteProtocolError):
        consume()
    assert len(events(b"".join(received))) == 3
    server.inject(drop_after_events=0)
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, server, "/v1/chat/completions", CHAT)  # a JSON answer is cut halfway


def test_hang_reset_and_headers_then_hang(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(hang=True)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(http, server, "/v1/chat/completions", CHAT, timeout=0.3)
    assert time.monotonic() - started < 3
    server.inject(reset=True)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        post(http, server, "/v1/chat/completions", CHAT)
    server.inject(headers_then_hang=True)
    with http.stream("POST", server.url("/v1/chat/completions"), json=CHAT, headers=AUTH, timeout=0.3) as r:
        assert r.status_code == 200  # the head arrived
        with pytest.raises(httpx.ReadTimeout):
            r.read()
    assert len(server.requests) == 3  # every faulted request was still logged


def test_delay_fault_answers_late_but_right(server: MockProviderServer, http: httpx.Client) -> None:
    server.inject(delay=0.2)
    started = time.monotonic()
    assert post(http, server, "/v1/chat/completions", CHAT).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_stop_closes_a_hanging_connection(http: httpx.Client) -> None:
    server = MockProviderServer().start()
    server.inject(hang=True)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            post(http, server, "/v1/chat/completions", CHAT, timeout=10)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5
    assert isinstance(outcome[0], httpx.TransportError)


def test_invalid_faults_are_refused(server: MockProviderServer) -> None:
    with pytest.raises(ValueError):
        server.inject(hang=True, reset=True)
    with pytest.raises(ValueError):
        server.inject()


# -- request log and connections -------------------------------------------------------------------------------------


def test_request_log_and_keep_alive(server: MockProviderServer, http: httpx.Client) -> None:
    post(http, server, "/v1/chat/completions", CHAT)
    post(http, server, "/v1/responses", {"model": "gpt-4o-mini", "input": "Hi"}, params={"x": "1"})
    first, second = server.requests
    assert (first.method, first.path) == ("POST", "/v1/chat/completions")
    assert first.json == CHAT
    assert first.header("authorization") == AUTH["authorization"]
    assert second.query == {"x": "1"}
    assert first.connection_id == second.connection_id  # one keep-alive connection
    assert server.connections_opened == 1
    http.post(server.url("/v1/chat/completions"), json=CHAT, headers={**AUTH, "connection": "close"})
    post(http, server, "/v1/chat/completions", CHAT)
    assert server.connections_opened == 2
    server.clear_requests()
    assert server.requests == []
    http.close()
    assert server.wait_for_connections(0)


def test_chunked_request_body(server: MockProviderServer, http: httpx.Client) -> None:
    raw = json.dumps(CHAT).encode()
    r = http.post(server.url("/v1/chat/completions"), content=iter([raw[:10], raw[10:]]), headers=AUTH)
    assert r.status_code == 200
    assert server.requests[0].header("transfer-encoding") == "chunked"
    assert server.requests[0].json == CHAT


def test_api_helper_points_at_the_server(server: MockProviderServer) -> None:
    api = server.api("openai", wire_api="chat_completions")
    assert api.config == {"base_url": server.url("/v1"), "wire_api": "chat_completions"}
    assert api.get_api_key()


@pytest.mark.anyio
async def test_async_start_stop_and_concurrent_streams() -> None:
    async with MockProviderServer(event_delay=0.001) as server:
        body = {**CHAT, "stream": True}
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            results: list[bytes] = []

            async def one() -> None:
                r = await client.post(server.url("/v1/chat/completions"), json=body, headers=AUTH)
                results.append(r.content)

            async with anyio.create_task_group() as tg:
                for _ in range(200):
                    tg.start_soon(one)
        assert len(results) == 200
        assert all(events(r)[-1][1] == "[DONE]" for r in results)
        assert len(set(results)) == 1  # every stream carried the same deterministic answer
        assert server.connections_opened > 100  # they really ran side by side


def test_module_entry_point_prints_a_url_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dhenara_http.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        r = httpx.post(url + "/v1/chat/completions", json=CHAT, headers=AUTH, timeout=5)
        assert r.json()["object"] == "chat.completion"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_importing_the_package_does_not_load_the_mock_server() -> None:
    code = "import sys, dhenara_http; dhenara_http.AIModelClient; print('dhenara_http.testing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
