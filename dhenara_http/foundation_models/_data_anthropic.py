"""Anthropic's Claude models as plain data.

Prices from Anthropic's pricing page (cache writes at the 5-minute rate). Bedrock and Vertex ids are the hosts'
foundation-model ids; a Bedrock cross-region inference profile (``us.`` / ``eu.`` / ``global.`` prefix) is given with
``AIModelAPI(config={"deployment": ...})`` or as the model name itself, which resolves to the same entry.

Reasoning: Claude up to 4.5 takes a thinking ``token_budget`` (Opus 4.5 also an ``effort``); Claude 4.6 and later
think ``adaptive``-ly, steered by effort. ``native_structured_output`` marks the models that take Anthropic's own
JSON-schema output (Opus 4.1, the 4.5 generation and later). Sonnet 4 and 4.5 bill prompts above 200K tokens (the
1M-context beta) at the long-context rates of the tier.

Hosted web search costs $10 per 1,000 searches on every model. Claude 4.6 and later take the ``web_search_20260209``
tool (dynamic filtering); earlier models ``web_search_20250305`` (``metadata["web_search_tool"]``).
"""

from __future__ import annotations

from typing import Any

from ._rows import DOCS, chat, with_web_search

SOURCE = "https://platform.claude.com/docs/en/about-claude/pricing"

V = "anthropic"
B = "amazon_bedrock"
G = "google_vertex_ai"
_EFFORTS = ("low", "medium", "high", "max")
#: Anthropic's smallest ``thinking.budget_tokens``.
MIN_THINKING_BUDGET = 1024
#: The Anthropic SDK's own non-streaming cap for Claude Opus 4 and 4.1 (``MODEL_NONSTREAMING_TOKENS``).
_OPUS4_NONSTREAMING = 8_192
_EFFORTS_XHIGH = ("low", "medium", "high", "xhigh", "max")


def _claude(name: str, display: str, price: tuple[float, float, float, float], **kw: Any) -> dict[str, Any]:
    kw.setdefault("inputs", DOCS)
    return chat(name, display, V, price=price, source=SOURCE, **kw)


def _hosts(bedrock: str | None, vertex: str | None) -> dict[str, str]:
    return {k: v for k, v in ((B, bedrock), (G, vertex)) if v}


def _adaptive(name: str, display: str, price: tuple[float, float, float, float], **kw: Any) -> dict[str, Any]:
    """A Claude 4.6+ model: adaptive thinking, 1M context, the same id on Vertex and ``anthropic.<id>`` on Bedrock."""
    kw.setdefault("context", 1_000_000)
    kw.setdefault("max_out", 128_000)
    kw.setdefault("efforts", _EFFORTS_XHIGH)
    kw.setdefault("hosts", _hosts(f"anthropic.{name}", name))
    kw.setdefault("native_structured", True)
    kw["metadata"] = {"web_search_tool": "web_search_20260209", **kw.get("metadata", {})}
    return _claude(name, display, price, reasoning="adaptive", **kw)


def _budget(name: str, display: str, price: tuple[float, float, float, float], **kw: Any) -> dict[str, Any]:
    """A Claude 3.7 - 4.5 model: extended thinking with a token budget of at least 1,024 tokens (Anthropic's
    ``budget_tokens`` minimum)."""
    kw.setdefault("context", 200_000)
    kw.setdefault("budget", 32_000)
    kw.setdefault("min_budget", MIN_THINKING_BUDGET)
    kw.setdefault("reasoning", "token_budget")
    return _claude(name, display, price, **kw)


_SONNET4_LONG = ((200_000, 6.0, 22.5, 0.6, 7.5),)
_SONNET4_NOTE = "Prompts above 200K tokens (1M-context beta) are billed at $6 / $22.50 per MTok."
_RETIRED = "Retired on the Claude API; still served by Amazon Bedrock and Google Vertex AI."

MODELS: dict[str, dict[str, Any]] = {
    "ClaudeOpus55": _adaptive(
        "claude-opus-5-5",
        "Claude Opus 5.5",
        (4.0, 20.0, 0.2, 5.0),
        always_on=True,
        metadata={"default_effort": "medium"},
    ),
    "ClaudeSonnet55": _adaptive("claude-sonnet-5-5", "Claude Sonnet 5.5", (2.0, 10.0, 0.1, 2.5)),
    "ClaudeHaiku55": _adaptive(
        "claude-haiku-5-5",
        "Claude Haiku 5.5",
        (0.1, 0.5, 0.01, 0.125),
        tiers=((100_000, 0.5, 2.5, 0.05, 0.625),),
        price_notes="Prompts above 100K tokens (cache reads and writes included) are billed at the tier's rates.",
        metadata={"default_effort": "medium"},
    ),
    "ClaudeFable5": _adaptive("claude-fable-5", "Claude Fable 5", (10.0, 50.0, 1.0, 12.5)),
    "ClaudeMythos5": _adaptive(
        "claude-mythos-5",
        "Claude Mythos 5",
        (10.0, 50.0, 1.0, 12.5),
        hosts={},
        enabled=False,
        beta=True,
        metadata={"limited_availability": True},
    ),
    "ClaudeOpus5": _adaptive("claude-opus-5", "Claude Opus 5", (5.0, 25.0, 0.5, 6.25)),
    "ClaudeSonnet5": _adaptive("claude-sonnet-5", "Claude Sonnet 5", (2.0, 10.0, 0.2, 2.5)),
    "ClaudeOpus48": _adaptive("claude-opus-4-8", "Claude Opus 4.8", (5.0, 25.0, 0.5, 6.25)),
    "ClaudeOpus47": _adaptive("claude-opus-4-7", "Claude Opus 4.7", (5.0, 25.0, 0.5, 6.25)),
    "ClaudeOpus46": _adaptive(
        "claude-opus-4-6",
        "Claude Opus 4.6",
        (5.0, 25.0, 0.5, 6.25),
        efforts=_EFFORTS,
        hosts=_hosts("anthropic.claude-opus-4-6-v1", "claude-opus-4-6"),
    ),
    "ClaudeSonnet46": _adaptive(
        "claude-sonnet-4-6", "Claude Sonnet 4.6", (3.0, 15.0, 0.3, 3.75), max_out=64_000, efforts=_EFFORTS
    ),
    "ClaudeOpus45": _budget(
        "claude-opus-4-5",
        "Claude Opus 4.5",
        (5.0, 25.0, 0.5, 6.25),
        max_out=64_000,
        reasoning="effort",
        efforts=("low", "medium", "high"),
        native_structured=True,
        aliases=("claude-opus-4-5-20251101",),
        hosts=_hosts("anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5@20251101"),
    ),
    "ClaudeSonnet45": _budget(
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        (3.0, 15.0, 0.3, 3.75),
        max_out=64_000,
        tiers=_SONNET4_LONG,
        price_notes=_SONNET4_NOTE,
        native_structured=True,
        aliases=("claude-sonnet-4-5-20250929",),
        hosts=_hosts("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5@20250929"),
    ),
    "ClaudeHaiku45": _budget(
        "claude-haiku-4-5",
        "Claude Haiku 4.5",
        (1.0, 5.0, 0.1, 1.25),
        max_out=64_000,
        native_structured=True,
        aliases=("claude-haiku-4-5-20251001",),
        hosts=_hosts("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5@20251001"),
    ),
    "ClaudeOpus41": _budget(
        "claude-opus-4-1",
        "Claude Opus 4.1",
        (15.0, 75.0, 1.5, 18.75),
        max_out=32_000,
        budget=24_000,
        nonstreaming_max_out=_OPUS4_NONSTREAMING,
        native_structured=True,
        aliases=("claude-opus-4-1-20250805",),
        hosts=_hosts("anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1@20250805"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "ClaudeOpus40": _budget(
        "claude-opus-4-0",
        "Claude Opus 4",
        (15.0, 75.0, 1.5, 18.75),
        max_out=32_000,
        budget=24_000,
        nonstreaming_max_out=_OPUS4_NONSTREAMING,
        aliases=("claude-opus-4-20250514",),
        legacy=("claude-opus-4",),
        hosts=_hosts("anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4@20250514"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "ClaudeSonnet40": _budget(
        "claude-sonnet-4-0",
        "Claude Sonnet 4",
        (3.0, 15.0, 0.3, 3.75),
        max_out=64_000,
        tiers=_SONNET4_LONG,
        price_notes=_SONNET4_NOTE,
        aliases=("claude-sonnet-4-20250514",),
        legacy=("claude-sonnet-4",),
        hosts=_hosts("anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4@20250514"),
    ),
    "Claude37Sonnet": _budget(
        "claude-3-7-sonnet-latest",
        "Claude Sonnet 3.7",
        (3.0, 15.0, 0.3, 3.75),
        max_out=64_000,
        aliases=("claude-3-7-sonnet-20250219",),
        legacy=("claude-3-7-sonnet",),
        hosts=_hosts("anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet@20250219"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "Claude35Sonnet": _claude(
        "claude-3-5-sonnet-latest",
        "Claude Sonnet 3.5",
        (3.0, 15.0, 0.3, 3.75),
        context=200_000,
        max_out=8_192,
        # The June 2024 snapshot (Bedrock ``…-20240620-v1:0``, Vertex ``claude-3-5-sonnet@20240620``) had the same
        # prices and limits; a call naming it sends that id.
        aliases=(
            "claude-3-5-sonnet-20241022",
            "claude-3-5-sonnet-20240620",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "claude-3-5-sonnet@20240620",
        ),
        legacy=("claude-3-5-sonnet",),
        hosts=_hosts("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-v2@20241022"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "Claude35Haiku": _claude(
        "claude-3-5-haiku-latest",
        "Claude Haiku 3.5",
        (0.8, 4.0, 0.08, 1.0),
        context=200_000,
        max_out=8_192,
        aliases=("claude-3-5-haiku-20241022",),
        legacy=("claude-3-5-haiku",),
        hosts=_hosts("anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku@20241022"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "Claude3Opus": _claude(
        "claude-3-opus-latest",
        "Claude Opus 3",
        (15.0, 75.0, 1.5, 18.75),
        context=200_000,
        max_out=4_096,
        aliases=("claude-3-opus-20240229",),
        legacy=("claude-3-opus",),
        hosts=_hosts("anthropic.claude-3-opus-20240229-v1:0", "claude-3-opus@20240229"),
        metadata={"deprecated": True, "details": _RETIRED},
    ),
    "Claude3Haiku": _claude(
        "claude-3-haiku-20240307",
        "Claude Haiku 3",
        (0.25, 1.25, 0.03, 0.3),
        context=200_000,
        max_out=4_096,
        legacy=("claude-3-haiku",),
        hosts=_hosts("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku@20240307"),
    ),
}

with_web_search(MODELS, lambda row: (10.0, "search"))

#: dhenara-ai's second name for Claude Sonnet 4.
PY_ALIASES = {"Claude40Sonnet": "ClaudeSonnet40"}
