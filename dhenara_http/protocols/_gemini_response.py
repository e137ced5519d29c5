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
from ..types._trusted import trusted
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
from ._gemini_grounding import ground

# Google's error envelope is shared with the Imagen wire; these names stay importable from here.
from ._google_errors import duration as duration
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
    """The ``ChatResponse`` of a ``GenerateContentResponse``. Read defensively: a field of the wrong type is a
    ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


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
                trusted(
                    ChatResponseChoice,
                    index=0,
                    finish_reason=FinishReason.CONTENT_FILTER,
                    metadata={"native_finish_reason": reason, "block_reason": reason, "prompt_feedback": feedback},
                )
            ]
    for key in ("modelVersion", "createTime"):
        value = common.get_str(data, key)
        if value:
            metadata[camel_to_snake(key)] = value
    usage = parse_usage(common.opt_dict(data, "usageMetadata"))
    if usage is not None:
        usage.web_search_requests = sum(int(c.metadata.get("web_search_requests") or 0) for c in choices)
    return trusted(
        ChatResponse,
        model=common.get_str(data, "modelVersion") or ctx.model_name,
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
    where = f"candidates[{position}]"
    index = common.get_index(candidate, "index", where)
    index = index if index is not None else position
    content = common.get_dict(candidate, "content", where)
    items: list[ChatResponseContentItem] = []
    by_part: dict[int, ChatResponseContentItem] = {}
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
        by_part[i] = item
    searches = ground(items, candidate, by_part, where)
    native = common.get_str(candidate, "finishReason", where)
    finish = finish_reason(native, calls) if native else None
    metadata = {k: v for k, v in candidate.items() if k not in ("content", "finishReason", "index")}
    if native:
        metadata["native_finish_reason"] = native
    if searches:
        metadata["web_search_requests"] = searches
    return trusted(ChatResponseChoice, index=index, finish_reason=finish, contents=items, metadata=metadata)


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
        return trusted(
            ChatResponseTextContentItem, text=text, metadata={"thought_signature": signature} if signature else {}
        )
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
    return trusted(
        ChatResponseUsage,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=count("totalTokenCount") or prompt + completion,
        reasoning_tokens=thoughts,
        cache_read_tokens=count("cachedContentTokenCount"),
    )


# -- errors ----------------------------------------------------------------------------------------------------------


def error_from_event(payload: Any, ctx: CallContext) -> APIStatusError:
    """The typed error for an error object that arrived with a success status (a stream event or a 200 body)."""
    err = error_object(payload) or {}
    code = err.get("code")
    status = code if type(code) is int and 400 <= code <= 599 else 500
    info = parse_error(status, payload) or ErrorInfo(message="error event in the stream")
    cls = info.error_class or error_class_for_status(status)
    return common.in_band_error(cls, info, ctx, status=status, body=payload)
