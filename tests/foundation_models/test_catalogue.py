"""The catalogue's internal consistency: every entry validates, limits and prices make sense, ids are unique, the
per-vendor modules hold exactly their vendor's models, and importing the package builds nothing."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections import defaultdict
from itertools import product
from typing import Any

import pydantic
import pytest

import dhenara_http.foundation_models as fm
from dhenara_http import AIModelAPI, AIModelEndpoint, FoundationModel
from dhenara_http.foundation_models import _data
from dhenara_http.types.enums import AIModelAPIProviderEnum, AIModelFunctionalTypeEnum, AIModelProviderEnum
from dhenara_http.types.model import (
    ChatModelCostData,
    ChatModelSettings,
    ImageModelCostData,
    ImageModelSettings,
)

NAMES = sorted(_data.MODELS)
TODAY = datetime.date(2026, 12, 6)

#: Every model name of dhenara-ai 1.1.6 (its foundation_models/*/chat.py and image.py at the release tag).
DHENARA_AI_116 = """
GPT55 GPT54 GPT54Pro GPT54Mini GPT54Nano GPT52 GPT52Pro GPT51 GPT51Codex GPT51CodexMini GPT5 GPT5Mini GPT5Nano
GPT4o GPT4oMini O1 O1Mini O3 O3Mini O4Mini GPT41 GPT41Mini GPT41Nano DallE2 DallE3 GPTImage1 GPTImage15
ClaudeOpus47 ClaudeOpus46 ClaudeSonnet46 ClaudeOpus45 ClaudeSonnet45 ClaudeHaiku45 ClaudeSonnet40 ClaudeOpus40
Claude37Sonnet Claude35Sonnet Claude35Haiku Claude3Opus Claude40Sonnet Gemini3Pro Gemini31ProPreview
Gemini3FlashPreview Gemini31FlashLitePreview Gemini25Pro Gemini25Flash Gemini25FlashLite Gemini20Flash
Gemini20FlashLite Gemini15Pro Gemini15Flash Imagen3 Imagen3Fast DeepseekR1
""".split()  # noqa: SIM905
#: The names the seed programs and the public contract import.
SEEDS = [
    "Claude35Haiku",
    "Claude37Sonnet",
    "Gemini20Flash",
    "Gemini20FlashLite",
    "GPT4oMini",
    "O3Mini",
    "GPT4o",
    "DallE3",
]


def model(name: str) -> FoundationModel:
    return fm.get(name)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_validates_into_the_right_kinds(name: str) -> None:
    m = model(name)
    assert isinstance(m, FoundationModel)
    assert m.model_name
    assert m.display_name
    assert getattr(fm, name) is m  # one object per name
    if m.functional_type == AIModelFunctionalTypeEnum.IMAGE_GENERATION:
        assert isinstance(m.settings, ImageModelSettings)
        assert isinstance(m.cost_data, ImageModelCostData)
    else:
        assert isinstance(m.settings, ChatModelSettings)
        assert isinstance(m.cost_data, ChatModelCostData)


@pytest.mark.parametrize("name", sorted(_data.MODELS))
def test_an_entry_built_without_validation_equals_its_validation(name: str) -> None:
    # Catalogue names are built with model_construct (no validators run on first use); the row must be exactly what
    # validation makes of it, down to the classes and types of nested values.
    built = model(name)
    validated = FoundationModel.model_validate(_data.MODELS[name])
    assert built == validated
    assert repr(built) == repr(validated)
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")

    def shapes(value: Any) -> Any:
        if isinstance(value, pydantic.BaseModel):
            return (type(value), {k: shapes(getattr(value, k)) for k in type(value).model_fields})
        if isinstance(value, list | tuple):
            return (type(value), [shapes(v) for v in value])
        if isinstance(value, dict):
            return (dict, {k: shapes(v) for k, v in value.items()})
        return type(value)

    assert shapes(built) == shapes(validated)


@pytest.mark.parametrize("name", NAMES)
def test_limits_are_positive_and_coherent(name: str) -> None:
    settings = model(name).chat_settings
    if settings is None:
        return
    assert settings.max_context_window_tokens
    assert settings.max_context_window_tokens > 0
    assert 0 < settings.max_output_tokens <= settings.max_context_window_tokens
    if settings.max_output_tokens_reasoning_mode is not None:
        assert 0 < settings.max_output_tokens_reasoning_mode <= settings.max_context_window_tokens
    if settings.max_input_tokens is not None:
        assert 0 < settings.max_input_tokens <= settings.max_context_window_tokens
    assert "text" in settings.input_modalities
    assert set(settings.input_modalities) <= {"text", "image", "pdf", "audio", "video"}


@pytest.mark.parametrize("name", NAMES)
def test_reasoning_models_say_how_reasoning_is_controlled(name: str) -> None:
    settings = model(name).chat_settings
    if settings is None:
        return
    if not settings.supports_reasoning:
        assert settings.reasoning_control is None
        assert not settings.supported_reasoning_efforts
        assert not settings.reasoning_always_on
        return
    # A model that reasons on request has a control; one without a control must reason by itself.
    assert settings.reasoning_control is not None or settings.reasoning_always_on
    if settings.reasoning_control in ("effort", "adaptive"):
        assert settings.supported_reasoning_efforts
        assert len(set(settings.supported_reasoning_efforts)) == len(settings.supported_reasoning_efforts)
    if settings.reasoning_control == "token_budget":
        cap = settings.max_output_tokens_reasoning_mode or settings.max_output_tokens
        assert settings.max_reasoning_tokens is not None
        assert 1024 <= settings.max_reasoning_tokens <= cap


@pytest.mark.parametrize("name", NAMES)
def test_prices_are_sourced_dated_and_sane(name: str) -> None:
    cost = model(name).cost_data
    assert cost is not None
    assert cost.source
    assert cost.source.startswith("https://")
    assert cost.as_of is not None
    assert datetime.date.fromisoformat(cost.as_of) <= TODAY
    assert cost.cost_multiplier_percentage is None  # the catalogue gives costs; charges are the user's
    if isinstance(cost, ImageModelCostData):
        rows = [r.cost_per_image for r in cost.image_options_cost_data]
        assert all(p > 0 for p in rows)
        assert cost.flat_cost_per_image is None or cost.flat_cost_per_image > 0
        return
    assert cost.input_token_cost_per_million > 0
    assert cost.output_token_cost_per_million > 0
    if cost.cache_read_token_cost_per_million is not None:
        assert 0 < cost.cache_read_token_cost_per_million <= cost.input_token_cost_per_million
    if cost.cache_write_token_cost_per_million is not None:
        assert cost.cache_write_token_cost_per_million >= cost.input_token_cost_per_million
    thresholds = [t.above_input_tokens for t in cost.tiers]
    assert thresholds == sorted(set(thresholds)), "tiers must be in ascending, distinct order"
    settings = model(name).chat_settings
    assert settings is not None
    previous = cost
    for tier in cost.tiers:
        assert settings.max_context_window_tokens is not None
        assert tier.above_input_tokens <= settings.max_context_window_tokens
        # A longer prompt never gets cheaper.
        assert tier.input_token_cost_per_million >= previous.input_token_cost_per_million
        assert tier.output_token_cost_per_million >= previous.output_token_cost_per_million
        if tier.cache_read_token_cost_per_million is not None:
            assert tier.cache_read_token_cost_per_million <= tier.input_token_cost_per_million
        previous = tier  # type: ignore[assignment]


@pytest.mark.parametrize("name", [n for n in NAMES if _data.MODELS[n]["functional_type"] == "image_generation"])
def test_every_image_option_combination_has_a_price(name: str) -> None:
    m = model(name)
    cost = m.cost_data
    assert isinstance(cost, ImageModelCostData)
    for option in m.valid_options.values():
        # An empty list allows any value (GPT Image 2's sizes); a None default means "not sent".
        assert not option.allowed_values or option.default_value in option.allowed_values

    def values(option: str) -> list[Any]:
        # "auto" is priced by what the provider reports it chose; None is the default the price falls back to.
        spec = m.valid_options.get(option)
        return [v for v in spec.allowed_values if v not in ("auto", None)] or [None] if spec else [None]

    if not cost.image_options_cost_data and cost.flat_cost_per_image is None:
        assert cost.bills_tokens, f"{name} has neither per-image prices nor token rates"
        return
    for size, quality in product(values(cost.size_option), values(cost.quality_option)):
        assert cost.cost_per_image(size, quality) is not None, (size, quality)


def test_ids_are_unique_on_every_host() -> None:
    for host in AIModelAPIProviderEnum:
        seen: dict[str, str] = {}
        for name in NAMES:
            wire_id = model(name).api_model_name(host)
            assert wire_id not in seen, f"{wire_id} is both {seen.get(wire_id)} and {name} on {host.value}"
            seen[wire_id] = name


def test_every_known_id_names_exactly_one_entry() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for name in NAMES:
        m = model(name)
        for model_id in (*m.known_ids(), *m.metadata.get("legacy_names", ())):
            owners[model_id].add(name)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes
    for model_id, (owner,) in owners.items():
        assert fm.find_model(model_id) is model(owner)


def test_bedrock_and_vertex_ids_of_claude_and_gemini() -> None:
    claude = [n for n in NAMES if _data.MODELS[n]["provider"] == "anthropic"]
    for name in claude:
        m = model(name)
        if not m.enabled:
            continue
        assert m.api_model_name(AIModelAPIProviderEnum.AMAZON_BEDROCK).startswith("anthropic.claude-")
        assert m.api_model_name(AIModelAPIProviderEnum.GOOGLE_VERTEX_AI).startswith("claude-")
    assert fm.Claude37Sonnet.api_model_name("amazon_bedrock") == "anthropic.claude-3-7-sonnet-20250219-v1:0"
    assert fm.Claude37Sonnet.api_model_name("google_vertex_ai") == "claude-3-7-sonnet@20250219"
    assert fm.Claude37Sonnet.api_model_name("anthropic") == fm.Claude37Sonnet.model_name
    # Gemini keeps its ids on Vertex, except for the pinned 1.5 releases.
    assert fm.Gemini25Pro.api_model_name("google_vertex_ai") == "gemini-2.5-pro"
    assert fm.Gemini15Pro.api_model_name("google_vertex_ai") == "gemini-1.5-pro-002"


def test_find_model_resolves_every_spelling() -> None:
    sonnet45 = fm.ClaudeSonnet45
    assert fm.find_model("claude-sonnet-4-5") is sonnet45
    assert fm.find_model("claude-sonnet-4-5-20250929") is sonnet45
    assert fm.find_model("anthropic.claude-sonnet-4-5-20250929-v1:0") is sonnet45
    assert fm.find_model("us.anthropic.claude-sonnet-4-5-20250929-v1:0") is sonnet45
    assert fm.find_model("global.anthropic.claude-sonnet-4-5-20250929-v1:0") is sonnet45
    assert fm.find_model("claude-sonnet-4-5@20250929") is sonnet45
    assert fm.find_model("claude-3-7-sonnet") is fm.Claude37Sonnet  # dhenara-ai's name
    assert fm.find_model("models/gemini-2.5-flash") is fm.Gemini25Flash
    assert fm.find_model("no-such-model") is None


@pytest.mark.parametrize(("module", "vendor"), list(_data.VENDOR_MODULES.items()))
def test_vendor_modules_expose_exactly_their_vendors_models(module: str, vendor: str) -> None:
    mod = __import__(f"dhenara_http.foundation_models.{module}", fromlist=["_"])
    expected = {n for n in fm.__all__ if model(n).provider == AIModelProviderEnum(vendor)}
    assert set(mod.__all__) == expected
    assert expected
    for name in mod.__all__:
        assert getattr(mod, name) is getattr(fm, name)
    other = next(n for n in NAMES if _data.MODELS[n]["provider"] != vendor)
    with pytest.raises(AttributeError):
        getattr(mod, other)


def test_image_models_are_importable_from_the_root_and_their_vendor() -> None:
    from dhenara_http.foundation_models import DallE2, DallE3, GPTImage1, GPTImage15, Imagen3, Imagen3Fast
    from dhenara_http.foundation_models.google import Imagen3 as GoogleImagen3
    from dhenara_http.foundation_models.openai import DallE3 as OpenAIDallE3

    assert OpenAIDallE3 is DallE3
    assert GoogleImagen3 is Imagen3
    assert all(m.is_image_model for m in (DallE2, DallE3, GPTImage1, GPTImage15, Imagen3, Imagen3Fast))


@pytest.mark.parametrize("name", sorted(set(DHENARA_AI_116 + SEEDS)))
def test_dhenara_ai_and_seed_names_are_present(name: str) -> None:
    assert name in fm.__all__
    assert isinstance(getattr(fm, name), FoundationModel)


def test_dhenara_ai_second_name_is_the_same_object() -> None:
    from dhenara_http.foundation_models.anthropic import Claude40Sonnet, ClaudeSonnet40

    assert Claude40Sonnet is ClaudeSonnet40


def test_dhenara_ai_lists_are_offered() -> None:
    assert len(fm.ALL_FOUNDATION_MODELS) == len(NAMES)
    assert {m.model_name for m in fm.ALL_IMAGE_MODELS} >= {"dall-e-3", "gpt-image-1"}
    assert all(not m.is_image_model for m in fm.ALL_CHAT_MODELS)


def test_importing_the_catalogue_builds_and_validates_nothing() -> None:
    code = (
        "import sys\n"
        "import dhenara_http.foundation_models as fm\n"
        "import dhenara_http.foundation_models.anthropic, dhenara_http.foundation_models.openai\n"
        "assert fm.built_count == 0, fm.built_count\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "assert 'dhenara_http.types.model' not in sys.modules\n"
        "from dhenara_http.foundation_models import GPT4oMini\n"
        "assert fm.built_count == 1, fm.built_count\n"
        "from dhenara_http.foundation_models import GPT4oMini as again\n"
        "assert again is GPT4oMini and fm.built_count == 1\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_clone_derives_a_validated_variant_and_leaves_the_original() -> None:
    base = fm.GPT4oMini
    variant = base.clone("my-4o-mini-deployment", metadata={"team": "x"})
    assert variant.model_name == variant.display_name == "my-4o-mini-deployment"
    assert variant.cost_data == base.cost_data
    assert variant.metadata == {"team": "x"}
    assert base.model_name == "gpt-4o-mini"
    renamed = fm.Claude37Sonnet.clone("my-claude")
    assert renamed.api_model_name("amazon_bedrock") == "my-claude"  # host ids belong to the original name
    same_name = fm.Claude37Sonnet.clone(display_name="Sonnet")
    assert same_name.api_model_name("amazon_bedrock") == fm.Claude37Sonnet.api_model_name("amazon_bedrock")
    with pytest.raises(ValueError, match="max_output_tokens"):
        base.clone(settings={"max_output_tokens": "many"})
    with pytest.raises(ValueError, match="frozen"):
        base.model_name = "x"  # type: ignore[misc]


def test_a_model_outside_the_catalogue_is_generic_and_unpriced() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    endpoint = AIModelEndpoint(api=api, ai_model="ft:gpt-4o-mini:acme:2026")
    assert endpoint.ai_model.model_name == "ft:gpt-4o-mini:acme:2026"
    assert endpoint.ai_model.metadata["generic"] is True
    assert endpoint.ai_model.provider == AIModelProviderEnum.OPEN_AI
    assert endpoint.effective_cost_data() is None


def test_a_known_name_resolves_to_the_entry_and_another_id_is_sent_as_given() -> None:
    anthropic = AIModelAPI(provider="anthropic", api_key="k")
    bedrock = AIModelAPI(provider="amazon_bedrock", api_key="k")
    assert AIModelEndpoint(api=anthropic, ai_model="claude-3-7-sonnet").ai_model is fm.Claude37Sonnet
    assert AIModelEndpoint(api=bedrock, ai_model="claude-sonnet-4-5").ai_model is fm.ClaudeSonnet45
    profile = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    on_profile = AIModelEndpoint(api=bedrock, ai_model=profile).ai_model
    assert on_profile.api_model_name("amazon_bedrock") == profile
    assert on_profile.cost_data == fm.ClaudeSonnet45.cost_data
    assert on_profile.display_name == fm.ClaudeSonnet45.display_name
