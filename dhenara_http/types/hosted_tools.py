"""Tools the provider runs itself (``AIModelCallConfig.hosted_tools``), in dhenara-ai's shapes.

Today that is web search: :class:`WebSearchHostedTool` becomes OpenAI Responses' ``web_search`` tool, Anthropic's
``web_search_2025…`` / ``web_search_2026…`` server tool and Gemini's ``google_search`` tool. The fields are
dhenara-ai's; each wire takes the ones its provider understands and refuses the rest with a ``CapabilityError``
naming them (before anything is sent), rather than dropping a filter the caller relies on.

What each field means:

* ``allowed_domains`` / ``blocked_domains`` — search only these sites / never these (Anthropic takes one of the two
  per request; OpenAI only ``allowed_domains``).
* ``user_location`` — an approximate location to localise results (OpenAI, Anthropic).
* ``max_uses`` — the most searches the model may run in one call (Anthropic ``max_uses``; OpenAI's
  ``max_tool_calls``, which counts built-in tool calls).
* ``search_context_size``, ``external_web_access``, ``return_token_budget`` — OpenAI's knobs.
* ``metadata`` — the caller's own notes; never sent.
"""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

from typing import Any, Literal

from pydantic import Field, field_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel


class HostedToolKind:
    """Names of the hosted tools (dhenara-ai's constants)."""

    WEB_SEARCH = "web_search"


class HostedToolUserLocation(BaseModel):
    """An approximate location for localised search results."""

    type: Literal["approximate"] = "approximate"
    city: str | None = None
    region: str | None = None
    country: str | None = None
    timezone: str | None = None

    def as_wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class WebSearchHostedTool(BaseModel):
    """Let the model search the web on the provider's side (see the module docstring for the fields)."""

    kind: Literal["hosted_tool"] = "hosted_tool"
    tool: Literal["web_search"] = "web_search"
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None
    user_location: HostedToolUserLocation | None = None
    max_uses: int | None = Field(default=None, gt=0)
    search_context_size: Literal["low", "medium", "high"] | None = None
    external_web_access: bool | None = None
    return_token_budget: Literal["default", "unlimited"] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("allowed_domains", "blocked_domains", mode="before")
    @classmethod
    def _domains(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ConfigurationError("WebSearchHostedTool domains must be a list of domain names, not one string")
        return value

    def given(self, *names: str) -> list[str]:
        """Which of these fields the caller set (for a wire to refuse what its provider does not take)."""
        return [n for n in names if getattr(self, n) is not None and getattr(self, n) != []]


#: dhenara-ai's name for the union of hosted tools (web search is the only one so far).
HostedToolDefinition = WebSearchHostedTool
