"""The AWS event-stream decoder: real Bedrock streams and synthetic frames of every header type, checked against
botocore's ``EventStreamBuffer`` (an independent decoder); frames cut at every byte boundary; CRC, length and
truncation failures; exception frames typed; InvokeModel ``chunk`` frames unwrapped."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import struct
import uuid
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhenara_http._decoders import decoder_for
from dhenara_http._decoders.eventstream import EventStreamDecodeError, EventStreamDecoder, parse_headers
from dhenara_http._decoders.sse import SSEEvent
from dhenara_http.errors import (
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ResponseParseError,
)
from dhenara_http.testing._eventstream import chunk_frame, encode_frame, error_frame, event_frame, exception_frame

from ..support.recordings import body_bytes, records

botocore_eventstream = pytest.importorskip("botocore.eventstream")

REAL_STREAMS = [(name, body_bytes(r)) for name, r in records("converse") if r.get("stream_format") == "aws-eventstream"]


def test_there_are_real_streams() -> None:
    assert len(REAL_STREAMS) == 5


def decode_all(raw: bytes, cuts: list[int] | None = None) -> list[SSEEvent]:
    decoder = EventStreamDecoder()
    points = [0, *sorted(cuts or []), len(raw)]
    events: list[SSEEvent] = []
    for a, b in itertools.pairwise(points):
        events += decoder.iter_feed(raw[a:b])
    events += decoder.iter_flush()
    return events


def botocore_messages(raw: bytes) -> list[tuple[dict[str, Any], bytes]]:
    buffer = botocore_eventstream.EventStreamBuffer()
    buffer.add_data(raw)
    return [(dict(m.headers), m.payload) for m in buffer]


@pytest.mark.parametrize(("name", "raw"), REAL_STREAMS, ids=[n for n, _ in REAL_STREAMS])
def test_real_streams_match_botocore(name: str, raw: bytes) -> None:
    ours = decode_all(raw)
    theirs = botocore_messages(raw)
    assert len(ours) == len(theirs) > 3
    for event, (headers, payload) in zip(ours, theirs, strict=False):
        assert headers[":message-type"] == "event"
        assert event.event == headers[":event-type"]
        assert event.data == payload.decode("utf-8")
    assert ours[0].event == "messageStart"
    assert ours[-1].event == "metadata"
    assert any('"p":' in e.data for e in ours)  # real padding is passed through for the accumulator to ignore


@pytest.mark.parametrize(("name", "raw"), REAL_STREAMS[:2], ids=[n for n, _ in REAL_STREAMS[:2]])
def test_real_stream_split_at_every_byte(name: str, raw: bytes) -> None:
    whole = decode_all(raw)
    for cut in range(1, len(raw)):
        assert decode_all(raw, [cut]) == whole
    # Byte by byte too.
    decoder = EventStreamDecoder()
    events = [e for i in range(len(raw)) for e in decoder.iter_feed(raw[i : i + 1])]
    assert events == whole


ALL_TYPES: dict[str, Any] = {
    "t": True,
    "f": False,
    "b": ("byte", -7),
    "s": ("short", 1234),
    "i": ("int", -123456),
    "l": 2**40 + 5,
    "ba": b"\x00\xffbytes",
    "str": "ünïcode",
    "ts": ("timestamp", 1_700_000_000_123),
    "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
}


def test_every_header_type_read_as_botocore_reads_it() -> None:
    frame = encode_frame({":message-type": "event", ":event-type": "x", **ALL_TYPES}, b"{}")
    ours = parse_headers(frame, 12, 12 + struct.unpack_from(">I", frame, 4)[0])
    ((theirs, payload),) = botocore_messages(frame)
    assert payload == b"{}"
    for key in ALL_TYPES:
        mine = ours[key]
        other = theirs[key]
        if key == "ts":
            assert mine == other == 1_700_000_000_123
        elif key == "u":
            assert mine == uuid.UUID(bytes=other)  # botocore gives the 16 bytes
        else:
            assert mine == other


frames_strategy = st.lists(
    st.tuples(
        st.sampled_from(["messageStart", "contentBlockDelta", "metadata", "ünï"]),
        # "p" is the padding key event_frame adds (and the check below strips): a payload must not use it.
        st.dictionaries(
            st.text(max_size=5).filter(lambda k: k != "p"), st.text(max_size=20) | st.integers(), max_size=4
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(frames=frames_strategy, cuts=st.lists(st.integers(0, 2000), max_size=8))
def test_any_split_gives_the_same_events(frames: list[tuple[str, dict[str, Any]]], cuts: list[int]) -> None:
    raw = b"".join(event_frame(name, payload) for name, payload in frames)
    cuts = [min(c, len(raw)) for c in cuts]
    events = decode_all(raw, cuts)
    assert [e.event for e in events] == [name for name, _ in frames]
    assert [{k: v for k, v in json.loads(e.data).items() if k != "p"} for e in events] == [p for _, p in frames]
    assert [(h[":event-type"], p.decode()) for h, p in botocore_messages(raw)] == [(e.event, e.data) for e in events]


@settings(max_examples=200, deadline=None)
@given(junk=st.binary(max_size=64), cuts=st.lists(st.integers(0, 64), max_size=4))
def test_garbage_is_a_parse_error_never_anything_else(junk: bytes, cuts: list[int]) -> None:
    with contextlib.suppress(ResponseParseError):
        decode_all(junk, [min(c, len(junk)) for c in cuts])


def test_message_crc_mismatch() -> None:
    frame = bytearray(event_frame("messageStart", {"role": "assistant"}))
    frame[20] ^= 0x01
    with pytest.raises(EventStreamDecodeError, match="message CRC"):
        decode_all(bytes(frame))


def test_prelude_crc_mismatch_is_caught_before_the_frame_arrives() -> None:
    frame = bytearray(event_frame("messageStart", {"role": "assistant"}))
    frame[3] ^= 0x01
    decoder = EventStreamDecoder()
    with pytest.raises(EventStreamDecodeError, match="prelude CRC"):
        list(decoder.iter_feed(bytes(frame[:12])))


def test_oversized_frame_refused_from_its_prelude() -> None:
    prelude = struct.pack(">II", 100 * 1024 * 1024, 0)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(EventStreamDecodeError, match="payload limit"):
        list(EventStreamDecoder().iter_feed(prelude))


def test_truncated_stream_at_flush() -> None:
    raw = event_frame("messageStart", {"role": "assistant"}) + event_frame("messageStop", {"stopReason": "end_turn"})
    decoder = EventStreamDecoder()
    events = list(decoder.iter_feed(raw[:-5]))
    assert [e.event for e in events] == ["messageStart"]
    with pytest.raises(EventStreamDecodeError, match="truncated"):
        list(decoder.iter_flush())


def test_empty_stream_flushes_nothing() -> None:
    assert decode_all(b"") == []


@pytest.mark.parametrize(
    ("exception_type", "cls", "status"),
    [
        ("throttlingException", RateLimitError, 429),
        ("serviceUnavailableException", OverloadedError, 529),
        ("modelStreamErrorException", InternalServerError, 500),
        ("internalServerException", InternalServerError, 500),
        ("validationException", BadRequestError, 400),
        ("modelTimeoutException", InternalServerError, 500),
        ("accessDeniedException", PermissionDeniedError, 403),
        ("someNewException", InternalServerError, 500),
    ],
)
def test_exception_frames_are_typed(exception_type: str, cls: type[Exception], status: int) -> None:
    raw = event_frame("messageStart", {"role": "assistant"}) + exception_frame(exception_type, "it went wrong")
    decoder = EventStreamDecoder()
    events = decoder.iter_feed(raw)
    assert next(events).event == "messageStart"
    with pytest.raises(cls) as caught:
        next(events)
    assert type(caught.value) is cls
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert caught.value.error_type == exception_type  # type: ignore[attr-defined]
    assert "it went wrong" in str(caught.value)


def test_error_frames_are_typed() -> None:
    with pytest.raises(AuthenticationError, match="token expired"):
        decode_all(error_frame("ExpiredTokenException", "token expired"))


def test_invoke_chunk_frames_are_unwrapped() -> None:
    inner = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}
    events = decode_all(chunk_frame(inner))
    assert events == [SSEEvent("content_block_delta", json.dumps(inner, separators=(",", ":")))]


def test_invoke_chunk_without_base64_is_a_parse_error() -> None:
    bad = encode_frame({":event-type": "chunk", ":message-type": "event"}, b'{"bytes": "%%%"}')
    with pytest.raises(EventStreamDecodeError, match="base64"):
        decode_all(bad)


def test_registered_under_its_framing_name() -> None:
    assert isinstance(decoder_for("aws-eventstream"), EventStreamDecoder)


def test_large_frame_in_small_reads_is_linear() -> None:
    """A 4 MiB payload in 1 KiB reads: bytes are appended, not re-joined (a quadratic decoder would copy ~8 GiB)."""
    text = base64.b64encode(b"x" * (3 * 1024 * 1024)).decode()
    raw = event_frame("contentBlockDelta", {"delta": {"text": text}})
    decoder = EventStreamDecoder()
    events: list[SSEEvent] = []
    for i in range(0, len(raw), 1024):
        events += decoder.iter_feed(raw[i : i + 1024])
    assert len(events) == 1
    assert json.loads(events[0].data)["delta"]["text"] == text
