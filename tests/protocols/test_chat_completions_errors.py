"""Chat Completions error answers: recorded error bodies (OpenAI, Groq, OpenRouter) and the documented shapes of the
errors not recorded (context length, content filter, quota, key), mapped to the error classes by ``code`` / ``type``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    ContextLengthExceededError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from tests.protocols._chat_completions_support import call, model_of
from tests.support.recordings import http_response, load_record, response_json

NO_RETRY = AIModelCallConfig(retries=0)
REQUEST_ID = "req_0123456789"


def _with_request_id(response: httpx.Response) -> httpx.Response:
    headers = dict(response.headers)
    headers["x-request-id"] = REQUEST_ID
    return httpx.Response(response.status_code, headers=headers, content=response.content)


@pytest.mark.parametrize(
    ("name", "error_class"),
    [
        ("openai_chat__error_404_model_not_found", NotFoundError),
        ("openai_chat__error_400_developer_role", BadRequestError),
        ("groq__error_404_model_not_found", NotFoundError),
        ("groq__error_400_tool_use_failed", BadRequestError),
        ("openrouter__error_429_rate_limited", RateLimitError),
    ],
)
def test_recorded_error_bodies(name: str, error_class: type[APIStatusError]) -> None:
    record = load_record("chat_completions", name)
    error = response_json(record)["error"]
    with pytest.raises(APIStatusError) as info:
        call(record, config=NO_RETRY, response=_with_request_id(http_response(record)))
    err = info.value
    assert type(err) is error_class
    assert err.status_code == record["status"]
    assert err.request_id == REQUEST_ID
    assert err.error_code == str(error["code"])
    assert err.error_type == error.get("type")
    assert err.message.startswith(error["message"])
    assert err.model == model_of(record)
    assert err.body == response_json(record)
    assert "sk-test" not in str(err)
    assert "compat-test" not in str(err)


def test_openrouter_upstream_message_is_kept() -> None:
    record = load_record("chat_completions", "openrouter__error_429_rate_limited")
    raw = response_json(record)["error"]["metadata"]["raw"]
    with pytest.raises(RateLimitError) as info:
        call(record, config=NO_RETRY)
    assert raw in info.value.message


def test_rate_limit_is_retried_then_raised(retry_waits: list[float]) -> None:
    record = load_record("chat_completions", "openrouter__error_429_rate_limited")
    with pytest.raises(RateLimitError):
        call(record, config=AIModelCallConfig(retries=2))
    assert len(retry_waits) == 2


# The documented error bodies of the cases no recording holds (OpenAI's error codes, Azure's content filter).
DOCUMENTED = [
    (
        400,
        {
            "message": "This model's maximum context length is 128000 tokens.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        },
        ContextLengthExceededError,
    ),
    (
        400,
        {
            "message": "The response was filtered due to the prompt triggering Azure OpenAI's content policy.",
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {"code": "ResponsibleAIPolicyViolation"},
        },
        ContentFilterError,
    ),
    (
        400,
        {"message": "Your request was rejected.", "type": "invalid_request_error", "code": "content_policy_violation"},
        ContentFilterError,
    ),
    (
        429,
        {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"},
        RateLimitError,
    ),
    (
        401,
        {"message": "Incorrect API key provided.", "type": "invalid_request_error", "code": "invalid_api_key"},
        AuthenticationError,
    ),
    (
        404,
        {"message": "The model does not exist.", "type": "invalid_request_error", "code": "model_not_found"},
        NotFoundError,
    ),
    (500, {"message": "The server had an error.", "type": "server_error", "code": None}, InternalServerError),
]


@pytest.mark.parametrize(("status", "error", "error_class"), DOCUMENTED)
def test_documented_error_codes(status: int, error: dict[str, Any], error_class: type[APIStatusError]) -> None:
    response = httpx.Response(status, json={"error": error}, headers={"x-request-id": REQUEST_ID})
    with pytest.raises(APIStatusError) as info:
        call(None, config=NO_RETRY, response=response)
    assert type(info.value) is error_class
    assert info.value.message == error["message"]
    assert info.value.error_code == error["code"]
    assert info.value.status_code == status
    assert info.value.request_id == REQUEST_ID


def test_classification_ignores_the_message_text() -> None:
    error = {"message": "maximum context length exceeded; content filter; rate limit", "type": "invalid_request_error"}
    with pytest.raises(APIStatusError) as info:
        call(None, config=NO_RETRY, response=httpx.Response(400, json={"error": error}))
    assert type(info.value) is BadRequestError


@pytest.mark.parametrize(
    ("status", "body", "message", "error_class"),
    [
        (400, {"message": "bad thing", "type": "invalid_request_error"}, "bad thing", BadRequestError),
        (404, {"detail": "Not Found"}, "Not Found", NotFoundError),
        (422, {"detail": [{"loc": ["body", "model"], "msg": "field required"}]}, "field required", BadRequestError),
        (
            400,
            [{"error": {"message": "listed", "code": "context_length_exceeded"}}],
            "listed",
            ContextLengthExceededError,
        ),
        (503, {"error": "upstream unavailable"}, "upstream unavailable", InternalServerError),
    ],
)
def test_shapes_compatible_hosts_send(status: int, body: Any, message: str, error_class: type[APIStatusError]) -> None:
    with pytest.raises(APIStatusError) as info:
        call(None, provider="ollama", model="llama3", config=NO_RETRY, response=httpx.Response(status, json=body))
    assert type(info.value) is error_class
    assert info.value.message == message


def test_an_error_inside_a_2xx_answer_is_raised() -> None:
    """OpenRouter has answered 200 with an error object and no choices."""
    body = {"error": {"code": 502, "message": "Upstream failed"}, "user_id": "u"}
    with pytest.raises(InternalServerError) as info:
        call(None, provider="openrouter", model="x/y", config=NO_RETRY, response=httpx.Response(200, json=body))
    assert info.value.error_code == "502"
