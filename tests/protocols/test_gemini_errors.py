"""Gemini errors: classified by the google.rpc ``status`` (and an ``ErrorInfo`` reason), ``RetryInfo.retryDelay``
honoured by the retry policy within ``max_retry_wait``, error lists, and a JSON error served as an event stream."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
)
from tests.protocols._gemini_support import OK_BODY, client, url
from tests.support.recordings import http_response, load_record, response_json


def _retry_delay(body: dict[str, Any]) -> float:
    detail = next(d for d in body["error"]["details"] if d["@type"].endswith("RetryInfo"))
    return float(detail["retryDelay"].removesuffix("s"))


def _quota_error(delay: str) -> dict[str, Any]:
    return {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [{"quotaMetric": "generate_content_free_tier_requests"}],
                },
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
            ],
        }
    }


def test_recorded_quota_error_carries_its_retry_delay(retry_waits: list[float]) -> None:
    record = load_record("gemini", "error_429_retry_info")
    delay = _retry_delay(response_json(record))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url()).mock(return_value=http_response(record))
        with pytest.raises(RateLimitError) as caught:
            client(retries=2, max_retry_wait=60).generate("hi")
    assert caught.value.retry_after == delay
    assert caught.value.error_type == response_json(record)["error"]["status"]
    assert caught.value.status_code == 429
    assert retry_waits == [delay, delay]
    assert route.call_count == 3


def test_a_53s_retry_delay_is_waited_for_when_the_cap_allows(retry_waits: list[float]) -> None:
    body = _quota_error("53s")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url()).mock(side_effect=[httpx.Response(429, json=body), httpx.Response(200, json=OK_BODY)])
        response = client(retries=2, max_retry_wait=60).generate("hi").chat_response
    assert response is not None
    assert response.text() == OK_BODY["candidates"][0]["content"]["parts"][0]["text"]
    assert retry_waits == [_retry_delay(body)]
    assert route.call_count == 2


def test_a_53s_retry_delay_beyond_the_cap_fails_fast(retry_waits: list[float]) -> None:
    body = _quota_error("53s")
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url()).mock(return_value=httpx.Response(429, json=body))
        with pytest.raises(RateLimitError) as caught:
            client(retries=3, max_retry_wait=30).generate("hi")
    assert caught.value.retry_after == _retry_delay(body)
    assert retry_waits == []
    assert route.call_count == 1


def test_a_streamed_call_honours_the_retry_delay_too(retry_waits: list[float]) -> None:
    body = _quota_error("1.5s")
    sse = b'data: {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}\n\n'
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(stream=True)).mock(
            side_effect=[
                httpx.Response(429, json=body),
                httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse),
            ]
        )
        result = client(streaming=True, retries=1).generate("hi")
        assert result.stream_generator is not None
        items = list(result.stream_generator)
    assert retry_waits == [_retry_delay(body)]
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None
    assert final.chat_response.text() == "ok"


@pytest.mark.parametrize(
    ("name", "cls"),
    [("error_404_not_found", NotFoundError), ("vertex_error_400_invalid_argument", BadRequestError)],
)
def test_recorded_errors_are_classified_by_status(name: str, cls: type[APIStatusError]) -> None:
    record = load_record("gemini", name)
    err = response_json(record)["error"]
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url()).mock(return_value=http_response(record))
        with pytest.raises(cls) as caught:
            client().generate("hi")
    assert type(caught.value) is cls
    assert caught.value.message == err["message"]
    assert caught.value.error_type == err["status"]
    assert caught.value.status_code == err["code"]
    assert caught.value.body == response_json(record)


@pytest.mark.parametrize(
    ("status", "http", "cls"),
    [
        ("INVALID_ARGUMENT", 400, BadRequestError),
        ("FAILED_PRECONDITION", 400, BadRequestError),
        ("UNAUTHENTICATED", 401, AuthenticationError),
        ("PERMISSION_DENIED", 403, PermissionDeniedError),
        ("NOT_FOUND", 404, NotFoundError),
        ("ABORTED", 409, ConflictError),
        ("RESOURCE_EXHAUSTED", 429, RateLimitError),
        ("INTERNAL", 500, InternalServerError),
        ("UNAVAILABLE", 503, OverloadedError),
        ("DEADLINE_EXCEEDED", 504, InternalServerError),
        # The status names the class even when the HTTP code says something else.
        ("UNAVAILABLE", 500, OverloadedError),
        ("RESOURCE_EXHAUSTED", 400, RateLimitError),
    ],
)
def test_status_table(status: str, http: int, cls: type[APIStatusError]) -> None:
    body = {"error": {"code": http, "message": f"something {status}", "status": status}}
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url()).mock(return_value=httpx.Response(http, json=body))
        with pytest.raises(APIStatusError) as caught:
            client().generate("hi")
    assert type(caught.value) is cls
    assert caught.value.error_type == status


INVALID_KEY = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    }
}


def test_an_invalid_key_is_an_authentication_error_despite_the_400() -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url()).mock(return_value=httpx.Response(400, json=INVALID_KEY))
        with pytest.raises(AuthenticationError) as caught:
            client().generate("hi")
    assert caught.value.error_code == INVALID_KEY["error"]["details"][0]["reason"]
    assert caught.value.status_code == 400
    assert "test-key" not in str(caught.value)


def test_an_error_list_body_is_read() -> None:
    body = [{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}]
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url()).mock(return_value=httpx.Response(503, json=body))
        with pytest.raises(OverloadedError) as caught:
            client().generate("hi")
    assert caught.value.message == body[0]["error"]["message"]


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("as_list", [False, True])
def test_a_json_error_served_as_an_event_stream_is_raised_typed(status: int, as_list: bool) -> None:
    """Gemini has answered an invalid key with ``content-type: text/event-stream`` and a plain JSON body."""
    payload: Any = [INVALID_KEY] if as_list else INVALID_KEY
    raw = json.dumps(payload, indent=2).encode()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url(stream=True)).mock(
            return_value=httpx.Response(status, headers={"content-type": "text/event-stream"}, content=raw)
        )
        with pytest.raises(AuthenticationError) as caught:
            client(streaming=True, retries=2).generate("hi")
    assert caught.value.message == INVALID_KEY["error"]["message"]
    assert route.call_count == 1


def test_a_whole_answer_served_as_an_event_stream_is_read() -> None:
    raw = json.dumps(OK_BODY).encode()
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(stream=True)).mock(
            return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=raw)
        )
        result = client(streaming=True).generate("hi")
        assert result.stream_generator is not None
        items = list(result.stream_generator)
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None
    assert final.chat_response.text() == OK_BODY["candidates"][0]["content"]["parts"][0]["text"]
