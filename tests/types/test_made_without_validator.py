"""The objects the package makes without running their validator when there is nothing to validate
(``AIModelCallConfig()``, ``AIModelEndpoint(api=<AIModelAPI>, ai_model=<FoundationModel>)``, the ``Prompt`` of a
plain text): each is the instance validation makes (the prompt's tests are beside the other prompt tests), and a
validator added to one of these classes makes these tests say its short cut must be looked at."""

from __future__ import annotations

import pydantic
import pytest

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelEndpoint, ChatModelCostData, ConfigurationError, Prompt
from dhenara_http.foundation_models import GPT4oMini, Imagen3


def _same(made: pydantic.BaseModel, validated: pydantic.BaseModel) -> None:
    assert made == validated
    assert list(made.__dict__.items()) == list(validated.__dict__.items())
    assert made.model_fields_set == validated.model_fields_set
    assert (made.__pydantic_extra__, made.__pydantic_private__) == (
        validated.__pydantic_extra__,
        validated.__pydantic_private__,
    )
    assert made.model_dump_json() == validated.model_dump_json()


@pytest.mark.parametrize("model", [GPT4oMini, Imagen3])
def test_an_endpoint_of_instances_is_the_one_validation_makes(model: object) -> None:
    api = AIModelAPI(provider="openai", api_key="bench-key-123")
    made = AIModelEndpoint(api=api, ai_model=model)  # type: ignore[arg-type]
    _same(made, AIModelEndpoint.model_validate({"api": api, "ai_model": model}))
    assert made.api is api
    assert made.ai_model is model
    assert made.metadata is not AIModelEndpoint(api=api, ai_model=model).metadata  # type: ignore[arg-type]


def test_an_endpoint_given_anything_else_is_validated() -> None:
    api = AIModelAPI(provider="openai", api_key="bench-key-123")
    assert AIModelEndpoint(api=api, ai_model="gpt-4o-mini").ai_model is GPT4oMini  # a name is resolved
    chat_prices = ChatModelCostData(input_token_cost_per_million=1, output_token_cost_per_million=2)
    with pytest.raises(ConfigurationError, match="needs ImageModelCostData"):
        AIModelEndpoint(api=api, ai_model=Imagen3, cost_data=chat_prices)
    with pytest.raises(ConfigurationError, match=r"AIModelEndpoint\.api"):
        AIModelEndpoint(api="openai", ai_model=GPT4oMini)  # type: ignore[arg-type]

    class Checked(AIModelEndpoint):
        @pydantic.model_validator(mode="after")
        def _always(self) -> Checked:
            raise ConfigurationError("checked")

    with pytest.raises(ConfigurationError, match="checked"):
        Checked(api=api, ai_model=GPT4oMini)


def _validators(cls: type[pydantic.BaseModel]) -> dict[str, list[str]]:
    decorators = cls.__pydantic_decorators__
    return {
        "model": sorted(decorators.model_validators),
        "field": sorted(decorators.field_validators),
        "root": sorted(decorators.root_validators),
    }


def test_the_short_cuts_know_every_validator() -> None:
    # AIModelCallConfig() runs no field validator (none of its fields is given) and the class has no model validator;
    # AIModelEndpoint's two model validators change nothing for an API and a model given as instances; user_prompt
    # makes the one check of Prompt's text validator itself. A validator added to one of these classes must be
    # weighed against its short cut, then listed here.
    assert _validators(AIModelCallConfig) == {
        "model": [],
        "field": ["_headers", "_structured", "_tool_choice", "_tools"],
        "root": [],
    }
    assert _validators(AIModelEndpoint) == {"model": ["_cost_kind", "_resolve_model"], "field": [], "root": []}
    assert _validators(Prompt) == {"model": [], "field": ["_encodable"], "root": []}
