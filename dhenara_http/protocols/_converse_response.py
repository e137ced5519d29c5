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
  writes), so ``prompt_tokens`` = ``inputTokens`` + ``cacheReadInputTokens`` + ``cacheWriteInputTokens``; every
  counter is an ``int`` (0 when absent), ``total_tokens`` is ``totalTokens`` when given.
* Read defensively (:mod:`._common`): ``null`` or absent optional fields are empty, any other value of the wrong type
  is a ``ResponseParseError`` naming its JSON path (``output.message.content[2].toolUse.name is a number …``).
* Errors: Bedrock answers ``{"message": …}`` and names the error in the ``x-amzn-errortype`` header (``__type`` or
  ``code`` in some bodies); the class comes from ``errors.AWS_ERROR_CLASSES``, the table the event-stream decoder
  uses for in-band exceptions, else from the HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import AWS_NOT_RETRYABLE, aws_error_class, aws_error_type
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


def parse_response(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    """The ``ChatResponse`` of a Converse answer. Read defensively: a field of the wrong type is a
    ``ResponseParseError`` naming its path (see :mod:`._common`)."""
    with common.reading(ctx):
        return _parse(data, ctx)


def _parse(data: dict[str, Any], ctx: CallContext) -> ChatResponse:
    output = common.get_dict(data, "output")
    message = common.opt_dict(output, "message", "output")
    if message is None:
        raise common.bad_field("output", "message", None, "an object")
    synthetic = structured_tool_name(ctx)
    items: list[ChatResponseContentItem] = []
    via_tool = other_calls = False
    where_content = "output.message.content"
    for i, block in common.dicts(common.get_list(message, "content", "output.message"), where_content):
        where = f"{where_content}[{i}]"
        meta: dict[str, Any] = {"output_index": i}
        if block.get("text") is not None:
            text = common.get_text(block, "text", where)
            items.append(trusted(ChatResponseTextContentItem, index=i, text=text, metadata=meta))
        elif block.get("reasoningContent") is not None:
            items.append(_reasoning(common.get_dict(block, "reasoningContent", where), i, meta, where))
        elif block.get("toolUse") is not None:
            tool = common.get_dict(block, "toolUse", where)
            here = f"{where}.toolUse"
            name = common.get_text(tool, "name", here)
            raw = tool.get("input")
            if synthetic is not None and name == synthetic:
                via_tool = True
                text = raw if isinstance(raw, str) else json.dumps(raw if raw is not None else {}, ensure_ascii=False)
                items.append(
                    structured_item(text, ctx, trusted(ChatResponseTextContentItem, index=i, text=text, metadata=meta))
                )
                continue
            other_calls = True
            if raw is not None and type(raw) is not dict and type(raw) is not str:
                # A string is what a stream's unparseable input pieces leave; it is kept with its parse error.
                raise common.bad_field(here, "input", raw, "an object")
            call = ChatResponseToolCall.from_raw(id=common.get_id(tool, "toolUseId", here), name=name, arguments=raw)
            items.append(ChatResponseToolCallContentItem(index=i, tool_call=call, metadata=meta))
        else:
            items.append(ChatResponseGenericContentItem(index=i, metadata={**meta, "block": block}))
    native = common.get_str(data, "stopReason")
    finish = FINISH_REASONS.get(native, FinishReason.OTHER) if native else None
    if via_tool and native == "tool_use" and not other_calls:
        finish = FinishReason.STOP
    choice_meta: dict[str, Any] = {"native_finish_reason": native}
    extra = common.opt_dict(data, "additionalModelResponseFields")
    if extra:
        choice_meta["additional_model_response_fields"] = extra
    metadata: dict[str, Any] = {"wire_api": NAME}
    if via_tool:
        metadata["structured_via_tool"] = True
    metrics = common.opt_dict(data, "metrics")
    if metrics is not None:
        metadata["metrics"] = metrics
    return trusted(
        ChatResponse,
        model=ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=parse_usage(common.opt_dict(data, "usage")),
        choices=[trusted(ChatResponseChoice, index=0, finish_reason=finish, contents=items, metadata=choice_meta)],
        metadata=metadata,
        provider_response=data,
    )


def _reasoning(
    reasoning: dict[str, Any], index: int, meta: dict[str, Any], where: str
) -> ChatResponseReasoningContentItem:
    """A ``reasoningContent`` block: ``reasoningText`` (text and signature) or ``redactedContent`` (base64)."""
    here = f"{where}.reasoningContent"
    text = common.opt_dict(reasoning, "reasoningText", here)
    redacted = common.get_str(reasoning, "redactedContent", here) or None
    if text is None and redacted is not None:
        return ChatResponseReasoningContentItem(
            index=index, encrypted_content=redacted, metadata={**meta, "redacted": True}
        )
    text = text or {}
    return ChatResponseReasoningContentItem(
        index=index,
        thinking_text=common.get_text(text, "text", f"{here}.reasoningText"),
        thinking_signature=common.get_str(text, "signature", f"{here}.reasoningText") or None,
        encrypted_content=redacted,
        metadata=meta,
    )


def parse_usage(usage: dict[str, Any] | None, where: str = "usage") -> ChatResponseUsage | None:
    """``inputTokens`` excludes the cache: ``prompt_tokens`` = input + cache reads + cache writes. ``totalTokens``
    when the answer gives it, else prompt + completion."""
    if usage is None:
        return None
    cache_read = common.get_count(usage, "cacheReadInputTokens", where)
    cache_write = common.get_count(usage, "cacheWriteInputTokens", where)
    prompt = common.get_count(usage, "inputTokens", where) + cache_read + cache_write
    completion = common.get_count(usage, "outputTokens", where)
    total = common.opt_count(usage, "totalTokens", where)
    return trusted(
        ChatResponseUsage,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion if total is None else total,
        reasoning_tokens=0,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
