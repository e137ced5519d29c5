"""The catalogue as plain data: one dict per model, keyed by the Python name users import.

The rows live in one module per vendor (``_data_openai`` ...). Nothing here is validated at import: a row becomes a
``FoundationModel`` the first time it is asked for. Prices are USD per million tokens (per image for image models);
each row's ``cost_data`` carries the page it was read from (``source``) and the day (``as_of``).
"""

from __future__ import annotations

from typing import Any

from . import _data_anthropic, _data_deepseek, _data_google, _data_openai

#: Every model, text and image, by Python name.
MODELS: dict[str, dict[str, Any]] = {
    **_data_openai.MODELS,
    **_data_openai.IMAGE_MODELS,
    **_data_anthropic.MODELS,
    **_data_google.MODELS,
    **_data_google.IMAGE_MODELS,
    **_data_deepseek.MODELS,
}

#: Second Python names for the same entry (dhenara-ai kept both).
PY_ALIASES: dict[str, str] = {**_data_anthropic.PY_ALIASES}

#: The per-vendor modules and the vendor (``AIModelProviderEnum`` value) each exposes.
VENDOR_MODULES = {"openai": "open_ai", "anthropic": "anthropic", "google": "google_ai", "deepseek": "deepseek"}


def names_of_vendor(vendor: str) -> list[str]:
    """The Python names (aliases included) of one vendor's models."""
    own = [k for k, row in MODELS.items() if row["provider"] == vendor]
    return sorted([*own, *(a for a, target in PY_ALIASES.items() if target in own)])
