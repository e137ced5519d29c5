"""What a recorded answer says, read straight from its raw JSON by rules written from the providers' documentation
(not from the protocol modules), for the cross-wire conformance check; and which wire, if any, a shared record
belongs to.

Each reader returns an :class:`Expect`: the answer text (every text part of the first choice, joined), every
reasoning piece, every tool call with its parsed arguments, the native and normalised finish reason, the usage in the
package's semantics (prompt includes cache, completion includes reasoning) and how many items carry other content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dhenara_http.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthExceededError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    error_class_for_status,
)
from dhenara_http.types.response import ChatResponse, ChatResponseReasoningContentItem

#: The wire protocols the library speaks.
WIRES = ("chat_completions", "responses", "anthropic", "gemini", "converse")

#: Why a provider's records are not checked at all (every recorded provider is checked today).
OUT_OF_SCOPE_PROVIDERS: dict[str, str] = {}


def classify(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(wire, None) for a record the library can read, or (None, why not)."""
    provider = record["provider"]
    if provider in OUT_OF_SCOPE_PROVIDERS:
        return None, OUT_OF_SCOPE_PROVIDERS[provider]
    if provider == "openai_images":
        return "openai_images", None
    endpoint = str(record.get("endpoint") or "")
    url = str(record.get("url") or "").split("?")[0]
    body = record.get("response_body") or ""
    if provider == "bedrock":
        if endpoint in ("converse", "converse-stream"):
            return "converse", None
        if endpoint == "invoke" and '"anthropic_version"' in str(record.get("request_body") or ""):
            return "anthropic", None  # InvokeModel with a Claude body: the Messages wire
        if endpoint == "invoke":
            return None, "InvokeModel of embedding models (embeddings are not implemented)"
        return None, "Bedrock CountTokens (not implemented)"
    if provider == "anthropic":
        if endpoint == "messages":
            return "anthropic", None
        return None, "Files and token-counting endpoints (not implemented)"
    if provider in ("gemini", "vertex"):
        if url.endswith(("rawPredict", "streamRawPredict")):
            return "anthropic", None  # Claude on Vertex: Messages bodies, read through the Vertex host rows
        if endpoint in ("generateContent", "streamGenerateContent"):
            return "gemini", None
        return None, "embeddings, token counting, file-search stores (not implemented)"
    if endpoint == "chat.completions" or (endpoint == "responses" and '"chat.completion' in body[:2000]):
        # (Azure's folder holds a DeepSeek model answering Chat Completions chunks under the responses endpoint.)
        return "chat_completions", None
    if endpoint == "responses":
        return "responses", None
    if endpoint == "responses.retrieve":
        if url.endswith(("/compact", "/input_tokens")):
            return None, "compaction and input-token counting endpoints (not implemented)"
        return "responses", None
    return None, "Realtime session endpoints (not implemented)"


@dataclass
class Expect:
    text: str = ""
    reasoning: list[str] = field(default_factory=list)
    #: Raw reasoning blobs that must survive for replay (signatures, encrypted content).
    reasoning_blobs: list[str] = field(default_factory=list)
    #: (id or None when the wire gives none, name, parsed arguments, raw argument string or None)
    tools: list[tuple[str | None, str, Any, str | None]] = field(default_factory=list)
    finish_native: Any = None
    finish: str | None = None
    usage: dict[str, int | None] | None = None
    others: int = 0
    has_choice: bool = True
    #: Hosted web search: searches run, result blocks (Anthropic), citations on the text.
    searches: int = 0
    search_results: int = 0
    citations: int = 0


def _args(raw: Any) -> tuple[Any, str | None]:
    """Parsed arguments (``{}`` for none, None when they are not a JSON object) and the raw string."""
    if isinstance(raw, dict):
        return raw, None
    if raw is None or raw == "":
        return {}, raw or None
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None, raw
    return (parsed if isinstance(parsed, dict) else None), raw


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# -- Chat Completions --------------------------------------------------------------------------------------------

_CHAT_FINISH = {
    "stop": "stop",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}


def expect_chat(data: dict[str, Any]) -> Expect:
    choices = [c for c in data.get("choices") or [] if isinstance(c, dict)]
    out = Expect(has_choice=bool(choices))
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else (data.get("x_groq") or {}).get("usage")
    if isinstance(usage, dict):
        prompt, completion = _int(usage.get("prompt_tokens")) or 0, _int(usage.get("completion_tokens")) or 0
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": _int(usage.get("total_tokens")) or prompt + completion,
            # Counters are ints on every wire: 0 when the answer reports none (or null).
            "cache_read_tokens": cached if cached is not None else usage.get("prompt_cache_hit_tokens") or 0,
            "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0,
        }
    if not choices:
        return out
    choice = min(choices, key=lambda c: c.get("index", 0))
    message = choice.get("message") or {}
    content = message.get("content")
    if isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                out.text += part
            elif part.get("type") == "text":
                out.text += part["text"]
            elif part.get("type") == "thinking":
                inner = part["thinking"]
                out.reasoning.append(inner if isinstance(inner, str) else "".join(p.get("text", "") for p in inner))
    elif isinstance(content, str):
        out.text = content
    refusal = message["refusal"] if isinstance(message.get("refusal"), str) else ""
    out.text += refusal
    out.reasoning += [message[k] for k in ("reasoning_content", "reasoning") if isinstance(message.get(k), str)]
    calls = list(message.get("tool_calls") or [])
    if isinstance(message.get("function_call"), dict) and message["function_call"].get("name"):
        calls.append({"id": None, "function": message["function_call"]})
    for call in calls:
        fn = call.get("function") or {}
        args, raw = _args(fn.get("arguments"))
        out.tools.append((call.get("id"), fn.get("name") or "", args, raw))
    out.finish_native = choice.get("finish_reason")
    native = out.finish_native
    out.finish = _CHAT_FINISH.get(native, "other") if native else None
    if calls and out.finish == "stop":
        out.finish = "tool_use"  # hosts that answer "stop" after calling tools
    if refusal and out.finish in ("stop", None):
        out.finish = "content_filter"
    audio = message.get("audio")
    out.others = int(isinstance(audio, dict) and any(audio.get(k) for k in ("id", "data", "transcript")))
    return out


# -- Responses ---------------------------------------------------------------------------------------------------


def expect_responses(data: dict[str, Any]) -> Expect:
    out = Expect()
    refused = False
    for item in data.get("output") or []:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if part.get("type") == "output_text":
                    out.text += part.get("text") or ""
                    notes = part.get("annotations") or []
                    out.citations += sum(1 for n in notes if isinstance(n, dict) and n.get("type") == "url_citation")
                elif part.get("type") == "refusal":
                    out.text += part.get("refusal") or ""
                    refused = True
        elif kind == "reasoning":
            out.reasoning += [s["text"] for s in item.get("summary") or [] if s.get("text")]
            out.reasoning += [c["text"] for c in item.get("content") or [] if c.get("text")]
            if item.get("encrypted_content"):
                out.reasoning_blobs.append(item["encrypted_content"])
        elif kind == "function_call":
            args, raw = _args(item.get("arguments"))
            out.tools.append((item.get("call_id"), item.get("name") or "", args, raw))
        elif kind == "web_search_call":
            out.searches += 1
        else:
            out.others += 1
    status = data.get("status")
    reason = (data.get("incomplete_details") or {}).get("reason")
    if status == "incomplete":
        out.finish = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}.get(str(reason), "other")
        out.finish_native = reason or status
    elif status == "failed":
        out.finish, out.finish_native = "error", status
    elif status in ("in_progress", "queued"):
        out.finish, out.finish_native = None, status
    elif status in (None, "completed"):
        out.finish = "tool_use" if out.tools else "content_filter" if refused else "stop"
        out.finish_native = "refusal" if refused and not out.tools else status
    else:
        out.finish, out.finish_native = "other", status
    usage = data.get("usage")
    if isinstance(usage, dict):
        prompt, completion = usage.get("input_tokens") or 0, usage.get("output_tokens") or 0
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": usage.get("total_tokens") or prompt + completion,
            "cache_read_tokens": (usage.get("input_tokens_details") or {}).get("cached_tokens") or 0,
            "reasoning_tokens": (usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
            # OpenAI bills each web_search_call.
            "web_search_requests": out.searches,
        }
    return out


# -- Anthropic Messages ------------------------------------------------------------------------------------------

_ANTHROPIC_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "tool_use": "tool_use",
    "refusal": "content_filter",
    "pause_turn": "pause",
}


def expect_anthropic(data: dict[str, Any]) -> Expect:
    out = Expect()
    for block in data.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            out.text += block.get("text") or ""
            out.citations += len(block.get("citations") or [])
        elif kind == "thinking":
            if block.get("thinking"):
                out.reasoning.append(block["thinking"])
            if block.get("signature"):
                out.reasoning_blobs.append(block["signature"])
        elif kind == "redacted_thinking":
            out.reasoning_blobs.append(block["data"])
        elif kind == "tool_use":
            args, raw = _args(block.get("input"))
            out.tools.append((block.get("id"), block.get("name") or "", args, raw))
        elif kind == "server_tool_use" and block.get("name") == "web_search":
            out.searches += 1
        elif kind == "web_search_tool_result":
            out.search_results += 1
        else:
            out.others += 1
    out.finish_native = data.get("stop_reason")
    out.finish = _ANTHROPIC_FINISH.get(out.finish_native, "other") if out.finish_native else None
    usage = data.get("usage")
    if isinstance(usage, dict):
        read, write = usage.get("cache_read_input_tokens"), usage.get("cache_creation_input_tokens")
        prompt = (usage.get("input_tokens") or 0) + (read or 0) + (write or 0)
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": usage.get("output_tokens") or 0,
            "total_tokens": prompt + (usage.get("output_tokens") or 0),
            "cache_read_tokens": read or 0,
            "cache_write_tokens": write or 0,
            "web_search_requests": (usage.get("server_tool_use") or {}).get("web_search_requests") or 0,
        }
    return out


# -- Gemini ------------------------------------------------------------------------------------------------------

_GEMINI_FILTERS = ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MODEL_ARMOR")
_GEMINI_ERRORS = ("MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "MISSING_THOUGHT_SIGNATURE", "MALFORMED_RESPONSE")


def expect_gemini(data: dict[str, Any]) -> Expect:
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    out = Expect(has_choice=bool(candidates))
    usage = data.get("usageMetadata")
    if isinstance(usage, dict):
        prompt = (usage.get("promptTokenCount") or 0) + (usage.get("toolUsePromptTokenCount") or 0)
        completion = (usage.get("candidatesTokenCount") or 0) + (usage.get("thoughtsTokenCount") or 0)
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": usage.get("totalTokenCount") or prompt + completion,
            "cache_read_tokens": usage.get("cachedContentTokenCount") or 0,
            "reasoning_tokens": usage.get("thoughtsTokenCount") or 0,
        }
    if not candidates:
        block = (data.get("promptFeedback") or {}).get("blockReason")
        if block:
            out.has_choice, out.finish, out.finish_native = True, "content_filter", block
        return out
    candidate = min(candidates, key=lambda c: c.get("index", 0))
    for part in (candidate.get("content") or {}).get("parts") or []:
        if "functionCall" in part:
            fc = part["functionCall"]
            out.tools.append((fc.get("id"), fc.get("name") or "", fc.get("args") or {}, None))
        elif part.get("thought"):
            if part.get("text"):
                out.reasoning.append(part["text"])
        elif "text" in part:
            out.text += part["text"]
        elif set(part) - {"thoughtSignature", "thought"}:
            out.others += 1
        if part.get("thoughtSignature"):
            out.reasoning_blobs.append(part["thoughtSignature"])
    grounding = candidate.get("groundingMetadata") or {}
    queries = grounding.get("webSearchQueries") or []
    web = [c for c in grounding.get("groundingChunks") or [] if c.get("web") is not None]
    if queries or web:
        out.searches = 1  # one search item for the candidate's grounding, however many queries it ran
    has_text = any("text" in p and not p.get("thought") for p in (candidate.get("content") or {}).get("parts") or [])
    if has_text:
        # One citation per (supported segment, source) pair.
        out.citations = sum(
            len(s.get("groundingChunkIndices") or [])
            for s in grounding.get("groundingSupports") or []
            if s.get("segment") is not None
        )
    if out.usage is not None:
        out.usage["web_search_requests"] = sum(
            len((c.get("groundingMetadata") or {}).get("webSearchQueries") or []) or int(bool(out.searches))
            for c in candidates
        )
    native = candidate.get("finishReason")
    out.finish_native = native
    if native:
        if native == "STOP":
            out.finish = "tool_use" if out.tools else "stop"
        elif native == "MAX_TOKENS":
            out.finish = "max_tokens"
        elif native in _GEMINI_FILTERS or native.startswith("IMAGE_"):
            out.finish = "content_filter"
        else:
            out.finish = "error" if native in _GEMINI_ERRORS else "other"
    return out


# -- Bedrock Converse --------------------------------------------------------------------------------------------

#: ``stopReason`` values (Bedrock Converse API reference, ``ConverseOutput``/``StopReason``).
_CONVERSE_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


def expect_converse(data: dict[str, Any]) -> Expect:
    """A Converse answer: ``output.message.content`` blocks (``text``, ``reasoningContent`` with ``reasoningText``
    and its ``signature`` or ``redactedContent``, ``toolUse``; anything else is other content), ``stopReason``, and
    ``usage`` whose ``totalTokens`` counts input, output, cache reads and cache writes."""
    out = Expect()
    for block in ((data.get("output") or {}).get("message") or {}).get("content") or []:
        if isinstance(block.get("text"), str):
            out.text += block["text"]
        elif isinstance(block.get("reasoningContent"), dict):
            reasoning = block["reasoningContent"]
            text = reasoning.get("reasoningText") or {}
            if text.get("text"):
                out.reasoning.append(text["text"])
            for blob in (text.get("signature"), reasoning.get("redactedContent")):
                if blob:
                    out.reasoning_blobs.append(blob)
        elif isinstance(block.get("toolUse"), dict):
            use = block["toolUse"]
            args, raw = _args(use.get("input"))
            out.tools.append((use.get("toolUseId"), use.get("name") or "", args, raw))
        else:
            out.others += 1
    out.finish_native = data.get("stopReason")
    out.finish = _CONVERSE_FINISH.get(out.finish_native, "other") if out.finish_native else None
    usage = data.get("usage")
    if isinstance(usage, dict):
        read, write = usage.get("cacheReadInputTokens") or 0, usage.get("cacheWriteInputTokens") or 0
        prompt = (usage.get("inputTokens") or 0) + read + write
        completion = usage.get("outputTokens") or 0
        out.usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            # (A null total is no total: optional fields read null as absent, on every wire.)
            "total_tokens": usage["totalTokens"] if usage.get("totalTokens") is not None else prompt + completion,
            "cache_read_tokens": read,
            "cache_write_tokens": write,
        }
    return out


EXPECT = {
    "chat_completions": expect_chat,
    "responses": expect_responses,
    "anthropic": expect_anthropic,
    "gemini": expect_gemini,
    "converse": expect_converse,
}


# -- errors ------------------------------------------------------------------------------------------------------

_OPENAI_CODES: dict[str, type[APIStatusError]] = {
    "context_length_exceeded": ContextLengthExceededError,
    "rate_limit_exceeded": RateLimitError,
    "insufficient_quota": RateLimitError,
    "model_not_found": NotFoundError,
    "invalid_api_key": AuthenticationError,
}
#: OpenAI's error types, for a body that arrived without its HTTP status.
_OPENAI_TYPES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "insufficient_quota": RateLimitError,
    "server_error": InternalServerError,
}
_ANTHROPIC_TYPES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "rate_limit_error": RateLimitError,
    "api_error": InternalServerError,
    "overloaded_error": OverloadedError,
}
_GOOGLE_STATUS: dict[str, type[APIStatusError]] = {
    "INVALID_ARGUMENT": BadRequestError,
    "FAILED_PRECONDITION": BadRequestError,
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "ABORTED": ConflictError,
    "RESOURCE_EXHAUSTED": RateLimitError,
    "UNAVAILABLE": OverloadedError,
    "INTERNAL": InternalServerError,
}


def expected_error(wire: str, status: int | None, body: Any) -> tuple[type[APIStatusError], str | None, str | None]:
    """The error class a recorded error body stands for, and its (type, code) as the body names them."""
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    if wire == "anthropic":
        etype = err.get("type")
        return _ANTHROPIC_TYPES.get(str(etype)) or error_class_for_status(status or 500), etype, None
    if wire == "gemini":
        name = err.get("status")
        return _GOOGLE_STATUS.get(str(name)) or error_class_for_status(status or 500), name, None
    if wire == "converse":
        # Bedrock: ``{"message": …}``; the type travels in ``x-amzn-errortype`` (or ``__type``) and the recordings
        # kept no such header, so the status decides.
        name = body.get("__type") if isinstance(body, dict) else None
        return error_class_for_status(status or 500), name, None
    code = err.get("code")
    code = str(code) if code is not None else None
    etype = err.get("type")
    cls = _OPENAI_CODES.get(code or "")
    if cls is None:
        cls = error_class_for_status(status) if status else _OPENAI_TYPES.get(str(etype), InternalServerError)
    return cls, etype, code


# -- comparing ---------------------------------------------------------------------------------------------------


def _covers(actual: str, pieces: list[str]) -> bool:
    """Nothing but separators is left of ``actual`` once every piece is taken out of it."""
    for piece in sorted(pieces, key=len, reverse=True):
        actual = actual.replace(piece, "", 1)
    return not actual.strip()


def assert_matches(response: ChatResponse, want: Expect) -> None:
    if not want.has_choice:
        assert not response.choices or not response.choices[0].contents
        return
    choice = response.choices[0]
    assert (response.text() or "") == want.text
    reasoning_items = [c for c in choice.contents if isinstance(c, ChatResponseReasoningContentItem)]
    shown = [c.get_text() for c in reasoning_items]
    summaries = [s for c in reasoning_items for s in c.thinking_summary or []]
    for piece in want.reasoning:
        assert any(piece in t for t in shown + summaries), f"reasoning piece missing: {piece[:80]!r}"
    # ... and the reasoning shown is made of those pieces only.
    assert _covers("\n\n".join(shown), [p for p in want.reasoning if any(p in t for t in shown)])
    blobs: set[str | None] = {b for c in reasoning_items for b in (c.thinking_signature, c.encrypted_content) if b}
    for c in choice.contents:
        # Gemini: a signature stays on the item made from its part (the raw part, for parts kept generic).
        blobs |= {c.metadata.get("thought_signature"), (c.metadata.get("gemini_part") or {}).get("thoughtSignature")}
    for blob in want.reasoning_blobs:
        assert blob in blobs, "a signature or encrypted reasoning was lost"
    tools = response.tools()
    assert [t.name for t in tools] == [name for _, name, _, _ in want.tools]
    for tool, (call_id, _, args, raw) in zip(tools, want.tools, strict=True):
        if call_id:
            assert tool.id == call_id
        if args is None:
            assert tool.tool_call.raw_arguments == raw  # kept, not lost, when they are not a JSON object
        else:
            assert tool.arguments == args
    assert sum(c.type.value == "generic" for c in choice.contents) == want.others
    assert sum(c.type.value == "web_search_call" for c in choice.contents) == want.searches
    assert sum(c.type.value == "web_search_result" for c in choice.contents) == want.search_results
    cited = [cite for c in choice.contents if c.type.value == "text" for cite in c.citations]
    assert len(cited) == want.citations, "a citation was lost"
    assert choice.metadata.get("native_finish_reason") == want.finish_native
    assert (choice.finish_reason.value if choice.finish_reason else None) == want.finish
    if want.usage is None:
        assert response.usage is None
    else:
        assert response.usage is not None
        got = response.usage.model_dump()
        assert {k: got[k] for k in want.usage} == want.usage
