"""The command line, run as users run it (``python -m dhenara_http``), against the mock provider server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from dhenara_http.foundation_models import Claude37Sonnet, DallE3, GPT4oMini
from dhenara_http.testing import MockProviderServer


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "dhenara_http", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        input=stdin,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


@pytest.fixture
def env(server: MockProviderServer) -> dict[str, str]:
    server.clear_requests()
    return {**server.environment(), "OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "GEMINI_API_KEY": "k"}


# -- models --------------------------------------------------------------------------------------------------------


def test_models_lists_the_catalogue_with_prices() -> None:
    done = run("models")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    cost = GPT4oMini.cost_data
    assert cost is not None
    row = rows["gpt-4o-mini"]
    assert row[1] == "open_ai"
    assert f"{cost.input_token_cost_per_million:g}" in row
    assert f"{cost.output_token_cost_per_million:g}" in row
    assert rows["claude-3-7-sonnet-latest"][4] == "token_budget"
    assert "/image" in " ".join(rows["dall-e-3"])


def test_models_json_and_vendor_filter() -> None:
    done = run("models", "--vendor", "anthropic", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows
    assert {r["vendor"] for r in rows} == {"anthropic"}
    [sonnet] = [r for r in rows if r["model"] == Claude37Sonnet.model_name]
    cost = Claude37Sonnet.cost_data
    assert cost is not None
    assert sonnet["prices_per_million"]["input"] == cost.input_token_cost_per_million
    images = [json.loads(line) for line in run("models", "--vendor", "open_ai", "--json").stdout.splitlines()]
    [dalle] = [r for r in images if r["model"] == DallE3.model_name]
    assert dalle["price_per_image"]["min"] > 0


def test_models_of_an_unknown_vendor_say_which_exist() -> None:
    done = run("models", "--vendor", "acme")
    assert done.returncode == 2
    assert "anthropic" in done.stderr


# -- chat ----------------------------------------------------------------------------------------------------------


def test_chat_prints_the_answer_and_a_summary(server: MockProviderServer, env: dict[str, str]) -> None:
    done = run("chat", "gpt-4o-mini", "Say hi", "--instructions", "Be brief.", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Mock answer from gpt-4o-mini")
    assert '"Say hi"' in done.stdout
    assert re.search(r"\[tokens: \d+ in, \d+ out; cost \$\d+\.\d{6}; request id req_\w+\]", done.stderr)
    [request] = server.requests
    assert request.path == "/v1/responses"
    assert request.json["instructions"] == "Be brief."


@pytest.mark.parametrize("model", ["claude-3-5-haiku-latest", "gemini-2.5-flash", "GPT4oMini"])
def test_chat_stream_prints_what_the_whole_answer_says(
    server: MockProviderServer, env: dict[str, str], model: str
) -> None:
    whole = run("chat", model, "Count to three", env=env)
    streamed = run("chat", model, "Count to three", "--stream", env=env)
    assert whole.returncode == streamed.returncode == 0, streamed.stderr
    assert streamed.stdout == whole.stdout
    assert all(r.json.get("stream") or "stream" in r.path or "alt" in r.query for r in server.requests[1::2])


def test_chat_reads_the_prompt_from_stdin_and_takes_options(server: MockProviderServer, env: dict[str, str]) -> None:
    done = run("chat", "claude-3-5-haiku-latest", "-", "--max-output-tokens", "5", env=env, stdin="from a pipe")
    assert done.returncode == 0, done.stderr
    [request] = server.requests
    assert request.json["max_tokens"] == 5
    assert request.json["messages"][0]["content"][0]["text"] == "from a pipe"


def test_chat_with_a_provider_for_a_model_outside_the_catalogue(
    server: MockProviderServer, env: dict[str, str]
) -> None:
    done = run("chat", "my-finetune", "hi", "--provider", "openai", env=env)
    assert done.returncode == 0, done.stderr
    assert server.requests[0].json["model"] == "my-finetune"
    unknown = run("chat", "my-finetune", "hi", env=env)
    assert unknown.returncode == 1
    assert "--provider" in unknown.stderr


def test_chat_without_a_key_names_the_variable(server: MockProviderServer) -> None:
    done = run("chat", "claude-3-5-haiku-latest", "hi", env=server.environment())
    assert done.returncode == 1
    assert done.stderr.strip() == "error: AIModelAPI(anthropic): no api_key given; set ANTHROPIC_API_KEY"
    assert "Traceback" not in done.stderr


def test_chat_errors_are_one_line_with_the_provider(server: MockProviderServer, env: dict[str, str]) -> None:
    server.clear_faults()
    server.inject(status=401, times=1)
    done = run("chat", "gpt-4o-mini", "hi", env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ")
    assert "provider=openai" in done.stderr
    assert "Traceback" not in done.stderr


# -- mock ----------------------------------------------------------------------------------------------------------


def test_mock_serves_until_interrupted_and_prints_the_environment() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dhenara_http", "mock"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("# Ctrl-C"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line.strip())
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        assert exports["OPENAI_API_KEY"] == "${OPENAI_API_KEY:-mock-key}"
        env = {k: v for k, v in exports.items() if k.startswith("DHENARA_HTTP_BASE_URL_")}
        assert set(env) == {
            "DHENARA_HTTP_BASE_URL_OPENAI",
            "DHENARA_HTTP_BASE_URL_ANTHROPIC",
            "DHENARA_HTTP_BASE_URL_GOOGLE_GEMINI_API",
        }
        done = run("chat", "gemini-2.5-flash", "Through the mock", env={**env, "GEMINI_API_KEY": "mock-key"})
        assert done.returncode == 0, done.stderr
        assert '"Through the mock"' in done.stdout
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


# -- packaging -----------------------------------------------------------------------------------------------------


def test_the_console_script_is_declared() -> None:
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "dhenara-http"]
    assert script.value == "dhenara_http.cli:main"


def test_import_does_not_load_the_command_line() -> None:
    code = "import sys, dhenara_http; print('dhenara_http.cli' in sys.modules, 'argparse' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["False", "False"]
