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
    InternalServerError,
    implied_status,
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
    Citation,
    WebSearchResult,
)
from . import _common as common
from ._openai_errors import classify
from .base import CallContext, ErrorInfo

NAME = "responses"

#: Message parts that become text items (anything else inside a message is not content of the answer).
TEXT_PARTS = ("output_text", "refusal")


def content_count(item: dict[str, Any]) -> int:
    """How many content items ``parse_response`` makes of one output item (the stream uses it to give each delta
    the index its item will have in the final contents)."""
    if item.get("type") == "message":
        content = item.get("content")
        if type(content) is not list:
            return 0
        return sum(1 for p in content if isinstance(p, dict) and p.get("type") in TEXT_PARTS)
    return 1


# -- answers -----------------------------------------------------------------------------------------------------


def _message_items(
    item: dict[str, Any], output_index: int, start: int, where: str
) -> tuple[list[ChatResponseContentItem], bool]:
    out: list[ChatResponseContentItem] = []
    refused = False
    message_id = common.get_str(item, "id", where)
    phase = item.get("phase")
    for content_index, part in common.dicts(common.get_list(item, "content", where), f"{where}.content"):
        kind = part.get("type")
        if kind not in TEXT_PARTS:
            continue
        here = f"{where}.content[{content_index}]"
        meta: dict[str, Any] = {"output_index": output_index, "content_index": content_index}
        if phase:
            meta["phase"] = phase
        if kind == "refusal":
            refused = True
            meta["refusal"] = True
            text = common.get_text(part, "refusal", here)
        else:
            text = common.get_text(part, "text", here)
            if part.get("annotations"):
                meta["annotations"] = part["annotations"]
        out.append(
            trusted(
                ChatResponseTextContentItem,
                index=start + len(out),
                text=text,
                message_id=message_id,
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


def _reasoning_item(
    item: dict[str, Any], output_index: int, index: int, where: str
) -> ChatResponseReasoningContentItem:
    summaries = [
        common.get_text(s, "text", f"{where}.summary[{i}]")
        for i, s in common.dicts(common.get_list(item, "summary", where), f"{where}.summary")
    ]
    raw_text = [
        common.get_text(c, "text", f"{where}.content[{i}]")
        for i, c in common.dicts(common.get_list(item, "content", where), f"{where}.content")
    ]
    # Readable reasoning when the model gives it (open-weight models); otherwise the summaries stand for it.
    text = "\n\n".join(raw_text) if any(raw_text) else "\n\n".join(s for s in summaries if s)
    return ChatResponseReasoningContentItem(
        index=index,
        thinking_text=text or None,
        thinking_summary=summaries,
        encrypted_content=common.get_str(item, "encrypted_content", where),
        thinking_id=common.get_str(item, "id", where),
        thinking_status=common.get_str(item, "status", where),
        metadata={"output_index": output_index},
    )


def _tool_call_item(item: dict[str, Any], output_index: int, index: int, where: str) -> ChatResponseToolCallContentItem:
    call = ChatResponseToolCall.from_raw(
        id=common.get_str(item, "call_id", where),
        name=common.get_text(item, "name", where),
        arguments=common.get_str(item, "arguments", where),
    )
    item_id = common.get_id(item, "id", where)
    if item_id:
        call.metadata["item_id"] = item_id
    meta: dict[str, Any] = {"output_index": output_index}
    status = common.get_str(item, "status", where)
    if status:
        meta["status"] = status
    return ChatResponseToolCallContentItem(index=index, tool_call=call, metadata=meta)


def _usage(data: dict[str, Any]) -> ChatResponseUsage | None:
    usage = common.opt_dict(data, "usage")
    if usage is None:
        return None
    prompt = common.get_count(usage, "input_tokens", "usage")
    completion = common.get_count(usage, "output_tokens", "usage")
    in_details = common.get_dict(usage, "input_tokens_details", "usage")
    out_details = common.get_dict(usage, "output_tokens_details", "usage")
    return trusted(
        ChatResponseUsage,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=common.get_count(usage, "total_tokens", "usage") or prompt + completion,
        reasoning_tokens=common.get_count(out_details, "reasoning_tokens", "usage.output_tokens_details"),
        cache_read_tokens=common.get_count(in_details, "cached_tokens", "usage.input_tokens_details"),
        cache_write_tokens=common.get_count(in_details, "cache_write_tokens", "usage.input_tokens_details"),
    )


def _finish_reason(data: dict[str, Any], tool_use: bool, refused: bool) -> tuple[FinishReason | None, str | None]:
    status = common.get_str(data, "status")
    if status == "incomplete":
        reason = common.get_str(common.get_dict(data, "incomplete_details"), "reason", "incomplete_details")
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


def error_in_answer(data: dict[str, Any]) -> dict[str, Any] | None:
    """The error object of an answer that is an error, whatever its HTTP status said, or None:

    * an error body (``{"error": {...}}`` with no response object around it);
    * an error event's shape sent as the body (``{"type": "error", "code": ..., "message": ...}``);
    * a response that ``failed`` and says why (``status: "failed"`` with an ``error`` object).
    """
    error = data.get("error")
    if data.get("type") == "error":
        return error if isinstance(error, dict) else {k: v for k, v in data.items() if k != "type"}
    if error and data.get("object") is None and not isinstance(data.get("output"), list):
        return error if isinstance(error, dict) else {"message": error if isinstance(error, str) else None}
    if data.get("status") == "failed" and isinstance(error, dict) and error:
        return error
    return None


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """A ``ChatResponse`` from a Responses API response object. An answer that is an error (see
    :func:`error_in_answer`) raises its classified error, so a ``server_error`` is retried like a 500. Read
    defensively: a field of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        error = error_in_answer(data)
        if error is not None:
            raise error_from_object(error, "the response failed", ctx, body=data)
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    contents: list[ChatResponseContentItem] = []
    refused = tool_use = False
    searches = 0
    for output_index, item in common.dicts(common.get_list(data, "output"), "output"):
        where = f"output[{output_index}]"
        kind = item.get("type")
        if kind == "message":
            texts, refusal = _message_items(item, output_index, len(contents), where)
            contents.extend(texts)
            refused = refused or refusal
        elif kind == "reasoning":
            contents.append(_reasoning_item(item, output_index, len(contents), where))
        elif kind == "function_call":
            tool_use = True
            contents.append(_tool_call_item(item, output_index, len(contents), where))
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
    metadata: dict[str, Any] = {"wire_api": NAME, "response_id": common.get_str(data, "id")}
    status = common.get_str(data, "status")
    if status:
        metadata["status"] = status
    usage = _usage(data)
    if usage is not None:
        usage.web_search_requests = searches
    return trusted(
        ChatResponse,
        model=common.get_str(data, "model") or ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=usage,
        choices=[trusted(ChatResponseChoice, index=0, finish_reason=finish, contents=contents, metadata=choice_meta)],
        metadata=metadata,
        provider_response=data,
    )


# -- errors --------------------------------------------------------------------------------------------------------


def error_info(error: dict[str, Any], fallback: str) -> ErrorInfo:
    """What an OpenAI error object (``{"message", "type", "code", "param"}``) says, classified."""
    code = error.get("code")
    code = str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None
    etype = error.get("type")
    etype = etype if isinstance(etype, str) else None
    cls = classify(code, etype)
    message = error.get("message")
    return ErrorInfo(
        message=message if isinstance(message, str) and message else fallback,
        error_type=etype,
        error_code=code,
        error_class=cls,
        # An exhausted quota is a 429 that no wait will fix.
        retryable=False if "insufficient_quota" in (code, etype) else None,
    )


def error_from_object(error: dict[str, Any], fallback: str, ctx: CallContext, *, body: Any = None) -> APIStatusError:
    """The typed error for an OpenAI error object that arrived with a success status (a 200 body, the ``error``
    stream event, a failed response): classified by its code and type; an error that names no known code is the
    request's fault when its type says so, else the server's (and is retried like a 500)."""
    info = error_info(error, fallback)
    cls = info.error_class or (BadRequestError if info.error_type == "invalid_request_error" else InternalServerError)
    # The status the error would have had as an HTTP answer, so that the retry policy treats it alike.
    return common.in_band_error(cls, info, ctx, status=implied_status(cls), body=error if body is None else body)


def is_error_body(data: Any) -> bool:
    """Whether a 2xx JSON answer is an error (see :func:`error_in_answer`), for a transport that retries it."""
    return isinstance(data, dict) and error_in_answer(data) is not None


#: Error types that name a class only when no 4xx status says more: a 2xx body that is an error, or a proxy's 5xx
#: around a client error. A 4xx is more precise (OpenAI answers an unknown URL with a 404 whose type is
#: ``invalid_request_error``).
_IN_BAND_TYPES: dict[str, type[APIStatusError]] = {"invalid_request_error": BadRequestError}


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """The error in an OpenAI error body (``{"error": {...}}``, or an error event's shape ``{"type": "error",
    "code": ...}``, or a failed response); None when the body is not one."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, str):
        return ErrorInfo(message=error)
    if isinstance(error, dict):
        info = error_info(error, f"HTTP {status}")
    elif isinstance(body.get("message"), str) or body.get("type") == "error":
        info = error_info(body, f"HTTP {status}")
    else:
        return None
    if info.error_class is None and not 400 <= status < 500:
        info.error_class = _IN_BAND_TYPES.get(info.error_type or "")
    return info
