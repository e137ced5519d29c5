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
        """Read both header families; None when the answer carried none of them."""
        values: dict[str, int | float | None] = {}
        for prefix in ("x-ratelimit-", "anthropic-ratelimit-"):
            for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
                field = kind.replace("-", "_")
                for part, name in (("limit", "limit"), ("remaining", "remaining")):
                    value = _int(headers.get(f"{prefix}{part}-{kind}") or headers.get(f"{prefix}{kind}-{part}"))
                    if value is not None:
                        values.setdefault(f"{field}_{name}", value)
                reset = headers.get(f"{prefix}reset-{kind}") or headers.get(f"{prefix}{kind}-reset")
                seconds = _reset_seconds(reset, now)
                if seconds is not None and f"{field}_reset" in cls.model_fields:
                    values.setdefault(f"{field}_reset", seconds)
        if not values:
            return None
        return cls.model_validate(values)


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
