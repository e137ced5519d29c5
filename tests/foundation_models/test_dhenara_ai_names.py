"""The catalogue as dhenara-ai programs use it: clones they change, option helpers, lists, lookups by dhenara-ai's
names and by dated snapshots, and model kinds this version does not call."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

import dhenara_http
from dhenara_http import (
    AIModel,
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    AIModelFunctionalTypeEnum,
    CapabilityError,
    ChatModelCostData,
    ChatModelSettings,
    ConfigurationError,
    FoundationModel,
    FoundationModelFns,
)
from dhenara_http.foundation_models import Claude35Sonnet, DallE3, GPT4o, all_models, find_model


def test_a_clone_is_the_callers_own_and_takes_assignments() -> None:
    shared_before = Claude35Sonnet.model_dump()
    clone = Claude35Sonnet.clone(model_name="us.anthropic.claude-3-7-sonnet-20241022-v2:0")
    assert isinstance(clone, AIModel)
    assert isinstance(clone, FoundationModel)
    assert not clone.is_foundation_model
    assert Claude35Sonnet.is_foundation_model
    # dhenara-ai's doc: change the metadata and the prices of the clone.
    clone.metadata["version_suffix"] = None
    clone.cost_data = ChatModelCostData(input_token_cost_per_million=3.0, output_token_cost_per_million=15.0)
    clone.cost_data = {"input_token_cost_per_million": 1.0, "output_token_cost_per_million": 2.0}  # type: ignore[assignment]
    assert isinstance(clone.cost_data, ChatModelCostData)
    assert clone.cost_data.input_token_cost_per_million == 1.0
    with pytest.raises(pydantic.ValidationError):
        clone.cost_data = "free"  # type: ignore[assignment]
    # The catalogue's shared entry is unchanged and still immutable.
    assert Claude35Sonnet.model_dump() == shared_before
    with pytest.raises(pydantic.ValidationError):
        Claude35Sonnet.cost_data = None  # type: ignore[misc]
    endpoint = AIModelEndpoint(api=AIModelAPI(provider="anthropic", api_key="k"), ai_model=clone)
    assert endpoint.effective_cost_data() == clone.cost_data


def test_create_instance_merges_metadata() -> None:
    made = GPT4o.create_instance("my-gpt", metadata={"team": "a"})
    assert made.model_name == "my-gpt"
    assert made.metadata["team"] == "a"
    assert made.model_name_with_version_suffix == "my-gpt"
    made.metadata["version_suffix"] = "-v2"
    assert made.model_name_with_version_suffix == "my-gpt-v2"


def test_option_helpers() -> None:
    assert set(DallE3.get_valid_options()) == {"quality", "size", "style", "n", "response_format"}
    full = DallE3.get_options_with_defaults({"quality": "hd"})
    assert full == {"quality": "hd", "size": "1024x1024", "style": "natural", "n": 1, "response_format": "url"}
    assert DallE3.validate_options({"size": "1792x1024"}) is True
    assert DallE3.validate_options({"size": "1x1"}) is False
    assert DallE3.validate_options({"colour": "red"}) is False
    with pytest.raises(ConfigurationError, match="unknown option"):
        DallE3.get_options_with_defaults({"colour": "red"})
    with pytest.raises(ConfigurationError, match="'1x1' is not one of"):
        DallE3.get_options_with_defaults({"size": "1x1"})
    shown = GPT4o.clone(valid_options={"mode": {"allowed_values": ["a"], "default_value": "a", "display_only": True}})
    assert shown.get_valid_options() == {}
    assert set(shown.get_valid_options(include_display_only=True)) == {"mode"}
    assert shown.get_settings() is shown.settings
    assert shown.get_cost_data() is shown.cost_data


def test_dhenara_ai_lists() -> None:
    names = {
        "OPENAI_CHAT_MODELS": ("open_ai", "text_generation"),
        "ANTHROPIC_CHAT_MODELS": ("anthropic", "text_generation"),
        "GOOGLE_CHAT_MODELS": ("google_ai", "text_generation"),
        "DEEPSEEK_CHAT_MODELS": ("deepseek", "text_generation"),
        "OPENAI_IMAGE_MODELS": ("open_ai", "image_generation"),
        "GOOGLE_IMAGE_MODELS": ("google_ai", "image_generation"),
    }
    every: list[Any] = []
    for name, (vendor, kind) in names.items():
        models = getattr(dhenara_http, name)
        assert models, name
        assert all(m.provider.value == vendor and m.functional_type.value == kind for m in models), name
        every.extend(models)
    assert {m.model_name for m in every} == {m.model_name for m in dhenara_http.ALL_FOUNDATION_MODELS}
    assert len(dhenara_http.ALL_CHAT_MODELS) + len(dhenara_http.ALL_IMAGE_MODELS) == len(all_models())
    assert GPT4o in dhenara_http.OPENAI_CHAT_MODELS


@pytest.mark.parametrize(
    ("name", "entry", "sent"),
    [
        # dhenara-ai's names, which are not API ids: found, and the entry's own id is sent.
        ("claude-3-5-haiku", "claude-3-5-haiku-latest", "claude-3-5-haiku-latest"),
        ("claude-3-7-sonnet", "claude-3-7-sonnet-latest", "claude-3-7-sonnet-latest"),
        # Dated snapshots billed like their model, and DeepSeek's older names: priced, and sent as given.
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("gpt-4o-2024-08-06", "gpt-4o", "gpt-4o-2024-08-06"),
        ("deepseek-chat", "deepseek-v4-flash", "deepseek-chat"),
        ("deepseek-reasoner", "deepseek-v4-flash", "deepseek-reasoner"),
    ],
)
def test_lookups_by_dhenara_ai_names_and_snapshots_are_priced(name: str, entry: str, sent: str) -> None:
    found = find_model(name)
    assert found is not None
    assert found.model_name == entry
    assert FoundationModelFns.get_foundation_model(name) is found
    provider = {"open_ai": "openai", "anthropic": "anthropic", "deepseek": "deepseek"}[found.provider.value]
    endpoint = AIModelEndpoint(api=AIModelAPI(provider=provider, api_key="k"), ai_model=name)
    assert endpoint.ai_model.model_name == sent
    assert endpoint.effective_cost_data() == found.cost_data
    assert found.cost_data is not None


def test_get_foundation_model_in_a_given_list() -> None:
    assert FoundationModelFns.get_foundation_model("gpt-4o", [GPT4o]) is GPT4o
    assert FoundationModelFns.get_foundation_model("gpt-4o-2024-08-06", [GPT4o]) is GPT4o
    assert FoundationModelFns.get_foundation_model("gpt-4o", [Claude35Sonnet]) is None
    assert FoundationModelFns.get_foundation_model("no-such-model") is None


def test_other_model_kinds_validate_but_are_not_called() -> None:
    assert AIModelFunctionalTypeEnum.VIDEO_GENERATION.value == "video_generation"
    assert AIModelFunctionalTypeEnum.TEXT_TO_SPEECH.value == "text_to_speech"
    assert AIModelFunctionalTypeEnum.SPEECH_TO_TEXT.value == "speech_to_text"
    speech = FoundationModel(
        model_name="tts-1",
        provider="open_ai",
        functional_type="text_to_speech",
        settings=ChatModelSettings(max_output_tokens=1),
    )
    endpoint = AIModelEndpoint(api=AIModelAPI(provider="openai", api_key="k"), ai_model=speech)
    with pytest.raises(CapabilityError, match="text_to_speech"):
        AIModelClient(endpoint, AIModelCallConfig(test_mode=True)).generate("hi")


def test_dhenara_ai_none_reasoning_control() -> None:
    assert ChatModelSettings(max_output_tokens=10, reasoning_control="none").reasoning_control is None  # type: ignore[arg-type]
