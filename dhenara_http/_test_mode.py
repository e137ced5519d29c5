"""``test_mode=True``: a canned answer shaped like a real one, with no network.

The call goes through everything a real call does before the wire — capability checks, and the protocol's
``build_request`` when the protocol is available, so a request the provider would reject fails here too (the built
request is kept in ``metadata["test_mode_request"]``). The answer has what the endpoint's wire would give:

* a reasoning item when reasoning was asked for, with the fields that wire fills (a summary and an ``rs_`` id for
  OpenAI Responses, a signature for Anthropic and Bedrock, plain thinking text elsewhere);
* a tool call, with arguments that fit the tool's schema, when the call forces a tool;
* JSON that fits the schema when structured output was asked for (``finalize`` turns it into the structured item);
* otherwise a short text naming the model and echoing the prompt, cut at the output cap (finish reason
  ``max_tokens``);
* usage (prompt, completion, reasoning), cost, the normalised finish reason and the wire's native one, and
  ``metadata["wire_api"]`` / ``["response_id"]``.

A stream yields the same answer in pieces — reasoning deltas, text deltas, tool-call argument deltas — and ends with
exactly the non-streamed response. Ids are derived from the prompt, so repeating a call repeats its answer.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import AsyncIterator
from typing import Any

from ._answers import success_status
from ._finalize import finalize
from ._streaming import Batch
from .hosts import WIRE_MODULES, wire_api_for
from .protocols.base import CallContext
from .types.enums import FinishReason
from .types.prompt import Prompt, ToolCallResult, ToolCallResultsMessage
from .types.response import (
    AIModelCallResponse,
    ChatResponse,
    ChatResponseChoice,
    ChatResponseContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCall,
    ChatResponseToolCallContentItem,
    ChatResponseUsage,
)
from .types.stream import (
    ChatResponseContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
    SSEResponse,
)
from .types.tools import ToolDefinition

#: Each wire's own finish reason for a plain stop, a tool call and the output cap.
_NATIVE_FINISH: dict[str, tuple[str, str, str]] = {
    "responses": ("completed", "completed", "incomplete"),
    "chat_completions": ("stop", "tool_calls", "length"),
    "anthropic": ("end_turn", "tool_use", "max_tokens"),
    "invoke": ("end_turn", "tool_use", "max_tokens"),
    "converse": ("end_turn", "tool_use", "max_tokens"),
    "gemini": ("STOP", "STOP", "MAX_TOKENS"),
}
_CALL_ID_PREFIX = {"responses": "call_", "chat_completions": "call_", "anthropic": "toolu_", "invoke": "toolu_"}


def _words(text: str) -> int:
    return len(text.split())


def _message_text(message: Any) -> str:
    if isinstance(message, Prompt):
        return message.rendered_text()
    if isinstance(message, ToolCallResult):
        return message.as_text()
    if isinstance(message, ToolCallResultsMessage):
        return " ".join(r.as_text() for r in message.results)
    return str(message.as_text())


def _protocol_name(wire: str) -> tuple[str, Any]:
    """The protocol's ``NAME`` and module (None when this version has no such module)."""
    module_name = WIRE_MODULES[wire]
    try:
        module = importlib.import_module(f"dhenara_http.protocols.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"dhenara_http.protocols.{module_name}":
            raise
        return module_name, None
    return str(getattr(module, "NAME", module_name)), module


# -- values that fit a JSON schema ----------------------------------------------------------------------------------


def example_for_schema(schema: Any, defs: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A small value that a JSON schema accepts (every property filled, one item per array, the first enum value)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    if defs is None:
        found = schema.get("$defs", schema.get("definitions"))
        defs = found if isinstance(found, dict) else {}
    if "$ref" in schema:
        target = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
        return example_for_schema({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in schema.get(key, []) if not (isinstance(o, dict) and o.get("type") == "null")]
        if options:
            return example_for_schema(options[0], defs, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part if isinstance(part, dict) else {})
        return example_for_schema(merged, defs, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example_for_schema(sub, defs, depth + 1) for name, sub in props.items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [example_for_schema(schema.get("items", {}), defs, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        value = float(low) if isinstance(low, int | float) else 0.0
        if "exclusiveMinimum" in schema:
            value += 1
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _example_string(schema)


def _example_string(schema: dict[str, Any]) -> str:
    formats = {"date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "email": "test@example.com"}
    text = formats.get(str(schema.get("format")), "test")
    if schema.get("format") in ("uri", "url"):
        text = "https://example.com"
    min_length = int(schema.get("minLength", 0))
    if len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    return text


# -- the canned answer ------------------------------------------------------------------------------------------


def _forced_tool(ctx: CallContext) -> ToolDefinition | None:
    choice = ctx.config.tool_choice
    tools = [t for t in (ctx.config.tools or []) if isinstance(t, ToolDefinition)]
    if not tools or choice is None or choice.type not in ("one_or_more", "specific"):
        return None
    if choice.type == "specific":
        return next((t for t in tools if t.name == choice.specific_tool_name), None)
    return tools[0]


def _reasoning_item(wire: str, text: str, seed: str) -> ChatResponseReasoningContentItem:
    if wire == "responses":
        return ChatResponseReasoningContentItem(thinking_id=f"rs_test_{seed}", thinking_summary=[text])
    if wire in ("anthropic", "invoke", "converse"):
        return ChatResponseReasoningContentItem(thinking_text=text, thinking_signature=f"test-signature-{seed}")
    return ChatResponseReasoningContentItem(thinking_text=text)


def canned_response(ctx: CallContext) -> ChatResponse:
    """The whole test-mode answer, finalised (structured output, cost) like a real one."""
    wire = wire_api_for(ctx.endpoint.api, ctx.endpoint.ai_model)
    name, protocol = _protocol_name(wire)
    metadata: dict[str, Any] = {"test_mode": True, "wire_api": name}
    if protocol is not None:
        request = protocol.build_request(ctx)
        metadata["test_mode_request"] = {"method": request.method, "path": request.path, "json": request.json}

    last = next((m for m in reversed(ctx.messages) if isinstance(m, Prompt) and m.role == "user"), None)
    asked = last.rendered_text() if last is not None else ""
    seed = hashlib.sha256(f"{ctx.model_name}\n{asked}".encode()).hexdigest()[:16]
    metadata["response_id"] = f"test-{seed}"
    stop, tool_stop, length_stop = _NATIVE_FINISH.get(wire, ("stop", "tool_calls", "length"))

    contents: list[ChatResponseContentItem] = []
    reasoning_words = 0
    if ctx.wants_reasoning():
        thought = f"Test-mode reasoning of {ctx.model_name} about: {asked[:200]}"
        contents.append(_reasoning_item(wire, thought, seed))
        reasoning_words = _words(thought)

    finish, native = FinishReason.STOP, stop
    tool = _forced_tool(ctx)
    if tool is not None:
        arguments = example_for_schema(tool.function.json_schema()) or {}
        raw = json.dumps(arguments)
        call_id = f"{_CALL_ID_PREFIX.get(wire, 'test_call_')}{seed}"
        call = ChatResponseToolCall(id=call_id, name=tool.name, arguments=arguments, raw_arguments=raw)
        contents.append(ChatResponseToolCallContentItem(index=len(contents), tool_call=call))
        output_words = _words(raw)
        finish, native = FinishReason.TOOL_USE, tool_stop
    else:
        so = ctx.config.structured_output
        if so is not None:
            text = json.dumps(example_for_schema(so.json_schema))
        else:
            text = f"Test-mode answer from {ctx.model_name} to: {asked[:200]}"
        limit = ctx.max_output_tokens()
        if so is None and limit is not None and _words(text) + reasoning_words > limit:
            text = " ".join(text.split()[: max(limit - reasoning_words, 0)])
            finish, native = FinishReason.MAX_TOKENS, length_stop
        contents.append(ChatResponseTextContentItem(index=len(contents), text=text))
        output_words = _words(text)

    prompt_tokens = max(
        sum(_words(m) for m in ctx.instructions) + sum(_words(_message_text(m)) for m in ctx.messages), 1
    )
    completion = output_words + reasoning_words
    response = ChatResponse(
        model=ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=ChatResponseUsage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion,
            total_tokens=prompt_tokens + completion,
            reasoning_tokens=reasoning_words or None,
        ),
        choices=[
            ChatResponseChoice(
                index=0, finish_reason=finish, contents=contents, metadata={"native_finish_reason": native}
            )
        ],
        metadata=metadata,
    )
    return finalize(response, ctx)


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _deltas(final: ChatResponse) -> list[ChatResponseContentItemDelta]:
    deltas: list[ChatResponseContentItemDelta] = []
    for i, item in enumerate(final.choices[0].contents if final.choices else []):
        if isinstance(item, ChatResponseReasoningContentItem):
            deltas += [ChatResponseReasoningContentItemDelta(index=i, text_delta=p) for p in _pieces(item.get_text())]
            if item.thinking_signature or item.thinking_id:
                deltas.append(
                    ChatResponseReasoningContentItemDelta(
                        index=i, thinking_signature=item.thinking_signature, thinking_id=item.thinking_id
                    )
                )
        elif isinstance(item, ChatResponseToolCallContentItem):
            raw = item.tool_call.raw_arguments or json.dumps(item.tool_call.arguments)
            deltas.append(
                ChatResponseToolCallContentItemDelta(index=i, tool_call_id=item.tool_call.id, tool_name=item.name)
            )
            deltas += [ChatResponseToolCallContentItemDelta(index=i, arguments_delta=p) for p in _pieces(raw)]
        else:
            deltas += [ChatResponseTextContentItemDelta(index=i, text_delta=p) for p in _pieces(item.get_text())]
    return deltas


def canned_stream(ctx: CallContext) -> AsyncIterator[Batch]:
    """The same answer as :func:`canned_response`, streamed: one chunk per piece, then ``(None, final)``. The answer
    is made before the stream is returned, so that a bad call fails at ``generate`` as a real stream would."""
    return _stream(ctx, canned_response(ctx))


async def _stream(ctx: CallContext, final: ChatResponse) -> AsyncIterator[Batch]:
    deltas = _deltas(final)
    for n, delta in enumerate(deltas):
        last = n == len(deltas) - 1
        chunk = ctx.make_chunk([delta], finish_reason=final.finish_reason if last else None)
        yield [(SSEResponse(data=chunk), None)]
    yield [(None, AIModelCallResponse(status=success_status(ctx), chat_response=final))]
