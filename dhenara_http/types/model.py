"""Models and their capabilities and prices.

A :class:`FoundationModel` is an immutable catalogue entry; ``clone()`` derives a variant. The catalogue itself is in
``dhenara_http.foundation_models``.

One entry serves every host of a model. The id a host knows the model by is ``model_name`` unless
``host_model_names`` names another one for that host (Bedrock and Vertex spell Claude ids their own way:
``anthropic.claude-3-7-sonnet-20250219-v1:0``, ``claude-3-7-sonnet@20250219``); :meth:`FoundationModel.api_model_name`
gives the id to send. ``aliases`` are further ids that resolve to the entry (dated snapshots, dhenara-ai's names).

Prices: :class:`ChatModelCostData` is in USD per million tokens, with optional cache-read and cache-write rates and
:class:`PriceTier` rows that replace the base rates when a prompt is longer than a threshold (Gemini Pro above 200k,
GPT-5.4 above 272k, ...) and a price per thousand hosted web searches. :class:`ImageModelCostData` is in USD per image,
flat or by size and quality, and per million tokens where the provider bills image models by tokens (OpenAI's GPT image
models, Gemini image models). Every catalogue price carries ``source`` (the page it was read from) and ``as_of`` (the
day it was read).
"""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import logging
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from ._defaults import new_list
from .enums import AIModelAPIProviderEnum, AIModelFunctionalTypeEnum, AIModelProviderEnum

logger = logging.getLogger("dhenara_http")

#: How a model's reasoning is tuned: ``effort`` levels (OpenAI, Gemini 3), a thinking ``token_budget``
#: (Claude up to 4.5, Gemini 2.5), or ``adaptive`` thinking steered by effort (Claude 4.6 and later). dhenara-ai's
#: ``"none"`` (a model that does not reason) is accepted and stored as None.
ReasoningControl = Literal["effort", "token_budget", "adaptive"]
#: dhenara-ai's name.
ReasoningControlMode = ReasoningControl

#: The thinking budgets the effort levels stand for, in tokens: Google's mapping of OpenAI's ``reasoning_effort`` onto
#: Gemini thinking budgets (https://ai.google.dev/gemini-api/docs/openai: low 1,024, medium 8,192, high 24,576). Used
#: both ways: an effort given to a budget model, a budget given to an effort model.
EFFORT_BUDGETS: dict[str, int] = {"low": 1024, "medium": 8192, "high": 24576}


class ValidOptionValue(BaseModel):
    """An option a model takes (image size, quality …): its allowed values (empty: any value), its default (None: not
    sent unless given), whether it changes the price, and other names it is given by (Imagen's ``number_of_images``
    is also ``n``). ``display_only`` options describe the model but are never sent."""

    allowed_values: list[Any] = Field(default_factory=new_list)
    default_value: Any = None
    cost_sensitive: bool = False
    description: str | None = None
    aliases: tuple[str, ...] = ()
    display_only: bool = False


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
    tiers: list[PriceTier] = Field(default_factory=new_list)
    #: USD per 1,000 hosted web searches (or grounded prompts, see ``web_search_unit``), on top of the tokens.
    web_search_cost_per_thousand: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    #: What one unit of ``web_search_cost_per_thousand`` is: a ``search`` the tool ran (OpenAI, Anthropic, Gemini 3)
    #: or a ``grounded_prompt``, a call that searched at all (Gemini 2.x).
    web_search_unit: Literal["search", "grounded_prompt"] = "search"
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
    """Prices in USD per image: ``flat_cost_per_image``, or rows by size and quality (``image_options_cost_data``).

    The rows are keyed by the call options named ``size_option`` and ``quality_option`` (``size`` / ``quality`` for
    OpenAI; Gemini image models are priced by ``image_size``: ``1K``, ``2K`` …).

    Where the provider bills by tokens, the token rates (USD per million) price what the answer's usage counts: input
    text and input image tokens, output image tokens and output text tokens (thinking included). When the usage
    counts output image tokens, those are priced instead of the per-image row (the row is the provider's own price of
    the usual token count of such an image); without them the row prices the images and the input tokens are added
    when counted."""

    flat_cost_per_image: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    image_options_cost_data: list[ImagePriceRow] = Field(default_factory=new_list)
    size_option: str = "size"
    quality_option: str = "quality"
    input_text_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    input_image_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    output_image_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    output_text_token_cost_per_million: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    cost_multiplier_percentage: float | None = Field(default=None, allow_inf_nan=False)
    source: str | None = None
    as_of: str | None = None
    notes: str | None = None

    @field_validator("image_options_cost_data", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _priced(self) -> "ImageModelCostData":
        if (
            self.flat_cost_per_image is None
            and not self.image_options_cost_data
            and self.output_image_token_cost_per_million is None
        ):
            raise ConfigurationError(
                "ImageModelCostData: give flat_cost_per_image, image_options_cost_data or "
                "output_image_token_cost_per_million"
            )
        return self

    @property
    def bills_tokens(self) -> bool:
        """Whether the provider bills this model by tokens (it has token rates)."""
        return self.output_image_token_cost_per_million is not None

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
    lists the effort values an ``effort`` / ``adaptive`` model accepts; ``min_reasoning_tokens`` and
    ``max_reasoning_tokens`` bound the thinking budget of a ``token_budget`` model. ``nonstreaming_max_output_tokens``
    is the largest output cap the provider's own SDK lets a non-streaming call ask for (None: no model-specific
    rule). ``input_modalities`` uses ``text``, ``image``, ``pdf``, ``audio`` and ``video``."""

    max_context_window_tokens: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int
    supports_reasoning: bool = False
    min_reasoning_tokens: int | None = None
    max_reasoning_tokens: int | None = None
    max_output_tokens_reasoning_mode: int | None = None
    nonstreaming_max_output_tokens: int | None = None
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

    @field_validator("reasoning_control", mode="before")
    @classmethod
    def _none_is_none(cls, value: Any) -> Any:
        return None if value == "none" else value


class ImageModelSettings(BaseModel):
    """Limits of an image model, and the wire its images are made on: ``openai_images`` (``/images/generations``),
    ``imagen`` (``:predict``), or None for a model that answers on its vendor's chat wire with image parts (Gemini
    image models on ``generateContent``)."""

    max_words: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("image",)
    wire_api: str | None = None


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

    @staticmethod
    def kinds_of(
        data: Mapping[str, Any],
    ) -> tuple[type[ChatModelSettings | ImageModelSettings], type[ChatModelCostData | ImageModelCostData]]:
        """The settings and cost classes of a model's data, by its functional type."""
        functional_type = data.get("functional_type")
        if functional_type == AIModelFunctionalTypeEnum.IMAGE_GENERATION or functional_type == "image_generation":
            return ImageModelSettings, ImageModelCostData
        return ChatModelSettings, ChatModelCostData

    @model_validator(mode="before")
    @classmethod
    def _settings_kind(cls, data: Any) -> Any:
        # The settings and cost unions are resolved by the functional type, so that a plain dict validates into the
        # right class (an image model's settings would otherwise never be tried).
        if not isinstance(data, dict):
            return data
        kind, cost_kind = cls.kinds_of(data)
        data = dict(data)
        if isinstance(data.get("settings"), dict):
            data["settings"] = kind.model_validate(data["settings"])
        if isinstance(data.get("cost_data"), dict):
            data["cost_data"] = cost_kind.model_validate(data["cost_data"])
        if not data.get("display_name") and isinstance(data.get("model_name"), str):
            data["display_name"] = data["model_name"]
        return data

    def clone(self, model_name: str | None = None, **overrides: Any) -> "AIModel":
        """A copy with ``model_name`` and any other field replaced (values are validated).

        The copy is the caller's own :class:`AIModel`: its fields may be assigned afterwards (``clone.cost_data =
        ...``, as dhenara-ai allows), while catalogue entries stay immutable and shared. A renamed clone drops the
        catalogue's host ids and aliases (they belong to the original name) unless they are given again."""
        data = self.model_dump()
        if model_name is not None:
            data["model_name"] = model_name
            if "display_name" not in overrides:
                data["display_name"] = model_name
            data["host_model_names"] = {}
            data["aliases"] = ()
            data["metadata"] = {k: v for k, v in data["metadata"].items() if k != "legacy_names"}
        data.update(overrides)
        return AIModel.model_validate(data)

    def create_instance(self, model_name: str | None = None, **overrides: Any) -> "AIModel":
        """dhenara-ai's name for :meth:`clone` (``metadata`` given here is merged into the model's)."""
        if isinstance(overrides.get("metadata"), dict):
            overrides["metadata"] = {**self.metadata, **overrides["metadata"]}
        overrides.pop("foundation_model", None)
        return self.clone(model_name, **overrides)

    # -- options (dhenara-ai's helpers) ------------------------------------------------------------------------

    def get_valid_options(self, include_display_only: bool = False) -> dict[str, ValidOptionValue]:
        """The options the model takes (without display-only ones unless asked)."""
        return {k: v for k, v in self.valid_options.items() if include_display_only or not v.display_only}

    def option_name(self, name: str) -> str | None:
        """The option ``name`` means (itself or the option it is another name of), or None when the model has none."""
        valid = self.get_valid_options()
        if name in valid:
            return name
        return next((key for key, spec in valid.items() if name in spec.aliases), None)

    def check_options(self, options: dict[str, Any]) -> None:
        """Raise a ``ConfigurationError`` naming the first option the model does not take, or whose value is not one
        it allows. An option may be given by one of its aliases (Imagen's ``n`` for ``number_of_images``), once."""
        valid = self.get_valid_options()
        seen: dict[str, str] = {}
        for name, value in options.items():
            key = self.option_name(name)
            if key is None:
                known = ", ".join(sorted(valid)) or "none"
                raise ConfigurationError(f"{self.model_name}: unknown option {name!r}; it takes {known}")
            if key in seen:
                raise ConfigurationError(f"{self.model_name}: options {seen[key]!r} and {name!r} are the same option")
            seen[key] = name
            allowed = valid[key].allowed_values
            if allowed and value not in allowed:
                raise ConfigurationError(f"{self.model_name}: option {name!r}={value!r} is not one of {allowed}")

    def validate_options(self, options: dict[str, Any]) -> bool:
        """Whether every option is one the model takes, with an allowed value (the reason is logged)."""
        try:
            self.check_options(options)
        except ConfigurationError as exc:
            logger.warning("validate_options: %s", exc)
            return False
        return True

    def get_options_with_defaults(self, options: dict[str, Any]) -> dict[str, Any]:
        """Every option the model takes, under its own name: the given values, the defaults for the rest. An unknown
        option or a value not allowed is a ``ConfigurationError``."""
        self.check_options(options)
        out = {name: v.default_value for name, v in self.get_valid_options().items()}
        out.update({self.option_name(name) or name: value for name, value in options.items()})
        return out

    def get_settings(self) -> ChatModelSettings | ImageModelSettings | None:
        return self.settings

    def get_cost_data(self) -> ChatModelCostData | ImageModelCostData | None:
        return self.cost_data

    @property
    def is_foundation_model(self) -> bool:
        """True for catalogue entries and their likes, False for an :class:`AIModel` (a caller's own model)."""
        return not isinstance(self, AIModel)

    @property
    def model_name_with_version_suffix(self) -> str:
        suffix = self.metadata.get("version_suffix")
        return f"{self.model_name}{suffix}" if suffix else self.model_name

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


class AIModel(FoundationModel):
    """A caller's own model: a :class:`FoundationModel` whose fields may be assigned after it is made (assignments
    are validated). :meth:`FoundationModel.clone` returns one."""

    model_config = ConfigDict(frozen=False, validate_assignment=True)


#: dhenara-ai's name of the common base.
BaseAIModel = FoundationModel
