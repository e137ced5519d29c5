"""Usage and cost: the tokens a call used (:class:`ChatResponseUsage`) and what they cost (:class:`UsageCharge` and
its :class:`UsageChargeComponent` parts). Below both the complete responses and the stream chunks, which carry them
(``dhenara_http.types.response`` re-exports them)."""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start").

from typing import Any

import pydantic
from pydantic import Field

from ._base import BaseModel


class HostedToolUsage(BaseModel):
    """dhenara-ai's hosted-tool counts: calls per tool (and their ``total``), billed units per priced unit."""

    request_counts: dict[str, int] = Field(default_factory=dict)
    token_counts: dict[str, int] = Field(default_factory=dict)
    billing_counts: dict[str, int] = Field(default_factory=dict)
    details: dict[str, Any] | None = None


class ChatResponseUsage(BaseModel):
    """Tokens, normalised across providers: ints on every wire, 0 when the provider reports none.

    ``prompt_tokens`` counts every input token, cached ones included (``cache_read_tokens`` and
    ``cache_write_tokens`` are parts of it); ``completion_tokens`` counts every output token, reasoning included
    (``reasoning_tokens`` is a part of it). ``None`` (what older versions stored for a count not reported) reads as 0.
    """

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    total_tokens: int = Field(default=0, ge=0)
    reasoning_tokens: int = Field(default=0, ge=0)
    cache_read_tokens: int = Field(default=0, ge=0)
    cache_write_tokens: int = Field(default=0, ge=0)
    #: Searches a hosted web-search tool ran (billed per search, or per grounded prompt, on top of the tokens).
    web_search_requests: int = Field(default=0, ge=0)

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _none_is_zero(cls, value: Any) -> Any:
        return 0 if value is None else value

    @property
    def hosted_tool_usage(self) -> HostedToolUsage | None:
        """dhenara-ai's form of the hosted-tool counts (None when the call ran none)."""
        n = self.web_search_requests
        if not n:
            return None
        return HostedToolUsage(request_counts={"web_search": n, "total": n}, billing_counts={"web_search": n})


class UsageChargeComponent(BaseModel):
    """One part of a call's cost: ``key`` (``input_tokens``, ``cache_read_tokens``, ``cache_write_tokens``,
    ``output_tokens``, ``images``), its ``cost`` in USD, and the ``units`` it counts."""

    key: str
    cost: float
    units: int | float | None = None
    unit: str | None = None
    metadata: dict[str, Any] | None = None


class UsageCharge(BaseModel):
    """``cost`` in USD, ``charge`` with the endpoint's multiplier applied, and ``components`` that add up to the
    cost."""

    cost: float
    charge: float | None = None
    components: list[UsageChargeComponent] | None = None
