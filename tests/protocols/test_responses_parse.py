"""Responses API answers (not streamed) and errors, recorded from OpenAI and Azure OpenAI, read through the public
client and checked against what the raw JSON says."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    ContextLengthExceededError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from dhenara_http.types.enums import ChatResponseContentItemType as T
from dhenara_http.types.enums import FinishReason
from dhenara_http.types.response import (
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
)
from tests.protocols._responses_support import (
    API_KEY,
    answer,
    answer_records,
    call,
    function_calls,
    output_text,
    reasoning_items,
    record,
)
from tests.support.recordings import http_response, response_json

ANSWERS = answer_records()


def _model(rec: dict[str, Any]) -> str:
    return str(response_json(rec)["model"])


@pytest.mark.parametrize(("name", "rec"), ANSWERS, ids=[n for n, _ in ANSWERS])
def test_recorded_answer_is_parsed_as_the_json_says(name: str, rec: dict[str, Any]) -> None:
    raw = response_json(rec)
    result, route = call(http_response(rec), provider=rec["provider"])
    response = result.chat_response
    assert response is not None
    assert route.call_count == 1
    assert response.metadata["wire_api"] == "responses"
    assert response.metadata["response_id"] == raw["id"]
    assert response.provider_response == raw
    assert response.model == raw["model"]
    assert (response.text() or "") == output_text(raw)

    calls = function_calls(raw)
    assert [(t.id, t.name, t.arguments, t.tool_call.metadata["item_id"]) for t in response.tools()] == [
        (c["call_id"], c["name"], json.loads(c["arguments"]), c["id"]) for c in calls
    ]
    # (finalize may move empty leading reasoning behind the answer; output order is in metadata)
    reasoning = sorted(
        (c for c in response.choices[0].contents if isinstance(c, ChatResponseReasoningContentItem)),
        key=lambda c: c.metadata["output_index"],
    )
    assert [(r.thinking_id, r.encrypted_content, r.thinking_summary) for r in reasoning] == [
        (item["id"], item.get("encrypted_content"), [s["text"] for s in item["summary"]])
        for item in reasoning_items(raw)
    ]
    for item in reasoning:
        assert item.thinking_text == ("\n\n".join(item.thinking_summary or []) or None)

    # Every output item is kept (a message as one item per text part), each with its place in the output.
    kept = sorted(c.metadata["output_index"] for c in response.choices[0].contents)
    assert sorted(set(kept)) == [
        i for i, item in enumerate(raw["output"]) if item["type"] != "message" or item["content"]
    ]
    generic = [c for c in response.choices[0].contents if isinstance(c, ChatResponseGenericContentItem)]
    assert [g.metadata["item"] for g in generic] == [
        i for i in raw["output"] if i["type"] not in ("message", "reasoning", "function_call", "web_search_call")
    ]
    searches = [i for i in raw["output"] if i["type"] == "web_search_call"]
    assert [s.metadata["item"] for s in response.web_searches()] == searches
    assert response.usage is not None
    assert response.usage.web_search_requests == len(searches)

    choice = response.choices[0]
    assert raw["status"] == "completed"
    assert choice.finish_reason == (FinishReason.TOOL_USE if calls else FinishReason.STOP)
    assert choice.metadata["native_finish_reason"] == "completed"

    usage, raw_usage = response.usage, raw["usage"]
    assert usage is not None
    assert usage.prompt_tokens == raw_usage["input_tokens"]
    assert usage.completion_tokens == raw_usage["output_tokens"]
    assert usage.total_tokens == raw_usage["total_tokens"]
    assert usage.cache_read_tokens == raw_usage["input_tokens_details"]["cached_tokens"]
    assert usage.reasoning_tokens == raw_usage["output_tokens_details"]["reasoning_tokens"]
    assert usage.cache_write_tokens == raw_usage["input_tokens_details"].get("cache_write_tokens", 0)


def test_cached_prompt_tokens_are_part_of_the_prompt_and_priced() -> None:
    rec = record("web_search_cached_usage")
    raw_usage = response_json(rec)["usage"]
    assert raw_usage["input_tokens_details"]["cached_tokens"] > 0  # the reason this record is here
    response = answer(response_json(rec), model="gpt-5")
    assert response.usage is not None
    assert response.usage_charge is not None
    assert response.usage.cache_read_tokens == raw_usage["input_tokens_details"]["cached_tokens"]
    assert response.usage.prompt_tokens == raw_usage["input_tokens"]
    assert response.usage_charge.cost > 0


def test_annotations_stay_with_their_text() -> None:
    raw = response_json(record("web_search_cached_usage"))
    message = next(i for i in raw["output"] if i["type"] == "message")
    response = answer(raw)
    text = next(c for c in response.choices[0].contents if isinstance(c, ChatResponseTextContentItem))
    assert text.message_id == message["id"]
    assert text.metadata["annotations"] == message["content"][0]["annotations"]
    assert text.metadata["output_index"] == raw["output"].index(message)


def test_unrequested_empty_reasoning_does_not_stand_before_the_answer() -> None:
    raw = response_json(record("reasoning_empty_summary"))
    assert raw["output"][0]["type"] == "reasoning"
    assert not raw["output"][0]["summary"]
    response = answer(raw, model="gpt-5")
    first, second = response.choices[0].contents
    assert first.get_text() == output_text(raw)
    assert isinstance(second, ChatResponseReasoningContentItem)
    assert second.encrypted_content == raw["output"][0]["encrypted_content"]
    assert second.metadata["output_index"] == 0  # kept for replay in its original place


def test_structured_output_is_read_from_the_text() -> None:
    from pydantic import BaseModel

    class Payment(BaseModel):
        amount: float

    rec = record("structured_output_strict")
    raw = response_json(rec)
    config = AIModelCallConfig(structured_output=Payment, retries=0)
    response = answer(raw, model=_model(rec), config=config)
    assert response.structured() == json.loads(output_text(raw))
    parsed = response.parsed()
    assert isinstance(parsed, Payment)
    assert parsed.amount == json.loads(output_text(raw))["amount"]


def test_azure_answers_keep_their_host() -> None:
    rec = record("azure_tool_call")
    result, route = call(http_response(rec), provider="azure_openai", model="gpt-4.1")
    assert str(route.calls.last.request.url) == "https://unit-test.openai.azure.com/openai/v1/responses"
    assert route.calls.last.request.headers["api-key"] == "azure-test-key"
    assert result.chat_response is not None
    assert result.chat_response.api_provider == "microsoft_openai"


# -- status and finish reasons (recorded answers, with the one field each case is about changed) --------------------


def _base() -> dict[str, Any]:
    return copy.deepcopy(response_json(record("text_instructions_only")))


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("max_output_tokens", FinishReason.MAX_TOKENS), ("content_filter", FinishReason.CONTENT_FILTER)],
)
def test_incomplete_answer_says_why(reason: str, expected: FinishReason) -> None:
    raw = _base()
    raw["status"], raw["incomplete_details"] = "incomplete", {"reason": reason}
    response = answer(raw, model="gpt-4o")
    assert response.finish_reason == expected
    assert response.choices[0].metadata["native_finish_reason"] == reason
    assert response.text() == output_text(raw)


def test_refusal_is_text_marked_as_refusal() -> None:
    raw = _base()
    refusal = "I can't help with that."
    raw["output"][0]["content"] = [{"type": "refusal", "refusal": refusal}]
    response = answer(raw, model="gpt-4o")
    item = response.choices[0].contents[0]
    assert isinstance(item, ChatResponseTextContentItem)
    assert (item.text, item.metadata["refusal"]) == (refusal, True)
    assert response.finish_reason == FinishReason.CONTENT_FILTER


def test_a_failed_answer_that_says_why_raises_its_classified_error() -> None:
    raw = _base()
    raw["status"], raw["output"] = "failed", []
    raw["error"] = {"code": "server_error", "message": "boom"}
    with pytest.raises(InternalServerError) as caught:
        answer(raw, model="gpt-4o")
    assert (caught.value.error_code, caught.value.message, caught.value.status_code) == ("server_error", "boom", 500)


def test_a_failed_answer_without_an_error_object_finishes_with_error() -> None:
    raw = _base()
    raw["status"], raw["output"] = "failed", []
    raw["error"] = None
    response = answer(raw, model="gpt-4o")
    assert response.finish_reason == FinishReason.ERROR


def test_an_error_event_shape_sent_as_the_body_is_its_classified_error() -> None:
    # The shape of the stream's ``error`` event, answered with a 200: an error, not an empty success.
    with pytest.raises(InternalServerError) as caught:
        answer({"type": "error", "code": "server_error", "message": "try again"}, model="gpt-4o")
    assert (caught.value.error_code, caught.value.message) == ("server_error", "try again")
    with pytest.raises(RateLimitError):
        answer({"type": "error", "code": "rate_limit_exceeded", "message": "slow down"}, model="gpt-4o")


def test_bad_tool_arguments_are_kept_not_lost() -> None:
    raw = copy.deepcopy(response_json(record("azure_tool_call")))
    raw["output"][0]["arguments"] = '{"location": "San Fr'
    response = answer(raw, model="gpt-4.1")
    (tool,) = response.tools()
    assert tool.tool_call.raw_arguments == raw["output"][0]["arguments"]
    assert tool.tool_call.parse_error
    assert tool.arguments == {}
    assert response.first(T.TOOL_CALL) is tool


# -- errors --------------------------------------------------------------------------------------------------------


def _error_response(rec: dict[str, Any], status: int | None = None) -> httpx.Response:
    """The recorded error body with its status (or ``status`` where the recorder kept none), and a request id: the
    recorders dropped ``x-request-id``, which real answers always carry."""
    return httpx.Response(
        status or int(rec["status"]),
        headers={"content-type": "application/json", "x-request-id": "req_test_123"},
        content=rec["response_body"].encode(),
    )


@pytest.mark.parametrize(
    ("name", "status", "cls"),
    [
        ("error_model_not_found", None, NotFoundError),
        ("error_insufficient_quota", 429, RateLimitError),
        ("error_unsupported_parameter", 400, BadRequestError),
    ],
)
def test_recorded_error_maps_to_its_class(name: str, status: int | None, cls: type[APIStatusError]) -> None:
    rec = record(name)
    raw_error = response_json(rec)["error"]
    with pytest.raises(APIStatusError) as info:
        call(_error_response(rec, status))
    err = info.value
    assert type(err) is cls
    assert err.status_code == (status or rec["status"])
    assert err.request_id == "req_test_123"
    assert err.error_type == raw_error["type"]
    assert err.error_code == raw_error["code"]
    assert err.message == raw_error["message"]
    assert err.provider == "openai"
    assert err.body == response_json(rec)


def test_error_before_a_stream_is_raised_by_generate() -> None:
    rec = record("error_on_stream_request")
    raw_error = response_json(rec)["error"]
    with pytest.raises(BadRequestError) as info:
        call(_error_response(rec), config=AIModelCallConfig(streaming=True, retries=0))
    assert info.value.error_code == raw_error["code"]
    assert info.value.status_code == 400


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (400, {"type": "invalid_request_error", "code": "context_length_exceeded"}, ContextLengthExceededError),
        (400, {"type": "invalid_request_error", "code": "content_policy_violation"}, ContentFilterError),
        (400, {"type": None, "code": "content_filter"}, ContentFilterError),  # Azure's content filter
        (404, {"type": None, "code": "DeploymentNotFound"}, NotFoundError),  # Azure, unknown deployment
        (500, {"type": "server_error", "code": "server_error"}, InternalServerError),
        (429, {"type": "tokens", "code": "rate_limit_exceeded"}, RateLimitError),
    ],
)
def test_error_class_comes_from_code_and_type(status: int, error: dict[str, Any], cls: type[APIStatusError]) -> None:
    body = {"error": {"message": "a message that names no class", "param": None, **error}}
    with pytest.raises(APIStatusError) as info:
        call(httpx.Response(status, json=body))
    assert type(info.value) is cls
    assert info.value.error_code == error["code"]


def test_code_wins_over_status() -> None:
    # OpenAI answers an unknown model on /responses with HTTP 400 (see error_model_not_found); the code says 404.
    body = {"error": {"message": "m", "type": "invalid_request_error", "code": "model_not_found", "param": "model"}}
    with pytest.raises(NotFoundError):
        call(httpx.Response(400, json=body))


def test_api_key_never_appears_in_an_error() -> None:
    body = {
        "error": {
            "message": f"Incorrect API key provided: {API_KEY}. You can find your API key at ...",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
            "param": None,
        }
    }
    with pytest.raises(AuthenticationError) as info:
        call(httpx.Response(401, json=body))
    err = info.value
    for shown in (str(err), repr(err), err.message, json.dumps(err.body), str(info.getrepr())):
        assert API_KEY not in shown
    assert "[REDACTED]" in err.message
