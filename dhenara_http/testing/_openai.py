"""What the two OpenAI wires of the mock share: error bodies, the auth check, response headers, request checks."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ._http import MockRequest, Reply
from ._wire import arg_pieces, pieces, sse

__all__ = [
    "arg_pieces",
    "authorized",
    "check_body",
    "content_text",
    "error_body",
    "headers",
    "parse_arguments",
    "pieces",
    "sse",
    "stream_error_chat",
    "stream_error_responses",
]

_DEFAULTS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: (
        "invalid_request_error",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported.",
    ),
    404: ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
    409: ("invalid_request_error", None, "Conflict."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The server is overloaded or not ready yet."),
}


def error_body(status: int, message: str | None = None, *, code: str | None = None, param: str | None = None) -> Any:
    """OpenAI's error object for an HTTP status."""
    kind, default_code, default_message = _DEFAULTS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, f"HTTP {status}")
    )
    return {
        "error": {
            "message": message or default_message,
            "type": kind,
            "param": param,
            "code": code if code is not None else default_code,
        }
    }


def authorized(request: MockRequest) -> bool:
    """A bearer token (OpenAI) or an ``api-key`` header (Azure); any value is accepted."""
    auth = request.header("authorization") or ""
    scheme, _, token = auth.partition(" ")
    return (scheme.lower() == "bearer" and bool(token.strip())) or bool(request.header("api-key"))


def headers(request: MockRequest) -> dict[str, str]:
    """OpenAI's usual response headers, rate limits included (resets as OpenAI writes durations: ``6ms``, ``1m0s``)."""
    return {
        "x-request-id": f"req_{uuid.uuid4().hex}",
        "openai-version": "2020-10-01",
        "openai-processing-ms": "1",
        "x-ratelimit-limit-requests": "10000",
        "x-ratelimit-remaining-requests": "9999",
        "x-ratelimit-reset-requests": "6ms",
        "x-ratelimit-limit-tokens": "30000000",
        "x-ratelimit-remaining-tokens": "29999990",
        "x-ratelimit-reset-tokens": "0s",
    }


def check_body(request: MockRequest, required: tuple[str, ...]) -> Reply | None:
    """A 400 in OpenAI's shape for a body that is not a JSON object or lacks a required field; else None."""
    body = request.json
    if not isinstance(body, dict):
        message = "We could not parse the JSON body of your request. Please send valid JSON."
        return Reply.json(error_body(400, message), status=400, headers=headers(request))
    for name in required:
        if name not in body:
            message = f"Missing required parameter: '{name}'."
            reply = error_body(400, message, code="missing_required_parameter", param=name)
            return Reply.json(reply, status=400, headers=headers(request))
    return None


def content_text(content: Any, text_types: tuple[str, ...]) -> tuple[str, int]:
    """The text of a message's ``content`` (a string or a list of parts) and how many non-text parts it holds."""
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        return "", 0
    texts: list[str] = []
    attachments = 0
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            if part.get("type") in text_types and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif part.get("type") == "refusal":
                texts.append(str(part.get("refusal") or ""))
            else:
                attachments += 1
    return "\n".join(texts), attachments


def parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _in_band(kind: Any) -> dict[str, Any]:
    """OpenAI's error object for an in-band error named by its ``code`` (a plain server error when none is named)."""
    code = kind if isinstance(kind, str) else None
    body: dict[str, Any] = error_body(429 if code == "rate_limit_exceeded" else 500, code=code)
    return dict(body["error"])


def stream_error_responses(kind: Any) -> bytes:
    """The Responses stream's ``error`` event (code, message and param on the event itself); a dict is sent as the
    event's payload as it is."""
    if isinstance(kind, dict):
        return sse(kind, "error")
    error = _in_band(kind)
    code = error["code"] or error["type"]
    return sse({"type": "error", "code": code, "message": error["message"], "param": None}, "error")


def stream_error_chat(kind: Any) -> bytes:
    """A Chat Completions stream's error chunk, ``data: {"error": {...}}``; a dict is sent as the payload as it is."""
    return sse(kind if isinstance(kind, dict) else {"error": _in_band(kind)})
