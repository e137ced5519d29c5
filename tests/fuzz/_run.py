"""Running one mutated answer through the public client (respx answers every request; nothing leaves the machine),
sync (``generate``) or async (``generate_async``), and what came of it: the response (a chat or an image answer), the
stream items that arrived and the exception, if any.

Bedrock calls are SigV4-signed with the mock server's static test keys and go to a local ``base_url`` (respx answers
them there like every other call)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import Gemini25FlashImage, GPTImage1, Imagen4
from dhenara_http.testing.converse import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from dhenara_http.types.model import FoundationModel
from dhenara_http.types.response import ChatResponse, ImageResponse

P = AIModelAPIProviderEnum
#: Per wire: (provider, api config, model). The host is not under test: respx answers any URL.
ENDPOINTS: dict[str, tuple[P, dict[str, Any], str | FoundationModel]] = {
    "anthropic": (P.ANTHROPIC, {}, "claude-sonnet-4-5"),
    "chat_completions": (P.OPEN_AI, {"wire_api": "chat_completions"}, "gpt-4o"),
    "gemini": (P.GOOGLE_AI, {}, "gemini-2.5-flash"),
    "responses": (P.OPEN_AI, {}, "gpt-5"),
    "converse": (
        P.AMAZON_BEDROCK,
        {"region": "us-east-1", "base_url": "http://127.0.0.1:9"},
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    "openai_images": (P.OPEN_AI, {}, GPTImage1),
    "imagen": (P.GOOGLE_AI, {}, Imagen4),
    "gemini_images": (P.GOOGLE_AI, {}, Gemini25FlashImage),
}
#: The wires whose answers are images.
IMAGE_WIRES = frozenset({"openai_images", "imagen", "gemini_images"})
#: The content type of a stream, per wire (server-sent events unless named).
STREAM_TYPES = {"converse": "application/vnd.amazon.eventstream"}


def endpoint(wire: str) -> AIModelEndpoint:
    provider, config, model = ENDPOINTS[wire]
    if provider == P.AMAZON_BEDROCK:
        keys = {"access_key_id": ACCESS_KEY_ID, "secret_access_key": SECRET_ACCESS_KEY}
        api = AIModelAPI(provider=provider, credentials=keys, config=config)
    else:
        api = AIModelAPI(provider=provider, api_key="fuzz-key-0123456789", config=config)
    return AIModelEndpoint(api=api, ai_model=model)


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered in network reads of ``size`` bytes, to a sync or an async client alike."""

    def __init__(self, raw: bytes, size: int) -> None:
        self.raw = raw
        self.size = max(size, 1)

    def __iter__(self) -> Iterator[bytes]:
        for i in range(0, len(self.raw), self.size):
            yield self.raw[i : i + self.size]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(0, len(self.raw), self.size):
            yield self.raw[i : i + self.size]


def answer(wire: str, raw: bytes, stream: bool, read_size: int) -> httpx.Response:
    ctype = STREAM_TYPES.get(wire, "text/event-stream") if stream else "application/json"
    return httpx.Response(200, headers={"content-type": ctype}, stream=Pieces(raw, read_size))


@dataclass
class Outcome:
    response: ChatResponse | ImageResponse | None = None
    items: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    requests: int = 0


@dataclass
class Case:
    wire: str
    raw: bytes
    stream: bool
    read_size: int


class Server:
    """respx answering every request with the current case's body (one router for many cases: entering and leaving
    respx costs more than a call)."""

    def __init__(self) -> None:
        self.case: Case | None = None
        self.requests = 0
        self.router = respx.mock(assert_all_called=False)
        self.router.route().mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        assert self.case is not None
        self.requests += 1
        return answer(self.case.wire, self.case.raw, self.case.stream, self.case.read_size)

    def __enter__(self) -> Server:
        self.router.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.router.__exit__(*exc)

    def begin(self, case: Case) -> Outcome:
        self.case, self.requests = case, 0
        return Outcome()


def _config(stream: bool) -> AIModelCallConfig:
    return AIModelCallConfig(streaming=stream, retries=0)


def run_sync(server: Server, case: Case) -> Outcome:
    outcome = server.begin(case)
    with AIModelClient(endpoint(case.wire), _config(case.stream)) as client:
        try:
            result = client.generate(prompt="hi")
            if result.stream_generator is not None:
                for item in result.stream_generator:
                    outcome.items.append(item)
                outcome.response = _final(outcome.items)
            else:
                outcome.response = result.chat_response or result.image_response
        except Exception as exc:
            outcome.error = exc
    outcome.requests = server.requests
    return outcome


async def _run_async(server: Server, case: Case) -> Outcome:
    outcome = server.begin(case)
    async with AIModelClient(endpoint(case.wire), _config(case.stream), is_async=True) as client:
        try:
            result = await client.generate_async(prompt="hi")
            if result.async_stream_generator is not None:
                async for item in result.async_stream_generator:
                    outcome.items.append(item)
                outcome.response = _final(outcome.items)
            else:
                outcome.response = result.chat_response or result.image_response
        except Exception as exc:
            outcome.error = exc
    outcome.requests = server.requests
    return outcome


def run_async_batch(server: Server, cases: list[Case]) -> list[Outcome]:
    """Several async calls, one after the other, on one event loop (a loop per call would cost more than the call)."""

    async def all_of() -> list[Outcome]:
        return [await _run_async(server, case) for case in cases]

    return asyncio.run(all_of())


def _final(items: list[Any]) -> ChatResponse | None:
    if not items or items[-1][0] is not None or items[-1][1] is None:
        return None
    final: ChatResponse | None = items[-1][1].chat_response
    return final
