"""Reading provider answers defensively, at one boundary per wire.

A provider's JSON is read through the typed readers here, never with bare ``data["x"]`` / ``int(...)``: each reader
returns the field as the type the protocol needs, reads an absent or ``null`` optional field as empty (``None``, ``""``,
``0``, ``[]``), and raises :class:`~dhenara_http.errors.ResponseParseError` naming the JSON path of any other value
of the wrong type (``usage.input_tokens_details is a number, expected an object``). Messages name paths and types,
never values: an answer may quote anything back, secrets included.

What counts as a tolerant reading and what as an error:

* ``null`` or absent where a field is optional → its empty value. Every usage counter is an ``int`` (0 when absent).
* A count is a non-negative integer below 2**53 (an integral float such as ``12.0`` is read as 12); a string, a
  fraction, a negative, a non-finite or an absurdly large number is an error — and so costs never overflow.
* An index into the answer's parts is a non-negative integer below :data:`MAX_INDEX`: filling the gap up to a larger
  one would cost memory for nothing.
* Every other wrong type (a string where an object is expected, a number where a list is …) is an error: the answer
  does not say what the protocol promised, and guessing could lose content silently.

:func:`checked_answer` runs once over every parsed answer, before a protocol reads it (the transport checks each whole
answer where its bytes are at hand; the decoders check each stream event, and the accumulators each tool call's
arguments they parse): it refuses nesting deeper than :data:`MAX_DEPTH` (real answers nest a few levels; deeper ones
break copying and JSON serialisation further on) and replaces lone UTF-16 surrogates — which the JSON escape
``\\ud800`` produces and which no UTF-8 text can hold — with U+FFFD, so that every response can be dumped to JSON.
:func:`check_request_body` does the opposite check on what is about to be sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import APIStatusError, ConfigurationError, ResponseParseError
from ..types._json import MAX_DEPTH as MAX_DEPTH
from ..types._json import checked_answer as checked_answer
from ..types._json import has_surrogate

if TYPE_CHECKING:
    from types import TracebackType

    from .base import CallContext, ErrorInfo

#: Largest token count accepted (the largest integer a JSON number carries exactly everywhere).
MAX_COUNT = 2**53 - 1
#: Largest index of a part, block, item or array element accepted.
MAX_INDEX = 100_000


def describe(value: Any) -> str:
    """What a JSON value is, in words (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def path_of(where: str, key: str | int) -> str:
    """``where`` + ``key`` as a JSON path (``usage`` + ``input_tokens`` → ``usage.input_tokens``)."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    if not key:
        return where
    return f"{where}.{key}" if where else key


def bad_field(where: str, key: str | int, value: Any, expected: str) -> ResponseParseError:
    """The error for a field whose value is not what the protocol needs."""
    return ResponseParseError(f"malformed answer: {path_of(where, key)} is {describe(value)}, expected {expected}")


# -- readers -------------------------------------------------------------------------------------------------------


def get_dict(obj: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    """An object field; ``{}`` when absent or null."""
    value = obj.get(key)
    if type(value) is dict:
        return value
    if value is None:
        return {}
    raise bad_field(where, key, value, "an object")


def opt_dict(obj: dict[str, Any], key: str, where: str = "") -> dict[str, Any] | None:
    """An object field; None when absent or null."""
    value = obj.get(key)
    if value is None or type(value) is dict:
        return value
    raise bad_field(where, key, value, "an object")


def get_list(obj: dict[str, Any], key: str, where: str = "") -> list[Any]:
    """A list field; ``[]`` when absent or null."""
    value = obj.get(key)
    if type(value) is list:
        return value
    if value is None:
        return []
    raise bad_field(where, key, value, "a list")


def dicts(items: list[Any], where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(position, element)`` of a list whose every element must be an object."""
    for i, item in enumerate(items):
        if type(item) is not dict:
            raise bad_field(where, i, item, "an object")
        yield i, item


def get_str(obj: dict[str, Any], key: str, where: str = "") -> str | None:
    """A string field; None when absent or null."""
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    raise bad_field(where, key, value, "a string")


def get_text(obj: dict[str, Any], key: str, where: str = "") -> str:
    """A string field; ``""`` when absent or null."""
    value = obj.get(key)
    if type(value) is str:
        return value
    if value is None:
        return ""
    raise bad_field(where, key, value, "a string")


def get_id(obj: dict[str, Any], key: str, where: str = "") -> str | None:
    """An id: a string, None when absent, null or empty."""
    return get_str(obj, key, where) or None


def get_bool(obj: dict[str, Any], key: str, where: str = "") -> bool:
    """A boolean field; False when absent or null."""
    value = obj.get(key)
    if value is None:
        return False
    if type(value) is bool:
        return value
    raise bad_field(where, key, value, "a boolean")


def as_count(value: Any, where: str, key: str | int) -> int:
    """A token count: 0 for null, else a non-negative integer up to :data:`MAX_COUNT`."""
    if value is None:
        return 0
    kind = type(value)
    if kind is int:
        if 0 <= value <= MAX_COUNT:
            return int(value)
    elif kind is float and math.isfinite(value) and value.is_integer() and 0 <= value <= MAX_COUNT:
        return int(value)
    raise bad_field(where, key, value, f"a whole number from 0 to {MAX_COUNT}")


def get_count(obj: dict[str, Any], key: str, where: str = "") -> int:
    """A token count field; 0 when absent or null (see :func:`as_count`)."""
    return as_count(obj.get(key), where, key)


def opt_count(obj: dict[str, Any], key: str, where: str = "") -> int | None:
    """A count field that may be absent: None when absent or null."""
    value = obj.get(key)
    return None if value is None else as_count(value, where, key)


def as_index(value: Any, where: str, key: str | int) -> int:
    """An index into the answer's parts: a non-negative integer up to :data:`MAX_INDEX`."""
    if type(value) is int and 0 <= value <= MAX_INDEX:
        return int(value)
    raise bad_field(where, key, value, f"an index from 0 to {MAX_INDEX}")


def get_index(obj: dict[str, Any], key: str, where: str = "") -> int | None:
    """An index field; None when absent or null."""
    value = obj.get(key)
    return None if value is None else as_index(value, where, key)


# -- errors ----------------------------------------------------------------------------------------------------------


def located(exc: ResponseParseError, ctx: CallContext) -> ResponseParseError:
    """``exc`` with the call's provider and model filled in where the reader could not know them."""
    if exc.provider is None:
        exc.provider = ctx.api_provider.value
    if exc.model is None:
        exc.model = ctx.model_name
    return exc


class reading:
    """Around the reading of one answer or event: a parse error leaves with the call's provider and model. (A class,
    not a generator: it is entered once per stream event.)"""

    __slots__ = ("ctx",)

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if isinstance(exc, ResponseParseError):
            located(exc, self.ctx)
            exc.__cause__ = None  # (as ``raise … from None`` would leave it)
            exc.__suppress_context__ = True


# -- what is sent ----------------------------------------------------------------------------------------------------


def check_request_body(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` unchanged, or a ``ConfigurationError`` naming the first field holding a lone surrogate (text that
    cannot be encoded as UTF-8, e.g. from a file name decoded with ``surrogateescape``): raised before anything is
    sent, rather than an encoding error from the HTTP layer. Only non-ASCII strings are looked at closely."""
    stack: list[Any] = [body]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if type(node) is dict:
            if not all(key.isascii() or not has_surrogate(key) for key in node if type(key) is str):
                _refuse(body)
            values: Any = node.values()
        else:
            values = node
        for value in values:
            kind = type(value)
            if kind is str:
                if not value.isascii() and has_surrogate(value):
                    _refuse(body)
            elif kind is dict or kind is list:
                push(value)
    return body


def _refuse(body: dict[str, Any]) -> None:
    where = _surrogate_path(body, "") or "a key"
    raise ConfigurationError(
        f"the request's {where} holds a lone surrogate character, which cannot be sent as UTF-8 text; clean the "
        "input first (e.g. text.encode('utf-8', 'replace').decode())"
    )


def _surrogate_path(node: Any, where: str) -> str | None:
    if type(node) is str:
        return where if has_surrogate(node) else None
    if type(node) is dict:
        for key, value in node.items():
            here = path_of(where, key if type(key) is str and not has_surrogate(key) else "?")
            if type(key) is str and has_surrogate(key):
                return here
            found = _surrogate_path(value, here)
            if found is not None:
                return found
    elif type(node) is list:
        for i, value in enumerate(node):
            found = _surrogate_path(value, path_of(where, i))
            if found is not None:
                return found
    return None


# -- errors that arrive inside a success ---------------------------------------------------------------------------

#: Shorter strings are not scrubbed (no real credential is this short; scrubbing a one-letter test key would mangle
#: every message). The transport applies the same rule to the errors it builds.
MIN_SECRET_LENGTH = 8


def scrubber(ctx: CallContext) -> Callable[[str], str]:
    """A function that removes every secret of the call's API from a text."""
    secrets = sorted({s for s in ctx.endpoint.api.secrets() if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def scrub(text: str) -> str:
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, "[REDACTED]")
        return text

    return scrub


def in_band_error(
    cls: type[APIStatusError],
    info: ErrorInfo,
    ctx: CallContext,
    *,
    status: int | None,
    body: Any,
) -> APIStatusError:
    """The typed error for an error object that arrived with a success status (a 200 body or a stream event).

    It never passes the transport's error path, so the secrets of the call are scrubbed here, from every field that
    carries provider text: the message, the error type and code, and the body."""
    scrub = scrubber(ctx)
    try:
        clean_body = json.loads(scrub(json.dumps(body, default=str)))
    except (ValueError, RecursionError):
        clean_body = None
    err = cls(
        scrub(info.message),
        provider=ctx.api_provider.value,
        model=ctx.model_name,
        status_code=status,
        error_type=scrub(info.error_type) if info.error_type is not None else None,
        error_code=scrub(info.error_code) if info.error_code is not None else None,
        retry_after=info.retry_after,
        body=clean_body,
    )
    if info.retryable is not None:
        err.should_retry = info.retryable  # type: ignore[attr-defined]
    return err
