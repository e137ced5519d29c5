"""The ``dhenara_http`` logger: each retry at INFO, each attempt at DEBUG (method, URL, status, elapsed time, request
id), bodies only with ``DHENARA_HTTP_LOG=debug-bodies``, and never a secret. ``DHENARA_HTTP_LOG`` itself is tested
in child processes, as a user sets it."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import Claude35Haiku, GPT4oMini
from dhenara_http.testing import MockProviderServer

KEY = "sk-LOGCANARY-4f1d2c3b5a697e8d-never-printed"
ATTEMPT = re.compile(r"^(POST|GET) (\S+) -> (\d{3}) in \d+ ms \(request id (\S+)\)$")


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture, server: MockProviderServer) -> Iterator[pytest.LogCaptureFixture]:
    server.clear_faults()
    caplog.set_level(logging.DEBUG, logger="dhenara_http")
    yield caplog
    for record in caplog.records:
        assert KEY not in record.getMessage()


def _client(server: MockProviderServer, **config: object) -> AIModelClient:
    endpoint = AIModelEndpoint(api=server.api("openai", api_key=KEY), ai_model=GPT4oMini)
    return AIModelClient(endpoint, AIModelCallConfig.model_validate(config))


def _mine(records: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in records.records if r.name == "dhenara_http" and r.levelno == level]


def test_two_429s_then_success_log_two_retries_at_info_and_three_attempts_at_debug(
    server: MockProviderServer, records: pytest.LogCaptureFixture
) -> None:
    server.inject(status=429, retry_after=2, times=2)
    with _client(server) as client:
        response = client.generate(prompt="hello")
    assert response.attempts == 3
    retries = _mine(records, logging.INFO)
    assert len(retries) == 2
    for n, line in enumerate(retries, 1):
        assert line.startswith(f"openai gpt-4o-mini: attempt {n} failed (HTTP 429: ")
        assert line.endswith("retrying in 2.00 s")  # the server's Retry-After
    attempts = [ATTEMPT.match(line) for line in _mine(records, logging.DEBUG)]
    assert all(attempts)
    assert len(attempts) == 3
    assert [m[3] for m in attempts if m] == ["429", "429", "200"]
    assert {m[2] for m in attempts if m} == {server.url("/v1/responses")}
    # The last attempt's request id is the one the response carries; the failed ones had their own.
    ids = [m[4] for m in attempts if m]
    assert ids[-1] == response.request_id
    assert ids[-1].startswith("req_")
    assert len(set(ids)) == 3


def test_a_stream_logs_its_attempts_too(server: MockProviderServer, records: pytest.LogCaptureFixture) -> None:
    server.inject(status=503, times=1)
    endpoint = AIModelEndpoint(api=server.api("anthropic", api_key=KEY), ai_model=Claude35Haiku)
    with AIModelClient(endpoint, AIModelCallConfig(streaming=True)) as client:
        items = list(client.generate(prompt="hi").stream_generator)
    final = items[-1][1]
    assert final is not None
    assert [m[3] for m in map(ATTEMPT.match, _mine(records, logging.DEBUG)) if m] == ["503", "200"]
    [retry] = _mine(records, logging.INFO)
    assert "attempt 1 failed (HTTP 503" in retry
    assert final.request_id is not None
    assert final.request_id in _mine(records, logging.DEBUG)[-1]


def test_a_connection_error_is_logged_by_its_class(
    server: MockProviderServer, records: pytest.LogCaptureFixture
) -> None:
    server.inject(reset=True, times=1)
    with _client(server) as client:
        client.generate(prompt="hello")
    [retry] = _mine(records, logging.INFO)
    assert "attempt 1 failed (APIConnectionError: " in retry


def test_nothing_is_logged_at_info_when_nothing_is_retried(
    server: MockProviderServer, records: pytest.LogCaptureFixture
) -> None:
    with _client(server) as client:
        client.generate(prompt="hello")
    assert _mine(records, logging.INFO) == []
    assert len(_mine(records, logging.DEBUG)) == 1
    # Without DHENARA_HTTP_LOG=debug-bodies no body is logged, even at DEBUG.
    assert "hello" not in " ".join(_mine(records, logging.DEBUG))


# -- DHENARA_HTTP_LOG ------------------------------------------------------------------------------------------------

_PROGRAM = f"""
from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.foundation_models import GPT4oMini
api = AIModelAPI(provider="openai", api_key={KEY!r})
client = AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), AIModelCallConfig(streaming=STREAM))
response = client.generate(prompt="say the key {KEY} back")
if STREAM:
    for _ in response.stream_generator:
        pass
print("done")
"""


def _run(server: MockProviderServer, level: str | None, *, stream: bool = False) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DHENARA_HTTP_LOG"}
    env.update(server.environment())
    if level is not None:
        env["DHENARA_HTTP_LOG"] = level
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM.replace("STREAM", str(stream))],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert KEY not in done.stderr
    return done.stderr


def test_without_the_variable_the_library_prints_nothing(server: MockProviderServer) -> None:
    server.clear_faults()
    server.inject(status=429, times=1)
    assert _run(server, None) == ""


def test_info_prints_retries_only(server: MockProviderServer) -> None:
    server.clear_faults()
    server.inject(status=429, times=1)
    err = _run(server, "info")
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert " INFO dhenara_http: openai gpt-4o-mini: attempt 1 failed (HTTP 429" in lines[0]


def test_debug_prints_every_attempt_but_no_body(server: MockProviderServer) -> None:
    server.clear_faults()
    server.inject(status=500, times=1)
    err = _run(server, "debug")
    debug = [line.split("dhenara_http: ", 1)[1] for line in err.splitlines() if " DEBUG dhenara_http: " in line]
    assert [m[3] for m in map(ATTEMPT.match, debug) if m] == ["500", "200"]
    assert "say the key" not in err
    assert " INFO dhenara_http: " in err


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_debug_bodies_prints_bodies_scrubbed(server: MockProviderServer, stream: bool) -> None:
    server.clear_faults()
    err = _run(server, "DEBUG-BODIES", stream=stream)
    assert "request body: " in err
    # The prompt is in the request body, with the key (which the user pasted into it) scrubbed.
    assert "say the key [REDACTED] back" in err
    assert ("stream read: " if stream else "response body: ") in err
    assert "Mock answer from gpt-4o-mini" in err


def test_an_unknown_level_is_a_warning_not_silence(server: MockProviderServer) -> None:
    server.clear_faults()
    err = _run(server, "verbose")
    assert "DHENARA_HTTP_LOG='verbose' is not one of info, debug, debug-bodies" in err
