"""Reading TOML: ``tomllib`` where Python has it (3.11+), else a small reader of the subset a credentials file uses.

The subset: comments, ``[tables]`` and ``[[arrays.of.tables]]`` (dotted and quoted names), ``key = value`` lines
(bare, quoted and dotted keys), basic and literal strings (single- and multi-line, with TOML's escapes), integers
(decimal, hex, octal, binary, ``_`` separators), floats (``inf`` / ``nan`` too), booleans, arrays (over several
lines, trailing comma allowed) and inline tables. Anything else — dates and times above all — is an error naming its
line and column. Errors never quote the file's text: it may hold secrets.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["TOMLError", "loads", "loads_subset"]


class TOMLError(ValueError):
    """A TOML document that cannot be read; ``lineno`` and ``colno`` count from 1."""

    def __init__(self, message: str, lineno: int, colno: int) -> None:
        super().__init__(f"{message} (at line {lineno}, column {colno})")
        self.msg = message
        self.lineno = lineno
        self.colno = colno


def loads(text: str) -> dict[str, Any]:
    """Parse TOML with ``tomllib`` when it exists; its errors become :class:`TOMLError`."""
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:
        return loads_subset(text)
    try:
        return tomllib.loads(text)  # type: ignore[no-any-return]
    except tomllib.TOMLDecodeError as exc:
        lineno = int(getattr(exc, "lineno", 0) or 0)
        colno = int(getattr(exc, "colno", 0) or 0)
        message = str(getattr(exc, "msg", "") or str(exc).split(" (at ")[0])
        if not lineno:
            found = re.search(r"line (\d+), column (\d+)", str(exc))
            lineno, colno = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        raise TOMLError(message, lineno, colno) from None


def loads_subset(text: str) -> dict[str, Any]:
    """Parse the TOML subset described in the module docstring."""
    return _Parser(text).document()


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}")
_NUMBER = re.compile(r"[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan|[0-9_]+(\.[0-9_]+)?([eE][+-]?[0-9_]+)?)")
#: Control characters a TOML string may not hold raw (tab excepted; newlines only in multi-line strings).
_CONTROL = {chr(c) for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)}
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.root: dict[str, Any] = {}
        # Tables made by a [header] (may not be opened twice) and tables closed to dotted-key additions.
        self.explicit: set[int] = set()

    # -- position and errors

    def error(self, message: str, pos: int | None = None) -> TOMLError:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        col = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return TOMLError(message, line, col)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def skip_space(self) -> None:
        while self.peek() in (" ", "\t"):
            self.pos += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end

    def end_of_line(self) -> None:
        self.skip_space()
        self.skip_comment()
        if self.pos < len(self.text):
            if self.peek() != "\n":
                raise self.error("expected the end of the line")
            self.pos += 1

    def skip_blank(self) -> None:
        """Spaces, newlines and comments (inside arrays)."""
        while True:
            self.skip_space()
            self.skip_comment()
            if self.peek() == "\n":
                self.pos += 1
            else:
                return

    # -- structure

    def document(self) -> dict[str, Any]:
        current = self.root
        while self.pos < len(self.text):
            self.skip_space()
            ch = self.peek()
            if ch in ("\n", "#", ""):
                self.end_of_line()
            elif ch == "[":
                current = self.header()
            else:
                self.key_value(current)
                self.end_of_line()
        return self.root

    def header(self) -> dict[str, Any]:
        start = self.pos
        array = self.peek(2) == "[["
        self.pos += 2 if array else 1
        self.skip_space()
        keys = self.key()
        self.skip_space()
        closing = "]]" if array else "]"
        if self.peek(len(closing)) != closing:
            raise self.error(f"expected {closing!r} to close the table header")
        self.pos += len(closing)
        self.end_of_line()
        parent = self.descend(keys[:-1], start)
        last = keys[-1]
        if array:
            items = parent.setdefault(last, [])
            if not isinstance(items, list):
                raise self.error(f"{last!r} is already defined and is not an array of tables", start)
            table: dict[str, Any] = {}
            items.append(table)
            self.explicit.add(id(table))
            return table
        existing = parent.get(last)
        if existing is None:
            table = {}
            parent[last] = table
        elif isinstance(existing, dict) and id(existing) not in self.explicit:
            table = existing
        else:
            raise self.error(f"the table {'.'.join(keys)!r} is defined twice", start)
        self.explicit.add(id(table))
        return table

    def descend(self, keys: list[str], where: int, start: dict[str, Any] | None = None) -> dict[str, Any]:
        table = self.root if start is None else start
        for key in keys:
            nxt = table.setdefault(key, {})
            if isinstance(nxt, list) and nxt and isinstance(nxt[-1], dict):
                nxt = nxt[-1]
            if not isinstance(nxt, dict):
                raise self.error(f"{key!r} is already defined and is not a table", where)
            table = nxt
        return table

    def key_value(self, table: dict[str, Any]) -> None:
        start = self.pos
        keys = self.key()
        self.skip_space()
        if self.peek() != "=":
            raise self.error("expected '=' after the key")
        self.pos += 1
        self.skip_space()
        value = self.value()
        target = self.descend(keys[:-1], start, table)
        if keys[-1] in target:
            raise self.error(f"the key {'.'.join(keys)!r} is defined twice", start)
        target[keys[-1]] = value

    def key(self) -> list[str]:
        parts = [self.simple_key()]
        while True:
            self.skip_space()
            if self.peek() != ".":
                return parts
            self.pos += 1
            self.skip_space()
            parts.append(self.simple_key())

    def simple_key(self) -> str:
        ch = self.peek()
        if ch == '"':
            return self.basic_string()
        if ch == "'":
            return self.literal_string()
        found = _BARE_KEY.match(self.text, self.pos)
        if not found:
            raise self.error("expected a key")
        self.pos = found.end()
        return found.group(0)

    # -- values

    def value(self) -> Any:
        ch = self.peek()
        if self.peek(3) == '"""':
            return self.multiline_basic()
        if self.peek(3) == "'''":
            return self.multiline_literal()
        if ch == '"':
            return self.basic_string()
        if ch == "'":
            return self.literal_string()
        if ch == "[":
            return self.array()
        if ch == "{":
            return self.inline_table()
        for word, result in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos) and not _BARE_KEY.match(self.text, self.pos + len(word)):
                self.pos += len(word)
                return result
        if _DATE.match(self.text, self.pos):
            raise self.error("dates and times are not supported here; quote the value")
        return self.number()

    def number(self) -> int | float:
        found = _NUMBER.match(self.text, self.pos)
        if not found or not found.group(0).lstrip("+-"):
            raise self.error("expected a value (a string, number, boolean, array or inline table)")
        raw = found.group(0)
        after = self.text[found.end() : found.end() + 1]
        if after and (after.isalnum() or after in "._:"):
            raise self.error("expected a value (a string, number, boolean, array or inline table)")
        self.pos = found.end()
        body = raw.lstrip("+-")
        if "__" in body or body.startswith("_") or body.endswith("_"):
            raise self.error("misplaced '_' in a number", found.start())
        clean = raw.replace("_", "")
        sign = -1 if raw.startswith("-") else 1
        lowered = body.lower()
        if lowered in ("inf", "nan"):
            return sign * float(lowered)
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if lowered.startswith(prefix):
                if raw[0] in "+-":
                    raise self.error("a hex, octal or binary number takes no sign", found.start())
                return int(clean[2:], base)
        if any(c in clean for c in ".eE"):
            return float(clean)
        digits = clean.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            raise self.error("leading zeros are not allowed", found.start())
        return int(clean)

    def basic_string(self) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while True:
            ch = self.peek()
            if ch in ("", "\n"):
                raise self.error("unterminated string", start)
            self.pos += 1
            if ch == '"':
                return "".join(out)
            if ch == "\\":
                out.append(self.escape())
            elif ch in _CONTROL:
                raise self.error("a control character must be escaped", self.pos - 1)
            else:
                out.append(ch)

    def escape(self) -> str:
        ch = self.peek()
        self.pos += 1
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        if ch in ("u", "U"):
            width = 4 if ch == "u" else 8
            digits = self.peek(width)
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error("bad unicode escape")
            self.pos += width
            return chr(int(digits, 16))
        raise self.error("unknown escape sequence", self.pos - 2)

    def literal_string(self) -> str:
        start = self.pos
        end = self.text.find("'", self.pos + 1)
        newline = self.text.find("\n", self.pos + 1)
        if end < 0 or (0 <= newline < end):
            raise self.error("unterminated string", start)
        value = self.text[start + 1 : end]
        self.check_control(value, start + 1)
        self.pos = end + 1
        return value

    def check_control(self, value: str, start: int, newlines: bool = False) -> None:
        for i, ch in enumerate(value):
            if ch in _CONTROL and not (newlines and ch in "\r\n"):
                raise self.error("a control character must be escaped", start + i)

    def multiline_basic(self) -> str:
        start = self.pos
        self.pos += 3
        if self.peek() == "\n":
            self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated multi-line string", start)
            if self.peek(3) == '"""':
                self.pos += 3
                # Up to two quotes right before the closing delimiter belong to the string.
                extra = 0
                while self.peek() == '"' and extra < 2:
                    out.append('"')
                    self.pos += 1
                    extra += 1
                return "".join(out)
            ch = self.peek()
            self.pos += 1
            if ch == "\\":
                rest = re.match(r"[ \t]*\n", self.text[self.pos :])
                if rest:
                    # A line-ending backslash trims the newline and the whitespace that follows.
                    self.pos += rest.end()
                    while self.peek() in (" ", "\t", "\n"):
                        self.pos += 1
                    continue
                out.append(self.escape())
            elif ch in _CONTROL and ch != "\r":
                raise self.error("a control character must be escaped", self.pos - 1)
            else:
                out.append(ch)

    def multiline_literal(self) -> str:
        start = self.pos
        self.pos += 3
        if self.peek() == "\n":
            self.pos += 1
        end = self.text.find("'''", self.pos)
        if end < 0:
            raise self.error("unterminated multi-line string", start)
        while self.text[end + 3 : end + 4] == "'":
            end += 1
        value = self.text[self.pos : end]
        self.check_control(value, self.pos, newlines=True)
        self.pos = end + 3
        return value

    def array(self) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.value())
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.error("expected ',' or ']' in the array")

    def inline_table(self) -> dict[str, Any]:
        self.pos += 1
        table: dict[str, Any] = {}
        self.skip_space()
        if self.peek() == "}":
            self.pos += 1
            return table
        while True:
            self.skip_space()
            start = self.pos
            keys = self.key()
            self.skip_space()
            if self.peek() != "=":
                raise self.error("expected '=' after the key")
            self.pos += 1
            self.skip_space()
            value = self.value()
            target = table
            for key in keys[:-1]:
                nxt = target.setdefault(key, {})
                if not isinstance(nxt, dict):
                    raise self.error(f"{key!r} is already defined and is not a table", start)
                target = nxt
            if keys[-1] in target:
                raise self.error(f"the key {'.'.join(keys)!r} is defined twice", start)
            target[keys[-1]] = value
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() == "}":
                self.pos += 1
                return table
            else:
                raise self.error("expected ',' or '}' in the inline table")
