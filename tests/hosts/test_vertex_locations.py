"""Where a Vertex AI call goes: the regional host of the location (``https://{location}-aiplatform.googleapis.com``),
the ``global`` location on ``https://aiplatform.googleapis.com``, and the catalogue's ``global``-only models (Gemini
3) sent there when the API names no location. Through ``AIModelClient`` on both drivers, with a service account
whose token endpoint respx answers too (the URLs under test are Google's, so no local server can stand in)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelEndpoint
from dhenara_http.foundation_models import Claude37Sonnet, Gemini20Flash
from dhenara_http.foundation_models.google import Gemini3FlashPreview
from dhenara_http.testing import _accounts
from tests.hosts._support import Driver

TOKEN_URI = _accounts.TOKEN_URI
PROJECT = _accounts.PROJECT_ID
GEMINI_ANSWER = {
    "candidates": [{"content": {"role": "model", "parts": [{"text": "Hello."}]}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4},
}
CLAUDE_ANSWER = {
    "id": "msg_vrtx_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-7-sonnet-20250219",
    "content": [{"type": "text", "text": "Hello."}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 3, "output_tokens": 1},
}


def regional(location: str) -> str:
    return f"https://{location}-aiplatform.googleapis.com/v1/projects/{PROJECT}/locations/{location}/publishers"


GLOBAL = f"https://aiplatform.googleapis.com/v1/projects/{PROJECT}/locations/global/publishers"
CASES = [
    # (model, config["location"] or None, expected URL)
    (Gemini20Flash, "global", f"{GLOBAL}/google/models/gemini-2.0-flash:generateContent"),
    (Claude37Sonnet, "global", f"{GLOBAL}/anthropic/models/claude-3-7-sonnet@20250219:rawPredict"),
    (Gemini20Flash, None, f"{regional('us-central1')}/google/models/gemini-2.0-flash:generateContent"),
    (Gemini3FlashPreview, None, f"{GLOBAL}/google/models/gemini-3-flash-preview:generateContent"),
    (Gemini3FlashPreview, "us-east5", f"{regional('us-east5')}/google/models/gemini-3-flash-preview:generateContent"),
]
IDS = ["gemini-global", "claude-global", "default-region", "gemini3-global-only", "gemini3-named-region"]


def vertex_api(location: str | None) -> AIModelAPI:
    config = {"location": location} if location else {}
    return AIModelAPI(
        provider="google_vertex_ai", credentials={"service_account_json": _accounts.service_account()}, config=config
    )


def run(driver: Driver, model: Any, api: AIModelAPI) -> tuple[httpx.Request, httpx.Request]:
    """One call; the token request and the model request it made."""
    answer = CLAUDE_ANSWER if model is Claude37Sonnet else GEMINI_ANSWER
    with respx.mock(assert_all_called=True) as router:
        token = router.post(TOKEN_URI).mock(
            return_value=httpx.Response(200, json={"access_token": "ya29.respx-token", "expires_in": 3599})
        )
        call = router.post(url__regex=r"https://[a-z0-9-]*aiplatform\.googleapis\.com/").mock(
            return_value=httpx.Response(200, json=answer)
        )
        assert driver.answer(driver.client(AIModelEndpoint(api=api, ai_model=model)), prompt="Hi.").text() == "Hello."
    return token.calls.last.request, call.calls.last.request


@pytest.mark.parametrize(("model", "location", "url"), CASES, ids=IDS)
def test_the_location_decides_the_host(driver: Driver, model: Any, location: str | None, url: str) -> None:
    token, sent = run(driver, model, vertex_api(location))
    assert str(sent.url) == url
    assert sent.headers["authorization"] == "Bearer ya29.respx-token"
    form = dict(parse_qsl(token.content.decode("ascii")))
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert form["assertion"].count(".") == 2
    if model is Claude37Sonnet:
        assert json.loads(sent.content)["anthropic_version"] == "vertex-2023-10-16"


def test_the_environments_location_counts_as_named(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    _, sent = run(driver, Gemini3FlashPreview, vertex_api(None))
    assert str(sent.url) == f"{regional('europe-west4')}/google/models/gemini-3-flash-preview:generateContent"
