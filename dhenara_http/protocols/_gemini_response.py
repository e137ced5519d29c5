"""Reading Gemini answers (``GenerateContentResponse``) and error bodies.

Each part of a candidate becomes one content item, in order: a ``thought`` text part a reasoning item, a text part
a text item, a ``functionCall`` a tool-call item, anything else (code execution, inline data, server-side tool
calls …) a generic item holding the raw part. A part's ``thoughtSignature`` stays with the item made from that part
(``item.metadata["thought_signature"]``, or the reasoning item's ``thinking_signature``) so that the request builder
can put it back on the same part.

A candidate's ``groundingMetadata`` (Grounding with Google Search) becomes citations on its text items and a
web-search call item at the end of its contents (see :mod:`._gemini_grounding`); its searches count in
``usage.web_search_requests``.

A prompt blocked before generation (``promptFeedback.blockReason``, no candidates) is not raised: it comes back as a
response with one empty choice whose finish reason is ``content_filter``; the block reason is in
``choice.metadata["block_reason"]`` and ``response.metadata["block_reason"]``.
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    APIStatusError,
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
from ._gemini_grounding import ground

# Google's error envelope is shared with the Imagen wire; these names stay importable from here.
from ._google_errors import error_object as error_object
from ._google_errors import parse_error as parse_error
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
    usage = parse_usage(data.get("usageMetadata"))
    if usage is not None:
        usage.web_search_requests = sum(int(c.metadata.get("web_search_requests") or 0) for c in choices)
    return ChatResponse(
        model=str(data.get("modelVersion") or ctx.model_name),
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=usage,
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
    by_part: dict[int, ChatResponseContentItem] = {}
    calls = 0
    for position_in_parts, part in enumerate(parts):
        if not isinstance(part, dict):
            continue
        item = part_item(part, index, calls)
        if item is None:
            continue
        if isinstance(item, ChatResponseToolCallContentItem):
            calls += 1
        item.index = len(items)
        items.append(item)
        by_part[position_in_parts] = item
    searches = ground(items, candidate, by_part)
    native = candidate.get("finishReason")
    finish = finish_reason(str(native), calls) if native else None
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "finishReason", "index")}
    if native:
        metadata["native_finish_reason"] = native
    if searches:
        metadata["web_search_requests"] = searches
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
