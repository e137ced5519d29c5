"""Responses API event streams, recorded from OpenAI and Azure OpenAI (SSE, and vercel's one-payload-per-line
captures re-framed as SSE), read through the public client."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig
from dhenara_http.errors import RateLimitError, ResponseParseError, StreamError
from dhenara_http.types.response import ChatResponseReasoningContentItem, ChatResponseToolCallContentItem
from dhenara_http.types.stream import (
    ChatResponseReasoningContentItemDelta,
    ChatResponseTextContentItemDelta,
    ChatResponseToolCallContentItemDelta,
)
from tests.protocols._responses_support import (
    all_records,
    answer,
    deltas,
    event_by_event,
    output_text,
    record,
    stream,
    stream_async,
    stream_payloads,
    terminal_response,
)

#: Streams that end with their terminal event (the error and the hand-broken captures are tested on their own).
STREAMS = [(n, r) for n, r in all_records() if r["is_stream"] and terminal_response(r) is not None]


def test_the_fixture_set_covers_the_event_kinds() -> None:
    kinds = {p.get("type") for _, r in STREAMS for p in stream_payloads(r)}
    for kind in (
        "response.output_text.delta",
        "response.function_call_arguments.delta",
        "response.reasoning_summary_text.delta",
        "response.output_text.annotation.added",
        "response.content_part.added",
        "response.queued",
    ):
        assert kind in kinds, kind
    assert {r["stream_format"] for _, r in STREAMS} == {"sse", "jsonl-chunks"}
    assert len(STREAMS) >= 8


@pytest.mark.parametrize(("name", "rec"), STREAMS, ids=[n for n, _ in STREAMS])
def test_recorded_stream_adds_up_to_the_completed_response(name: str, rec: dict[str, Any]) -> None:
    chunks, final, sent = stream(rec)
    assert sent["stream"] is True
    assert chunks, "a stream with content yields chunks"
    for chunk in chunks:
        # What every user's loop does with a chunk must work.
        assert isinstance(chunk.choice_deltas[0].content_deltas[0].get_text_delta(), str)

    completed = terminal_response(rec)
    assert completed is not None
    # Streamed and non-streamed answers are equal: the same object served as JSON parses to the same response.
    same_without_stream = answer(completed, provider=rec["provider"])
    assert final.model_dump() == same_without_stream.model_dump()

    texts = [d for d in deltas(chunks) if isinstance(d, ChatResponseTextContentItemDelta)]
    assert "".join(d.text_delta for d in texts) == output_text(completed) == (final.text() or "")
    by_index = {c.index: c for c in final.choices[0].contents}
    for d in texts:
        assert by_index[d.index].type == "text"

    # Tool-call deltas: keyed by index, id and name once on the first, arguments adding up to the final ones.
    args: dict[int, list[ChatResponseToolCallContentItemDelta]] = defaultdict(list)
    for d in deltas(chunks):
        if isinstance(d, ChatResponseToolCallContentItemDelta):
            args[d.index].append(d)
    tools = {t.index: t for t in final.tools()}
    assert set(args) == set(tools)
    for index, pieces in args.items():
        call = tools[index].tool_call
        assert (pieces[0].tool_call_id, pieces[0].tool_name) == (call.id, call.name)
        assert all(p.tool_call_id is None and p.tool_name is None for p in pieces[1:])
        assert "".join(p.arguments_delta for p in pieces) == (call.raw_arguments or "")

    # Reasoning deltas add up to each reasoning item's text.
    thought: dict[int, str] = defaultdict(str)
    for d in deltas(chunks):
        if isinstance(d, ChatResponseReasoningContentItemDelta):
            thought[d.index] += d.text_delta
    for item in final.choices[0].contents:
        if isinstance(item, ChatResponseReasoningContentItem):
            assert thought.get(item.index, "") == item.get_text()


def test_reasoning_stream_keeps_summaries_and_encrypted_content() -> None:
    rec = record("stream_reasoning_tool_steps")
    chunks, final, _ = stream(rec)
    completed = terminal_response(rec)
    assert completed is not None
    raw_reasoning = next(i for i in completed["output"] if i["type"] == "reasoning")
    reasoning = next(c for c in final.choices[0].contents if isinstance(c, ChatResponseReasoningContentItem))
    assert reasoning.encrypted_content == raw_reasoning["encrypted_content"]
    assert reasoning.thinking_summary == [s["text"] for s in raw_reasoning["summary"]]
    assert reasoning.thinking_id == raw_reasoning["id"]
    signatures = [
        d.thinking_signature
        for d in deltas(chunks)
        if isinstance(d, ChatResponseReasoningContentItemDelta) and d.thinking_signature
    ]
    # The signature delta is what the item's done event said; OpenAI re-encrypts it for the completed response,
    # which is what the final answer keeps.
    done = next(
        p["item"]
        for p in stream_payloads(rec)
        if p["type"] == "response.output_item.done" and p["item"]["type"] == "reasoning"
    )
    assert signatures == [done["encrypted_content"]]


def test_each_step_of_a_multi_step_capture_streams_on_its_own() -> None:
    # The capture holds four responses of one agent run back to back; each is one HTTP stream of its own.
    rec = record("stream_reasoning_tool_steps")
    lines = [line for line in rec["response_body"].splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if json.loads(line)["type"] == "response.created"]
    assert len(starts) == 4
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        part = {**rec, "response_body": "\n".join(lines[begin:end])}
        completed = terminal_response(part)
        assert completed is not None
        _, final, _ = stream(part)
        assert final.model_dump() == answer(completed).model_dump()


def test_events_after_the_terminal_event_are_ignored() -> None:
    rec = record("stream_reasoning_tool_steps")
    _, final, _ = stream(rec)
    first = terminal_response(rec)
    assert first is not None
    assert final.metadata["response_id"] == first["id"]


def test_items_are_keyed_by_output_index_when_ids_rotate() -> None:
    rec = record("stream_reasoning_rotating_ids")
    item_ids = {p.get("item_id") for p in stream_payloads(rec) if p.get("item_id")}
    assert len(item_ids) > 5  # every event names the item differently
    chunks, final, _ = stream(rec)
    assert "".join(d.text_delta for d in deltas(chunks) if isinstance(d, ChatResponseTextContentItemDelta)) == (
        final.text()
    )
    assert final.reasoning()


@pytest.mark.anyio
async def test_async_stream_gives_the_same_answer() -> None:
    rec = record("stream_text_then_tool_phase")
    chunks, final = await stream_async(rec)
    sync_chunks, sync_final, _ = stream(rec)
    assert final.model_dump() == sync_final.model_dump()
    assert [c.model_dump() for c in chunks] == [c.model_dump() for c in sync_chunks]
    assert [type(t) for t in final.choices[0].contents].count(ChatResponseToolCallContentItem) == 1


def test_in_band_error_is_raised_classified_before_the_first_chunk(retry_waits: list[float]) -> None:
    rec = record("stream_in_band_error")
    error_event = next(p for p in stream_payloads(rec) if p["type"] == "error")["error"]
    with pytest.raises(RateLimitError) as info:
        stream(rec, config=AIModelCallConfig(streaming=True, retries=2))
    err = info.value
    assert (err.error_code, err.error_type, err.message) == (
        error_event["code"],
        error_event["type"],
        error_event["message"],
    )
    # An in-band error before any chunk is retried exactly like the same error sent as an HTTP status: an exhausted
    # quota is a 429 that no wait will fix, so it is not retried.
    assert retry_waits == []


def test_failed_response_event_alone_raises_its_error() -> None:
    rec = record("stream_in_band_error")
    lines = [line for line in rec["response_body"].splitlines() if json.loads(line)["type"] != "error"]
    with pytest.raises(RateLimitError) as info:
        stream({**rec, "response_body": "\n".join(lines)})
    assert info.value.error_code == "insufficient_quota"


def test_error_after_the_first_chunk_is_a_stream_error_with_the_partial_answer() -> None:
    rec = record("stream_text_after_tool_result")
    payloads = [p for p in stream_payloads(rec) if p["type"] != "response.completed"]
    payloads.append({"type": "error", "code": "server_error", "message": "The server had an error", "param": None})
    body = "".join(f"data: {json.dumps(p)}\n\n" for p in payloads)
    broken = {**rec, "response_body": body}
    with pytest.raises(StreamError) as info:
        stream(broken, response=event_by_event(broken))
    err = info.value
    assert err.error is not None
    assert type(err.error).__name__ == "InternalServerError"
    assert err.partial is not None
    assert err.partial.chat_response is not None
    streamed = "".join(p.get("delta", "") for p in payloads if p["type"] == "response.output_text.delta")
    assert err.partial.chat_response.text() == streamed


def test_an_event_cut_short_is_an_error_not_skipped() -> None:
    # This capture's first and last lines are cut short (not JSON). What an event that is not JSON carried cannot be
    # known, so it is never read around: the stream fails, typed, before anything was yielded.
    rec = record("stream_malformed_terminal")
    with pytest.raises(ResponseParseError, match="not JSON"):
        stream(rec)


def test_an_event_cut_short_after_the_first_chunk_fails_with_what_arrived() -> None:
    rec = record("stream_malformed_terminal")
    lines = rec["response_body"].splitlines()
    # The first line made whole again; the last one stays cut short.
    lines[0] = lines[0] + "}"
    with pytest.raises(StreamError) as info:
        stream({**rec, "response_body": "\n".join(lines)})
    partial = info.value.partial
    assert partial is not None
    assert partial.chat_response is not None
    done = next(p for p in stream_payloads(rec) if p["type"] == "response.output_item.done")["item"]
    (tool,) = partial.chat_response.tools()
    assert (tool.id, tool.name, tool.tool_call.raw_arguments) == (done["call_id"], done["name"], done["arguments"])


def test_a_content_event_after_the_end_is_an_error() -> None:
    # Moved after response.completed, a delta would change a response that already ended: never ignored silently.
    rec = record("stream_tool_call")
    payloads = stream_payloads(rec)
    terminal = next(i for i, p in enumerate(payloads) if p["type"] == "response.completed")
    first_delta = next(i for i, p in enumerate(payloads) if p["type"] == "response.function_call_arguments.delta")
    moved = payloads[:first_delta] + payloads[first_delta + 1 : terminal + 1] + [payloads[first_delta]]
    body = "".join(f"data: {json.dumps(p)}\n\n" for p in moved)
    with pytest.raises((StreamError, ResponseParseError), match="after the response ended"):
        stream({**rec, "response_body": body, "stream_format": "sse"})


def test_answer_sent_as_json_to_a_stream_request_is_read_whole() -> None:
    raw = json.loads(record("text_instructions_only")["response_body"])
    chunks, final, _ = stream(
        {"provider": "openai_responses", "status": 200, "response_body": json.dumps(raw), "is_stream": False}
    )
    assert final.text() == output_text(raw)
    assert "".join(c.choice_deltas[0].content_deltas[0].get_text_delta() for c in chunks) == output_text(raw)


def test_padding_keepalives_and_unknown_events_are_ignored() -> None:
    rec = record("stream_tool_call")
    body = rec["response_body"].replace("event: response.created", ": comment\n\nevent: response.created")
    body = body.replace(
        "event: response.in_progress",
        'event: keepalive\ndata: {"type":"keepalive"}\n\nevent: x\ndata: {"type":"response.new_kind"}\n\n'
        "event: response.in_progress",
    )
    body = body.replace(
        'data: {"type":"response.function_call_arguments.delta"',
        'data:   {"type":"response.function_call_arguments.delta"',
    )
    _, final, _ = stream({**rec, "response_body": body})
    _, plain, _ = stream(rec)
    assert final.model_dump() == plain.model_dump()


def test_stream_request_asks_for_an_event_stream() -> None:
    import respx

    from dhenara_http import AIModelClient
    from tests.protocols._responses_support import endpoint
    from tests.support.recordings import http_response

    rec = record("stream_azure_text")
    ep, url = endpoint("gpt-4.1", "azure_openai")
    with respx.mock() as mock:
        route = mock.post(url).mock(return_value=http_response(rec))
        with AIModelClient(ep, AIModelCallConfig(streaming=True, retries=0)) as client:
            result = client.generate(prompt="hi")
            assert result.stream_generator is not None
            list(result.stream_generator)
    request: httpx.Request = route.calls.last.request
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content)["stream"] is True


def test_reasoning_deltas_of_several_summaries_add_up_to_the_joined_text() -> None:
    # The recorded reasoning has one summary; a second one is added after it, the way OpenAI streams several.
    rec = record("stream_reasoning_rotating_ids")
    second = "**Checking the count**\n\nThree."
    out: list[dict[str, Any]] = []
    for p in stream_payloads(rec):
        if p["type"] == "response.output_item.done" and p["item"]["type"] == "reasoning":
            out.append({"type": "response.reasoning_summary_part.added", "output_index": 0, "summary_index": 1})
            for piece in (second[:10], second[10:]):
                out.append(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        "output_index": 0,
                        "summary_index": 1,
                        "delta": piece,
                    }
                )
            p["item"]["summary"].append({"type": "summary_text", "text": second})
        if p["type"] in ("response.completed", "response.incomplete"):
            p["response"]["output"][0]["summary"].append({"type": "summary_text", "text": second})
        out.append(p)
    body = "".join(f"data: {json.dumps(p)}\n\n" for p in out)
    chunks, final, _ = stream({**rec, "response_body": body, "stream_format": "sse"})
    streamed = "".join(d.text_delta for d in deltas(chunks) if isinstance(d, ChatResponseReasoningContentItemDelta))
    reasoning = next(c for c in final.choices[0].contents if isinstance(c, ChatResponseReasoningContentItem))
    assert reasoning.thinking_summary is not None
    assert len(reasoning.thinking_summary) == 2
    assert reasoning.thinking_summary[1] == second
    assert streamed == reasoning.get_text() == "\n\n".join(reasoning.thinking_summary)
