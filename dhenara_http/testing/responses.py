"""The mock's OpenAI Responses API: ``POST /v1/responses``, as JSON or as the full event stream.

The stream is the real sequence: ``response.created``, ``response.in_progress``, then per output item
``output_item.added`` … deltas … ``output_item.done`` (reasoning summary parts, message content parts, function-call
arguments), and finally ``response.completed`` (``response.incomplete`` when ``max_output_tokens`` cut the text)
carrying the whole response object — the same object the non-streaming call returns.

With a ``web_search`` tool, the answer opens with a ``web_search_call`` item (its query, and its ``sources`` when the
request includes ``web_search_call.action.sources``) and its text carries ``url_citation`` annotations; the stream
sends the search's ``response.web_search_call.*`` events and each citation as ``response.output_text.annotation.added``.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from . import _openai
from ._answer import Answer, Conversation, Ids, ToolCall, ToolResult, ToolSpec, is_reasoning_model, plan
from ._http import MockRequest, Reply
from ._routes import Route

NAME = "responses"
_TEXT_PARTS = ("input_text", "output_text", "text")


def conversation(body: dict[str, Any]) -> Conversation:
    """The neutral view of a Responses request body."""
    model = str(body.get("model"))
    conv = Conversation(model=model)
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        conv.instructions.append(body["instructions"])
    items = body.get("input")
    if isinstance(items, str):
        conv.user(items)
        items = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            text, attachments = _openai.content_text(item.get("content"), _TEXT_PARTS)
            role = item.get("role")
            if role in ("system", "developer"):
                conv.instructions.append(text)
            elif role == "assistant":
                turn = conv.assistant()
                turn.text = f"{turn.text}\n{text}" if turn.text else text
            else:
                conv.user(text, attachments)
        elif kind == "function_call":
            call = ToolCall(str(item.get("name")), _openai.parse_arguments(item.get("arguments")), item.get("call_id"))
            conv.assistant().tool_calls.append(call)
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else _openai.content_text(output, _TEXT_PARTS)[0]
            conv.tool().tool_results.append(ToolResult(item.get("call_id"), text))
        elif kind == "reasoning":
            conv.assistant().reasoning_items += 1
    conv.tools = [
        ToolSpec(str(t.get("name")), str(t.get("description") or ""), t.get("parameters") or {})
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function"
    ]
    conv.web_search = any(
        isinstance(t, dict) and str(t.get("type", "")).startswith("web_search") for t in body.get("tools") or []
    )
    _tool_choice(conv, body.get("tool_choice"))
    conv.parallel_tool_calls = body.get("parallel_tool_calls") is not False
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        conv.schema = fmt.get("schema") or {}
    conv.json_mode = fmt.get("type") == "json_object"
    reasoning = body.get("reasoning") or {}
    effort = reasoning.get("effort")
    conv.reasoning = effort != "none" and (effort is not None or is_reasoning_model(model))
    conv.reasoning_summary = reasoning.get("summary") in ("auto", "concise", "detailed")
    if isinstance(body.get("max_output_tokens"), int):
        conv.max_output_tokens = body["max_output_tokens"]
    return conv


def _tool_choice(conv: Conversation, choice: Any) -> None:
    if isinstance(choice, str):
        conv.tool_choice = choice
    elif isinstance(choice, dict):
        if choice.get("type") == "function" and choice.get("name"):
            conv.tool_choice = "required"
            conv.forced = [str(choice["name"])]
        elif choice.get("type") == "allowed_tools":
            conv.tool_choice = str(choice.get("mode") or "auto")
            allowed = {str(t.get("name")) for t in choice.get("tools") or [] if isinstance(t, dict)}
            conv.tools = [t for t in conv.tools if t.name in allowed]


def _encrypted(ids: Ids, text: str) -> str:
    # Looks like OpenAI's Fernet tokens; the mock can read it back when it is replayed.
    return "gAAAAA" + base64.urlsafe_b64encode(f"{ids.seed[:16]}:{text}".encode()).decode("ascii")


def response_object(body: dict[str, Any], conv: Conversation, answer: Answer, ids: Ids) -> dict[str, Any]:
    """The complete response object, as the non-streaming call returns it and ``response.completed`` carries it."""
    rid = ids.hex("response", 48)
    output: list[dict[str, Any]] = []
    if answer.reasoning is not None:
        item: dict[str, Any] = {"id": f"rs_{rid[:8]}{ids.hex('reasoning', 40)}", "type": "reasoning"}
        item["summary"] = [{"type": "summary_text", "text": answer.reasoning}] if conv.reasoning_summary else []
        if "reasoning.encrypted_content" in (body.get("include") or []):
            item["encrypted_content"] = _encrypted(ids, answer.reasoning)
        output.append(item)
    with_sources = "web_search_call.action.sources" in (body.get("include") or [])
    for i, search in enumerate(answer.searches):
        action: dict[str, Any] = {"type": "search", "query": search.query, "queries": [search.query]}
        if with_sources:
            action["sources"] = [{"type": "url", "url": r.url} for r in search.results]
        output.append(
            {"id": f"ws_{rid[:8]}{ids.hex(f'search{i}', 40)}", "type": "web_search_call", "status": "completed"}
            | {"action": action}
        )
    if answer.text is not None and (answer.text or not answer.truncated):
        results = answer.searches[0].results if answer.searches else []
        annotations = [
            {"type": "url_citation", "start_index": start, "end_index": end, "url": results[n].url}
            | {"title": results[n].title}
            for start, end, n in answer.citations
        ]
        part = {"type": "output_text", "annotations": annotations, "logprobs": [], "text": answer.text}
        output.append(
            {
                "id": f"msg_{rid[:8]}{ids.hex('message', 40)}",
                "type": "message",
                "status": "incomplete" if answer.truncated else "completed",
                "content": [part],
                "role": "assistant",
            }
        )
    for i, call in enumerate(answer.tool_calls):
        output.append(
            {
                "id": f"fc_{rid[:8]}{ids.hex(f'function_call{i}', 40)}",
                "type": "function_call",
                "status": "completed",
                "arguments": call.arguments_json(),
                "call_id": f"call_{ids.alnum(f'call{i}', 24)}",
                "name": call.name,
            }
        )
    reasoning = body.get("reasoning") or {}
    text_config = body.get("text") or {}
    return {
        "id": f"resp_{rid}",
        "object": "response",
        "created_at": ids.created(),
        "status": "incomplete" if answer.truncated else "completed",
        "background": False,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if answer.truncated else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": conv.model,
        "output": output,
        "parallel_tool_calls": conv.parallel_tool_calls,
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "reasoning": {
            "effort": reasoning.get("effort", "medium" if conv.reasoning else None),
            "summary": reasoning.get("summary"),
        },
        "safety_identifier": None,
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": text_config.get("format") or {"type": "text"}, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": [_echo_tool(t) for t in body.get("tools") or [] if isinstance(t, dict)],
        "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": {
            "input_tokens": answer.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": answer.output_tokens,
            "output_tokens_details": {"reasoning_tokens": answer.reasoning_tokens},
            "total_tokens": answer.total_tokens,
        },
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def _echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function":
        return tool
    return {"description": None, "strict": True, **tool}


def stream_events(obj: dict[str, Any]) -> list[bytes]:
    """The event stream that builds ``obj``."""
    events: list[bytes] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append(_openai.sse({"type": kind, "sequence_number": len(events), **fields}, kind))

    start = {**obj, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    emit("response.created", response=start)
    emit("response.in_progress", response=start)
    for index, item in enumerate(obj["output"]):
        item_id = item["id"]
        if item["type"] == "reasoning":
            emit("response.output_item.added", output_index=index, item={**item, "summary": []})
            for si, part in enumerate(item["summary"]):
                at = {"item_id": item_id, "output_index": index, "summary_index": si}
                emit("response.reasoning_summary_part.added", **at, part={"type": "summary_text", "text": ""})
                for piece in _openai.pieces(part["text"]):
                    emit("response.reasoning_summary_text.delta", **at, delta=piece)
                emit("response.reasoning_summary_text.done", **at, text=part["text"])
                emit("response.reasoning_summary_part.done", **at, part=part)
        elif item["type"] == "web_search_call":
            emit("response.output_item.added", output_index=index, item={**item, "status": "in_progress"})
            for stage in ("in_progress", "searching", "completed"):
                emit(f"response.web_search_call.{stage}", output_index=index, item_id=item_id)
        elif item["type"] == "message":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "content": []},
            )
            for ci, part in enumerate(item["content"]):
                at = {"item_id": item_id, "output_index": index, "content_index": ci}
                emit("response.content_part.added", **at, part={**part, "text": "", "annotations": []})
                for piece in _openai.pieces(part["text"]):
                    emit("response.output_text.delta", **at, delta=piece, logprobs=[])
                for n, note in enumerate(part["annotations"]):
                    emit("response.output_text.annotation.added", **at, annotation_index=n, annotation=note)
                emit("response.output_text.done", **at, text=part["text"], logprobs=[])
                emit("response.content_part.done", **at, part=part)
        elif item["type"] == "function_call":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "status": "in_progress", "arguments": ""},
            )
            for piece in _openai.arg_pieces(item["arguments"]):
                emit("response.function_call_arguments.delta", item_id=item_id, output_index=index, delta=piece)
            emit(
                "response.function_call_arguments.done",
                item_id=item_id,
                output_index=index,
                arguments=item["arguments"],
            )
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.incomplete" if obj["status"] == "incomplete" else "response.completed", response=obj)
    return events


def handle(request: MockRequest) -> Reply:
    problem = _openai.check_body(request, ("model", "input"))
    if problem is not None:
        return problem
    body: dict[str, Any] = request.json
    conv = conversation(body)
    obj = response_object(body, conv, plan(conv), Ids(body))
    headers = _openai.headers(request)
    if body.get("stream"):
        return Reply.stream(stream_events(obj), headers)
    return Reply.json(obj, headers=headers)


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(r"(?:/openai)?(?:/v1)?/responses"),
        handler=handle,
        error=_openai.error_body,
        authorized=_openai.authorized,
        headers=_openai.headers,
        stream_error=_openai.stream_error_responses,
    )
]
