"""Deterministic mutations of recorded provider answers: JSON bodies and event streams.

Every mutation is a function of a ``random.Random`` seeded from a string (seeding with a string is stable across runs
and machines), so a failing case is reproduced from its id alone. A mutation returns the bytes to serve and a label
saying what was done (for the failure message).

JSON values: type swaps, nulls, deletions, huge / negative / non-finite numbers, deep nesting, lone surrogates.
Bytes: truncation at every class of position (inside a string, after ``{`` ``,`` ``:``, inside a number, after a
backslash, inside a multi-byte character, at a line end), invalid UTF-8. Streams: any of those inside one event, and
dropped, duplicated and reordered events. AWS event streams (Bedrock): the same on the events' JSON, then the frames
encoded again, plus renamed events, injected exception frames, invalid UTF-8 in a payload, cut frames and flipped bits.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dhenara_http.testing._eventstream import encode_frame, exception_frame

#: What a value may be replaced by.
SWAPS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    7,
    1.5,
    2**64,
    10**400,
    float("inf"),
    float("nan"),
    "",
    "x",
    "12",
    [],
    {},
    [1, "a", None],
    {"k": {"v": 1}},
]
#: What a number may be replaced by.
NUMBERS: list[Any] = [-1, -0.0, 1.5, 2**63, 10**400, -(10**400), float("inf"), float("-inf"), float("nan"), 1e308]
#: Nesting depths of the "deep" mutation: deeper than an answer may be, but still parsed by ``json.loads`` (deeper
#: bodies make ``json.loads`` itself fail, which the transport reads; see the tests marked "core: a").
DEPTHS = (150, 400)


def nested(depth: int, rng: random.Random) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"n": value}
    return value


@dataclass
class Node:
    """A place in a JSON tree: the container and the key (or index) of the value."""

    parent: dict[str, Any] | list[Any]
    key: Any

    @property
    def value(self) -> Any:
        return self.parent[self.key]

    def set(self, value: Any) -> None:
        self.parent[self.key] = value

    def delete(self) -> None:
        del self.parent[self.key]


def places(tree: Any) -> list[Node]:
    """Every place in the tree (iterative: a tree may be deep)."""
    out: list[Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            out.append(Node(node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return out


def mutate_value(tree: Any, rng: random.Random) -> str:
    """Change one place of ``tree`` in place; the label of what was done ("" when the tree has no place)."""
    spots = places(tree)
    if not spots:
        return ""
    # Leaves and small containers first: most of the answer is there, and whole-subtree swaps are covered too.
    spot = rng.choice(spots)
    kind = rng.choice(("swap", "swap", "null", "delete", "number", "surrogate", "deep"))
    where = f"{type(spot.parent).__name__}[{spot.key!r}]"
    if kind == "number":
        numbers = [s for s in spots if isinstance(s.value, int | float) and not isinstance(s.value, bool)]
        spot = rng.choice(numbers) if numbers else spot
        value = rng.choice(NUMBERS)
        spot.set(value)
        return f"number {spot.key!r} -> {value!r:.40}"
    if kind == "surrogate":
        strings = [s for s in spots if isinstance(s.value, str)]
        spot = rng.choice(strings) if strings else spot
        spot.set("\ud800" + (spot.value if isinstance(spot.value, str) else "") + "\udfff")
        return f"surrogates in {spot.key!r}"
    if kind == "delete":
        spot.delete()
        return f"delete {where}"
    if kind == "null":
        spot.set(None)
        return f"null {where}"
    if kind == "deep":
        depth = rng.choice(DEPTHS)
        spot.set(nested(depth, rng))
        return f"nest {where} {depth} deep"
    # A copy: the same list or dict put in two places (or twice in one tree) would be changed through both.
    value = copy.deepcopy(rng.choice(SWAPS))
    spot.set(value)
    return f"swap {where} -> {value!r:.40}"


def dumps(value: Any) -> str:
    """Compact JSON; non-finite numbers as ``Infinity`` / ``NaN`` (what a broken server may send), lone surrogates as
    ``\\ud800`` escapes."""
    return json.dumps(value, separators=(",", ":"), allow_nan=True)


# -- bytes -------------------------------------------------------------------------------------------------------

#: Classes of positions a body is cut at: what the byte just before the cut is (or is inside of).
_CUT_CLASSES: dict[str, Callable[[bytes, int], bool]] = {
    "after-brace": lambda raw, i: raw[i - 1 : i] in (b"{", b"["),
    "after-comma": lambda raw, i: raw[i - 1 : i] == b",",
    "after-colon": lambda raw, i: raw[i - 1 : i] == b":",
    "in-number": lambda raw, i: raw[i - 1 : i].isdigit() and raw[i : i + 1].isdigit(),
    "after-backslash": lambda raw, i: raw[i - 1 : i] == b"\\",
    "in-utf8": lambda raw, i: 0x80 <= raw[i] < 0xC0 if i < len(raw) else False,
    "at-line-end": lambda raw, i: raw[i - 1 : i] == b"\n",
    "in-string": lambda raw, i: raw[i - 1 : i].isalpha(),
}


def cut(raw: bytes, rng: random.Random) -> tuple[bytes, str]:
    """``raw`` cut short at a position of a random class (any position when the class has none)."""
    name = rng.choice(sorted(_CUT_CLASSES))
    test = _CUT_CLASSES[name]
    positions = [i for i in range(1, len(raw)) if test(raw, i)]
    if not positions:
        name, positions = "anywhere", list(range(1, max(len(raw), 2)))
    at = rng.choice(positions)
    return raw[:at], f"cut {name} at {at}/{len(raw)}"


#: Byte sequences no UTF-8 decoder accepts.
BAD_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82")


def bad_utf8(raw: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(len(raw) + 1)
    junk = rng.choice(BAD_UTF8)
    return raw[:at] + junk + raw[at:], f"invalid utf-8 {junk!r} at {at}"


# -- JSON answers --------------------------------------------------------------------------------------------------


def mutate_answer(body: Any, rng: random.Random) -> tuple[bytes, str]:
    """One mutation of a JSON answer: a changed value (most cases), a cut or invalid UTF-8."""
    roll = rng.random()
    if roll < 0.7:
        tree = json.loads(json.dumps(body))
        label = " / ".join(mutate_value(tree, rng) for _ in range(rng.choice((1, 1, 2))))
        return dumps(tree).encode("utf-8"), label
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if roll < 0.9:
        return cut(raw, rng)
    return bad_utf8(raw, rng)


# -- streams ---------------------------------------------------------------------------------------------------------

Event = tuple[str | None, str]


def frame(events: list[Event]) -> bytes:
    """Server-sent events, each ``event:`` (when named) + ``data:`` + a blank line."""
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        lines = "".join(f"data: {line}\n" for line in data.split("\n"))
        out.append(f"{head}{lines}\n")
    return "".join(out).encode("utf-8")


def _mutate_event_list(
    events: list[Any], i: int, kind: str, rng: random.Random, encode: Callable[[list[Any]], bytes]
) -> tuple[bytes, str] | None:
    """The mutations both stream framings share, of event ``i`` or of the list (``events`` is changed in place), the
    result encoded by ``encode``; None for a kind it does not make."""
    name, data = events[i]
    if kind == "event-json":
        try:
            tree = json.loads(data)
        except ValueError:
            tree = None
        if isinstance(tree, dict | list):
            label = mutate_value(tree, rng)
            events[i] = (name, dumps(tree))
            return encode(events), f"event {i}: {label}"
        kind = "event-cut"
    if kind == "event-cut":
        raw, label = cut(data.encode("utf-8"), rng)
        events[i] = (name, raw.decode("utf-8", "ignore"))
        return encode(events), f"event {i}: {label}"
    if kind == "drop":
        del events[i]
        return encode(events), f"drop event {i}"
    if kind == "duplicate":
        events.insert(i, events[i])
        return encode(events), f"duplicate event {i}"
    if kind == "reorder":
        j = min(len(events) - 1, i + rng.choice((1, 1, 2, 5))) if rng.random() < 0.7 else rng.randrange(len(events))
        events[i], events[j] = events[j], events[i]
        return encode(events), f"swap events {i} and {j}"
    return None


def mutate_stream(events: list[Event], rng: random.Random) -> tuple[bytes, str]:
    """One mutation of an event stream."""
    events = list(events)
    kind = rng.choice(
        ("event-json", "event-json", "event-json", "event-cut", "drop", "duplicate", "reorder", "body-cut", "utf8")
    )
    i = rng.randrange(len(events))
    done = _mutate_event_list(events, i, kind, rng, frame)
    if done is not None:
        return done
    raw = frame(events)
    if kind == "body-cut":
        return cut(raw, rng)
    return bad_utf8(raw, rng)


# -- AWS event streams (Bedrock) -------------------------------------------------------------------------------------

#: ``(:event-type, JSON payload)`` of one Converse stream event.
AwsEvent = tuple[str, str]
#: In-band exceptions Bedrock sends inside a stream (ConverseStream API reference).
AWS_EXCEPTIONS = (
    "throttlingException",
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "serviceUnavailableException",
    "someNewException",
)


def encode_events(events: list[AwsEvent]) -> bytes:
    """The frames of these events, as Bedrock writes them (``:message-type: event``, JSON payloads)."""
    headers = {":content-type": "application/json", ":message-type": "event"}
    return b"".join(
        encode_frame({":event-type": name, **headers}, data.encode("utf-8", "surrogatepass")) for name, data in events
    )


def mutate_eventstream(events: list[AwsEvent], rng: random.Random) -> tuple[bytes, str]:
    """One mutation of a Converse event stream; the frames are encoded again afterwards (lengths and CRCs right),
    except for the mutations of the framing itself (a cut body, a flipped byte)."""
    events = list(events)
    kind = rng.choice(
        (
            "event-json",
            "event-json",
            "event-json",
            "event-cut",
            "drop",
            "duplicate",
            "reorder",
            "rename",
            "exception",
            "payload-utf8",
            "body-cut",
            "flip",
        )
    )
    i = rng.randrange(len(events))
    name, data = events[i]
    done = _mutate_event_list(events, i, kind, rng, encode_events)
    if done is not None:
        return done
    if kind == "rename":
        other = rng.choice(("messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata", "x"))
        events[i] = (other, data)
        return encode_events(events), f"event {i} renamed {other}"
    if kind == "exception":
        error = rng.choice(AWS_EXCEPTIONS)
        frames = encode_events(events[:i]) + exception_frame(error, "injected") + encode_events(events[i:])
        return frames, f"{error} before event {i}"
    if kind == "payload-utf8":
        raw = data.encode("utf-8")
        at = rng.randrange(len(raw) + 1)
        junk = rng.choice(BAD_UTF8)
        headers = {":event-type": name, ":content-type": "application/json", ":message-type": "event"}
        frame = encode_frame(headers, raw[:at] + junk + raw[at:])
        return encode_events(events[:i]) + frame + encode_events(events[i + 1 :]), f"event {i}: invalid utf-8 {junk!r}"
    raw = encode_events(events)
    if kind == "body-cut":
        at = rng.randrange(1, len(raw))
        return raw[:at], f"cut the frames at {at}/{len(raw)}"
    at = rng.randrange(len(raw))
    return raw[:at] + bytes([raw[at] ^ (1 << rng.randrange(8))]) + raw[at + 1 :], f"flip a bit of byte {at}"
