"""Every recorded Gemini API ``generateContent`` interaction of the shared conformance set (when it is beside the
repository): answers parse, streams end in a final equal to the non-streamed parse of the merged response, and error
bodies raise typed errors named by their ``status``. Records made on Vertex AI are read through the Vertex host rows
by ``test_vertex_conformance``."""

from __future__ import annotations

from typing import Any

import pytest

from dhenara_http.errors import APIStatusError
from tests.protocols._gemini_support import run, run_json, run_stream
from tests.support.recordings import response_json, shared_records


def _generate_content_records() -> list[dict[str, Any]]:
    out = []
    for r in shared_records():
        if r["provider"] != "gemini":
            continue
        # vercel fixtures kept no URL; every one of them is a generateContent answer.
        if r.get("url") and "enerateContent" not in r["url"]:
            continue
        out.append(r)
    return out


RECORDS = _generate_content_records()
IDS = [f"{r['fixture_file'].rsplit('/', 1)[-1]}#{r['interaction_index']}" for r in RECORDS]

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not RECORDS, reason="the shared conformance recordings are not beside the repository"),
]


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_recorded_interaction(record: dict[str, Any]) -> None:
    if (record["status"] or 200) >= 400:
        err = response_json(record)["error"]
        with pytest.raises(APIStatusError) as caught:
            run(record)
        assert caught.value.error_type == err["status"]
        return
    if record["is_stream"]:
        items, final = run_stream(record, reasoning=True)
        assert all(chunk.data.choice_deltas[0].content_deltas for chunk, _ in items[:-1] if chunk)
        assert final.provider_response is not None
        again = run_json(final.provider_response, reasoning=True).chat_response
        assert again is not None
        assert again.model_dump() == final.model_dump()
    else:
        response = run(record, reasoning=True)
        assert response.metadata["response_id"] == response_json(record).get("responseId")
        assert response.choices
