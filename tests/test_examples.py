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


def run(*args: str) -> str:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # the conftest has already removed any real API key
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False
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
