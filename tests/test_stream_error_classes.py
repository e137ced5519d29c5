"""A stream that fails after its first chunk raises an exception that is both a ``StreamError`` and the classified
class of its cause (API.md section 5): ``errors.stream_error`` builds it; the stream driver raises it."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.errors import (
    APIConnectionError,
    DhenaraError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
    ResponseParseError,
    StreamError,
    stream_error,
)

OVERLOADED = OverloadedError(
    "Overloaded",
    provider="anthropic",
    model="claude-sonnet-4-5",
    status_code=529,
    error_type="overloaded_error",
    request_id="req_1",
    retry_after=2.0,
    body={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
)


def test_the_stream_error_is_also_an_instance_of_its_cause_class() -> None:
    exc = stream_error("the stream failed after its first chunk: Overloaded", partial=None, error=OVERLOADED)
    assert isinstance(exc, StreamError)
    assert isinstance(exc, OverloadedError)
    assert isinstance(exc, InternalServerError)
    assert not isinstance(exc, RateLimitError)
    assert exc.error is OVERLOADED
    assert exc.partial is None
    # The cause's fields are the exception's own.
    assert (exc.status_code, exc.error_type, exc.request_id, exc.retry_after) == (529, "overloaded_error", "req_1", 2.0)
    assert exc.body == OVERLOADED.body
    assert exc.message == "the stream failed after its first chunk: Overloaded"
    assert "status=529" in str(exc)
    with pytest.raises(OverloadedError):
        raise exc


def test_one_class_per_cause_class_and_none_for_no_cause() -> None:
    first = stream_error("a", partial=None, error=OVERLOADED)
    second = stream_error("b", partial=None, error=OverloadedError("again"))
    assert type(first) is type(second)
    dropped = stream_error("c", partial=None, error=APIConnectionError("reset"))
    assert isinstance(dropped, APIConnectionError)
    assert not isinstance(dropped, OverloadedError)
    ended = stream_error("d", partial=None, error=None)
    assert type(ended) is StreamError
    # A cause that is a stream error already is not wrapped twice.
    assert type(stream_error("e", partial=None, error=first)) is StreamError


def test_it_survives_pickling() -> None:
    exc = stream_error("the stream failed", partial=None, error=OVERLOADED)
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is type(exc)
    assert isinstance(again, OverloadedError)
    assert (again.status_code, again.message, again.error.message) == (529, "the stream failed", "Overloaded")


def _events(*payloads: dict[str, object]) -> bytes:
    return "".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads).encode()


BODY = _events(
    {"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "content": []}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Half an answer"}},
    {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
)


def _stream_until_error(body: bytes) -> tuple[list[object], DhenaraError]:
    api = AIModelAPI(provider="anthropic", api_key="sk-ant-test-0123456789")
    items: list[object] = []
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(
            return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
        )
        client = AIModelClient(
            AIModelEndpoint(api=api, ai_model="claude-sonnet-4-5"), AIModelCallConfig(streaming=True)
        )
        result = client.generate(prompt="hi")
        try:
            for item in result.stream_generator or ():
                items.append(item)
        except DhenaraError as exc:
            return items, exc
    raise AssertionError("the stream did not fail")


def test_an_in_band_overload_after_the_first_chunk_is_a_stream_error_with_the_partial_answer() -> None:
    items, exc = _stream_until_error(BODY)
    assert items  # the first chunk reached the caller
    assert isinstance(exc, StreamError)
    assert isinstance(exc.error, OverloadedError)
    assert exc.partial is not None
    assert exc.partial.chat_response is not None
    assert exc.partial.chat_response.text() == "Half an answer"


def test_an_in_band_overload_after_the_first_chunk_is_caught_as_overloaded() -> None:
    _, exc = _stream_until_error(BODY)
    assert isinstance(exc, OverloadedError)
    assert isinstance(exc, StreamError)


def test_a_malformed_event_after_the_first_chunk_is_caught_as_a_parse_error() -> None:
    body = BODY.replace(b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}', b"{cut")
    _, exc = _stream_until_error(body)
    assert isinstance(exc, ResponseParseError)
    assert isinstance(exc, StreamError)
