"""Helpers for the Chat Completions tests: endpoints per recorded host, running a record through the public client,
and reading what a recorded body says *independently* of the protocol module (so the tests compare two readings)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.types.response import AIModelCallResponse, ChatResponse
from tests.support.recordings import body_bytes, http_response, pieces, records, request_json

P = AIModelAPIProviderEnum
FIXTURE_DIR = "chat_completions"

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
AZURE_ENDPOINT = "https://unit-test.openai.azure.com"
AZURE_URL = f"{AZURE_ENDPOINT}/openai/v1/chat/completions"
DEEPSEEK_URL = "https://api.deepseek.com/chat/completions"
COMPAT_BASE = {
    "groq": "https://api.groq.com/openai/v1",
    "mistral": "https://api.mistral.ai/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "ollama": "http://localhost:11434/v1",
    "other_openai_compatible": "https://llm.example.com/v1",
}


def all_records() -> list[tuple[str, dict[str, Any]]]:
    return records(FIXTURE_DIR)


def stream_records() -> list[tuple[str, dict[str, Any]]]:
    return [(n, r) for n, r in all_records() if r["is_stream"]]


def json_records() -> list[tuple[str, dict[str, Any]]]:
    """Successful non-streamed answers."""
    return [(n, r) for n, r in all_records() if not r["is_stream"] and (r["status"] or 200) < 400]


def model_of(record: dict[str, Any]) -> str:
    req = request_json(record)
    if isinstance(req, dict) and req.get("model"):
        return str(req["model"])
    body = record["response_body"] or ""
    if not record["is_stream"]:
        return str(json.loads(body).get("model") or "test-model")
    for line in body.splitlines():
        line = line.removeprefix("data:").strip()
        if line.startswith("{"):
            model = json.loads(line).get("model")
            if model:
                return str(model)
    return "test-model"


def endpoint(provider: str, model: str, **config: Any) -> tuple[AIModelEndpoint, str]:
    """An endpoint for a recorded provider name, and the URL its requests go to."""
    if provider == "openai_chat":
        api = AIModelAPI(provider=P.OPEN_AI, api_key="sk-test", config={"wire_api": "chat_completions", **config})
        url = OPENAI_URL
    elif provider == "azure_openai":
        api = AIModelAPI(
            provider=P.MICROSOFT_OPENAI,
            api_key="azure-test",
            config={"endpoint": AZURE_ENDPOINT, "wire_api": "chat_completions", **config},
        )
        url = AZURE_URL
    elif provider == "deepseek":
        api = AIModelAPI(provider=P.DEEPSEEK, api_key="ds-test", config=config)
        url = DEEPSEEK_URL
    else:
        base = COMPAT_BASE[provider]
        api = AIModelAPI(provider=P.OPENAI_COMPATIBLE, api_key="compat-test", config={"base_url": base, **config})
        url = f"{base}/chat/completions"
    return AIModelEndpoint(api=api, ai_model=model), url


def record_endpoint(record: dict[str, Any]) -> tuple[AIModelEndpoint, str]:
    return endpoint(record["provider"], model_of(record))


def chunked_response(record: dict[str, Any], size: int = 7) -> httpx.Response:
    """The record's response, its body delivered in ``size``-byte network reads (events split anywhere)."""
    whole = http_response(record)
    return httpx.Response(whole.status_code, headers=whole.headers, stream=pieces(body_bytes(record), size))


def call(
    record: dict[str, Any] | None,
    *,
    config: AIModelCallConfig | None = None,
    response: httpx.Response | None = None,
    provider: str | None = None,
    model: str | None = None,
    **generate: Any,
) -> tuple[AIModelCallResponse, list[Any], list[httpx.Request]]:
    """One sync call through ``AIModelClient``, answered by the record (or ``response``): the result, every stream
    item (for a stream) and the requests sent."""
    provider = provider or (record["provider"] if record else "openai_chat")
    model = model or (model_of(record) if record else "gpt-4o")
    ep, url = endpoint(provider, model)
    cfg = config or AIModelCallConfig(streaming=bool(record and record["is_stream"]))
    if "messages" not in generate:
        generate.setdefault("prompt", "Hello")
    with respx.mock(assert_all_called=False) as router:
        route = router.post(url).mock(return_value=response or http_response(record or {}))
        with AIModelClient(ep, cfg) as client:
            result = client.generate(**generate)
            items = list(result.stream_generator) if result.stream_generator is not None else []
        sent = [c.request for c in route.calls]
    return result, items, sent


def sent_body(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)  # type: ignore[no-any-return]


def final_of(items: list[Any]) -> ChatResponse:
    last = items[-1]
    assert last[0] is None, "a stream ends with (None, final)"
    assert last[1] is not None
    assert last[1].chat_response is not None
    return last[1].chat_response  # type: ignore[no-any-return]


# -- independent readings of recorded bodies ---------------------------------------------------------------------


def stream_payloads(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON payloads of a recorded stream's ``data:`` lines (``[DONE]`` and comments left out)."""
    out = []
    for line in body_bytes(record).decode("utf-8").splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data and data != "[DONE]":
            out.append(json.loads(data))
    return out


def rebuild_from_stream(record: dict[str, Any]) -> dict[str, Any]:
    """The ``chat.completion`` a recorded stream adds up to, read by the tests' own simple rules: content strings and
    text parts concatenate, reasoning under whichever field it came, tool calls by ``index`` (or in order when a host
    gives none), the last non-null usage, the last non-null finish reason."""
    choices: dict[int, dict[str, Any]] = {}
    top: dict[str, Any] = {"object": "chat.completion"}
    usage = None
    for payload in stream_payloads(record):
        for key in ("id", "model", "created"):
            if payload.get(key) and key not in top:
                top[key] = payload[key]
        if isinstance(payload.get("usage"), dict):
            usage = payload["usage"]
        for ch in payload.get("choices") or []:
            st = choices.setdefault(ch.get("index", 0), {"content": None, "thinking": "", "tools": {}, "fr": None})
            delta = ch.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str):
                st["content"] = (st["content"] or "") + content
            elif isinstance(content, list):
                st["array"] = True
                for part in content:
                    if part.get("type") == "text":
                        st["content"] = (st["content"] or "") + part["text"]
                    elif part.get("type") == "thinking":
                        st["thinking"] += "".join(p["text"] for p in part["thinking"])
            for name in ("reasoning_content", "reasoning"):
                if delta.get(name):
                    st[name] = st.get(name, "") + delta[name]
                    break
            for n, tc in enumerate(delta.get("tool_calls") or []):
                key = tc.get("index", f"pos{len(st['tools']) + n}")
                slot = st["tools"].setdefault(key, {"id": None, "name": None, "arguments": ""})
                slot["id"] = slot["id"] or tc.get("id")
                fn = tc.get("function") or {}
                slot["name"] = slot["name"] or fn.get("name") or None
                slot["arguments"] += fn.get("arguments") or ""
            if ch.get("finish_reason"):
                st["fr"] = ch["finish_reason"]
    out_choices = []
    for index in sorted(choices):
        st = choices[index]
        message: dict[str, Any] = {"role": "assistant", "content": st["content"]}
        if st.get("array"):
            parts = []
            if st["thinking"]:
                parts.append({"type": "thinking", "thinking": [{"type": "text", "text": st["thinking"]}]})
            if st["content"]:
                parts.append({"type": "text", "text": st["content"]})
            message["content"] = parts
        for name in ("reasoning_content", "reasoning"):
            if name in st:
                message[name] = st[name]
        if st["tools"]:
            message["tool_calls"] = [
                {"id": t["id"], "type": "function", "function": {"name": t["name"], "arguments": t["arguments"]}}
                for t in st["tools"].values()
            ]
        out_choices.append({"index": index, "message": message, "finish_reason": st["fr"]})
    top["choices"] = out_choices
    if usage is not None:
        top["usage"] = usage
    return top


def expected(data: dict[str, Any]) -> dict[str, Any]:
    """What a ``chat.completion`` object says of its first choice: text, reasoning, tool calls, native finish reason,
    and its usage."""
    choice = data["choices"][0]
    message = choice["message"]
    content = message.get("content")
    thinking = ""
    if isinstance(content, list):
        text = "".join(p["text"] for p in content if p.get("type") == "text")
        thinking = "".join(q["text"] for p in content if p.get("type") == "thinking" for q in p["thinking"])
    else:
        text = content or ""
    reasoning = (message.get("reasoning_content") or message.get("reasoning") or "") + thinking
    tools = [
        (tc.get("id"), tc["function"]["name"], json.loads(tc["function"]["arguments"] or "{}"))
        for tc in message.get("tool_calls") or []
    ]
    usage = data.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    cached = details.get("cached_tokens")
    if cached is None:
        cached = usage.get("prompt_cache_hit_tokens") or 0
    return {
        "text": text,
        "reasoning": reasoning or None,
        "tools": tools,
        "finish": choice.get("finish_reason"),
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "total_tokens": usage.get("total_tokens", 0),
        "cached": cached,
        # Counters are ints on every wire: 0 when the answer reports none.
        "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0,
    }


#: The documented meaning of each native finish reason (OpenAI's list, plus what compatible hosts send).
NATIVE_FINISH = {"stop": "stop", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "content_filter"}


def projection(response: ChatResponse) -> dict[str, Any]:
    """What must be equal between a streamed and a non-streamed answer, in plain data."""
    return {
        "choices": [
            {
                "index": c.index,
                "finish_reason": c.finish_reason,
                "contents": [
                    (
                        item.type.value,
                        item.get_text() if item.type.value != "tool_call" else None,
                        (item.tool_call.id, item.tool_call.name, item.tool_call.arguments)
                        if item.type.value == "tool_call"
                        else None,
                    )
                    for item in c.contents
                ],
            }
            for c in response.choices
        ],
        "usage": response.usage.model_dump() if response.usage else None,
        "usage_charge": response.usage_charge.model_dump() if response.usage_charge else None,
    }
