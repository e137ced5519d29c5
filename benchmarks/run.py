"""``make bench``: dhenara_http against a raw-httpx floor, measured side by side in one run on a local server.

For each measure the floor is the least a client must do: raw ``httpx`` plus ``json.loads``. Printed ratios are
dhenara_http's time over the floor's (1.00 = free). Nothing here touches the internet.

* import: a fresh interpreter running ``import dhenara_http`` (and, separately, importing what a first call needs)
  against ``import httpx, pydantic, tenacity``;
* construction: building a client against building an ``httpx.AsyncClient``;
* call: a non-streaming call answered by the local server, parsed into a typed response, against post + json.loads;
* stream: a 2,000-chunk streamed answer decoded and accumulated into the final response, against iterating the
  lines and json.loads of each ``data:`` payload.

Calls and streams are timed in rounds, floor and dhenara_http interleaved round by round (so that a busy moment of the
machine weighs on both alike), on clients built beforehand; each figure is the median round.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
CHUNKS = 2000

WIRES = {
    # name: (provider, extra api config, model, path, request body for the floor)
    "openai responses": (
        "openai",
        {},
        "gpt-4o-mini",
        "/v1/responses",
        {"model": "gpt-4o-mini", "input": [{"role": "user", "content": "hi"}]},
    ),
    "openai chat": (
        "openai",
        {"wire_api": "chat_completions"},
        "gpt-4o-mini",
        "/v1/chat/completions",
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    ),
    "anthropic": (
        "anthropic",
        {},
        "claude-3-5-haiku-latest",
        "/v1/messages",
        {"model": "claude-3-5-haiku-latest", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]},
    ),
    "gemini": (
        "google_gemini_api",
        {},
        "gemini-2.0-flash",
        "/v1beta/models/gemini-2.0-flash:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
    ),
}


def median_run(code: str, n: int = 15) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


ROUNDS = 9


async def _round(fn: Callable[[], Awaitable[object]], n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - t) / n


async def compare(
    floor: Callable[[], Awaitable[object]], ours: Callable[[], Awaitable[object]], n: int
) -> tuple[float, float]:
    """(floor, ours): the median over ``ROUNDS`` rounds of ``n`` calls each, the two interleaved round by round so
    that a busy moment of the machine weighs on both alike; one warm-up call each first."""
    await floor()
    await ours()
    floors, ourss = [], []
    for _ in range(ROUNDS):
        floors.append(await _round(floor, n))
        ourss.append(await _round(ours, n))
    return statistics.median(floors), statistics.median(ourss)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.2f} us"


def row(name: str, ours: float, floor: float, goal: float | None = None) -> str:
    ratio = ours / floor if floor else float("nan")
    target = f"{goal:.1f}x" if goal else ""
    return f"| {name:<40} | {_fmt(floor)} | {_fmt(ours)} | {ratio:6.2f}x | {target:>5} |"


async def bench_wire(name: str, base: str, lines: list[str]) -> None:
    from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint

    provider, extra, model, path, floor_body = WIRES[name]
    url = base + path
    headers = {"x-bench-chunks": str(CHUNKS), "authorization": "Bearer k"}

    def endpoint() -> AIModelEndpoint:
        api = AIModelAPI(
            provider=provider,
            api_key="bench-key",
            config={
                "base_url": base + ("/v1beta" if provider == "google_gemini_api" else "/v1"),
                "headers": {"x-bench-chunks": str(CHUNKS)},
                **extra,
            },
        )
        return AIModelEndpoint(api=api, ai_model=model)

    stream_body = {**floor_body, "stream": True}
    stream_url = url.replace(":generateContent", ":streamGenerateContent") + (
        "?alt=sse" if provider == "google_gemini_api" else ""
    )
    config = AIModelCallConfig(max_output_tokens=100, streaming=True)
    async with (
        httpx.AsyncClient() as raw,
        AIModelClient(endpoint(), AIModelCallConfig(max_output_tokens=100), is_async=True) as client,
        AIModelClient(endpoint(), config, is_async=True) as sclient,
    ):

        async def floor_call() -> object:
            r = await raw.post(url, json=floor_body, headers=headers)
            return json.loads(r.content)

        async def our_call() -> object:
            return await client.generate_async(prompt="hi")

        async def floor_stream() -> object:
            async with raw.stream("POST", stream_url, json=stream_body, headers=headers) as r:
                return [
                    json.loads(line[6:])
                    async for line in r.aiter_lines()
                    if line.startswith("data: ") and line != "data: [DONE]"
                ]

        async def our_stream() -> object:
            r = await sclient.generate_async(prompt="hi")
            final = None
            assert r.async_stream_generator is not None
            async for _chunk, acc in r.async_stream_generator:
                if acc is not None:
                    final = acc
            assert final is not None
            assert final.chat_response is not None
            return final

        floor_c, our_c = await compare(floor_call, our_call, 100)
        floor_s, our_s = await compare(floor_stream, our_stream, 5)

    lines.append(row(f"{name}: call", our_c, floor_c, goal=1.3))
    lines.append(row(f"{name}: {CHUNKS}-chunk stream", our_s, floor_s, goal=1.5))


def bench_sync_stream(base: str, lines: list[str]) -> None:
    from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint

    api = AIModelAPI(
        provider="openai",
        api_key="bench-key",
        config={"base_url": base + "/v1", "headers": {"x-bench-chunks": str(CHUNKS)}, "wire_api": "chat_completions"},
    )
    endpoint = AIModelEndpoint(api=api, ai_model="gpt-4o-mini")
    body = {**WIRES["openai chat"][4], "stream": True}

    url, headers = base + "/v1/chat/completions", {"x-bench-chunks": str(CHUNKS)}
    with httpx.Client() as raw, AIModelClient(endpoint, AIModelCallConfig(streaming=True)) as client:

        def floor() -> None:
            with raw.stream("POST", url, json=body, headers=headers) as r:
                for line in r.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])

        def ours() -> None:
            for _chunk, _acc in client.generate(prompt="hi").stream_generator or ():
                pass

        def one_round(fn: Callable[[], None], n: int = 5) -> float:
            t = time.perf_counter()
            for _ in range(n):
                fn()
            return (time.perf_counter() - t) / n

        floor(), ours()
        floors, ourss = [], []
        for _ in range(ROUNDS):
            floors.append(one_round(floor))
            ourss.append(one_round(ours))
        f, o = statistics.median(floors), statistics.median(ourss)
    lines.append(row(f"openai chat: {CHUNKS}-chunk stream (sync)", o, f, goal=1.5))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen([sys.executable, str(HERE / "_server.py"), str(port_file)])
        try:
            for _ in range(100):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            lines = [
                f"| {'measure':<40} | {'raw httpx floor':>12} | {'dhenara_http':>12} | {'ratio':>7} | {'goal':>5} |",
                f"|{'-' * 42}|{'-' * 14}|{'-' * 14}|{'-' * 9}|{'-' * 7}|",
            ]
            floor_i = median_run("import httpx, pydantic, tenacity")
            ours_i = median_run("import dhenara_http")
            first_use = median_run(
                "from dhenara_http import AIModelClient, AIModelAPI, AIModelEndpoint, AIModelCallConfig\n"
                "from dhenara_http.foundation_models import GPT4oMini\n"
                "AIModelClient(AIModelEndpoint(api=AIModelAPI(provider='openai', api_key='k'), ai_model=GPT4oMini),"
                " AIModelCallConfig())"
            )
            lines.append(row("cold import", ours_i, floor_i, goal=1.2))
            lines.append(row("cold import + build a client", first_use, floor_i))

            from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint

            api = AIModelAPI(provider="openai", api_key="k")
            ep = AIModelEndpoint(api=api, ai_model="gpt-4o-mini")
            cfg = AIModelCallConfig()
            n = 2000
            t = time.perf_counter()
            for _ in range(n):
                AIModelClient(ep, cfg, is_async=True)
            ours_b = (time.perf_counter() - t) / n

            async def raw_clients() -> float:
                t = time.perf_counter()
                for _ in range(200):
                    c = httpx.AsyncClient()
                    await c.aclose()
                return (time.perf_counter() - t) / 200

            floor_b = asyncio.run(raw_clients())
            lines.append(row("client construction", ours_b, floor_b))
            for name in WIRES:
                asyncio.run(bench_wire(name, base, lines))
            bench_sync_stream(base, lines)
            print("\n".join(lines))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
