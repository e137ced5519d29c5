"""Mutation fuzzing of the recorded answers of every wire, through the public client (respx), sync and async.

Every recorded successful answer under ``fixtures/<wire>/`` — JSON bodies and event streams — is mutated (see
:mod:`tests.fuzz._mutate`) with deterministic seeds; Bedrock Converse streams (recorded as AWS event streams or as
JSON lines) are mutated event by event and framed again as AWS event streams, and their framing is mutated too. The
image wires' answers are the recorded OpenAI ones and the mock's (:mod:`tests.fuzz._image_seeds`). The only outcomes
allowed: a typed ``DhenaraError`` (never a ``ConfigurationError``: the input was fine), or a response equal to what
an independent reading of the mutated JSON says (:mod:`tests.fuzz._oracle`); a stream's deltas never lose text its
events carried; nothing hangs.

``DHENARA_HTTP_FUZZ`` sets how many: unset, a few thousand cases in all (the default run); ``long``, 25 times more; a
number, that many cases per recorded answer.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest

from tests.fuzz._check import Failure, check_answer, check_image, check_stream
from tests.fuzz._image_seeds import SEEDS
from tests.fuzz._mutate import AwsEvent, Event, mutate_answer, mutate_eventstream, mutate_stream
from tests.fuzz._oracle import aws_frames, sse_events
from tests.fuzz._run import IMAGE_WIRES, Case, Server, run_async_batch, run_sync
from tests.support.recordings import body_bytes, records

WIRES = ("anthropic", "chat_completions", "gemini", "responses", "converse")
#: Cases per recorded answer in the default run.
DEFAULT_CASES = {False: 16, True: 28}
#: Where a wire's default differs: Converse has many recorded answers, the image wires few.
WIRE_CASES = {("converse", False): 8, ("openai_images", False): 24, ("imagen", False): 24, ("gemini_images", False): 24}


def _cases(stream: bool, wire: str | None = None) -> int:
    default = WIRE_CASES.get((wire or "", stream), DEFAULT_CASES[stream])
    setting = os.environ.get("DHENARA_HTTP_FUZZ", "").strip().lower()
    if setting == "long":
        return default * 25
    if setting.isdigit():
        return int(setting)
    return default


def _sources() -> list[tuple[str, str, dict[str, Any]]]:
    """Every recorded answer with a success status (or none recorded) and a body; then the image answers."""
    recorded = [
        (wire, name, record)
        for wire in (*WIRES, "openai_images")
        for name, record in records(wire)
        if (record.get("status") or 200) < 400 and record.get("response_body")
    ]
    made = [
        (wire, name, {"is_stream": False, "response_body": json.dumps(answer)})
        for wire, seeds in SEEDS.items()
        for name, answer in seeds()
    ]
    return recorded + made


SOURCES = _sources()


def _events(record: dict[str, Any]) -> list[Event]:
    return [(None if name == "message" else name, data) for name, data in sse_events(body_bytes(record))]


def _aws_events(record: dict[str, Any]) -> list[AwsEvent]:
    """A recorded Converse stream's events: each JSON line ``{"<event type>": payload}``, or each frame of a binary
    recording (read by botocore)."""
    if record.get("stream_format") == "jsonl-chunks":
        lines = [json.loads(line) for line in str(record["response_body"]).splitlines() if line.strip()]
        return [(name, json.dumps(payload)) for line in lines for name, payload in line.items()]
    frames, whole = aws_frames(body_bytes(record))
    assert whole, "a recorded stream that botocore cannot read"
    return [(name, payload.decode("utf-8")) for kind, name, payload in frames if kind == "event"]


def _mutations(wire: str, name: str, record: dict[str, Any]) -> list[tuple[str, bytes, int]]:
    """(case id, mutated body, network read size) of every case of one recorded answer."""
    stream = bool(record["is_stream"])
    aws = stream and wire == "converse"
    events = (_aws_events(record) if aws else _events(record)) if stream else []
    body = None if stream else json.loads(record["response_body"])
    out = []
    for i in range(_cases(stream, wire)):
        rng = random.Random(f"{wire}/{name}/{i}")
        if aws:
            raw, label = mutate_eventstream(events, rng)  # type: ignore[arg-type]
        elif stream:
            raw, label = mutate_stream(events, rng)  # type: ignore[arg-type]
        else:
            raw, label = mutate_answer(body, rng)
        out.append((f"#{i} {label}", raw, rng.choice((1 << 20, 1000, 64, 7))))
    return out


@pytest.mark.timeout(120 + _cases(True))  # a long run takes longer (the default run takes seconds)
@pytest.mark.parametrize(("wire", "name", "record"), SOURCES, ids=[f"{w}-{n}" for w, n, _ in SOURCES])
def test_a_mutated_answer_is_read_as_it_says_or_refused_typed(wire: str, name: str, record: dict[str, Any]) -> None:
    stream = bool(record["is_stream"])
    check = check_image if wire in IMAGE_WIRES else check_stream if stream else check_answer
    labelled = [(label, Case(wire, raw, stream, size)) for label, raw, size in _mutations(wire, name, record)]
    # Every other case runs through the async client.
    sync_cases, async_cases = labelled[0::2], labelled[1::2]
    with Server() as server:
        outcomes = [run_sync(server, case) for _, case in sync_cases]
        outcomes += run_async_batch(server, [case for _, case in async_cases])
    failures = []
    for (label, case), outcome in zip(sync_cases + async_cases, outcomes, strict=True):
        try:
            check(wire, case.raw, outcome)
        except Failure as exc:
            failures.append(f"{label}: {exc}")
    assert not failures, f"{len(failures)} of {len(labelled)} cases failed:\n" + "\n".join(failures[:8])
