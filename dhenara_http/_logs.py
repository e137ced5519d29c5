"""The ``dhenara_http`` logger, and the stderr handler ``DHENARA_HTTP_LOG`` asks for.

What is logged (by :mod:`dhenara_http._transport.http`):

* INFO — each retry: provider, model, the attempt that failed, its HTTP status or error class, the wait.
* DEBUG — every attempt: method, URL, status, elapsed milliseconds and the provider's request id.
* DEBUG, with ``DHENARA_HTTP_LOG=debug-bodies`` only — request and response bodies (stream bodies a network read
  at a time), cut to :data:`MAX_LOGGED_BODY` characters.

Secrets never appear: URLs and bodies go through the call's scrubber (every key, token and secret header value of
the API), and headers are never logged.

``DHENARA_HTTP_LOG=info|debug|debug-bodies`` is read once, when the first client makes its transport — not at
``import dhenara_http``, which stays free of side effects. It gives the logger a stderr handler at that level and
stops its records from propagating to the root logger (so they are printed once). Without the variable the logger is
left as the application configures it, as any library's is: ``logging.getLogger("dhenara_http")``.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable

LOGGER_NAME = "dhenara_http"
ENV_VAR = "DHENARA_HTTP_LOG"
#: Longest body text a record carries (a base64 image would otherwise fill the terminal).
MAX_LOGGED_BODY = 4000
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG, "debug-bodies": logging.DEBUG}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger(LOGGER_NAME)

_state = {"configured": False, "bodies": False}


def configure_from_environment() -> None:
    """Install the handler ``DHENARA_HTTP_LOG`` asks for, once per process."""
    if _state["configured"]:
        return
    _state["configured"] = True
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        warnings.warn(f"{ENV_VAR}={value!r} is not one of {', '.join(_LEVELS)}; no log handler installed", stacklevel=2)
        return
    _state["bodies"] = value == "debug-bodies"
    if not any(getattr(h, "_dhenara_http", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._dhenara_http = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def bodies_enabled() -> bool:
    """Whether bodies are logged (``DHENARA_HTTP_LOG=debug-bodies``) and DEBUG records reach a handler."""
    return _state["bodies"] and logger.isEnabledFor(logging.DEBUG)


def log_body(what: str, body: bytes | str, scrub: Callable[[str], str]) -> None:
    """One DEBUG record with a body (``what``: "request body", "response body", "stream read" …), scrubbed and cut
    short. Call it only when :func:`bodies_enabled`."""
    # Scrubbed before it is cut: a cut through a secret would leave its first half unscrubbed.
    text = scrub(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    size = len(text)
    if size > MAX_LOGGED_BODY:
        text = text[:MAX_LOGGED_BODY] + f" … ({size - MAX_LOGGED_BODY} more characters)"
    logger.debug("%s: %s", what, text)
