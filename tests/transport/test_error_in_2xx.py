"""An error answered with a 2xx status is raised inside the retry loop, like the same error with its own status."""

from __future__ import annotations

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    OverloadedError,
    RateLimitError,
)

OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
ANSWER = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-5-haiku-latest",
    "content": [{"type": "text", "text": "Recovered."}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}


def _client(retries: int) -> AIModelClient:
    api = AIModelAPI(provider=AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test")
    endpoint = AIModelEndpoint(api=api, ai_model="claude-3-5-haiku-latest")
    return AIModelClient(endpoint, AIModelCallConfig(retries=retries, max_output_tokens=50))


def test_an_overload_in_a_200_body_is_retried_then_answered(retry_waits: list[float]) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://api.anthropic.com/v1/messages").mock(
            side_effect=[httpx.Response(200, json=OVERLOADED), httpx.Response(200, json=ANSWER)]
        )
        response = _client(retries=2).generate(prompt="hi")
    assert route.call_count == 2
    assert len(retry_waits) == 1
    assert response.chat_response is not None
    assert response.chat_response.text() == "Recovered."


def test_an_overload_in_a_200_body_is_typed_with_its_implied_status() -> None:
    with respx.mock() as mock:
        mock.post("https://api.anthropic.com/v1/messages").mock(return_value=httpx.Response(200, json=OVERLOADED))
        with pytest.raises(OverloadedError) as caught:
            _client(retries=0).generate(prompt="hi")
    assert caught.value.status_code == 529
    assert caught.value.error_type == "overloaded_error"


def test_a_google_error_list_in_a_200_body_keeps_its_own_code() -> None:
    body = [{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}]
    api = AIModelAPI(provider=AIModelAPIProviderEnum.GOOGLE_AI, api_key="g-test")
    endpoint = AIModelEndpoint(api=api, ai_model="gemini-2.0-flash")
    client = AIModelClient(endpoint, AIModelCallConfig(retries=0))
    with respx.mock() as mock:
        mock.post(url__regex=r".*:generateContent").mock(return_value=httpx.Response(200, json=body))
        with pytest.raises(RateLimitError) as caught:
            client.generate(prompt="hi")
    assert caught.value.status_code == 429


def test_vertex_picks_the_wire_of_the_model_vendor_and_sends_the_access_token() -> None:
    api = AIModelAPI(
        provider=AIModelAPIProviderEnum.GOOGLE_VERTEX_AI,
        credentials={"access_token": "ya29.token-value"},
        config={"project_id": "proj", "location": "us-east5"},
    )
    endpoint = AIModelEndpoint(api=api, ai_model="claude-3-5-haiku-latest")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url__regex=r"https://us-east5-aiplatform\.googleapis\.com/v1/projects/proj/.*").mock(
            return_value=httpx.Response(200, json=ANSWER)
        )
        response = AIModelClient(endpoint, AIModelCallConfig(max_output_tokens=50)).generate(prompt="hi")
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer ya29.token-value"
    assert "/publishers/anthropic/models/" in request.url.path
    assert response.chat_response is not None
    assert response.chat_response.text() == "Recovered."
