"""Google's error envelope, shared by its wires (``gemini``, ``imagen``): ``{"error": {"code", "message", "status",
"details"}}`` (google.rpc.Status), classified by the ``status`` name — and by an ``ErrorInfo`` reason where that is
sharper — never by the message. A ``RetryInfo.retryDelay`` detail becomes ``retry_after`` (Gemini asks clients to
wait in the body, not in a ``Retry-After`` header)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import (
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
from .base import ErrorInfo

#: google.rpc.Code names → error classes. ``DEADLINE_EXCEEDED`` (HTTP 504) is a server that ran out of time while
#: answering — an error status it did send, so an ``InternalServerError`` (retried like other 5xx), not the client
#: side ``APITimeoutError``.
_STATUS_CLASSES: dict[str, type[APIStatusError]] = {
    "INVALID_ARGUMENT": BadRequestError,
    "FAILED_PRECONDITION": BadRequestError,
    "OUT_OF_RANGE": BadRequestError,
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "ALREADY_EXISTS": ConflictError,
    "ABORTED": ConflictError,
    "RESOURCE_EXHAUSTED": RateLimitError,
    "UNAVAILABLE": OverloadedError,
    "INTERNAL": InternalServerError,
    "UNKNOWN": InternalServerError,
    "DATA_LOSS": InternalServerError,
    "DEADLINE_EXCEEDED": InternalServerError,
}
#: ``google.rpc.ErrorInfo`` reasons that say more than the status: Google answers a bad key with 400
#: ``INVALID_ARGUMENT``, but the reason is ``API_KEY_INVALID``.
_REASON_CLASSES: dict[str, type[APIStatusError]] = {
    "API_KEY_INVALID": AuthenticationError,
    "API_KEY_EXPIRED": AuthenticationError,
    "API_KEY_SERVICE_BLOCKED": PermissionDeniedError,
    "API_KEY_HTTP_REFERRER_BLOCKED": PermissionDeniedError,
    "API_KEY_IP_ADDRESS_BLOCKED": PermissionDeniedError,
}


def error_object(body: Any) -> dict[str, Any] | None:
    """The ``error`` object of a Gemini error body (also when it comes wrapped in a list, as streams send it)."""
    if isinstance(body, list):
        body = next((b for b in body if isinstance(b, dict) and b.get("error")), None)
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, dict):
        return err
    if isinstance(err, str) and err:
        return {"message": err}
    return None


def duration(value: Any) -> float | None:
    """A protobuf duration (``"53s"``, ``"1.5s"``) in seconds; None for anything else (a negative or non-finite
    number included, which no wait can honour)."""
    if isinstance(value, str) and value.endswith("s"):
        try:
            value = float(value[:-1])
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """Classified by the google.rpc ``status`` name (and an ``ErrorInfo`` reason where it is sharper), never by the
    message; ``RetryInfo.retryDelay`` becomes ``retry_after``. Fields of the wrong type are left out, never raised
    about: the answer is an error already."""
    err = error_object(body)
    if err is None:
        return None
    status_name = err.get("status") if isinstance(err.get("status"), str) else None
    reason: str | None = None
    retry_after: float | None = None
    details = err.get("details")
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict):
            continue
        kind = detail.get("@type")
        kind = kind if isinstance(kind, str) else ""
        if kind.endswith("google.rpc.RetryInfo"):
            retry_after = duration(detail.get("retryDelay"))
        elif kind.endswith("google.rpc.ErrorInfo") and isinstance(detail.get("reason"), str) and detail["reason"]:
            reason = detail["reason"]
    cls = _REASON_CLASSES.get(reason or "") or _STATUS_CLASSES.get(status_name or "")
    code = err.get("code")
    message = err.get("message")
    return ErrorInfo(
        message=message if isinstance(message, str) and message else (status_name or f"HTTP {status}"),
        error_type=status_name or None,
        error_code=reason or (str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None),
        error_class=cls,
        retry_after=retry_after,
    )
