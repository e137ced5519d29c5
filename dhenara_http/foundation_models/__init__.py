"""The model catalogue: ``from dhenara_http.foundation_models import GPT4oMini, Claude37Sonnet …``.

Entries are built from plain data (``_data``) the first time they are used, so importing this package validates
nothing. Each name is one :class:`~dhenara_http.types.model.FoundationModel`; the per-vendor modules
(``.openai``, ``.anthropic``, ``.google``, ``.deepseek``) expose the same objects for one vendor.

:func:`find_model` resolves an API id — the model name, a dated snapshot, a Bedrock or Vertex id, a Bedrock
cross-region profile (``us.anthropic...``) — to its entry.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ._data import MODELS, PY_ALIASES

if TYPE_CHECKING:
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
    return FoundationModel.model_validate(MODELS[python_name])


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


def __getattr__(name: str) -> Any:
    if name in MODELS or name in PY_ALIASES:
        return get(name)
    # dhenara-ai's lists.
    if name == "ALL_FOUNDATION_MODELS":
        return all_models()
    if name == "ALL_CHAT_MODELS":
        return all_models(functional_type="text_generation")
    if name == "ALL_IMAGE_MODELS":
        return all_models(functional_type="image_generation")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "all_models", "find_model", "get", "python_name_of"])
