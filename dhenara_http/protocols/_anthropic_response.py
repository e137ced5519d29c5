"""Reading Anthropic Messages answers and errors.

* Content blocks become items in order, each with its block position in ``metadata["output_index"]`` (so a replay
  restores the order): ``text`` → text, ``thinking`` → reasoning with its signature, ``redacted_thinking`` →
  reasoning with ``encrypted_content`` and ``metadata["redacted"] = True``, ``tool_use`` → tool call,
  ``server_tool_use`` of ``web_search`` → a web-search call item (its query), ``web_search_tool_result`` → a web-search
  result item (its pages, or its ``error_code``), and every other block (other server tools and their results,
  compaction, fallback …) → a generic item; the raw block stays in ``metadata["block"]`` for replay. A text block's
  ``citations`` become its :class:`Citation` s (the raw ones stay in ``metadata["citations"]``).
* When the structured output travels through the synthetic answer tool, that ``tool_use`` becomes the structured
  output item instead of a tool call, ``ChatResponse.metadata["structured_via_tool"]`` is True, and a ``tool_use``
  stop that only called that tool is reported as ``stop`` (the native reason stays in
  ``choice.metadata["native_finish_reason"]``).
* Usage: ``prompt_tokens`` = ``input_tokens`` + cache reads + cache writes (Anthropic reports the three apart);
  ``completion_tokens`` = ``output_tokens`` (thinking included); ``reasoning_tokens`` from
  ``output_tokens_details.thinking_tokens`` when reported; ``web_search_requests`` from
  ``server_tool_use.web_search_requests``.
* Errors are classified by ``error.type``. Anthropic gives no structured code for an over-long prompt (it is an
  ``invalid_request_error`` whose message says so), so that stays a ``BadRequestError``: messages are never matched.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
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
    ChatResponseWebSearchCallContentItem,
    ChatResponseWebSearchResultContentItem,
    Citation,
    WebSearchResult,
)
from ._anthropic_request import NAME, structured_tool_name
from ._structured import structured_item
from .base import CallContext, ErrorInfo

_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.MAX_TOKENS,
    "model_context_window_exceeded": FinishReason.MAX_TOKENS,
    "tool_use": FinishReason.TOOL_USE,
    "refusal": FinishReason.CONTENT_FILTER,
    "pause_turn": FinishReason.PAUSE,
}

_ERROR_CLASSES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "request_too_large": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "rate_limit_error": RateLimitError,
    "api_error": InternalServerError,
    "timeout_error": InternalServerError,
    "overloaded_error": OverloadedError,
}

#: The HTTP status each error type stands for; an error event inside a stream arrives on a 200, so its error carries
#: this status instead (what the retry policy and callers reason about).
_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """``{"type": "error", "error": {"type": ..., "message": ...}}`` → its class by ``error.type``.

    Claude on Vertex AI is behind Google's front door, which refuses a call itself (a bad token, a quota) with
    Google's error object, ``{"error": {"code": 401, "status": "UNAUTHENTICATED", "message": ...}}``: its
    ``status`` is kept as the error type, and the HTTP status gives the class."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    etype = error.get("type")
    if etype is None and isinstance(error.get("status"), str) and isinstance(error.get("code"), int):
        etype = error["status"]
    etype = etype if isinstance(etype, str) else None
    message = error.get("message")
    return ErrorInfo(
        message=str(message) if message else (etype or f"HTTP {status}"),
        error_type=etype,
        error_class=_ERROR_CLASSES.get(etype) if etype else None,
    )


def in_band_error(payload: dict[str, Any], ctx: CallContext) -> APIStatusError:
    """The typed error for an error object that arrived with a success status (a stream event or a 200 body)."""
    info = parse_error(200, payload) or ErrorInfo(message="the provider reported an error")
    status = _ERROR_STATUS.get(info.error_type or "", 500)
    cls = info.error_class or InternalServerError
    return cls(
        info.message,
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=status,
        error_type=info.error_type,
        body=payload,
    )


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    if data.get("type") == "error":
        raise in_band_error(data, ctx)
    synthetic = structured_tool_name(ctx)
    response_id = data.get("id")
    items: list[ChatResponseContentItem] = []
    via_tool = False
    other_calls = False
    for i, block in enumerate(data.get("content") or []):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        meta: dict[str, Any] = {"output_index": i}
        if kind == "text":
            if block.get("citations"):
                meta["citations"] = block["citations"]
            items.append(
                ChatResponseTextContentItem(
                    index=i,
                    text=block.get("text") or "",
                    message_id=response_id,
                    metadata=meta,
                    citations=_citations(block.get("citations")),
                )
            )
        elif kind == "thinking":
            items.append(
                ChatResponseReasoningContentItem(
                    index=i,
                    thinking_text=block.get("thinking") or "",
                    thinking_signature=block.get("signature") or None,
                    metadata=meta,
                )
            )
        elif kind == "redacted_thinking":
            items.append(
                ChatResponseReasoningContentItem(
                    index=i, encrypted_content=block.get("data"), metadata={**meta, "redacted": True}
                )
            )
        elif kind == "tool_use" and synthetic is not None and block.get("name") == synthetic:
            via_tool = True
            raw = block.get("input")
            text = raw if isinstance(raw, str) else json.dumps(raw if raw is not None else {}, ensure_ascii=False)
            base = ChatResponseTextContentItem(index=i, text=text, message_id=response_id, metadata=meta)
            items.append(structured_item(text, ctx, base))
        elif kind == "tool_use":
            other_calls = True
            call = ChatResponseToolCall.from_raw(
                id=block.get("id"), name=str(block.get("name") or ""), arguments=block.get("input")
            )
            items.append(ChatResponseToolCallContentItem(index=i, tool_call=call, metadata=meta))
        elif kind == "server_tool_use" and block.get("name") == "web_search":
            raw_input = block.get("input")
            query = raw_input.get("query") if isinstance(raw_input, dict) else None
            items.append(
                ChatResponseWebSearchCallContentItem(
                    index=i,
                    call_id=block.get("id"),
                    queries=[query] if isinstance(query, str) and query else [],
                    action="search",
                    metadata={**meta, "block": block},
                )
            )
        elif kind == "web_search_tool_result":
            items.append(_search_result(block, i, meta))
        else:
            items.append(ChatResponseGenericContentItem(index=i, metadata={**meta, "block": block}))
    native = data.get("stop_reason")
    finish = _FINISH.get(native, FinishReason.OTHER) if native else None
    if via_tool and native == "tool_use" and not other_calls:
        finish = FinishReason.STOP
    choice_meta: dict[str, Any] = {"native_finish_reason": native}
    if data.get("stop_details"):
        choice_meta["stop_details"] = data["stop_details"]
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": response_id}
    if via_tool:
        metadata["structured_via_tool"] = True
    return ChatResponse(
        model=str(data.get("model") or ctx.model_name),
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(data.get("usage")),
        choices=[
            ChatResponseChoice(
                index=0,
                finish_reason=finish,
                stop_sequence=data.get("stop_sequence"),
                contents=items,
                metadata=choice_meta,
            )
        ],
        metadata=metadata,
        provider_response=data,
    )


def _citations(raw: Any) -> list[Citation]:
    """A text block's citations: web search locations (URL, title, the quoted text) and document locations alike."""
    out: list[Citation] = []
    for cite in raw if isinstance(raw, list) else []:
        if not isinstance(cite, dict):
            continue
        out.append(
            Citation(
                type=str(cite.get("type") or "citation"),
                url=cite.get("url") if isinstance(cite.get("url"), str) else None,
                title=cite.get("title") if isinstance(cite.get("title"), str) else None,
                cited_text=cite.get("cited_text") if isinstance(cite.get("cited_text"), str) else None,
                metadata=cite,
            )
        )
    return out


def _search_result(block: dict[str, Any], index: int, meta: dict[str, Any]) -> ChatResponseWebSearchResultContentItem:
    content = block.get("content")
    results: list[WebSearchResult] = []
    error_code = None
    if isinstance(content, dict):  # a failed search: {"type": "web_search_tool_result_error", "error_code": ...}
        error_code = str(content.get("error_code") or content.get("type") or "error")
    results.extend(
        WebSearchResult(url=entry.get("url"), title=entry.get("title"), page_age=entry.get("page_age"), metadata=entry)
        for entry in (content if isinstance(content, list) else [])
        if isinstance(entry, dict)
    )
    return ChatResponseWebSearchResultContentItem(
        index=index,
        call_id=block.get("tool_use_id"),
        results=results,
        error_code=error_code,
        metadata={**meta, "block": block},
    )


def _count(usage: dict[str, Any], key: str) -> int | None:
    value = usage.get(key)
    return int(value) if isinstance(value, int | float) else None


def parse_usage(usage: Any) -> ChatResponseUsage | None:
    if not isinstance(usage, dict):
        return None
    cache_read = _count(usage, "cache_read_input_tokens")
    cache_write = _count(usage, "cache_creation_input_tokens")
    prompt = (_count(usage, "input_tokens") or 0) + (cache_read or 0) + (cache_write or 0)
    completion = _count(usage, "output_tokens") or 0
    details = usage.get("output_tokens_details")
    reasoning = _count(details, "thinking_tokens") if isinstance(details, dict) else None
    server = usage.get("server_tool_use")
    searches = _count(server, "web_search_requests") if isinstance(server, dict) else None
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        reasoning_tokens=reasoning,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        web_search_requests=searches or 0,
    )
