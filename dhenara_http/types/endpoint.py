"""``AIModelEndpoint``: a model reached through one API host."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from ..errors import ConfigurationError
from ._base import BaseModel
from .api import AIModelAPI
from .enums import AIModelAPIProviderEnum, AIModelProviderEnum
from .model import ChatModelCostData, ChatModelSettings, FoundationModel, ImageModelCostData

_HOST_VENDOR = {
    AIModelAPIProviderEnum.OPEN_AI: AIModelProviderEnum.OPEN_AI,
    AIModelAPIProviderEnum.MICROSOFT_OPENAI: AIModelProviderEnum.OPEN_AI,
    AIModelAPIProviderEnum.ANTHROPIC: AIModelProviderEnum.ANTHROPIC,
    AIModelAPIProviderEnum.GOOGLE_AI: AIModelProviderEnum.GOOGLE_AI,
    AIModelAPIProviderEnum.GOOGLE_VERTEX_AI: AIModelProviderEnum.GOOGLE_AI,
    AIModelAPIProviderEnum.DEEPSEEK: AIModelProviderEnum.DEEPSEEK,
}
_NAME_VENDOR = (
    ("claude", AIModelProviderEnum.ANTHROPIC),
    ("anthropic.", AIModelProviderEnum.ANTHROPIC),
    ("gemini", AIModelProviderEnum.GOOGLE_AI),
    ("gpt-", AIModelProviderEnum.OPEN_AI),
    ("deepseek", AIModelProviderEnum.DEEPSEEK),
)


def generic_model(name: str, api_provider: AIModelAPIProviderEnum) -> FoundationModel:
    """A model outside the catalogue: no prices, generous limits, the vendor guessed from the host or the name."""
    vendor = _HOST_VENDOR.get(api_provider)
    if vendor is None:
        lowered = name.lower().split("/")[-1]
        vendor = next((v for prefix, v in _NAME_VENDOR if prefix in lowered), AIModelProviderEnum.CUSTOM)
    return FoundationModel(
        model_name=name,
        display_name=name,
        provider=vendor,
        settings=ChatModelSettings(max_output_tokens=0, supports_reasoning=True),
        metadata={"generic": True},
    )


class AIModelEndpoint(BaseModel):
    """A model on an API. ``ai_model`` may be a catalogue model or a name: a known name resolves to its catalogue
    entry, an unknown one becomes a generic model without prices. ``cost_data`` overrides the catalogue's prices
    (and may carry ``cost_multiplier_percentage``)."""

    api: AIModelAPI
    ai_model: FoundationModel
    cost_data: ChatModelCostData | ImageModelCostData | None = None
    reference_number: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("cost_data", mode="before")
    @classmethod
    def _cost_data(cls, value: Any) -> Any:
        if isinstance(value, dict) and "input_token_cost_per_million" not in value and value:
            return ImageModelCostData.model_validate(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _resolve_model(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("ai_model"), str):
            name = data["ai_model"]
            if not name.strip():
                raise ConfigurationError("AIModelEndpoint.ai_model: the model name is empty")
            api = data.get("api")
            if isinstance(api, dict):
                api = AIModelAPI.model_validate(api)
            if not isinstance(api, AIModelAPI):
                raise ConfigurationError("AIModelEndpoint.api: an AIModelAPI is required")
            from ..foundation_models import find_model

            data = {**data, "api": api, "ai_model": find_model(name) or generic_model(name, api.provider)}
        return data

    def effective_cost_data(self) -> ChatModelCostData | ImageModelCostData | None:
        return self.cost_data if self.cost_data is not None else self.ai_model.cost_data

    def __repr__(self) -> str:
        return f"AIModelEndpoint(api={self.api.provider.value!r}, ai_model={self.ai_model.model_name!r})"
