"""Load: 500 concurrent streamed calls through one async ``AIModelClient`` against the embedded mock server (real
HTTP on 127.0.0.1), each with its own prompt. Every call completes; its text deltas add up to its final text, which is
what the server's own answer function gives for the request it received; and after ``aclose()`` no connection is
left open. The time limit is a guard against a hang, not a performance assertion.

One client holds up to 1000 connections (``HTTPTransport``'s pool), so 500 streams open side by side without
waiting for one another; the limits need no change for this.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import Claude35Haiku, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer, anthropic, chat_completions, gemini, responses
from dhenara_http.testing._answer import Conversation, plan
from dhenara_http.types.model import FoundationModel
from dhenara_http.types.stream import ChatResponseChunk, ChatResponseTextContentItemDelta

CALLS = 500
HANG_GUARD = 120.0  # seconds; a run takes a few, this only catches a hang


def _openai_responses(request: Any) -> Conversation:
    return responses.conversation(request.json)


def _openai_chat(request: Any) -> Conversation:
    return chat_completions.conversation(request.json)


def _anthropic(request: Any) -> Conversation:
    return anthropic.conversation(request.json)


def _gemini(request: Any) -> Conversation:
    return gemini.conversation(request.params["model"].split("/", 1)[-1], request.json)


#: (API provider, extra API config, model, the mock's reading of a request of that wire)
WIRES: dict[str, tuple[str, dict[str, Any], FoundationModel, Any]] = {
    "responses": ("openai", {}, GPT4oMini, _openai_responses),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}, GPT4oMini, _openai_chat),
    "anthropic": ("anthropic", {}, Claude35Haiku, _anthropic),
    "gemini": ("google_gemini_api", {}, Gemini25Flash, _gemini),
}


def prompt_of(i: int) -> str:
    return f"Question {i}: what is {i} times {i + 7}, and which prime follows {i * 31}?"


async def one_call(client: AIModelClient, i: int) -> tuple[str, str, str | None]:
    """(prompt, the text deltas joined, the final text) of one streamed call."""
    response = await client.generate_async(prompt=prompt_of(i))
    assert response.async_stream_generator is not None
    shown = ""
    final = None
    async for chunk, accumulated in response.async_stream_generator:
        if chunk is not None:
            assert isinstance(chunk.data, ChatResponseChunk)
            delta = chunk.data.choice_deltas[0].content_deltas[0]
            if isinstance(delta, ChatResponseTextContentItemDelta):
                shown += delta.get_text_delta()
        if accumulated is not None:
            assert accumulated.chat_response is not None
            final = accumulated.chat_response.text()
    return prompt_of(i), shown, final


@pytest.mark.anyio
@pytest.mark.timeout(300)
@pytest.mark.parametrize("wire", list(WIRES))
async def test_500_concurrent_streams_through_one_client(wire: str) -> None:
    provider, config, model, read_request = WIRES[wire]
    async with MockProviderServer() as server:
        endpoint = AIModelEndpoint(api=server.api(provider, **config), ai_model=model)
        client = AIModelClient(endpoint, AIModelCallConfig(streaming=True, retries=0), is_async=True)
        results: list[tuple[str, str, str | None]] = [("", "", None)] * CALLS

        async def run(i: int) -> None:
            results[i] = await one_call(client, i)

        started = time.monotonic()
        with anyio.fail_after(HANG_GUARD):
            async with anyio.create_task_group() as tasks:
                for i in range(CALLS):
                    tasks.start_soon(run, i)
        assert time.monotonic() - started < HANG_GUARD
        pool = client._pools.async_.client()
        peak = server.connections_opened
        await client.aclose()

        assert server.errors == []
        requests = server.requests
        assert len(requests) == CALLS  # nothing retried, nothing lost
        # What the server generated for each request, by its own answer function.
        generated = {}
        for request in requests:
            conv = read_request(request)
            generated[conv.turns[-1].text] = plan(conv).text
        for prompt, shown, final in results:
            assert final is not None
            assert prompt in final
            assert shown == final
            assert final == generated[prompt]
        assert len({final for _, _, final in results}) == CALLS  # every answer its own
        assert 1 < peak <= CALLS  # connections were opened side by side, none beyond one per call
        assert pool.is_closed
        assert await anyio.to_thread.run_sync(server.wait_for_connections, 0, 10.0)
        assert server.active_connections == 0
