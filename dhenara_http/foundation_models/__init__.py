"""The model catalogue: ``from dhenara_http.foundation_models import GPT4oMini, Claude37Sonnet …``.

Entries are built from plain data (``_data``) the first time they are used, so importing this package validates
nothing. Each name is one :class:`~dhenara_http.types.model.FoundationModel`; the per-vendor modules
(``.openai``, ``.anthropic``, ``.google``, ``.deepseek``) expose the same objects for one vendor.

:func:`find_model` resolves an API id — the model name, a dated snapshot, a Bedrock or Vertex id, a Bedrock
cross-region profile (``us.anthropic...``) — to its entry.

dhenara-ai's lists are here too, built on first use: ``ALL_FOUNDATION_MODELS``, ``ALL_CHAT_MODELS``,
``ALL_IMAGE_MODELS`` and per vendor ``OPENAI_CHAT_MODELS``, ``ANTHROPIC_CHAT_MODELS``, ``GOOGLE_CHAT_MODELS``,
``DEEPSEEK_CHAT_MODELS``, ``OPENAI_IMAGE_MODELS``, ``GOOGLE_IMAGE_MODELS``; and :class:`FoundationModelFns`.
"""

from __future__ import annotations

import enum
import types
import typing
from functools import cache
from typing import TYPE_CHECKING, Any

from ._data import MODELS, PY_ALIASES

if TYPE_CHECKING:
    import pydantic

    from ..types.model import FoundationModel

__all__ = sorted([*MODELS, *PY_ALIASES])

#: How many entries have been built so far (importing the package builds none).
built_count = 0

#: Prefixes of Bedrock cross-region inference profiles, and of Gemini's resource names.
_ID_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.", "models/")


@cache
def _build(python_name: str) -> FoundationModel:
    from ..types.model import FoundationModel

    global built_count
    built_count += 1
    return _construct(FoundationModel, MODELS[python_name])  # type: ignore[return-value]


def _construct(cls: type[pydantic.BaseModel], data: dict[str, Any]) -> pydantic.BaseModel:
    """``cls(**data)`` built without running pydantic's validation: a catalogue row is already in the shape
    validation would give (a test builds every row both ways and compares), and skipping it keeps the first use of a
    catalogue name from building FoundationModel's validators (and loading pydantic's plugin machinery) — which the
    first call pays instead, if it needs them at all. Nested models are made the same way; enums from their values."""
    from ..types.model import FoundationModel

    fields = cls.model_fields
    values: dict[str, Any] = {}
    kind, cost_kind = FoundationModel.kinds_of(data)
    for name, value in data.items():
        if name == "settings" and isinstance(value, dict):
            value = _construct(kind, value)
        elif name == "cost_data" and isinstance(value, dict):
            value = _construct(cost_kind, value)
        else:
            value = _convert(fields[name].annotation, value)
        values[name] = value
    if cls is FoundationModel and not values.get("display_name"):
        values["display_name"] = values["model_name"]
    return cls.model_construct(**values)


def _convert(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        return _convert(kinds[0], value) if len(kinds) == 1 else value
    if origin is list:
        return [_convert(args[0], v) for v in value]
    if origin is tuple:
        return tuple(value)
    if origin is dict:
        return {k: _convert(args[1], v) for k, v in value.items()}
    if isinstance(annotation, type):
        from pydantic import BaseModel

        if issubclass(annotation, BaseModel) and isinstance(value, dict):
            return _construct(annotation, value)
        if issubclass(annotation, enum.Enum) and not isinstance(value, annotation):
            return annotation(value)
    return value


def get(python_name: str) -> FoundationModel:
    """The catalogue entry by its Python name (``"GPT4oMini"``)."""
    return _build(PY_ALIASES.get(python_name, python_name))


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, row in MODELS.items():
        legacy = row.get("metadata", {}).get("legacy_names", ())
        for model_id in (
            row["model_name"],
            *row.get("host_model_names", {}).values(),
            *row.get("aliases", ()),
            *legacy,
        ):
            index.setdefault(model_id, key)
    return index


def python_name_of(model_id: str) -> str | None:
    """The Python name of the entry an API id names, or None."""
    index = _index()
    if model_id in index:
        return index[model_id]
    for prefix in _ID_PREFIXES:
        if model_id.startswith(prefix) and model_id[len(prefix) :] in index:
            return index[model_id[len(prefix) :]]
    return None


def find_model(model_name: str) -> FoundationModel | None:
    """The catalogue entry an API id names (``"gpt-4o-mini"``, ``"claude-3-7-sonnet-20250219"``,
    ``"us.anthropic.claude-sonnet-4-5-20250929-v1:0"`` ...), or None."""
    key = python_name_of(model_name)
    return get(key) if key is not None else None


def all_models(vendor: str | None = None, functional_type: str | None = None) -> list[FoundationModel]:
    """Every entry, optionally of one vendor (``"anthropic"``) and one functional type (``"image_generation"``)."""
    return [
        get(k)
        for k, row in MODELS.items()
        if (vendor is None or row["provider"] == vendor)
        and (functional_type is None or row["functional_type"] == functional_type)
    ]


class FoundationModelFns:
    """dhenara-ai's catalogue lookups."""

    @staticmethod
    def get_foundation_model(name: str, all_models: list[FoundationModel] | None = None) -> FoundationModel | None:
        """The model a name means: in ``all_models`` when given (by model name, then by any id the model is known
        by), else in the catalogue (any API id, dated snapshot or dhenara-ai name). None when unknown."""
        if all_models:
            return next((m for m in all_models if m.model_name == name), None) or next(
                (m for m in all_models if name in m.known_ids()), None
            )
        return find_model(name)


#: dhenara-ai's lists: name -> (vendor, functional type); None means any.
LISTS: dict[str, tuple[str | None, str | None]] = {
    "ALL_FOUNDATION_MODELS": (None, None),
    "ALL_CHAT_MODELS": (None, "text_generation"),
    "ALL_IMAGE_MODELS": (None, "image_generation"),
    "OPENAI_CHAT_MODELS": ("open_ai", "text_generation"),
    "ANTHROPIC_CHAT_MODELS": ("anthropic", "text_generation"),
    "GOOGLE_CHAT_MODELS": ("google_ai", "text_generation"),
    "DEEPSEEK_CHAT_MODELS": ("deepseek", "text_generation"),
    "OPENAI_IMAGE_MODELS": ("open_ai", "image_generation"),
    "GOOGLE_IMAGE_MODELS": ("google_ai", "image_generation"),
}


def __getattr__(name: str) -> Any:
    if name in MODELS or name in PY_ALIASES:
        return get(name)
    if name in LISTS:
        vendor, functional_type = LISTS[name]
        return all_models(vendor, functional_type)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *LISTS, "FoundationModelFns", "all_models", "find_model", "get", "python_name_of"])
