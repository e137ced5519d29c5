"""The one core and its two drivers, through the public client against the real (embedded) mock server: one client
shared by many threads, abandoned streams, the pool's life, a user's own httpx clients, ``with_options``, sync calls
inside a running event loop, both methods on any client, and the total deadline on the sync path."""

from __future__ import annotations

import ast
import asyncio
import gc
import pathlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    APITimeoutError,
    ConfigurationError,
)
from dhenara_http.foundation_models import Claude35Haiku, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer

HANG_GUARD = 20.0  # seconds; far above what any call here takes, only there to catch a hang
WIRES = {
    "responses": ("openai", {}, GPT4oMini),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}, GPT4oMini),
    "anthropic": ("anthropic", {}, Claude35Haiku),
    "gemini": ("google_gemini_api", {}, Gemini25Flash),
}


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s
    assert s.errors == []


def endpoint(server: MockProviderServer, wire: str = "responses") -> AIModelEndpoint:
    provider, config, model = WIRES[wire]
    return AIModelEndpoint(api=server.api(provider, **config), ai_model=model)


def final_of(response: AIModelCallResponse) -> AIModelCallResponse:
    """The final response of a call, streamed or not (a sync stream is read to its end)."""
    if response.stream_generator is None:
        return response
    items = list(response.stream_generator)  # type: ignore[arg-type]
    final = items[-1][1]
    assert isinstance(final, AIModelCallResponse)
    return final


def text_of(response: AIModelCallResponse) -> str:
    assert response.chat_response is not None
    return response.chat_response.text() or ""


# -- threads --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_one_sync_client_shared_by_many_threads(server: MockProviderServer, wire: str) -> None:
    client = AIModelClient(endpoint(server, wire))
    streaming = client.with_options(streaming=True)
    threads, calls = 8, 6

    def work(t: int) -> list[tuple[str, str]]:
        out = []
        for i in range(calls):
            prompt = f"thread {t} call {i}"
            use = streaming if i % 2 else client
            out.append((prompt, text_of(final_of(use.generate(prompt=prompt)))))
        return out

    with ThreadPoolExecutor(threads) as pool:
        results = [r for rs in pool.map(work, range(threads)) for r in rs]
    assert len(results) == threads * calls
    for prompt, text in results:
        assert f'"{prompt}"' in text  # every answer to its own caller
    assert len(server.requests) == threads * calls  # nothing retried, nothing lost
    client.close()
    assert server.wait_for_connections(0)


def test_threads_call_in_parallel(server: MockProviderServer) -> None:
    """Eight threads each wait on a slow answer at the same time: the server sees eight connections open at once."""
    server.inject(delay=0.5, times=8)
    client = AIModelClient(endpoint(server))
    peak: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak.append(server.active_connections)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(lambda i: text_of(client.generate(prompt=f"slow {i}")), range(8)))
    done.set()
    watcher.join()
    assert all(f'"slow {i}"' in t for i, t in enumerate(texts))
    assert max(peak) == 8  # not serialised
    client.close()


# -- the pool's life and abandoned streams --------------------------------------------------------------------------


def test_one_connection_serves_every_call_of_a_client(server: MockProviderServer) -> None:
    client = AIModelClient(endpoint(server))
    for i in range(5):
        client.generate(prompt=f"call {i}")
    assert server.connections_opened == 1  # keep-alive, also outside ``with``
    client.close()
    assert server.wait_for_connections(0)


@pytest.mark.parametrize("how", ["break", "del", "close"])
def test_an_abandoned_stream_never_breaks_a_later_call(server: MockProviderServer, how: str) -> None:
    client = AIModelClient(endpoint(server), AIModelCallConfig(streaming=True))
    response = client.generate(prompt="first")
    stream = response.stream_generator
    assert stream is not None
    for _ in stream:  # type: ignore[attr-defined]
        break
    if how == "del":
        del stream, response
        gc.collect()
    elif how == "close":
        stream.close()  # type: ignore[union-attr]
    second = final_of(client.generate(prompt="second"))
    assert '"second"' in text_of(second)
    if how != "break":
        # The abandoned stream's connection went back to the pool (and was reused) or was closed.
        assert server.wait_for_connections(1)
    client.close()
    assert server.wait_for_connections(0) or how == "break"


def test_a_client_is_usable_after_its_with_block_and_after_close(server: MockProviderServer) -> None:
    client = AIModelClient(endpoint(server))
    with client:
        assert '"one"' in text_of(client.generate(prompt="one"))
    assert server.wait_for_connections(0)
    with client:  # dhenara-ai re-enters
        assert '"two"' in text_of(client.generate(prompt="two"))
    client.close()
    assert '"three"' in text_of(client.generate(prompt="three"))
    client.close()
    assert server.wait_for_connections(0)


@pytest.mark.anyio
async def test_async_client_reuse_after_async_with(server: MockProviderServer) -> None:
    client = AIModelClient(endpoint(server), is_async=True)
    async with client:
        assert '"one"' in text_of(await client.generate_async(prompt="one"))
    async with client:
        assert '"two"' in text_of(await client.generate_async(prompt="two"))
    assert await asyncio.to_thread(server.wait_for_connections, 0)


# -- both methods on any client -------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("is_async", [False, True])
async def test_generate_and_generate_async_on_any_client(server: MockProviderServer, is_async: bool) -> None:
    client = AIModelClient(endpoint(server), AIModelCallConfig(streaming=True), is_async=is_async)
    sync = client.generate(prompt="sync")
    assert isinstance(sync.stream_generator, Iterator)
    assert sync.async_stream_generator is None
    sync_final = final_of(sync)
    result = await client.generate_async(prompt="sync")
    assert result.stream_generator is result.async_stream_generator  # what the method gives
    assert result.async_stream_generator is not None
    items = [item async for item in result.async_stream_generator]
    async_final = items[-1][1]
    assert async_final is not None
    assert text_of(async_final) == text_of(sync_final)
    client.close()
    await client.aclose()
    with client:
        pass
    async with client:
        pass


# -- a user's own httpx clients ---------------------------------------------------------------------------------------


def test_a_users_sync_client_is_used_and_left_open(server: MockProviderServer) -> None:
    seen: list[str] = []
    own = httpx.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
    client = AIModelClient(endpoint(server), http_client=own)
    client.generate(prompt="one")
    final_of(client.with_options(streaming=True).generate(prompt="two"))
    assert len(seen) == 2
    client.close()
    assert not own.is_closed
    own.get(server.url("/v1/models"))  # still usable (any status)
    own.close()


@pytest.mark.anyio
async def test_a_users_async_client_and_both_together(server: MockProviderServer) -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append("async")

    own_async = httpx.AsyncClient(event_hooks={"request": [hook]})
    own_sync = httpx.Client(event_hooks={"request": [lambda r: seen.append("sync")]})
    client = AIModelClient(endpoint(server), http_client=(own_sync, own_async))
    await client.generate_async(prompt="a")
    client.generate(prompt="s")
    assert seen == ["async", "sync"]
    await client.aclose()
    assert not own_async.is_closed
    assert not own_sync.is_closed
    only_async = AIModelClient(endpoint(server), http_client=own_async)
    only_async.generate(prompt="sync calls use the library's own client")
    assert seen == ["async", "sync"]
    only_async.close()
    await own_async.aclose()
    own_sync.close()  # noqa: ASYNC212 - a sync client, closed once the test is done with it


@pytest.mark.parametrize("bad", [object(), "http://x", (httpx.Client(), httpx.Client()), [httpx.Client()]])
def test_anything_else_as_http_client_is_a_configuration_error(server: MockProviderServer, bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="http_client"):
        AIModelClient(endpoint(server), http_client=bad)


# -- with_options ---------------------------------------------------------------------------------------------------


def test_with_options_changes_the_config_and_shares_the_pool(server: MockProviderServer) -> None:
    base = AIModelClient(endpoint(server), AIModelCallConfig(max_output_tokens=100, retries=3))
    capped = base.with_options(max_output_tokens=5)
    assert capped.config.max_output_tokens == 5
    assert capped.config.retries == 3  # the rest kept
    assert base.config.max_output_tokens == 100  # the original unchanged
    base.generate(prompt="one")
    capped.generate(prompt="two")
    assert server.requests[-1].json["max_output_tokens"] == 5
    assert server.requests[-2].json["max_output_tokens"] == 100
    assert server.connections_opened == 1  # one pool
    with pytest.raises(ValueError, match="max_output_tokens"):
        base.with_options(max_output_tokens=-1)
    base.close()


# -- no event loop on the sync path ---------------------------------------------------------------------------------


def test_a_sync_call_inside_asyncio_run_stays_on_the_calling_thread(server: MockProviderServer) -> None:
    threads: list[int] = []
    own = httpx.Client(event_hooks={"request": [lambda r: threads.append(threading.get_ident())]})
    client = AIModelClient(endpoint(server), AIModelCallConfig(streaming=True), http_client=own)

    async def notebook_cell() -> str:
        # A sync call made while this coroutine's loop is running, as in Jupyter.
        return text_of(final_of(client.generate(prompt="from a notebook")))

    assert '"from a notebook"' in asyncio.run(notebook_cell())
    assert threads == [threading.get_ident()]  # no thread hop
    own.close()


def test_no_module_of_the_core_imports_asyncio() -> None:
    """Only the async transport (and the mock server, which is not the core) may touch asyncio."""
    allowed = {"_transport/http_async.py"}
    root = pathlib.Path(__file__).resolve().parents[1] / "dhenara_http"
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("testing/") or rel in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if "asyncio" in names or (module or "").split(".")[0] == "asyncio":
                offenders.append(rel)
    assert offenders == []


# -- the total deadline on the sync path ------------------------------------------------------------------------------


class TrickleServer:
    """Answers every request with an event-stream head, then one byte per ``every`` seconds (or nothing at all)."""

    def __init__(self, every: float | None) -> None:
        self.every = every
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            try:
                conn.sendall(head)
                body = b'data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\n' * 100
                for byte in body:
                    if self.stop.is_set() or self.every is None:
                        break
                    conn.sendall(b"1\r\n" + bytes([byte]) + b"\r\n")
                    time.sleep(self.every)
                self.stop.wait(HANG_GUARD)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.mark.parametrize("every", [1.0, None], ids=["one-byte-per-second", "silent"])
@pytest.mark.parametrize("streaming", [True, False])
def test_the_total_deadline_holds_on_the_sync_path(every: float | None, streaming: bool) -> None:
    trickle = TrickleServer(every)
    try:
        api_endpoint = AIModelEndpoint(
            api=__import__("dhenara_http").AIModelAPI(
                provider="openai_compatible",
                api_key="sk-test-0000",
                config={"base_url": f"http://127.0.0.1:{trickle.port}"},
            ),
            ai_model="some-model",
        )
        # Each read is well within the read timeout; only the total deadline can end the call.
        config = AIModelCallConfig(streaming=streaming, timeout=1.5, read_timeout=30, retries=0)
        client = AIModelClient(api_endpoint, config)
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            final_of(client.generate(prompt="hi"))
        assert time.monotonic() - started < HANG_GUARD
        assert "total timeout" in str(caught.value)
        assert caught.value.provider == "openai_compatible"
        client.close()
    finally:
        trickle.close()


# -- no warnings under python -X dev ----------------------------------------------------------------------------------

SCENARIOS = """
import asyncio, gc, sys, threading
from concurrent.futures import ThreadPoolExecutor
from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import GPT4oMini
from dhenara_http.testing import MockProviderServer

with MockProviderServer() as server:
    endpoint = AIModelEndpoint(api=server.api("openai"), ai_model=GPT4oMini)
    client = AIModelClient(endpoint)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: client.generate(prompt=str(i)), range(8)))
    stream = client.with_options(streaming=True).generate(prompt="abandoned").stream_generator
    next(stream)
    del stream
    gc.collect()
    with client:
        client.generate(prompt="inside with")
    client.generate(prompt="after with")

    async def main() -> None:
        r = await client.generate_async(prompt="async")
        s = await client.with_options(streaming=True).generate_async(prompt="async stream")
        async for _ in s.async_stream_generator:
            break
    asyncio.run(main())
    asyncio.run(main())  # a second loop: the first one's pool was closed with it
    AIModelClient(endpoint).generate(prompt="a client never closed")
    del client
    gc.collect()
print("done")
"""


def test_no_resource_warnings_or_loop_errors_under_dev_mode() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", SCENARIOS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    for bad in ("ResourceWarning", "Event loop is closed", "Task was destroyed", "Exception ignored"):
        assert bad not in result.stderr
