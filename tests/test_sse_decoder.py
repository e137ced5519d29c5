"""The server-sent-events decoder against the WHATWG "interpreting an event stream" rules, chunk boundaries anywhere.

The examples of the standard are checked literally; Hypothesis then checks that how the bytes are cut into network
chunks never changes the events, and that no input makes the decoder fail with anything but ``SSEDecodeError``.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dhenara_http._decoders.sse import SSEDecodeError, SSEDecoder, SSEEvent
from dhenara_http.errors import ResponseParseError


def decode(*chunks: bytes, flush: bool = True, max_line_bytes: int | None = None) -> list[SSEEvent]:
    decoder = SSEDecoder() if max_line_bytes is None else SSEDecoder(max_line_bytes=max_line_bytes)
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    if flush:
        events += decoder.flush()
    return events


def data_of(events: list[SSEEvent]) -> list[str]:
    return [e.data for e in events]


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    """``raw`` cut at ``cuts`` (repeated cuts give empty chunks, as a transport may deliver)."""
    points = [0, *sorted(min(c, len(raw)) for c in cuts), len(raw)]
    return [raw[a:b] for a, b in itertools.pairwise(points)]


# -- the standard's own examples ---------------------------------------------------------------------------------


def test_spec_example_multi_line_data_is_joined_with_lf() -> None:
    events = decode(b"data: YHOO\ndata: +2\ndata: 10\n\n")
    assert events == [SSEEvent("message", "YHOO\n+2\n10")]


def test_spec_example_comments_ids_and_an_unterminated_last_event() -> None:
    raw = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n"
    events = decode(raw, flush=False)
    # "id" with no colon sets the last event id to the empty string.
    assert [(e.data, e.id) for e in events] == [("first event", "1"), ("second event", "")]
    # The standard drops the third event (no blank line after it); flush() deliberately delivers it,
    # with only the first of its two spaces removed.
    assert decode(raw)[2:] == [SSEEvent("message", " third event", "")]


def test_spec_example_field_names_without_colon_and_empty_data() -> None:
    raw = b"data\n\ndata\ndata\n\ndata:"
    assert data_of(decode(raw, flush=False)) == ["", "\n"]
    assert data_of(decode(raw)) == ["", "\n", ""]


def test_spec_example_one_space_after_the_colon_is_optional() -> None:
    assert data_of(decode(b"data:test\n\ndata: test\n\n")) == ["test", "test"]


def test_spec_example_event_names() -> None:
    raw = b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n"
    events = decode(raw)
    assert [(e.event, e.data) for e in events] == [("add", "73857293"), ("remove", "2153"), ("add", "113411")]


# -- fields --------------------------------------------------------------------------------------------------------


def test_only_one_leading_space_is_removed_and_other_whitespace_is_kept() -> None:
    assert data_of(decode(b"data:  two\n\ndata:\ttab \n\ndata: a: b\n\n")) == [" two", "\ttab ", "a: b"]


def test_event_name_is_reset_after_each_dispatch_even_without_data() -> None:
    events = decode(b"event: ping\n\ndata: x\n\nevent: custom\ndata: y\n\ndata: z\n\n")
    assert [(e.event, e.data) for e in events] == [("message", "x"), ("custom", "y"), ("message", "z")]


def test_id_persists_and_an_id_with_nul_is_ignored() -> None:
    events = decode(b"id: 7\ndata: a\n\ndata: b\n\nid: bad\x00id\ndata: c\n\nid:\ndata: d\n\n")
    assert [(e.data, e.id) for e in events] == [("a", "7"), ("b", "7"), ("c", "7"), ("d", "")]


def test_retry_takes_ascii_digits_only() -> None:
    events = decode(b"retry: 1500\ndata: a\n\nretry: 10a\ndata: b\n\nretry: \xd9\xa3\ndata: c\n\nretry:\ndata: d\n\n")
    assert [e.retry for e in events] == [1500, 1500, 1500, 1500]


def test_comments_and_unknown_fields_are_ignored() -> None:
    events = decode(b":data: not data\nfoo: bar\nData: wrong case\ndata: yes\n:\n\n")
    assert events == [SSEEvent("message", "yes")]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode(b"event: hello\nid: 3\n\n: only a comment\n\n") == []


def test_json_helper_parses_data() -> None:
    (event,) = decode(b'data: {"a": [1, 2]}\n\n')
    assert event.json() == {"a": [1, 2]}


def test_done_sentinel_is_an_ordinary_event() -> None:
    events = decode(b'data: {"x": 1}\n\ndata: [DONE]\n\n')
    assert data_of(events) == ['{"x": 1}', "[DONE]"]
    assert events[-1].event == "message"


# -- line endings and chunk boundaries -----------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_every_line_ending(eol: bytes) -> None:
    raw = eol.join([b"event: e", b"data: 1", b"data: 2", b"", b"data: 3", b"", b""])
    assert [(e.event, e.data) for e in decode(raw)] == [("e", "1\n2"), ("message", "3")]


def test_mixed_line_endings() -> None:
    assert data_of(decode(b"data: a\rdata: b\ndata: c\r\n\r\ndata: d\r\r")) == ["a\nb\nc", "d"]


def test_cr_at_end_of_chunk_and_lf_at_start_of_next_are_one_line_end() -> None:
    # Were CR and LF two line ends, the empty line between them would dispatch "a" alone.
    assert data_of(decode(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n")) == ["a\nb"]


def test_empty_chunk_between_cr_and_lf_does_not_split_the_line_end() -> None:
    assert data_of(decode(b"data: a\r", b"", b"\ndata: b\n\n")) == ["a\nb"]


def test_dispatch_happens_only_on_the_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"data: b\n") == []
    assert decoder.feed(b"\n") == [SSEEvent("message", "a\nb")]
    assert decoder.flush() == []


def test_flush_at_eof_delivers_an_unterminated_line_and_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n\ndata: last") == [SSEEvent("message", "first")]
    assert decoder.flush() == [SSEEvent("message", "last")]


def test_utf8_character_split_across_chunks() -> None:
    raw = "data: héllo → 世界 🎉\n\n".encode()
    for i in range(1, len(raw)):
        assert data_of(decode(raw[:i], raw[i:])) == ["héllo → 世界 🎉"], i
    assert data_of(decode(*(raw[i : i + 1] for i in range(len(raw))))) == ["héllo → 世界 🎉"]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert data_of(decode(b"data: a\xffb\xe2\x82\n\n")) == ["a\ufffdb\ufffd"]


def test_leading_bom_is_dropped_once_and_only_at_stream_start() -> None:
    bom = b"\xef\xbb\xbf"
    assert data_of(decode(bom + b"data: x\n\n")) == ["x"]
    assert data_of(decode(bom[:1], bom[1:] + b"data: x\n\n")) == ["x"]
    # A second BOM is part of the field name ("\ufeffdata"), which is unknown, so nothing is dispatched.
    assert decode(bom + bom + b"data: x\n\n") == []
    # Not at the start of the stream: after a blank first line the BOM is no longer a BOM.
    assert decode(b"\n" + bom + b"data: x\n\n") == []


def test_only_cr_and_lf_end_lines() -> None:
    # Characters str.splitlines() would split on are ordinary data here.
    value = "a\x0bb\x0cc\x1cd\x85e\u2028f"
    assert data_of(decode(f"data: {value}\n\n".encode())) == [value]


# -- limits --------------------------------------------------------------------------------------------------------


def test_too_long_unterminated_line_raises() -> None:
    decoder = SSEDecoder(max_line_bytes=64)
    decoder.feed(b"data: " + b"x" * 50)
    with pytest.raises(SSEDecodeError, match="longer than 64 bytes"):
        decoder.feed(b"x" * 50)


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 10_000])
def test_too_long_line_raises_however_it_is_chunked(chunk_size: int) -> None:
    raw = b"data: ok\n\ndata: " + b"x" * 100 + b"\n\n"
    with pytest.raises(SSEDecodeError):
        decode(*(raw[i : i + chunk_size] for i in range(0, len(raw), chunk_size)), max_line_bytes=64)


def test_line_at_the_limit_is_accepted() -> None:
    line = b"data: " + b"x" * 58
    assert len(line) == 64
    assert data_of(decode(line[:10], line[10:] + b"\n\n", max_line_bytes=64)) == ["x" * 58]


def test_decode_error_is_a_response_parse_error() -> None:
    assert issubclass(SSEDecodeError, ResponseParseError)


def test_long_line_in_small_chunks_is_decoded_in_linear_time() -> None:
    # 8 MB (a large base64 image) in 1 KB chunks: re-joining the whole buffer on every chunk copies ~32 GB and takes
    # tens of seconds; joining once at the line end takes a few hundredths. The bound leaves a wide margin.
    payload = b"x" * (8 * 1024 * 1024)
    raw = b"data: " + payload + b"\n\n"
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    started = time.perf_counter()
    for i in range(0, len(raw), 1024):
        events += decoder.feed(raw[i : i + 1024])
    elapsed = time.perf_counter() - started
    assert len(events) == 1
    assert len(events[0].data) == len(payload)
    assert elapsed < 3.0


# -- properties ----------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One event block of a generated stream, as the server wrote it."""

    lines: list[bytes]
    event: str
    data: list[str]
    id: str | None
    retry: int | None


_value = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12)
_eol = st.sampled_from([b"\n", b"\r", b"\r\n"])


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    lines: list[bytes] = []
    event = draw(st.one_of(st.just(""), _value.filter(lambda v: v != "")))
    if event:
        lines.append(b"event: " + event.encode())
    data = draw(st.lists(_value, max_size=4))
    for value in data:
        # "data" alone, "data:" and "data: " all mean an empty value; a value's own leading space survives "data: ".
        if value == "":
            lines.append(draw(st.sampled_from([b"data", b"data:", b"data: "])))
        elif value.startswith(" "):
            lines.append(b"data: " + value.encode())
        else:
            lines.append(draw(st.sampled_from([b"data:", b"data: "])) + value.encode())
    ident = draw(st.one_of(st.none(), _value.filter(lambda v: "\x00" not in v)))
    if ident is not None:
        lines.append(b"id: " + ident.encode())
    retry = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    if retry is not None:
        lines.append(b"retry: " + str(retry).encode())
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), b":" + draw(_value).encode())
    order = draw(st.permutations(range(len(lines))))
    # Field order within a block does not matter except among data lines, which keep theirs.
    data_positions = [i for i, line in enumerate(lines) if line.startswith(b"data")]
    others = [lines[i] for i in order if i not in data_positions]
    data_lines = [lines[i] for i in data_positions]
    return Block(others + data_lines, event, data, ident, retry)


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, list[SSEEvent]]:
    """A valid event stream and the events the standard says it carries."""
    raw = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    expected: list[SSEEvent] = []
    last_id, retry = "", None
    for block in draw(st.lists(blocks(), max_size=5)):
        for line in [*block.lines, b""]:
            # CR then an empty line ended by LF would be one CRLF line end, not a line and a blank line.
            raw += line + (b"\r" if line == b"" and raw.endswith(b"\r") else draw(_eol))
        last_id = block.id if block.id is not None else last_id
        retry = block.retry if block.retry is not None else retry
        if block.data:
            expected.append(SSEEvent(block.event or "message", "\n".join(block.data), last_id, retry))
    return raw, expected


@settings(max_examples=300, deadline=None)
@given(stream=streams(), cuts=st.lists(st.integers(0, 2000), max_size=12))
def test_any_chunking_of_a_valid_stream_gives_its_events(stream: tuple[bytes, list[SSEEvent]], cuts: list[int]) -> None:
    raw, expected = stream
    assert decode(*split(raw, cuts)) == expected


def reference(raw: bytes) -> list[SSEEvent]:
    """The standard's algorithm over the whole stream at once, plus flush()'s end-of-stream dispatch."""
    text = raw.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)  # the last piece is an unterminated line, or "" — flush() handles both
    events: list[SSEEvent] = []
    event, data, last_id, retry = "", "", "", None
    for line in [*lines, ""]:
        if line == "":
            if data:
                events.append(SSEEvent(event or "message", data[:-1], last_id, retry))
            event, data = "", ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data += value + "\n"
        elif name == "id" and "\x00" not in value:
            last_id = value
        elif name == "retry" and re.fullmatch(r"[0-9]+", value):
            retry = int(value)
    return events


_noisy = st.sampled_from(
    [
        *(b"data", b"data:", b"data: ", b"event:", b"id:", b"retry:", b"1", b":", b" ", b"\r", b"\n", b"\r\n", b"\x00"),
        *(b"\xef\xbb\xbf", b"\xff", b"\xe2\x82", b"\xac", "é".encode(), b"\x0b", b"[DONE]", b'{"a":1}'),
    ]
)
_arbitrary = st.one_of(st.binary(max_size=200), st.lists(_noisy, max_size=40).map(b"".join))


@settings(max_examples=400, deadline=None)
@given(raw=_arbitrary, cuts=st.lists(st.integers(0, 250), max_size=12))
@example(raw=b"data: a\r\ndata: b\n\n", cuts=[8, 8])  # an empty chunk between CR and LF
@example(raw=b"\n\xef\xbb\xbfdata: x\n\n", cuts=[])  # a BOM after the first line is not a BOM
def test_arbitrary_bytes_decode_like_the_reference_however_chunked(raw: bytes, cuts: list[int]) -> None:
    assert decode(*split(raw, cuts)) == reference(raw)


@settings(max_examples=400, deadline=None)
@given(raw=_arbitrary, cuts=st.lists(st.integers(0, 250), max_size=12), limit=st.integers(1, 40))
def test_arbitrary_bytes_never_raise_anything_but_decode_error(raw: bytes, cuts: list[int], limit: int) -> None:
    longest = max(len(line) for line in re.split(rb"\r\n|\r|\n", raw))
    try:
        decode(*split(raw, cuts), max_line_bytes=limit)
    except SSEDecodeError:
        assert longest > limit  # raised only for a line that really is too long
    else:
        assert longest <= limit


# -- the lazy form and the fast path for runs of usual events ------------------------------------------------------


def decode_lazily(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.iter_feed(chunk)
    events += decoder.iter_flush()
    return events


_usual = st.sampled_from(
    [
        b'data: {"a":1}\n\n',
        b"data: x\n\n",
        b"event: e\ndata: y\n\n",
        b"event: \ndata: z\n\n",
        b"data:  padded \n\n",
    ]
)
_odd = st.sampled_from(
    [
        b": ping\n\n",
        b"id: 7\n",
        b"retry: 9\n",
        b"data: a\ndata: b\n\n",
        b"\n",
        b"data:tight\n\n",
        b"event: e\n",
        b"data: ",
    ]
)
_mostly_usual = st.lists(st.one_of(_usual, _usual, _usual, _odd), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(_mostly_usual, _arbitrary), cuts=st.lists(st.integers(0, 600), max_size=8))
def test_runs_of_usual_events_decode_like_the_reference_however_chunked(raw: bytes, cuts: list[int]) -> None:
    expected = reference(raw)
    assert decode(*split(raw, cuts)) == expected
    assert decode_lazily(*split(raw, cuts)) == expected
