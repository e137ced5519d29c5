"""The TOML subset reader used where Python has no ``tomllib``: it reads what it supports exactly as ``tomllib``
does, and refuses the rest with the line and column — without quoting the file, which holds secrets."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhenara_http._toml import TOMLError, loads, loads_subset

# The reference reader (Python 3.11+); on 3.10 the subset reader is all there is, and these comparisons are skipped.
tomllib = pytest.importorskip("tomllib")

DOCUMENTS = [
    "",
    "# only a comment\n\n",
    'a = "b"\n',
    "[t]\nk = 1\n[u]\nk = 2\n",
    "[a.b.c]\nx = true\n[a]\ny = false\n",
    'x.y.z = "dotted"\nx.y.w = 1\n',
    '"quoted key" = 1\n\'literal key\' = 2\n"a.b" = 3\n',
    's = "tab\\tnew\\nquote\\" back\\\\ u\\u00e9 U\\U0001F600"\n',
    "lit = 'C:\\path\\no\\escapes'\n",
    'ml = """\nfirst\nsecond"""\n',
    'ml = """one \\\n    two"""\n',
    'ml = """ends with quotes"" """\nq = """a""""\n',
    "ml = '''\n{\"json\": \"inside\"}\n'''\n",
    "n = [1, 2, 3]\nm = [\n  'a',  # comment\n  'b',\n]\nempty = []\nnested = [[1, 2], ['x']]\n",
    "i = +42\nj = -17\nk = 1_000_000\nh = 0xDEAD_beef\no = 0o755\nb = 0b1010\n",
    "f = 3.14\ng = -0.5e-3\nh = 1e10\ninf1 = inf\ninf2 = -inf\n",
    "t = { a = 1, b = { c = 'd' }, e.f = 2 }\nempty = {}\n",
    "[[servers]]\nname = 'a'\n[[servers]]\nname = 'b'\n[servers.extra]\nk = 1\n",
    "[x]   # comment after a header\nk = 'v'   # and after a value\n",
    'key = "value"\r\nother = 1\r\n',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_supported_documents_read_as_tomllib_reads_them(text: str) -> None:
    assert loads_subset(text) == tomllib.loads(text)


def test_nan_reads_as_nan() -> None:
    assert math.isnan(loads_subset("x = nan\n")["x"])


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("[a]\nk = 1\n[a]\n", 3, "defined twice"),
        ("k = 1\nk = 2\n", 2, "defined twice"),
        ('k = "unterminated\n', 1, "unterminated string"),
        ("when = 2026-11-21\n", 1, "dates and times"),
        ("at = 07:32:00\n", 1, "dates and times"),
        ("k = [1, 2\n", 2, "',' or ']'"),
        ("k = \n", 1, "expected a value"),
        ("k = 012\n", 1, "leading zeros"),
        ("k = 1__0\n", 1, "'_'"),
        ("= 1\n", 1, "expected a key"),
        ("k 1\n", 1, "'='"),
        ('k = "a" extra\n', 1, "end of the line"),
        ('k = "\\q"\n', 1, "escape"),
        ("[a\n", 1, "']'"),
        ("k = { a = 1\n", 1, "'}'"),
        ('k = "bell\x07"\n', 1, "control character"),
        ("k = 'del\x7f'\n", 1, "control character"),
    ],
)
def test_unsupported_or_broken_input_names_line_and_column(text: str, line: int, fragment: str) -> None:
    with pytest.raises(TOMLError) as caught:
        loads_subset(text)
    assert caught.value.lineno == line
    assert caught.value.colno >= 1
    assert fragment in str(caught.value)
    assert f"line {line}, column" in str(caught.value)
    if "dates" not in fragment:  # dates are valid TOML that the subset refuses; the rest tomllib refuses too
        with pytest.raises(tomllib.TOMLDecodeError):
            tomllib.loads(text)


def test_errors_never_quote_the_document() -> None:
    secret = "sk-live-SHOULD-NOT-APPEAR-123"
    for text in (f'api_key = "{secret}\n', f'api_key = "{secret}" trailing\n', f"api_key = {secret}\n"):
        with pytest.raises(TOMLError) as caught:
            loads_subset(text)
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)


def test_loads_uses_tomllib_and_keeps_the_same_error_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TOMLError) as with_tomllib:
        loads("a = 1\nb = \n")
    monkeypatch.setitem(sys.modules, "tomllib", None)
    with pytest.raises(TOMLError) as without:
        loads("a = 1\nb = \n")
    assert with_tomllib.value.lineno == without.value.lineno == 2


# -- a property: any nesting of supported scalars, written out as TOML, reads back the same way ----------------------

_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789 .\"'", min_size=1, max_size=8)
_SCALARS = (
    st.text(max_size=20)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


def _key(k: str) -> str:
    return json.dumps(k)  # a basic string key: JSON's escapes are TOML's for these characters


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        # JSON's escapes are TOML's; DEL, raw in JSON, must be escaped in TOML.
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, st.one_of(_VALUES, st.dictionaries(_KEYS, _VALUES, max_size=3)), max_size=5))
def test_written_documents_read_back_like_tomllib(data: dict[str, Any]) -> None:
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"[{_key(k)}]")
            lines += [f"{_key(sk)} = {_value(sv)}" for sk, sv in v.items()]
    text = "\n".join(lines) + "\n"
    assert loads_subset(text) == tomllib.loads(text)
