"""Every recorded OpenAI image generation answer of the shared conformance set (when it is beside the repository):
images parse with every one kept (its base64 data unchanged, its revised prompt, the size and quality the answer
reports), and error bodies raise the class their code names."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelEndpoint
from dhenara_http.errors import APIStatusError
from dhenara_http.foundation_models import GPTImage1
from tests.support.image_calls import image_call
from tests.support.recordings import response_json, shared_records

RECORDS = [r for r in shared_records() if r["provider"] == "openai_images"]
URL = "https://api.openai.com/v1/images/generations"

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not RECORDS, reason="the shared conformance recordings are not beside the repository"),
]


@pytest.mark.parametrize("record", RECORDS, ids=[r["fixture_file"].rsplit("/", 1)[-1] for r in RECORDS])
def test_recorded_image_answer(record: dict[str, Any]) -> None:
    raw = response_json(record)
    # vercel kept only bodies: an error body's status was not recorded, and OpenAI answers these with a 400.
    status = record["status"] if record["status"] is not None else (400 if "error" in raw else 200)
    endpoint = AIModelEndpoint(api=AIModelAPI(provider="openai", api_key="sk-test"), ai_model=GPTImage1)
    with respx.mock() as router:
        router.post(URL).mock(return_value=httpx.Response(status, json=raw))
        if "error" in raw:
            with pytest.raises(APIStatusError) as caught:
                image_call(endpoint, AIModelCallConfig())
            assert caught.value.error_code == raw["error"].get("code")
            assert caught.value.error_type == raw["error"].get("type")
            return
        result, _ = image_call(endpoint, AIModelCallConfig())
    image = result.image_response
    assert image is not None
    assert [i.content_b64_json for i in image.images()] == [d.get("b64_json") for d in raw["data"]]
    assert [i.revised_prompt for i in image.images()] == [d.get("revised_prompt") for d in raw["data"]]
    for key in ("size", "quality", "background", "output_format"):
        if key in raw:
            assert image.usage.options[key] == raw[key]
    assert image.provider_response == raw
