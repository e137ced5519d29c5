"""Checks on JSON that came from outside (a provider's answer, a model's tool arguments): bounded nesting, and text
that UTF-8 can hold.

* Nesting: real answers nest a few levels. Much deeper ones (a hostile or broken server) make ``copy.deepcopy`` and
  pydantic's JSON serialisation fail far from where the answer was read, so they are refused where it is read.
* Lone surrogates: the JSON escape ``\\ud800`` decodes to a Python string no UTF-8 encoder accepts, so a response
  holding one could never be dumped to JSON or printed to a UTF-8 terminal. They are replaced by U+FFFD (what a UTF-8
  decoder does with bytes it cannot read), and the response stays usable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors._tree import ResponseParseError

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Deepest nesting of containers accepted in an answer, a stream event or a tool call's arguments.
MAX_DEPTH = 128
_UTF8 = ("utf-8", "utf-8-sig")


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (so cannot be encoded as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def fix_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (one for each)."""
    return _SURROGATE.sub("\ufffd", text) if has_surrogate(text) else text


def _fixed(node: Any) -> Any:
    """``node`` with every lone surrogate replaced (its depth is already known to be bounded)."""
    kind = type(node)
    if kind is str:
        return fix_text(node)
    if kind is dict:
        return {fix_text(k) if type(k) is str else k: _fixed(v) for k, v in node.items()}
    if kind is list:
        return [_fixed(v) for v in node]
    return node


#: Text shorter than this cannot nest deeper than ``MAX_DEPTH`` (each level takes two brackets).
SHALLOW = 2 * MAX_DEPTH


def checked_json(raw: bytes, data: Any, what: str = "the answer") -> Any:
    """``data``, parsed by ``json.loads`` from ``raw``, checked as :func:`checked_answer` checks it — but only when
    the bytes could hold a problem: nesting needs brackets, and a lone surrogate needs a ``\\uD…`` escape or the
    byte ``0xED`` in UTF-8 (which ``json.loads`` decodes with ``surrogatepass``). A usual answer is let through after
    two counts and three substring searches, at a small part of the cost of walking it."""
    if (
        json.detect_encoding(raw) in _UTF8
        and (len(raw) < SHALLOW or raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH)
        and b"\\ud" not in raw
        and b"\\uD" not in raw
        and b"\xed" not in raw
    ):
        return data
    return checked_answer(data, what)


def checked_answer(data: Any, what: str = "the answer") -> Any:
    """``data`` (parsed JSON) once checked: nested at most :data:`MAX_DEPTH` deep (else ``ResponseParseError``), with
    lone surrogates replaced by U+FFFD. The very same object comes back when nothing needed replacing.

    One pass without recursion, looking closely only at non-ASCII strings: it costs about half of what ``json.loads``
    of the same answer costs."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    pop, push = stack.pop, stack.append
    dirty = type(data) is str and has_surrogate(data)
    while stack:
        node, depth = pop()
        if depth > MAX_DEPTH:
            raise ResponseParseError(f"malformed answer: {what} is nested more than {MAX_DEPTH} levels deep")
        deeper = depth + 1
        if type(node) is dict:
            for key, value in node.items():
                kind = type(value)
                if kind is str:
                    if not value.isascii() and has_surrogate(value):
                        dirty = True
                elif kind is dict or kind is list:
                    push((value, deeper))
                if type(key) is str and not key.isascii() and has_surrogate(key):
                    dirty = True
        elif type(node) is list:
            for value in node:
                kind = type(value)
                if kind is str:
                    if not value.isascii() and has_surrogate(value):
                        dirty = True
                elif kind is dict or kind is list:
                    push((value, deeper))
    return _fixed(data) if dirty else data
