"""HTTP facts of a call: the provider's request id, the final attempt's headers, the number of attempts and the
rate limits the provider reported, normalised from OpenAI-style ``x-ratelimit-*`` and Anthropic-style
``anthropic-ratelimit-*`` headers."""

from __future__ import annotations

import datetime
import math
import re
import time
from collections.abc import Mapping

from ._base import BaseModel
from ._trusted import trusted

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


class RateLimitInfo(BaseModel):
    """The limits the provider reported with the answer; None where it sent no header. Reset times are seconds from
    the moment the answer arrived."""

    requests_limit: int | None = None
    requests_remaining: int | None = None
    requests_reset: float | None = None
    tokens_limit: int | None = None
    tokens_remaining: int | None = None
    tokens_reset: float | None = None
    input_tokens_limit: int | None = None
    input_tokens_remaining: int | None = None
    output_tokens_limit: int | None = None
    output_tokens_remaining: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float | None = None) -> RateLimitInfo | None:
        """Read both header families (``x-ratelimit-limit-requests``, ``anthropic-ratelimit-requests-limit`` …);
        None when the answer carried none of them. One pass over the headers: this runs on every answer."""
        values: dict[str, int | float] = {}
        for name, value in headers.items():
            name = name.lower()
            if name.startswith("x-ratelimit-"):
                part, _, kind = name[12:].partition("-")  # limit-requests, remaining-tokens, reset-requests
            elif name.startswith("anthropic-ratelimit-"):
                kind, _, part = name[20:].rpartition("-")  # requests-limit, input-tokens-remaining
            else:
                continue
            field = f"{kind.replace('-', '_')}_{part}"
            if field not in _FIELDS or field in values:
                continue
            number = _reset_seconds(value, now) if part == "reset" else _int(value)
            if number is not None:
                values[field] = number
        if not values:
            return None
        return trusted(cls, **values)


_FIELDS = frozenset(
    f"{kind}_{part}"
    for kind in ("requests", "tokens", "input_tokens", "output_tokens")
    for part in ("limit", "remaining", "reset")
    if not (part == "reset" and kind in ("input_tokens", "output_tokens"))
)


def _int(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text.strip())
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if math.isfinite(value) else None


def _reset_seconds(text: str | None, now: float | None) -> float | None:
    """OpenAI says ``"6m0s"``, ``"1.5s"``, ``"120ms"``; Anthropic an RFC 3339 time; some hosts plain seconds."""
    if not text:
        return None
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        return max(value, 0.0) if math.isfinite(value) else None
    parts = _DURATION_PART.findall(text)
    if parts and "".join(n + u for n, u in parts) == text:
        return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(when.timestamp() - (now if now is not None else time.time()), 0.0)
