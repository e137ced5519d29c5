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
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    choices = [_choice(c, position) for position, c in enumerate(candidates)]
    choices.sort(key=lambda c: c.index)
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": data.get("responseId")}
    feedback = data.get("promptFeedback")
    if isinstance(feedback, dict):
        metadata["prompt_feedback"] = feedback
        reason = feedback.get("blockReason")
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
        if data.get(key):
            metadata[camel_to_snake(key)] = data[key]
    return ChatResponse(
        model=str(data.get("modelVersion") or ctx.model_name),
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(data.get("usageMetadata")),
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
    index = candidate.get("index")
    index = index if isinstance(index, int) else position
    parts = (candidate.get("content") or {}).get("parts") or []
    items: list[ChatResponseContentItem] = []
    calls = 0
    for part in parts:
        if not isinstance(part, dict):
            continue
        item = part_item(part, index, calls)
        if item is None:
            continue
        if isinstance(item, ChatResponseToolCallContentItem):
            calls += 1
        item.index = len(items)
        items.append(item)
    native = candidate.get("finishReason")
    finish = finish_reason(str(native), calls) if native else None
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "finishReason", "index")}
    if native:
        metadata["native_finish_reason"] = native
    return ChatResponseChoice(index=index, finish_reason=finish, contents=items, metadata=metadata)


def finish_reason(native: str, calls: int) -> FinishReason:
    """The normalised finish reason; Gemini says ``STOP`` after function calls too, which is ``tool_use`` here."""
    finish = _FINISH.get(native, FinishReason.OTHER)
    return FinishReason.TOOL_USE if finish is FinishReason.STOP and calls else finish


def part_item(part: dict[str, Any], candidate: int, calls: int) -> ChatResponseContentItem | None:
    """The content item one part becomes (None for an empty text part that carries nothing)."""
    signature = part.get("thoughtSignature")
    if "functionCall" in part and isinstance(part["functionCall"], dict):
        fc = part["functionCall"]
        name = str(fc.get("name") or "")
        call_id = fc.get("id")
        item_meta: dict[str, Any] = {}
        if not call_id:
            call_id = synthetic_call_id(name, candidate, calls)
            item_meta["synthetic_id"] = True
        if signature:
            item_meta["thought_signature"] = signature
        args = fc.get("args")
        return ChatResponseToolCallContentItem(
            tool_call=ChatResponseToolCall.from_raw(id=str(call_id), name=name, arguments=args or {}),
            metadata=item_meta,
        )
    if "text" in part or set(part) <= {"thoughtSignature", "thought"}:
        text = part.get("text") if isinstance(part.get("text"), str) else ""
        if part.get("thought"):
            return ChatResponseReasoningContentItem(thinking_text=text, thinking_signature=signature)
        if not text and not signature:
            return None
        return ChatResponseTextContentItem(text=text, metadata={"thought_signature": signature} if signature else {})
    kind = next((k for k in part if k != "thoughtSignature"), "unknown")
    return ChatResponseGenericContentItem(metadata={"gemini_part_type": kind, "gemini_part": part})


def parse_usage(usage: Any) -> ChatResponseUsage | None:
    """Gemini counts thoughts apart from candidates, and tool-use prompt tokens (code execution, search) apart from
    the prompt; here both are folded in, so that prompt + completion is Gemini's own ``totalTokenCount``."""
    if not isinstance(usage, dict):
        return None

    def count(key: str) -> int:
        value = usage.get(key)
        return int(value) if isinstance(value, int | float) else 0

    prompt = count("promptTokenCount") + count("toolUsePromptTokenCount")
    thoughts = usage.get("thoughtsTokenCount")
    completion = count("candidatesTokenCount") + count("thoughtsTokenCount")
    cached = usage.get("cachedContentTokenCount")
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=count("totalTokenCount") or prompt + completion,
        reasoning_tokens=int(thoughts) if isinstance(thoughts, int | float) else None,
        cache_read_tokens=int(cached) if isinstance(cached, int | float) else None,
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


def error_from_event(payload: Any, ctx: CallContext) -> APIStatusError:
    """The typed error for an error object that arrived inside a stream."""
    err = error_object(payload) or {}
    code = err.get("code")
    status = code if isinstance(code, int) else 500
    info = parse_error(status, payload) or ErrorInfo(message="error event in the stream")
    cls = info.error_class or error_class_for_status(status)
    return cls(
        info.message,
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=status,
        error_type=info.error_type,
        error_code=info.error_code,
        retry_after=info.retry_after,
        body=payload,
    )
