"""Models and their capabilities and prices.

A :class:`FoundationModel` is an immutable catalogue entry; ``clone()`` derives a variant. The catalogue itself is in
``dhenara_http.foundation_models``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from ._base import BaseModel
from .enums import AIModelFunctionalTypeEnum, AIModelProviderEnum

ReasoningControl = Literal["effort", "token_budget", "adaptive"]


class ValidOptionValue(BaseModel):
    allowed_values: list[Any] = Field(default_factory=list)
    default_value: Any = None
    cost_sensitive: bool = False
    description: str | None = None


class PriceTier(BaseModel):
    """Prices that apply instead of the base ones once the prompt is longer than ``above_input_tokens``."""

    above_input_tokens: int
    input_token_cost_per_million: float
    output_token_cost_per_million: float
    cache_read_token_cost_per_million: float | None = None
    cache_write_token_cost_per_million: float | None = None


class ChatModelCostData(BaseModel):
    """Prices in USD per million tokens."""

    input_token_cost_per_million: float
    output_token_cost_per_million: float
    cache_read_token_cost_per_million: float | None = None
    cache_write_token_cost_per_million: float | None = None
    tiers: list[PriceTier] = Field(default_factory=list)
    cost_multiplier_percentage: float | None = None
    source: str | None = None
    as_of: str | None = None


class ImageModelCostData(BaseModel):
    """Prices in USD per image, by size and quality (``{"size": ..., "quality": ..., "cost": ...}`` rows)."""

    flat_cost_per_image: float | None = None
    image_options_cost_data: list[dict[str, Any]] = Field(default_factory=list)
    cost_multiplier_percentage: float | None = None
    source: str | None = None
    as_of: str | None = None


class ChatModelSettings(BaseModel):
    max_context_window_tokens: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int
    supports_reasoning: bool = False
    max_reasoning_tokens: int | None = None
    max_output_tokens_reasoning_mode: int | None = None
    reasoning_control: ReasoningControl | None = None
    supported_reasoning_efforts: tuple[str, ...] | None = None
    supports_tools: bool = True
    supports_structured_output: bool = True
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)


class ImageModelSettings(BaseModel):
    max_words: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("image",)


class FoundationModel(BaseModel):
    """One model: its name, maker, limits, capabilities and prices. Immutable; use :meth:`clone` for variants."""

    model_config = ConfigDict(frozen=True)

    model_name: str
    display_name: str = ""
    provider: AIModelProviderEnum = AIModelProviderEnum.CUSTOM
    functional_type: AIModelFunctionalTypeEnum = AIModelFunctionalTypeEnum.TEXT_GENERATION
    settings: ChatModelSettings | ImageModelSettings | None = None
    valid_options: dict[str, ValidOptionValue] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    cost_data: ChatModelCostData | ImageModelCostData | None = None
    order: int = 0
    enabled: bool = True
    beta: bool = False

    def clone(self, model_name: str | None = None, **overrides: Any) -> FoundationModel:
        """A copy with ``model_name`` and any other field replaced (values are validated)."""
        data = self.model_dump()
        if model_name is not None:
            data["model_name"] = model_name
            if "display_name" not in overrides:
                data["display_name"] = model_name
        data.update(overrides)
        return type(self).model_validate(data)

    @property
    def chat_settings(self) -> ChatModelSettings | None:
        return self.settings if isinstance(self.settings, ChatModelSettings) else None

    def __repr__(self) -> str:
        return f"FoundationModel({self.model_name!r}, provider={self.provider.value!r})"


#: The name users know from dhenara-ai.
AIModel = FoundationModel
