"""Imagen (``:predict``) on the Gemini API and on Vertex AI: the route of each host, the request body in Imagen's
names (from Google's Imagen API reference: ``instances[].prompt``, ``parameters.sampleCount``, ``aspectRatio``,
``safetySetting``, ``personGeneration``, ``addWatermark``, ``sampleImageSize``, ``outputOptions``), what the Gemini API
does not take, and the answers: images, withheld images, and an answer with none (a ``ContentFilterError``)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelEndpoint,
    CapabilityError,
    ConfigurationError,
    ContentFilterError,
    ImageContentFormat,
    RateLimitError,
    ResponseParseError,
)
from dhenara_http.foundation_models import Imagen3, Imagen4, Imagen4Fast, Imagen4Ultra
from tests.support.image_calls import image_call, sent_json

GEMINI_API = "https://generativelanguage.googleapis.com/v1beta/models/{model}:predict"
VERTEX = "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/{model}:predict"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


def gemini_api(model: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=AIModelAPI(provider="google_gemini_api", api_key="g-key"), ai_model=model)


def vertex(model: Any) -> AIModelEndpoint:
    api = AIModelAPI(provider="google_vertex_ai", credentials={"access_token": "ya29.t"}, config={"project_id": "p1"})
    return AIModelEndpoint(api=api, ai_model=model)


def predictions(n: int = 1, mime: str = "image/png") -> dict[str, Any]:
    return {"predictions": [{"bytesBase64Encoded": PNG, "mimeType": mime} for _ in range(n)]}


def call(endpoint: AIModelEndpoint, answer: httpx.Response | dict[str, Any], **options: Any) -> tuple[Any, Any]:
    response = answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)
    url = (GEMINI_API if endpoint.api.provider.value == "google_gemini_api" else VERTEX).format(
        model=endpoint.ai_model.model_name
    )
    with respx.mock() as router:
        router.post(url).mock(return_value=response)
        result, sent = image_call(endpoint, AIModelCallConfig(options=options), "A red skateboard")
    return result.image_response, sent


def test_gemini_api_request_sends_the_defaults_it_takes() -> None:
    # The catalogue's defaults: one 1:1 image, block_only_high, allow_adult; the Gemini API takes no watermark
    # switch, so that default is left out; includeRaiReason is always on.
    _, sent = call(gemini_api(Imagen4), predictions())
    assert sent.headers["x-goog-api-key"] == "g-key"
    assert sent_json(sent) == {
        "instances": [{"prompt": "A red skateboard"}],
        "parameters": {
            "aspectRatio": "1:1",
            "sampleCount": 1,
            "safetySetting": "BLOCK_ONLY_HIGH",
            "personGeneration": "ALLOW_ADULT",
            "includeRaiReason": True,
        },
    }


def test_vertex_request_goes_to_the_publisher_path_with_every_option() -> None:
    image, sent = call(
        vertex(Imagen4),
        predictions(2, "image/jpeg"),
        n=2,
        aspect_ratio="16:9",
        image_size="2K",
        add_watermark=False,
        seed=7,
        output_mime_type="image/jpeg",
        person_generation="dont_allow",
    )
    assert sent.headers["authorization"] == "Bearer ya29.t"
    assert sent_json(sent)["parameters"] == {
        "aspectRatio": "16:9",
        "sampleCount": 2,
        "addWatermark": False,
        "safetySetting": "BLOCK_ONLY_HIGH",
        "personGeneration": "DONT_ALLOW",
        "outputOptions": {"mimeType": "image/jpeg"},
        "seed": 7,
        "sampleImageSize": "2K",
        "includeRaiReason": True,
    }
    assert [i.media_type for i in image.images()] == ["image/jpeg", "image/jpeg"]
    assert image.usage.options["number_of_images"] == 2


def test_an_option_the_gemini_api_does_not_take_is_refused_before_sending() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.post(GEMINI_API.format(model=Imagen4.model_name))
        with pytest.raises(CapabilityError, match="'add_watermark'"):
            image_call(gemini_api(Imagen4), AIModelCallConfig(options={"add_watermark": True}))
    assert not route.called


def test_image_size_is_only_for_the_models_that_take_it() -> None:
    with pytest.raises(ConfigurationError, match="image_size"):
        call(vertex(Imagen4Fast), predictions(), image_size="2K")


def test_answer_images_are_base64_items_one_per_choice_priced_per_image() -> None:
    image, _ = call(vertex(Imagen4Fast), predictions(3), n=3)
    assert [c.index for c in image.choices] == [0, 1, 2]
    assert all(i.content_format == ImageContentFormat.BASE64 for i in image.images())
    assert image.images()[0].get_bytes().startswith(b"\x89PNG")
    # Imagen 4 Fast: $0.02 an image.
    assert image.usage_charge.cost == pytest.approx(0.06)


def test_withheld_images_are_reported_and_the_others_kept() -> None:
    answer = {"predictions": [{"bytesBase64Encoded": PNG, "mimeType": "image/png"}, {"raiFilteredReason": "blocked"}]}
    image, _ = call(vertex(Imagen4Ultra), answer)
    assert len(image.images()) == 1
    assert image.metadata["rai_filtered_reasons"] == ["blocked"]
    assert image.usage.number_of_images == 1
    assert image.usage_charge.cost == pytest.approx(0.06)  # only what was made is billed


@pytest.mark.parametrize("answer", [{}, {"predictions": [{"raiFilteredReason": "Your prompt was blocked."}]}])
def test_an_answer_without_any_image_is_a_content_filter_error(answer: dict[str, Any]) -> None:
    with pytest.raises(ContentFilterError) as caught:
        call(gemini_api(Imagen3), answer)
    assert caught.value.model == Imagen3.model_name
    if answer:
        assert "Your prompt was blocked." in caught.value.message


def test_google_errors_are_classified_by_status() -> None:
    body = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}
    with pytest.raises(RateLimitError):
        call(gemini_api(Imagen4), httpx.Response(429, json=body))


@pytest.mark.parametrize(
    "answer", [{"predictions": "x"}, {"predictions": [1]}, {"predictions": [{"bytesBase64Encoded": 5}]}]
)
def test_a_malformed_answer_is_a_response_parse_error(answer: dict[str, Any]) -> None:
    with pytest.raises(ResponseParseError):
        call(gemini_api(Imagen4), answer)
