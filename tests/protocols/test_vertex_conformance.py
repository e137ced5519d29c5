"""Recorded Vertex AI interactions, read through the Vertex AI host rows: every record with a Vertex publisher-model
URL is either out of scope for a named reason (embeddings ``:predict``, ``:countTokens``) or is addressed by the
host's routes exactly as recorded (default host of its location, path, query), sent there by the public client with
the body its wire gives Vertex (no ``model``; ``anthropic_version`` for Claude), and its answer parsed: what the raw
JSON says (read independently by ``_conformance_expect``) is what the client returns, streams end equal to the parse
of their merged answer, and error bodies raise the class their ``status`` names.

The records under ``fixtures/gemini/vertex_*.json`` always run; the whole shared set runs when it is present."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from dhenara_http.errors import APIStatusError
from dhenara_http.hosts import HOSTS, base_url_for
from dhenara_http.types.enums import AIModelAPIProviderEnum
from tests.protocols._conformance_expect import EXPECT, expected_error
from tests.protocols._vertex_support import METHODS, VertexCall, run, sent_json, vertex_call
from tests.support.recordings import http_response, records, response_json, shared_records

VERTEX = HOSTS[AIModelAPIProviderEnum.GOOGLE_VERTEX_AI]
#: Vertex methods this library does not call, and why.
OUT_OF_SCOPE = {
    "predict": "embeddings and Imagen (:predict) are not implemented on Vertex AI",
    "countTokens": "token counting is not implemented",
}


def _records() -> list[tuple[str, dict[str, Any]]]:
    fixtures = [(f"fixture:{name}", r) for name, r in records("gemini") + records("anthropic") if vertex_call(r)]
    shared = [
        (f"shared:{r['fixture_file'].rsplit('/', 1)[-1]}#{r['interaction_index']}", r)
        for r in shared_records()
        if r["provider"] == "vertex" or vertex_call(r) is not None
    ]
    return fixtures + shared


RECORDS = _records()


def _in_scope(record: dict[str, Any]) -> VertexCall:
    """The record's Vertex call; the test is skipped, with the reason, for a method the library does not call."""
    call = vertex_call(record)
    assert call is not None
    if call.method in OUT_OF_SCOPE:
        pytest.skip(OUT_OF_SCOPE[call.method])
    return call


pytestmark = pytest.mark.conformance


def test_every_shared_vertex_record_has_a_vertex_url_and_is_in_scope_or_named_out() -> None:
    shared = [r for r in shared_records() if r["provider"] == "vertex"]
    if not shared:
        pytest.skip("the shared conformance recordings are not beside the repository")
    calls = [vertex_call(r) for r in shared]
    assert all(c is not None for c in calls)
    methods = {c.method for c in calls if c is not None}
    assert methods <= set(METHODS) | set(OUT_OF_SCOPE)


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=[n for n, _ in RECORDS])
def test_the_host_rows_address_the_recorded_url(name: str, record: dict[str, Any]) -> None:
    call = _in_scope(record)
    assert call.wire is not None
    api = call.api(base_url=False)
    default = urlsplit(base_url_for(api))
    assert (default.scheme, default.netloc, default.path) == ("https", call.host, "/v1")  # recorded on v1beta1
    path, query = VERTEX.route(call.wire, call.model, api.config, call.stream)
    assert (path, query) == (call.path, call.query)


@pytest.mark.parametrize(("name", "record"), RECORDS, ids=[n for n, _ in RECORDS])
def test_the_recorded_answer_through_the_vertex_host(name: str, record: dict[str, Any]) -> None:
    call = _in_scope(record)
    assert call.wire is not None
    status = record["status"] or 200
    if status >= 400:
        body = response_json(record)
        cls, etype, _ = expected_error(call.wire, status, body)
        with pytest.raises(APIStatusError) as caught:
            run(record, http_response(record))
        assert type(caught.value) is cls
        assert caught.value.error_type == etype
        assert caught.value.status_code == status
        return
    result, sent = run(record, http_response(record))
    body = sent_json(sent)
    assert "model" not in body
    if call.wire == "anthropic":
        assert body["anthropic_version"] == "vertex-2023-10-16"
    response = result.chat_response
    assert response is not None
    assert response.api_provider == AIModelAPIProviderEnum.GOOGLE_VERTEX_AI.value
    if record["is_stream"]:
        assert response.provider_response is not None
        merged = EXPECT[call.wire](response.provider_response)
    else:
        merged = EXPECT[call.wire](response_json(record))
    assert (response.text() or "") == merged.text
    assert [(t.name, t.arguments) for t in response.tools()] == [(name, args) for _, name, args, _ in merged.tools]
    assert response.choices[0].finish_reason == merged.finish
    assert response.usage is not None
    assert merged.usage is not None
    assert response.usage.prompt_tokens == merged.usage["prompt_tokens"]
    assert response.usage.completion_tokens == merged.usage["completion_tokens"]
