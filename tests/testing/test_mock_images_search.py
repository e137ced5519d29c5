"""The mock server's images and hosted web search, over real HTTP: OpenAI image generation in both formats (a URL
answer is fetched from the mock itself), Imagen on the Gemini API and Vertex paths, Gemini image output, safety
refusals in each provider's way, and web search on the three wires — through the library (image calls with the
helper that runs the wires as the client's core will, chat calls with the public client), streamed equal to whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    ImageContentFormat,
    WebSearchHostedTool,
)
from dhenara_http.foundation_models import (
    ClaudeOpus46,
    DallE3,
    Gemini3ProImagePreview,
    Gemini25Flash,
    GPT5Mini,
    GPTImage1,
    GPTImage15,
    Imagen4,
)
from dhenara_http.testing import MockProviderServer
from dhenara_http.testing.openai_images import OUTPUT_TOKENS
from tests.support.image_calls import image_call, sent_json

from ._support import generate, streamed_equals_json

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
M = 1_000_000


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
        assert not s.errors


def images(server: MockProviderServer, provider: str, model: Any, prompt: str = "A fox", **options: Any) -> Any:
    endpoint = AIModelEndpoint(api=server.api(provider), ai_model=model)
    result, _ = image_call(endpoint, AIModelCallConfig(options=options), prompt)
    return result.image_response


def test_dalle_url_answer_points_at_an_image_the_mock_serves(server: MockProviderServer) -> None:
    image = images(server, "openai", DallE3, quality="hd", size="1792x1024")
    item = image.images()[0]
    assert item.content_format == ImageContentFormat.URL
    assert item.content_url.startswith(server.url("/v1/mock-images/"))
    assert item.revised_prompt == "A detailed picture of A fox"
    fetched = httpx.get(item.content_url)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.content.startswith(PNG_MAGIC)
    assert image.usage_charge.cost == pytest.approx(0.12)  # DALL·E 3 HD 1792x1024


def test_dalle_base64_answer_holds_a_real_png(server: MockProviderServer) -> None:
    image = images(server, "openai", DallE3, response_format="b64_json")
    data = image.images()[0].get_bytes()
    assert data.startswith(PNG_MAGIC)
    assert data.endswith(b"IEND\xaeB`\x82")  # a complete PNG (the IEND chunk and its CRC)


def test_gpt_image_answer_is_priced_by_its_tokens(server: MockProviderServer) -> None:
    image = images(server, "openai", GPTImage1, prompt="A fox in the snow", quality="high", n=2)
    assert len(image.images()) == 2
    usage = image.usage
    per_image = OUTPUT_TOKENS["high"]["1024x1024"]  # OpenAI's table: 4,160 tokens
    assert usage.output_image_tokens == 2 * per_image
    assert usage.input_text_tokens == 5
    # GPT Image 1: $5 / M text input, $40 / M image output.
    assert image.usage_charge.cost == pytest.approx((5 * 5.0 + 2 * per_image * 40.0) / M)
    # ... which is the published $0.167 per high square image, within a cent of a thousandth.
    assert per_image * 40.0 / M == pytest.approx(0.167, abs=0.001)


def test_the_mock_refuses_what_openai_refuses(server: MockProviderServer) -> None:
    # A GPT image model does not take response_format; the mock answers as OpenAI did in the recorded error.
    endpoint = AIModelEndpoint(api=server.api("openai"), ai_model=GPTImage15)
    raw = httpx.post(
        server.url("/v1/images/generations"),
        json={"model": "gpt-image-1.5", "prompt": "x", "response_format": "url"},
        headers={"authorization": "Bearer k"},
    )
    assert raw.status_code == 400
    assert raw.json()["error"]["code"] == "unknown_parameter"
    with pytest.raises(ContentFilterError) as caught:
        image_call(endpoint, AIModelCallConfig(), "a [filtered] picture")
    assert caught.value.error_code == "moderation_blocked"
    with pytest.raises(ContentFilterError):
        images(server, "openai", DallE3, prompt="[filtered]")


@pytest.mark.parametrize("provider", ["google_gemini_api", "google_vertex_ai"])
def test_imagen_on_both_google_hosts(server: MockProviderServer, provider: str) -> None:
    endpoint = AIModelEndpoint(api=server.api(provider), ai_model=Imagen4)
    result, sent = image_call(endpoint, AIModelCallConfig(options={"n": 3}), "A red skateboard")
    image = result.image_response
    assert len(image.images()) == 3
    assert all(i.get_bytes().startswith(PNG_MAGIC) for i in image.images())
    assert sent_json(sent)["parameters"]["sampleCount"] == 3
    assert image.usage_charge.cost == pytest.approx(0.12)  # Imagen 4: $0.04 an image
    with pytest.raises(ContentFilterError, match="filter"):
        image_call(endpoint, AIModelCallConfig(), "A [filtered] skateboard")


def test_imagen_on_vertex_takes_only_tokens_the_mock_issued(server: MockProviderServer) -> None:
    api = AIModelAPI(
        provider="google_vertex_ai",
        credentials={"access_token": "not-issued-here"},
        config={"base_url": server.url("/v1"), "project_id": "p1"},
    )
    with pytest.raises(AuthenticationError):
        image_call(AIModelEndpoint(api=api, ai_model=Imagen4), AIModelCallConfig(), "A red skateboard")


def test_gemini_image_model_answers_text_and_a_png(server: MockProviderServer) -> None:
    image = images(server, "google_gemini_api", Gemini3ProImagePreview, aspect_ratio="16:9", image_size="2K")
    assert image.text() == "Here is the image (16:9, 2K) for: A fox"
    assert image.images()[0].get_bytes().startswith(PNG_MAGIC)
    usage = image.usage
    assert (usage.output_image_tokens, usage.input_text_tokens) == (1290, 2)
    text_out = usage.output_text_tokens
    assert image.usage_charge.cost == pytest.approx((2 * 2.0 + 1290 * 120.0 + text_out * 12.0) / M)
    with pytest.raises(ContentFilterError) as caught:
        images(server, "google_gemini_api", Gemini3ProImagePreview, prompt="A [filtered] fox")
    assert caught.value.error_code == "IMAGE_SAFETY"


def test_an_image_option_error_from_the_server_is_typed(server: MockProviderServer) -> None:
    # A home-made entry that lets DALL·E 3 make two images: the local check lets it through, the server does not.
    lenient = DallE3.clone("dall-e-3", valid_options={"n": {"allowed_values": [1, 2], "default_value": 1}})
    endpoint = AIModelEndpoint(api=server.api("openai"), ai_model=lenient)
    assert image_call(endpoint, AIModelCallConfig(), "x")[0].image_response is not None
    with pytest.raises(BadRequestError, match="n=1") as caught:
        image_call(endpoint, AIModelCallConfig(options={"n": 2}), "x")
    assert caught.value.error_code == "invalid_value"


# -- hosted web search -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "model"), [("openai", GPT5Mini), ("anthropic", ClaudeOpus46), ("google_gemini_api", Gemini25Flash)]
)
def test_web_search_on_each_wire_streams_equal_and_cites(server: MockProviderServer, provider: str, model: Any) -> None:
    question = "Who won the chess olympiad"
    response = streamed_equals_json(server, provider, model, prompt=question, hosted_tools=[WebSearchHostedTool()])
    (search,) = response.web_searches()
    assert search.queries == [question]
    citations = response.citations()
    assert [c.url for c in citations] == [
        "https://example.com/who-won-the-chess-olympiad/1",
        "https://example.com/who-won-the-chess-olympiad/2",
    ]
    text = response.text() or ""
    assert text.startswith(f"Source 1 says something about {question}.")
    for n, citation in enumerate(citations, 1):
        if citation.start_index is not None:  # OpenAI and Gemini give spans; Anthropic cites whole blocks
            assert text[citation.start_index : citation.end_index] == f"Source {n} says something about {question}."
        else:
            assert citation.cited_text == f"Source {n} says something about {question}."
    pages = [r.url for r in response.search_results()]
    assert pages == [c.url for c in citations]
    assert response.usage is not None
    assert response.usage.web_search_requests == 1
    request = server.requests[-1].json
    assert "web_search" in str(request.get("tools")) or "googleSearch" in str(request.get("tools"))


def test_without_the_tool_nothing_is_searched(server: MockProviderServer) -> None:
    response = generate(server, "anthropic", ClaudeOpus46, prompt="Who won").chat_response
    assert response is not None
    assert response.web_searches() == []
    assert response.citations() == []


@pytest.mark.parametrize(
    ("provider", "model", "options"),
    [
        ("openai", DallE3, {}),
        ("openai", GPTImage1, {"quality": "low"}),
        ("google_gemini_api", Imagen4, {"n": 2}),
        ("google_vertex_ai", Imagen4, {}),
        ("google_gemini_api", Gemini3ProImagePreview, {}),
    ],
)
def test_test_mode_answers_image_models_in_process(provider: str, model: Any, options: dict[str, Any]) -> None:
    api = AIModelAPI(provider=provider, config={"project_id": "p1"} if provider == "google_vertex_ai" else {})
    config = AIModelCallConfig(test_mode=True, options=options)
    with AIModelClient(AIModelEndpoint(api=api, ai_model=model), config) as client:
        image = client.generate(prompt="A fox").image_response
    assert image is not None
    assert image.images()
    # DALL·E's default URL answer comes as a data URL: there is no server to fetch from.
    assert all(i.get_bytes().startswith(PNG_MAGIC) for i in image.images())
    assert image.usage_charge is not None


def test_the_call_response_reads_its_answer_as_dhenara_ai_examples_do(server: MockProviderServer) -> None:
    result = generate(server, "anthropic", ClaudeOpus46, prompt="Who won", hosted_tools=[WebSearchHostedTool()])
    answer = result.chat_response
    assert answer is not None
    assert result.text() == answer.text()
    assert result.choices == answer.choices
    assert result.usage_charge == answer.usage_charge
    assert result.usage is answer.usage
    usage = answer.usage
    assert usage is not None
    assert usage.hosted_tool_usage is not None
    assert usage.hosted_tool_usage.request_counts == {"web_search": 1, "total": 1}
    image = images(server, "openai", GPTImage1)
    call = AIModelCallResponse(image_response=image)
    assert call.usage is image.usage
    assert call.text() is None
