"""Reasoning settings and the output cap, worked out once per call for every wire (see ``docs/reasoning.md``).

A call says what it wants with ``reasoning``, ``reasoning_effort``, ``max_reasoning_tokens`` and
``max_output_tokens``; the model's catalogue entry says how it is steered (``reasoning_control``: an ``effort``
level, a thinking ``token_budget``, or ``adaptive`` thinking steered by effort) and within which bounds
(``min_reasoning_tokens`` / ``max_reasoning_tokens``, the output limits). :func:`plan_reasoning` turns both into what
the wire sends:

* a budget model given an effort gets the budget that effort stands for (:data:`~dhenara_http.types.model.
  EFFORT_BUDGETS`, Google's own mapping of efforts onto thinking budgets); an effort model given a budget gets the
  effort nearest to it on the same scale;
* a budget above the model's largest is lowered to it (with a warning); a budget below the smallest the provider
  accepts is a ``ConfigurationError`` naming ``max_reasoning_tokens``;
* a setting that cannot apply (reasoning off, a model with no reasoning controls, an effort beside a budget on a
  budget model) is named in a warning on the ``dhenara_http`` logger, never dropped silently.

Every provider counts thinking inside its output cap (Anthropic ``max_tokens``, Gemini ``maxOutputTokens``, OpenAI
``max_output_tokens`` / ``max_completion_tokens``). So ``max_output_tokens`` is taken as the answer's share and the
reasoning budget (or the ``max_reasoning_tokens`` a call gives an effort model) is added on top, within the model's
limit (:func:`output_cap`): ``max_output_tokens=4000, max_reasoning_tokens=8000`` sends a cap of 12,000 with a budget
of 8,000, not a budget that leaves the answer one token. Without ``max_output_tokens`` nothing is sent where the
provider has its own default; a wire that requires a cap passes its default.

The rules of each wire are data (:data:`WIRES`); nothing here asks which provider is called.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import ConfigurationError
from ..types.model import EFFORT_BUDGETS

if TYPE_CHECKING:
    from ..types.config import AIModelCallConfig
    from ..types.model import ChatModelSettings, FoundationModel

logger = logging.getLogger("dhenara_http")


class ReasoningContext(Protocol):
    """What the planning reads of a call (``protocols.base.CallContext`` is one; this module stays below it)."""

    @property
    def model(self) -> FoundationModel: ...

    @property
    def config(self) -> AIModelCallConfig: ...

    def wants_reasoning(self) -> bool: ...


#: The effort levels, weakest first.
EFFORT_ORDER = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
#: Room kept for the answer beside a thinking budget when the call gives no ``max_output_tokens``.
DEFAULT_ANSWER_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class WireReasoning:
    """How one wire takes reasoning settings."""

    #: The control of a model outside the catalogue.
    generic_control: str
    #: The wire needs a thinking budget even when the call names none (Anthropic's ``budget_tokens`` is required).
    needs_budget: bool = False
    #: The smallest budget the wire accepts when the catalogue does not say (Anthropic: 1,024).
    min_budget: int | None = None


WIRES: dict[str, WireReasoning] = {
    "anthropic": WireReasoning("token_budget", needs_budget=True, min_budget=1024),
    # Bedrock Converse: Claude takes Anthropic's thinking object (other vendors' models are planned as effort models).
    "converse": WireReasoning("token_budget", needs_budget=True, min_budget=1024),
    "gemini": WireReasoning("token_budget"),
    "responses": WireReasoning("effort"),
    "chat_completions": WireReasoning("effort"),
}
_GENERIC = WireReasoning("effort")


@dataclass(frozen=True, slots=True)
class ReasoningPlan:
    """What a call sends about reasoning. ``effort`` / ``budget`` are None when not sent; a ``budget`` of 0 or an
    ``effort`` of ``"none"`` turns thinking off. ``reserve`` is what the output cap holds for reasoning on top of
    the answer's share."""

    on: bool = False
    control: str | None = None
    effort: str | None = None
    budget: int | None = None
    reserve: int = 0


def _ignored(ctx: ReasoningContext, names: list[str], why: str) -> None:
    settings = ", ".join(f"AIModelCallConfig.{n}={getattr(ctx.config, n)!r}" for n in names)
    logger.warning("%s: %s not used: %s", ctx.model.model_name, settings, why)


def effort_budget(effort: str, settings: ChatModelSettings | None) -> int:
    """The thinking budget an effort stands for: :data:`EFFORT_BUDGETS`, ``minimal`` the model's smallest budget and
    ``xhigh`` / ``max`` its largest."""
    low = (settings.min_reasoning_tokens if settings else None) or EFFORT_BUDGETS["low"]
    high = (settings.max_reasoning_tokens if settings else None) or EFFORT_BUDGETS["high"]
    if effort == "minimal":
        return low
    if effort in ("xhigh", "max"):
        return high
    return EFFORT_BUDGETS.get(effort, EFFORT_BUDGETS["medium"])


def budget_effort(budget: int) -> str:
    """The effort whose budget (:data:`EFFORT_BUDGETS`) is nearest to ``budget`` on a logarithmic scale."""
    target = math.log(max(budget, 1))
    return min(EFFORT_BUDGETS, key=lambda e: abs(math.log(EFFORT_BUDGETS[e]) - target))


def clamp_effort(effort: str, supported: tuple[str, ...] | None) -> str:
    """``effort``, or the nearest effort the model lists (the stronger one on a tie) when it lists its efforts."""
    known = [e for e in supported or () if e in EFFORT_ORDER]
    if not known or effort in known or effort not in EFFORT_ORDER:
        return effort
    rank = EFFORT_ORDER.index(effort)
    return min(known, key=lambda e: (abs(EFFORT_ORDER.index(e) - rank), -EFFORT_ORDER.index(e)))


def _clamp_budget(ctx: ReasoningContext, budget: int, given: bool, rules: WireReasoning) -> int:
    settings = ctx.model.chat_settings
    name = ctx.model.model_name
    low = (settings.min_reasoning_tokens if settings else None) or rules.min_budget
    high = settings.max_reasoning_tokens if settings else None
    if budget == 0:
        if settings is not None and settings.reasoning_always_on:
            logger.warning("%s cannot turn thinking off; its smallest thinking budget is sent", name)
            return low or 1
        return 0
    if high and budget > high:
        if given:
            logger.warning(
                "%s: AIModelCallConfig.max_reasoning_tokens=%d is above its largest thinking budget; %d is sent",
                name,
                budget,
                high,
            )
        budget = high
    if low and budget < low:
        if given:
            raise ConfigurationError(
                f"AIModelCallConfig.max_reasoning_tokens={budget} is below the smallest thinking budget {name} "
                f"accepts ({low} tokens); raise max_reasoning_tokens to at least {low}"
            )
        budget = low
    return budget


def plan_reasoning(ctx: ReasoningContext, wire: str, control: str | None = None) -> ReasoningPlan:
    """What this call sends about reasoning on ``wire`` (``control`` overrides the catalogue's, for a wire that can
    tell a model outside the catalogue by its name)."""
    cfg = ctx.config
    named = [n for n in ("reasoning_effort", "max_reasoning_tokens") if getattr(cfg, n) is not None]
    if not ctx.wants_reasoning():
        if named:
            _ignored(ctx, named, "AIModelCallConfig.reasoning is False")
        return ReasoningPlan()
    rules = WIRES.get(wire, _GENERIC)
    settings = ctx.model.chat_settings
    generic = settings is None or bool(ctx.model.metadata.get("generic"))
    control = control or (settings.reasoning_control if settings is not None else None)
    if control is None and generic:
        control = rules.generic_control
    takes_effort = control in ("effort", "adaptive")
    # Claude Opus 4.5 takes an effort and a thinking budget: an effort model with a budget range takes both.
    takes_budget = control == "token_budget" or (
        control == "effort" and settings is not None and settings.max_reasoning_tokens is not None
    )
    effort, budget = cfg.reasoning_effort, cfg.max_reasoning_tokens
    if not takes_effort and not takes_budget:
        if named:
            _ignored(ctx, named, f"{ctx.model.model_name} reasons without settings")
        return ReasoningPlan(on=True, control=control)
    if effort == "none":
        if budget is not None:
            _ignored(ctx, ["max_reasoning_tokens"], "reasoning_effort='none' turns thinking off")
        off_budget = _clamp_budget(ctx, 0, False, rules) if takes_budget else None
        return ReasoningPlan(on=True, control=control, effort="none" if takes_effort else None, budget=off_budget)

    out_effort: str | None = None
    out_budget: int | None = None
    reserve = 0
    if takes_budget:
        if budget is not None:
            out_budget = _clamp_budget(ctx, budget, True, rules)
            if effort is not None and not takes_effort:
                _ignored(ctx, ["reasoning_effort"], "max_reasoning_tokens sets the thinking budget")
        elif effort is not None:
            out_budget = _clamp_budget(ctx, effort_budget(effort, settings), False, rules)
            logger.debug(
                "%s: reasoning_effort=%r sent as a thinking budget of %d", ctx.model.model_name, effort, out_budget
            )
        elif rules.needs_budget:
            out_budget = _clamp_budget(ctx, effort_budget("medium", settings), False, rules)
        reserve = out_budget or 0
    if takes_effort:
        if effort is not None:
            out_effort = effort
            if budget is not None and not takes_budget:
                _ignored(
                    ctx,
                    ["max_reasoning_tokens"],
                    "the model takes an effort, which reasoning_effort names (the budget only makes room in the "
                    "output cap)",
                )
        elif budget is not None and not takes_budget:
            out_effort = budget_effort(budget)
            logger.debug("%s: max_reasoning_tokens=%d sent as effort %r", ctx.model.model_name, budget, out_effort)
        if budget is not None and not takes_budget:
            reserve = budget
    return ReasoningPlan(on=True, control=control, effort=out_effort, budget=out_budget, reserve=reserve)


def output_cap(ctx: ReasoningContext, plan: ReasoningPlan, default: int | None = None) -> int | None:
    """The output cap to send: the answer's share (``max_output_tokens``) plus ``plan.reserve``, within the model's
    limit (the reasoning mode's limit when reasoning is on). Without ``max_output_tokens``: None, or the wire's
    ``default`` (raised to leave :data:`DEFAULT_ANSWER_TOKENS` beside the reserve, within the limit)."""
    settings = ctx.model.chat_settings
    limit = settings.max_output_tokens if settings is not None else 0
    if plan.on and settings is not None and settings.max_output_tokens_reasoning_mode:
        limit = settings.max_output_tokens_reasoning_mode
    answer = ctx.config.max_output_tokens
    if answer is not None:
        total = answer + plan.reserve
    elif default is not None:
        total = max(default, plan.reserve + DEFAULT_ANSWER_TOKENS) if plan.reserve else default
    else:
        return None
    return min(total, limit) if limit else total
