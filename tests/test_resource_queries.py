"""dhenara-ai's resource queries on ``ResourceConfig``, one endpoint per model and API, a missing file as both error
kinds, and placeholders standing for the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhenara_http import (
    MODEL_TO_API_MAPPING,
    ConfigurationError,
    CredentialsFileNotFoundError,
    ResourceConfig,
    ResourceConfigItem,
    ResourceConfigItemTypeEnum,
    ResourceQueryFieldsEnum,
    ResourceQueryMapping,
)
from dhenara_http import AIModelAPIProviderEnum as P
from dhenara_http.foundation_models import Claude35Haiku, GPT4o, GPT4oMini

ENDPOINT = ResourceConfigItemTypeEnum.ai_model_endpoint


@pytest.fixture
def config(tmp_path: Path) -> ResourceConfig:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps({"openai": {"api_key": "sk-o"}, "anthropic": {"api_key": "sk-a"}}), encoding="utf-8")
    return ResourceConfig().load_from_file(path, models=[GPT4o, GPT4oMini, Claude35Haiku], init_endpoints=True)


def test_with_models_and_its_reverse() -> None:
    items = ResourceConfigItem.with_models(["gpt-4o", "claude-3-5-haiku"])
    assert [i.is_default for i in items] == [True, False]
    assert all(i.item_type == ENDPOINT for i in items)
    assert items[0].query == {"model_name": "gpt-4o"}
    assert ResourceConfigItem.get_model_names(items) == ["gpt-4o", "claude-3-5-haiku"]
    assert ResourceConfigItem.has_model(items, "claude-3-5-haiku")
    assert ResourceConfigItem.with_model("x")[0].is_default
    assert items[0].is_same_as(
        ResourceConfigItem(item_type=ENDPOINT, query={ResourceQueryFieldsEnum.model_name: "gpt-4o"})
    )
    assert not items[0].is_same_as(items[1])


def test_query_keys_are_checked() -> None:
    assert "api_provider" in ResourceQueryMapping.get_allowed_fields(ENDPOINT)
    with pytest.raises(ConfigurationError, match="unsupported query key"):
        ResourceConfigItem(item_type=ENDPOINT, query={"colour": "red"})


def test_get_resource_by_name_provider_display_name_and_reference(config: ResourceConfig) -> None:
    by_name = config.get_resource(ResourceConfigItem(item_type=ENDPOINT, query={"model_name": "gpt-4o"}))
    assert by_name is not None
    assert by_name.ai_model.model_name == "gpt-4o"
    # dhenara-ai's name of a model finds its endpoint too.
    haiku = config.get_resource(
        ResourceConfigItem(item_type=ENDPOINT, query={"model_name": "claude-3-5-haiku", "api_provider": "anthropic"})
    )
    assert haiku is not None
    assert haiku.api.provider == P.ANTHROPIC
    shown = config.get_resource(ResourceConfigItem(item_type=ENDPOINT, query={"model_display_name": "GPT-4o mini"}))
    assert shown is not None
    assert shown.ai_model.model_name == "gpt-4o-mini"
    ref = config.get_resource(
        ResourceConfigItem(item_type=ENDPOINT, query={"reference_number": by_name.reference_number})
    )
    assert ref is by_name
    assert config.get_resource(ResourceConfigItem(item_type=ENDPOINT, query={"model_display_name": "nope"})) is None
    # A model with no endpoint yet gets one on a configured API of its vendor, as get_model_endpoint does.
    built = config.get_resource(ResourceConfigItem(item_type=ENDPOINT, query={"model_name": "gpt-4.1"}))
    assert built is not None
    assert built.api.provider == P.OPEN_AI
    assert config.get_resource(ResourceConfigItem(item_type=ENDPOINT, query={"model_name": "gemini-2.5-flash"})) is None


def test_get_resource_refuses_what_it_cannot_answer(config: ResourceConfig) -> None:
    with pytest.raises(ConfigurationError, match="no query"):
        config.get_resource(ResourceConfigItem(item_type=ENDPOINT))
    with pytest.raises(ConfigurationError, match="rag_endpoint"):
        config.get_resource(ResourceConfigItem(item_type=ResourceConfigItemTypeEnum.rag_endpoint, query={}))


def test_one_endpoint_per_model_and_api(tmp_path: Path) -> None:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps({"openai": {"api_key": "sk-o"}}), encoding="utf-8")
    config = ResourceConfig().load_from_file(path, models=[GPT4o, GPT4o, GPT4oMini, GPT4o], init_endpoints=True)
    assert [e.ai_model.model_name for e in config.model_endpoints] == ["gpt-4o", "gpt-4o-mini"]
    config.init_endpoints()
    assert len(config.model_endpoints) == 2
    assert config.get_model_endpoint("gpt-4o") is config.model_endpoints[0]
    assert len(config.model_endpoints) == 2
    assert MODEL_TO_API_MAPPING[GPT4o.provider][0] == P.OPEN_AI


def test_a_missing_credentials_file_is_both_error_kinds(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError) as caught:
        ResourceConfig().load_from_file(str(missing))
    assert isinstance(caught.value, CredentialsFileNotFoundError)
    assert isinstance(caught.value, ConfigurationError)
    assert caught.value.filename == str(missing)
    assert str(caught.value) == f"credentials file not found: {missing}"


def test_placeholders_stand_for_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = ResourceConfig.create_credentials_template(tmp_path / "credentials.yaml")
    assert ResourceConfig.from_file(template).model_apis == []  # nothing in the environment: nothing configured
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    config = ResourceConfig.from_file(template)
    assert [a.provider for a in config.model_apis] == [P.OPEN_AI]
    assert config.model_apis[0].get_api_key() == "sk-from-env"
