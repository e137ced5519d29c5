"""Google's error envelope, shared by its wires (``gemini``, ``imagen``): ``{"error": {"code", "message", "status",
"details"}}`` (google.rpc.Status), classified by the ``status`` name — and by an ``ErrorInfo`` reason where that is
sharper — never by the message. A ``RetryInfo.retryDelay`` detail becomes ``retry_after`` (Gemini asks clients to
wait in the body, not in a ``Retry-After`` header)."""

from __future__ import annotations

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


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """Classified by the google.rpc ``status`` name (and an ``ErrorInfo`` reason where it is sharper), never by the
    message; ``RetryInfo.retryDelay`` becomes ``retry_after``."""
    from .._transport.retry import parse_duration

    err = error_object(body)
    if err is None:
        return None
    status_name = err.get("status")
    reason: str | None = None
    retry_after: float | None = None
    for detail in err.get("details") or []:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.RetryInfo"):
            retry_after = parse_duration(detail.get("retryDelay"))
        elif kind.endswith("google.rpc.ErrorInfo") and detail.get("reason"):
            reason = str(detail["reason"])
    cls = _REASON_CLASSES.get(reason or "") or _STATUS_CLASSES.get(str(status_name or ""))
    code = err.get("code")
    message = str(err.get("message") or status_name or f"HTTP {status}")
    return ErrorInfo(
        message=message,
        error_type=str(status_name) if status_name else None,
        error_code=reason or (str(code) if code is not None else None),
        error_class=cls,
        retry_after=retry_after,
    )
