"""The model catalogue: ``from dhenara_http.foundation_models import GPT4oMini, Claude37Sonnet …``.

Entries are built from plain data the first time they are used, so importing this package costs nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..types.model import FoundationModel
from ._data import MODELS

__all__ = sorted(MODELS)


@cache
def get(python_name: str) -> FoundationModel:
    """The catalogue entry by its Python name (``"GPT4oMini"``)."""
    return FoundationModel.model_validate(MODELS[python_name])


@cache
def _by_model_name() -> dict[str, str]:
    return {row["model_name"]: key for key, row in MODELS.items()}


def find_model(model_name: str) -> FoundationModel | None:
    """The catalogue entry with this API model name (``"gpt-4o-mini"``), or None."""
    key = _by_model_name().get(model_name)
    return get(key) if key is not None else None


def all_models() -> list[FoundationModel]:
    return [get(k) for k in MODELS]


def __getattr__(name: str) -> Any:
    if name in MODELS:
        return get(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
