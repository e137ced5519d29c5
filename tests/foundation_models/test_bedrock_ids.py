"""Bedrock model ids and cross-region inference profile ids resolve to priced catalogue entries on a Bedrock API, and
the request names the id given (prices from Anthropic's pricing page, as the catalogue records them)."""

from __future__ import annotations

import pytest

from dhenara_http import AIModelAPI, AIModelEndpoint
from dhenara_http.foundation_models import Claude37Sonnet, ClaudeSonnet45
from dhenara_http.protocols import converse
from tests.protocols._converse_support import context

API = AIModelAPI(provider="amazon_bedrock", credentials={"access_key_id": "AKID", "secret_access_key": "secretkey1"})


@pytest.mark.parametrize(
    ("model_id", "input_price", "output_price"),
    [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", 3.0, 15.0),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", 3.0, 15.0),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", 3.0, 15.0),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", 3.0, 15.0),
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.0, 15.0),
        ("apac.anthropic.claude-3-5-sonnet-20240620-v1:0", 3.0, 15.0),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.0, 15.0),
        ("us.anthropic.claude-opus-4-1-20250805-v1:0", 15.0, 75.0),
        ("anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25),
    ],
)
def test_bedrock_ids_resolve_with_prices(model_id: str, input_price: float, output_price: float) -> None:
    endpoint = AIModelEndpoint(api=API, ai_model=model_id)
    model = endpoint.ai_model
    assert model.provider.value == "anthropic"
    assert model.cost_data is not None
    assert (model.cost_data.input_token_cost_per_million, model.cost_data.output_token_cost_per_million) == (
        input_price,
        output_price,
    )
    assert model.api_model_name(API.provider) == model_id


def test_the_request_uses_the_id_given() -> None:
    ctx = context([], model=AIModelEndpoint(api=API, ai_model="us.anthropic.claude-3-7-sonnet-20250219-v1:0").ai_model)
    assert converse.build_request(ctx).path == "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse"


def test_catalogue_models_send_their_bedrock_id() -> None:
    assert Claude37Sonnet.api_model_name(API.provider) == "anthropic.claude-3-7-sonnet-20250219-v1:0"
    ctx = context([], model=ClaudeSonnet45)
    assert converse.build_request(ctx).path.startswith("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/")


def test_deployment_overrides_with_an_application_inference_profile() -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
    ctx = context([], model=ClaudeSonnet45, deployment=arn)
    assert converse.build_request(ctx).path == (
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse"
    )
