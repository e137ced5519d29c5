"""dhenara-ai's call-config fields and helpers, tool definitions from functions, structured-output configs."""

from __future__ import annotations

from typing import Any, Literal

import pydantic
import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelContextPolicy,
    ArtifactConfig,
    ConfigurationError,
    FunctionParameter,
    FunctionParameters,
    StructuredOutputConfig,
    ToolChoice,
    ToolDefinition,
    WebSearchHostedTool,
    function_parameter_from_json_schema,
)
from dhenara_http.foundation_models import Claude37Sonnet, Gemini3FlashPreview, GPT4oMini, O3Mini

# -- AIModelCallConfig -------------------------------------------------------------------------------------------------


def test_a_config_without_options_is_the_one_validation_makes() -> None:
    # AIModelCallConfig() is made without running the validator (nothing to validate): the same instance.
    plain = AIModelCallConfig()
    validated = AIModelCallConfig.model_validate({})
    assert plain == validated
    assert list(plain.__dict__.items()) == list(validated.__dict__.items())
    assert plain.model_fields_set == validated.model_fields_set == set()
    assert (plain.__pydantic_extra__, plain.__pydantic_private__) == (validated.__pydantic_extra__, None)
    assert plain.model_dump_json() == validated.model_dump_json()
    assert plain.options is not AIModelCallConfig().options  # mutable defaults are the instance's own
    plain.options["temperature"] = 0.5
    assert AIModelCallConfig().options == {}


def test_a_config_subclass_without_options_is_still_validated() -> None:
    class Checked(AIModelCallConfig):
        @pydantic.model_validator(mode="after")
        def _always(self) -> Checked:
            raise ConfigurationError("checked")

    with pytest.raises(ConfigurationError, match="checked"):
        Checked()


def test_dhenara_ai_fields_are_accepted_with_its_defaults() -> None:
    config = AIModelCallConfig()
    assert (config.retry_delay, config.max_retry_delay) == (None, None)  # the transport's own back-off
    assert config.api_version_override is None
    assert config.artifact_config is None
    assert config.hosted_tools is None
    assert config.context_policy is None
    given = AIModelCallConfig(
        retry_delay=0.5,
        max_retry_delay=4,
        api_version_override="2024-10-21",
        hosted_tools=[{"tool": "web_search", "max_uses": 2}],
        context_policy=AIModelContextPolicy(mode="provider_compaction", compact_threshold_tokens=1000),
        artifact_config=ArtifactConfig(enabled=True, artifact_root="runs"),
    )
    assert given.hosted_tools == [WebSearchHostedTool(max_uses=2)]  # dhenara-ai's shape, typed
    assert given.context_policy is not None
    assert given.context_policy.mode == "provider_compaction"
    with pytest.raises(ConfigurationError, match="retry_delay"):
        AIModelCallConfig(retry_delay=-1)


def test_artifact_config_needs_a_root_when_enabled() -> None:
    assert ArtifactConfig().enabled is False
    with pytest.raises(ConfigurationError, match="artifact_root"):
        ArtifactConfig(enabled=True)
    config = ArtifactConfig(
        enabled=True, artifact_root="x", python_log_level="DEBUG", python_logger_levels={"a": "OFF"}
    )
    assert config.capture_provider_request
    assert config.capture_dhenara_response


def test_get_max_output_tokens_is_dhenara_ais_pair() -> None:
    # (output cap, thinking budget): the cap is capped to the model's limit, the budget to its largest budget.
    assert AIModelCallConfig(max_output_tokens=10**6).get_max_output_tokens(GPT4oMini) == (16_384, None)
    assert AIModelCallConfig().get_max_output_tokens(GPT4oMini) == (16_384, None)
    thinking = AIModelCallConfig(reasoning=True, max_output_tokens=16_000, max_reasoning_tokens=50_000)
    assert thinking.get_max_output_tokens(Claude37Sonnet) == (16_000, 32_000)
    assert AIModelCallConfig(reasoning=True).get_reasoning_token_budget(Claude37Sonnet) == 32_000
    # Effort models take no budget.
    assert AIModelCallConfig(reasoning=True, max_reasoning_tokens=5000).get_max_output_tokens(O3Mini)[1] is None
    assert AIModelCallConfig(reasoning=True).get_max_output_tokens(Gemini3FlashPreview)[1] is None
    assert AIModelCallConfig(metadata={"user_id": "u1"}).get_user() == "u1"


# -- tools -------------------------------------------------------------------------------------------------------------


class Place(pydantic.BaseModel):
    city: str
    zip: int | None = None


def get_weather(location: str, unit: Literal["celsius", "fahrenheit"] = "celsius", days: int | None = None) -> Any:
    """Get the current weather in a given location.

    :param location: The city and state, e.g. San Francisco, CA
    :param unit: celsius or fahrenheit
    """
    return {"location": location}


def plan_trip(where: Place, stops: list[str], budget: dict[str, float] | None = None) -> None:
    """Plan a trip.

    Args:
        where: the destination
        stops: places on the way
    """


def test_from_callable_gives_function_parameters_as_dhenara_ai_does() -> None:
    tool = ToolDefinition.from_callable(get_weather)
    fn = tool.function
    assert fn.name == "get_weather"
    assert fn.description == "Get the current weather in a given location."
    assert tool.function_reference is get_weather
    params = fn.parameters
    assert isinstance(params, FunctionParameters)
    assert params.required == ["location"]
    location, unit, days = (params.properties[k] for k in ("location", "unit", "days"))
    assert isinstance(location, FunctionParameter)
    assert (location.type, location.required, location.description) == (
        "string",
        True,
        "The city and state, e.g. San Francisco, CA",
    )
    assert isinstance(unit, FunctionParameter)
    assert (unit.allowed_values, unit.default, unit.required, unit.description) == (
        ["celsius", "fahrenheit"],
        "celsius",
        False,
        "celsius or fahrenheit",
    )
    assert isinstance(days, FunctionParameter)
    assert days.type == "integer"  # ``int | None`` is an optional integer
    # The schema sent: no defaults (several providers reject them), the enum kept.
    assert fn.json_schema() == {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "celsius or fahrenheit", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"},
        },
        "required": ["location"],
    }


def test_from_callable_keeps_nested_types_and_google_style_docs() -> None:
    fn = ToolDefinition.from_callable(plan_trip).function
    schema = fn.json_schema()
    where = schema["properties"]["where"]
    assert where["type"] == "object"
    assert where["description"] == "the destination"
    assert where["properties"]["city"] == {"type": "string"}
    assert where["required"] == ["city"]
    assert "$ref" not in str(schema)
    assert schema["properties"]["stops"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "places on the way",
    }
    assert schema["properties"]["budget"]["type"] == "object"
    assert schema["required"] == ["where", "stops"]


def test_function_parameter_from_json_schema() -> None:
    param = function_parameter_from_json_schema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "description": "When"},
        required=False,
        default=None,
    )
    assert (param.type, param.format, param.description, param.required) == ("string", "date", "When", False)
    listed = function_parameter_from_json_schema(
        {"type": "array", "items": {"type": "integer"}}, required=True, default=None, description="Ids"
    )
    assert (listed.items, listed.description, listed.extra_schema) == ({"type": "integer"}, "Ids", None)
    either = function_parameter_from_json_schema(
        {"anyOf": [{"type": "string"}, {"type": "integer"}]}, required=True, default=None
    )
    assert either.json_schema() == {"anyOf": [{"type": "string"}, {"type": "integer"}]}


def test_tool_choice_none_means_no_tools() -> None:
    assert ToolChoice(type=None).type == "none"  # type: ignore[arg-type]


# -- structured output -------------------------------------------------------------------------------------------------


def test_structured_output_config_in_dhenara_ais_spelling() -> None:
    config = StructuredOutputConfig(output_schema=Place.model_json_schema(), model_class_reference=Place)
    assert config.output_schema == config.json_schema == config.get_schema() == Place.model_json_schema()
    assert config.get_model_class() is Place
    assert config.model_class_reference is Place
    assert config.name == "Place"
    from_model = StructuredOutputConfig.from_model(Place)
    assert from_model.get_model_class() is Place
    assert from_model.output_schema["properties"]["city"] == {"title": "City", "type": "string"}
    assert "allow_post_process_on_error" not in from_model.model_dump()
    parsed = AIModelCallConfig(structured_output={"output_schema": {"type": "object"}}).structured_output
    assert parsed is not None
    assert parsed.output_schema == {"type": "object"}


def test_retry_delay_and_its_cap_set_the_back_off(retry_waits: list[float]) -> None:
    import httpx
    import respx

    from dhenara_http import AIModelAPI, AIModelClient, AIModelEndpoint

    ok = {
        "id": "c1",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    api = AIModelAPI(provider="openai", api_key="sk-test", config={"wire_api": "chat_completions"})
    endpoint = AIModelEndpoint(api=api, ai_model=GPT4oMini)

    def waits_for(**config: Any) -> list[float]:
        retry_waits.clear()
        with respx.mock() as router:
            router.post().mock(
                side_effect=[httpx.Response(500, json={"error": {"message": "x"}})] * 2 + [httpx.Response(200, json=ok)]
            )
            AIModelClient(endpoint, AIModelCallConfig(retries=2, max_output_tokens=5, **config)).generate("hi")
        return list(retry_waits)

    # dhenara-ai's settings: the first wait is retry_delay, doubled, at most max_retry_delay (less up to 25 % jitter).
    first, second = waits_for(retry_delay=2.0, max_retry_delay=3.0)
    assert 1.5 <= first <= 2.0
    assert 2.25 <= second <= 3.0
    # Unset: the transport's own back-off, 0.5 s doubling.
    first, second = waits_for()
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0
