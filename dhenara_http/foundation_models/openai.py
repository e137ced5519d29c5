"""Per-vendor access: `from dhenara_http.foundation_models.openai import ...`."""

from __future__ import annotations

from typing import Any

from . import _data, get

_VENDOR = {"openai": "open_ai", "anthropic": "anthropic", "google": "google_ai"}["openai"]
__all__ = sorted(k for k, row in _data.MODELS.items() if row["provider"] == _VENDOR)


def __getattr__(name: str) -> Any:
    if name in __all__:
        return get(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
