"""The image answers the fuzz suite mutates, beside the recorded ones under ``fixtures/openai_images``: what the
mock server answers (its answers follow the providers' documented shapes), and variants the mock does not make — an
Imagen answer with one image withheld, a Gemini answer with thought parts and a signature. Made once, in-process."""

from __future__ import annotations

import copy
import json
from typing import Any

from dhenara_http.testing import gemini as mock_gemini
from dhenara_http.testing import imagen as mock_imagen
from dhenara_http.testing import openai_images as mock_openai_images
from dhenara_http.testing._http import MockRequest
from dhenara_http.testing._images import FILTER_WORD


def _request(path: str, body: dict[str, Any], **params: str) -> MockRequest:
    headers = {"host": "127.0.0.1", "x-goog-api-key": "k", "authorization": "Bearer k"}
    raw = json.dumps(body).encode()
    return MockRequest("POST", path, {}, headers, raw, 0, json=body, params=params)


def _answer(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    return json.loads(reply.body)  # type: ignore[no-any-return]


def openai_images() -> list[tuple[str, dict[str, Any]]]:
    path = "/v1/images/generations"
    gpt = {"model": "gpt-image-1", "prompt": "a fox", "n": 2, "size": "1024x1536", "quality": "high"}
    dalle = {"model": "dall-e-3", "prompt": "a fox"}
    return [
        ("mock_gpt_image_two", _answer(mock_openai_images.handle(_request(path, gpt)))),
        ("mock_dalle3_url", _answer(mock_openai_images.handle(_request(path, dalle)))),
    ]


def imagen() -> list[tuple[str, dict[str, Any]]]:
    model = "imagen-4.0-generate-001"
    path = f"/v1beta/models/{model}:predict"
    two: dict[str, Any] = {
        "instances": [{"prompt": "a fox"}],
        "parameters": {"sampleCount": 2, "includeRaiReason": True},
    }
    answer = _answer(mock_imagen.handle(_request(path, two, model=model)))
    mixed = copy.deepcopy(answer)
    mixed["predictions"][1] = {"raiFilteredReason": "withheld by the safety filter"}
    filtered = copy.deepcopy(two)
    filtered["instances"][0]["prompt"] = f"a fox {FILTER_WORD}"
    return [
        ("mock_two", answer),
        ("one_withheld", mixed),
        ("mock_all_withheld", _answer(mock_imagen.handle(_request(path, filtered, model=model)))),
    ]


def gemini_images() -> list[tuple[str, dict[str, Any]]]:
    model = "gemini-2.5-flash-image"
    body = {"contents": [{"role": "user", "parts": [{"text": "a fox"}]}]}
    generation = {"responseModalities": ["TEXT", "IMAGE"]}
    answer = mock_gemini.image_answer(model, body, generation)
    thinking = copy.deepcopy(answer)
    parts = thinking["candidates"][0]["content"]["parts"]
    image = parts[-1]["inlineData"]
    parts.insert(0, {"text": "Planning the picture", "thought": True})
    parts.insert(1, {"inlineData": dict(image), "thought": True})
    parts[-1]["thoughtSignature"] = "c2lnbmF0dXJl"
    thinking["usageMetadata"]["thoughtsTokenCount"] = 40
    filtered_body = {"contents": [{"role": "user", "parts": [{"text": f"a fox {FILTER_WORD}"}]}]}
    return [
        ("mock_text_and_image", answer),
        ("thought_parts", thinking),
        ("mock_image_safety", mock_gemini.image_answer(model, filtered_body, generation)),
    ]


SEEDS = {"openai_images": openai_images, "imagen": imagen, "gemini_images": gemini_images}
