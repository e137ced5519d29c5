"""How an OpenAI error object (``{"message", "type", "code", "param"}``) is classified, for both OpenAI wires and
every host that copies the shape: by its structured ``code``, then its ``type`` — never by its message text."""

from __future__ import annotations

from typing import Any

from ..errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    ContextLengthExceededError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
)
from .base import ErrorInfo

_IMAGE_CODES = (
    "invalid_image",
    "invalid_image_format",
    "invalid_base64_image",
    "invalid_image_url",
    "image_too_large",
    "image_too_small",
    "image_parse_error",
    "invalid_image_mode",
    "image_file_too_large",
    "unsupported_image_media_type",
    "empty_image_file",
    "failed_to_download_image",
    "image_file_not_found",
)

#: ``error.code`` → class. Codes from OpenAI's error guide, the spec's ``ResponseErrorCode`` and Azure OpenAI.
_BY_CODE: dict[str, type[APIStatusError]] = {
    "context_length_exceeded": ContextLengthExceededError,
    "content_policy_violation": ContentFilterError,
    "content_filter": ContentFilterError,
    "image_content_policy_violation": ContentFilterError,
    "invalid_prompt": ContentFilterError,
    "bio_policy": ContentFilterError,
    # The GPT image models' safety system (``type`` ``image_generation_user_error``).
    "moderation_blocked": ContentFilterError,
    "rate_limit_exceeded": RateLimitError,
    "insufficient_quota": RateLimitError,
    "invalid_api_key": AuthenticationError,
    "model_not_found": NotFoundError,
    "DeploymentNotFound": NotFoundError,
    "server_error": InternalServerError,
    "authentication_error": AuthenticationError,
    "overloaded": OverloadedError,
    "overloaded_error": OverloadedError,
    **dict.fromkeys(_IMAGE_CODES, BadRequestError),
}

#: ``error.type`` → class, when the code names nothing more precise.
_BY_TYPE: dict[str, type[APIStatusError]] = {
    "insufficient_quota": RateLimitError,
    "rate_limit_exceeded": RateLimitError,
    "tokens": RateLimitError,
    "requests": RateLimitError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "image_generation_user_error": BadRequestError,
    "server_error": InternalServerError,
    "overloaded": OverloadedError,
    "overloaded_error": OverloadedError,
    # Compatible hosts put in ``type`` what OpenAI puts in ``code``.
    "context_length_exceeded": ContextLengthExceededError,
    "content_filter": ContentFilterError,
    "content_policy_violation": ContentFilterError,
    "invalid_api_key": AuthenticationError,
    "model_not_found": NotFoundError,
    "DeploymentNotFound": NotFoundError,
}


def classify(code: str | None, error_type: str | None) -> type[APIStatusError] | None:
    """The error class an OpenAI-shaped error names, or None when it names none."""
    return (_BY_CODE.get(code) if code else None) or (_BY_TYPE.get(error_type) if error_type else None)


def openai_error_info(status: int, body: Any) -> ErrorInfo | None:
    """What an OpenAI error body says (``{"error": {"message", "type", "code"}}`` or ``{"error": "text"}``), classified;
    None when the body is not one. For the wires without compatible hosts' odder shapes (the image wire)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str) and error:
        return ErrorInfo(message=error)
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    code = str(code) if code is not None else None
    etype = error.get("type")
    etype = str(etype) if etype is not None else None
    message = error.get("message")
    return ErrorInfo(
        message=str(message) if message else f"HTTP {status}",
        error_type=etype,
        error_code=code,
        error_class=classify(code, etype),
        retryable=False if "insufficient_quota" in (code, etype) else None,
    )
