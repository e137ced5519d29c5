"""The sync client is a shell over the async core: the same call gives the same answer both ways, against the real
(embedded) mock server, streamed or not, on both OpenAI wires."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    Prompt,
    ToolDefinition,
)
from dhenara_http.foundation_models import GPT4oMini, O3Mini
from dhenara_http.testing import MockProviderServer

WIRES = ["responses", "chat_completions"]
WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather of a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
SCENARIOS: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {
    "text": (
        GPT4oMini,
        {},
        {
            "prompt": "Continue the story with a twist.",
            "context": [
                Prompt(text="Tell me a short story about a robot learning to paint."),
                Prompt(role="assistant", text="A robot picked up a brush."),
            ],
            "instructions": ["Build upon the previous story seamlessly."],
        },
    ),
    "tool_call": (GPT4oMini, {"tools": [WEATHER], "tool_choice": "required"}, {"prompt": "What should I wear?"}),
    "reasoning": (O3Mini, {"reasoning": True, "reasoning_effort": "low"}, {"prompt": "How do I cross the street?"}),
}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


def endpoint(server: MockProviderServer, wire: str, model: Any = GPT4oMini) -> AIModelEndpoint:
    return AIModelEndpoint(api=server.api("openai", wire_api=wire), ai_model=model)


def _dump_stream_items(items: list[Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    chunks = [chunk.model_dump() for chunk, _ in items if chunk is not None]
    finals = [final for _, final in items if final is not None]
    assert len(finals) == 1
    assert items[-1][1] is finals[0]  # the final response comes last
    return chunks, finals[0].chat_response.model_dump()


def run_sync(client: AIModelClient, call: dict[str, Any]) -> Any:
    response = client.generate(**call)
    if response.stream_generator is not None:
        return _dump_stream_items(list(response.stream_generator))
    return response.chat_response.model_dump()


async def run_async(client: AIModelClient, call: dict[str, Any]) -> Any:
    response = await client.generate_async(**call)
    if response.async_stream_generator is not None:
        return _dump_stream_items([item async for item in response.async_stream_generator])
    return response.chat_response.model_dump()


@pytest.mark.anyio
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("wire", WIRES)
async def test_sync_and_async_give_equal_responses(
    server: MockProviderServer, wire: str, streaming: bool, scenario: str
) -> None:
    model, options, call = SCENARIOS[scenario]
    config = AIModelCallConfig(streaming=streaming, **options)
    async with AIModelClient(endpoint(server, wire, model), config, is_async=True) as async_client:
        from_async = await run_async(async_client, call)
    with AIModelClient(endpoint(server, wire, model), config) as sync_client:
        from_sync = run_sync(sync_client, call)
    assert from_sync == from_async
    final = from_sync[1] if streaming else from_sync
    assert final["metadata"]["wire_api"] == wire
    first_request, second_request = server.requests
    assert first_request.json == second_request.json  # the same call went out both times
    if scenario == "tool_call":
        assert final["choices"][0]["contents"][-1]["tool_call"]["name"] == "get_weather"
    else:
        assert call["prompt"] in "".join(c.get("text", "") for c in final["choices"][0]["contents"])
    if streaming:
        assert from_sync[0]  # chunks came, and the same ones both ways


@pytest.mark.anyio
@pytest.mark.parametrize("wire", WIRES)
async def test_the_sync_client_works_inside_a_running_event_loop(server: MockProviderServer, wire: str) -> None:
    # As in a Jupyter cell: sync calls made while this coroutine's loop is running.
    with AIModelClient(endpoint(server, wire)) as client:
        whole = client.generate(prompt="Hello from a notebook")
        assert "Hello from a notebook" in whole.chat_response.text()
    with AIModelClient(endpoint(server, wire), AIModelCallConfig(streaming=True)) as client:
        streamed = client.generate(prompt="Hello from a notebook")
        assert streamed.stream_generator is not None
        items = list(streamed.stream_generator)
    final = items[-1][1]
    assert isinstance(final, AIModelCallResponse)
    assert final.chat_response.text() == whole.chat_response.text()


@pytest.mark.parametrize("streaming", [False, True])
def test_a_with_block_reuses_one_connection(server: MockProviderServer, streaming: bool) -> None:
    with AIModelClient(endpoint(server, "responses"), AIModelCallConfig(streaming=streaming)) as client:
        for i in range(3):
            response = client.generate(prompt=f"Question {i}")
            if response.stream_generator is not None:
                response = list(response.stream_generator)[-1][1]
            assert f"Question {i}" in response.chat_response.text()
        assert server.active_connections == 1
    assert len(server.requests) == 3
    assert {r.connection_id for r in server.requests} == {server.requests[0].connection_id}
    assert server.connections_opened == 1
    assert server.wait_for_connections(0)  # and the block's end closed it
