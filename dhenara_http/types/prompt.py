"""What a caller sends: prompts, files, system instructions and tool results.

These are the provider-neutral turns. A protocol module renders them onto its wire when the request is built.
A prompt's ``text`` is a string (``{placeholders}`` filled from ``variables`` when any are given) or a
:class:`~dhenara_http.types.text.PromptText` (dhenara-ai's content / ``$var{}`` template form).
"""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import base64
import json
import mimetypes
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_serializer, field_validator, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from ._defaults import new_list
from ._json import has_surrogate
from ._trusted import trusted
from .enums import PromptMessageRoleEnum
from .text import PromptText

FileKind = Literal["image", "pdf", "text", "audio", "other"]


class FileMetadata(BaseModel):
    """What is known about a file (dhenara-ai's fields; further keys are kept)."""

    model_config = ConfigDict(extra="allow")

    file_name: str | None = None
    file_size: int | float | None = None
    mime_type: str | None = None


class _Size:
    """How ``repr`` shows a long value: its size (and for text, its start)."""

    def __init__(self, size: int, unit: str = "bytes", start: str | None = None) -> None:
        self.text = f"<{size} {unit}>" if start is None else f"<{size} {unit}: {start!r} …>"

    def __repr__(self) -> str:
        return self.text


class GenericFile(BaseModel):
    """A file attached to a prompt: inline bytes, text, or a URL the provider fetches itself.

    In JSON (``model_dump_json``, ``model_dump(mode="json")``) ``data`` is base64 text, and base64 text is read back
    as bytes, so that a stored conversation with images or PDFs loads again unchanged. ``metadata`` is the caller's
    (``from_path`` fills name, size and media type); it is never sent."""

    name: str | None = None
    media_type: str = "application/octet-stream"
    data: bytes | None = None
    text: str | None = None
    url: str | None = None
    metadata: FileMetadata | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _from_base64(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise ConfigurationError("GenericFile.data: give bytes, or base64 text (text files go in text=)") from None

    @field_serializer("data", when_used="json")
    def _to_base64(self, value: bytes | None) -> str | None:
        return base64.b64encode(value).decode("ascii") if value is not None else None

    @model_validator(mode="after")
    def _one_source(self) -> "GenericFile":
        sources = [s for s in (self.data, self.text, self.url) if s is not None]
        if len(sources) != 1:
            raise ConfigurationError(f"GenericFile {self.name or ''!r}: give exactly one of data, text or url")
        return self

    def __repr_args__(self) -> Any:
        # The bytes of an image or a PDF are not shown (``str()`` and ``repr()`` would print all of them): their
        # size is.
        for name, value in super().__repr_args__():
            if name == "data" and isinstance(value, bytes):
                yield name, _Size(len(value))
            elif name == "text" and isinstance(value, str) and len(value) > 80:
                yield name, _Size(len(value), "characters", value[:60])
            else:
                yield name, value

    @classmethod
    def from_path(cls, path: str | Path, media_type: str | None = None) -> "GenericFile":
        p = Path(path)
        guessed = media_type or mimetypes.guess_type(p.name)[0] or "application/octet-stream"
        raw = p.read_bytes()
        metadata = FileMetadata(file_name=p.name, file_size=len(raw), mime_type=guessed)
        if guessed.startswith("text/") or guessed in ("application/json", "application/xml"):
            return cls(name=p.name, media_type=guessed, text=raw.decode("utf-8", errors="replace"), metadata=metadata)
        return cls(name=p.name, media_type=guessed, data=raw, metadata=metadata)

    @classmethod
    def from_bytes(cls, data: bytes, media_type: str, name: str | None = None) -> "GenericFile":
        return cls(name=name, media_type=media_type, data=data)

    @classmethod
    def from_base64(cls, data: str, media_type: str, name: str | None = None) -> "GenericFile":
        return cls(name=name, media_type=media_type, data=base64.b64decode(data))

    @property
    def kind(self) -> FileKind:
        mt = self.media_type.lower()
        if self.text is not None or mt.startswith("text/") or mt in ("application/json", "application/xml"):
            return "text"
        if mt.startswith("image/"):
            return "image"
        if mt == "application/pdf":
            return "pdf"
        if mt.startswith("audio/"):
            return "audio"
        return "other"

    def base64(self) -> str:
        if self.data is None:
            raise ConfigurationError(f"GenericFile {self.name or ''!r} has no inline data to encode")
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.base64()}"

    def get_text(self, max_words: int | None = None) -> str:
        text = self.text if self.text is not None else ""
        if max_words:
            text = " ".join(text.split()[:max_words])
        return text

    def __repr__(self) -> str:
        size = f"{len(self.data)} bytes" if self.data is not None else (self.url or f"{len(self.text or '')} chars")
        return f"GenericFile({self.name!r}, {self.media_type!r}, {size})"


class StoredFile(GenericFile):
    """A file known by where it is stored: a local ``path`` (read when the object is made, unless the data is given
    too), a ``url``, or dhenara-ai's ``content`` (``{"content_bytes": ...}`` or ``{"content_b64_json": ...}``)."""

    path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _load(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        content = data.pop("content", None)
        if isinstance(content, dict) and data.get("data") is None:
            raw = content.get("content_bytes") or content.get("content_b64_json")
            if raw is not None:
                data["data"] = raw
        has_source = any(data.get(k) is not None for k in ("data", "text", "url"))
        path = data.get("path")
        if path and not has_source:
            try:
                loaded = GenericFile.from_path(path, media_type=data.get("media_type"))
            except OSError as exc:
                raise ConfigurationError(f"StoredFile: cannot read {path!r} ({exc.strerror or exc})") from None
            for key in ("media_type", "data", "text", "metadata"):
                if data.get(key) is None:
                    data[key] = getattr(loaded, key)
            data.setdefault("name", loaded.name)
        return data


class PromptConfig(BaseModel):
    max_words_text: int | None = None
    max_words_file: int | None = None


def _check_encodable(owner: str, text: str) -> None:
    """A lone surrogate (from a file name decoded with surrogateescape, a bad JSON escape …) cannot be sent as UTF-8:
    said here, naming where, rather than as an encoding error when the request is sent. (A PromptText's own text is
    checked when it is formatted and sent.)"""
    if not text.isascii() and has_surrogate(text):
        position = next(i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff")
        raise ConfigurationError(
            f"{owner}.text holds a lone surrogate character (U+{ord(text[position]):04X}) at position "
            f"{position}, which cannot be sent as UTF-8 text; clean it first, e.g. "
            "text.encode('utf-8', 'replace').decode()"
        )


class BaseTextPrompt(BaseModel):
    """What ``Prompt`` and ``SystemInstruction`` share: a text and the values of its variables."""

    text: str | PromptText
    variables: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _encodable(cls, value: str | PromptText) -> str | PromptText:
        if isinstance(value, str):
            _check_encodable(cls.__name__, value)
        return value

    def get_formatted_text(self, max_words: int | None = None, **kwargs: Any) -> str:
        values = {**self.variables, **kwargs}
        if isinstance(self.text, PromptText):
            text = self.text.render(**values)
        else:
            text = self.text.format(**values) if values else self.text
        if max_words:
            text = " ".join(text.split()[:max_words])
        return text


class Prompt(BaseTextPrompt):
    """One user (or assistant, or system) turn: text with ``{placeholders}`` filled from ``variables``, plus files."""

    type: Literal["prompt"] = "prompt"
    role: PromptMessageRoleEnum = PromptMessageRoleEnum.USER
    files: list[GenericFile] = Field(default_factory=new_list)
    config: PromptConfig | None = None

    @classmethod
    def with_text(cls, text: str, variables: dict[str, Any] | None = None, disable_checks: bool = False) -> "Prompt":
        """A user prompt. ``disable_checks`` is accepted for dhenara-ai's signature (a plain text has nothing to
        check)."""
        return cls(role=PromptMessageRoleEnum.USER, text=text, variables=variables or {})

    @classmethod
    def with_dad_text(cls, text: str, variables: dict[str, Any] | None = None, disable_checks: bool = True) -> "Prompt":
        """dhenara-ai's second spelling of :meth:`with_text`, for texts written for its agent templates."""
        return cls.with_text(text, variables, disable_checks)

    def rendered_text(self) -> str:
        max_words = self.config.max_words_text if self.config else None
        return self.get_formatted_text(max_words=max_words)


def user_prompt(text: str) -> Prompt:
    """``Prompt(role=PromptMessageRoleEnum.USER, text=text)`` for a ``str`` (``generate("...")``), made without running
    the validator (see :mod:`._trusted`): the one check a ``str`` text gets is made here, so a call given plain text
    builds no prompt validator."""
    _check_encodable("Prompt", text)
    return trusted(Prompt, role=PromptMessageRoleEnum.USER, text=text)


class SystemInstruction(BaseTextPrompt):
    """A system / developer instruction."""

    type: Literal["system_instruction"] = "system_instruction"


class FormattedPrompt(BaseModel):
    """A prompt reduced to its role and final text."""

    role: PromptMessageRoleEnum
    text: str


class ToolCallResult(BaseModel):
    """What running a tool produced, sent back to the model on the next turn.

    ``call_id`` is the id of the tool call it answers (as the response gave it); ``name`` the tool's name, which
    Gemini needs to pair results with calls.
    """

    type: Literal["tool_result"] = "tool_result"
    call_id: str | None = None
    name: str | None = None
    output: Any = None
    is_error: bool = False

    def as_text(self) -> str:
        if isinstance(self.output, str):
            return self.output
        try:
            return json.dumps(self.output, ensure_ascii=False)
        except TypeError:
            return json.dumps(str(self.output), ensure_ascii=False)

    def as_json(self) -> dict[str, Any]:
        if isinstance(self.output, dict):
            return self.output
        return {"result": self.output}


class ToolCallResultsMessage(BaseModel):
    """Several tool results answering one assistant turn."""

    type: Literal["tool_result_message"] = "tool_result_message"
    results: list[ToolCallResult]

    @model_validator(mode="after")
    def _not_empty(self) -> "ToolCallResultsMessage":
        if not self.results:
            raise ConfigurationError("ToolCallResultsMessage.results must hold at least one ToolCallResult")
        return self

    def as_list(self) -> list[ToolCallResult]:
        """The results, as a new list."""
        return list(self.results)
