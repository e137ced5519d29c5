"""Every shared recording of a wire the library speaks, read through the public client and compared with what its raw
JSON says (read by :mod:`tests.protocols._conformance_expect`, not by the protocol modules): every text, reasoning and
tool-call part present, arguments complete, usage and finish reason right; streams add up to their events, every chunk
keeps the ``choice_deltas[0].content_deltas[0]`` promise, and the deltas concatenate to the final text and arguments;
recorded errors raise the error class their body names.

The per-wire modules (``test_*_conformance.py``) check each wire's own promises; this one applies one yardstick to all
of them, and also reads the records they leave aside (Responses bodies from DeepSeek, OpenRouter and the retrieve
endpoint, Chat Completions chunks filed under Azure's Responses folder). Skipped when the recordings are absent.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.errors import APIStatusError, ResponseParseError, StreamError
from dhenara_http.types.response import ChatResponse
from dhenara_http.types.stream import (
    ChatResponseChunk,
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from tests.protocols import _anthropic_support, _chat_completions_support, _converse_support, _responses_support
from tests.protocols._conformance_expect import EXPECT, Expect, assert_matches, classify, expected_error
from tests.protocols._vertex_support import assert_token_exchange, token_endpoint, vertex_call
from tests.support.recordings import body_bytes, http_response, shared_records

pytestmark = pytest.mark.conformance

#: Every wire the library speaks. Bedrock records (Converse, and InvokeModel with Claude bodies) are read through
#: the Bedrock host, signed; Vertex AI records through the Vertex host, with a service account.
CLIENT_WIRES = ("chat_completions", "responses", "anthropic", "gemini", "converse")
CASES = [(r, wire) for r in shared_records() for wire in [classify(r)[0]] if wire in CLIENT_WIRES]
IDS = [f"{wire}-{r['provider']}-{r['fixture_file'].rsplit('/', 1)[-1]}#{r['interaction_index']}" for r, wire in CASES]


# -- running a record through the client ------------------------------------------------------------------------


def _bedrock(wire: str, record: dict[str, Any]) -> bool:
    return record["provider"] == "bedrock" and wire in ("converse", "anthropic")


def _endpoint(wire: str, record: dict[str, Any]) -> AIModelEndpoint:
    provider = record["provider"]
    if _bedrock(wire, record):
        return _converse_support.bedrock_endpoint(record, "converse" if wire == "converse" else "invoke")[0]
    if wire == "chat_completions":
        known = ("openai_chat", "azure_openai", "deepseek", *_chat_completions_support.COMPAT_BASE)
        host = provider if provider in known else "other_openai_compatible"
        return _chat_completions_support.endpoint(host, _chat_completions_support.model_of(record))[0]
    if wire == "responses":
        # DeepSeek's and OpenRouter's Responses endpoints are read through the OpenAI host (those hosts are offered
        # on Chat Completions only): the body is the same wire.
        return _responses_support.endpoint("gpt-5", "azure_openai" if provider == "azure_openai" else "")[0]
    vertex = vertex_call(record)
    if vertex is not None:
        # Recorded on Vertex AI: read through the Vertex host rows, the recorded model on the recorded project.
        return AIModelEndpoint(api=vertex.api(), ai_model=vertex.model)
    if wire == "anthropic":
        return _anthropic_support.endpoint()
    api = AIModelAPI(provider=AIModelAPIProviderEnum.GOOGLE_AI, api_key="test-key")
    return AIModelEndpoint(api=api, ai_model="gemini-2.5-flash")


def _run(wire: str, record: dict[str, Any], response: httpx.Response) -> tuple[list[ChatResponseChunk], ChatResponse]:
    """Chunks and final response of one call answered by ``response`` (any URL: the host is not under test, except
    that a record made on Vertex AI or Bedrock must be asked for at its recorded URL, signed)."""
    config = AIModelCallConfig(streaming=bool(record["is_stream"]), retries=0)
    vertex = vertex_call(record)
    bedrock_url = _converse_support.bedrock_endpoint(record, "converse")[1] if _bedrock(wire, record) else None
    with respx.mock(assert_all_called=True) as router:
        token = token_endpoint(router) if vertex is not None else None
        route = router.route().mock(return_value=response)
        with AIModelClient(_endpoint(wire, record), config) as client:
            result = client.generate(prompt="hi")
            sent = route.calls[0].request
            if vertex is not None:
                assert token is not None
                assert_token_exchange(token)
                assert str(sent.url) == vertex.url
                assert sent.headers["authorization"] == "Bearer ya29.conformance-token"
            if _bedrock(wire, record):
                _converse_support.assert_signed_with_test_key(sent)
                if bedrock_url is not None:
                    # (botocore sends the model id's ``:`` as ``%3A``, as the client does; the Anthropic SDK's
                    # Bedrock client, which made the InvokeModel records, sends it bare: the same path.)
                    assert unquote(str(sent.url)) == unquote(bedrock_url)
            if result.stream_generator is None:
                assert result.chat_response is not None
                return [], result.chat_response
            items = list(result.stream_generator)
    *head, (last_chunk, final) = items
    assert last_chunk is None
    assert final is not None
    assert final.chat_response is not None
    chunks = []
    for chunk, accumulated in head:
        assert accumulated is None
        assert chunk is not None
        assert isinstance(chunk.data, ChatResponseChunk)
        chunks.append(chunk.data)
    return chunks, final.chat_response


# -- reading recorded streams independently ---------------------------------------------------------------------


def _payloads(record: dict[str, Any]) -> list[Any]:
    if record["provider"] == "bedrock":
        # Bedrock's event streams, read by botocore: each event as {"<event type>": payload}, each exception frame as
        # {"__type": <exception type>, **payload}.
        return [
            {name: payload} if kind == "event" else {"__type": name, **(payload or {})}
            for kind, name, payload in _converse_support.stream_events(record)
        ]
    out = []
    for line in body_bytes(record).decode("utf-8").splitlines():
        data = line[5:].strip() if line.startswith("data:") else ""
        if data and data != "[DONE]":
            try:
                out.append(json.loads(data))
            except ValueError:
                continue
    return out


def _set_path(root: dict[str, Any], path: str, value: Any, append: bool) -> None:
    """Set (or, for a string piece, extend) the value at a ``$.a.b[0]`` JSON path, creating what is missing."""
    keys: list[str | int] = []
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        keys.append(name if name else int(index))
    node: Any = root
    for key, after in itertools.pairwise(keys):
        empty: Any = [] if isinstance(after, int) else {}
        if isinstance(key, int):
            while len(node) <= key:
                node.append(None)
            node[key] = node[key] if node[key] is not None else empty
        else:
            node.setdefault(key, empty)
        node = node[key]
    last = keys[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = (node[last] or "") + value if append else value
    else:
        node[last] = (node.get(last) or "") + value if append else value


def _gemini_parts(chunks_parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parts of a stream in order, with calls whose arguments streamed in pieces (``willContinue`` /
    ``partialArgs``, Vertex's streamed function-call arguments) put back together."""
    parts: list[dict[str, Any]] = []
    open_call: dict[str, Any] | None = None
    for part in chunks_parts:
        fc = part.get("functionCall")
        if not isinstance(fc, dict):
            parts.append(part)
            continue
        if fc.get("name"):
            open_call = {"name": fc["name"], "args": dict(fc.get("args") or {})}
            if fc.get("id"):
                open_call["id"] = fc["id"]
            parts.append({**part, "functionCall": open_call})
        for piece in fc.get("partialArgs") or []:
            assert open_call is not None, "arguments for no call"
            for kind in ("stringValue", "numberValue", "boolValue", "nullValue"):
                if kind in piece:
                    value = None if kind == "nullValue" else piece[kind]
                    _set_path(open_call["args"], piece["jsonPath"], value, kind == "stringValue")
        if not fc.get("willContinue"):
            open_call = None
    return parts


def _gemini_merged(payloads: list[Any]) -> dict[str, Any]:
    """A stream's ``GenerateContentResponse`` chunks as one: candidate 0's parts in order, the last finish reason
    and usage."""
    parts: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}
    finish = None
    grounding = None
    for payload in payloads:
        for candidate in payload.get("candidates") or []:
            if candidate.get("index", 0) != 0:
                continue
            parts += (candidate.get("content") or {}).get("parts") or []
            finish = candidate.get("finishReason") or finish
            grounding = candidate.get("groundingMetadata") or grounding
        for key in ("usageMetadata", "promptFeedback"):
            if payload.get(key):
                merged[key] = payload[key]
    if parts or finish:
        merged["candidates"] = [{"index": 0, "content": {"parts": _gemini_parts(parts)}, "finishReason": finish}]
        if grounding is not None:
            merged["candidates"][0]["groundingMetadata"] = grounding
    return merged


def _anthropic_message(payloads: list[Any]) -> dict[str, Any] | None:
    """The message a Messages stream carries: its events up to the first ``message_stop`` (one HTTP answer is one
    message; some captures hold several answers back to back). None when it never stops, or a second message starts
    inside the first."""
    message: dict[str, Any] | None = None
    blocks: dict[int, dict[str, Any]] = {}
    for p in payloads:
        kind = p.get("type") if isinstance(p, dict) else None
        if kind == "message_start":
            if message is not None and (blocks or p["message"].get("id") != message.get("id")):
                return None  # another message inside this one: not one answer
            message = {**p["message"], "usage": dict(p["message"].get("usage") or {})}
        elif message is None:
            continue
        elif kind == "content_block_start":
            blocks[p["index"]] = {**p["content_block"], "_json": ""}
        elif kind == "content_block_delta":
            block, delta = blocks[p["index"]], p["delta"]
            if delta["type"] == "text_delta":
                block["text"] = block.get("text", "") + delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
            elif delta["type"] == "input_json_delta":
                block["_json"] += delta["partial_json"]
            elif delta["type"] == "citations_delta":
                block["citations"] = [*(block.get("citations") or []), delta["citation"]]
        elif kind == "message_delta":
            message["stop_reason"] = p["delta"].get("stop_reason")
            message["usage"].update({k: v for k, v in (p.get("usage") or {}).items() if v is not None})
        elif kind == "message_stop":
            content = []
            for index in sorted(blocks):
                block = blocks[index]
                pieces = block.pop("_json")
                if pieces:
                    block["input"] = pieces
                content.append(block)
            return {**message, "content": content}
    return None


def _converse_message(payloads: list[Any]) -> dict[str, Any] | None:
    """The Converse answer a ConverseStream carries (API reference, ``ConverseStreamOutput``): content blocks by
    ``contentBlockIndex`` (text, tool input as JSON text, reasoning text, signature and redacted content), the stop
    reason of ``messageStop`` and the usage of ``metadata``. None when it never stops."""
    blocks: dict[int, dict[str, Any]] = {}
    answer: dict[str, Any] = {}
    for p in payloads:
        ((kind, event),) = p.items() if "__type" not in p else [("exception", p)]
        if kind in ("contentBlockStart", "contentBlockDelta"):
            block = blocks.setdefault(event["contentBlockIndex"], {})
            if "toolUse" in (event.get("start") or {}):
                block["toolUse"] = {**event["start"]["toolUse"], "input": ""}
            delta = event.get("delta") or {}
            if "text" in delta:
                block["text"] = block.get("text", "") + delta["text"]
            if "toolUse" in delta:
                block.setdefault("toolUse", {"input": ""})["input"] += delta["toolUse"].get("input") or ""
            reasoning = delta.get("reasoningContent")
            if reasoning is not None:
                into = block.setdefault("reasoningContent", {})
                if "redactedContent" in reasoning:
                    into["redactedContent"] = into.get("redactedContent", "") + reasoning["redactedContent"]
                else:
                    text = into.setdefault("reasoningText", {})
                    text["text"] = text.get("text", "") + (reasoning.get("text") or "")
                    if reasoning.get("signature"):
                        text["signature"] = reasoning["signature"]
        elif kind == "messageStop":
            answer["stopReason"] = event.get("stopReason")
        elif kind == "metadata" and event.get("usage"):
            answer["usage"] = event["usage"]
    if "stopReason" not in answer:
        return None
    for block in blocks.values():
        if "toolUse" in block:
            raw = block["toolUse"]["input"]
            block["toolUse"]["input"] = json.loads(raw) if raw.strip() else {}
    answer["output"] = {"message": {"role": "assistant", "content": [blocks[i] for i in sorted(blocks)]}}
    return answer


def _stream_expect(wire: str, record: dict[str, Any]) -> Expect | None:
    """What a recorded stream adds up to; None when it never completes (cut, or not one answer)."""
    if wire == "chat_completions":
        rebuilt = _chat_completions_support.rebuild_from_stream(record)
        # Groq reports a stream's usage in its last chunk's ``x_groq.usage``.
        groq = [p["x_groq"]["usage"] for p in _payloads(record) if (p.get("x_groq") or {}).get("usage")]
        if "usage" not in rebuilt and groq:
            rebuilt["usage"] = groq[-1]
        return EXPECT[wire](rebuilt)
    if wire == "responses":
        terminal = _responses_support.terminal_response(record)
        return EXPECT[wire](terminal) if terminal is not None else None
    if wire == "anthropic":
        message = _anthropic_message(_payloads(record))
        return EXPECT[wire](message) if message is not None else None
    if wire == "converse":
        answer = _converse_message(_payloads(record))
        return EXPECT[wire](answer) if answer is not None else None
    return EXPECT[wire](_gemini_merged(_payloads(record)))


def _in_band_error(wire: str, payloads: list[Any]) -> Any:
    """The first error a recorded stream carries in-band, as an error body (``{"error": {...}}``)."""
    for p in payloads:
        if not isinstance(p, dict):
            continue
        if wire == "responses" and p.get("type") in ("error", "response.failed"):
            err = (
                p.get("error") or (p.get("response") or {}).get("error") or {k: v for k, v in p.items() if k != "type"}
            )
            return {"error": err}
        if wire == "anthropic" and p.get("type") == "error":
            return p
        if wire in ("chat_completions", "gemini") and p.get("error"):
            return p
        if wire == "converse" and "__type" in p:
            return p
    return None


# -- comparing ---------------------------------------------------------------------------------------------------


def assert_chunks(chunks: list[ChatResponseChunk], final: ChatResponse, *, check_text: bool = True) -> None:
    """The chunk promise, and deltas that add up to the final response."""
    text, reasoning = "", ""
    args: dict[int, str] = {}
    for chunk in chunks:
        assert isinstance(chunk.choice_deltas[0].content_deltas[0].get_text_delta(), str)
        for choice in chunk.choice_deltas:
            if choice.index != 0:
                continue
            for delta in choice.content_deltas:
                if isinstance(delta, ChatResponseTextContentItemDelta):
                    text += delta.text_delta
                elif isinstance(delta, ChatResponseReasoningContentItemDelta):
                    reasoning += delta.text_delta
                elif isinstance(delta, ChatResponseToolCallContentItemDelta):
                    args[delta.index] = args.get(delta.index, "") + delta.arguments_delta
    if check_text:
        assert text == (final.text() or "")
    whole = "".join(final.reasoning() or "")
    assert "".join(reasoning.split()) == "".join(whole.split())
    tools = final.tools()
    assert len(args) == len(tools)
    for pieces, tool in zip(args.values(), tools, strict=True):
        assert (json.loads(pieces) if pieces.strip() else {}) == tool.arguments


def _error_body(record: dict[str, Any]) -> Any:
    """The JSON error body of a record (a stream refused before it began included), or None when it is an answer."""
    if record["is_stream"] and (record["status"] or 200) < 400:
        return None
    try:
        body = json.loads(record["response_body"] or "null")
    except ValueError:
        return None
    first = body[0] if isinstance(body, list) and body else body
    if (record["status"] or 200) >= 400:
        return first
    answer_keys = ("choices", "output", "content", "candidates")
    if isinstance(first, dict) and first.get("error") and not any(k in first for k in answer_keys):
        return first
    return None


def assert_error(error: BaseException, wire: str, status: int | None, body: Any) -> None:
    if isinstance(error, StreamError):
        assert error.error is not None
        error = error.error
    assert isinstance(error, APIStatusError)
    cls, etype, code = expected_error(wire, status, body)
    assert isinstance(error, cls), f"{type(error).__name__} is not a {cls.__name__}"
    assert error.error_type == etype
    if code is not None and wire != "gemini":
        assert error.error_code == code
    if status:
        assert error.status_code == status


@pytest.mark.skipif(not CASES, reason="the shared conformance recordings are not beside the repository")
@pytest.mark.parametrize(("record", "wire"), CASES, ids=IDS)
def test_recording_reads_as_its_raw_json_says(record: dict[str, Any], wire: str) -> None:
    error_body = _error_body(record)
    if error_body is not None:
        # A body kept without its status (vercel fixtures) is served with 200: the body alone must say what it is.
        status = record["status"] if (record["status"] or 200) >= 400 else None
        with pytest.raises((APIStatusError, StreamError)) as caught:
            _run(wire, record, httpx.Response(status or 200, json=error_body))
        assert_error(caught.value, wire, status, error_body)
        return
    answer = _converse_support.recorded_response(record) if _bedrock(wire, record) else http_response(record)
    if not record["is_stream"]:
        raw = json.loads(record["response_body"])
        _, response = _run(wire, record, answer)
        assert_matches(response, EXPECT[wire](raw))
        assert response.provider_response == raw
        return
    payloads = _payloads(record)
    in_band = _in_band_error(wire, payloads)
    want = _stream_expect(wire, record)
    if in_band is not None or want is None:
        with pytest.raises((APIStatusError, StreamError, ResponseParseError)) as caught:
            _run(wire, record, answer)
        if in_band is not None:
            code = (in_band.get("error") or {}).get("code") if isinstance(in_band, dict) else None
            status = code if isinstance(code, int) and code >= 400 else None  # OpenRouter, Google: the HTTP code
            assert_error(caught.value, wire, status, in_band)
        return
    chunks, final = _run(wire, record, answer)
    assert_matches(final, want)
    recorded = "".join(p.get("delta") or "" for p in payloads if p.get("type") == "response.output_text.delta")
    # (A few hand-edited captures have text deltas that contradict their own done events; their final counts.)
    contradicted = wire == "responses" and not want.text.startswith(recorded)
    known = _known_stream_issue(wire, payloads)
    try:
        assert_chunks(chunks, final, check_text=not contradicted)
    except AssertionError:
        if known is None:
            raise
        pytest.xfail(known)


def _known_stream_issue(wire: str, payloads: list[Any]) -> str | None:
    """A stream-side defect found by this check and reported (the stream modules are not changed here)."""
    if wire == "responses" and any(
        p.get("type") == "response.content_part.added" and (p.get("part") or {}).get("type") == "reasoning_text"
        for p in payloads
    ):
        return "a reasoning_text content part is caught up as answer-text deltas (content_part.done)"
    if wire == "anthropic":
        streamed = {p.get("index") for p in payloads if (p.get("delta") or {}).get("type") == "input_json_delta"}
        for p in payloads:
            block = p.get("content_block") or {}
            if block.get("type") == "tool_use" and block.get("input") and p.get("index") not in streamed:
                return "a tool_use whose input arrives whole in content_block_start yields no argument deltas"
    return None
