"""dhenara-ai's global ``settings``: upper-case names with defaults, overridable in code (``settings.NAME = value``,
``settings.update(NAME=value)``) or by a ``dhenara_config.py`` in the working directory.

The object is made the first time ``dhenara_http.settings`` is used, not at import, so the file is read then (it is
Python, executed as dhenara-ai executes it: keep it as trusted as your own code).

What the settings change here: ``ENABLE_COST_TRACKING = False`` (or ``ENABLE_USAGE_TRACKING = False``, since cost
needs usage) leaves ``usage_charge`` out of responses. The others are kept and readable but change nothing:
``ENABLE_STREAMING_CONSOLIDATION`` (a stream always ends with its complete response), ``ENABLE_INPUT_FORMAT_
CONVERSION`` (inputs are always rendered for the provider), ``API_TIMEOUT`` / ``MAX_RETRIES`` (``AIModelCallConfig``'s
own defaults apply), ``DEBUG`` and ``ENABLE_DETAILED_LOGGING`` (logging is set with ``DHENARA_HTTP_LOG``).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

logger = logging.getLogger("dhenara_http")

#: The defaults (dhenara-ai's).
DEFAULTS: dict[str, Any] = {
    "ENABLE_INPUT_FORMAT_CONVERSION": True,
    "ENABLE_USAGE_TRACKING": True,
    "ENABLE_COST_TRACKING": True,
    "ENABLE_STREAMING_CONSOLIDATION": True,
    "API_TIMEOUT": 300,
    "MAX_RETRIES": 3,
    "DEBUG": False,
    "ENABLE_DETAILED_LOGGING": False,
}
USER_SETTINGS_FILE = "dhenara_config.py"


class Settings:
    """Upper-case settings: read as attributes; set as attributes or with :meth:`update`."""

    def __init__(self, *, load_user_settings: bool = True) -> None:
        object.__setattr__(self, "_values", dict(DEFAULTS))
        if load_user_settings:
            self._load_file(os.path.join(os.getcwd(), USER_SETTINGS_FILE))

    def _load_file(self, path: str) -> None:
        if not os.path.isfile(path):
            return
        spec = importlib.util.spec_from_file_location("dhenara_user_settings", path)
        if spec is None or spec.loader is None:
            logger.error("settings: cannot load %s", path)
            return
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.update(**{k: getattr(module, k) for k in dir(module) if k.isupper()})
        logger.info("settings: loaded %s", path)

    def __getattr__(self, name: str) -> Any:
        values: dict[str, Any] = object.__getattribute__(self, "_values")
        try:
            return values[name]
        except KeyError:
            raise AttributeError(f"Setting {name!r} not found") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._values[name] = value

    def update(self, **values: Any) -> None:
        """Set several settings at once (lower-case names are ignored, as in dhenara-ai)."""
        self._values.update({k: v for k, v in values.items() if k.isupper()})

    @property
    def configured_settings(self) -> list[str]:
        return sorted(self._values)

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in sorted(self._values.items()))})"


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, made (and ``dhenara_config.py`` read) on first use."""
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def __getattr__(name: str) -> Any:
    # ``from dhenara_http._settings import settings`` makes the object on first use.
    if name == "settings":
        return get_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
