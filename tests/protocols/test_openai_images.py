"""OpenAI image generation (``POST /images/generations``): golden request bodies per model, written from OpenAI's API
reference and validated against its OpenAPI spec (``CreateImageRequest``); the recorded answers of the shared
conformance set (``fixtures/openai_images``) parsed with nothing lost; errors typed; calls end to end through the
client's context and capability check with respx-mocked HTTP (``tests/support/image_calls``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelEndpoint,
    BadRequestError,
    ConfigurationError,
    ContentFilterError,
    ImageContentFormat,
    Prompt,
    ResponseParseError,
)
from dhenara_http.foundation_models import DallE2, DallE3, GPTImage1, GPTImage1Mini, GPTImage2, GPTImage15
from tests.support.image_calls import image_call, sent_json
from tests.support.openai_spec import validate_request
from tests.support.recordings import http_response, load_record, response_json

URL = "https://api.openai.com/v1/images/generations"
PROMPT = "A watercolour fox in the snow"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def endpoint(model: Any, **config: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=AIModelAPI(provider="openai", api_key="sk-test", config=config), ai_model=model)


def call(model: Any, answer: httpx.Response | dict[str, Any], **options: Any) -> tuple[Any, dict[str, Any]]:
    response = answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)
    with respx.mock(assert_all_called=True) as router:
        router.post(URL).mock(return_value=response)
        result, sent = image_call(endpoint(model), AIModelCallConfig(options=options), PROMPT)
    return result.image_response, sent_json(sent)


def one_image(b64: bool = True) -> dict[str, Any]:
    item = {"b64_json": base64.b64encode(PNG_MAGIC + b"rest").decode()} if b64 else {"url": "https://x.test/a.png"}
    return {"created": 1, "data": [item]}


# -- requests ------------------------------------------------------------------------------------------------------

#: (model, the call's options, the body OpenAI's API reference says it takes). The catalogue's defaults are sent for
#: what the call leaves out (dhenara-ai does the same): DALL·E 3 is standard 1024x1024 natural, one image, as a URL.
GOLDEN: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (
        DallE3,
        {"quality": "standard", "size": "1024x1024", "style": "natural", "n": 1, "response_format": "b64_json"},
        {"quality": "standard", "size": "1024x1024", "style": "natural", "n": 1, "response_format": "b64_json"},
    ),
    (
        DallE3,
        {"quality": "hd", "size": "1792x1024"},
        {"quality": "hd", "size": "1792x1024", "style": "natural", "n": 1, "response_format": "url"},
    ),
    (DallE2, {"size": "512x512", "n": 2}, {"size": "512x512", "n": 2, "response_format": "url"}),
    (
        GPTImage1,
        {"quality": "high", "size": "1536x1024", "background": "transparent", "output_format": "webp"}
        | {"output_compression": 80},
        {"quality": "high", "size": "1536x1024", "n": 1, "background": "transparent", "output_format": "webp"}
        | {"output_compression": 80},
    ),
    (GPTImage15, {}, {"quality": "medium", "size": "1024x1024", "n": 1}),
    (
        GPTImage1Mini,
        {"moderation": "low", "n": 3},
        {"quality": "medium", "size": "1024x1024", "n": 3, "moderation": "low"},
    ),
    # GPT Image 2 takes any WIDTHxHEIGHT (multiples of 16).
    (GPTImage2, {"size": "1536x864", "quality": "auto"}, {"quality": "auto", "size": "1536x864", "n": 1}),
]


@pytest.mark.parametrize(
    ("model", "options", "want"), GOLDEN, ids=[f"{m.model_name}-{i}" for i, (m, *_) in enumerate(GOLDEN)]
)
def test_request_body_is_the_api_references_and_the_specs(
    model: Any, options: dict[str, Any], want: dict[str, Any]
) -> None:
    _, body = call(model, one_image(), **options)
    assert body == {"model": model.model_name, "prompt": PROMPT, **want}
    validate_request(body, "CreateImageRequest")


def test_the_prompt_joins_instructions_and_turns_in_order() -> None:
    with respx.mock() as router:
        router.post(URL).mock(return_value=httpx.Response(200, json=one_image()))
        _, sent = image_call(
            endpoint(GPTImage1),
            AIModelCallConfig(),
            None,
            instructions=["Flat vector style."],
            messages=[Prompt.with_text("A lighthouse"), Prompt.with_text("at dawn, with {bird}", {"bird": "gulls"})],
        )
    assert sent_json(sent)["prompt"] == "Flat vector style.\nA lighthouse\nat dawn, with gulls"


def test_a_file_cannot_travel_to_the_generations_endpoint() -> None:
    png = Prompt(text="make it blue", files=[{"name": "a.png", "media_type": "image/png", "data": PNG_MAGIC}])
    with respx.mock(assert_all_called=False) as router:
        route = router.post(URL)
        with pytest.raises(ConfigurationError, match="file"):
            image_call(endpoint(GPTImage1), AIModelCallConfig(), png)
    assert not route.called


def test_an_azure_deployment_uses_its_v1_images_route() -> None:
    api = AIModelAPI(provider="microsoft_openai", api_key="az", config={"endpoint": "https://acme.openai.azure.com"})
    with respx.mock() as router:
        route = router.post("https://acme.openai.azure.com/openai/v1/images/generations")
        route.mock(return_value=httpx.Response(200, json=one_image()))
        image_call(AIModelEndpoint(api=api, ai_model=GPTImage1), AIModelCallConfig())
    assert route.calls.last.request.headers["api-key"] == "az"


# -- recorded answers ----------------------------------------------------------------------------------------------


def test_recorded_answer_with_two_images_keeps_both_and_the_revised_prompt() -> None:
    record = load_record("openai_images", "image_b64_two")
    raw = response_json(record)
    image, _ = call(GPTImage1, http_response(record))
    assert [c.index for c in image.choices] == [0, 1]
    items = image.images()
    assert [i.content_format for i in items] == [ImageContentFormat.BASE64] * 2
    assert [i.content_b64_json for i in items] == [d["b64_json"] for d in raw["data"]]
    assert items[0].revised_prompt == raw["data"][0]["revised_prompt"]
    assert items[0].metadata["revised_prompt"] == raw["data"][0]["revised_prompt"]  # where dhenara-ai keeps it
    assert items[1].revised_prompt is None
    for item, entry in zip(items, raw["data"], strict=True):
        assert item.get_bytes() == base64.b64decode(entry["b64_json"])
        assert item.get_bytes().startswith(PNG_MAGIC)
        assert item.media_type == "image/png"
    assert image.usage is not None
    assert image.usage.number_of_images == 2
    assert image.provider_response == raw
    assert image.metadata == {"wire_api": "openai_images", "created": raw["created"]}


def test_recorded_gpt_image_answer_prices_what_it_says_it_made() -> None:
    record = load_record("openai_images", "image_gpt_usage_fields")
    raw = response_json(record)
    # Asked for the defaults (medium, square); the answer says it made a high-quality 1024x1024 opaque PNG.
    image, _ = call(GPTImage1, http_response(record))
    assert image.usage is not None
    for key in ("quality", "size", "background", "output_format"):
        assert image.usage.options[key] == raw[key]
    assert image.images()[0].media_type == "image/png"
    # No token counts came back, so the published per-image price of a high 1024x1024 GPT Image 1 image: $0.167.
    assert image.usage_charge is not None
    assert image.usage_charge.cost == pytest.approx(0.167)


def test_recorded_response_format_error_is_a_typed_bad_request() -> None:
    record = load_record("openai_images", "error_response_format")
    error = response_json(record)["error"]
    with pytest.raises(BadRequestError) as caught:
        call(GPTImage1, httpx.Response(400, json=response_json(record)))
    assert caught.value.error_code == error["code"] == "unknown_parameter"
    assert caught.value.error_type == error["type"]
    assert caught.value.message == error["message"]


# -- answers ---------------------------------------------------------------------------------------------------------


def test_a_url_answer_is_a_url_item_whose_bytes_must_be_downloaded() -> None:
    image, _ = call(DallE3, one_image(b64=False))
    item = image.images()[0]
    assert item.content_format == ImageContentFormat.URL
    assert item.content_url == "https://x.test/a.png"
    with pytest.raises(ConfigurationError, match="b64_json"):
        item.get_bytes()


@pytest.mark.parametrize(
    ("model", "code", "etype"),
    [
        (DallE3, "content_policy_violation", "invalid_request_error"),
        (GPTImage1, "moderation_blocked", "image_generation_user_error"),
    ],
)
def test_a_safety_refusal_is_a_content_filter_error(model: Any, code: str, etype: str) -> None:
    body = {"error": {"code": code, "message": "Your request was rejected by the safety system.", "type": etype}}
    with pytest.raises(ContentFilterError) as caught:
        call(model, httpx.Response(400, json=body))
    assert caught.value.error_code == code
    assert caught.value.status_code == 400


def test_an_error_body_with_a_success_status_is_raised_typed() -> None:
    body = {"error": {"code": "content_policy_violation", "message": "rejected", "type": "invalid_request_error"}}
    with pytest.raises(ContentFilterError):
        call(DallE3, httpx.Response(200, json=body))


@pytest.mark.parametrize(
    "answer",
    [
        {"created": 1},
        {"data": "nope"},
        {"data": [{"revised_prompt": "no image"}]},
        {"data": [{"b64_json": 7}]},
        {"data": [3]},
    ],
)
def test_a_malformed_answer_is_a_response_parse_error(answer: dict[str, Any]) -> None:
    with pytest.raises(ResponseParseError):
        call(DallE3, answer)


def test_invalid_base64_is_a_parse_error_when_read_not_a_crash() -> None:
    image, _ = call(GPTImage1, {"created": 1, "data": [{"b64_json": "not base64!"}]})
    with pytest.raises(ResponseParseError):
        image.images()[0].get_bytes()


def test_image_response_survives_a_dump_and_reload() -> None:
    image, _ = call(DallE3, one_image())
    again = type(image).model_validate(json.loads(image.model_dump_json()))
    assert again == image
    assert again.images()[0].get_bytes() == image.images()[0].get_bytes()
    assert "choices" not in image.preview_dict()
