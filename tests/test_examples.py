"""``examples/demo.py`` and the seed programs (through ``examples/run_seed.py``) run against the mock server: three
turns on three providers, each later answer quoting the one before it — the history really travels."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = sorted(EXAMPLES.glob("seed_*.py"))
#: The mock quotes the start of the previous answer: ``which began: "first words …"``.
QUOTED = re.compile(r'which began: "(?P<quote>.*?)(?: …)?"\.')


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    # The conftest has already removed any real API key.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_each_turn_quotes_the_previous(answers: list[str]) -> None:
    assert len(answers) == 3
    assert not QUOTED.search(answers[0])  # the first turn has nothing to quote
    for previous, answer in itertools.pairwise(answers):
        found = QUOTED.search(answer)
        assert found is not None, answer
        assert len(found["quote"].split()) >= 5
        assert previous.startswith(found["quote"])


def test_demo_runs_three_providers_and_carries_the_story() -> None:
    out = run(str(EXAMPLES / "demo.py"))
    heads = re.findall(r"Turn (\d): model (\S+) \| provider (\S+) \| wire (\S+) \| (mock|live)", out)
    assert [h[0] for h in heads] == ["1", "2", "3"]
    assert {h[2] for h in heads} == {"anthropic", "openai", "google_gemini_api"}
    assert {h[3] for h in heads} == {"anthropic", "responses", "gemini"}
    assert {h[4] for h in heads} == {"mock"}
    answers = re.findall(r"Answer \([^)]*\):\n (.*)\n", out)
    assert_each_turn_quotes_the_previous(answers)
    for (_, model, *_), answer in zip(heads, answers, strict=True):
        assert answer.startswith(f"Mock answer from {model}")
    assert len(re.findall(r"usage: prompt \d+, completion \d+.*; cost \$\d+\.\d{6}", out)) == 3


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_demo_can_be_forced_onto_the_mock_whatever_keys_are_set(how: str) -> None:
    # A stray key, and an OpenAI base URL nothing listens on: a live call could not succeed.
    env = {"OPENAI_API_KEY": "stray", "DHENARA_HTTP_BASE_URL_OPENAI": "http://127.0.0.1:9/v1"}
    if how == "flag":
        out = run(str(EXAMPLES / "demo.py"), "--mock", env=env)
    else:
        out = run(str(EXAMPLES / "demo.py"), env={**env, "DHENARA_HTTP_DEMO": "mock"})
    assert "Turn 2 -> openai gpt-4o-mini: mock (forced; OPENAI_API_KEY is set but not used)" in out
    assert "Turn 1 -> anthropic claude-sonnet-4-5: mock (forced)" in out
    heads = re.findall(r"Turn (\d): model (\S+) \| provider (\S+) \| wire (\S+) \| (mock|live)", out)
    assert [h[4] for h in heads] == ["mock", "mock", "mock"]


def test_demo_says_where_each_turn_goes_and_fails_cleanly_when_a_live_call_fails() -> None:
    env = {"OPENAI_API_KEY": "stray", "DHENARA_HTTP_BASE_URL_OPENAI": "http://127.0.0.1:9/v1"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Turn 1 -> anthropic claude-sonnet-4-5: mock (no ANTHROPIC_API_KEY)" in done.stdout
    assert "Turn 2 -> openai gpt-4o-mini: live (OPENAI_API_KEY is set)" in done.stdout
    assert "Turn 2 (openai, live (OPENAI_API_KEY is set)) failed: " in done.stderr
    assert "make demo ARGS=--mock" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_seed_program_runs_unchanged_against_the_mock(seed: Path) -> None:
    out = run(str(EXAMPLES / "run_seed.py"), str(seed))
    heads = re.findall(r"Turn (\d) with (\S+) from (\S+)", out)
    assert [h[0] for h in heads] == ["1", "2", "3"]
    assert {h[2] for h in heads} == {"anthropic", "openai", "google_gemini_api"}
    answers = re.findall(r"Model Response:\n (.*)\n", out)
    assert_each_turn_quotes_the_previous(answers)
    for (_, model, _), answer in zip(heads, answers, strict=True):
        assert answer.startswith(f"Mock answer from {model}")


def test_hosted_web_search_example_searches_and_cites_on_three_wires() -> None:
    out = run(str(EXAMPLES / "hosted_web_search.py"))
    heads = re.findall(r"== (\S+) on (\S+) \((mock|live)\)", out)
    assert [h[1] for h in heads] == ["openai", "anthropic", "google_gemini_api"]
    assert out.count("searched: [") == 3
    assert len(re.findall(r"cited: .* <https://example\.com/", out)) == 6
    # $10 per 1,000 searches (OpenAI, Anthropic); $35 per 1,000 grounded prompts (Gemini 2.5) — on top of tokens.
    costs = [float(c) for c in re.findall(r"searches: 1; cost: \$(\d+\.\d+)", out)]
    assert len(costs) == 3
    assert 0.01 < costs[0] < 0.011
    assert 0.01 < costs[1] < 0.012
    assert 0.035 < costs[2] < 0.036


def test_image_example_saves_the_images_of_three_wires(tmp_path: Path) -> None:
    out = run(str(EXAMPLES / "image_generation.py"), cwd=tmp_path)
    saved = sorted(tmp_path.glob("image_*.png"))
    assert len(saved) == 5  # DALL·E 3 twice, Imagen 4 two images, Gemini 3 Pro Image one
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in saved)
    assert "cost: $0.040000" in out  # DALL·E 3 standard 1024x1024
