"""One test per way a secret leaked (the hardening issue): a 2xx error body with more keys than an error has, the
error's type and code, a python-mode dump of extra headers, pydantic errors about the fields that hold secrets, and
redirects to another host. The key must appear in no ``str``, ``repr``, ``args``, ``body``, field, traceback or
warning.

The redirect test runs two real servers on 127.0.0.1: the first answers with a redirect to the second under another
host name (``localhost``), and the client is the user's own, one that follows redirects."""

from __future__ import annotations

import json
import threading
import traceback
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint, ConfigurationError
from dhenara_http.errors import APIStatusError, DhenaraError, StreamError

KEY = "sk-LEAK-CANARY-5e1f0c9a7b3d4e2f8a6c"
GATEWAY = "gw-LEAK-CANARY-0a9b8c7d6e5f4a3b"

WIRES: dict[str, tuple[str, dict[str, Any], str]] = {
    "anthropic": ("anthropic", {}, "claude-sonnet-4-5"),
    "chat_completions": ("openai", {"wire_api": "chat_completions"}, "gpt-4o"),
    "gemini": ("google_gemini_api", {}, "gemini-2.5-flash"),
    "responses": ("openai", {}, "gpt-5"),
}


def endpoint(wire: str, **config: Any) -> AIModelEndpoint:
    provider, wire_config, model = WIRES[wire]
    api = AIModelAPI(provider=provider, api_key=KEY, config={**wire_config, **config})
    return AIModelEndpoint(api=api, ai_model=model)


def rendered(exc: BaseException) -> str:
    """Everything an exception shows: its traceback (with its chain), repr, args, and the repr of every field."""
    parts = ["".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), repr(exc), repr(exc.args)]
    for value in vars(exc).values():
        parts.append(repr(value))
        if isinstance(value, dict | list):
            parts.append(json.dumps(value, default=str))
    if isinstance(exc, StreamError) and exc.error is not None:
        parts.append(rendered(exc.error))
    return "\n".join(parts)


def assert_clean(exc: BaseException) -> None:
    text = rendered(exc)
    assert KEY not in text
    assert GATEWAY not in text


def call(wire: str, response: httpx.Response, streaming: bool = False) -> DhenaraError:
    """The error a call answered by ``response`` raises (streams read to the end)."""
    config = AIModelCallConfig(streaming=streaming, retries=0)
    with respx.mock(assert_all_called=False) as router, AIModelClient(endpoint(wire), config) as client:
        router.route().mock(return_value=response)
        try:
            result = client.generate(prompt="hi")
            for _ in result.stream_generator or ():
                pass
        except DhenaraError as exc:
            return exc
    raise AssertionError("the call did not fail")


# -- 1. a 2xx error body with one key more than an error has -------------------------------------------------------


def _error_body(wire: str) -> dict[str, Any]:
    message = f"Incorrect API key provided: {KEY}"
    if wire == "anthropic":
        return {"type": "error", "error": {"type": "authentication_error", "message": message}, "echo": KEY}
    if wire == "gemini":
        return {"error": {"code": 401, "message": message, "status": "UNAUTHENTICATED"}, "echo": KEY}
    return {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}, "echo": KEY}


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_a_2xx_error_body_with_an_extra_key_is_raised_scrubbed(wire: str) -> None:
    error = call(wire, httpx.Response(200, json=_error_body(wire)))
    assert isinstance(error, APIStatusError)
    assert "[REDACTED]" in error.message
    assert error.body is not None
    assert_clean(error)


# -- 2. the error's type and code ------------------------------------------------------------------------------------


def _in_band_event(wire: str) -> dict[str, Any]:
    if wire == "anthropic":
        return {"type": "error", "error": {"type": KEY, "message": f"bad key {KEY}"}}
    if wire == "gemini":
        return {"error": {"code": 500, "message": f"bad key {KEY}", "status": KEY}}
    if wire == "responses":
        return {"type": "error", "code": KEY, "message": f"bad key {KEY}", "param": None}
    return {"error": {"message": f"bad key {KEY}", "type": KEY, "code": KEY}}


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_an_in_band_error_that_echoes_the_key_in_its_type_and_code_is_scrubbed(wire: str) -> None:
    body = f"data: {json.dumps(_in_band_event(wire))}\n\n".encode()
    error = call(wire, httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body), True)
    assert_clean(error)
    assert error.error_type is None or "[REDACTED]" in error.error_type or KEY not in error.error_type


@pytest.mark.parametrize("wire", ["anthropic", "chat_completions"])
def test_an_http_error_that_echoes_the_key_in_its_type_and_code_is_scrubbed(wire: str) -> None:
    body = _in_band_event(wire)
    assert_clean(call(wire, httpx.Response(401, json=body)))


# -- 3. dumps of extra headers ---------------------------------------------------------------------------------------


def test_extra_header_values_never_show_in_a_dump_of_either_mode() -> None:
    api = AIModelAPI(provider="openai", api_key=KEY, config={"headers": {"X-Gateway-Key": GATEWAY}})
    endpoint_ = AIModelEndpoint(api=api, ai_model="gpt-4o")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for thing in (api, endpoint_):
            for text in (
                repr(thing),
                str(thing),
                str(thing.model_dump()),
                repr(thing.model_dump()),
                json.dumps(thing.model_dump(mode="json")),
                thing.model_dump_json(),
            ):
                assert GATEWAY not in text
                assert KEY not in text
    assert all(GATEWAY not in str(w.message) and KEY not in str(w.message) for w in caught)
    # The values are hidden, not lost: a python-mode dump reads back whole.
    again = AIModelAPI.model_validate(api.model_dump())
    assert again.config["headers"] == {"X-Gateway-Key": GATEWAY}
    assert again.get_api_key() == KEY


# -- 4. pydantic errors about the fields that hold secrets -----------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"api_key": [KEY]},
        {"api_key": {"value": KEY}},
        {"credentials": f"<{KEY}>"},
        {"credentials": [KEY]},
        {"credential": KEY},
        {"apikey": KEY},
        {"config": {"headers": {"X-Gateway-Key": [GATEWAY]}}},
        {"config": {"header": {"X-Gateway-Key": GATEWAY}}},
    ],
    ids=[
        "api_key-a-list",
        "api_key-a-dict",
        "credentials-a-str",
        "credentials-a-list",
        "credential-misspelt",
        "apikey-misspelt",
        "header-value-a-list",
        "headers-misspelt",
    ],
)
def test_a_wrong_or_misspelt_secret_field_never_echoes_the_value(fields: dict[str, Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ConfigurationError) as error:
            AIModelAPI(provider="openai", **fields)
    assert_clean(error.value)
    assert KEY[:10] not in str(error.value)  # not even a prefix
    assert all(KEY not in str(w.message) for w in caught)


# -- 5. redirects to another host --------------------------------------------------------------------------------

ANSWERS: dict[str, dict[str, Any]] = {
    "anthropic": {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "moved"}]},
    "chat_completions": {"object": "chat.completion", "choices": [{"index": 0, "message": {"content": "moved"}}]},
    "gemini": {"candidates": [{"content": {"parts": [{"text": "moved"}]}, "finishReason": "STOP"}]},
    "responses": {"object": "response", "status": "completed", "output": []},
}
BASE_PATHS = {"anthropic": "/v1", "chat_completions": "/v1", "gemini": "/v1beta", "responses": "/v1"}


class _Servers:
    """Server A (127.0.0.1) redirects every request to server B, reached under another host name (localhost)."""

    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        self.seen_by_b: list[dict[str, str]] = []
        self.asked_a = 0
        servers = self

        class B(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                servers.seen_by_b.append({k.lower(): v for k, v in self.headers.items()})
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.b = ThreadingHTTPServer(("127.0.0.1", 0), B)

        class A(BaseHTTPRequestHandler):
            def _redirect(self) -> None:
                servers.asked_a += 1
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self.send_response(status)
                self.send_header("location", f"http://localhost:{servers.b.server_port}{self.path}")
                self.send_header("content-length", "0")
                self.end_headers()

            do_GET = do_POST = _redirect

            def log_message(self, *args: Any) -> None:
                pass

        self.a = ThreadingHTTPServer(("127.0.0.1", 0), A)
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (self.a, self.b)]

    def __enter__(self) -> _Servers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self.a, self.b):
            server.shutdown()
            server.server_close()

    def base_url(self, wire: str) -> str:
        return f"http://127.0.0.1:{self.a.server_port}{BASE_PATHS[wire]}"


@pytest.fixture(params=[301, 302, 307, 308])
def redirect_status(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _assert_no_secret_reached_b(servers: _Servers, outcome: BaseException | None) -> None:
    assert servers.asked_a == 1
    if outcome is not None:
        assert isinstance(outcome, DhenaraError), f"untyped {type(outcome).__name__}: {outcome}"
        assert_clean(outcome)
    for headers in servers.seen_by_b:
        for value in headers.values():
            assert KEY not in value
            assert GATEWAY not in value


def _redirected_endpoint(servers: _Servers, wire: str) -> AIModelEndpoint:
    return endpoint(wire, base_url=servers.base_url(wire), headers={"X-Gateway-Key": GATEWAY})


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_a_redirect_to_another_host_never_carries_the_key_async(wire: str, redirect_status: int) -> None:
    import asyncio

    async def go(servers: _Servers) -> BaseException | None:
        async with httpx.AsyncClient(follow_redirects=True) as user_client:
            client = AIModelClient(
                _redirected_endpoint(servers, wire),
                AIModelCallConfig(retries=0),
                is_async=True,
                http_client=user_client,
            )
            try:
                await client.generate_async(prompt="hi")
            except Exception as exc:
                return exc
            finally:
                await client.aclose()
        return None

    with _Servers(redirect_status, ANSWERS[wire]) as servers:
        outcome = asyncio.run(go(servers))
    _assert_no_secret_reached_b(servers, outcome)


@pytest.mark.parametrize("wire", sorted(WIRES))
def test_a_redirect_to_another_host_never_carries_the_key_sync(wire: str, redirect_status: int) -> None:
    with _Servers(redirect_status, ANSWERS[wire]) as servers, httpx.Client(follow_redirects=True) as user_client:
        client = AIModelClient(
            _redirected_endpoint(servers, wire),
            AIModelCallConfig(retries=0),
            http_client=user_client,  # type: ignore[arg-type]
        )
        outcome: BaseException | None = None
        try:
            client.generate(prompt="hi")
        except Exception as exc:
            outcome = exc
        finally:
            client.close()
    _assert_no_secret_reached_b(servers, outcome)
