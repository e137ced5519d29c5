"""Every recorded Bedrock Converse / ConverseStream interaction of the shared conformance set (when it is beside the
repository, or named by ``DHENARA_HTTP_RECORDINGS``), read through the protocol functions and the AWS event-stream
decoder directly (``test_conformance_contents`` reads them again through the public client, signed): JSON answers
parse with every block accounted for and with the text, reasoning signatures, tool arguments and usage their raw JSON
holds (read here by the API reference's rules, not by the protocol module); streams end with a final equal to the
non-streamed parse of the answer they rebuild; recorded errors give their message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dhenara_http.protocols import converse
from dhenara_http.types.response import ChatResponseReasoningContentItem, ChatResponseToolCallContentItem
from tests.protocols._conformance_expect import classify
from tests.protocols._converse_support import context, run_stream
from tests.support.recordings import response_json, shared_records

RECORDS = [r for r in shared_records() if classify(r)[0] == "converse"]
IDS = [f"{r['fixture_file'].split('/')[-1]}#{r['interaction_index']}" for r in RECORDS]


def _raw_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in data["output"]["message"]["content"] if isinstance(b, dict)]


@pytest.mark.conformance
@pytest.mark.skipif(not RECORDS, reason="the shared conformance recordings are not beside the repository")
@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_recorded_converse_interaction(record: dict[str, Any]) -> None:
    if (record.get("status") or 200) >= 400:
        info = converse.parse_error(record["status"], response_json(record), record.get("response_headers") or {})
        assert info is not None
        assert info.message == response_json(record)["message"]
        return
    if not record["is_stream"]:
        data = response_json(record)
        response = converse.parse_response(data, context([]))
        blocks = _raw_blocks(data)
        contents = response.choices[0].contents
        assert len(contents) == len(blocks)
        texts = [b["text"] for b in blocks if isinstance(b.get("text"), str)]
        assert response.text() == "".join(texts) or response.text() == "\n".join(texts) or not texts
        calls = [b["toolUse"] for b in blocks if "toolUse" in b]
        got = [c.tool_call for c in contents if isinstance(c, ChatResponseToolCallContentItem)]
        assert [(c.id, c.name, c.arguments) for c in got] == [(t["toolUseId"], t["name"], t["input"]) for t in calls]
        signatures = [
            b["reasoningContent"]["reasoningText"].get("signature")
            for b in blocks
            if "reasoningText" in b.get("reasoningContent", {})
        ]
        kept = [c.thinking_signature for c in contents if isinstance(c, ChatResponseReasoningContentItem)]
        assert [s for s in signatures if s] == [s for s in kept if s]
        usage = data.get("usage") or {}
        assert response.usage is not None
        assert response.usage.completion_tokens == usage.get("outputTokens", 0)
        if "totalTokens" in usage:
            assert response.usage.total_tokens == usage["totalTokens"]
        return
    chunks, acc = run_stream(record)
    assert acc.done, "every recorded stream ends with messageStop"
    final = acc.final()
    rebuilt = acc.rebuilt()
    assert final.model_dump() == converse.parse_response(rebuilt, context([])).model_dump()
    for chunk in chunks:
        assert chunk.choice_deltas[0].content_deltas
    text = "".join(
        d.get_text_delta() for c in chunks for d in c.choice_deltas[0].content_deltas if d.type.value == "text"
    )
    assert text == "".join(b["text"] for b in _raw_blocks(rebuilt) if isinstance(b.get("text"), str))
    for item in final.choices[0].contents:
        if isinstance(item, ChatResponseToolCallContentItem):
            assert item.tool_call.arguments is not None
            assert json.dumps(item.tool_call.arguments)  # complete JSON, never a fragment
