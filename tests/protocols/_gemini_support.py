"""Helpers for the Gemini tests: clients on the Gemini API and Vertex AI, running a record through the public client,
and reading what a recorded body says *independently* of the protocol module (so the tests compare two readings)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    FoundationModel,
)
from dhenara_http.types.response import AIModelCallResponse, ChatResponse, StreamItem
from tests.support.recordings import body_bytes, http_response, records

P = AIModelAPIProviderEnum
FIXTURE_DIR = "gemini"
BASE = "https://generativelanguage.googleapis.com/v1beta"
MODEL = "gemini-2.5-flash"
#: A minimal successful answer.
OK_BODY: dict[str, Any] = {
    "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP", "index": 0}],
    "responseId": "ok-1",
}


def all_records() -> list[tuple[str, dict[str, Any]]]:
    return records(FIXTURE_DIR)


def json_records() -> list[tuple[str, dict[str, Any]]]:
    """Successful non-streamed answers."""
    return [(n, r) for n, r in all_records() if not r["is_stream"] and (r["status"] or 200) < 400]


def stream_records() -> list[tuple[str, dict[str, Any]]]:
    return [(n, r) for n, r in all_records() if r["is_stream"]]


def client(
    model: str | FoundationModel = MODEL, api: AIModelAPI | None = None, *, is_async: bool = False, **config: Any
) -> AIModelClient:
    api = api or AIModelAPI(provider=P.GOOGLE_AI, api_key="test-key")
    config.setdefault("retries", 0)
    return AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(**config), is_async=is_async)


def url(model: str = MODEL, *, stream: bool = False) -> str:
    return f"{BASE}/models/{model}:{'streamGenerateContent' if stream else 'generateContent'}"


def run(record: dict[str, Any], *, model: str = MODEL, **config: Any) -> ChatResponse:
    """A recorded non-streamed answer through the public sync client."""
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(model)).mock(return_value=http_response(record))
        response = client(model, **config).generate("hi").chat_response
    assert response is not None
    return response


def run_stream(record: dict[str, Any], *, model: str = MODEL, **config: Any) -> tuple[list[StreamItem], ChatResponse]:
    """A recorded stream through the public sync client: every item, and the final response."""
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url(model, stream=True)).mock(return_value=http_response(record))
        result = client(model, streaming=True, **config).generate("hi")
        assert result.stream_generator is not None
        items = list(result.stream_generator)
    assert route.calls[0].request.url.params["alt"] == "sse"
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None
    return items, final.chat_response


def run_json(body: dict[str, Any], *, model: str = MODEL, **config: Any) -> AIModelCallResponse:
    with respx.mock(assert_all_called=True) as mock:
        mock.post(url(model)).mock(return_value=httpx.Response(200, json=body))
        return client(model, **config).generate("hi")


def sent_body(route: respx.Route, call: int = -1) -> dict[str, Any]:
    return json.loads(route.calls[call].request.content)  # type: ignore[no-any-return]


# -- independent readings of recorded bodies ---------------------------------------------------------------------


def stream_payloads(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON payload of every ``data:`` line of a recorded stream (read without the SSE decoder)."""
    out = []
    for line in body_bytes(record).decode("utf-8").splitlines():
        if line.startswith("data:") and line[5:].strip():
            out.append(json.loads(line[5:]))
    return out


def parts_of(payload: dict[str, Any], candidate: int = 0) -> list[dict[str, Any]]:
    cands = payload.get("candidates") or []
    if len(cands) <= candidate:
        return []
    return list((cands[candidate].get("content") or {}).get("parts") or [])


def all_parts(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for payload in payloads for p in parts_of(payload)]


def expected_text(parts: list[dict[str, Any]]) -> str | None:
    texts = [p["text"] for p in parts if "text" in p and not p.get("thought")]
    joined = "".join(texts)
    return joined if any(p.get("text") for p in parts if "text" in p and not p.get("thought")) else None


def expected_thoughts(parts: list[dict[str, Any]], sep: str = "") -> str:
    """Every thought part's text, joined by ``sep``: pieces of a stream join as they are; the separate thought parts
    of an answer are separate reasoning items, shown a blank line apart (``sep="\\n\\n"``)."""
    return sep.join(p["text"] for p in parts if p.get("thought") and p.get("text"))


def expected_searches(data: dict[str, Any]) -> int:
    """The web searches an answer's grounding lists (``webSearchQueries`` of its candidates)."""
    return sum(
        len((c.get("groundingMetadata") or {}).get("webSearchQueries") or [])
        for c in data.get("candidates") or []
        if isinstance(c, dict)
    )


def expected_usage(usage: dict[str, Any], searches: int = 0) -> dict[str, Any]:
    """Usage as the package defines it, computed from Gemini's counters (and the web searches the answer's grounding
    lists, which Gemini does not count in ``usageMetadata``)."""
    prompt = usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0)
    completion = usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": usage.get("totalTokenCount", prompt + completion),
        # Counters are ints on every wire: 0 when the answer reports none.
        "reasoning_tokens": usage.get("thoughtsTokenCount", 0),
        "cache_read_tokens": usage.get("cachedContentTokenCount", 0),
        "cache_write_tokens": 0,
        "web_search_requests": searches,
    }


def signature_bytes(value: str) -> bytes:
    """A base64 field's bytes, whichever alphabet wrote it (SDKs re-encode signatures URL-safe)."""
    value = value.replace("-", "+").replace("_", "/")
    return base64.b64decode(value + "=" * (-len(value) % 4))


def normalise_b64(node: Any) -> Any:
    """Replace every ``thoughtSignature`` and ``inlineData.data`` by its decoded bytes, so that two encodings of the
    same bytes compare equal."""
    if isinstance(node, list):
        return [normalise_b64(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "thoughtSignature" or (key == "data" and isinstance(value, str) and "mimeType" in node):
            out[key] = signature_bytes(value)
        else:
            out[key] = normalise_b64(value)
    return out


def merge_roles(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recorded contents with consecutive same-role turns joined (this package sends them joined)."""
    out: list[dict[str, Any]] = []
    for content in contents:
        if out and out[-1]["role"] == content["role"]:
            out[-1]["parts"].extend(content["parts"])
        else:
            out.append({"role": content["role"], "parts": list(content["parts"])})
    return out


def value_at(root: Any, json_path: str) -> Any:
    """The value at a ``$.a.b[0]`` path."""
    node = root
    token = ""
    i = 1
    path = json_path
    while i < len(path):
        ch = path[i]
        if ch == ".":
            i += 1
            token = ""
            while i < len(path) and path[i] not in ".[":
                token += path[i]
                i += 1
            node = node[token]
        elif ch == "[":
            end = path.index("]", i)
            node = node[int(path[i + 1 : end])]
            i = end + 1
        else:
            i += 1
    return node
