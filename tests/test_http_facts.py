"""HTTP facts on responses: ``request_id``, ``headers`` (the final attempt's, case-insensitive), ``attempts`` and
``rate_limit`` — on every wire, JSON and streamed (where a stream's final response carries them), sync and async —
and the normalisation of both rate-limit header families.

Header names and formats are the providers' documented ones: OpenAI sends ``x-request-id`` and
``x-ratelimit-{limit,remaining,reset}-{requests,tokens}`` with resets as durations (``1s``, ``6m0s``, ``120ms``);
Anthropic sends ``request-id`` and ``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,
remaining,reset}`` with resets as RFC 3339 times; Bedrock sends ``x-amzn-RequestId``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from dhenara_http import AIModelCallConfig, AIModelCallResponse, AIModelClient, AIModelEndpoint, RateLimitInfo
from dhenara_http.foundation_models import Claude35Haiku, Claude37Sonnet, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer

OPENAI_LIMITS = {
    "x-ratelimit-limit-requests": "5000",
    "x-ratelimit-remaining-requests": "4999",
    "x-ratelimit-reset-requests": "12ms",
    "x-ratelimit-limit-tokens": "800000",
    "x-ratelimit-remaining-tokens": "799412",
    "x-ratelimit-reset-tokens": "6m0s",
}
OPENAI_EXPECTED = RateLimitInfo(
    requests_limit=5000,
    requests_remaining=4999,
    requests_reset=0.012,
    tokens_limit=800000,
    tokens_remaining=799412,
    tokens_reset=360.0,
)
NOW = datetime.datetime(2025, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
ANTHROPIC_LIMITS = {
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-05-01T12:00:01Z",
    "anthropic-ratelimit-tokens-limit": "90000",
    "anthropic-ratelimit-tokens-remaining": "89000",
    "anthropic-ratelimit-tokens-reset": "2025-05-01T12:00:30Z",
    "anthropic-ratelimit-input-tokens-limit": "80000",
    "anthropic-ratelimit-input-tokens-remaining": "79500",
    "anthropic-ratelimit-input-tokens-reset": "2025-05-01T12:00:30Z",
    "anthropic-ratelimit-output-tokens-limit": "16000",
    "anthropic-ratelimit-output-tokens-remaining": "15500",
    "anthropic-ratelimit-output-tokens-reset": "2025-05-01T12:00:02Z",
}
ANTHROPIC_EXPECTED = RateLimitInfo(
    requests_limit=50,
    requests_remaining=49,
    requests_reset=1.0,
    tokens_limit=90000,
    tokens_remaining=89000,
    tokens_reset=30.0,
    input_tokens_limit=80000,
    input_tokens_remaining=79500,
    output_tokens_limit=16000,
    output_tokens_remaining=15500,
)


# -- the parser ----------------------------------------------------------------------------------------------------


def test_openai_family() -> None:
    assert RateLimitInfo.from_headers(OPENAI_LIMITS) == OPENAI_EXPECTED


def test_anthropic_family_resets_are_seconds_from_now() -> None:
    assert RateLimitInfo.from_headers(ANTHROPIC_LIMITS, now=NOW.timestamp()) == ANTHROPIC_EXPECTED


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("1m30.5s", 90.5), ("120ms", 0.12), ("1h2m3s", 3723.0), ("17", 17.0)],
)
def test_openai_durations(text: str, seconds: float) -> None:
    info = RateLimitInfo.from_headers({"x-ratelimit-reset-requests": text})
    assert info is not None
    assert info.requests_reset == pytest.approx(seconds)


def test_a_reset_in_the_past_is_zero_and_absent_headers_are_none() -> None:
    info = RateLimitInfo.from_headers(
        {"anthropic-ratelimit-requests-reset": "2025-05-01T11:59:00Z", "anthropic-ratelimit-requests-limit": "5"},
        now=NOW.timestamp(),
    )
    assert info == RateLimitInfo(requests_limit=5, requests_reset=0.0)
    assert info is not None
    assert info.tokens_limit is None


def test_no_rate_limit_headers_is_none_and_garbage_is_ignored() -> None:
    assert RateLimitInfo.from_headers({"content-type": "application/json"}) is None
    info = RateLimitInfo.from_headers({"x-ratelimit-limit-requests": "many", "x-ratelimit-remaining-requests": "3"})
    assert info == RateLimitInfo(requests_remaining=3)
    assert RateLimitInfo.from_headers({"x-ratelimit-reset-tokens": "soon"}) is None


# -- on responses, every wire --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


#: (id, provider, model, api config, the header the provider names its request id in; Google documents none, the
#: host rows read the usual ``x-request-id`` of proxies in front of it)
WIRES: list[tuple[str, str, Any, dict[str, Any], str | None]] = [
    ("responses", "openai", GPT4oMini, {}, "x-request-id"),
    ("chat_completions", "openai", GPT4oMini, {"wire_api": "chat_completions"}, "x-request-id"),
    ("anthropic", "anthropic", Claude35Haiku, {}, "request-id"),
    ("gemini", "google_gemini_api", Gemini25Flash, {}, "x-request-id"),
    ("vertex_gemini", "google_vertex_ai", Gemini25Flash, {}, "x-request-id"),
    ("vertex_claude", "google_vertex_ai", Claude37Sonnet, {}, "x-request-id"),
    ("converse", "amazon_bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", {}, "x-amzn-RequestId"),
    (
        "invoke",
        "amazon_bedrock",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        {"wire_api": "invoke"},
        "x-amzn-RequestId",
    ),
]


def _inject(server: MockProviderServer, wire: tuple[str, str, Any, dict[str, Any], str | None], **fault: Any) -> None:
    """A fault for the model call itself (not for the Vertex token request before it)."""
    server.inject(**fault, path="/publishers/" if wire[1] == "google_vertex_ai" else None)


def _final(response: AIModelCallResponse) -> AIModelCallResponse:
    if response.stream_generator is None:
        return response
    items = list(response.stream_generator)  # type: ignore[arg-type]
    final = items[-1][1]
    assert final is not None
    return final


def _call(
    server: MockProviderServer, wire: tuple[str, str, Any, dict[str, Any], str | None], stream: bool
) -> AIModelCallResponse:
    _, provider, model, config, _ = wire
    endpoint = AIModelEndpoint(api=server.api(provider, **config), ai_model=model)
    with AIModelClient(endpoint, AIModelCallConfig(streaming=stream)) as client:
        return _final(client.generate(prompt="hello"))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("wire", WIRES, ids=[w[0] for w in WIRES])
def test_facts_of_one_attempt_with_injected_headers(
    server: MockProviderServer, wire: tuple[str, str, Any, dict[str, Any], str | None], stream: bool
) -> None:
    server.clear_faults()
    assert wire[4] is not None
    # The rate-limit header of the provider's own family (the mock sends Anthropic's with Claude's answers).
    anthropic_family = wire[0] in ("anthropic", "vertex_claude", "invoke")
    remaining = "Anthropic-RateLimit-Requests-Remaining" if anthropic_family else "X-RateLimit-Remaining-Requests"
    _inject(server, wire, headers={wire[4]: "req-facts-0001", remaining: "41", "x-custom": "yes"})
    response = _call(server, wire, stream)
    assert response.request_id == "req-facts-0001"
    assert response.attempts == 1
    assert response.headers is not None
    assert response.headers["X-Custom"] == "yes"  # case-insensitive, the final attempt's own headers
    assert response.headers["x-custom"] == "yes"
    assert response.rate_limit is not None
    assert response.rate_limit.requests_remaining == 41


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("wire", WIRES, ids=[w[0] for w in WIRES])
def test_facts_are_the_final_attempts_after_retries(
    server: MockProviderServer, wire: tuple[str, str, Any, dict[str, Any], str | None], stream: bool
) -> None:
    server.clear_faults()
    _inject(server, wire, status=503, times=2, headers={"x-custom": "failed"})
    response = _call(server, wire, stream)
    assert response.attempts == 3
    assert response.headers is not None
    assert "x-custom" not in response.headers


@pytest.mark.parametrize(
    ("provider", "model", "headers", "expected"),
    [
        ("openai", GPT4oMini, OPENAI_LIMITS, OPENAI_EXPECTED),
        (
            "anthropic",
            Claude35Haiku,
            {k: v.replace("2025-05-01", "2020-01-01") for k, v in ANTHROPIC_LIMITS.items()},
            None,
        ),
    ],
    ids=["openai", "anthropic"],
)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_each_family_on_its_provider(
    server: MockProviderServer,
    provider: str,
    model: Any,
    headers: dict[str, str],
    expected: RateLimitInfo | None,
    stream: bool,
) -> None:
    server.clear_faults()
    server.inject(headers=headers)
    response = _call(server, ("", provider, model, {}, None), stream)
    assert response.rate_limit is not None
    if expected is not None:
        assert response.rate_limit == expected
    else:  # reset times are relative to the moment the answer arrived: in the past here (2020), so 0
        assert response.rate_limit == ANTHROPIC_EXPECTED.model_copy(update={"requests_reset": 0.0, "tokens_reset": 0.0})


@pytest.mark.anyio
async def test_facts_on_the_async_path(server: MockProviderServer) -> None:
    server.clear_faults()
    server.inject(status=429, times=1)
    server.inject(headers={"request-id": "req-async-7"})
    endpoint = AIModelEndpoint(api=server.api("anthropic"), ai_model=Claude35Haiku)
    async with AIModelClient(endpoint, AIModelCallConfig(streaming=True)) as client:
        response = await client.generate_async(prompt="hi")
        assert response.async_stream_generator is not None
        final = None
        async for _, accumulated in response.async_stream_generator:
            final = accumulated or final
    assert final is not None
    assert (final.request_id, final.attempts) == ("req-async-7", 2)


def test_facts_are_not_in_dumps_but_survive_as_fields(server: MockProviderServer) -> None:
    server.clear_faults()
    response = _call(server, WIRES[0], False)
    dumped = response.model_dump()
    assert "headers" not in dumped  # headers are not data to store (they may be large); the rest is
    assert dumped["request_id"] == response.request_id
    assert dumped["rate_limit"]["requests_limit"] == 10000  # the mock's own OpenAI-style headers
