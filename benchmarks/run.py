"""``make bench``: dhenara_http against a raw-httpx floor, measured side by side in one run on a local server that
streams one chunk per event, as providers do.

For each measure the floor is the least a client must do: raw ``httpx`` plus ``json.loads`` — ``httpx.Client`` for
the sync client, ``httpx.AsyncClient`` for the async one. Printed ratios are dhenara_http's time over the floor's
(1.00 = free). Nothing here touches the internet.

* imports: a fresh interpreter importing what a user imports (the client names and one catalogue model) against
  ``import httpx, pydantic, tenacity``;
* cold start: a fresh interpreter importing, building a sync client and making one call, against the same with raw
  httpx; beside it, the bound any pydantic-based client pays at least: the floor plus ``from pydantic import
  BaseModel`` and one model with one field, defined and validated (its time stands in the dhenara_http column, its
  ratio is to the same floor);
* call: a non-streaming call answered by the local server, parsed into a typed response, against post + json.loads;
* stream: a 2,000-chunk streamed answer decoded and accumulated into the final response, against iterating the
  lines and json.loads of each ``data:`` payload;
* threads: eight threads sharing one sync client, each making one call the server answers after 0.3 s, against one
  such call alone.

Fresh interpreters run as the environment makes them: where ``PYTHONDONTWRITEBYTECODE`` is set and the package is
installed editable, dhenara_http is compiled from source on every start while its dependencies (installed by pip, with
their bytecode) are not. The two ``(bytecode cached)`` rows measure both sides with bytecode, as after a regular
install: each interpreter is given one fresh ``PYTHONPYCACHEPREFIX`` that an untimed first run fills.

The summary table gives, per measure, the median over the four wires of the ratio (and of the absolute times).

Calls and streams are timed in rounds, floor and dhenara_http interleaved round by round (so that a busy moment of the
machine weighs on both alike), on clients built beforehand; each figure is the median round. Fresh interpreters are
started alternately too, floor and dhenara_http, and each figure is the median of fifteen.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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


def _timed_run(code: str, env: dict[str, str] | None) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - t


def median_runs(
    floor: str, ours: str, n: int = 15, envs: tuple[dict[str, str], dict[str, str]] | None = None
) -> tuple[float, float]:
    """(floor, ours): the median of ``n`` fresh interpreters each, the two run alternately (as the rounds of
    :func:`compare`) so that a busy moment of the machine weighs on both alike. With ``envs``, an untimed first run
    of each fills its bytecode cache."""
    floor_t, ours_t = median_of_alternate_runs([floor, ours], n, envs)
    return floor_t, ours_t


def median_of_alternate_runs(
    codes: list[str], n: int = 15, envs: tuple[dict[str, str] | None, ...] | None = None
) -> list[float]:
    """The median of ``n`` fresh interpreters for each of ``codes``, run one after the other round by round."""
    env_of = list(envs) if envs is not None else [None] * len(codes)
    if envs is not None:
        for code, env in zip(codes, env_of, strict=True):
            _timed_run(code, env)
    times: list[list[float]] = [[] for _ in codes]
    for _ in range(n):
        for code, env, got in zip(codes, env_of, times, strict=True):
            got.append(_timed_run(code, env))
    return [statistics.median(got) for got in times]


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


#: Every measure taken: (summary row, floor seconds, dhenara_http seconds).
RESULTS: list[tuple[str, float, float]] = []

#: The summary's rows, in order, with their goals (ratio to the floor).
SUMMARY = {
    "imports": 1.3,
    "cold start": 1.5,
    "cold start bound (pydantic)": None,
    "sync call": 1.25,
    "sync stream": 1.35,
    "async call": 1.2,
    "async stream": 1.3,
    "threads": None,
    "imports (bytecode cached)": None,
    "cold start (bytecode cached)": None,
}


def row(name: str, ours: float, floor: float, goal: float | None = None, summary: str | None = None) -> str:
    if summary is not None:
        RESULTS.append((summary, floor, ours))
    ratio = ours / floor if floor else float("nan")
    target = f"{goal:.2f}x" if goal else ""
    return f"| {name:<44} | {_fmt(floor)} | {_fmt(ours)} | {ratio:6.2f}x | {target:>5} |"


def summary_table() -> list[str]:
    """One row per measure: the median over its wires of the ratio, of the floor's time and of ours."""
    lines = [
        f"| {'measure':<28} | {'raw httpx floor':>15} | {'dhenara_http':>12} | {'ratio':>7} | {'goal':>6} |",
        f"|{'-' * 30}|{'-' * 17}|{'-' * 14}|{'-' * 9}|{'-' * 8}|",
    ]
    for name, goal in SUMMARY.items():
        got = [(floor, ours) for key, floor, ours in RESULTS if key == name]
        if not got:
            continue
        ratio = statistics.median(ours / floor for floor, ours in got)
        floor = statistics.median(f for f, _ in got)
        ours = statistics.median(o for _, o in got)
        target = f"{goal:.2f}x" if goal else "≈1.0x" if name == "threads" else ""
        lines.append(f"| {name:<28} | {_fmt(floor):>15} | {_fmt(ours):>12} | {ratio:6.2f}x | {target:>6} |")
    return lines


def sync_compare(floor: Callable[[], object], ours: Callable[[], object], n: int) -> tuple[float, float]:
    """As :func:`compare`, for sync callables."""
    floor()
    ours()

    def one_round(fn: Callable[[], object]) -> float:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t) / n

    floors, ourss = [], []
    for _ in range(ROUNDS):
        floors.append(one_round(floor))
        ourss.append(one_round(ours))
    return statistics.median(floors), statistics.median(ourss)


def endpoint(name: str, base: str) -> Any:
    from dhenara_http import AIModelAPI, AIModelEndpoint

    provider, extra, model, _path, _body = WIRES[name]
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


def urls(name: str, base: str) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    """(url, body, stream url, stream body) of the floor's requests."""
    provider, _extra, _model, path, floor_body = WIRES[name]
    stream_url = (base + path).replace(":generateContent", ":streamGenerateContent") + (
        "?alt=sse" if provider == "google_gemini_api" else ""
    )
    return base + path, floor_body, stream_url, {**floor_body, "stream": True}


HEADERS = {"x-bench-chunks": str(CHUNKS), "authorization": "Bearer k"}


def _loads_events(lines: Any) -> list[Any]:
    return [json.loads(line[6:]) for line in lines if line.startswith("data: ") and line != "data: [DONE]"]


def bench_sync_wire(name: str, base: str, calls: list[str], streams: list[str]) -> None:
    from dhenara_http import AIModelCallConfig, AIModelClient

    url, body, stream_url, stream_body = urls(name, base)
    with (
        httpx.Client() as raw,
        AIModelClient(endpoint(name, base), AIModelCallConfig(max_output_tokens=100)) as client,
        AIModelClient(endpoint(name, base), AIModelCallConfig(max_output_tokens=100, streaming=True)) as sclient,
    ):

        def floor_call() -> object:
            return json.loads(raw.post(url, json=body, headers=HEADERS).content)

        def our_call() -> object:
            return client.generate(prompt="hi")

        def floor_stream() -> object:
            with raw.stream("POST", stream_url, json=stream_body, headers=HEADERS) as r:
                return _loads_events(r.iter_lines())

        def our_stream() -> object:
            final = None
            for _chunk, acc in sclient.generate(prompt="hi").stream_generator or ():  # type: ignore[union-attr]
                if acc is not None:
                    final = acc
            assert final is not None
            return final

        floor_c, our_c = sync_compare(floor_call, our_call, 100)
        floor_s, our_s = sync_compare(floor_stream, our_stream, 5)
    calls.append(row(f"{name}: call (sync)", our_c, floor_c, goal=1.25, summary="sync call"))
    streams.append(row(f"{name}: {CHUNKS}-chunk stream (sync)", our_s, floor_s, goal=1.35, summary="sync stream"))


async def bench_async_wire(name: str, base: str, calls: list[str], streams: list[str]) -> None:
    from dhenara_http import AIModelCallConfig, AIModelClient

    url, body, stream_url, stream_body = urls(name, base)
    config = AIModelCallConfig(max_output_tokens=100, streaming=True)
    async with (
        httpx.AsyncClient() as raw,
        AIModelClient(endpoint(name, base), AIModelCallConfig(max_output_tokens=100), is_async=True) as client,
        AIModelClient(endpoint(name, base), config, is_async=True) as sclient,
    ):

        async def floor_call() -> object:
            r = await raw.post(url, json=body, headers=HEADERS)
            return json.loads(r.content)

        async def our_call() -> object:
            return await client.generate_async(prompt="hi")

        async def floor_stream() -> object:
            async with raw.stream("POST", stream_url, json=stream_body, headers=HEADERS) as r:
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
            return final

        floor_c, our_c = await compare(floor_call, our_call, 100)
        floor_s, our_s = await compare(floor_stream, our_stream, 5)
    calls.append(row(f"{name}: call (async)", our_c, floor_c, goal=1.2, summary="async call"))
    streams.append(row(f"{name}: {CHUNKS}-chunk stream (async)", our_s, floor_s, goal=1.3, summary="async stream"))


def bench_threads(base: str, lines: list[str]) -> None:
    """Eight threads sharing one sync client against one call alone; the server takes 0.3 s to answer each."""
    from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint

    api = AIModelAPI(
        provider="openai", api_key="bench-key", config={"base_url": base + "/v1", "headers": {"x-bench-delay": "0.3"}}
    )
    with AIModelClient(AIModelEndpoint(api=api, ai_model="gpt-4o-mini"), AIModelCallConfig()) as client:
        client.generate(prompt="warm up")
        t = time.perf_counter()
        client.generate(prompt="one")
        one = time.perf_counter() - t
        with ThreadPoolExecutor(8) as pool:
            t = time.perf_counter()
            list(pool.map(lambda i: client.generate(prompt=str(i)), range(8)))
            eight = time.perf_counter() - t
    lines.append(row("8 threads, one sync client, 0.3 s answers", eight, one, goal=2.0, summary="threads"))


IMPORT_FLOOR = "import httpx, pydantic, tenacity"
USER_IMPORT = (
    "from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint\n"
    "from dhenara_http.foundation_models import GPT4oMini\n"
)
COLD_FLOOR = (
    "import json, httpx\n"
    "with httpx.Client() as c:\n"
    "    json.loads(c.post({url!r}, json={body!r}, headers={{'authorization': 'Bearer k'}}).content)\n"
)
#: The least a pydantic-based client adds to the floor's cold start: pydantic's model machinery, one model built and
#: validated (its first validator also loads pydantic's plugin machinery, ``importlib.metadata``).
COLD_BOUND = (
    "from pydantic import BaseModel\nclass Reply(BaseModel):\n    id: str\nReply.model_validate({{'id': 'x'}})\n"
) + COLD_FLOOR
BOUND_NOTE = (
    "cold start bound: not dhenara_http but what any pydantic-based client pays at least, the floor plus pydantic's\n"
    "model machinery and one model built and validated; its time is in the dhenara_http column, its ratio is to the\n"
    "same floor as the cold start's."
)
IMPORTS_ROW = "imports + one catalogue model"
COLD_ROW = "cold start: import, sync client, one call"
BOUND_ROW = "cold start bound: floor + 1 pydantic model"
COLD_OURS = USER_IMPORT + (
    "api = AIModelAPI(provider=AIModelAPIProviderEnum.OPEN_AI, api_key='bench-key', config={{'base_url': {base!r}}})\n"
    "with AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), AIModelCallConfig()) as client:\n"
    "    assert client.generate(prompt='hi').chat_response is not None\n"
)


def bench_starts(base: str, lines: list[str]) -> None:
    url, body, _, _ = urls("openai responses", base)
    cold_floor = COLD_FLOOR.format(url=url, body=body)
    cold_ours = COLD_OURS.format(base=base + "/v1")
    floor_t, our_t = median_runs(IMPORT_FLOOR, USER_IMPORT)
    lines.append(row(IMPORTS_ROW, our_t, floor_t, goal=1.3, summary="imports"))
    # The cold start and its bound, run round by round against the same floor.
    floor_t, our_t, bound_t = median_of_alternate_runs([cold_floor, cold_ours, COLD_BOUND.format(url=url, body=body)])
    lines.append(row(COLD_ROW, our_t, floor_t, goal=1.5, summary="cold start"))
    lines.append(row(BOUND_ROW, bound_t, floor_t, summary="cold start bound (pydantic)"))
    cached = ((IMPORT_FLOOR, USER_IMPORT, IMPORTS_ROW, "imports"), (cold_floor, cold_ours, COLD_ROW, "cold start"))
    for floor_code, our_code, name, summary in cached:
        with tempfile.TemporaryDirectory() as floor_cache, tempfile.TemporaryDirectory() as our_cache:
            floor_t, our_t = median_runs(floor_code, our_code, envs=(_cached_env(floor_cache), _cached_env(our_cache)))
        lines.append(row(f"{name} (bytecode cached)", our_t, floor_t, summary=f"{summary} (bytecode cached)"))


def _cached_env(cache: str) -> dict[str, str]:
    """The environment of an interpreter that reads and writes its bytecode in ``cache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


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
                f"| {'measure':<44} | {'raw httpx floor':>12} | {'dhenara_http':>12} | {'ratio':>7} | {'goal':>5} |",
                f"|{'-' * 46}|{'-' * 14}|{'-' * 14}|{'-' * 9}|{'-' * 7}|",
            ]
            bench_starts(base, lines)
            calls: list[str] = []
            streams: list[str] = []
            for name in WIRES:
                bench_sync_wire(name, base, calls, streams)
                asyncio.run(bench_async_wire(name, base, calls, streams))
            lines += calls + streams
            bench_threads(base, lines)
            print("\n".join(lines))
            print()
            print("\n".join(summary_table()))
            print()
            print(BOUND_NOTE)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
