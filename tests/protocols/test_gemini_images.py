"""Gemini's image models on ``generateContent``: the request asks for image output (``responseModalities``,
``imageConfig``, from Google's image generation guide) and the answer's ``inlineData`` parts become the images of an
``ImageResponse``, the text beside them its text; thought parts are not answers; usage is split by modality and
priced by tokens; a safety stop without an image is a ``ContentFilterError``."""

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
    ContentFilterError,
    GenericFile,
    ImageContentFormat,
    Prompt,
)
from dhenara_http.foundation_models import Gemini3ProImagePreview, Gemini25FlashImage, Gemini31FlashImagePreview
from tests.support.image_calls import image_call, sent_json

URL = "https://generativelanguage.googleapis.com/v1beta/models/{model}:generateContent"
IMAGE = base64.b64encode(b"\x89PNG\r\n\x1a\nimage").decode()
M = 1_000_000


def endpoint(model: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=AIModelAPI(provider="google_gemini_api", api_key="g-key"), ai_model=model)


def answer(parts: list[dict[str, Any]], usage: dict[str, Any] | None = None, finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": usage or {"promptTokenCount": 10, "candidatesTokenCount": 1290, "totalTokenCount": 1300},
        "modelVersion": "gemini-x",
        "responseId": "r1",
    }


def call(model: Any, data: dict[str, Any], prompt: Any = "A cat in a hat", **options: Any) -> tuple[Any, Any]:
    with respx.mock() as router:
        router.post(URL.format(model=model.model_name)).mock(return_value=httpx.Response(200, json=data))
        result, sent = image_call(endpoint(model), AIModelCallConfig(options=options), prompt)
    return result.image_response, sent_json(sent)


def test_request_asks_for_text_and_image_output_with_the_image_options() -> None:
    _, body = call(Gemini3ProImagePreview, answer([]), aspect_ratio="16:9", image_size="4K")
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "A cat in a hat"}]}],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "16:9", "imageSize": "4K"},
        },
    }


def test_an_image_to_edit_travels_as_inline_data() -> None:
    photo = GenericFile(name="cat.png", media_type="image/png", data=b"\x89PNG\r\n\x1a\nphoto")
    _, body = call(
        Gemini25FlashImage,
        answer([{"inlineData": {"mimeType": "image/png", "data": IMAGE}}]),
        prompt=Prompt(text="Give it a hat", files=[photo]),
    )
    parts = body["contents"][0]["parts"]
    assert parts[0] == {"text": "Give it a hat"}
    assert parts[1] == {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(photo.data or b"").decode()}}


def test_answer_images_text_thoughts_and_signatures() -> None:
    parts = [
        {"text": "Sketching a composition", "thought": True},
        {"inlineData": {"mimeType": "image/png", "data": IMAGE}, "thought": True},
        {"text": "Here is your cat. "},
        {"inlineData": {"mimeType": "image/png", "data": IMAGE}, "thoughtSignature": "c2ln"},
        {"text": "Enjoy!"},
    ]
    image, _ = call(Gemini3ProImagePreview, answer(parts))
    choice = image.choices[0]
    assert [i.content_format for i in choice.contents] == [ImageContentFormat.BASE64]
    assert choice.contents[0].get_bytes() == base64.b64decode(IMAGE)
    assert choice.contents[0].media_type == "image/png"
    assert choice.contents[0].metadata["thought_signature"] == "c2ln"
    assert choice.text == "Here is your cat. Enjoy!"
    assert image.text() == "Here is your cat. Enjoy!"
    assert choice.metadata["thoughts"] == ["Sketching a composition"]
    assert choice.metadata["thought_images"] == 1
    assert choice.metadata["finishReason"] == "STOP"
    assert image.metadata["response_id"] == "r1"


def test_usage_is_split_by_modality_and_priced_by_tokens() -> None:
    usage = {
        "promptTokenCount": 300,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 42}, {"modality": "IMAGE", "tokenCount": 258}],
        "candidatesTokenCount": 1300,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}, {"modality": "TEXT", "tokenCount": 10}],
        "thoughtsTokenCount": 100,
        "totalTokenCount": 1700,
    }
    image, _ = call(Gemini25FlashImage, answer([{"inlineData": {"mimeType": "image/png", "data": IMAGE}}], usage))
    u = image.usage
    assert (u.input_text_tokens, u.input_image_tokens, u.output_image_tokens, u.output_text_tokens) == (
        42,
        258,
        1290,
        110,
    )
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (300, 1400, 1700)
    # Gemini 2.5 Flash Image: $0.30 / M input (text and image), $30 / M image output, $2.50 / M text output.
    want = (300 * 0.30 + 1290 * 30.0 + 110 * 2.50) / M
    assert image.usage_charge.cost == pytest.approx(want)
    # The image alone is Google's published $0.039.
    assert pytest.approx(0.0387) == 1290 * 30.0 / M


def test_without_token_counts_the_image_size_prices_the_image() -> None:
    data = answer([{"inlineData": {"mimeType": "image/png", "data": IMAGE}}])
    data.pop("usageMetadata")
    image, _ = call(Gemini31FlashImagePreview, data, image_size="2K")
    assert image.usage.options["image_size"] == "2K"
    assert image.usage_charge.cost == pytest.approx(0.101)  # Gemini 3.1 Flash Image at 2K


@pytest.mark.parametrize(
    "data",
    [
        answer([], finish="IMAGE_SAFETY"),
        {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 3}},
    ],
)
def test_a_safety_stop_without_an_image_is_a_content_filter_error(data: dict[str, Any]) -> None:
    with pytest.raises(ContentFilterError) as caught:
        call(Gemini25FlashImage, data)
    assert caught.value.error_code in ("IMAGE_SAFETY", "PROHIBITED_CONTENT")


def test_an_answer_with_only_text_is_returned_with_its_text() -> None:
    image, _ = call(Gemini25FlashImage, answer([{"text": "I can only describe it: a cat."}]))
    assert image.images() == []
    assert image.text() == "I can only describe it: a cat."
    assert image.usage.number_of_images == 0
    # Its tokens are text: no image was made, none is billed as one.
    assert (image.usage.output_image_tokens, image.usage.output_text_tokens) == (0, 1290)
    assert image.usage_charge.cost == pytest.approx((10 * 0.30 + 1290 * 2.50) / M)
