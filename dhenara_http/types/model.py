"""Models and their capabilities and prices.

A :class:`FoundationModel` is an immutable catalogue entry; ``clone()`` derives a variant. The catalogue itself is in
``dhenara_http.foundation_models``.

One entry serves every host of a model. The id a host knows the model by is ``model_name`` unless
``host_model_names`` names another one for that host (Bedrock and Vertex spell Claude ids their own way:
``anthropic.claude-3-7-sonnet-20250219-v1:0``, ``claude-3-7-sonnet@20250219``); :meth:`FoundationModel.api_model_name`
gives the id to send. ``aliases`` are further ids that resolve to the entry (dated snapshots, dhenara-ai's names).

Prices: :class:`ChatModelCostData` is in USD per million tokens, with optional cache-read and cache-write rates and
:class:`PriceTier` rows that replace the base rates when a prompt is longer than a threshold (Gemini Pro above 200k,
GPT-5.4 above 272k, ...). :class:`ImageModelCostData` is in USD per image, flat or by size and quality. Every catalogue
price carries ``source`` (the page it was read from) and ``as_of`` (the day it was read).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigurationError
from ._base import BaseModel
from .enums import AIModelAPIProviderEnum, AIModelFunctionalTypeEnum, AIModelProviderEnum

#: How a model's reasoning is tuned: ``effort`` levels (OpenAI, Gemini 3), a thinking ``token_budget``
#: (Claude up to 4.5, Gemini 2.5), or ``adaptive`` thinking steered by effort (Claude 4.6 and later).
ReasoningControl = Literal["effort", "token_budget", "adaptive"]


class ValidOptionValue(BaseModel):
    allowed_values: list[Any] = Field(default_factory=list)
    default_value: Any = None
    cost_sensitive: bool = False
    description: str | None = None


class PriceTier(BaseModel):
    """Prices that apply instead of the base ones once the prompt is longer than ``above_input_tokens``.

    The whole call is then priced at the tier's rates (this is how Google, OpenAI and Anthropic bill long prompts). A
    cache rate left out keeps the base one."""

    above_input_tokens: int = Field(gt=0)
    input_token_cost_per_million: float = Field(ge=0, allow_inf_nan=False)
    output_token_cost_per_million: float = Field(ge=0, allow_inf_nan=False)
    cache_read_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cache_write_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class ChatModelCostData(BaseModel):
    """Prices in USD per million tokens.

    ``cache_read`` / ``cache_write`` rates apply to the cached parts of the prompt (a missing one falls back to the
    input rate); reasoning tokens are output tokens. ``cost_multiplier_percentage`` turns the cost into a charge
    (``charge = cost * (1 + pct/100)``)."""

    input_token_cost_per_million: float = Field(ge=0, allow_inf_nan=False)
    output_token_cost_per_million: float = Field(ge=0, allow_inf_nan=False)
    cache_read_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cache_write_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    tiers: list[PriceTier] = Field(default_factory=list)
    cost_multiplier_percentage: float | None = Field(default=None, allow_inf_nan=False)
    source: str | None = None
    as_of: str | None = None
    notes: str | None = None


class ImagePriceRow(BaseModel):
    """The price of one image for the listed sizes and qualities (``None`` matches any)."""

    size: tuple[str, ...] | None = None
    quality: tuple[str, ...] | None = None
    cost_per_image: float = Field(ge=0, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        # dhenara-ai writes {"size": [...], "quality": [...], "cost_per_image": x}; single strings and "cost" are
        # accepted too.
        if isinstance(data, dict):
            data = dict(data)
            if "cost" in data and "cost_per_image" not in data:
                data["cost_per_image"] = data.pop("cost")
            for key in ("size", "quality"):
                if isinstance(data.get(key), str):
                    data[key] = (data[key],)
        return data

    def matches(self, size: str | None, quality: str | None) -> bool:
        return (self.size is None or size in self.size) and (self.quality is None or quality in self.quality)


class ImageModelCostData(BaseModel):
    """Prices in USD per image: ``flat_cost_per_image``, or rows by size and quality (``image_options_cost_data``)."""

    flat_cost_per_image: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    image_options_cost_data: list[ImagePriceRow] = Field(default_factory=list)
    cost_multiplier_percentage: float | None = Field(default=None, allow_inf_nan=False)
    source: str | None = None
    as_of: str | None = None
    notes: str | None = None

    @field_validator("image_options_cost_data", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _priced(self) -> ImageModelCostData:
        if self.flat_cost_per_image is None and not self.image_options_cost_data:
            raise ConfigurationError("ImageModelCostData: give flat_cost_per_image or image_options_cost_data")
        return self

    def cost_per_image(self, size: str | None, quality: str | None) -> float | None:
        """The price of one image of this size and quality, or None when no row matches."""
        for row in self.image_options_cost_data:
            if row.matches(size, quality):
                return row.cost_per_image
        return self.flat_cost_per_image


class ChatModelSettings(BaseModel):
    """Limits and capabilities of a text model.

    ``max_output_tokens`` is the cap without reasoning, ``max_output_tokens_reasoning_mode`` the cap (reasoning
    included) when reasoning is on. ``reasoning_control`` says how reasoning is tuned; ``supported_reasoning_efforts``
    lists the effort values an ``effort`` / ``adaptive`` model accepts and ``max_reasoning_tokens`` the largest
    thinking budget of a ``token_budget`` model. ``input_modalities`` uses ``text``, ``image``, ``pdf``, ``audio``
    and ``video``."""

    max_context_window_tokens: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int
    supports_reasoning: bool = False
    max_reasoning_tokens: int | None = None
    max_output_tokens_reasoning_mode: int | None = None
    reasoning_control: ReasoningControl | None = None
    supported_reasoning_efforts: tuple[str, ...] | None = None
    reasoning_always_on: bool = False
    supports_tools: bool = True
    supports_structured_output: bool = True
    #: Whether the provider's own JSON-schema output mode is available for this model (Anthropic
    #: ``output_config.format``). None/False: a protocol that needs the flag falls back to a forced answer tool.
    native_structured_output: bool | None = None
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
    #: The model's id on hosts that name it differently, keyed by ``AIModelAPIProviderEnum`` value.
    host_model_names: dict[str, str] = Field(default_factory=dict)
    #: Other ids that resolve to this entry (dated snapshots, older spellings).
    aliases: tuple[str, ...] = ()
    order: int = 0
    enabled: bool = True
    beta: bool = False

    @model_validator(mode="before")
    @classmethod
    def _settings_kind(cls, data: Any) -> Any:
        # The settings and cost unions are resolved by the functional type, so that a plain dict validates into the
        # right class (an image model's settings would otherwise never be tried).
        if not isinstance(data, dict):
            return data
        image = str(data.get("functional_type", "")) == AIModelFunctionalTypeEnum.IMAGE_GENERATION.value
        data = dict(data)
        if isinstance(data.get("settings"), dict):
            kind = ImageModelSettings if image else ChatModelSettings
            data["settings"] = kind.model_validate(data["settings"])
        if isinstance(data.get("cost_data"), dict):
            cost_kind = ImageModelCostData if image else ChatModelCostData
            data["cost_data"] = cost_kind.model_validate(data["cost_data"])
        if not data.get("display_name") and isinstance(data.get("model_name"), str):
            data["display_name"] = data["model_name"]
        return data

    def clone(self, model_name: str | None = None, **overrides: Any) -> FoundationModel:
        """A copy with ``model_name`` and any other field replaced (values are validated).

        A renamed clone drops the catalogue's host ids and aliases (they belong to the original name) unless they are
        given again."""
        data = self.model_dump()
        if model_name is not None:
            data["model_name"] = model_name
            if "display_name" not in overrides:
                data["display_name"] = model_name
            data["host_model_names"] = {}
            data["aliases"] = ()
            data["metadata"] = {k: v for k, v in data["metadata"].items() if k != "legacy_names"}
        data.update(overrides)
        return type(self).model_validate(data)

    def api_model_name(self, api_provider: AIModelAPIProviderEnum | str | None = None) -> str:
        """The id to send to this host (``model_name`` unless the host has its own id for the model)."""
        if api_provider is None:
            return self.model_name
        key = api_provider.value if isinstance(api_provider, AIModelAPIProviderEnum) else str(api_provider)
        return self.host_model_names.get(key, self.model_name)

    def known_ids(self) -> tuple[str, ...]:
        """Every id that names this model: its name, its host ids and its aliases."""
        return (self.model_name, *self.host_model_names.values(), *self.aliases)

    @property
    def chat_settings(self) -> ChatModelSettings | None:
        return self.settings if isinstance(self.settings, ChatModelSettings) else None

    @property
    def image_settings(self) -> ImageModelSettings | None:
        return self.settings if isinstance(self.settings, ImageModelSettings) else None

    @property
    def is_image_model(self) -> bool:
        return self.functional_type == AIModelFunctionalTypeEnum.IMAGE_GENERATION

    def __repr__(self) -> str:
        return f"FoundationModel({self.model_name!r}, provider={self.provider.value!r})"


#: The name users know from dhenara-ai.
AIModel = FoundationModel
