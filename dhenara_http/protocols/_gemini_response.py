"""Reading Gemini answers (``GenerateContentResponse``) and error bodies.

Each part of a candidate becomes one content item, in order: a ``thought`` text part a reasoning item, a text part
a text item, a ``functionCall`` a tool-call item, anything else (code execution, inline data, server-side tool
calls …) a generic item holding the raw part. A part's ``thoughtSignature`` stays with the item made from that part
(``item.metadata["thought_signature"]``, or the reasoning item's ``thinking_signature``) so that the request builder
can put it back on the same part.

A prompt blocked before generation (``promptFeedback.blockReason``, no candidates) is not raised: it comes back as a
response with one empty choice whose finish reason is ``content_filter``; the block reason is in
``choice.metadata["block_reason"]`` and ``response.metadata["block_reason"]``.
"""

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
    error_class_for_status,
)
from ..types.enums import FinishReason
from ..types.response import (
    ChatResponse,
    ChatResponseChoice,
    ChatResponseContentItem,
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCall,
    ChatResponseToolCallContentItem,
    ChatResponseUsage,
)
from . import _common as common
from .base import CallContext, ErrorInfo

NAME = "gemini"

_FINISH = {
    "STOP": FinishReason.STOP,
    "MAX_TOKENS": FinishReason.MAX_TOKENS,
    "SAFETY": FinishReason.CONTENT_FILTER,
    "RECITATION": FinishReason.CONTENT_FILTER,
    "BLOCKLIST": FinishReason.CONTENT_FILTER,
    "PROHIBITED_CONTENT": FinishReason.CONTENT_FILTER,
    "SPII": FinishReason.CONTENT_FILTER,
    "IMAGE_SAFETY": FinishReason.CONTENT_FILTER,
    "IMAGE_PROHIBITED_CONTENT": FinishReason.CONTENT_FILTER,
    "IMAGE_RECITATION": FinishReason.CONTENT_FILTER,
    # Vertex AI's Model Armor screening.
    "MODEL_ARMOR": FinishReason.CONTENT_FILTER,
    "MALFORMED_FUNCTION_CALL": FinishReason.ERROR,
    "UNEXPECTED_TOOL_CALL": FinishReason.ERROR,
    "MISSING_THOUGHT_SIGNATURE": FinishReason.ERROR,
    "MALFORMED_RESPONSE": FinishReason.ERROR,
}

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


# -- answers ---------------------------------------------------------------------------------------------------------


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """The ``ChatResponse`` of a ``GenerateContentResponse``. Read defensively: a field of the wrong type is a
    ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(common.checked_answer(data), ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    if data.get("error") and not data.get("candidates"):
        # An error body, whatever the HTTP status said (and whatever else it carries): its classified error.
        raise error_from_event(data, ctx)
    candidates = common.get_list(data, "candidates")
    choices = [_choice(c, position) for position, c in common.dicts(candidates, "candidates")]
    choices.sort(key=lambda c: c.index)
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": common.get_str(data, "responseId")}
    feedback = common.opt_dict(data, "promptFeedback")
    if feedback is not None:
        metadata["prompt_feedback"] = feedback
        reason = common.get_str(feedback, "blockReason", "promptFeedback")
        if reason and not choices:
            metadata["block_reason"] = reason
            choices = [
                ChatResponseChoice(
                    index=0,
                    finish_reason=FinishReason.CONTENT_FILTER,
                    metadata={"native_finish_reason": reason, "block_reason": reason, "prompt_feedback": feedback},
                )
            ]
    for key in ("modelVersion", "createTime"):
        value = common.get_str(data, key)
        if value:
            metadata[camel_to_snake(key)] = value
    return ChatResponse(
        model=common.get_str(data, "modelVersion") or ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(common.opt_dict(data, "usageMetadata")),
        choices=choices,
        metadata=metadata,
        provider_response=data,
    )


def camel_to_snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def synthetic_call_id(name: str, candidate: int, ordinal: int) -> str:
    """A deterministic id for a function call Gemini gave none: unique within the response, and the same whether
    the answer was streamed or not."""
    return f"{name}_{ordinal}" if candidate == 0 else f"{name}_{candidate}_{ordinal}"


def _choice(candidate: dict[str, Any], position: int) -> ChatResponseChoice:
    where = f"candidates[{position}]"
    index = common.get_index(candidate, "index", where)
    index = index if index is not None else position
    content = common.get_dict(candidate, "content", where)
    items: list[ChatResponseContentItem] = []
    calls = 0
    parts_where = f"{where}.content.parts"
    for i, part in common.dicts(common.get_list(content, "parts", f"{where}.content"), parts_where):
        item = part_item(part, index, calls, f"{parts_where}[{i}]")
        if item is None:
            continue
        if isinstance(item, ChatResponseToolCallContentItem):
            calls += 1
        item.index = len(items)
        items.append(item)
    native = common.get_str(candidate, "finishReason", where)
    finish = finish_reason(native, calls) if native else None
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "finishReason", "index")}
    if native:
        metadata["native_finish_reason"] = native
    return ChatResponseChoice(index=index, finish_reason=finish, contents=items, metadata=metadata)


def finish_reason(native: str, calls: int) -> FinishReason:
    """The normalised finish reason; Gemini says ``STOP`` after function calls too, which is ``tool_use`` here."""
    finish = _FINISH.get(native, FinishReason.OTHER)
    return FinishReason.TOOL_USE if finish is FinishReason.STOP and calls else finish


def part_item(part: dict[str, Any], candidate: int, calls: int, where: str = "part") -> ChatResponseContentItem | None:
    """The content item one part becomes (None for an empty text part that carries nothing)."""
    signature = common.get_str(part, "thoughtSignature", where)
    fc = common.opt_dict(part, "functionCall", where)
    if fc is not None:
        fc_where = f"{where}.functionCall"
        name = common.get_text(fc, "name", fc_where)
        call_id = common.get_id(fc, "id", fc_where)
        item_meta: dict[str, Any] = {}
        if not call_id:
            call_id = synthetic_call_id(name, candidate, calls)
            item_meta["synthetic_id"] = True
        if signature:
            item_meta["thought_signature"] = signature
        args = common.get_dict(fc, "args", fc_where)
        return ChatResponseToolCallContentItem(
            tool_call=ChatResponseToolCall.from_raw(id=call_id, name=name, arguments=args),
            metadata=item_meta,
        )
    if "text" in part or set(part) <= {"thoughtSignature", "thought"}:
        text = common.get_text(part, "text", where)
        if common.get_bool(part, "thought", where):
            return ChatResponseReasoningContentItem(thinking_text=text, thinking_signature=signature)
        if not text and not signature:
            return None
        return ChatResponseTextContentItem(text=text, metadata={"thought_signature": signature} if signature else {})
    kind = next((k for k in part if k != "thoughtSignature"), "unknown")
    return ChatResponseGenericContentItem(metadata={"gemini_part_type": kind, "gemini_part": part})


def parse_usage(usage: dict[str, Any] | None, where: str = "usageMetadata") -> ChatResponseUsage | None:
    """Gemini counts thoughts apart from candidates, and tool-use prompt tokens (code execution, search) apart from
    the prompt; here both are folded in, so that prompt + completion is Gemini's own ``totalTokenCount``."""
    if usage is None:
        return None

    def count(key: str) -> int:
        return common.get_count(usage, key, where)

    prompt = count("promptTokenCount") + count("toolUsePromptTokenCount")
    thoughts = count("thoughtsTokenCount")
    completion = count("candidatesTokenCount") + thoughts
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=count("totalTokenCount") or prompt + completion,
        reasoning_tokens=thoughts,
        cache_read_tokens=count("cachedContentTokenCount"),
    )


# -- errors ----------------------------------------------------------------------------------------------------------


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


def error_from_event(payload: Any, ctx: CallContext) -> APIStatusError:
    """The typed error for an error object that arrived with a success status (a stream event or a 200 body)."""
    err = error_object(payload) or {}
    code = err.get("code")
    status = code if type(code) is int and 400 <= code <= 599 else 500
    info = parse_error(status, payload) or ErrorInfo(message="error event in the stream")
    cls = info.error_class or error_class_for_status(status)
    return common.in_band_error(cls, info, ctx, status=status, body=payload)
