"""Reading Bedrock Converse answers and errors.

* ``output.message.content`` blocks become items in order, each with its position in ``metadata["output_index"]``:
  ``text`` → text; ``reasoningContent.reasoningText`` → reasoning with its ``signature``;
  ``reasoningContent.redactedContent`` → reasoning with ``encrypted_content`` and ``metadata["redacted"] = True``
  (kept, so that it can be replayed to the same family); ``toolUse`` → tool call; anything else (citations, server
  tool blocks, images …) → a generic item holding the raw block in ``metadata["block"]``. The synthetic
  structured-output tool's input becomes the structured output, as on the Anthropic wire.
* ``stopReason``: ``end_turn`` / ``stop_sequence`` → stop, ``tool_use`` → tool use, ``max_tokens`` and
  ``model_context_window_exceeded`` → max tokens, ``guardrail_intervened`` / ``content_filtered`` → content filter,
  anything else → other; the native reason stays in ``choice.metadata["native_finish_reason"]``.
* Usage: ``inputTokens`` does not include cached tokens (``totalTokens`` = input + output + cache reads + cache
  writes), so ``prompt_tokens`` = ``inputTokens`` + ``cacheReadInputTokens`` + ``cacheWriteInputTokens``.
* Errors: Bedrock answers ``{"message": …}`` and names the error in the ``x-amzn-errortype`` header (``__type`` or
  ``code`` in some bodies); the class comes from ``errors.AWS_ERROR_CLASSES``, the table the event-stream decoder
  uses for in-band exceptions, else from the HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import AWS_NOT_RETRYABLE, ResponseParseError, aws_error_class, aws_error_type
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
from ._converse_request import NAME, structured_tool_name
from ._structured import structured_item
from .base import CallContext, ErrorInfo

FINISH_REASONS = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "tool_use": FinishReason.TOOL_USE,
    "max_tokens": FinishReason.MAX_TOKENS,
    "model_context_window_exceeded": FinishReason.MAX_TOKENS,
    "guardrail_intervened": FinishReason.CONTENT_FILTER,
    "content_filtered": FinishReason.CONTENT_FILTER,
}


def parse_error(status: int, body: Any, headers: Mapping[str, str] | None = None) -> ErrorInfo | None:
    """``{"message": …}`` with the type from ``x-amzn-errortype`` (when the caller passes the headers) or the
    body's ``__type`` / ``code``."""
    raw_type: str | None = None
    if headers is not None:
        raw_type = next((v for k, v in headers.items() if k.lower() == "x-amzn-errortype"), None)
    message: Any = None
    if isinstance(body, dict):
        raw_type = raw_type or _str(body.get("__type")) or _str(body.get("code"))
        message = body.get("message") or body.get("Message")
    elif isinstance(body, str) and body.strip():
        message = body.strip()[:500]
    if raw_type is None and message is None:
        return None
    error_type = aws_error_type(raw_type)
    return ErrorInfo(
        message=str(message) if message else (error_type or f"HTTP {status}"),
        error_type=error_type,
        error_class=aws_error_class(error_type),
        retryable=False if error_type and error_type.lower() in AWS_NOT_RETRYABLE else None,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _fail(ctx: CallContext, what: str) -> ResponseParseError:
    return ResponseParseError(f"Bedrock Converse answer: {what}", provider=ctx.api_provider.value, model=ctx.model_name)


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    output = data.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    if not isinstance(message, dict):
        raise _fail(ctx, "no output.message")
    content = message.get("content")
    if content is None:
        content = []
    if not isinstance(content, list):
        raise _fail(ctx, "output.message.content is not a list")
    synthetic = structured_tool_name(ctx)
    items: list[ChatResponseContentItem] = []
    via_tool = other_calls = False
    for i, block in enumerate(content):
        if not isinstance(block, dict):
            continue
        meta: dict[str, Any] = {"output_index": i}
        reasoning = block.get("reasoningContent")
        tool = block.get("toolUse")
        if isinstance(block.get("text"), str):
            items.append(ChatResponseTextContentItem(index=i, text=block["text"], metadata=meta))
        elif isinstance(reasoning, dict) and isinstance(reasoning.get("reasoningText"), dict):
            text = reasoning["reasoningText"]
            items.append(
                ChatResponseReasoningContentItem(
                    index=i,
                    thinking_text=_str(text.get("text")) or "",
                    thinking_signature=_str(text.get("signature")),
                    metadata=meta,
                )
            )
        elif isinstance(reasoning, dict) and "redactedContent" in reasoning:
            items.append(
                ChatResponseReasoningContentItem(
                    index=i, encrypted_content=str(reasoning["redactedContent"]), metadata={**meta, "redacted": True}
                )
            )
        elif isinstance(tool, dict) and synthetic is not None and tool.get("name") == synthetic:
            via_tool = True
            raw = tool.get("input")
            text = raw if isinstance(raw, str) else json.dumps(raw if raw is not None else {}, ensure_ascii=False)
            items.append(structured_item(text, ctx, ChatResponseTextContentItem(index=i, text=text, metadata=meta)))
        elif isinstance(tool, dict):
            other_calls = True
            call = ChatResponseToolCall.from_raw(
                id=_str(tool.get("toolUseId")), name=str(tool.get("name") or ""), arguments=tool.get("input")
            )
            items.append(ChatResponseToolCallContentItem(index=i, tool_call=call, metadata=meta))
        else:
            items.append(ChatResponseGenericContentItem(index=i, metadata={**meta, "block": block}))
    native = _str(data.get("stopReason"))
    finish = FINISH_REASONS.get(native, FinishReason.OTHER) if native else None
    if via_tool and native == "tool_use" and not other_calls:
        finish = FinishReason.STOP
    choice_meta: dict[str, Any] = {"native_finish_reason": native}
    extra = data.get("additionalModelResponseFields")
    if isinstance(extra, dict) and extra:
        choice_meta["additional_model_response_fields"] = extra
    metadata: dict[str, Any] = {"wire_api": NAME}
    if via_tool:
        metadata["structured_via_tool"] = True
    if isinstance(data.get("metrics"), dict):
        metadata["metrics"] = data["metrics"]
    return ChatResponse(
        model=ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(data.get("usage")),
        choices=[ChatResponseChoice(index=0, finish_reason=finish, contents=items, metadata=choice_meta)],
        metadata=metadata,
        provider_response=data,
    )


def _count(usage: dict[str, Any], key: str) -> int:
    value = usage.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def parse_usage(usage: Any) -> ChatResponseUsage | None:
    if not isinstance(usage, dict):
        return None
    cache_read = _count(usage, "cacheReadInputTokens")
    cache_write = _count(usage, "cacheWriteInputTokens")
    prompt = _count(usage, "inputTokens") + cache_read + cache_write
    completion = _count(usage, "outputTokens")
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        reasoning_tokens=0,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
