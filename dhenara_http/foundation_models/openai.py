"""OpenAI models: `from dhenara_http.foundation_models.openai import ...`.

The same objects as at the package root.
"""

from __future__ import annotations

from typing import Any

from . import get
from ._data import VENDOR_MODULES, names_of_vendor

__all__ = names_of_vendor(VENDOR_MODULES["openai"])


def __getattr__(name: str) -> Any:
    if name in __all__:
        return get(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
