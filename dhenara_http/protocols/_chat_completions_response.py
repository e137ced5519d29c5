"""Chat Completions answers: a ``chat.completion`` JSON object → ``ChatResponse``, and error bodies → ``ErrorInfo``.

The parser is deliberately tolerant, because the same wire is spoken by many hosts that each add or bend something:

* reasoning arrives as ``message.reasoning_content`` (DeepSeek, vLLM, Z.ai …), ``message.reasoning`` (Groq, OpenRouter,
  Ollama) with OpenRouter's ``reasoning_details`` beside it (which carry signatures), or as ``thinking`` parts of an
  array ``content`` (Mistral's Magistral);
* ``content`` is a string, ``null``, or an array of parts;
* tool calls may lack ``type`` or ``index`` (Mistral), and some hosts answer ``finish_reason: "stop"`` with tool calls;
* usage may carry DeepSeek's ``prompt_cache_hit_tokens``, OpenRouter's ``cache_write_tokens``, or sit in Groq's
  ``x_groq.usage``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import (
    APIStatusError,
    BadRequestError,
    InternalServerError,
    error_class_for_status,
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
)
from . import _common as common
from ._openai_errors import classify
from .base import ErrorInfo

if TYPE_CHECKING:
    from .base import CallContext

#: The protocol's name, recorded as ``ChatResponse.metadata["wire_api"]``.
WIRE_NAME = "chat_completions"

#: The message fields a host may put reasoning text in, in order of preference.
REASONING_FIELDS = ("reasoning_content", "reasoning")

_FINISH = {
    "stop": FinishReason.STOP,
    "end_turn": FinishReason.STOP,
    "eos": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "length": FinishReason.MAX_TOKENS,
    "max_tokens": FinishReason.MAX_TOKENS,
    "model_length": FinishReason.MAX_TOKENS,
    "tool_calls": FinishReason.TOOL_USE,
    "function_call": FinishReason.TOOL_USE,
    "tool_use": FinishReason.TOOL_USE,
    "content_filter": FinishReason.CONTENT_FILTER,
    "error": FinishReason.ERROR,
    "insufficient_system_resource": FinishReason.ERROR,
}

#: Error types that name a class only when no 4xx status says more: an error inside a 2xx answer or a stream event
#: (read with status 500 when it names none), or a proxy's 5xx around a client error. A 4xx is more precise (OpenAI
#: answers an unknown URL with a 404 whose type is ``invalid_request_error``).
_IN_BAND_TYPES: dict[str, type[APIStatusError]] = {"invalid_request_error": BadRequestError}


def finish_reason(native: Any, has_tool_calls: bool = False) -> FinishReason | None:
    """The normalised finish reason. Hosts that answer ``stop`` (or nothing) while calling tools get ``tool_use``, so a
    tool loop can rely on it."""
    if not isinstance(native, str) or not native:
        return FinishReason.TOOL_USE if has_tool_calls and native is not None else None
    reason = _FINISH.get(native, FinishReason.OTHER)
    if has_tool_calls and reason == FinishReason.STOP:
        return FinishReason.TOOL_USE
    return reason


def _text_of_parts(parts: list[Any], where: str) -> tuple[str, str]:
    """(text, thinking) of an array ``content``: ``text`` parts and Mistral's ``thinking`` parts (a part may also be a
    plain string; parts of other types carry nothing the answer shows)."""
    texts: list[str] = []
    thinking: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            texts.append(part)
            continue
        if type(part) is not dict:
            raise common.bad_field(where, i, part, "an object or a string")
        kind = part.get("type")
        here = f"{where}[{i}]"
        if kind in ("text", "output_text"):
            texts.append(common.get_text(part, "text", here))
        elif kind == "thinking":
            inner = part.get("thinking")
            if isinstance(inner, list):
                # Mistral's thinking chunks: text chunks, whose text is the reasoning.
                thinking += [common.get_text(p, "text", f"{here}.thinking[{j}]") for j, p in common.dicts(inner, here)]
            else:
                thinking.append(common.get_text(part, "thinking", here))
    return "".join(texts), "".join(thinking)


def _signature(details: list[Any]) -> str | None:
    """The first signature in OpenRouter's ``reasoning_details``."""
    for d in details:
        if isinstance(d, dict) and isinstance(d.get("signature"), str) and d["signature"]:
            return str(d["signature"])
    return None


def _reasoning_item(
    message: dict[str, Any], thinking: str, index: int, where: str
) -> ChatResponseReasoningContentItem | None:
    texts = {f: common.get_text(message, f, where) for f in REASONING_FIELDS}
    field = next((f for f in REASONING_FIELDS if texts[f]), None)
    text = (texts[field] if field else "") + thinking
    details = common.get_list(message, "reasoning_details", where) or None
    if not text and details is None:
        return None
    metadata: dict[str, Any] = {"field": field or ("content" if thinking else REASONING_FIELDS[0])}
    if details is not None:
        metadata["reasoning_details"] = details
    return ChatResponseReasoningContentItem(
        index=index,
        thinking_text=text or None,
        thinking_signature=_signature(details) if details else None,
        metadata=metadata,
    )


def _tool_calls(message: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """(path, call) of every tool call of a message."""
    calls = [
        (f"{where}.tool_calls[{i}]", c)
        for i, c in common.dicts(common.get_list(message, "tool_calls", where), f"{where}.tool_calls")
    ]
    legacy = common.opt_dict(message, "function_call", where)
    # Some servers always send the field, zero-valued ({"name": "", "arguments": ""}) when no function was called.
    if legacy is not None and common.get_text(legacy, "name", f"{where}.function_call"):
        calls.append((where, {"id": None, "type": "function", "function": legacy}))
    return calls


def tool_arguments(fn: dict[str, Any], where: str) -> str | dict[str, Any] | None:
    """A call's ``arguments``: a JSON string as the spec says, or an object (some hosts send one), or nothing."""
    args = fn.get("arguments")
    if args is None or isinstance(args, str | dict):
        return args
    raise common.bad_field(where, "arguments", args, "a JSON string")


def _choice(raw: dict[str, Any], position: int) -> ChatResponseChoice:
    where = f"choices[{position}]"
    message = common.get_dict(raw, "message", where)
    where_msg = f"{where}.message"
    content = message.get("content")
    if isinstance(content, list):
        text, thinking = _text_of_parts(content, f"{where_msg}.content")
    else:
        text, thinking = common.get_text(message, "content", where_msg), ""
    contents: list[ChatResponseContentItem] = []
    reasoning = _reasoning_item(message, thinking, 0, where_msg)
    if reasoning is not None:
        contents.append(reasoning)
    calls = _tool_calls(message, where_msg)
    refusal = common.get_str(message, "refusal", where_msg)
    if text or (not calls and not refusal):
        meta: dict[str, Any] = {}
        if message.get("annotations"):
            meta["annotations"] = message["annotations"]
        contents.append(trusted(ChatResponseTextContentItem, index=len(contents), text=text, metadata=meta))
    if refusal:
        contents.append(
            trusted(
                ChatResponseTextContentItem,
                index=len(contents),
                text=refusal,
                metadata={"refusal": True, "finish_reason": "content_filter"},
            )
        )
    for call_where, call in calls:
        fn = common.get_dict(call, "function", call_where)
        fn_where = f"{call_where}.function"
        tool_call = ChatResponseToolCall.from_raw(
            id=common.get_str(call, "id", call_where),
            name=common.get_text(fn, "name", fn_where),
            arguments=tool_arguments(fn, fn_where),
        )
        contents.append(ChatResponseToolCallContentItem(index=len(contents), tool_call=tool_call))
    audio = message.get("audio")
    if isinstance(audio, dict) and any(audio.get(k) for k in ("id", "data", "transcript")):
        contents.append(ChatResponseGenericContentItem(index=len(contents), metadata={"audio": message["audio"]}))
    native = common.get_str(raw, "finish_reason", where)
    reason = finish_reason(native, bool(calls))
    if refusal and reason in (FinishReason.STOP, None):
        reason = FinishReason.CONTENT_FILTER
    metadata: dict[str, Any] = {}
    if native is not None:
        metadata["native_finish_reason"] = native
    for key in ("logprobs", "content_filter_results", "stop_reason"):
        if raw.get(key):
            metadata[key] = raw[key]
    index = common.get_index(raw, "index", where)
    return trusted(
        ChatResponseChoice,
        index=index if index is not None else position,
        finish_reason=reason,
        contents=contents,
        metadata=metadata,
    )


def parse_usage(usage: dict[str, Any] | None, where: str = "usage") -> ChatResponseUsage | None:
    """Token counts: ``prompt_tokens`` includes cached tokens, ``completion_tokens`` includes reasoning tokens."""
    if usage is None:
        return None
    prompt = common.get_count(usage, "prompt_tokens", where)
    completion = common.get_count(usage, "completion_tokens", where)
    total = common.get_count(usage, "total_tokens", where) or prompt + completion
    prompt_details = common.get_dict(usage, "prompt_tokens_details", where)
    out_details = common.get_dict(usage, "completion_tokens_details", where)
    in_where = f"{where}.prompt_tokens_details"
    cached = common.opt_count(prompt_details, "cached_tokens", in_where)
    if cached is None:
        cached = common.get_count(usage, "prompt_cache_hit_tokens", where)
    return trusted(
        ChatResponseUsage,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        reasoning_tokens=common.get_count(out_details, "reasoning_tokens", f"{where}.completion_tokens_details"),
        cache_read_tokens=cached,
        cache_write_tokens=common.get_count(prompt_details, "cache_write_tokens", in_where),
    )


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """The ``ChatResponse`` of a ``chat.completion`` object (a 2xx body that is an error raises its error). Read
    defensively: a field of the wrong type is a ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    if data.get("error") and not data.get("choices"):
        raise in_band_error(data, ctx)
    raw_choices = [c for _, c in common.dicts(common.get_list(data, "choices"), "choices")]
    usage = common.opt_dict(data, "usage")
    where = "usage"
    if usage is None:
        usage = common.opt_dict(common.get_dict(data, "x_groq"), "usage", "x_groq")
        where = "x_groq.usage"
    return trusted(
        ChatResponse,
        model=common.get_str(data, "model") or ctx.model_name,
        provider=ctx.model.provider,
        api_provider=ctx.api_provider,
        usage=parse_usage(usage, where),
        choices=[_choice(c, i) for i, c in enumerate(raw_choices)],
        metadata={"wire_api": WIRE_NAME, "response_id": common.get_id(data, "id")},
        provider_response=data,
    )


# -- errors ----------------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _detail_message(detail: Any) -> str | None:
    """FastAPI-style ``detail`` (a string, or a list of validation errors with ``msg``)."""
    if isinstance(detail, list):
        msgs = [str(d.get("msg")) for d in detail if isinstance(d, dict) and d.get("msg")]
        return "; ".join(msgs) if msgs else _text(detail)
    return _text(detail)


def parse_error(status: int, body: Any) -> ErrorInfo | None:
    """``{"error": {"message", "type", "code", "param"}}``, and the shapes compatible hosts send instead: a bare
    ``{"message": ...}``, ``{"detail": ...}``, ``{"error": "text"}`` or a list of any of these."""
    if isinstance(body, list):
        body = next((b for b in body if isinstance(b, dict)), None)
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    source: dict[str, Any] = err if isinstance(err, dict) else body
    message = _text(source.get("message")) or (err if isinstance(err, str) else None)
    if message is None and "detail" in body:
        message = _detail_message(body["detail"])
    metadata = source.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("raw"), str) and metadata["raw"]:
        # OpenRouter: "Provider returned error" says little; the upstream's own words are in metadata.raw.
        message = f"{message}: {metadata['raw']}" if message else metadata["raw"]
    if message is None and not isinstance(err, dict):
        return None
    error_type = _text(source.get("type"))
    error_code = _text(source.get("code"))
    cls = classify(error_code, error_type)
    if cls is None and not 400 <= status < 500:
        cls = _IN_BAND_TYPES.get(error_type or "")
    return ErrorInfo(
        message=message or f"HTTP {status}",
        error_type=error_type,
        error_code=error_code,
        error_class=cls,
        # An exhausted quota is a 429 that no wait will fix.
        retryable=False if "insufficient_quota" in (error_code, error_type) else None,
    )


def in_band_error(payload: dict[str, Any], ctx: CallContext) -> APIStatusError:
    """The typed error for an error carried inside a 2xx answer or a stream event."""
    err = payload.get("error")
    status: int | None = None
    if isinstance(err, dict):
        for key in ("status_code", "status", "code"):
            value = err.get(key)
            if type(value) is int and 400 <= value <= 599:
                status = value
                break
    info = parse_error(status or 500, payload) or ErrorInfo(message="the provider reported an error")
    cls = info.error_class or (error_class_for_status(status) if status else InternalServerError)
    return common.in_band_error(cls, info, ctx, status=status or implied_status(cls), body=payload)
