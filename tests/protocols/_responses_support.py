"""Helpers for the Responses API tests: endpoints, running a body through the public client with respx, and reading
recorded bodies *independently* of the protocol module (so the tests compare two readings of the same bytes)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.types.response import AIModelCallResponse, ChatResponse
from dhenara_http.types.stream import ChatResponseChunk
from tests.support.recordings import Reads, body_bytes, http_response, records

P = AIModelAPIProviderEnum
FIXTURE_DIR = "responses"
OPENAI_URL = "https://api.openai.com/v1/responses"
AZURE_ENDPOINT = "https://unit-test.openai.azure.com"
AZURE_URL = f"{AZURE_ENDPOINT}/openai/v1/responses"
API_KEY = "sk-test-0123456789abcdef"
TERMINAL = ("response.completed", "response.incomplete")


def endpoint(model: str = "gpt-5", provider: str = "openai_responses") -> tuple[AIModelEndpoint, str]:
    """An endpoint for a recorded provider name (``openai_responses`` or ``azure_openai``) and its request URL."""
    if provider == "azure_openai":
        api = AIModelAPI(provider=P.MICROSOFT_OPENAI, api_key="azure-test-key", config={"endpoint": AZURE_ENDPOINT})
        return AIModelEndpoint(api=api, ai_model=model), AZURE_URL
    api = AIModelAPI(provider=P.OPEN_AI, api_key=API_KEY)
    return AIModelEndpoint(api=api, ai_model=model), OPENAI_URL


def all_records() -> list[tuple[str, dict[str, Any]]]:
    return records(FIXTURE_DIR)


def record(name: str) -> dict[str, Any]:
    return dict(all_records())[name]


def answer_records() -> list[tuple[str, dict[str, Any]]]:
    """Recorded successful non-streamed answers."""
    return [
        (n, r)
        for n, r in all_records()
        if not r["is_stream"] and r["status"] == 200 and not json.loads(r["response_body"]).get("error")
    ]


# -- independent readings of recorded bodies -----------------------------------------------------------------------


def stream_payloads(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every decodable JSON payload of a recorded stream, in order (malformed lines skipped)."""
    out = []
    for line in body_bytes(rec).decode("utf-8").splitlines():
        if not line.startswith("data:"):
            continue
        try:
            payload = json.loads(line[len("data:") :])
        except ValueError:
            continue
        if isinstance(payload, dict):
            out.append(payload)
    return out


def terminal_response(rec: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response`` object of the first terminal event of a recorded stream."""
    for payload in stream_payloads(rec):
        if payload.get("type") in TERMINAL:
            response: dict[str, Any] = payload["response"]
            return response
    return None


def output_text(raw: dict[str, Any]) -> str:
    return "".join(
        part["text"]
        for item in raw.get("output") or []
        if item.get("type") == "message"
        for part in item.get("content") or []
        if part.get("type") == "output_text"
    )


def function_calls(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in raw.get("output") or [] if item.get("type") == "function_call"]


def reasoning_items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in raw.get("output") or [] if item.get("type") == "reasoning"]


# -- running calls -------------------------------------------------------------------------------------------------


def call(
    response: httpx.Response,
    *,
    model: str = "gpt-5",
    provider: str = "openai_responses",
    config: AIModelCallConfig | None = None,
    **generate: Any,
) -> tuple[AIModelCallResponse, respx.Route]:
    """One non-streamed call answered by ``response``; the route keeps the request that was sent."""
    ep, url = endpoint(model, provider)
    cfg = config or AIModelCallConfig(retries=0)
    if "messages" not in generate:
        generate.setdefault("prompt", "hi")
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url).mock(return_value=response)
        with AIModelClient(ep, cfg) as client:
            result = client.generate(**generate)
    return result, route


def answer(raw: dict[str, Any], **kwargs: Any) -> ChatResponse:
    """The parsed answer for a raw response object, served as a non-streamed JSON body."""
    result, _ = call(httpx.Response(200, json=raw), **kwargs)
    assert result.chat_response is not None
    return result.chat_response


def sent_body(route: respx.Route) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(route.calls.last.request.content)
    return body


def event_by_event(rec: dict[str, Any]) -> httpx.Response:
    """The recorded stream delivered one event per network read (a plain response delivers it all in one)."""
    events = [e + b"\n\n" for e in body_bytes(rec).split(b"\n\n") if e.strip()]
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Reads(events))


def stream(
    rec: dict[str, Any],
    *,
    model: str = "gpt-5",
    config: AIModelCallConfig | None = None,
    response: httpx.Response | None = None,
) -> tuple[list[ChatResponseChunk], ChatResponse, dict[str, Any]]:
    """All chunks, the final response and the sent body of one streamed call answered by a recorded stream."""
    ep, url = endpoint(model, rec["provider"])
    cfg = config or AIModelCallConfig(streaming=True, retries=0)
    with respx.mock() as mock:
        route = mock.post(url).mock(return_value=response or http_response(rec))
        with AIModelClient(ep, cfg) as client:
            result = client.generate(prompt="hi")
            assert result.stream_generator is not None
            items = list(result.stream_generator)
    return (*_split(items), sent_body(route))


def _split(items: list[Any]) -> tuple[list[ChatResponseChunk], ChatResponse]:
    *chunks, last = items
    assert last[0] is None, "the last stream item must be (None, final)"
    assert last[1] is not None, "the last stream item must be (None, final)"
    assert last[1].chat_response is not None
    out = []
    for chunk, final in chunks:
        assert final is None
        assert chunk is not None
        out.append(chunk.data)
    return out, last[1].chat_response


async def stream_async(rec: dict[str, Any], *, model: str = "gpt-5") -> tuple[list[ChatResponseChunk], ChatResponse]:
    ep, url = endpoint(model, rec["provider"])
    with respx.mock() as mock:
        mock.post(url).mock(return_value=http_response(rec))
        async with AIModelClient(ep, AIModelCallConfig(streaming=True, retries=0), is_async=True) as client:
            result = await client.generate_async(prompt="hi")
            assert result.async_stream_generator is not None
            items = [item async for item in _aiter(result.async_stream_generator)]
    return _split(items)


async def _aiter(gen: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for item in gen:
        yield item


def deltas(chunks: list[ChatResponseChunk]) -> Iterator[Any]:
    for chunk in chunks:
        for choice in chunk.choice_deltas:
            yield from choice.content_deltas
