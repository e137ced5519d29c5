"""The malformed answers of the hardening issue, one by one, through the public client: each is a
``ResponseParseError`` naming the JSON path of the bad field (or the classified error, for an error object), in a
JSON answer and in a stream — never a ``TypeError`` / ``AttributeError`` / ``OverflowError`` / ``RecursionError`` or a
raw pydantic error. The fuzz suite (``tests/fuzz``) covers the same ground at random; these are the named cases."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http._pricing import chat_usage_charge
from dhenara_http.errors import (
    DhenaraError,
    InternalServerError,
    ResponseParseError,
    StreamError,
)
from dhenara_http.types.model import ChatModelCostData
from dhenara_http.types.response import ChatResponseUsage

P = AIModelAPIProviderEnum
WIRES: dict[str, tuple[P, dict[str, Any], str]] = {
    "anthropic": (P.ANTHROPIC, {}, "claude-sonnet-4-5"),
    "chat_completions": (P.OPEN_AI, {"wire_api": "chat_completions"}, "gpt-4o"),
    "gemini": (P.GOOGLE_AI, {}, "gemini-2.5-flash"),
    "responses": (P.OPEN_AI, {}, "gpt-5"),
}
KEY = "sk-malformed-0123456789abcdef"


def client(wire: str, **config: Any) -> AIModelClient:
    provider, api_config, model = WIRES[wire]
    api = AIModelAPI(provider=provider, api_key=KEY, config=api_config)
    return AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(retries=0, **config))


def call(wire: str, body: bytes | dict[str, Any], **config: Any) -> tuple[Any, list[Any], int]:
    """One call answered by ``body`` (JSON, or event-stream bytes when ``streaming=True``): the result, the stream
    items that arrived before any error, and how many requests were sent. Errors propagate."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ctype = "text/event-stream" if config.get("streaming") else "application/json"
    items: list[Any] = []
    with respx.mock(assert_all_called=False) as router:
        route = router.route().mock(return_value=httpx.Response(200, headers={"content-type": ctype}, content=raw))
        with client(wire, **config) as c:
            result = c.generate(prompt="hi")
            for item in result.stream_generator or ():
                items.append(item)
    return result, items, route.call_count


def sse(*payloads: Any) -> bytes:
    return "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads).encode()


# -- JSON answers -----------------------------------------------------------------------------------------------------

ANTHROPIC_OK = {"type": "message", "id": "m1", "model": "claude-sonnet-4-5", "role": "assistant", "content": []}
CHAT_OK = {"id": "c1", "object": "chat.completion", "model": "gpt-4o", "choices": []}
RESPONSES_OK = {"id": "r1", "object": "response", "status": "completed", "model": "gpt-5", "output": []}


def _call_message(tool_call: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": None, "tool_calls": [tool_call]}
    return {**CHAT_OK, "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}


MALFORMED: list[tuple[str, str, dict[str, Any] | bytes, str]] = [
    # (id, wire, answer, the path the error must name)
    ("anthropic-content-is-a-number", "anthropic", {**ANTHROPIC_OK, "content": 5}, "content"),
    (
        "responses-usage-details-is-a-number",
        "responses",
        {**RESPONSES_OK, "usage": {"input_tokens": 1, "output_tokens": 1, "input_tokens_details": 5}},
        "usage.input_tokens_details",
    ),
    (
        "chat-prompt-tokens-infinity",
        "chat_completions",
        b'{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":Infinity}}',
        "usage.prompt_tokens",
    ),
    ("gemini-candidate-content-is-a-number", "gemini", {"candidates": [{"content": -1}]}, "candidates[0].content"),
    (
        "chat-tool-arguments-a-number",
        "chat_completions",
        _call_message({"id": "call_1", "type": "function", "function": {"name": "f", "arguments": 5}}),
        "choices[0].message.tool_calls[0].function.arguments",
    ),
    (
        "anthropic-input-tokens-10-to-the-400",
        "anthropic",
        b'{"type":"message","content":[],"usage":{"input_tokens":1' + b"0" * 400 + b',"output_tokens":1}}',
        "usage.input_tokens",
    ),
    (
        "chat-tool-call-id-a-number",
        "chat_completions",
        _call_message({"id": 7, "type": "function", "function": {"name": "f", "arguments": "{}"}}),
        "choices[0].message.tool_calls[0].id",
    ),
    (
        "responses-tool-call-id-a-number",
        "responses",
        {**RESPONSES_OK, "output": [{"type": "function_call", "call_id": 7, "name": "f", "arguments": "{}"}]},
        "output[0].call_id",
    ),
    (
        "gemini-args-a-list",
        "gemini",
        {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": [1]}}]}}]},
        "candidates[0].content.parts[0].functionCall.args",
    ),
    ("anthropic-usage-negative", "anthropic", {**ANTHROPIC_OK, "usage": {"output_tokens": -3}}, "usage.output_tokens"),
    (
        "gemini-usage-a-string",
        "gemini",
        {"candidates": [], "usageMetadata": {"promptTokenCount": "12"}},
        "usageMetadata.promptTokenCount",
    ),
]


@pytest.mark.parametrize(("wire", "answer", "path"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_answer_is_a_parse_error_naming_the_field(wire: str, answer: Any, path: str) -> None:
    with pytest.raises(ResponseParseError) as caught:
        call(wire, answer)
    assert path in str(caught.value)
    assert caught.value.provider == WIRES[wire][0].value


def test_a_lone_surrogate_escape_is_replaced_so_the_answer_dumps_to_json() -> None:
    body = b'{"type":"message","role":"assistant","content":[{"type":"text","text":"a\\ud800b"}]}'
    result, _, _ = call("anthropic", body)
    assert result.chat_response.text() == "a\ufffdb"
    assert "\\ufffd" in result.chat_response.model_dump_json() or "\ufffd" in result.chat_response.model_dump_json()


@pytest.mark.parametrize(
    "body",
    [
        # a surrogate's own UTF-8 bytes, which json.loads decodes with surrogatepass
        b'{"type":"message","role":"assistant","content":[{"type":"text","text":"a\xed\xa0\x80b"}]}',
        # the escape in upper case
        b'{"type":"message","role":"assistant","content":[{"type":"text","text":"a\\uDC00b"}]}',
        # a UTF-16 body (json.loads detects it) whose text holds a lone surrogate
        '{"type":"message","role":"assistant","content":[{"type":"text","text":"a\ud800b"}]}'.encode(
            "utf-16-le", "surrogatepass"
        ),
    ],
    ids=["utf8-surrogate-bytes", "upper-case-escape", "utf16-body"],
)
def test_every_form_of_lone_surrogate_in_an_answer_is_replaced(body: bytes) -> None:
    result, _, _ = call("anthropic", body)
    assert result.chat_response.text() == "a\ufffdb"
    result.chat_response.model_dump_json()


def test_a_deep_answer_is_refused_however_compact() -> None:
    # 129 levels in 258 bytes of brackets: the shortest body that nests too deep.
    deep = "[" * 129 + "]" * 129
    body = f'{{"type":"message","role":"assistant","content":[],"padding":{deep}}}'.encode()
    with pytest.raises(ResponseParseError, match="nested more than") as caught:
        call("anthropic", body)
    assert caught.value.provider == WIRES["anthropic"][0].value


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_json_nested_too_deep_for_a_response_is_a_parse_error(wire: str) -> None:
    # Parsed by json.loads, but deeper than any answer nests (and than copying and pydantic's serialisation take).
    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    answer = {"candidates": [], "padding": deep} if wire == "gemini" else {**CHAT_OK, "padding": deep}
    if wire == "anthropic":
        answer = {**ANTHROPIC_OK, "padding": deep}
    elif wire == "responses":
        answer = {**RESPONSES_OK, "padding": deep}
    with pytest.raises(ResponseParseError, match="nested more than"):
        call(wire, answer)


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_a_body_nested_5000_deep_is_a_parse_error(wire: str) -> None:
    with pytest.raises(ResponseParseError):
        call(wire, b"[" * 5000 + b"]" * 5000)


# -- errors inside a success --------------------------------------------------------------------------------------


def test_a_responses_200_error_object_is_its_classified_error() -> None:
    with pytest.raises(InternalServerError) as caught:
        call("responses", {"type": "error", "code": "server_error", "message": "boom"})
    assert caught.value.error_code == "server_error"
    assert caught.value.status_code == 500


def test_a_responses_200_error_object_is_retried_like_a_500() -> None:
    with respx.mock(assert_all_called=False) as router:
        error = httpx.Response(200, json={"type": "error", "code": "server_error", "message": "boom"})
        ok = httpx.Response(200, json={**RESPONSES_OK, "output": [_message_item("fine")]})
        route = router.route().mock(side_effect=[error, ok])
        with AIModelClient(client("responses").model_endpoint, AIModelCallConfig(retries=1)) as c:
            result = c.generate(prompt="hi")
    assert route.call_count == 2
    assert result.chat_response is not None
    assert result.chat_response.text() == "fine"


def _message_item(text: str) -> dict[str, Any]:
    return {"type": "message", "id": "m", "role": "assistant", "content": [{"type": "output_text", "text": text}]}


def test_a_failed_response_with_an_error_raises_it() -> None:
    failed = {**RESPONSES_OK, "status": "failed", "error": {"code": "server_error", "message": "lost"}}
    with pytest.raises(InternalServerError, match="lost"):
        call("responses", failed)


def test_a_gemini_200_error_body_with_more_keys_is_its_classified_error() -> None:
    body = {"error": {"code": 503, "message": "try later", "status": "UNAVAILABLE"}, "extra": True}
    with pytest.raises(DhenaraError) as caught:
        call("gemini", body)
    assert type(caught.value).__name__ == "OverloadedError"


# -- streams ------------------------------------------------------------------------------------------------------

ANTHROPIC_EVENTS = [
    {"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "content": []}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello "}},
]


@pytest.mark.parametrize(
    ("bad_event", "path"),
    [
        ({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}}, "delta.text"),
        ({"type": "content_block_delta", "index": 0, "delta": 5}, "delta"),
        ({"type": "content_block_delta", "index": 10**400, "delta": {"type": "text_delta", "text": "x"}}, "index"),
        ({"type": "message_delta", "delta": {}, "usage": {"output_tokens": float("inf")}}, "usage.output_tokens"),
    ],
    ids=["text-a-number", "delta-a-number", "index-huge", "usage-infinite"],
)
def test_a_malformed_event_after_the_first_chunk_fails_the_stream_with_its_partial(
    bad_event: dict[str, Any], path: str
) -> None:
    body = sse(*ANTHROPIC_EVENTS, json.dumps(bad_event, allow_nan=True))
    with pytest.raises(StreamError) as caught:
        call("anthropic", body, streaming=True)
    assert isinstance(caught.value.error, ResponseParseError)
    assert path in str(caught.value.error)
    partial = caught.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    assert partial.chat_response.text() == "Hello "


def test_a_malformed_event_before_the_first_chunk_is_a_parse_error() -> None:
    body = sse(ANTHROPIC_EVENTS[0], {"type": "content_block_start", "index": 0, "content_block": 5})
    with pytest.raises(ResponseParseError, match="content_block"):
        call("anthropic", body, streaming=True)


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_an_event_nested_5000_deep_is_a_parse_error(wire: str) -> None:
    with pytest.raises(ResponseParseError, match="nested"):
        call(wire, sse("[" * 5000 + "]" * 5000), streaming=True)


# -- counts and costs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_usage_counters_are_ints_and_zero_when_absent(wire: str) -> None:
    answers = {
        "anthropic": {**ANTHROPIC_OK, "usage": {"input_tokens": 3, "output_tokens": 4}},
        "chat_completions": {**CHAT_OK, "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
        "gemini": {"candidates": [], "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4}},
        "responses": {**RESPONSES_OK, "usage": {"input_tokens": 3, "output_tokens": 4}},
    }
    result, _, _ = call(wire, answers[wire])
    usage = result.chat_response.usage
    assert usage is not None
    counts = usage.model_dump()
    assert counts == {
        "prompt_tokens": 3,
        "completion_tokens": 4,
        "total_tokens": 7,
        "reasoning_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "web_search_requests": 0,
    }
    assert all(type(v) is int for v in counts.values())


def test_stored_usage_with_nulls_reads_as_zero() -> None:
    usage = ChatResponseUsage.model_validate({"prompt_tokens": 1, "reasoning_tokens": None, "cache_read_tokens": None})
    assert (usage.reasoning_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (0, 0, 0)


PRICES = ChatModelCostData(input_token_cost_per_million=3.0, output_token_cost_per_million=15.0)


def test_the_largest_counts_an_answer_may_carry_are_priced_finite() -> None:
    most = 2**53 - 1
    charge = chat_usage_charge(ChatResponseUsage(prompt_tokens=most, completion_tokens=most), PRICES)
    assert charge is not None
    assert math.isfinite(charge.cost)
    assert charge.cost == pytest.approx((most * 3.0 + most * 15.0) / 1e6)


def test_an_absurd_count_is_refused_typed_never_an_overflow() -> None:
    with pytest.raises(ResponseParseError, match="too large to price"):
        chat_usage_charge(ChatResponseUsage(prompt_tokens=10**400), PRICES)
