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


def _text_of_parts(parts: list[Any]) -> tuple[str, str]:
    """(text, thinking) of an array ``content``: ``text`` parts and Mistral's ``thinking`` parts."""
    texts: list[str] = []
    thinking: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if kind in ("text", "output_text") and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif kind == "thinking":
                inner = part.get("thinking")
                if isinstance(inner, str):
                    thinking.append(inner)
                elif isinstance(inner, list):
                    thinking.append(_text_of_parts(inner)[0])
    return "".join(texts), "".join(thinking)


def _signature(details: Any) -> str | None:
    """The first signature in OpenRouter's ``reasoning_details``."""
    if isinstance(details, list):
        for d in details:
            if isinstance(d, dict) and isinstance(d.get("signature"), str) and d["signature"]:
                return str(d["signature"])
    return None


def _reasoning_item(message: dict[str, Any], thinking: str, index: int) -> ChatResponseReasoningContentItem | None:
    field = next((f for f in REASONING_FIELDS if isinstance(message.get(f), str) and message[f]), None)
    text = (message[field] if field else "") + thinking
    details = message.get("reasoning_details")
    details = details if isinstance(details, list) and details else None
    if not text and details is None:
        return None
    metadata: dict[str, Any] = {"field": field or ("content" if thinking else REASONING_FIELDS[0])}
    if details is not None:
        metadata["reasoning_details"] = details
    return ChatResponseReasoningContentItem(
        index=index, thinking_text=text or None, thinking_signature=_signature(details), metadata=metadata
    )


def _tool_calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    legacy = message.get("function_call")
    # Some servers always send the field, zero-valued ({"name": "", "arguments": ""}) when no function was called.
    if isinstance(legacy, dict) and legacy.get("name"):
        calls.append({"id": None, "type": "function", "function": legacy})
    return calls


def _choice(raw: dict[str, Any], position: int) -> ChatResponseChoice:
    message = raw.get("message") if isinstance(raw.get("message"), dict) else {}
    assert isinstance(message, dict)
    content = message.get("content")
    text, thinking = _text_of_parts(content) if isinstance(content, list) else (content or "", "")
    if not isinstance(text, str):
        text = str(text)
    contents: list[ChatResponseContentItem] = []
    reasoning = _reasoning_item(message, thinking, 0)
    if reasoning is not None:
        contents.append(reasoning)
    calls = _tool_calls(message)
    refusal = message.get("refusal") if isinstance(message.get("refusal"), str) else None
    if text or (not calls and not refusal):
        meta: dict[str, Any] = {}
        if message.get("annotations"):
            meta["annotations"] = message["annotations"]
        contents.append(ChatResponseTextContentItem(index=len(contents), text=text, metadata=meta))
    if refusal:
        contents.append(
            ChatResponseTextContentItem(
                index=len(contents), text=refusal, metadata={"refusal": True, "finish_reason": "content_filter"}
            )
        )
    for call in calls:
        fn = call.get("function") if isinstance(call.get("function"), dict) else {}
        assert isinstance(fn, dict)
        tool_call = ChatResponseToolCall.from_raw(
            id=call.get("id"), name=str(fn.get("name") or ""), arguments=fn.get("arguments")
        )
        contents.append(ChatResponseToolCallContentItem(index=len(contents), tool_call=tool_call))
    audio = message.get("audio")
    if isinstance(audio, dict) and any(audio.get(k) for k in ("id", "data", "transcript")):
        contents.append(ChatResponseGenericContentItem(index=len(contents), metadata={"audio": message["audio"]}))
    native = raw.get("finish_reason")
    reason = finish_reason(native, bool(calls))
    if refusal and reason in (FinishReason.STOP, None):
        reason = FinishReason.CONTENT_FILTER
    metadata: dict[str, Any] = {}
    if native is not None:
        metadata["native_finish_reason"] = native
    for key in ("logprobs", "content_filter_results", "stop_reason"):
        if raw.get(key):
            metadata[key] = raw[key]
    index = raw.get("index")
    return ChatResponseChoice(
        index=index if isinstance(index, int) else position, finish_reason=reason, contents=contents, metadata=metadata
    )


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_usage(usage: Any) -> ChatResponseUsage | None:
    """Token counts: ``prompt_tokens`` includes cached tokens, ``completion_tokens`` includes reasoning tokens."""
    if not isinstance(usage, dict):
        return None
    prompt = _int(usage.get("prompt_tokens")) or 0
    completion = _int(usage.get("completion_tokens")) or 0
    total = _int(usage.get("total_tokens")) or prompt + completion
    prompt_details = usage.get("prompt_tokens_details") if isinstance(usage.get("prompt_tokens_details"), dict) else {}
    assert isinstance(prompt_details, dict)
    out_details = usage.get("completion_tokens_details")
    out_details = out_details if isinstance(out_details, dict) else {}
    cached = _int(prompt_details.get("cached_tokens"))
    if cached is None:
        cached = _int(usage.get("prompt_cache_hit_tokens"))
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        reasoning_tokens=_int(out_details.get("reasoning_tokens")),
        cache_read_tokens=cached,
        cache_write_tokens=_int(prompt_details.get("cache_write_tokens")),
    )


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """The ``ChatResponse`` of a ``chat.completion`` object (a 2xx body that is an error raises its error)."""
    if data.get("error") and not data.get("choices"):
        raise in_band_error(data, ctx)
    raw_choices = [c for c in data.get("choices") or [] if isinstance(c, dict)]
    usage = data.get("usage")
    if not isinstance(usage, dict):
        groq = data.get("x_groq")
        usage = groq.get("usage") if isinstance(groq, dict) else None
    model = data.get("model")
    return ChatResponse(
        model=model if isinstance(model, str) and model else ctx.model_name,
        provider=ctx.model.provider,
        api_provider=ctx.api_provider,
        usage=parse_usage(usage),
        choices=[_choice(c, i) for i, c in enumerate(raw_choices)],
        metadata={"wire_api": WIRE_NAME, "response_id": data.get("id") or None},
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
            if isinstance(value, int) and 400 <= value <= 599:
                status = value
                break
    info = parse_error(status or 500, payload) or ErrorInfo(message="the provider reported an error")
    cls = info.error_class or (error_class_for_status(status) if status else InternalServerError)
    err = cls(
        info.message,
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=status or implied_status(cls),
        error_type=info.error_type,
        error_code=info.error_code,
        body=payload,
    )
    if info.retryable is not None:
        err.should_retry = info.retryable  # type: ignore[attr-defined]
    return err
