"""Every Chat Completions interaction of the shared conformance recordings (when they are beside the repository),
through the public client: answers read as their JSON says, streams adding up to what their events say, errors typed."""

from __future__ import annotations

from typing import Any

import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import APIStatusError, StreamError
from tests.protocols import _chat_completions_support as support
from tests.protocols._chat_completions_support import call, expected, final_of, rebuild_from_stream
from tests.support.recordings import response_json, shared_records

pytestmark = pytest.mark.conformance

CHAT = [r for r in shared_records() if r.get("endpoint") == "chat.completions"]
IDS = [f"{i}-{r['provider']}" for i, r in enumerate(CHAT)]


def _as_known_host(record: dict[str, Any]) -> dict[str, Any]:
    if record["provider"] in ("openai_chat", "azure_openai", "deepseek", *support.COMPAT_BASE):
        return record
    return {**record, "provider": "other_openai_compatible"}


@pytest.mark.skipif(not CHAT, reason="the shared conformance recordings are not present")
@pytest.mark.parametrize("record", CHAT, ids=IDS)
def test_shared_recording(record: dict[str, Any]) -> None:
    record = _as_known_host(record)
    config = AIModelCallConfig(streaming=bool(record["is_stream"]), retries=0)
    status = record["status"] or 200
    body = record["response_body"] or ""
    if status >= 400 or (not record["is_stream"] and '"error"' in body and '"choices"' not in body):
        with pytest.raises(APIStatusError):
            call(record, config=config)
        return
    if record["is_stream"] and any(p.get("error") for p in support.stream_payloads(record)):
        with pytest.raises((APIStatusError, StreamError)):
            call(record, config=config)
        return
    result, items, _ = call(record, config=config)
    if record["is_stream"]:
        response = final_of(items)
        want = expected(rebuild_from_stream(record))
    else:
        response = result.chat_response
        want = expected(response_json(record))
    assert response is not None
    assert (response.text() or "") == want["text"]
    assert response.reasoning() == want["reasoning"]
    assert [(t.id, t.name, t.arguments) for t in response.tools()] == want["tools"]
    if want["prompt_tokens"]:
        assert response.usage is not None
        assert response.usage.prompt_tokens == want["prompt_tokens"]
