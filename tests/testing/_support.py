"""Helpers for the mock-server tests: raw HTTP against it, SSE decoding, and calls through the public client."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http._decoders.sse import SSEDecoder
from dhenara_http.testing import MockProviderServer
from dhenara_http.types.model import FoundationModel
from dhenara_http.types.response import AIModelCallResponse

ANTHROPIC_HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
GEMINI_HEADERS = {"x-goog-api-key": "test-key"}

WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city", "days"],
    "additionalProperties": False,
}


class Place(pydantic.BaseModel):
    name: str
    kind: str = pydantic.Field(json_schema_extra={"enum": ["city", "village"]})
    population: int = pydantic.Field(ge=1000)


class Trip(pydantic.BaseModel):
    title: str
    stops: list[Place]
    budget: float | None
    confirmed: bool


def words(text: str) -> int:
    return len(text.split())


def events(raw: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in SSEDecoder().feed(raw)]


def payloads(raw: bytes) -> list[Any]:
    return [json.loads(data) for _, data in events(raw)]


def generate(
    server: MockProviderServer,
    provider: str,
    model: FoundationModel | str,
    *,
    prompt: Any = "Tell me a short story about a robot learning to paint.",
    api_config: dict[str, Any] | None = None,
    **config: Any,
) -> AIModelCallResponse:
    """One call through the public client; a stream is read to its end and its final response returned."""
    endpoint = AIModelEndpoint(api=server.api(provider, **(api_config or {})), ai_model=model)
    with AIModelClient(endpoint, AIModelCallConfig(**config)) as client:
        if isinstance(prompt, list):
            response = client.generate(messages=prompt)
        else:
            response = client.generate(prompt=prompt, instructions=["Be creative and engaging."])
        if response.stream_generator is None:
            return response
        final = None
        for chunk, accumulated in response.stream_generator:
            if chunk is not None:
                # Every chunk has a content delta (the public streaming contract).
                assert chunk.data.choice_deltas[0].content_deltas
            if accumulated is not None:
                final = accumulated
        assert final is not None
        return final


def streamed_equals_json(server: MockProviderServer, provider: str, model: FoundationModel | str, **config: Any) -> Any:
    """The same call without and with streaming: the two chat responses must be equal, raw JSON included."""
    plain = generate(server, provider, model, **config).chat_response
    streamed = generate(server, provider, model, streaming=True, **config).chat_response
    assert plain is not None
    assert streamed is not None
    assert streamed.model_dump() == plain.model_dump()
    return plain


def post(client: httpx.Client, server: MockProviderServer, path: str, body: Any, **kw: Any) -> httpx.Response:
    return client.post(server.url(path), json=body, **kw)
