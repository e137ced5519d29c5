"""The mock's OpenAI Chat Completions API: ``POST /v1/chat/completions`` (also without ``/v1``, as DeepSeek and
other compatible hosts serve it), as JSON or as ``chat.completion.chunk`` events ending in ``data: [DONE]``.

Streams follow the real order: a first chunk with the role, content or tool-call deltas (a tool call's id and name
once, its arguments in pieces, keyed by index), a chunk with only the finish reason, and — when
``stream_options.include_usage`` is set — a usage chunk with no choices (earlier chunks then carry ``"usage": null``).
"""

from __future__ import annotations

import re
from typing import Any

from . import _openai
from ._answer import Answer, Conversation, Ids, ToolCall, ToolResult, ToolSpec, is_reasoning_model, plan
from ._http import MockRequest, Reply
from ._routes import Route

NAME = "chat_completions"
_TEXT_PARTS = ("text", "input_text")


def conversation(body: dict[str, Any]) -> Conversation:
    """The neutral view of a Chat Completions request body."""
    model = str(body.get("model"))
    conv = Conversation(model=model)
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        text, attachments = _openai.content_text(message.get("content"), _TEXT_PARTS)
        if role in ("system", "developer"):
            conv.instructions.append(text)
        elif role == "assistant":
            turn = conv.assistant()
            if text:
                turn.text = f"{turn.text}\n{text}" if turn.text else text
            for call in message.get("tool_calls") or []:
                fn = call.get("function") or {}
                turn.tool_calls.append(
                    ToolCall(str(fn.get("name")), _openai.parse_arguments(fn.get("arguments")), call.get("id"))
                )
        elif role in ("tool", "function"):
            conv.tool().tool_results.append(ToolResult(message.get("tool_call_id"), text, message.get("name")))
        else:
            conv.user(text, attachments)
    conv.tools = [
        ToolSpec(str(fn.get("name")), str(fn.get("description") or ""), fn.get("parameters") or {})
        for fn in (t.get("function") or {} for t in body.get("tools") or [] if isinstance(t, dict))
    ]
    _tool_choice(conv, body.get("tool_choice"))
    conv.parallel_tool_calls = body.get("parallel_tool_calls") is not False
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        conv.schema = (fmt.get("json_schema") or {}).get("schema") or {}
    conv.json_mode = fmt.get("type") == "json_object"
    effort = body.get("reasoning_effort")
    conv.reasoning = effort != "none" and (effort is not None or is_reasoning_model(model))
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if isinstance(limit, int):
        conv.max_output_tokens = limit
    return conv


def _tool_choice(conv: Conversation, choice: Any) -> None:
    if isinstance(choice, str):
        conv.tool_choice = choice
    elif isinstance(choice, dict):
        if choice.get("type") == "function":
            conv.tool_choice = "required"
            conv.forced = [str((choice.get("function") or {}).get("name"))]
        elif choice.get("type") == "allowed_tools":
            allowed_tools = choice.get("allowed_tools") or {}
            conv.tool_choice = str(allowed_tools.get("mode") or "auto")
            allowed = {str((t.get("function") or {}).get("name")) for t in allowed_tools.get("tools") or []}
            conv.tools = [t for t in conv.tools if t.name in allowed]


def _usage(answer: Answer) -> dict[str, Any]:
    return {
        "prompt_tokens": answer.input_tokens,
        "completion_tokens": answer.output_tokens,
        "total_tokens": answer.total_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": answer.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish_reason(answer: Answer) -> str:
    if answer.tool_calls:
        return "tool_calls"
    return "length" if answer.truncated else "stop"


def _calls(answer: Answer, ids: Ids) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{ids.alnum(f'call{i}', 24)}",
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments_json()},
        }
        for i, call in enumerate(answer.tool_calls)
    ]


def _base(conv: Conversation, ids: Ids, kind: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{ids.alnum('completion', 29)}",
        "object": kind,
        "created": ids.created(),
        "model": conv.model,
        "service_tier": "default",
        "system_fingerprint": f"fp_{ids.hex('fingerprint', 10)}",
    }


def completion(conv: Conversation, answer: Answer, ids: Ids) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.text, "refusal": None, "annotations": []}
    if answer.tool_calls:
        message["tool_calls"] = _calls(answer, ids)
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(answer)}
    return {**_base(conv, ids, "chat.completion"), "choices": [choice], "usage": _usage(answer)}


def stream_events(body: dict[str, Any], conv: Conversation, answer: Answer, ids: Ids) -> list[bytes]:
    base = _base(conv, ids, "chat.completion.chunk")
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    events: list[bytes] = []

    def emit(delta: dict[str, Any], finish: str | None = None) -> None:
        chunk: dict[str, Any] = {
            **base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            chunk["usage"] = None
        events.append(_openai.sse(chunk))

    if answer.tool_calls:
        emit({"role": "assistant", "content": None})
        for i, call in enumerate(_calls(answer, ids)):
            fn = call["function"]
            emit(
                {
                    "tool_calls": [
                        {"index": i, "id": call["id"], "type": "function", "function": {**fn, "arguments": ""}}
                    ]
                }
            )
            for piece in _openai.arg_pieces(fn["arguments"]):
                emit({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    else:
        emit({"role": "assistant", "content": "", "refusal": None})
        for piece in _openai.pieces(answer.text or ""):
            emit({"content": piece})
    emit({}, _finish_reason(answer))
    if include_usage:
        events.append(_openai.sse({**base, "choices": [], "usage": _usage(answer)}))
    events.append(b"data: [DONE]\n\n")
    return events


def handle(request: MockRequest) -> Reply:
    problem = _openai.check_body(request, ("model", "messages"))
    if problem is not None:
        return problem
    body: dict[str, Any] = request.json
    conv = conversation(body)
    answer = plan(conv)
    ids = Ids(body)
    headers = _openai.headers(request)
    if body.get("stream"):
        return Reply.stream(stream_events(body, conv, answer, ids), headers)
    return Reply.json(completion(conv, answer, ids), headers=headers)


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(r"(?:/openai)?(?:/v1)?/chat/completions"),
        handler=handle,
        error=_openai.error_body,
        authorized=_openai.authorized,
        headers=_openai.headers,
        stream_error=_openai.stream_error_chat,
    )
]
