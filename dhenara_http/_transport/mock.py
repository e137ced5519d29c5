"""``test_mode``: a transport that answers in-process, with the mock provider server's own route handlers.

A call in test mode goes through everything a real call does — capability checks, the protocol's request builder,
the transport, the protocol's answer reader and stream accumulator — and only the last hop differs: instead of a
socket, an ``httpx.MockTransport`` hands the request to the route of :mod:`dhenara_http.testing` that serves its
path, and returns that route's answer in the provider's own shapes, streamed one event per read. There is one fake
answer generator (:mod:`dhenara_http.testing._answer`), shared with the mock server, and no test-only branch on the
call path. Credentials are neither needed nor sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx

#: The request state the in-process routes see: ``in_process`` tells a route that checks credentials (Vertex
#: tokens, SigV4) that the caller is this transport, which sends none.
_STATE: dict[str, Any] = {"in_process": True}


class _Events(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed answer, one event per read, for sync and async clients alike."""

    def __init__(self, events: list[bytes]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[bytes]:
        yield from self._events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._events:
            yield event


def _handler() -> Any:
    from ..testing._http import MockRequest
    from ..testing._routes import default_routes, find_route

    routes = default_routes()

    def handle(request: httpx.Request) -> httpx.Response:
        path, _, query = request.url.raw_path.decode("ascii").partition("?")
        body = request.content
        incoming = MockRequest(
            method=request.method,
            path=path,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            connection_id=0,
        )
        if body:
            try:
                incoming.json = json.loads(body)
            except ValueError:
                incoming.json = None
        incoming.state = _STATE
        route, path_known = find_route(routes, incoming)
        if route is None:
            message = f"test_mode has no answer for {request.method} {path}"
            return httpx.Response(405 if path_known else 404, json={"error": {"message": message}})
        reply = route.handler(incoming)
        headers = {**route.headers(incoming), **reply.headers}
        if reply.events is not None:
            return httpx.Response(reply.status, headers=headers, stream=_Events(reply.events))
        return httpx.Response(reply.status, headers=headers, content=reply.body)

    return handle


def in_process_clients() -> tuple[httpx.Client, httpx.AsyncClient]:
    """An ``httpx.Client`` and an ``httpx.AsyncClient`` whose requests the mock's routes answer in-process."""
    transport = httpx.MockTransport(_handler())
    return httpx.Client(transport=transport), httpx.AsyncClient(transport=transport)
