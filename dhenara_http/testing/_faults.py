"""Scripted failures of the mock server: the :class:`Fault` rows :meth:`MockProviderServer.inject` queues, and the
answer a fault that replaces the real one gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._http import MockRequest, Reply
from ._routes import Route


@dataclass
class Fault:
    """A scripted failure, taken by the next ``times`` requests whose path contains ``path`` (any path if None).

    Exactly one kind: an answer with ``status`` / ``body`` (the provider's error body for the status when ``body``
    is None; ``bytes`` / ``str`` bodies are sent as they are), ``drop_after_events`` (serve the real answer but close
    the connection after that many stream events — for a JSON answer, halfway through the body), ``in_band_error``
    (serve the real stream's first ``after_events`` events, then the provider's in-band error event, then end the
    stream; for a JSON answer, a 200 whose body is that error object), ``hang`` (read the request, send nothing),
    ``reset`` (reset the TCP connection before any byte) or ``headers_then_hang`` (send the real answer's status and
    headers, then nothing). ``delay`` seconds pass before any of it (alone: a slow but correct answer).
    ``headers`` are added to the answer, whichever it is (alone: the real answer with these headers added — rate-limit
    headers, a request id).
    ``times=None`` repeats it until :meth:`MockProviderServer.clear_faults`.

    ``retry_after`` is the wait the server asks for: a ``Retry-After`` header, or — on a wire whose provider says it
    in the error body (Gemini's ``RetryInfo.retryDelay``) and with the provider's own body — in the body instead.
    ``in_band_error`` is ``True`` (the wire's usual error: Anthropic ``overloaded_error``, Gemini ``UNAVAILABLE``,
    OpenAI ``server_error``), an error kind of the provider (``"rate_limit_error"``, ``"RESOURCE_EXHAUSTED"``,
    ``"rate_limit_exceeded"`` …) or a dict sent as the event's payload as it is.
    """

    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    retry_after: float | str | None = None
    drop_after_events: int | None = None
    in_band_error: Any = None
    after_events: int = 0
    hang: bool = False
    reset: bool = False
    headers_then_hang: bool = False
    delay: float = 0.0
    times: int | None = 1
    path: str | None = None
    hits: int = 0

    @property
    def replaces_answer(self) -> bool:
        """Whether the fault answers with its own status / body instead of the real answer."""
        return self.status is not None or self.body is not None

    def __post_init__(self) -> None:
        kinds = [
            self.replaces_answer,
            self.drop_after_events is not None,
            self.in_band_error is not None and self.in_band_error is not False,
            self.hang,
            self.reset,
            self.headers_then_hang,
        ]
        if sum(kinds) > 1:
            raise ValueError(
                "a Fault is one of: status/body, drop_after_events, in_band_error, hang, reset, headers_then_hang"
            )
        if sum(kinds) == 0 and not self.delay and not self.headers:
            raise ValueError(
                "a Fault needs status/body, drop_after_events, in_band_error, hang, reset, headers_then_hang, "
                "headers or delay"
            )


def fault_reply(fault: Fault, request: MockRequest, route: Route | None) -> Reply:
    status = fault.status if fault.status is not None else 200
    headers = route.headers(request) if route is not None else {}
    retry_in_body = None
    if fault.body is None and route is not None and route.error_with_retry is not None:
        retry_in_body = _seconds(fault.retry_after)
    if fault.body is None:
        reply = (
            route.error_reply(request, status, retry_after=retry_in_body)
            if route is not None
            else Reply.json({"error": {}}, status=status)
        )
    elif isinstance(fault.body, bytes | str):
        raw = fault.body.encode("utf-8") if isinstance(fault.body, str) else fault.body
        guessed = "text/html; charset=utf-8" if raw.lstrip()[:1] == b"<" else "application/json"
        reply = Reply(status=status, body=raw, headers={**headers, "content-type": guessed})
    else:
        reply = Reply.json(fault.body, status=status, headers=headers)
    if fault.content_type:
        reply.headers["content-type"] = fault.content_type
    if fault.retry_after is not None and retry_in_body is None:
        reply.headers["retry-after"] = str(fault.retry_after)
    add_headers(reply, fault.headers)
    return reply


def add_headers(reply: Reply, headers: dict[str, str]) -> None:
    """``headers`` set on ``reply``, replacing a header of the same name whatever its case (HTTP names are
    case-insensitive: two spellings would reach the client as one header with two values)."""
    names = {name.lower() for name in headers}
    for name in [n for n in reply.headers if n.lower() in names]:
        del reply.headers[name]
    reply.headers.update(headers)


def event_data(event: bytes) -> bytes:
    """The ``data`` of one SSE event."""
    lines = event.decode("utf-8").splitlines()
    return "\n".join(line[5:].lstrip(" ") for line in lines if line.startswith("data:")).encode("utf-8")


def _seconds(value: float | str | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except ValueError:
        return None
