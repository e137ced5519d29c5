"""``AIModelEndpoint``: a model reached through one API host."""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from ..errors._tree import ConfigurationError
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


def _override_cost(model: FoundationModel, value: Any) -> Any:
    """An endpoint's ``cost_data`` as given: a dict naming any price replaces the catalogue's prices; a dict naming
    none (``{"cost_multiplier_percentage": 20}``) keeps them and changes only what it names."""
    if not isinstance(value, dict):
        return value
    kind = ImageModelCostData if model.is_image_model else ChatModelCostData
    base = model.cost_data
    price_keys = set(kind.model_fields) - {"cost_multiplier_percentage", "source", "as_of", "notes"}
    if isinstance(base, kind) and not price_keys & set(value):
        return kind.model_validate({**base.model_dump(), **value})
    return kind.model_validate(value)


def _resolve(name: str, api: AIModelAPI) -> FoundationModel:
    """The model a name means on this API: its catalogue entry, or a generic model. A catalogue model named by an id
    other than the one this host would be sent (a dated snapshot, a Bedrock inference profile ...) is cloned under
    that id, so that the id given is the id sent."""
    from ..foundation_models import find_model

    found = find_model(name)
    if found is None:
        return generic_model(name, api.provider)
    if name in (found.model_name, found.api_model_name(api.provider), *found.metadata.get("legacy_names", ())):
        return found
    return found.clone(name, display_name=found.display_name)


class AIModelEndpoint(BaseModel):
    """A model on an API. ``ai_model`` may be a catalogue model or a name: a known name resolves to its catalogue
    entry, an unknown one becomes a generic model without prices. ``cost_data`` overrides the catalogue's prices: a
    complete price list, or just ``{"cost_multiplier_percentage": ...}`` to turn the catalogue's cost into a
    charge."""

    api: AIModelAPI
    ai_model: FoundationModel
    cost_data: ChatModelCostData | ImageModelCostData | None = None
    reference_number: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    if TYPE_CHECKING:
        # What the constructor accepts: a model name, and prices as a dict (a test keeps these equal to the fields).
        def __init__(
            self,
            *,
            api: AIModelAPI,
            ai_model: FoundationModel | str,
            cost_data: ChatModelCostData | ImageModelCostData | dict[str, Any] | None = None,
            reference_number: str | None = None,
            metadata: dict[str, Any] = ...,
        ) -> None: ...

    else:

        def __init__(self, /, **data: Any) -> None:
            if (
                type(self) is AIModelEndpoint
                and data.keys() == {"api", "ai_model"}
                and isinstance(data["api"], AIModelAPI)
                and isinstance(data["ai_model"], FoundationModel)
            ):
                # An API and a catalogue model given as instances, what most programs write: validation would take
                # both as they are and its validators change nothing, so the endpoint is made as it would make it (a
                # test compares the two) without building the validator — and FoundationModel's, its settings' and
                # its prices' with it, which a first call would otherwise pay for.
                self.__setstate__(AIModelEndpoint.model_construct(**data).__getstate__())
                return
            super().__init__(**data)

    @model_validator(mode="before")
    @classmethod
    def _resolve_model(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        model = data.get("ai_model")
        if isinstance(model, str):
            if not model.strip():
                raise ConfigurationError("AIModelEndpoint.ai_model: the model name is empty")
            api = data.get("api")
            if isinstance(api, dict):
                api = AIModelAPI.model_validate(api)
            if not isinstance(api, AIModelAPI):
                raise ConfigurationError("AIModelEndpoint.api: an AIModelAPI is required")
            model = _resolve(model, api)
            data.update(api=api, ai_model=model)
        elif isinstance(model, dict):
            model = FoundationModel.model_validate(model)
            data["ai_model"] = model
        if isinstance(model, FoundationModel) and data.get("cost_data") is not None:
            data["cost_data"] = _override_cost(model, data["cost_data"])
        return data

    @model_validator(mode="after")
    def _cost_kind(self) -> "AIModelEndpoint":
        wanted = ImageModelCostData if self.ai_model.is_image_model else ChatModelCostData
        if self.cost_data is not None and not isinstance(self.cost_data, wanted):
            raise ConfigurationError(
                f"AIModelEndpoint.cost_data: {self.ai_model.model_name} needs {wanted.__name__}, "
                f"got {type(self.cost_data).__name__}"
            )
        return self

    def effective_cost_data(self) -> ChatModelCostData | ImageModelCostData | None:
        return self.cost_data if self.cost_data is not None else self.ai_model.cost_data

    def __repr__(self) -> str:
        return f"AIModelEndpoint(api={self.api.provider.value!r}, ai_model={self.ai_model.model_name!r})"
