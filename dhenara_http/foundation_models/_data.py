"""The catalogue as plain data: one dict per model, keyed by the Python name users import.

The rows live in one module per vendor (``_data_openai`` ...). Nothing here is validated at import: a row becomes a
``FoundationModel`` the first time it is asked for. Prices are USD per million tokens (per image for image models);
each row's ``cost_data`` carries the page it was read from (``source``) and the day (``as_of``).
"""

from __future__ import annotations

from typing import Any

# (Names taken from the modules themselves: ``from . import _data_x`` would go through the package, whose
# ``__init__`` is importing this module.)
from ._data_anthropic import MODELS as _ANTHROPIC
from ._data_anthropic import PY_ALIASES as _ANTHROPIC_ALIASES
from ._data_deepseek import MODELS as _DEEPSEEK
from ._data_google import IMAGE_MODELS as _GOOGLE_IMAGES
from ._data_google import MODELS as _GOOGLE
from ._data_openai import IMAGE_MODELS as _OPENAI_IMAGES
from ._data_openai import MODELS as _OPENAI

#: Every model, text and image, by Python name.
MODELS: dict[str, dict[str, Any]] = {
    **_OPENAI,
    **_OPENAI_IMAGES,
    **_ANTHROPIC,
    **_GOOGLE,
    **_GOOGLE_IMAGES,
    **_DEEPSEEK,
}

#: Second Python names for the same entry (dhenara-ai kept both).
PY_ALIASES: dict[str, str] = {**_ANTHROPIC_ALIASES}

#: The per-vendor modules and the vendor (``AIModelProviderEnum`` value) each exposes.
VENDOR_MODULES = {"openai": "open_ai", "anthropic": "anthropic", "google": "google_ai", "deepseek": "deepseek"}


def names_of_vendor(vendor: str) -> list[str]:
    """The Python names (aliases included) of one vendor's models."""
    own = [k for k, row in MODELS.items() if row["provider"] == vendor]
    return sorted([*own, *(a for a, target in PY_ALIASES.items() if target in own)])
