"""Cost arithmetic, checked against examples worked by hand from the providers' published prices (written out here,
not read from the catalogue), and end to end through the client on recorded answers with cache and reasoning
tokens."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatModelCostData,
    ChatResponseUsage,
    ImageModelCostData,
    ImageResponseUsage,
)
from dhenara_http._pricing import chat_usage_charge, image_usage_charge
from dhenara_http.foundation_models import (
    GPT54,
    ClaudeSonnet45,
    ClaudeSonnet46,
    DallE2,
    DallE3,
    DeepseekFlash,
    DeepseekV4Flash,
    Gemini25Flash,
    Gemini25Pro,
    GPT4oMini,
    GPT53Codex,
    GPTImage1,
    GPTImage15,
    Imagen3,
)
from tests.support.recordings import http_response, load_record, response_json

M = 1_000_000


def usage(
    prompt: int, completion: int, *, read: int | None = None, write: int | None = None, reasoning: int | None = None
) -> ChatResponseUsage:
    return ChatResponseUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        cache_read_tokens=read,
        cache_write_tokens=write,
        reasoning_tokens=reasoning,
    )


def cost(u: ChatResponseUsage, cost_data: Any) -> float:
    charge = chat_usage_charge(u, cost_data)
    assert charge is not None
    return charge.cost


# -- hand-worked examples -----------------------------------------------------------------------------------------


def test_openai_cached_and_reasoning_tokens() -> None:
    # GPT-5.4: $2.50 input, $0.25 cached input, $15 output. 10,000 prompt tokens of which 4,000 cached; 2,000 output
    # tokens of which 1,500 reasoning (billed as output): 6,000 x 2.50 + 4,000 x 0.25 + 2,000 x 15 = 46,000 / 1M.
    u = usage(10_000, 2_000, read=4_000, reasoning=1_500)
    assert cost(u, GPT54.cost_data) == pytest.approx(0.046)


def test_openai_long_prompt_tier() -> None:
    # Above 272K input tokens GPT-5.4 bills 2x input ($5, cached $0.50) and 1.5x output ($22.50) for the call:
    # 200,000 x 5 + 100,000 x 0.50 + 1,000 x 22.50 = 1,072,500 / 1M.
    u = usage(300_000, 1_000, read=100_000)
    assert cost(u, GPT54.cost_data) == pytest.approx(1.0725)
    # At exactly the threshold the base rates still apply: 272,000 x 2.50 = 680,000 / 1M.
    assert cost(usage(272_000, 0), GPT54.cost_data) == pytest.approx(0.68)


def test_anthropic_cache_read_and_write() -> None:
    # Claude Sonnet 4.6: $3 input, $0.30 cache hits, $3.75 5-minute cache writes, $15 output. 1,000 fresh + 20,000
    # read + 5,000 written = 26,000 prompt tokens, 500 output:
    # 1,000 x 3 + 20,000 x 0.30 + 5,000 x 3.75 + 500 x 15 = 35,250 / 1M.
    u = usage(26_000, 500, read=20_000, write=5_000)
    assert cost(u, ClaudeSonnet46.cost_data) == pytest.approx(0.03525)


def test_anthropic_long_context_tier_prices_the_whole_call() -> None:
    # Claude Sonnet 4.5 above 200K prompt tokens: $6 input, $0.60 cache hits, $7.50 cache writes, $22.50 output.
    # 150,000 fresh + 60,000 read + 10,000 written, 1,000 output:
    # 150,000 x 6 + 60,000 x 0.60 + 10,000 x 7.50 + 1,000 x 22.50 = 1,033,500 / 1M.
    u = usage(220_000, 1_000, read=60_000, write=10_000)
    assert cost(u, ClaudeSonnet45.cost_data) == pytest.approx(1.0335)


def test_gemini_above_200k_tier_with_cache_and_thinking() -> None:
    # Gemini 2.5 Pro above 200K: $2.50 input, $0.25 cached, $15 output (thinking included).
    # 200,000 fresh + 50,000 cached, 4,000 output of which 3,000 thinking:
    # 200,000 x 2.50 + 50,000 x 0.25 + 4,000 x 15 = 572,500 / 1M.
    u = usage(250_000, 4_000, read=50_000, reasoning=3_000)
    assert cost(u, Gemini25Pro.cost_data) == pytest.approx(0.5725)
    # Below it: $1.25 / $10. 100,000 x 1.25 + 4,000 x 10 = 165,000 / 1M.
    assert cost(usage(100_000, 4_000, reasoning=3_000), Gemini25Pro.cost_data) == pytest.approx(0.165)


def test_deepseek_cache_hit() -> None:
    # DeepSeek V4.1 Flash at peak rates: $0.30 cache miss, $0.006 cache hit, $1.20 output.
    # 10,000 prompt tokens of which 8,000 hit, 1,000 output: 2,000 x 0.30 + 8,000 x 0.006 + 1,000 x 1.20 = 1,848 / 1M.
    u = usage(10_000, 1_000, read=8_000)
    assert cost(u, DeepseekFlash.cost_data) == pytest.approx(0.001848)


def test_a_missing_cache_rate_falls_back_to_the_input_rate() -> None:
    prices = ChatModelCostData(input_token_cost_per_million=2.0, output_token_cost_per_million=8.0)
    # 1,000 read + 1,000 written + 1,000 fresh all at $2; 1,000 output at $8: 14,000 / 1M.
    assert cost(usage(3_000, 1_000, read=1_000, write=1_000), prices) == pytest.approx(0.014)


def test_cost_is_rounded_to_a_nano_dollar_and_none_without_usage_or_prices() -> None:
    charge = chat_usage_charge(usage(1, 1), GPT4oMini.cost_data)  # 0.15e-6 + 0.60e-6
    assert charge is not None
    assert charge.cost == 7.5e-07
    assert chat_usage_charge(None, GPT4oMini.cost_data) is None
    assert chat_usage_charge(usage(1, 1), None) is None
    assert chat_usage_charge(usage(1, 1), DallE3.cost_data) is None


# -- images --------------------------------------------------------------------------------------------------------


def image_cost(model: Any, n: int, **options: Any) -> float | None:
    charge = image_usage_charge(ImageResponseUsage(number_of_images=n, options=options), model.cost_data, model)
    return charge.cost if charge is not None else None


def test_image_cost_by_size_quality_and_count() -> None:
    # DALL·E 3 HD 1792x1024 is $0.12 an image; two of them $0.24.
    assert image_cost(DallE3, 2, size="1792x1024", quality="hd") == pytest.approx(0.24)
    assert image_cost(DallE3, 1, size="1024x1024", quality="standard") == pytest.approx(0.04)
    # DALL·E 2 is priced by size only.
    assert image_cost(DallE2, 3, size="512x512") == pytest.approx(0.054)
    # GPT Image 1 high, portrait: $0.25.
    assert image_cost(GPTImage1, 1, size="1024x1536", quality="high") == pytest.approx(0.25)
    # Imagen 3 is flat: $0.03 an image.
    assert image_cost(Imagen3, 3) == pytest.approx(0.09)


def test_image_defaults_fill_what_the_call_left_out() -> None:
    # GPT Image 1 defaults to medium quality, 1024x1024: $0.042.
    assert image_cost(GPTImage1, 1) == pytest.approx(0.042)
    assert image_cost(DallE3, 1, size="1024x1792") == pytest.approx(0.08)  # standard by default


def test_an_unpriced_image_option_is_reported_as_unpriced_not_free() -> None:
    assert image_cost(DallE3, 1, size="512x512", quality="hd") is None
    assert image_usage_charge(None, DallE3.cost_data) is None
    assert image_usage_charge(ImageResponseUsage(number_of_images=1), GPT4oMini.cost_data) is None


def test_image_prices_accept_dhenara_ai_rows() -> None:
    prices = ImageModelCostData(
        image_options_cost_data=[{"quality": ["hd"], "size": ["1024x1024"], "cost_per_image": 0.5}],
        cost_multiplier_percentage=10,
    )
    charge = image_usage_charge(
        ImageResponseUsage(number_of_images=2, options={"quality": "hd", "size": "1024x1024"}), prices
    )
    assert charge is not None
    assert (charge.cost, charge.charge) == (pytest.approx(1.0), pytest.approx(1.1))
    with pytest.raises(ValueError, match="flat_cost_per_image, image_options_cost_data or output_image_token"):
        ImageModelCostData()


# -- overrides and charges ----------------------------------------------------------------------------------------


def endpoint(model: Any, **kw: Any) -> AIModelEndpoint:
    return AIModelEndpoint(api=AIModelAPI(provider="openai", api_key="sk-test"), ai_model=model, **kw)


def test_a_multiplier_alone_keeps_the_catalogue_prices_and_gives_a_charge() -> None:
    ep = endpoint(GPT4oMini, cost_data={"cost_multiplier_percentage": 20})
    prices = ep.effective_cost_data()
    assert isinstance(prices, ChatModelCostData)
    assert prices.input_token_cost_per_million == GPT4oMini.cost_data.input_token_cost_per_million  # type: ignore[union-attr]
    # 1M prompt tokens at $0.15 and 1M output at $0.60 = $0.75; +20% = $0.90.
    charge = chat_usage_charge(usage(M, M), prices)
    assert charge is not None
    assert charge.cost == pytest.approx(0.75)
    assert charge.charge == pytest.approx(0.90)


def test_an_override_with_prices_replaces_the_catalogues() -> None:
    ep = endpoint(GPT4oMini, cost_data={"input_token_cost_per_million": 1.0, "output_token_cost_per_million": 2.0})
    charge = chat_usage_charge(usage(M, M, read=M // 2), ep.effective_cost_data())
    # No cache rate in the override: cached tokens cost the input rate. 1 + 2 = $3.
    assert charge is not None
    assert charge.cost == pytest.approx(3.0)
    assert charge.charge is None
    typed = endpoint(
        GPT4oMini, cost_data=ChatModelCostData(input_token_cost_per_million=0, output_token_cost_per_million=0)
    )
    assert chat_usage_charge(usage(M, M), typed.effective_cost_data()).cost == 0  # type: ignore[union-attr]


def test_image_prices_on_a_chat_model_are_refused() -> None:
    with pytest.raises(ValueError, match="ChatModelCostData"):
        endpoint(GPT4oMini, cost_data=ImageModelCostData(flat_cost_per_image=0.1))


def test_an_image_model_override_keeps_its_rows() -> None:
    ep = endpoint(DallE3, cost_data={"cost_multiplier_percentage": 50})
    prices = ep.effective_cost_data()
    assert isinstance(prices, ImageModelCostData)
    charge = image_usage_charge(
        ImageResponseUsage(number_of_images=1, options={"size": "1024x1024", "quality": "hd"}), prices, DallE3
    )
    assert charge is not None
    assert (charge.cost, charge.charge) == (pytest.approx(0.08), pytest.approx(0.12))


# -- end to end on recorded answers -------------------------------------------------------------------------------


def run(record_name: str, ep: AIModelEndpoint) -> Any:
    record = load_record("pricing", record_name)
    with respx.mock(assert_all_called=True) as mock:
        mock.route(method="POST").mock(return_value=http_response(record))
        result = AIModelClient(ep, AIModelCallConfig(retries=0)).generate("hi")
    assert result.chat_response is not None
    return result.chat_response, response_json(record)


def test_openai_responses_answer_with_cached_and_reasoning_tokens() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    response, raw = run("openai_responses__cached_reasoning", AIModelEndpoint(api=api, ai_model=GPT53Codex))
    u = raw["usage"]
    cached = u["input_tokens_details"]["cached_tokens"]
    # GPT-5.3 Codex: $1.75 input, $0.175 cached, $14 output (reasoning included in output_tokens).
    expected = ((u["input_tokens"] - cached) * 1.75 + cached * 0.175 + u["output_tokens"] * 14) / M
    assert response.usage.cache_read_tokens == cached
    assert response.usage.reasoning_tokens == u["output_tokens_details"]["reasoning_tokens"]
    assert response.usage_charge.cost == pytest.approx(expected)


def test_anthropic_answer_with_cache_read_and_write() -> None:
    api = AIModelAPI(provider="anthropic", api_key="sk-ant-test")
    response, raw = run("anthropic__cache_read_write", AIModelEndpoint(api=api, ai_model=ClaudeSonnet45))
    u = raw["usage"]
    # Claude Sonnet 4.5: $3 input, $0.30 cache hits, $3.75 cache writes, $15 output.
    expected = (
        u["input_tokens"] * 3 + u["cache_read_input_tokens"] * 0.3 + u["cache_creation_input_tokens"] * 3.75
    ) / M + u["output_tokens"] * 15 / M
    assert (
        response.usage.prompt_tokens
        == u["input_tokens"] + u["cache_read_input_tokens"] + u["cache_creation_input_tokens"]
    )
    assert response.usage_charge.cost == pytest.approx(expected)


def test_gemini_answer_with_cached_tokens() -> None:
    api = AIModelAPI(provider="google_gemini_api", api_key="gm-test")
    response, raw = run("gemini__cached_tokens", AIModelEndpoint(api=api, ai_model=Gemini25Flash))
    u = raw["usageMetadata"]
    cached = u["cachedContentTokenCount"]
    output = u["candidatesTokenCount"] + u.get("thoughtsTokenCount", 0)
    # Gemini 2.5 Flash: $0.30 input, $0.03 cached, $2.50 output.
    expected = ((u["promptTokenCount"] - cached) * 0.3 + cached * 0.03 + output * 2.5) / M
    assert response.usage_charge.cost == pytest.approx(expected)


def test_deepseek_answer_with_cache_hits_and_reasoning() -> None:
    api = AIModelAPI(provider="deepseek", api_key="ds-test")
    ep = AIModelEndpoint(api=api, ai_model=DeepseekV4Flash, cost_data={"cost_multiplier_percentage": 25})
    response, raw = run("deepseek__cache_hit_reasoning", ep)
    u = raw["usage"]
    hit = u["prompt_cache_hit_tokens"]
    # DeepSeek Flash at peak: $0.30 miss, $0.006 hit, $1.20 output.
    expected = (u["prompt_cache_miss_tokens"] * 0.3 + hit * 0.006 + u["completion_tokens"] * 1.2) / M
    assert response.usage_charge.cost == pytest.approx(expected)
    assert response.usage_charge.charge == pytest.approx(expected * 1.25)


def test_test_mode_prices_its_canned_usage() -> None:
    ep = endpoint(GPT4oMini, cost_data={"cost_multiplier_percentage": 10})
    with respx.mock:
        result = AIModelClient(ep, AIModelCallConfig(test_mode=True)).generate("one two three")
    response = result.chat_response
    assert response is not None
    assert response.usage is not None
    assert response.usage_charge is not None
    expected = (response.usage.prompt_tokens * 0.15 + response.usage.completion_tokens * 0.6) / M
    assert response.usage_charge.cost == pytest.approx(expected)
    assert response.usage_charge.charge == pytest.approx(expected * 1.1)


def test_a_generic_model_has_no_cost() -> None:
    with respx.mock:
        result = AIModelClient(endpoint("my-private-model"), AIModelCallConfig(test_mode=True)).generate("hi")
    assert result.chat_response is not None
    assert result.chat_response.usage is not None
    assert result.chat_response.usage_charge is None


# -- image prices per model, size and quality --------------------------------------------------------------------
#
# Written out from the providers' pricing pages (read 2026-12-06): OpenAI's "Image generation" table
# (developers.openai.com/api/docs/pricing) and Google's Gemini API pricing page (ai.google.dev/gemini-api/docs/pricing)
# — not read from the catalogue, which the test checks against them.

PUBLISHED_PER_IMAGE: list[tuple[str, dict[str, Any], float]] = [
    ("DallE2", {"size": "256x256"}, 0.016),
    ("DallE2", {"size": "512x512"}, 0.018),
    ("DallE2", {"size": "1024x1024"}, 0.020),
    ("DallE3", {"quality": "standard", "size": "1024x1024"}, 0.040),
    ("DallE3", {"quality": "standard", "size": "1024x1792"}, 0.080),
    ("DallE3", {"quality": "standard", "size": "1792x1024"}, 0.080),
    ("DallE3", {"quality": "hd", "size": "1024x1024"}, 0.080),
    ("DallE3", {"quality": "hd", "size": "1792x1024"}, 0.120),
    ("GPTImage1", {"quality": "low", "size": "1024x1024"}, 0.011),
    ("GPTImage1", {"quality": "low", "size": "1536x1024"}, 0.016),
    ("GPTImage1", {"quality": "medium", "size": "1024x1024"}, 0.042),
    ("GPTImage1", {"quality": "medium", "size": "1024x1536"}, 0.063),
    ("GPTImage1", {"quality": "high", "size": "1024x1024"}, 0.167),
    ("GPTImage1", {"quality": "high", "size": "1536x1024"}, 0.250),
    ("GPTImage1Mini", {"quality": "low", "size": "1024x1024"}, 0.005),
    ("GPTImage1Mini", {"quality": "low", "size": "1024x1536"}, 0.006),
    ("GPTImage1Mini", {"quality": "medium", "size": "1024x1024"}, 0.011),
    ("GPTImage1Mini", {"quality": "medium", "size": "1536x1024"}, 0.015),
    ("GPTImage1Mini", {"quality": "high", "size": "1024x1024"}, 0.036),
    ("GPTImage1Mini", {"quality": "high", "size": "1024x1536"}, 0.052),
    ("GPTImage15", {"quality": "low", "size": "1024x1024"}, 0.009),
    ("GPTImage15", {"quality": "low", "size": "1536x1024"}, 0.013),
    ("GPTImage15", {"quality": "medium", "size": "1024x1024"}, 0.034),
    ("GPTImage15", {"quality": "medium", "size": "1024x1536"}, 0.050),
    ("GPTImage15", {"quality": "high", "size": "1024x1024"}, 0.133),
    ("GPTImage15", {"quality": "high", "size": "1536x1024"}, 0.200),
    ("Imagen3", {}, 0.03),
    ("Imagen4", {}, 0.04),
    ("Imagen4Fast", {}, 0.02),
    ("Imagen4Ultra", {}, 0.06),
    ("Gemini25FlashImage", {}, 0.039),
    ("Gemini3ProImagePreview", {"image_size": "1K"}, 0.134),
    ("Gemini3ProImagePreview", {"image_size": "2K"}, 0.134),
    ("Gemini3ProImagePreview", {"image_size": "4K"}, 0.24),
    ("Gemini31FlashImagePreview", {"image_size": "1K"}, 0.067),
    ("Gemini31FlashImagePreview", {"image_size": "2K"}, 0.101),
    ("Gemini31FlashImagePreview", {"image_size": "4K"}, 0.151),
]


@pytest.mark.parametrize(("name", "options", "price"), PUBLISHED_PER_IMAGE)
def test_per_image_price_is_the_published_one(name: str, options: dict[str, Any], price: float) -> None:
    from dhenara_http import foundation_models

    model = getattr(foundation_models, name)
    assert image_cost(model, 1, **options) == pytest.approx(price)
    assert image_cost(model, 3, **options) == pytest.approx(3 * price)


#: (model, output image tokens of one image, the published per-image price those tokens stand for). The token counts
#: are OpenAI's image generation guide (272 / 1056 / 4160 for a low / medium / high square image, 6240 for a high
#: portrait one) and Google's pricing notes (1,290 tokens for a Gemini 2.5 Flash Image, 1,120 at 1K and 2,000 at 4K
#: for Gemini 3 Pro Image, 1,120 at 1K for Gemini 3.1 Flash Image). GPT Image 1 mini is left out: its published
#: per-image prices are not its tokens at its published image-output rate.
TOKENS_PER_IMAGE: list[tuple[str, int, float]] = [
    ("GPTImage1", 272, 0.011),
    ("GPTImage1", 1056, 0.042),
    ("GPTImage1", 4160, 0.167),
    ("GPTImage15", 1056, 0.034),
    ("GPTImage15", 6240, 0.200),
    ("Gemini25FlashImage", 1290, 0.039),
    ("Gemini3ProImagePreview", 1120, 0.134),
    ("Gemini3ProImagePreview", 2000, 0.24),
    ("Gemini31FlashImagePreview", 1120, 0.067),
]


@pytest.mark.parametrize(("name", "tokens", "price"), TOKENS_PER_IMAGE)
def test_token_priced_images_cost_their_published_price(name: str, tokens: int, price: float) -> None:
    from dhenara_http import foundation_models

    model = getattr(foundation_models, name)
    usage = ImageResponseUsage(number_of_images=1, output_image_tokens=tokens)
    charge = image_usage_charge(usage, model.cost_data, model)
    assert charge is not None
    assert charge.cost == pytest.approx(price, abs=0.001)  # the published prices are rounded


def test_a_token_priced_call_adds_its_input_and_text_tokens() -> None:
    # GPT Image 1.5: $5 / M text input, $8 / M image input, $32 / M image output, $10 / M text output.
    usage = ImageResponseUsage(
        number_of_images=1,
        input_text_tokens=50,
        input_image_tokens=300,
        output_image_tokens=1056,
        output_text_tokens=20,
    )
    charge = image_usage_charge(usage, GPTImage15.cost_data, GPTImage15)
    assert charge is not None
    assert charge.cost == pytest.approx((50 * 5 + 300 * 8 + 1056 * 32 + 20 * 10) / M)
    # Without a text-output rate (GPT Image 1), text output tokens leave the call unpriced, not free.
    assert image_usage_charge(usage, GPTImage1.cost_data, GPTImage1) is None


def test_gpt_image_2_is_priced_by_its_tokens_only() -> None:
    from dhenara_http.foundation_models import GPTImage2

    usage = ImageResponseUsage(number_of_images=1, options={"size": "1536x864"}, input_text_tokens=10)
    assert image_usage_charge(usage, GPTImage2.cost_data, GPTImage2) is None  # no token count: unpriced
    usage.output_image_tokens = 1000
    charge = image_usage_charge(usage, GPTImage2.cost_data, GPTImage2)
    assert charge is not None
    assert charge.cost == pytest.approx((10 * 5.0 + 1000 * 30.0) / M)  # $5 / M text in, $30 / M image out
