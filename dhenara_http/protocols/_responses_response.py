"""Reading OpenAI Responses API answers and errors.

A response's ``output`` is a list of typed items; each becomes one or more content items, in order:

* ``message`` → one text item per ``output_text`` part (``message_id`` is the item's id; ``output_index``,
  ``content_index``, ``phase`` and non-empty ``annotations`` go to its metadata). A ``refusal`` part becomes a text
  item with ``metadata["refusal"] = True`` and makes the finish reason ``content_filter``.
* ``reasoning`` → a reasoning item: the summaries (``thinking_summary``), readable text (the ``reasoning_text``
  content when the model gave it, else the summaries joined), ``encrypted_content``, the item id and status.
* ``function_call`` → a tool-call item: ``id`` is the ``call_id`` a tool result must name; the item id (``fc_…``),
  needed to replay the call, is in ``tool_call.metadata["item_id"]``.
* ``web_search_call`` → a web-search call item: the item id, its status, the action (``search`` with its queries and
  the ``sources`` consulted, ``open_page`` / ``find_in_page`` with their URL), the raw item in ``metadata["item"]``.
  ``url_citation`` annotations of the text become the text item's :class:`Citation` s (the raw annotations stay in
  ``metadata["annotations"]`` for replay); each ``web_search_call`` is one search in ``usage.web_search_requests``.
* anything else (``file_search_call``, ``code_interpreter_call`` …) → a generic item holding the raw item in
  ``metadata["item"]``.

Errors are classified from ``error.code`` and ``error.type``; the same table serves HTTP error bodies, the in-band
``error`` stream event and a failed response's ``error`` object.
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    APIStatusError,
    BadRequestError,
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
    Citation,
    WebSearchResult,
)
from ._openai_errors import classify
from .base import CallContext, ErrorInfo, error_from_info

NAME = "responses"

#: Message parts that become text items (anything else inside a message is not content of the answer).
TEXT_PARTS = ("output_text", "refusal")


def content_count(item: dict[str, Any]) -> int:
    """How many content items ``parse_response`` makes of one output item (the stream uses it to give each delta
    the index its item will have in the final contents)."""
    if item.get("type") == "message":
        return sum(1 for p in item.get("content") or [] if isinstance(p, dict) and p.get("type") in TEXT_PARTS)
    return 1


# -- answers -----------------------------------------------------------------------------------------------------


def _message_items(item: dict[str, Any], output_index: int, start: int) -> tuple[list[ChatResponseContentItem], bool]:
    out: list[ChatResponseContentItem] = []
    refused = False
    for content_index, part in enumerate(item.get("content") or []):
        if not isinstance(part, dict) or part.get("type") not in TEXT_PARTS:
            continue
        meta: dict[str, Any] = {"output_index": output_index, "content_index": content_index}
        if item.get("phase"):
            meta["phase"] = item["phase"]
        if part["type"] == "refusal":
            refused = True
            meta["refusal"] = True
            text = part.get("refusal") or ""
        else:
            text = part.get("text") or ""
            if part.get("annotations"):
                meta["annotations"] = part["annotations"]
        out.append(
            ChatResponseTextContentItem(
                index=start + len(out),
                text=text,
                message_id=item.get("id"),
                metadata=meta,
                citations=_citations(part.get("annotations")),
            )
        )
    return out, refused


def _citations(annotations: Any) -> list[Citation]:
    out: list[Citation] = []
    for note in annotations if isinstance(annotations, list) else []:
        if not isinstance(note, dict) or note.get("type") != "url_citation":
            continue
        start, end = note.get("start_index"), note.get("end_index")
        out.append(
            Citation(
                type="url_citation",
                url=note.get("url") if isinstance(note.get("url"), str) else None,
                title=note.get("title") if isinstance(note.get("title"), str) else None,
                start_index=start if isinstance(start, int) else None,
                end_index=end if isinstance(end, int) else None,
                metadata=note,
            )
        )
    return out


def _web_search_item(item: dict[str, Any], output_index: int, index: int) -> ChatResponseWebSearchCallContentItem:
    raw = item.get("action")
    action: dict[str, Any] = raw if isinstance(raw, dict) else {}
    queries = [q for q in action.get("queries") or [] if isinstance(q, str)]
    if not queries and isinstance(action.get("query"), str) and action["query"]:
        queries = [action["query"]]
    sources = [
        WebSearchResult(url=src.get("url"), title=src.get("title"), metadata=src)
        for src in action.get("sources") or []
        if isinstance(src, dict)
    ]
    return ChatResponseWebSearchCallContentItem(
        index=index,
        call_id=item.get("id"),
        queries=queries,
        status=item.get("status"),
        action=action.get("type"),
        url=action.get("url") if isinstance(action.get("url"), str) else None,
        sources=sources,
        metadata={"output_index": output_index, "item_type": "web_search_call", "item": item},
    )


def _reasoning_item(item: dict[str, Any], output_index: int, index: int) -> ChatResponseReasoningContentItem:
    summaries = [s.get("text") or "" for s in item.get("summary") or [] if isinstance(s, dict)]
    raw_text = [c.get("text") or "" for c in item.get("content") or [] if isinstance(c, dict)]
    # Readable reasoning when the model gives it (open-weight models); otherwise the summaries stand for it.
    text = "\n\n".join(raw_text) if any(raw_text) else "\n\n".join(s for s in summaries if s)
    return ChatResponseReasoningContentItem(
        index=index,
        thinking_text=text or None,
        thinking_summary=summaries,
        encrypted_content=item.get("encrypted_content"),
        thinking_id=item.get("id"),
        thinking_status=item.get("status"),
        metadata={"output_index": output_index},
    )


def _tool_call_item(item: dict[str, Any], output_index: int, index: int) -> ChatResponseToolCallContentItem:
    call = ChatResponseToolCall.from_raw(
        id=item.get("call_id"), name=str(item.get("name") or ""), arguments=item.get("arguments")
    )
    if item.get("id"):
        call.metadata["item_id"] = item["id"]
    meta: dict[str, Any] = {"output_index": output_index}
    if item.get("status"):
        meta["status"] = item["status"]
    return ChatResponseToolCallContentItem(index=index, tool_call=call, metadata=meta)


def _usage(data: dict[str, Any]) -> ChatResponseUsage | None:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None
    prompt = int(usage.get("input_tokens") or 0)
    completion = int(usage.get("output_tokens") or 0)
    in_details = usage.get("input_tokens_details") or {}
    out_details = usage.get("output_tokens_details") or {}
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=int(usage.get("total_tokens") or prompt + completion),
        reasoning_tokens=out_details.get("reasoning_tokens"),
        cache_read_tokens=in_details.get("cached_tokens"),
        cache_write_tokens=in_details.get("cache_write_tokens"),
    )


def _finish_reason(data: dict[str, Any], tool_use: bool, refused: bool) -> tuple[FinishReason | None, str | None]:
    status = data.get("status")
    if status == "incomplete":
        reason = (data.get("incomplete_details") or {}).get("reason")
        if reason in ("max_output_tokens", "max_tokens"):
            return FinishReason.MAX_TOKENS, reason
        if reason == "content_filter":
            return FinishReason.CONTENT_FILTER, reason
        return FinishReason.OTHER, reason or status
    if status == "failed":
        return FinishReason.ERROR, status
    if status in ("in_progress", "queued"):
        return None, status
    if status not in (None, "completed"):
        return FinishReason.OTHER, status
    if tool_use:
        return FinishReason.TOOL_USE, status
    if refused:
        return FinishReason.CONTENT_FILTER, "refusal"
    return FinishReason.STOP, status


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """A ``ChatResponse`` from a Responses API response object (a 2xx body that is an error raises its error)."""
    if data.get("error") and data.get("object") is None and not isinstance(data.get("output"), list):
        raise in_band_error(data, ctx)
    contents: list[ChatResponseContentItem] = []
    refused = tool_use = False
    searches = 0
    for output_index, item in enumerate(data.get("output") or []):
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "message":
            texts, refusal = _message_items(item, output_index, len(contents))
            contents.extend(texts)
            refused = refused or refusal
        elif kind == "reasoning":
            contents.append(_reasoning_item(item, output_index, len(contents)))
        elif kind == "function_call":
            tool_use = True
            contents.append(_tool_call_item(item, output_index, len(contents)))
        elif kind == "web_search_call":
            searches += 1
            contents.append(_web_search_item(item, output_index, len(contents)))
        else:
            meta = {"output_index": output_index, "item_type": kind, "item": item}
            contents.append(ChatResponseGenericContentItem(index=len(contents), metadata=meta))
    finish, native = _finish_reason(data, tool_use, refused)
    choice_meta: dict[str, Any] = {"native_finish_reason": native}
    if isinstance(data.get("error"), dict):
        choice_meta["error"] = data["error"]
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": data.get("id")}
    if data.get("status"):
        metadata["status"] = data["status"]
    usage = _usage(data)
    if usage is not None:
        usage.web_search_requests = searches
    return ChatResponse(
        model=str(data.get("model") or ctx.model_name),
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=usage,
        choices=[ChatResponseChoice(index=0, finish_reason=finish, contents=contents, metadata=choice_meta)],
        metadata=metadata,
        provider_response=data,
    )


# -- errors --------------------------------------------------------------------------------------------------------


def error_info(error: dict[str, Any], fallback: str) -> ErrorInfo:
    """What an OpenAI error object (``{"message", "type", "code", "param"}``) says, classified."""
    code = error.get("code")
    code = str(code) if code is not None else None
    etype = error.get("type")
    etype = str(etype) if etype is not None else None
    cls = classify(code, etype)
    message = error.get("message")
    return ErrorInfo(
        message=str(message) if message else fallback,
        error_type=etype,
        error_code=code,
        error_class=cls,
        # An exhausted quota is a 429 that no wait will fix.
        retryable=False if "insufficient_quota" in (code, etype) else None,
    )


#: Error types that name a class only when no 4xx status says more: a 2xx body that is an error, or a proxy's 5xx
#: around a client error. A 4xx is more precise (OpenAI answers an unknown URL with a 404 whose type is
#: ``invalid_request_error``).
_IN_BAND_TYPES: dict[str, type[APIStatusError]] = {"invalid_request_error": BadRequestError}


def in_band_error(data: dict[str, Any], ctx: CallContext) -> APIStatusError:
    """The typed error for an error body (``{"error": {...}}``) that arrived with a success status."""
    return error_from_info(ctx, parse_error(500, data), data)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """The error in an OpenAI error body (``{"error": {...}}``); None when the body is not one."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, str):
        return ErrorInfo(message=error)
    if isinstance(error, dict):
        info = error_info(error, f"HTTP {status}")
    elif isinstance(body.get("message"), str):
        info = error_info(body, f"HTTP {status}")
    else:
        return None
    if info.error_class is None and not 400 <= status < 500:
        info.error_class = _IN_BAND_TYPES.get(info.error_type or "")
    return info
