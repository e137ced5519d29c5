"""Anthropic Messages answers (not streamed) and errors, read through the public client and checked against what the
recorded JSON says."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
)
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.enums import FinishReason
from dhenara_http.types.response import ChatResponseGenericContentItem, ChatResponseReasoningContentItem
from tests.protocols._anthropic_support import (
    NATIVE_FINISH,
    call,
    json_records,
    json_response,
    minimal_message,
    prompt_tokens,
)
from tests.support.recordings import load_record, response_json

JSON_RECORDS = json_records()


@pytest.mark.parametrize(("name", "record"), JSON_RECORDS, ids=[n for n, _ in JSON_RECORDS])
def test_recorded_answer_is_parsed_as_the_json_says(name: str, record: dict[str, Any]) -> None:
    raw = response_json(record)
    result, _, sent = call(record)
    response = result.chat_response
    assert response is not None
    assert len(sent) == 1
    assert response.metadata["wire_api"] == "anthropic"
    assert response.metadata["response_id"] == raw["id"]
    assert response.provider_response == raw
    assert response.model == raw["model"]
    blocks = raw["content"]
    texts = [b["text"] for b in blocks if b["type"] == "text"]
    assert response.text() == ("".join(texts) if texts else None)
    reasoning = [c for c in response.choices[0].contents if isinstance(c, ChatResponseReasoningContentItem)]
    thinking = [b for b in blocks if b["type"] in ("thinking", "redacted_thinking")]
    assert len(reasoning) == len(thinking)
    for item, block in zip(sorted(reasoning, key=lambda r: r.index), thinking, strict=True):
        if block["type"] == "thinking":
            assert (item.thinking_text, item.thinking_signature) == (block["thinking"], block["signature"])
        else:
            assert item.encrypted_content == block["data"]
            assert item.metadata["redacted"] is True
    calls = [(b["id"], b["name"], b["input"]) for b in blocks if b["type"] == "tool_use"]
    assert [(t.id, t.name, t.arguments) for t in response.tools()] == calls
    # Web searches (a server_tool_use of web_search, its web_search_tool_result) are typed; every other server-side
    # block stays generic; each keeps its raw block.
    searches = [b for b in blocks if b["type"] == "server_tool_use" and b.get("name") == "web_search"]
    results = [b for b in blocks if b["type"] == "web_search_tool_result"]
    assert [c.metadata["block"] for c in response.web_searches()] == searches
    search_results = [c for c in response.choices[0].contents if c.type == "web_search_result"]
    assert [c.metadata["block"] for c in search_results] == results
    generic = [
        c.metadata["block"] for c in response.choices[0].contents if isinstance(c, ChatResponseGenericContentItem)
    ]
    assert generic == [
        b
        for b in blocks
        if b["type"] not in ("text", "thinking", "redacted_thinking", "tool_use", "web_search_tool_result")
        and b not in searches
    ]
    cited = [c for b in blocks if b["type"] == "text" for c in b.get("citations") or []]
    assert [c.metadata for c in response.citations()] == cited
    server_use = want_server = (raw["usage"].get("server_tool_use") or {}).get("web_search_requests", 0)
    assert response.usage is not None
    assert response.usage.web_search_requests == server_use == want_server
    choice = response.choices[0]
    assert choice.metadata["native_finish_reason"] == raw["stop_reason"]
    assert choice.finish_reason == FinishReason(NATIVE_FINISH[raw["stop_reason"]])
    assert choice.stop_sequence == raw.get("stop_sequence")
    usage, want = response.usage, raw["usage"]
    assert usage is not None
    assert usage.prompt_tokens == prompt_tokens(want)
    assert usage.completion_tokens == want["output_tokens"]
    assert usage.total_tokens == prompt_tokens(want) + want["output_tokens"]
    # Counters are ints on every wire: 0 when the answer reports none.
    assert usage.cache_read_tokens == want.get("cache_read_input_tokens", 0)
    assert usage.cache_write_tokens == want.get("cache_creation_input_tokens", 0)
    assert usage.reasoning_tokens == (want.get("output_tokens_details") or {}).get("thinking_tokens", 0)


def test_items_keep_the_block_order_and_position() -> None:
    record = load_record("anthropic", "thinking_roundtrip")
    result, _, _ = call(record, config=AIModelCallConfig(reasoning=True))
    contents = result.chat_response.choices[0].contents  # type: ignore[union-attr]
    assert [c.type for c in contents] == [T.REASONING, T.TEXT]
    assert [c.metadata["output_index"] for c in contents] == [0, 1]
    assert contents[1].get_text() == response_json(record)["content"][1]["text"]


def test_cache_reads_and_writes_are_parts_of_the_prompt() -> None:
    write, read = load_record("anthropic", "cache_write"), load_record("anthropic", "cache_read")
    first = call(write)[0].chat_response
    second = call(read)[0].chat_response
    assert first is not None
    assert first.usage is not None
    assert second is not None
    assert second.usage is not None
    written = response_json(write)["usage"]["cache_creation_input_tokens"]
    assert written > 0
    assert first.usage.cache_write_tokens == written
    assert first.usage.cache_read_tokens == 0
    # What the first call wrote, the second read.
    assert second.usage.cache_read_tokens == written
    assert second.usage.prompt_tokens == response_json(read)["usage"]["input_tokens"] + written + (
        second.usage.cache_write_tokens or 0
    )


def test_cost_counts_cached_tokens_at_their_rates() -> None:
    record = load_record("anthropic", "cache_read")
    from dhenara_http.foundation_models import find_model

    sonnet = find_model("claude-sonnet-4-5")
    if sonnet is None:
        pytest.skip("the catalogue has no claude-sonnet-4-5")
    response = call(record, ai_model=sonnet)[0].chat_response
    assert response is not None
    assert response.usage_charge is not None
    assert response.usage_charge.cost > 0


def test_refusal_is_a_content_filter_stop_with_its_details() -> None:
    record = load_record("anthropic", "refusal")
    response = call(record)[0].chat_response
    assert response is not None
    assert response.finish_reason == FinishReason.CONTENT_FILTER
    assert response.choices[0].metadata["stop_details"] == response_json(record)["stop_details"]
    assert response.text() is None


def test_stop_sequence_is_kept_on_the_choice() -> None:
    record = load_record("anthropic", "stop_sequence")
    response = call(record)[0].chat_response
    assert response is not None
    assert response.finish_reason == FinishReason.STOP
    assert response.choices[0].stop_sequence == response_json(record)["stop_sequence"] == "Paris"


@pytest.mark.parametrize(
    ("native", "expected"),
    [
        ("max_tokens", FinishReason.MAX_TOKENS),
        ("pause_turn", FinishReason.PAUSE),
        ("model_context_window_exceeded", FinishReason.MAX_TOKENS),
        ("something_new", FinishReason.OTHER),
    ],
)
def test_other_stop_reasons(native: str, expected: FinishReason) -> None:
    response = call(json_response({**minimal_message(), "stop_reason": native}))[0].chat_response
    assert response is not None
    assert response.finish_reason == expected
    assert response.choices[0].metadata["native_finish_reason"] == native


def test_empty_thinking_is_not_in_front_of_an_unrequested_answer_but_keeps_its_position() -> None:
    record = load_record("anthropic", "advisor_server_tool")
    response = call(record)[0].chat_response
    assert response is not None
    first = response.choices[0].contents[0]
    assert first.type == T.TEXT
    assert first.get_text() == response_json(record)["content"][1]["text"]
    thinking = response.first(T.REASONING)
    assert thinking.metadata["output_index"] == 0
    assert thinking.thinking_signature


# -- errors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "cls"), [("error_400_invalid_request", BadRequestError), ("error_404_not_found", NotFoundError)]
)
def test_recorded_errors_are_classified_by_type(slug: str, cls: type[APIStatusError]) -> None:
    record = load_record("anthropic", slug)
    raw = response_json(record)
    with pytest.raises(cls) as caught:
        call(record)
    err = caught.value
    assert type(err) is cls
    assert err.status_code == record["status"]
    assert err.error_type == raw["error"]["type"]
    assert err.message == raw["error"]["message"]
    assert err.provider == "anthropic"
    assert "sk-ant-test" not in str(err)


def _error(etype: str, message: str = "boom") -> dict[str, Any]:
    return {"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_1"}


@pytest.mark.parametrize(
    ("status", "etype", "cls"),
    [
        (401, "authentication_error", AuthenticationError),
        (403, "permission_error", PermissionDeniedError),
        (413, "request_too_large", BadRequestError),
        (500, "api_error", InternalServerError),
        # The type decides, not the status: an overloaded error on a 500 is still "overloaded".
        (500, "overloaded_error", OverloadedError),
        (529, "overloaded_error", OverloadedError),
    ],
)
def test_error_types_map_to_classes(status: int, etype: str, cls: type[APIStatusError]) -> None:
    with pytest.raises(cls) as caught:
        call(json_response(_error(etype), status), config=AIModelCallConfig(retries=0))
    assert type(caught.value) is cls
    assert caught.value.error_type == etype


def test_context_window_overflow_has_no_code_and_stays_a_bad_request() -> None:
    body = _error("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")
    with pytest.raises(BadRequestError) as caught:
        call(json_response(body, 400))
    assert type(caught.value) is BadRequestError


def test_rate_limit_carries_retry_after_and_is_retried(retry_waits: list[float]) -> None:
    limited = json_response(_error("rate_limit_error"), 429, **{"retry-after": "7"})
    result, _, sent = call([limited, json_response(minimal_message("after wait"))])
    assert len(sent) == 2
    assert retry_waits == [7.0]
    assert result.chat_response is not None
    assert result.chat_response.text() == "after wait"
    with pytest.raises(RateLimitError) as caught:
        call(
            json_response(_error("rate_limit_error"), 429, **{"retry-after": "7"}), config=AIModelCallConfig(retries=0)
        )
    assert caught.value.retry_after == 7.0


def test_overloaded_529_is_retried_then_raised(retry_waits: list[float]) -> None:
    answers = [json_response(_error("overloaded_error", "Overloaded"), 529) for _ in range(2)]
    with pytest.raises(OverloadedError):
        call(answers, config=AIModelCallConfig(retries=1))
    assert len(retry_waits) == 1


def test_error_object_in_a_200_answer_raises_its_type() -> None:
    with pytest.raises(OverloadedError) as caught:
        call(json_response(_error("overloaded_error", "Overloaded")))
    assert caught.value.error_type == "overloaded_error"


def test_malformed_tool_input_is_kept_not_lost() -> None:
    data = minimal_message()
    data["content"] = [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": "{not json"}]
    data["stop_reason"] = "tool_use"
    response = call(json_response(data))[0].chat_response
    assert response is not None
    call_item = response.tools()[0].tool_call
    assert call_item.arguments == {}
    assert call_item.raw_arguments == "{not json"
    assert call_item.parse_error


def test_json_text_answer_round_trips_through_json() -> None:
    record = load_record("anthropic", "text")
    response = call(record)[0].chat_response
    assert response is not None
    again = type(response).model_validate(json.loads(response.model_dump_json()))
    assert again == response


def test_a_generic_model_name_works() -> None:
    response = call(json_response(minimal_message("hi")), ai_model="claude-some-future-model")[0].chat_response
    assert response is not None
    assert response.text() == "hi"


def test_http_error_without_json_body_is_still_typed() -> None:
    with pytest.raises(InternalServerError):
        call(httpx.Response(502, text="<html>bad gateway</html>"), config=AIModelCallConfig(retries=0))
