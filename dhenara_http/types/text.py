"""Prompt text as dhenara-ai structures it: :class:`Content` (text, text lists, JSON), :class:`TextTemplate` (text with
``$var{name}`` variables and ``$expr{...}`` expressions) and :class:`PromptText`, which holds one of the two.

A ``Prompt`` takes a plain string or a :class:`PromptText` as its ``text``.

Templates: ``TextTemplate.format()`` returns the template text unchanged, as dhenara-ai's does (its expressions are
evaluated by a template engine outside the package). :meth:`TextTemplate.render` fills the ``$var{...}`` variables
(dotted paths such as ``$var{task.title}`` walk into dicts and objects) from the values given and the variables'
defaults, leaves ``$expr{...}`` as it is and turns the escapes ``$$var{`` / ``$$expr{`` into ``$var{`` / ``$expr{``.
A prompt built on a template is sent rendered that way (dhenara-ai sends the raw template): a variable with no value
stays as written, and a warning names it.
"""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import json
import logging
import re
from typing import Any

from pydantic import Field, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from ._defaults import new_list
from .enums import ContentType

logger = logging.getLogger("dhenara_http")

#: ``$var{name}`` not preceded by another ``$`` (``$$var{`` is the escape of a literal ``$var{``).
_VAR = re.compile(r"(?<!\$)\$var\{([^}]+)\}")
_ESCAPED = re.compile(r"\$\$(var|expr)\{")


class Content(BaseModel):
    """Input data: a ``text``, several texts (``textl``), a JSON object (``json_c``) or JSON rows (``jsonl_c``).
    ``type`` says what :meth:`get_content` returns."""

    type: ContentType | None = None
    text: str | None = None
    textl: list[str] | None = None
    json_c: dict[str, Any] = Field(default_factory=dict)
    jsonl_c: list[dict[str, Any]] = Field(default_factory=new_list)

    @property
    def has_content(self) -> bool:
        return self.text is not None or self.textl is not None or bool(self.json_c) or bool(self.jsonl_c)

    def _texts(self) -> list[str]:
        return ([self.text] if self.text else []) + list(self.textl or [])

    def get_content(self, separator: str = "\n") -> str | list[str] | dict[str, Any] | list[dict[str, Any]]:
        """The content as its ``type`` asks: ``TEXT`` (and no type) joins every text and the JSON as text with
        ``separator``; ``LIST`` gives the texts; ``DICT`` the JSON object; ``JSONL`` the JSON rows."""
        if not self.has_content:
            raise ConfigurationError("Content: no text, textl, json_c or jsonl_c is set")
        kind = self.type or ContentType.TEXT
        if kind == ContentType.LIST:
            return self._texts()
        if kind == ContentType.DICT:
            if not self.json_c:
                raise ConfigurationError("Content(type='dict'): json_c is empty")
            return self.json_c
        if kind == ContentType.JSONL:
            if not self.jsonl_c:
                raise ConfigurationError("Content(type='jsonl'): jsonl_c is empty")
            return self.jsonl_c
        parts = self._texts()
        if self.json_c:
            parts.append(json.dumps(self.json_c, ensure_ascii=False))
        parts.extend(json.dumps(row, ensure_ascii=False) for row in self.jsonl_c)
        return separator.join(parts)


class TextTemplateVariableProps(BaseModel):
    """A template variable's default value and, optionally, the values it may take."""

    default: Any | None = None
    allowed: list[Any] | None = None


def _lookup(values: dict[str, Any], path: str) -> tuple[bool, Any]:
    head, *rest = [p.strip() for p in path.split(".")]
    if head not in values:
        return False, None
    value = values[head]
    for part in rest:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            return False, None
    return True, value


class TextTemplate(BaseModel):
    """Text with ``$var{name}`` variables and ``$expr{...}`` expressions. Every variable defined in ``variables`` must
    appear in the text (unless ``disable_checks``)."""

    text: str
    variables: dict[str, TextTemplateVariableProps | None] = Field(default_factory=dict)
    disable_checks: bool = False

    @model_validator(mode="after")
    def _variables_used(self) -> "TextTemplate":
        if self.disable_checks:
            return self
        used = {name.split(".")[0].strip() for name in _VAR.findall(self.text)}
        unused = [name for name in self.variables if name not in used]
        if unused:
            raise ConfigurationError(f"TextTemplate: variables {unused} are defined but not used in the text")
        return self

    def get_variable_names(self) -> list[str]:
        return list(self.variables)

    def get_args_default_values(self) -> dict[str, Any]:
        """The variables that have a default, with it."""
        return {k: p.default for k, p in self.variables.items() if p is not None and p.default is not None}

    def format(self, **kwargs: Any) -> str:
        """The template text, unchanged (dhenara-ai's contract; see :meth:`render` to fill the variables)."""
        return self.text

    def render(self, **values: Any) -> str:
        """The text with its ``$var{...}`` variables filled from ``values`` (then the defaults); ``$expr{...}`` is
        kept and the ``$$var{`` / ``$$expr{`` escapes are unescaped. A variable with no value stays as written."""
        known = {**self.get_args_default_values(), **values}
        missing: list[str] = []

        def fill(match: re.Match[str]) -> str:
            found, value = _lookup(known, match.group(1))
            if not found:
                missing.append(match.group(1).strip())
                return match.group(0)
            allowed = self._allowed(match.group(1))
            if allowed is not None and value not in allowed:
                raise ConfigurationError(f"TextTemplate: {match.group(1).strip()}={value!r} is not one of {allowed}")
            return str(value)

        text = _VAR.sub(fill, self.text)
        if missing:
            logger.warning("TextTemplate: no value for %s; left as written", ", ".join(sorted(set(missing))))
        return _ESCAPED.sub(lambda m: f"${m.group(1)}{{", text)

    def _allowed(self, path: str) -> list[Any] | None:
        props = self.variables.get(path.strip())
        return props.allowed if props is not None else None


class ObjectTemplate(BaseModel):
    """An ``$expr{...}`` expression whose value is an object (evaluated by a template engine outside the package)."""

    expression: str


class PromptText(BaseModel):
    """A prompt's text: a :class:`Content` or a :class:`TextTemplate` (exactly one)."""

    content: Content | None = None
    template: TextTemplate | None = None

    @model_validator(mode="after")
    def _one(self) -> "PromptText":
        if (self.content is None) == (self.template is None):
            raise ConfigurationError("PromptText: give exactly one of content or template")
        return self

    def format(self, **kwargs: Any) -> str:
        """dhenara-ai's rendering: the content as text, or the template text unchanged."""
        if self.content is not None:
            return _as_text(self.content.get_content())
        assert self.template is not None
        return self.template.format(**kwargs)

    def render(self, **values: Any) -> str:
        """The text to send: the content as text, or the template with its variables filled."""
        if self.content is not None:
            return _as_text(self.content.get_content())
        assert self.template is not None
        return self.template.render(**values)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return json.dumps(value, ensure_ascii=False)
