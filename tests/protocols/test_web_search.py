"""Hosted web search on the three wires that carry it: the tool in the request (checked against OpenAI's spec and the
recorded requests of the other two), recorded answers parsed to searches, results and citations with nothing lost
(every citation, every result page, every encrypted blob), streams that add up to the same answer, usage and its
per-search price, and the replay policy (as it came to the same provider; searches dropped and cited sources kept as
text elsewhere — docs/conversations.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    CapabilityError,
    ChatModelCostData,
    ChatResponse,
    ChatResponseUsage,
    ConfigurationError,
    Prompt,
    ToolDefinition,
    WebSearchHostedTool,
)
from dhenara_http._pricing import chat_usage_charge
from dhenara_http.foundation_models import (
    GPT5,
    ClaudeOpus46,
    ClaudeSonnet45,
    Gemini3Pro,
    Gemini25Flash,
    Gemini25Pro,
)
from dhenara_http.types.hosted_tools import HostedToolUserLocation
from tests.support.openai_spec import validate_request
from tests.support.recordings import body_bytes, http_response, load_record, request_json, response_json

URLS = {
    "openai": "https://api.openai.com/v1/responses",
    "anthropic": "https://api.anthropic.com/v1/messages",
    "google_gemini_api": "https://generativelanguage.googleapis.com/v1beta/models/{model}:{method}",
}
SEARCH = WebSearchHostedTool()
M = 1_000_000


def _url(provider: str, model: Any, stream: bool) -> str:
    url = URLS[provider]
    if provider == "google_gemini_api":
        url = url.format(model=model.model_name, method="streamGenerateContent" if stream else "generateContent")
    return url


def call(
    provider: str,
    model: Any,
    answer: httpx.Response | dict[str, Any] | None = None,
    *,
    messages: list[Any] | None = None,
    **config: Any,
) -> tuple[ChatResponse, dict[str, Any]]:
    """One call through the public client (respx answering); the final response and the body sent."""
    config.setdefault("hosted_tools", [SEARCH])
    if isinstance(answer, dict):
        answer = http_response(answer) if "response_body" in answer else httpx.Response(200, json=answer)
    stream = bool(config.get("streaming"))
    api = AIModelAPI(provider=provider, api_key="k-test")
    with respx.mock() as router:
        route = router.post(url__startswith=_url(provider, model, stream))
        route.mock(return_value=answer or httpx.Response(500))
        with AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(**config)) as client:
            result = client.generate(messages=messages or [Prompt.with_text("What is the weather in Paris?")])
            if result.stream_generator is not None:
                result = [final for _, final in result.stream_generator if final is not None][-1]
        body = json.loads(route.calls.last.request.content)
    assert result.chat_response is not None
    return result.chat_response, body


def sent_only(provider: str, model: Any, **config: Any) -> dict[str, Any]:
    minimal = {
        "openai": {"id": "r", "object": "response", "status": "completed", "output": []},
        "anthropic": {"id": "m", "type": "message", "content": [], "stop_reason": "end_turn", "usage": {}},
        "google_gemini_api": {"candidates": []},
    }[provider]
    return call(provider, model, minimal, **config)[1]


def refused(provider: str, model: Any, tool: WebSearchHostedTool) -> ConfigurationError:
    api = AIModelAPI(provider=provider, api_key="k-test")
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(hosted_tools=[tool]))
    with respx.mock(assert_all_called=False) as router:
        route = router.route()
        with pytest.raises(ConfigurationError) as caught:
            client.generate(prompt="hi")
    assert not route.called
    return caught.value


# -- requests ------------------------------------------------------------------------------------------------------


def test_responses_request_carries_the_web_search_tool_per_the_spec() -> None:
    tool = WebSearchHostedTool(
        allowed_domains=["example.com"],
        user_location=HostedToolUserLocation(city="Paris", country="FR"),
        search_context_size="low",
        max_uses=3,
        external_web_access=False,
        return_token_budget="unlimited",
    )
    weather = ToolDefinition(name="weather", description="Weather", parameters={"type": "object", "properties": {}})
    body = sent_only("openai", GPT5, hosted_tools=[tool], tools=[weather])
    assert [t["type"] for t in body["tools"]] == ["function", "web_search"]
    assert body["tools"][1] == {
        "type": "web_search",
        "filters": {"allowed_domains": ["example.com"]},
        "user_location": {"type": "approximate", "city": "Paris", "country": "FR"},
        "search_context_size": "low",
        "external_web_access": False,
        "return_token_budget": "unlimited",
    }
    assert body["include"] == ["web_search_call.action.sources"]
    assert body["max_tool_calls"] == 3
    validate_request(body, "CreateResponse")


def test_responses_request_merges_the_include_lists() -> None:
    body = sent_only("openai", GPT5, reasoning=True)
    assert body["include"] == ["reasoning.encrypted_content", "web_search_call.action.sources"]
    assert body["tools"] == [{"type": "web_search"}]  # what the recorded request sent for a bare tool
    recorded = request_json(load_record("responses", "web_search_citations"))
    assert recorded["tools"] == body["tools"]


@pytest.mark.parametrize(
    ("model", "version"), [(ClaudeSonnet45, "web_search_20250305"), (ClaudeOpus46, "web_search_20260209")]
)
def test_anthropic_request_uses_the_models_tool_version(model: Any, version: str) -> None:
    tool = WebSearchHostedTool(
        max_uses=2, blocked_domains=["spam.test"], user_location=HostedToolUserLocation(city="Paris")
    )
    body = sent_only("anthropic", model, hosted_tools=[tool])
    assert body["tools"] == [
        {
            "type": version,
            "name": "web_search",
            "max_uses": 2,
            "blocked_domains": ["spam.test"],
            "user_location": {"type": "approximate", "city": "Paris"},
        }
    ]


def test_anthropic_request_for_a_bare_tool_is_the_recorded_one_without_nulls() -> None:
    recorded = request_json(load_record("anthropic", "web_search_turn1"))["tools"]
    body = sent_only("anthropic", ClaudeSonnet45)
    assert body["tools"] == [{k: v for k, v in t.items() if v is not None} for t in recorded]


def test_gemini_request_is_the_recorded_google_search_tool() -> None:
    body = sent_only("google_gemini_api", Gemini25Pro)
    assert body["tools"] == request_json(load_record("gemini", "google_search"))["tools"] == [{"googleSearch": {}}]


@pytest.mark.parametrize(
    ("provider", "model", "tool", "named"),
    [
        ("openai", GPT5, WebSearchHostedTool(blocked_domains=["x.test"]), "blocked_domains"),
        ("anthropic", ClaudeSonnet45, WebSearchHostedTool(search_context_size="high"), "search_context_size"),
        ("anthropic", ClaudeSonnet45, WebSearchHostedTool(allowed_domains=["a"], blocked_domains=["b"]), "not both"),
        ("google_gemini_api", Gemini25Pro, WebSearchHostedTool(max_uses=1, allowed_domains=["a"]), "allowed_domains"),
    ],
)
def test_what_a_provider_cannot_do_is_refused_by_name(
    provider: str, model: Any, tool: WebSearchHostedTool, named: str
) -> None:
    assert named in str(refused(provider, model, tool))


def test_anthropic_web_search_is_not_offered_on_bedrock() -> None:
    api = AIModelAPI(provider="amazon_bedrock", api_key="b", config={"region": "us-east-1", "wire_api": "invoke"})
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=ClaudeSonnet45), AIModelCallConfig(hosted_tools=[SEARCH]))
    with pytest.raises(CapabilityError, match="'invoke'"):
        client.generate(prompt="hi")


# -- recorded answers ----------------------------------------------------------------------------------------------


def test_anthropic_answer_keeps_searches_pages_and_citations() -> None:
    record = load_record("anthropic", "web_search_turn1")
    raw = response_json(record)
    response, _ = call("anthropic", ClaudeSonnet45, record)
    uses = [b for b in raw["content"] if b["type"] == "server_tool_use"]
    results = [b for b in raw["content"] if b["type"] == "web_search_tool_result"]
    searches = response.web_searches()
    assert [(s.call_id, s.queries) for s in searches] == [(u["id"], [u["input"]["query"]]) for u in uses]
    pages = response.search_results()
    raw_pages = [p for r in results for p in r["content"]]
    assert [(p.url, p.title, p.page_age) for p in pages] == [(p["url"], p["title"], p["page_age"]) for p in raw_pages]
    assert [p.metadata["encrypted_content"] for p in pages] == [p["encrypted_content"] for p in raw_pages]
    cited = [(b["text"], c) for b in raw["content"] if b["type"] == "text" for c in b.get("citations") or []]
    citations = response.citations()
    assert len(citations) == len(cited) > 0
    for citation, (_, raw_citation) in zip(citations, cited, strict=True):
        assert citation.type == "web_search_result_location"
        assert (citation.url, citation.title, citation.cited_text) == (
            raw_citation["url"],
            raw_citation["title"],
            raw_citation["cited_text"],
        )
        assert citation.metadata["encrypted_index"] == raw_citation["encrypted_index"]
    assert response.usage is not None
    assert response.usage.web_search_requests == raw["usage"]["server_tool_use"]["web_search_requests"] == 1
    # Sonnet 4.5: $3 / $15 per M tokens, and $10 per 1,000 searches.
    usage = raw["usage"]
    want = (usage["input_tokens"] * 3.0 + usage["output_tokens"] * 15.0) / M + 10.0 / 1000
    assert response.usage_charge is not None
    assert response.usage_charge.cost == pytest.approx(want)


def test_responses_answer_keeps_searches_and_url_citations_with_their_spans() -> None:
    record = load_record("responses", "web_search_citations")
    raw = response_json(record)
    response, _ = call("openai", GPT5, record)
    calls = [i for i in raw["output"] if i["type"] == "web_search_call"]
    assert [s.call_id for s in response.web_searches()] == [c["id"] for c in calls]
    assert [s.metadata["item"] for s in response.web_searches()] == calls
    notes = [
        (p["text"], n)
        for i in raw["output"]
        if i["type"] == "message"
        for p in i["content"]
        for n in p.get("annotations") or []
    ]
    citations = response.citations()
    assert len(citations) == len(notes) > 0
    texts = [c.text for c in response.choices[0].contents if c.type == "text" and c.citations]
    for citation, (text, note) in zip(citations, notes, strict=True):
        assert (citation.url, citation.title) == (note["url"], note["title"])
        assert (citation.start_index, citation.end_index) == (note["start_index"], note["end_index"])
        assert text in texts
    assert response.usage is not None
    assert response.usage.web_search_requests == len(calls)


@pytest.mark.parametrize("name", ["google_search", "google_search_thinking_part_offsets"])
def test_gemini_grounding_becomes_a_search_and_citations_on_the_text(name: str) -> None:
    record = load_record("gemini", name)
    raw = response_json(record)
    candidate = raw["candidates"][0]
    grounding = candidate["groundingMetadata"]
    response, _ = call("google_gemini_api", Gemini3Pro, record)
    (search,) = response.web_searches()
    assert search.queries == grounding["webSearchQueries"]
    assert [(s.url, s.title) for s in search.sources] == [
        (c["web"]["uri"], c["web"]["title"]) for c in grounding["groundingChunks"]
    ]
    assert search.metadata["search_entry_point"] == grounding["searchEntryPoint"]
    assert response.choices[0].contents[-1] is search
    pairs = [(s, i) for s in grounding["groundingSupports"] for i in s["groundingChunkIndices"]]
    citations = response.citations()
    assert len(citations) == len(pairs) > 0
    text = response.text() or ""
    placed = 0
    for citation, (support, index) in zip(citations, pairs, strict=True):
        assert citation.cited_text == support["segment"]["text"]
        assert citation.url == grounding["groundingChunks"][index]["web"]["uri"]
        assert citation.metadata["grounding_chunk_index"] == index
        if citation.start_index is not None:
            # Gemini's byte offsets become character positions in the text.
            assert text[citation.start_index : citation.end_index] == support["segment"]["text"]
            placed += 1
    # Every segment whose byte offsets point at its text is placed; one whose offsets miss it is kept, unplaced.
    raw_text = text.encode("utf-8")
    matching = [
        s
        for s, _ in pairs
        if raw_text[s["segment"].get("startIndex", 0) : s["segment"]["endIndex"]].decode("utf-8", "replace")
        == s["segment"]["text"]
    ]
    assert placed == len(matching) > 0
    assert response.usage is not None
    assert response.usage.web_search_requests == len(grounding["webSearchQueries"])


# -- streams -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "model", "name", "folder"),
    [
        ("anthropic", ClaudeSonnet45, "stream_web_search", "anthropic"),
        ("openai", GPT5, "stream_web_search_chunks", "responses"),
        ("google_gemini_api", Gemini25Pro, "stream_google_search", "gemini"),
    ],
)
def test_a_streamed_search_answer_equals_its_whole_answer(provider: str, model: Any, name: str, folder: str) -> None:
    record = load_record(folder, name)
    final, _ = call(provider, model, record, streaming=True)
    assert final.web_searches()
    whole, _ = call(provider, model, final.provider_response or {})
    assert whole.model_dump() == final.model_dump()
    raw = body_bytes(record).decode("utf-8")
    expected_citations = raw.count('"citations_delta"') + raw.count('"url_citation"')
    if provider == "google_gemini_api":
        last = [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data:")][-1]
        supports = last["candidates"][0]["groundingMetadata"]["groundingSupports"]
        expected_citations = sum(len(s["groundingChunkIndices"]) for s in supports)
    if provider == "openai":
        # The terminal event repeats every annotation once more.
        expected_citations = sum(
            len(p.get("annotations") or [])
            for i in (final.provider_response or {})["output"]
            if i["type"] == "message"
            for p in i["content"]
        )
    assert len(final.citations()) == expected_citations


# -- replay --------------------------------------------------------------------------------------------------------


def _turn_one() -> ChatResponse:
    response, _ = call("anthropic", ClaudeSonnet45, load_record("anthropic", "web_search_turn1"))
    return response


def test_anthropic_replays_its_own_search_as_it_came() -> None:
    previous = _turn_one()
    raw = response_json(load_record("anthropic", "web_search_turn1"))
    _, body = call(
        "anthropic",
        ClaudeSonnet45,
        {"id": "m", "type": "message", "content": [], "stop_reason": "end_turn", "usage": {}},
        messages=[
            Prompt.with_text("What is the weather in San Francisco today?"),
            previous,
            Prompt.with_text("and Mexico City?"),
        ],
        reasoning=True,
        max_output_tokens=4096,
    )
    sent = body["messages"][1]["content"]
    kept = [b for b in raw["content"] if b["type"] != "text" or b["text"].strip()]
    assert sent == kept  # server_tool_use, web_search_tool_result, text blocks with their citations, as they came
    # What the recorded second turn sent (pydantic-ai) differs only in the text blocks' citations and whitespace.
    recorded = request_json(load_record("anthropic", "web_search_turn2_replay"))["messages"][1]["content"]
    strip = [{k: v for k, v in b.items() if k != "citations"} for b in sent]
    assert strip == [b for b in recorded if b["type"] != "text" or b["text"].strip()]


@pytest.mark.parametrize(("provider", "model"), [("openai", GPT5), ("google_gemini_api", Gemini25Flash)])
def test_a_foreign_search_is_dropped_and_its_cited_sources_follow_the_text(provider: str, model: Any) -> None:
    previous = _turn_one()
    _, body = sent_only_with(provider, model, [Prompt.with_text("Weather?"), previous, Prompt.with_text("Thanks")])
    dumped = json.dumps(body)
    assert "server_tool_use" not in dumped
    assert "encrypted" not in dumped
    urls = list(dict.fromkeys(c.url for c in previous.citations()))
    assert urls
    assert dumped.count("Sources:") == 1
    for url in urls:
        assert url in dumped


def sent_only_with(provider: str, model: Any, messages: list[Any]) -> tuple[ChatResponse, dict[str, Any]]:
    minimal = {
        "openai": {"id": "r", "object": "response", "status": "completed", "output": []},
        "google_gemini_api": {"candidates": []},
    }[provider]
    return call(provider, model, minimal, messages=messages, hosted_tools=None)


def test_responses_replays_its_search_items_as_they_came() -> None:
    record = load_record("responses", "web_search_citations")
    previous, _ = call("openai", GPT5, record, reasoning=True)
    _, body = call(
        "openai",
        GPT5,
        {"id": "r", "object": "response", "status": "completed", "output": []},
        messages=[Prompt.with_text("q"), previous, Prompt.with_text("more")],
        reasoning=True,
    )
    calls = [i for i in response_json(record)["output"] if i["type"] == "web_search_call"]
    sent = [i for i in body["input"] if isinstance(i, dict) and i.get("type") == "web_search_call"]
    assert sent == calls


# -- prices --------------------------------------------------------------------------------------------------------


def _search_cost(model: Any, searches: int) -> float:
    usage = ChatResponseUsage(prompt_tokens=0, completion_tokens=0, web_search_requests=searches)
    charge = chat_usage_charge(usage, model.cost_data)
    assert charge is not None
    return charge.cost


def test_search_prices_per_provider() -> None:
    # Anthropic and OpenAI: $10 per 1,000 searches; Gemini 3: $14 per 1,000 queries; Gemini 2.5: $35 per 1,000
    # grounded prompts, however many queries one prompt ran.
    assert _search_cost(ClaudeSonnet45, 3) == pytest.approx(0.03)
    assert _search_cost(GPT5, 2) == pytest.approx(0.02)
    assert _search_cost(Gemini3Pro, 2) == pytest.approx(0.028)
    assert _search_cost(Gemini25Flash, 2) == pytest.approx(0.035)
    assert _search_cost(Gemini25Flash, 0) == 0


def test_a_search_on_a_model_without_a_search_price_is_unpriced_not_free() -> None:
    prices = ChatModelCostData(input_token_cost_per_million=1.0, output_token_cost_per_million=2.0)
    usage = ChatResponseUsage(prompt_tokens=10, completion_tokens=10, web_search_requests=1)
    assert chat_usage_charge(usage, prices) is None
    usage.web_search_requests = 0
    assert chat_usage_charge(usage, prices) is not None


@pytest.mark.parametrize(
    ("provider", "config", "model", "answer"),
    [
        (
            "openai",
            {"wire_api": "chat_completions"},
            GPT5,
            {"id": "c", "object": "chat.completion", "choices": [], "model": "gpt-5"},
        ),
        ("amazon_bedrock", {"region": "us-east-1"}, ClaudeSonnet45, {"output": {"message": {"content": []}}}),
    ],
)
def test_wires_without_hosted_search_carry_the_cited_sources_as_text(
    provider: str, config: dict[str, Any], model: Any, answer: dict[str, Any]
) -> None:
    previous = _turn_one()
    api = AIModelAPI(provider=provider, api_key="k-test", config=config)
    with respx.mock() as router:
        route = router.route().mock(return_value=httpx.Response(200, json=answer))
        with AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(retries=0)) as client:
            client.generate(messages=[Prompt.with_text("Weather?"), previous, Prompt.with_text("Thanks")])
        dumped = route.calls.last.request.content.decode()
    assert "server_tool_use" not in dumped
    assert dumped.count("Sources:") == 1
    for url in dict.fromkeys(c.url for c in previous.citations()):
        assert str(url) in dumped
