"""The mock's Anthropic Messages API: ``POST /v1/messages``, as JSON or as the event stream.

Requests need an ``x-api-key`` (any value; without one: 401 ``authentication_error``) and a known
``anthropic-version`` (without one: 400 ``invalid_request_error``), as the real API does. Errors have Anthropic's
shape, ``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``; an injected 529 is an
``overloaded_error``.

The stream is the real sequence: ``message_start`` (the message envelope with empty content), per content block
``content_block_start`` … deltas … ``content_block_stop`` (``thinking_delta`` pieces then one ``signature_delta``;
``text_delta`` pieces; ``input_json_delta`` pieces of a tool call's input, the first one empty), ``ping`` events (one
after the first block starts, one before the end), ``message_delta`` with the stop reason and the final usage, and
``message_stop``. Its blocks rebuild exactly the message the non-streaming call returns.

A ``web_search_*`` server tool makes the answer search first: a ``server_tool_use`` block (its query), a
``web_search_tool_result`` block (the result pages, with encrypted content) and text blocks whose cited sentences
carry ``web_search_result_location`` citations; ``usage.server_tool_use.web_search_requests`` counts the search. The
stream sends a cited block's citations as ``citations_delta`` events before its text.

Thinking (``thinking.type`` ``enabled`` or ``adaptive``) adds a ``thinking`` block with a signature made from its
text; a replayed thinking block whose signature does not match its text is refused with a 400, as Anthropic refuses
a tampered or foreign signature.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import uuid
from typing import Any

from ._answer import Answer, Conversation, Ids, ToolCall, ToolResult, ToolSpec, plan
from ._http import MockRequest, Reply
from ._routes import Route
from ._wire import arg_pieces, pieces, sse

NAME = "anthropic"
#: ``anthropic-version`` values the API accepts.
VERSIONS = frozenset({"2023-06-01", "2023-01-01"})

_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}
_MESSAGES = dict(_ERRORS.values())
_ATTACHMENTS = ("image", "document", "search_result", "container_upload")


# -- errors and headers ----------------------------------------------------------------------------------------------


def _request_id() -> str:
    return "req_011C" + uuid.uuid4().hex[:20]


def error_body(status: int, message: str | None = None) -> Any:
    """Anthropic's error object for an HTTP status."""
    kind, default = _ERRORS.get(status, ("api_error" if status >= 500 else "invalid_request_error", f"HTTP {status}"))
    return {"type": "error", "error": {"type": kind, "message": message or default}, "request_id": _request_id()}


def _bad_request(request: MockRequest, message: str) -> Reply:
    return Reply.json(error_body(400, message), status=400, headers=headers(request))


def stream_error(kind: Any) -> bytes:
    """The in-band ``event: error``: ``True`` an ``overloaded_error``, a string that error type, a dict as it is."""
    if isinstance(kind, dict):
        return sse(kind, "error")
    etype = kind if isinstance(kind, str) else "overloaded_error"
    return sse({"type": "error", "error": {"type": etype, "message": _MESSAGES.get(etype, etype)}}, "error")


def authorized(request: MockRequest) -> bool:
    return bool((request.header("x-api-key") or "").strip())


def headers(request: MockRequest) -> dict[str, str]:
    """Anthropic's usual response headers, rate limits included (resets as RFC 3339 times, as Anthropic sends them)."""
    reset = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    limits = {"requests": (4000, 3999), "tokens": (400000, 399990), "input-tokens": (200000, 199990)}
    out = {"request-id": _request_id(), "anthropic-organization-id": "00000000-0000-4000-8000-000000000000"}
    for kind, (limit, remaining) in limits.items():
        out[f"anthropic-ratelimit-{kind}-limit"] = str(limit)
        out[f"anthropic-ratelimit-{kind}-remaining"] = str(remaining)
        out[f"anthropic-ratelimit-{kind}-reset"] = reset
    return out


# -- the request -----------------------------------------------------------------------------------------------------


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _result_text(content: Any) -> str:
    return "\n".join(str(b.get("text") or "") for b in _blocks(content) if b.get("type") == "text")


def conversation(body: dict[str, Any]) -> Conversation:
    """The neutral view of a Messages request body."""
    conv = Conversation(model=str(body.get("model")))
    system = body.get("system")
    if isinstance(system, str) and system:
        conv.instructions.append(system)
    else:
        conv.instructions.extend(b["text"] for b in _blocks(system) if isinstance(b.get("text"), str) and b["text"])
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        blocks = _blocks(message.get("content"))
        if message.get("role") == "assistant":
            turn = conv.assistant()
            for block in blocks:
                kind = block.get("type")
                if kind == "text" and block.get("text"):
                    turn.text = f"{turn.text}\n{block['text']}" if turn.text else str(block["text"])
                elif kind == "tool_use":
                    args = block.get("input") if isinstance(block.get("input"), dict) else {}
                    turn.tool_calls.append(ToolCall(str(block.get("name")), args or {}, block.get("id")))
                elif kind in ("thinking", "redacted_thinking"):
                    turn.reasoning_items += 1
            continue
        results = [
            ToolResult(b.get("tool_use_id"), _result_text(b.get("content")))
            for b in blocks
            if b.get("type") == "tool_result"
        ]
        texts = [str(b.get("text") or "") for b in blocks if b.get("type") == "text"]
        attachments = sum(1 for b in blocks if b.get("type") in _ATTACHMENTS)
        if results:
            conv.tool().tool_results.extend(results)
        if texts or attachments or not results:
            conv.user("\n".join(texts), attachments)
    conv.tools = [
        ToolSpec(str(t.get("name")), str(t.get("description") or ""), t.get("input_schema") or {})
        for t in body.get("tools") or []
        if isinstance(t, dict) and "input_schema" in t  # server tools (web search …) have a type, no schema
    ]
    conv.web_search = any(
        isinstance(t, dict) and str(t.get("type", "")).startswith("web_search_") for t in body.get("tools") or []
    )
    choice = body.get("tool_choice") or {}
    kind = choice.get("type", "auto") if isinstance(choice, dict) else "auto"
    conv.tool_choice = {"any": "required", "tool": "required"}.get(kind, kind)
    if kind == "tool":
        conv.forced = [str(choice.get("name"))]
    conv.parallel_tool_calls = not (isinstance(choice, dict) and choice.get("disable_parallel_tool_use"))
    fmt = (body.get("output_config") or {}).get("format") or body.get("output_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        conv.schema = fmt.get("schema") or {}
    thinking = body.get("thinking") or {}
    conv.reasoning = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    conv.reasoning_summary = conv.reasoning and thinking.get("display") != "omitted"
    if isinstance(body.get("max_tokens"), int):
        conv.max_output_tokens = body["max_tokens"]
    return conv


def signature(thinking: str) -> str:
    """The signature of a thinking block: made from its text, so a replay can be checked."""
    digest = hashlib.sha256(f"mock-anthropic-thinking:{thinking}".encode()).digest()
    return base64.b64encode(b"\x12\x30" + digest + digest[:16]).decode("ascii")


def _tampered_thinking(body: dict[str, Any]) -> str | None:
    """The location of a replayed thinking block whose signature is not the one its text got, or None."""
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        for j, block in enumerate(_blocks(message.get("content"))):
            if block.get("type") == "thinking" and block.get("signature") != signature(str(block.get("thinking"))):
                return f"messages.{i}.content.{j}"
    return None


# -- the answer ------------------------------------------------------------------------------------------------------


def _stop_reason(answer: Answer) -> str:
    if answer.tool_calls:
        return "tool_use"
    return "max_tokens" if answer.truncated else "end_turn"


def _usage(answer: Answer) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "input_tokens": answer.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": answer.output_tokens,
        "service_tier": "standard",
    }
    if answer.reasoning is not None:
        usage["output_tokens_details"] = {"thinking_tokens": answer.reasoning_tokens}
    usage["server_tool_use"] = {"web_search_requests": len(answer.searches), "web_fetch_requests": 0}
    return usage


def _search_blocks(answer: Answer, ids: Ids) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for i, search in enumerate(answer.searches):
        call_id = f"srvtoolu_01{ids.alnum(f'search{i}', 22)}"
        blocks.append(
            {"type": "server_tool_use", "id": call_id, "name": "web_search", "input": {"query": search.query}}
        )
        results = [
            {
                "type": "web_search_result",
                "url": r.url,
                "title": r.title,
                "encrypted_content": _encrypted(ids, f"page:{r.url}"),
                "page_age": "1 day ago",
            }
            for r in search.results
        ]
        blocks.append({"type": "web_search_tool_result", "tool_use_id": call_id, "content": results})
    return blocks


def _encrypted(ids: Ids, what: str) -> str:
    return base64.b64encode(hashlib.sha256(f"{ids.seed}:{what}".encode()).digest() * 2).decode("ascii")


def _text_blocks(text: str, answer: Answer, ids: Ids) -> list[dict[str, Any]]:
    """The answer's text; with citations, cut into blocks so that each cited sentence is a block of its own."""
    if not answer.citations:
        return [{"type": "text", "text": text}]
    results = answer.searches[0].results
    blocks: list[dict[str, Any]] = []
    at = 0
    for start, end, n in answer.citations:
        if start > at:
            blocks.append({"type": "text", "text": text[at:start]})
        location = {
            "type": "web_search_result_location",
            "cited_text": results[n].snippet,
            "url": results[n].url,
            "title": results[n].title,
            "encrypted_index": _encrypted(ids, f"index:{n}"),
        }
        blocks.append({"type": "text", "text": text[start:end], "citations": [location]})
        at = end
    if at < len(text):
        blocks.append({"type": "text", "text": text[at:]})
    return blocks


def message_object(conv: Conversation, answer: Answer, ids: Ids) -> dict[str, Any]:
    """The ``Message`` the non-streaming call returns (and the stream's blocks rebuild)."""
    content: list[dict[str, Any]] = []
    if answer.reasoning is not None:
        shown = answer.reasoning if conv.reasoning_summary else ""
        content.append({"type": "thinking", "thinking": shown, "signature": signature(shown)})
    content.extend(_search_blocks(answer, ids))
    if answer.text is not None and (answer.text or not answer.truncated):
        content.extend(_text_blocks(answer.text, answer, ids))
    for i, call in enumerate(answer.tool_calls):
        content.append(
            {
                "type": "tool_use",
                "id": f"toolu_01{ids.alnum(f'tool{i}', 22)}",
                "name": call.name,
                "input": call.arguments,
            }
        )
    return {
        "model": conv.model,
        "id": f"msg_01{ids.alnum('message', 22)}",
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": _stop_reason(answer),
        "stop_sequence": None,
        "usage": _usage(answer),
    }


def _empty(block: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if block["type"] in ("tool_use", "server_tool_use"):
        return {**block, "input": {}}
    if block["type"] == "web_search_tool_result":
        return block  # it comes whole
    if "citations" in block:
        return {"type": "text", "text": "", "citations": []}
    return {"type": "text", "text": ""}


def _deltas(block: dict[str, Any]) -> list[dict[str, Any]]:
    if block["type"] == "thinking":
        out = [{"type": "thinking_delta", "thinking": p} for p in pieces(block["thinking"])]
        return [*out, {"type": "signature_delta", "signature": block["signature"]}]
    if block["type"] in ("tool_use", "server_tool_use"):
        # Anthropic streams tool input as JSON with a space after ``:`` and ``,``, as recorded streams show.
        raw = json.dumps(block["input"], ensure_ascii=False)
        return [{"type": "input_json_delta", "partial_json": p} for p in ["", *arg_pieces(raw)]]
    if block["type"] == "web_search_tool_result":
        return []
    cites = [{"type": "citations_delta", "citation": c} for c in block.get("citations") or []]
    return [*cites, *({"type": "text_delta", "text": p} for p in pieces(block["text"]))]


def stream_events(obj: dict[str, Any]) -> list[bytes]:
    """The event stream that builds ``obj``."""
    events: list[bytes] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append(sse({"type": kind, **fields}, kind))

    usage = obj["usage"]
    start_usage = {k: v for k, v in usage.items() if k != "output_tokens_details"}
    emit(
        "message_start",
        message={
            **obj,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**start_usage, "output_tokens": 1},
        },
    )
    for index, block in enumerate(obj["content"]):
        emit("content_block_start", index=index, content_block=_empty(block))
        if index == 0:
            emit("ping")
        for delta in _deltas(block):
            emit("content_block_delta", index=index, delta=delta)
        emit("content_block_stop", index=index)
    emit("ping")
    final_usage = {k: v for k, v in usage.items() if k not in ("cache_creation", "service_tier")}
    emit("message_delta", delta={"stop_reason": obj["stop_reason"], "stop_sequence": None}, usage=final_usage)
    emit("message_stop")
    return events


def handle(request: MockRequest) -> Reply:
    version = request.header("anthropic-version")
    if not version:
        return _bad_request(request, "anthropic-version: header is required")
    if version not in VERSIONS:
        return _bad_request(request, f'anthropic-version: "{version}" is not a valid version')
    body = request.json
    if not isinstance(body, dict):
        return _bad_request(request, "There was an issue with your request body: expected a JSON object.")
    return respond(request, body)


def respond(request: MockRequest, body: dict[str, Any]) -> Reply:
    """The answer to an authenticated Messages request whose version was checked; shared with the Vertex AI routes,
    which put the model of the path into ``body``."""
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return _bad_request(request, f"{name}: Field required")
    tampered = _tampered_thinking(body)
    if tampered is not None:
        return _bad_request(request, f"{tampered}: Invalid `signature` in `thinking` block")
    conv = conversation(body)
    obj = message_object(conv, plan(conv), Ids(body))
    if body.get("stream"):
        return Reply.stream(stream_events(obj), headers(request))
    return Reply.json(obj, headers=headers(request))


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(r"(?:/v1)?/messages"),
        handler=handle,
        error=error_body,
        authorized=authorized,
        headers=headers,
        stream_error=stream_error,
    )
]
