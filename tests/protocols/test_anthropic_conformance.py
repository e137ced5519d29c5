"""Every recorded Anthropic Messages answer of the shared conformance set (when it is beside the repository): JSON
answers parse with every block accounted for, streams end with a final equal to the non-streamed parse of the
message they rebuild, errors are typed."""

from __future__ import annotations

from typing import Any

import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import APIStatusError, ResponseParseError, StreamError
from tests.protocols._anthropic_support import call, final_of, json_response, read_stream
from tests.support.recordings import response_json, shared_records


def _messages_records() -> list[dict[str, Any]]:
    out = []
    for record in shared_records():
        url = str(record.get("url") or "").split("?")[0]
        # Messages answers only (the Files and token-counting endpoints are not this protocol); vercel kept no URL.
        if record.get("provider") == "anthropic" and (url.endswith("/v1/messages") or not url):
            out.append(record)
    return out


RECORDS = _messages_records()


@pytest.mark.conformance
@pytest.mark.skipif(not RECORDS, reason="the shared conformance recordings are not beside the repository")
@pytest.mark.parametrize(
    "record", RECORDS, ids=[f"{r['fixture_file'].split('/')[-1]}#{r['interaction_index']}" for r in RECORDS]
)
def test_every_recorded_messages_answer(record: dict[str, Any]) -> None:
    if (record.get("status") or 200) >= 400:
        with pytest.raises(APIStatusError) as caught:
            call(record, config=AIModelCallConfig(retries=0))
        assert caught.value.error_type == response_json(record)["error"]["type"]
        return
    if not record["is_stream"]:
        response = call(record)[0].chat_response
        assert response is not None
        assert len(response.choices[0].contents) == len(response_json(record)["content"])
        return
    try:
        items = call(record, config=AIModelCallConfig(streaming=True))[1]
    except (StreamError, ResponseParseError):
        # Only a stream that is not one message (spliced, or cut before message_stop) may fail.
        spliced = record["fixture_file"].endswith("spliced-message-start.chunks.txt")
        assert spliced or read_stream(record)["stop"] is None
        return
    final = final_of(items)
    assert len(final.choices[0].contents) == len(read_stream(record)["blocks"])
    rebuilt = final.provider_response
    assert rebuilt is not None
    whole = call(json_response(rebuilt))[0].chat_response
    assert whole is not None
    assert whole.model_dump() == final.model_dump()
