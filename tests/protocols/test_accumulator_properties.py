"""Property tests of the four stream accumulators, through the public client.

For each wire, Hypothesis generates an answer (text, reasoning where the wire has it, tool calls whose JSON arguments
are cut at random points, empty pieces included, and usage), writes it as the provider's event stream (random SSE
framing, whitespace inside the ``data`` JSON, line endings, comments, network reads that split anywhere), and — built
here independently — as the provider's non-streamed JSON. Then:

* every chunk keeps the ``choice_deltas[0].content_deltas[0].get_text_delta()`` promise;
* the text deltas concatenate to the generated text, the reasoning deltas to the generated reasoning, and each tool
  call's argument deltas to JSON that parses to the generated arguments;
* the final response equals the non-streamed JSON's response (``parse_response`` through the same client).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint
from dhenara_http.types.response import ChatResponse
from dhenara_http.types.stream import (
    ChatResponseChunk,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from tests.protocols._anthropic_support import endpoint as anthropic_endpoint
from tests.protocols._stream_strategies import (
    IDENT,
    Content,
    Event,
    contents,
    json_call,
    network_reads,
    pieces,
    sse_body,
    stream_call,
)

P = AIModelAPIProviderEnum
PROPERTIES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def check(endpoint: AIModelEndpoint, content: Content, events: list[Event], body: Any, data: st.DataObject) -> None:
    reads = data.draw(network_reads(data.draw(sse_body(events))))
    chunks, final = stream_call(endpoint, reads)
    text, reasoning, args = _added_up(chunks)
    assert text == content.text
    assert reasoning == content.reasoning
    tools = final.tools()
    assert [t.name for t in tools] == [c.name for c in content.tools]
    assert [t.arguments for t in tools] == [c.args for c in content.tools]
    assert [json.loads(a) for a in args] == [c.args for c in content.tools]
    assert (final.text() or "") == content.text
    whole = json_call(endpoint, body)
    assert _dump(final) == _dump(whole)


def _added_up(chunks: list[ChatResponseChunk]) -> tuple[str, str, list[str]]:
    """Text, reasoning and per-call argument text, concatenated from the deltas in the order they came."""
    text, reasoning = "", ""
    args: dict[int, str] = {}
    for chunk in chunks:
        assert isinstance(chunk.choice_deltas[0].content_deltas[0].get_text_delta(), str)
        for delta in chunk.choice_deltas[0].content_deltas:
            if isinstance(delta, ChatResponseTextContentItemDelta):
                text += delta.text_delta
            elif isinstance(delta, ChatResponseReasoningContentItemDelta):
                reasoning += delta.text_delta
            elif isinstance(delta, ChatResponseToolCallContentItemDelta):
                args[delta.index] = args.get(delta.index, "") + delta.arguments_delta
    return text, reasoning, list(args.values())


def _dump(response: ChatResponse) -> dict[str, Any]:
    # The raw JSON differs by construction (the stream's is rebuilt); everything read from it must not.
    return response.model_dump(exclude={"provider_response"})


# -- Chat Completions --------------------------------------------------------------------------------------------


def chat_wire(content: Content, data: st.DataObject) -> tuple[list[Event], dict[str, Any]]:
    field = data.draw(st.sampled_from(["reasoning_content", "reasoning"]))
    null_usage = data.draw(st.booleans())
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "test-model"}
    events: list[Event] = []

    def emit(delta: dict[str, Any], finish: str | None = None) -> None:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if null_usage:
            chunk["usage"] = None  # what hosts send before the usage-only chunk
        events.append((None, chunk))

    emit({"role": "assistant", "content": ""})
    for piece in content.reasoning_pieces:
        emit({field: piece})
    for piece in content.text_pieces:
        emit({"content": piece})
    for i, call in enumerate(content.tools):
        start = data.draw(st.sampled_from(["", None]))  # ("arguments": null comes from some hosts)
        fn = {"name": call.name, "arguments": start}
        emit({"tool_calls": [{"index": i, "id": call.id, "type": "function", "function": fn}]})
        for piece in call.pieces:
            emit({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    finish = "tool_calls" if content.tools else "stop"
    emit({}, finish)
    usage = {
        "prompt_tokens": content.prompt_tokens,
        "completion_tokens": content.completion_tokens,
        "total_tokens": content.prompt_tokens + content.completion_tokens,
    }
    events += [(None, {**base, "choices": [], "usage": usage}), (None, "[DONE]")]
    message: dict[str, Any] = {"role": "assistant", "content": content.text or None}
    if content.reasoning:
        message[field] = content.reasoning
    if content.tools:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in content.tools
        ]
    body = {
        **base,
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage,
    }
    return events, body


@PROPERTIES
@given(content=contents(), data=st.data())
def test_chat_completions_stream_adds_up(content: Content, data: st.DataObject) -> None:
    api = AIModelAPI(provider=P.OPENAI_COMPATIBLE, api_key="k", config={"base_url": "https://llm.example.com/v1"})
    events, body = chat_wire(content, data)
    check(AIModelEndpoint(api=api, ai_model="test-model"), content, events, body, data)


# -- Responses ---------------------------------------------------------------------------------------------------


def responses_wire(content: Content, data: st.DataObject) -> tuple[list[Event], dict[str, Any]]:
    events: list[Event] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append((kind, {"type": kind, "sequence_number": len(events), **fields}))

    head = {"id": "resp_1", "object": "response", "created_at": 1, "model": "gpt-5", "status": "in_progress"}
    emit("response.created", response={**head, "output": []})
    emit("response.in_progress", response={**head, "output": []})
    output: list[dict[str, Any]] = []
    if content.reasoning:
        oi, item_id = len(output), "rs_1"
        emit("response.output_item.added", output_index=oi, item={"type": "reasoning", "id": item_id, "summary": []})
        where = {"item_id": item_id, "output_index": oi, "summary_index": 0}
        emit("response.reasoning_summary_part.added", **where, part={"type": "summary_text", "text": ""})
        for piece in content.reasoning_pieces:
            emit("response.reasoning_summary_text.delta", **where, delta=piece)
        emit("response.reasoning_summary_text.done", **where, text=content.reasoning)
        emit("response.reasoning_summary_part.done", **where, part={"type": "summary_text", "text": content.reasoning})
        item = {"type": "reasoning", "id": item_id, "summary": [{"type": "summary_text", "text": content.reasoning}]}
        emit("response.output_item.done", output_index=oi, item=item)
        output.append(item)
    if content.text or not content.tools:
        oi, item_id = len(output), "msg_1"
        message = {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}
        emit("response.output_item.added", output_index=oi, item=message)
        where = {"item_id": item_id, "output_index": oi, "content_index": 0}
        emit("response.content_part.added", **where, part={"type": "output_text", "text": "", "annotations": []})
        for piece in content.text_pieces:
            emit("response.output_text.delta", **where, delta=piece)
        emit("response.output_text.done", **where, text=content.text)
        part = {"type": "output_text", "text": content.text, "annotations": []}
        emit("response.content_part.done", **where, part=part)
        item = {**message, "status": "completed", "content": [part]}
        emit("response.output_item.done", output_index=oi, item=item)
        output.append(item)
    for i, call in enumerate(content.tools):
        oi, item_id = len(output), f"fc_{i}"
        item = {"type": "function_call", "id": item_id, "call_id": call.id, "name": call.name, "arguments": ""}
        emit("response.output_item.added", output_index=oi, item={**item, "status": "in_progress"})
        for piece in call.pieces:
            emit("response.function_call_arguments.delta", item_id=item_id, output_index=oi, delta=piece)
        emit("response.function_call_arguments.done", item_id=item_id, output_index=oi, arguments=call.arguments)
        item = {**item, "arguments": call.arguments, "status": "completed"}
        emit("response.output_item.done", output_index=oi, item=item)
        output.append(item)
    usage = {
        "input_tokens": content.prompt_tokens,
        "output_tokens": content.completion_tokens,
        "total_tokens": content.prompt_tokens + content.completion_tokens,
    }
    body = {**head, "status": "completed", "output": output, "usage": usage}
    emit("response.completed", response=body)
    return events, body


@PROPERTIES
@given(content=contents(), data=st.data())
def test_responses_stream_adds_up(content: Content, data: st.DataObject) -> None:
    api = AIModelAPI(provider=P.OPEN_AI, api_key="sk-test")
    events, body = responses_wire(content, data)
    check(AIModelEndpoint(api=api, ai_model="gpt-5"), content, events, body, data)


# -- Anthropic Messages ------------------------------------------------------------------------------------------


def anthropic_wire(content: Content, data: st.DataObject) -> tuple[list[Event], dict[str, Any]]:
    events: list[Event] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append((kind, {"type": kind, **fields}))
        if data.draw(st.integers(0, 7)) == 0:
            events.append(("ping", {"type": "ping"}))

    head = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5"}
    start_usage = {"input_tokens": content.prompt_tokens, "output_tokens": 1}
    emit(
        "message_start",
        message={**head, "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage},
    )
    blocks: list[dict[str, Any]] = []

    def block(start: dict[str, Any], deltas: list[dict[str, Any]], whole: dict[str, Any]) -> None:
        index = len(blocks)
        emit("content_block_start", index=index, content_block=start)
        for delta in deltas:
            emit("content_block_delta", index=index, delta=delta)
        emit("content_block_stop", index=index)
        blocks.append(whole)

    if content.reasoning:
        deltas = [{"type": "thinking_delta", "thinking": p} for p in content.reasoning_pieces]
        deltas.append({"type": "signature_delta", "signature": content.signature})
        whole = {"type": "thinking", "thinking": content.reasoning, "signature": content.signature}
        block({"type": "thinking", "thinking": "", "signature": ""}, deltas, whole)
    if content.text or not content.tools:
        deltas = [{"type": "text_delta", "text": p} for p in content.text_pieces]
        block({"type": "text", "text": ""}, deltas, {"type": "text", "text": content.text})
    for call in content.tools:
        start = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in call.pieces]
        block(start, deltas, {**start, "input": call.args})
    stop = "tool_use" if content.tools else "end_turn"
    emit(
        "message_delta",
        delta={"stop_reason": stop, "stop_sequence": None},
        usage={"output_tokens": content.completion_tokens},
    )
    emit("message_stop")
    usage = {"input_tokens": content.prompt_tokens, "output_tokens": content.completion_tokens}
    return events, {**head, "content": blocks, "stop_reason": stop, "stop_sequence": None, "usage": usage}


@PROPERTIES
@given(content=contents(), data=st.data())
def test_anthropic_stream_adds_up(content: Content, data: st.DataObject) -> None:
    events, body = anthropic_wire(content, data)
    check(anthropic_endpoint(), content, events, body, data)


# -- Gemini ------------------------------------------------------------------------------------------------------


def _leaves(value: Any, path: str) -> list[tuple[str, Any]] | None:
    """(JSON path, scalar) for every leaf, in order; None when an empty object or list has no leaf to carry it."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        if not value:
            return None
        out: list[tuple[str, Any]] = []
        for key, inner in items:
            found = _leaves(inner, f"{path}.{key}" if isinstance(value, dict) else f"{path}[{key}]")
            if found is None:
                return None
            out += found
        return out
    return [(path, value)]


def _partial_args(leaves: list[tuple[str, Any]], data: st.DataObject) -> list[dict[str, Any]]:
    """Vertex's streamed function-call arguments: one entry per leaf, strings in pieces that end with ``""``."""
    out: list[dict[str, Any]] = []
    for path, value in leaves:
        if isinstance(value, str):
            out += [{"jsonPath": path, "stringValue": p, "willContinue": True} for p in data.draw(pieces(value, 3))]
            out.append({"jsonPath": path, "stringValue": ""})
        elif value is None:
            out.append({"jsonPath": path, "nullValue": None})
        elif isinstance(value, bool):
            out.append({"jsonPath": path, "boolValue": value})
        else:
            out.append({"jsonPath": path, "numberValue": value})
    return out


def gemini_wire(content: Content, data: st.DataObject) -> tuple[list[Event], dict[str, Any]]:
    head = {"modelVersion": "gemini-2.5-flash", "responseId": "resp-1"}
    partial_usage = data.draw(st.booleans())
    with_ids = data.draw(st.booleans())
    events: list[Event] = []

    def emit(*parts: dict[str, Any], finish: str | None = None, usage: dict[str, Any] | None = None) -> None:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        chunk: dict[str, Any] = {"candidates": [candidate], **head}
        if usage is not None or partial_usage:
            chunk["usageMetadata"] = usage or {"promptTokenCount": content.prompt_tokens}
        events.append((None, chunk))

    parts: list[dict[str, Any]] = []
    for piece in content.reasoning_pieces:
        emit({"text": piece, "thought": True})
    if content.reasoning:
        parts.append({"text": content.reasoning, "thought": True})
    for piece in content.text_pieces:
        emit({"text": piece})
    if content.text:
        parts.append({"text": content.text})
        if not content.tools and data.draw(st.booleans()):
            emit({"text": "", "thoughtSignature": content.signature})  # joins the text part before it
            parts[-1]["thoughtSignature"] = content.signature
    for i, call in enumerate(content.tools):
        fc: dict[str, Any] = {"name": call.name, "args": call.args}
        if with_ids:
            fc["id"] = call.id
        part: dict[str, Any] = {"functionCall": fc}
        if i == 0:
            part["thoughtSignature"] = content.signature
        parts.append(part)
        leaves = _leaves(call.args, "$")
        if leaves is None or data.draw(st.booleans()):
            emit(part)  # the call whole, the usual way
            continue
        opening = {k: v for k, v in fc.items() if k != "args"}
        emit({**part, "functionCall": {**opening, "willContinue": True}})
        for entry in _partial_args(leaves, data):
            emit({"functionCall": {"partialArgs": [entry], "willContinue": True}})
        emit({"functionCall": {}})
    usage = {
        "promptTokenCount": content.prompt_tokens,
        "candidatesTokenCount": content.completion_tokens,
        "totalTokenCount": content.prompt_tokens + content.completion_tokens,
    }
    emit(finish="STOP", usage=usage)
    candidate = {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
    return events, {"candidates": [candidate], "usageMetadata": usage, **head}


@PROPERTIES
@given(content=contents(keys=IDENT), data=st.data())
def test_gemini_stream_adds_up(content: Content, data: st.DataObject) -> None:
    api = AIModelAPI(provider=P.GOOGLE_AI, api_key="test-key")
    events, body = gemini_wire(content, data)
    check(AIModelEndpoint(api=api, ai_model="gemini-2.5-flash"), content, events, body, data)
