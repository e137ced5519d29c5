"""A reader for the YAML that credentials files use, for when PyYAML is not installed.

dhenara-ai's credentials files (``dai_credentials.yaml``) are YAML, and PyYAML is not a dependency of this package.
This reads the subset such files are written in: block mappings and sequences by indentation, ``#`` comments,
plain / single-quoted / double-quoted scalars (``true``/``false``, ``null``/``~``, decimal integers, and floats with
a decimal point and a signed exponent, as PyYAML reads them; ``010`` or ``1e3`` stay text), ``|`` and ``>`` block
scalars (a service-account JSON pasted in), JSON-style flow collections (``{}``, ``["a", "b"]``) and a leading
``---``. Anchors, aliases, tags, several documents and multi-line plain scalars are refused with a
:class:`YAMLError` naming the line, so nothing is silently read wrong; PyYAML, when installed, is used instead of
this.

Error messages give the line (and what was expected), never the text of the file: it holds secrets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$")
#: A key or item whose value is a block scalar: ``key: |``, ``- >-`` ...
_BLOCK_HEADER = re.compile(r"(?:^\s*-|:)\s+[|>][+-]?\s*$")
_KEY = re.compile(
    r"""^(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}\[\],&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+|$)"""
)


class YAMLError(ValueError):
    """Text this reader cannot read; ``lineno`` is 1-based."""

    def __init__(self, msg: str, lineno: int) -> None:
        super().__init__(f"{msg} (line {lineno})")
        self.msg = msg
        self.lineno = lineno


@dataclass(slots=True)
class _Line:
    indent: int
    text: str
    lineno: int


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``# comment`` (a ``#`` inside quotes, or not after a space, is kept)."""
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " :-[{,"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _scalar(raw: str, lineno: int) -> Any:
    text = raw.strip()
    if not text:
        return None
    if text[0] == '"':
        try:
            value = json.loads(text)
        except ValueError:
            raise YAMLError("malformed double-quoted string", lineno) from None
        if not isinstance(value, str):
            raise YAMLError("malformed double-quoted string", lineno)
        return value
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1].replace("''", ""):
            raise YAMLError("malformed single-quoted string", lineno)
        return text[1:-1].replace("''", "'")
    if text[0] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            raise YAMLError("flow collections must be JSON here (install PyYAML for full YAML)", lineno) from None
    if text[0] in "&*!%@`" or text.startswith(("? ", "---", "...")):
        raise YAMLError("unsupported YAML feature (anchor, alias, tag or directive); install PyYAML", lineno)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~"):
        return None
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


class _Reader:
    def __init__(self, text: str) -> None:
        self.raw = text.splitlines()
        self.lines: list[_Line] = []
        self.block_scalars: dict[int, str] = {}
        self._scan()
        self.pos = 0

    def _scan(self) -> None:
        i = 0
        while i < len(self.raw):
            line = self.raw[i]
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise YAMLError("tabs cannot indent YAML", i + 1)
            text = _strip_comment(line)
            if not text.strip() or (not self.lines and text.strip() == "---"):
                i += 1
                continue
            if text.strip() in ("---", "..."):
                raise YAMLError("several YAML documents in one file are not supported", i + 1)
            indent = len(text) - len(text.lstrip(" "))
            self.lines.append(_Line(indent, text.strip(), i + 1))
            i += 1
            if _BLOCK_HEADER.search(text):
                i = self._take_block_scalar(i, indent, text.rstrip())

    def _take_block_scalar(self, i: int, parent: int, header: str) -> int:
        style = header.rstrip("+-")[-1]
        chomp = header[-1] if header[-1] in "+-" else ""
        body: list[str] = []
        indent: int | None = None
        while i < len(self.raw):
            line = self.raw[i]
            if line.strip():
                width = len(line) - len(line.lstrip(" "))
                if width <= parent:
                    break
                indent = width if indent is None else indent
                if width < indent:
                    raise YAMLError("a block scalar's lines must keep its indentation", i + 1)
                body.append(line[indent:])
            else:
                body.append("")
            i += 1
        while body and not body[-1] and chomp != "+":
            body.pop()
        text = re.sub(r"(?<=\S)\n(?=\S)", " ", "\n".join(body)) if style == ">" else "\n".join(body)
        self.block_scalars[len(self.lines) - 1] = text + ("" if chomp == "-" or not body else "\n")
        return i

    def parse(self) -> Any:
        if not self.lines:
            return None
        value = self._block(self.lines[0].indent)
        if self.pos < len(self.lines):
            raise YAMLError("unexpected indentation", self.lines[self.pos].lineno)
        return value

    def _block(self, indent: int) -> Any:
        line = self.lines[self.pos]
        if line.text == "-" or line.text.startswith("- "):
            return self._sequence(indent)
        return self._mapping(indent)

    def _value_after(self, index: int, rest: str, indent: int, lineno: int) -> Any:
        """The value of a key or item whose text after the indicator is ``rest``."""
        if index in self.block_scalars:
            return self.block_scalars[index]
        if rest.strip():
            return _scalar(rest, lineno)
        if self.pos < len(self.lines) and self.lines[self.pos].indent > indent:
            return self._block(self.lines[self.pos].indent)
        if (
            self.pos < len(self.lines)
            and self.lines[self.pos].indent == indent
            and self.lines[self.pos].text[:1] == "-"
        ):
            # A sequence may sit at its key's own indentation.
            return self._sequence(indent)
        return None

    def _mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.pos < len(self.lines) and self.lines[self.pos].indent == indent:
            line = self.lines[self.pos]
            match = _KEY.match(line.text)
            if match is None:
                raise YAMLError("expected 'key: value'", line.lineno)
            key = _scalar(match.group("key"), line.lineno)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise YAMLError("duplicate key", line.lineno)
            index = self.pos
            self.pos += 1
            out[key] = self._value_after(index, line.text[match.end() :], indent, line.lineno)
        if self.pos < len(self.lines) and self.lines[self.pos].indent > indent:
            raise YAMLError("unexpected indentation", self.lines[self.pos].lineno)
        return out

    def _sequence(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while self.pos < len(self.lines) and self.lines[self.pos].indent == indent:
            line = self.lines[self.pos]
            if not (line.text == "-" or line.text.startswith("- ")):
                break
            rest = line.text[1:].lstrip(" ")
            if rest and _KEY.match(rest) and not rest.startswith(("'", '"', "{", "[")):
                # "- key: value" opens a mapping whose keys sit where "key" starts.
                inner = indent + (len(line.text) - len(rest))
                self.lines[self.pos] = _Line(inner, rest, line.lineno)
                out.append(self._mapping(inner))
                continue
            index = self.pos
            self.pos += 1
            out.append(self._value_after(index, rest, indent, line.lineno))
        return out


def loads(text: str) -> Any:
    """The value of a YAML document written in the subset described above."""
    return _Reader(text).parse()
