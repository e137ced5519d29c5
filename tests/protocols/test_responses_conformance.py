"""Every Responses API interaction of the shared conformance recordings (when they are beside the repository), through
the public client: answers read as their JSON says, streams equal to their completed response, errors typed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import APIStatusError, ResponseParseError, StreamError
from dhenara_http.types.stream import ChatResponseTextContentItemDelta
from tests.protocols._responses_support import (
    answer,
    call,
    deltas,
    function_calls,
    output_text,
    stream,
    stream_payloads,
    terminal_response,
)
from tests.support.recordings import http_response, shared_records

pytestmark = pytest.mark.conformance


def _is_responses(record: dict[str, Any]) -> bool:
    if record.get("provider") not in ("openai_responses", "azure_openai") or record.get("endpoint") != "responses":
        return False
    body = record.get("response_body") or ""
    # Azure's folder also holds a DeepSeek model answering in Chat Completions chunks.
    return "chat.completion" not in body[:2000]


RESPONSES = [r for r in shared_records() if _is_responses(r)]
IDS = [f"{i}-{r['fixture_file'].rsplit('/', 1)[-1]}#{r['interaction_index']}" for i, r in enumerate(RESPONSES)]


@pytest.mark.skipif(not RESPONSES, reason="the shared conformance recordings are not present")
@pytest.mark.parametrize("record", RESPONSES, ids=IDS)
def test_shared_recording(record: dict[str, Any]) -> None:
    body = record["response_body"] or ""
    if not record["is_stream"]:
        raw = json.loads(body)
        if record["status"] is None or record["status"] >= 400 or raw.get("error"):
            with pytest.raises(APIStatusError):
                call(httpx.Response(record["status"] or 400, json=raw), provider=record["provider"])
            return
        response = answer(raw, provider=record["provider"])
        assert (response.text() or "") == output_text(raw)
        assert [t.id for t in response.tools()] == [c["call_id"] for c in function_calls(raw)]
        assert response.provider_response == raw
        return
    if record["status"] and record["status"] >= 400:
        with pytest.raises(APIStatusError):
            call(http_response(record), config=AIModelCallConfig(streaming=True, retries=0))
        return
    completed = terminal_response(record)
    if any(p.get("type") in ("error", "response.failed") for p in stream_payloads(record)):
        with pytest.raises((APIStatusError, StreamError)):
            stream(record)
        return
    if completed is None:
        # Cut short: a StreamError with the partial answer, or — when the event cut short is the first one — a
        # ResponseParseError before anything was yielded (an event that is not JSON is never read around).
        with pytest.raises((StreamError, ResponseParseError)):
            stream(record)
        return
    chunks, final, _ = stream(record)
    assert final.model_dump() == answer(completed, provider=record["provider"]).model_dump()
    texts = "".join(d.text_delta for d in deltas(chunks) if isinstance(d, ChatResponseTextContentItemDelta))
    recorded = "".join(p["delta"] for p in stream_payloads(record) if p.get("type") == "response.output_text.delta")
    if output_text(completed).startswith(recorded):
        # (A few hand-edited captures have deltas that contradict their own done events; only their final counts.)
        assert texts == output_text(completed)
