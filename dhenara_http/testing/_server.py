"""``MockProviderServer``: a real HTTP/1.1 server on 127.0.0.1 speaking the providers' wire protocols.

It runs an asyncio streams server on its own event loop in a background thread, so it serves sync code, async code
on another loop, and subprocesses alike, and holds hundreds of concurrent streaming connections. Connections are
kept alive between requests (HTTP/1.1 rules); streams are written chunked, one chunk per event.

Tests script failures with :meth:`MockProviderServer.inject` (a queue of :class:`Fault` rows taken by the next
matching requests) and read what arrived in :attr:`MockProviderServer.requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import struct
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._accounts import service_account
from ._faults import Fault, add_headers, event_data, fault_reply
from ._http import LAST_CHUNK, BadRequest, MockRequest, Reply, chunk, head_bytes, read_request, reply_head
from ._routes import Route, default_routes, find_route
from .google_oauth import TokenIssuer

if TYPE_CHECKING:
    from ..types.api import AIModelAPI

#: Path prefix of each API provider's default base URL (``AIModelAPIProviderEnum`` values).
API_PREFIXES = {"google_gemini_api": "/v1beta", "microsoft_openai": "/openai/v1", "amazon_bedrock": ""}
#: The API providers whose wires the server speaks out of the box.
DEFAULT_PROVIDERS = ("openai", "anthropic", "google_gemini_api")


class MockProviderServer:
    """An embedded provider server. ``with MockProviderServer() as server:`` (or ``async with``) starts it on a
    free port; point an API at it with ``server.api("openai")`` or ``config={"base_url": server.url("/v1")}``.

    ``event_delay`` paces stream events (seconds between two events). ``token_lifetime`` is the lifetime of the
    OAuth tokens the server issues to Vertex AI clients (``server.oauth`` has them, see
    :mod:`dhenara_http.testing.google_oauth`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        routes: Iterable[Route] | None = None,
        event_delay: float = 0.0,
        token_lifetime: float = 3600.0,
    ) -> None:
        self.host = host
        self.port = port
        self.event_delay = event_delay
        self.routes: list[Route] = list(routes) if routes is not None else default_routes()
        #: The OAuth tokens this server issues (Vertex AI, the metadata server): their lifetime, clock and history.
        self.oauth = TokenIssuer(lifetime=token_lifetime)
        #: State kept between requests for the wire modules (each request's ``state``).
        self.state: dict[str, Any] = {"google_oauth": self.oauth}
        #: Exceptions raised by route handlers (each answered with a 500); a test can assert it stays empty.
        self.errors: list[BaseException] = []
        self.connections_opened = 0
        self._active = 0
        self._faults: list[Fault] = []
        self._requests: list[MockRequest] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> MockProviderServer:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._connection, self.host, self.port, backlog=4096, limit=1024 * 1024)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name=f"dhenara-mock-server-{id(self):x}", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every connection (hung ones included) and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = None
        self._thread = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        if tasks:
            # Aborted connections end their handlers; a handler asleep in a delay is cancelled.
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def astart(self) -> MockProviderServer:
        """:meth:`start` without blocking the caller's event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, self.start)

    async def astop(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    def __enter__(self) -> MockProviderServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockProviderServer:
        return await self.astart()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop()

    # -- addresses -------------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:PORT`` (append the API's path prefix, e.g. ``/v1``)."""
        if self._thread is None:
            raise RuntimeError("the mock server is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base_url + path

    def api(self, provider: Any = "openai", api_key: str = "mock-key", **config: Any) -> AIModelAPI:
        """An ``AIModelAPI`` for ``provider`` whose ``base_url`` points here (``config`` adds keys, e.g.
        ``wire_api="chat_completions"``). For Vertex AI its credentials are the mock's own service-account key, whose
        ``token_uri`` is this server's token endpoint."""
        from ..types.api import AIModelAPI
        from ..types.enums import AIModelAPIProviderEnum

        provider = AIModelAPIProviderEnum(provider)
        base = self.url(API_PREFIXES.get(provider.value, "/v1"))
        if provider is AIModelAPIProviderEnum.AMAZON_BEDROCK and api_key == "mock-key":
            # Bedrock signs with SigV4: the server's test credentials (a Bedrock API key is accepted too).
            from .converse import ACCESS_KEY_ID, SECRET_ACCESS_KEY

            credentials = {"access_key_id": ACCESS_KEY_ID, "secret_access_key": SECRET_ACCESS_KEY}
            return AIModelAPI(provider=provider, credentials=credentials, config={"base_url": base, **config})
        if provider is AIModelAPIProviderEnum.GOOGLE_VERTEX_AI:
            # The mock's own service account, its tokens issued here; the project is the key's.
            account = service_account(token_uri=self.url("/token"))
            config = {"base_url": base, "location": "us-central1", **config}
            return AIModelAPI(provider=provider, credentials={"service_account_json": account}, config=config)
        return AIModelAPI(provider=provider, api_key=api_key, config={"base_url": base, **config})

    def environment(self, providers: Iterable[Any] = DEFAULT_PROVIDERS) -> dict[str, str]:
        """Environment variables (``DHENARA_HTTP_BASE_URL_<PROVIDER>``) that point every ``AIModelAPI`` of these
        providers built without a ``base_url`` at this server — for running a program unchanged against it."""
        from ..types.api import base_url_env_var
        from ..types.enums import AIModelAPIProviderEnum

        env: dict[str, str] = {}
        for value in providers:
            provider = AIModelAPIProviderEnum(value)
            env[base_url_env_var(provider)] = self.url(API_PREFIXES.get(provider.value, "/v1"))
        return env

    # -- scripting and inspection ----------------------------------------------------------------------------------

    def inject(self, **fault: Any) -> Fault:
        """Queue a :class:`Fault` (keyword arguments as its fields); faults are taken in the order queued."""
        row = Fault(**fault)
        with self._lock:
            self._faults.append(row)
        return row

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[MockRequest]:
        """Every request received so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def active_connections(self) -> int:
        return self._active

    def wait_for_connections(self, count: int = 0, timeout: float = 5.0) -> bool:
        """Wait until exactly ``count`` connections are open (a client's close reaches the server asynchronously)."""
        deadline = time.monotonic() + timeout
        while self._active != count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _take_fault(self, request: MockRequest) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path in request.path:
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- serving ---------------------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        self.connections_opened += 1
        self._active += 1
        connection_id = next(self._ids)
        try:
            while True:
                try:
                    request = await read_request(reader, connection_id)
                except BadRequest as exc:
                    body = json.dumps({"error": {"message": str(exc)}}).encode()
                    head = {"content-type": "application/json", "content-length": str(len(body))}
                    writer.write(head_bytes(exc.status, {**head, "connection": "close"}) + body)
                    await writer.drain()
                    break
                if request is None or not await self._serve(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            # A cancelled connection is the server stopping: end quietly (asyncio's start_server would report a
            # cancelled handler task as an error).
            pass
        finally:
            self._active -= 1
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    def _answer(self, request: MockRequest, route: Route | None, path_known: bool) -> Reply:
        if route is None:
            status = 405 if path_known else 404
            message = f"{request.method} {request.path} is not served here"
            return Reply.json({"error": {"message": message, "type": "invalid_request_error"}}, status=status)
        if not route.authorized(request):
            return route.error_reply(request, 401, "No API key was given (the mock accepts any key).")
        try:
            return route.handler(request)
        except Exception as exc:  # a bug in a handler must reach the test, not hang it
            self.errors.append(exc)
            return route.error_reply(request, 500, f"mock server error: {type(exc).__name__}: {exc}")

    async def _serve(self, request: MockRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; whether the connection stays open for the next."""
        request.state = self.state
        with self._lock:
            self._requests.append(request)
        route, path_known = find_route(self.routes, request)
        refused = route.authenticate(request) if route is not None and route.authenticate is not None else None
        fault = self._take_fault(request) if refused is None else None
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.reset:
                _reset(writer)
                return False
            if fault.hang:
                await _until_closed(reader)
                return False
        if refused is not None:
            reply = refused
        elif fault is not None and fault.replaces_answer:
            reply = fault_reply(fault, request, route)
        else:
            reply = self._answer(request, route, path_known)
            if fault is not None and fault.headers:
                add_headers(reply, fault.headers)
        in_band = fault.in_band_error if fault is not None and fault.in_band_error not in (None, False) else None
        if in_band is not None and route is not None and reply.status == 200 and reply.events is None:
            # A JSON answer carries the in-band error as its whole body, as the stream's event would.
            headers = {**reply.headers, "content-type": "application/json"}
            reply = Reply(status=200, body=event_data(route.in_band_error(in_band)), headers=headers)
        keep_alive = request.keep_alive
        writer.write(reply_head(reply, keep_alive))
        if fault is not None and fault.headers_then_hang:
            await writer.drain()
            await _until_closed(reader)
            return False
        drop = fault.drop_after_events if fault is not None else None
        if in_band is not None and reply.events is not None and route is not None and reply.status == 200:
            return await self._stream_with_error(writer, reply, route.in_band_error(in_band), fault, keep_alive)
        if reply.events is None:
            if drop is not None:
                writer.write(reply.body[: len(reply.body) // 2])
                await writer.drain()
                writer.close()
                return False
            writer.write(reply.body)
            await writer.drain()
            return keep_alive
        for sent, event in enumerate(reply.events):
            if drop is not None and sent >= drop:
                await writer.drain()
                writer.close()
                return False
            if sent and self.event_delay:
                await asyncio.sleep(self.event_delay)
            writer.write(chunk(event))
            await writer.drain()
        writer.write(LAST_CHUNK)
        await writer.drain()
        return keep_alive

    async def _stream_with_error(
        self, writer: asyncio.StreamWriter, reply: Reply, error: bytes, fault: Fault | None, keep_alive: bool
    ) -> bool:
        """The stream's first ``fault.after_events`` events, then the in-band error event, then its end."""
        events = reply.events or []
        count = fault.after_events if fault is not None else 0
        for sent, event in enumerate(events[:count]):
            if sent and self.event_delay:
                await asyncio.sleep(self.event_delay)
            writer.write(chunk(event))
            await writer.drain()
        writer.write(chunk(error) + LAST_CHUNK)
        await writer.drain()
        return keep_alive


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN: the client sees a connection reset."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _until_closed(reader: asyncio.StreamReader) -> None:
    """Wait, sending nothing, until the client closes its side (or the server stops)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass
