"""Helpers for the Anthropic Messages tests: models with explicit capabilities, running a call through the public
client against respx, and reading recorded bodies *independently* of the protocol module."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.errors import StreamError
from dhenara_http.types.model import ChatModelSettings, FoundationModel
from dhenara_http.types.response import AIModelCallResponse, ChatResponse
from tests.support.recordings import Reads, body_bytes, http_response, pieces, records, request_json

FIXTURE_DIR = "anthropic"
URL = "https://api.anthropic.com/v1/messages"


def model(
    name: str = "claude-sonnet-4-5",
    *,
    max_out: int = 64_000,
    control: str | None = "token_budget",
    native: bool | None = None,
    efforts: tuple[str, ...] | None = None,
    max_reasoning: int | None = None,
) -> FoundationModel:
    """A Claude model with exactly the capabilities a test states (independent of the catalogue's current rows)."""
    return FoundationModel(
        model_name=name,
        display_name=name,
        provider="anthropic",
        settings=ChatModelSettings(
            max_output_tokens=max_out,
            supports_reasoning=control is not None,
            reasoning_control=control,
            supported_reasoning_efforts=efforts,
            max_reasoning_tokens=max_reasoning,
            native_structured_output=native,
            input_modalities=("text", "image", "pdf"),
        ),
    )


def endpoint(ai_model: FoundationModel | str | None = None, **api_config: Any) -> AIModelEndpoint:
    api = AIModelAPI(provider=AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test", config=api_config)
    return AIModelEndpoint(api=api, ai_model=ai_model if ai_model is not None else model())


def chunked(record: dict[str, Any], size: int = 11) -> httpx.Response:
    """The record's response, delivered in ``size``-byte network reads (events split anywhere)."""
    whole = http_response(record)
    return httpx.Response(whole.status_code, headers=whole.headers, stream=pieces(body_bytes(record), size))


def sse(*payloads: dict[str, Any]) -> list[bytes]:
    """SSE events, one network read each."""
    return [f"event: {p['type']}\ndata: {json.dumps(p)}\n\n".encode() for p in payloads]


def stream_response(reads: list[bytes]) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Reads(reads))


def json_response(data: dict[str, Any], status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def call(
    answer: httpx.Response | list[httpx.Response] | dict[str, Any] | None = None,
    *,
    ai_model: FoundationModel | str | None = None,
    config: AIModelCallConfig | None = None,
    api_config: dict[str, Any] | None = None,
    **generate: Any,
) -> tuple[AIModelCallResponse, list[Any], list[httpx.Request]]:
    """One sync call through ``AIModelClient``: the result, every stream item (for a stream) and the requests sent.
    ``answer`` is a response, several (one per attempt), a record, or None (an empty answer)."""
    if isinstance(answer, dict):
        answer = http_response(answer)
    cfg = config or AIModelCallConfig()
    if "messages" not in generate:
        generate.setdefault("prompt", "Hello")
    with respx.mock(assert_all_called=False) as router:
        route = router.post(URL)
        if isinstance(answer, list):
            route.mock(side_effect=answer)
        else:
            route.mock(return_value=answer or json_response(minimal_message()))
        with AIModelClient(endpoint(ai_model, **(api_config or {})), cfg) as client:
            result = client.generate(**generate)
            items = list(result.stream_generator) if result.stream_generator is not None else []
        sent = [c.request for c in route.calls]
    return result, items, sent


def stream_until_error(
    answer: httpx.Response | list[httpx.Response] | dict[str, Any], config: AIModelCallConfig | None = None
) -> tuple[list[Any], StreamError]:
    """A streamed call that must fail after its first chunk: the items that came, and the error."""
    if isinstance(answer, dict):
        answer = http_response(answer)
    items: list[Any] = []
    with respx.mock(assert_all_called=False) as router:
        route = router.post(URL)
        route.mock(side_effect=answer) if isinstance(answer, list) else route.mock(return_value=answer)
        with AIModelClient(endpoint(), config or AIModelCallConfig(streaming=True)) as client:
            result = client.generate(prompt="Hello")
            assert result.stream_generator is not None
            try:
                for item in result.stream_generator:
                    items.append(item)
            except StreamError as exc:
                return items, exc
    raise AssertionError("the stream did not fail")


def body_of(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)  # type: ignore[no-any-return]


def sent_body(**kwargs: Any) -> dict[str, Any]:
    """The body of the one request a call sends."""
    _, _, sent = call(**kwargs)
    assert len(sent) == 1
    return body_of(sent[0])


def final_of(items: list[Any]) -> ChatResponse:
    last = items[-1]
    assert last[0] is None, "a stream ends with (None, final)"
    assert last[1] is not None
    assert last[1].chat_response is not None
    return last[1].chat_response  # type: ignore[no-any-return]


def minimal_message(text: str = "ok") -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }


def all_records() -> list[tuple[str, dict[str, Any]]]:
    return records(FIXTURE_DIR)


def json_records() -> list[tuple[str, dict[str, Any]]]:
    return [(n, r) for n, r in all_records() if not r["is_stream"] and (r["status"] or 200) < 400]


def stream_records() -> list[tuple[str, dict[str, Any]]]:
    return [(n, r) for n, r in all_records() if r["is_stream"]]


def recorded_request(record: dict[str, Any]) -> dict[str, Any]:
    body = request_json(record)
    assert isinstance(body, dict)
    return body


# -- independent readings of recorded bodies ---------------------------------------------------------------------

#: The documented meaning of each Anthropic stop reason.
NATIVE_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "max_tokens",
    "tool_use": "tool_use",
    "refusal": "content_filter",
    "pause_turn": "pause",
}


def stream_payloads(record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for line in body_bytes(record).decode("utf-8").splitlines():
        if line.startswith("data:") and line[5:].strip().startswith("{"):
            out.append(json.loads(line[5:]))
    return out


def read_stream(record: dict[str, Any]) -> dict[str, Any]:
    """What a recorded stream says, by the tests' own simple rules: per block index its type and its text / thinking
    / signature / tool input, the last message_delta's stop reason and usage (merged over message_start's)."""
    blocks: dict[int, dict[str, Any]] = {}
    usage: dict[str, Any] = {}
    stop = None
    for p in stream_payloads(record):
        kind = p.get("type")
        if kind == "message_start":
            usage = dict(p["message"].get("usage") or {})
        elif kind == "content_block_start":
            b = p["content_block"]
            blocks[p["index"]] = {"type": b["type"], "text": b.get("text", ""), "thinking": b.get("thinking", "")}
            blocks[p["index"]].update({"signature": b.get("signature"), "json": "", "raw": b})
            blocks[p["index"]]["citations"] = list(b.get("citations") or [])
        elif kind == "content_block_delta":
            d, b = p["delta"], blocks[p["index"]]
            if d["type"] == "text_delta":
                b["text"] += d["text"]
            elif d["type"] == "thinking_delta":
                b["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                b["signature"] = d["signature"]
            elif d["type"] == "input_json_delta":
                b["json"] += d["partial_json"]
            elif d["type"] == "citations_delta":
                b.setdefault("citations", []).append(d["citation"])
        elif kind == "message_delta":
            stop = p["delta"].get("stop_reason")
            usage.update({k: v for k, v in (p.get("usage") or {}).items() if v is not None})
    return {"blocks": [blocks[i] for i in sorted(blocks)], "stop": stop, "usage": usage}


def prompt_tokens(usage: dict[str, Any]) -> int:
    return sum(
        int(usage.get(k) or 0) for k in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    )
