"""Gemini answers (not streamed) through the public client: text, thoughts with their signatures, function calls,
usage, finish reasons and blocked prompts — every expectation read from the recorded JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dhenara_http import AIModelAPI, FinishReason
from dhenara_http.types.response import (
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCallContentItem,
)
from tests.protocols._gemini_support import (
    P,
    expected_searches,
    expected_text,
    expected_thoughts,
    expected_usage,
    json_records,
    run,
    run_json,
)
from tests.support.recordings import load_record, response_json

JSON_RECORDS = json_records()

#: Gemini finish reasons → the package's (PROHIBITED_CONTENT & co. are in test_finish_reason_table).
FINISH = {"STOP": "stop", "MAX_TOKENS": "max_tokens", "MODEL_ARMOR": "content_filter"}


def test_the_fixture_set_covers_what_it_should() -> None:
    bodies = [json.dumps(response_json(r)) for _, r in JSON_RECORDS]
    for marker in ('"thought": true', "thoughtSignature", "functionCall", "cachedContentTokenCount", "MAX_TOKENS"):
        assert any(marker in b for b in bodies), marker
    assert any(
        '"id"' in json.dumps(p) for _, r in JSON_RECORDS for p in _parts(response_json(r)) if "functionCall" in p
    )


def _parts(data: dict[str, Any]) -> list[dict[str, Any]]:
    cands = data.get("candidates") or [{}]
    return list((cands[0].get("content") or {}).get("parts") or [])


@pytest.mark.parametrize(("name", "record"), JSON_RECORDS, ids=[n for n, _ in JSON_RECORDS])
def test_parsed_answer_matches_the_recorded_json(name: str, record: dict[str, Any]) -> None:
    data = response_json(record)
    parts = _parts(data)
    response = run(record, reasoning=True)

    assert response.text() == expected_text(parts)
    thoughts = expected_thoughts(parts, sep="\n\n")
    assert (response.reasoning() or "") == thoughts
    assert response.metadata["wire_api"] == "gemini"
    assert response.metadata["response_id"] == data.get("responseId")
    assert response.model == data.get("modelVersion", "gemini-2.5-flash")
    assert response.provider_response == data
    assert response.usage is not None
    assert response.usage.model_dump() == expected_usage(data["usageMetadata"], expected_searches(data))

    calls = [p["functionCall"] for p in parts if "functionCall" in p]
    tools = response.tools()
    assert [(t.name, t.arguments) for t in tools] == [(c["name"], c.get("args", {})) for c in calls]
    ids = [t.id for t in tools]
    assert len(set(ids)) == len(ids)
    for call, tool in zip(calls, tools, strict=True):
        if call.get("id"):
            assert tool.id == call["id"]
            assert "synthetic_id" not in tool.metadata
        else:
            assert tool.metadata["synthetic_id"] is True

    native = data["candidates"][0].get("finishReason")
    choice = response.choices[0]
    assert choice.metadata["native_finish_reason"] == native
    expected = FINISH[native]
    if expected == "stop" and calls:
        expected = "tool_use"
    assert response.finish_reason == expected


@pytest.mark.parametrize(("name", "record"), JSON_RECORDS, ids=[n for n, _ in JSON_RECORDS])
def test_every_part_becomes_one_item_keeping_its_signature(name: str, record: dict[str, Any]) -> None:
    parts = [p for p in _parts(response_json(record)) if p.get("text") or set(p) - {"text"}]
    contents = run(record, reasoning=True).choices[0].contents
    if expected_searches(response_json(record)):
        # Grounding with Google Search adds its search after the parts.
        assert contents[-1].type == "web_search_call"
        contents = contents[:-1]
    assert len(contents) == len(parts)
    for part, item in zip(parts, contents, strict=True):
        signature = part.get("thoughtSignature")
        if part.get("thought"):
            assert isinstance(item, ChatResponseReasoningContentItem)
            assert item.thinking_text == part["text"]
            assert item.thinking_signature == signature
        elif "text" in part:
            assert isinstance(item, ChatResponseTextContentItem)
            assert item.metadata.get("thought_signature") == signature
        elif "functionCall" in part:
            assert isinstance(item, ChatResponseToolCallContentItem)
            assert item.metadata.get("thought_signature") == signature
        else:
            assert isinstance(item, ChatResponseGenericContentItem)
            assert item.metadata["gemini_part"] == part


def test_code_execution_parts_are_generic_items_and_tool_prompt_tokens_count_as_input() -> None:
    record = load_record("gemini", "code_execution")
    data = response_json(record)
    response = run(record)
    kinds = [i.metadata.get("gemini_part_type") for i in response.choices[0].contents if i.type == "generic"]
    assert kinds == [next(iter(p)) for p in _parts(data) if "text" not in p]
    usage = data["usageMetadata"]
    assert response.usage is not None
    assert response.usage.prompt_tokens == usage["promptTokenCount"] + usage["toolUsePromptTokenCount"]
    assert response.usage.prompt_tokens + response.usage.completion_tokens == usage["totalTokenCount"]


def test_cached_tokens_are_part_of_the_prompt() -> None:
    data = response_json(load_record("gemini", "cached_tokens_after_tool_call"))
    response = run(load_record("gemini", "cached_tokens_after_tool_call"))
    assert response.usage is not None
    assert response.usage.cache_read_tokens == data["usageMetadata"]["cachedContentTokenCount"]
    assert response.usage.prompt_tokens == data["usageMetadata"]["promptTokenCount"]
    assert response.usage.cache_read_tokens <= response.usage.prompt_tokens


def test_structured_output_is_parsed_from_the_text() -> None:
    record = load_record("gemini", "structured_output")
    text = _parts(response_json(record))[0]["text"]
    schema = json.loads(record["request_body"])["generationConfig"]["responseJsonSchema"]
    response = run(record, structured_output=schema)
    assert response.structured() == json.loads(text)


def test_vertex_answers_parse_the_same_way() -> None:
    record = load_record("gemini", "vertex_tool_call")
    data = response_json(record)
    api = AIModelAPI(
        provider=P.GOOGLE_VERTEX_AI,
        credentials={"access_token": "ya29.test"},
        config={"project_id": "proj-1", "location": "global"},
    )
    import respx

    from tests.protocols._gemini_support import client
    from tests.support.recordings import http_response

    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(
            "https://aiplatform.googleapis.com/v1/projects/proj-1/locations/global/publishers/google/models/"
            "gemini-3-flash-preview:generateContent"
        ).mock(return_value=http_response(record))
        response = client("gemini-3-flash-preview", api=api).generate("hi").chat_response
    assert route.called
    assert response is not None
    call = _parts(data)[0]
    assert [(t.name, t.arguments) for t in response.tools()] == [(call["functionCall"]["name"], {})]
    assert response.tools()[0].metadata["thought_signature"] == call["thoughtSignature"]
    assert response.api_provider == P.GOOGLE_VERTEX_AI


@pytest.mark.parametrize(
    ("native", "expected"),
    [
        ("STOP", FinishReason.STOP),
        ("MAX_TOKENS", FinishReason.MAX_TOKENS),
        ("SAFETY", FinishReason.CONTENT_FILTER),
        ("RECITATION", FinishReason.CONTENT_FILTER),
        ("BLOCKLIST", FinishReason.CONTENT_FILTER),
        ("PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER),
        ("SPII", FinishReason.CONTENT_FILTER),
        ("IMAGE_SAFETY", FinishReason.CONTENT_FILTER),
        ("MALFORMED_FUNCTION_CALL", FinishReason.ERROR),
        ("LANGUAGE", FinishReason.OTHER),
        ("OTHER", FinishReason.OTHER),
        ("SOMETHING_NEW", FinishReason.OTHER),
    ],
)
def test_finish_reason_table(native: str, expected: FinishReason) -> None:
    body = {"candidates": [{"finishReason": native, "index": 0}], "responseId": "r1"}
    response = run_json(body).chat_response
    assert response is not None
    assert response.finish_reason == expected
    assert response.choices[0].metadata["native_finish_reason"] == native
    assert response.choices[0].contents == []


def test_a_blocked_prompt_is_a_content_filter_answer_not_an_exception() -> None:
    feedback = {
        "blockReason": "SAFETY",
        "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}],
    }
    body = {
        "promptFeedback": feedback,
        "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "blocked-1",
    }
    response = run_json(body).chat_response
    assert response is not None
    assert response.finish_reason == FinishReason.CONTENT_FILTER
    assert response.text() is None
    assert response.metadata["block_reason"] == feedback["blockReason"]
    assert response.choices[0].metadata["block_reason"] == feedback["blockReason"]
    assert response.choices[0].metadata["prompt_feedback"] == feedback
    assert response.usage is not None
    assert response.usage.prompt_tokens == 7


def test_a_safety_stop_keeps_its_ratings() -> None:
    ratings = [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "MEDIUM", "blocked": True}]
    body = {"candidates": [{"finishReason": "SAFETY", "safetyRatings": ratings, "index": 0}]}
    response = run_json(body).chat_response
    assert response is not None
    assert response.finish_reason == FinishReason.CONTENT_FILTER
    assert response.choices[0].metadata["safetyRatings"] == ratings


def test_parallel_calls_without_ids_get_distinct_deterministic_ids() -> None:
    record = load_record("gemini", "parallel_calls_turn1")
    first = run(record).tools()
    again = run(record).tools()
    assert [t.id for t in first] == [t.id for t in again]
    assert len({t.id for t in first}) == len(first) == 3
    assert all(t.metadata["synthetic_id"] for t in first)


def test_usage_charge_uses_the_catalogue_prices() -> None:
    from dhenara_http.foundation_models import Gemini20Flash

    record = load_record("gemini", "video_url_request")
    usage = response_json(record)["usageMetadata"]
    response = run(record, model="gemini-2.0-flash")
    cost = Gemini20Flash.cost_data
    assert cost is not None
    assert response.usage_charge is not None
    expected = (
        usage["promptTokenCount"] * cost.input_token_cost_per_million  # type: ignore[union-attr]
        + usage["candidatesTokenCount"] * cost.output_token_cost_per_million  # type: ignore[union-attr]
    ) / 1_000_000
    assert response.usage_charge.cost == pytest.approx(expected)
