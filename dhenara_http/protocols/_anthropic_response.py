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
  ``output_tokens_details.thinking_tokens`` (0 when not reported, as every counter); ``web_search_requests`` from
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
    ChatResponseWebSearchCallContentItem,
    ChatResponseWebSearchResultContentItem,
    Citation,
    WebSearchResult,
)
from . import _common as common
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
        message=message if isinstance(message, str) and message else (etype or f"HTTP {status}"),
        error_type=etype,
        error_class=_ERROR_CLASSES.get(etype) if etype else None,
    )


def in_band_error(payload: dict[str, Any], ctx: CallContext) -> APIStatusError:
    """The typed error for an error object that arrived with a success status (a stream event or a 200 body)."""
    info = parse_error(200, payload) or ErrorInfo(message="the provider reported an error")
    status = _ERROR_STATUS.get(info.error_type or "", 500)
    return common.in_band_error(info.error_class or InternalServerError, info, ctx, status=status, body=payload)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """The ``ChatResponse`` of a ``Message`` (a 200 body that is an error raises its error). Read defensively: a field
    of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    if data.get("type") == "error":
        raise in_band_error(data, ctx)
    synthetic = structured_tool_name(ctx)
    response_id = common.get_str(data, "id")
    items: list[ChatResponseContentItem] = []
    via_tool = False
    other_calls = False
    for i, block in common.dicts(common.get_list(data, "content"), "content"):
        where = f"content[{i}]"
        kind = block.get("type")
        meta: dict[str, Any] = {"output_index": i}
        if kind == "text":
            if block.get("citations"):
                meta["citations"] = block["citations"]
            text = common.get_text(block, "text", where)
            items.append(
                trusted(
                    ChatResponseTextContentItem,
                    index=i,
                    text=text,
                    message_id=response_id,
                    metadata=meta,
                    citations=_citations(block, where),
                )
            )
        elif kind == "thinking":
            items.append(
                ChatResponseReasoningContentItem(
                    index=i,
                    thinking_text=common.get_text(block, "thinking", where),
                    thinking_signature=common.get_str(block, "signature", where) or None,
                    metadata=meta,
                )
            )
        elif kind == "redacted_thinking":
            items.append(
                ChatResponseReasoningContentItem(
                    index=i,
                    encrypted_content=common.get_str(block, "data", where),
                    metadata={**meta, "redacted": True},
                )
            )
        elif kind == "tool_use":
            name = common.get_text(block, "name", where)
            raw = block.get("input")
            if synthetic is not None and name == synthetic:
                via_tool = True
                text = raw if isinstance(raw, str) else json.dumps(raw if raw is not None else {}, ensure_ascii=False)
                base = trusted(ChatResponseTextContentItem, index=i, text=text, message_id=response_id, metadata=meta)
                items.append(structured_item(text, ctx, base))
                continue
            other_calls = True
            if raw is not None and not isinstance(raw, dict | str):
                # A string is what a stream's unparseable argument pieces leave; it is kept with its parse error.
                raise common.bad_field(where, "input", raw, "an object")
            call = ChatResponseToolCall.from_raw(id=common.get_str(block, "id", where), name=name, arguments=raw)
            items.append(ChatResponseToolCallContentItem(index=i, tool_call=call, metadata=meta))
        elif kind == "server_tool_use" and block.get("name") == "web_search":
            query = common.get_str(common.get_dict(block, "input", where), "query", f"{where}.input")
            items.append(
                ChatResponseWebSearchCallContentItem(
                    index=i,
                    call_id=common.get_str(block, "id", where),
                    queries=[query] if query else [],
                    action="search",
                    metadata={**meta, "block": block},
                )
            )
        elif kind == "web_search_tool_result":
            items.append(_search_result(block, i, meta, where))
        else:
            items.append(ChatResponseGenericContentItem(index=i, metadata={**meta, "block": block}))
    native = common.get_str(data, "stop_reason")
    finish = _FINISH.get(native, FinishReason.OTHER) if native else None
    if via_tool and native == "tool_use" and not other_calls:
        finish = FinishReason.STOP
    choice_meta: dict[str, Any] = {"native_finish_reason": native}
    if data.get("stop_details"):
        choice_meta["stop_details"] = data["stop_details"]
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": response_id}
    if via_tool:
        metadata["structured_via_tool"] = True
    return trusted(
        ChatResponse,
        model=common.get_str(data, "model") or ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(common.opt_dict(data, "usage")),
        choices=[
            trusted(
                ChatResponseChoice,
                index=0,
                finish_reason=finish,
                stop_sequence=common.get_str(data, "stop_sequence"),
                contents=items,
                metadata=choice_meta,
            )
        ],
        metadata=metadata,
        provider_response=data,
    )


def _citations(block: dict[str, Any], where: str) -> list[Citation]:
    """A text block's citations: web search locations (URL, title, the quoted text) and document locations alike."""
    here = f"{where}.citations"
    return [
        Citation(
            type=common.get_str(cite, "type", f"{here}[{i}]") or "citation",
            url=common.get_str(cite, "url", f"{here}[{i}]"),
            title=common.get_str(cite, "title", f"{here}[{i}]"),
            cited_text=common.get_str(cite, "cited_text", f"{here}[{i}]"),
            metadata=cite,
        )
        for i, cite in common.dicts(common.get_list(block, "citations", where), here)
    ]


def _search_result(
    block: dict[str, Any], index: int, meta: dict[str, Any], where: str
) -> ChatResponseWebSearchResultContentItem:
    content = block.get("content")
    results: list[WebSearchResult] = []
    error_code = None
    if type(content) is dict:  # a failed search: {"type": "web_search_tool_result_error", "error_code": ...}
        error_code = common.get_str(content, "error_code", f"{where}.content") or common.get_str(content, "type")
        error_code = error_code or "error"
    elif content is not None:
        here = f"{where}.content"
        results.extend(
            WebSearchResult(
                url=common.get_str(entry, "url", f"{here}[{i}]"),
                title=common.get_str(entry, "title", f"{here}[{i}]"),
                page_age=common.get_str(entry, "page_age", f"{here}[{i}]"),
                metadata=entry,
            )
            for i, entry in common.dicts(common.get_list(block, "content", where), here)
        )
    return ChatResponseWebSearchResultContentItem(
        index=index,
        call_id=common.get_str(block, "tool_use_id", where),
        results=results,
        error_code=error_code,
        metadata={**meta, "block": block},
    )


def parse_usage(usage: dict[str, Any] | None, where: str = "usage") -> ChatResponseUsage | None:
    """Anthropic reports input, cache reads and cache writes apart; here ``prompt_tokens`` is their sum."""
    if usage is None:
        return None
    cache_read = common.get_count(usage, "cache_read_input_tokens", where)
    cache_write = common.get_count(usage, "cache_creation_input_tokens", where)
    prompt = common.get_count(usage, "input_tokens", where) + cache_read + cache_write
    completion = common.get_count(usage, "output_tokens", where)
    details = common.get_dict(usage, "output_tokens_details", where)
    server = common.get_dict(usage, "server_tool_use", where)
    searches = common.get_count(server, "web_search_requests", f"{where}.server_tool_use")
    return trusted(
        ChatResponseUsage,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        reasoning_tokens=common.get_count(details, "thinking_tokens", f"{where}.output_tokens_details"),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        web_search_requests=searches or 0,
    )
