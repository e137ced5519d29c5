"""A model asked for what its catalogue entry says it cannot do fails at once with a ``CapabilityError`` naming the
model and the capability — before any request is sent, in test mode too; models outside the catalogue are not
second-guessed."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from pydantic import BaseModel

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    CapabilityError,
    ConfigurationError,
    GenericFile,
    Prompt,
    ToolDefinition,
)
from dhenara_http.foundation_models import (
    Claude35Haiku,
    DallE3,
    DeepseekFlash,
    DeepseekV4Pro,
    Gemini3ProImagePreview,
    GPT4o,
    GPT4oMini,
    GPTImage1,
    Imagen3,
    O1Mini,
    O3Mini,
)
from dhenara_http.types.hosted_tools import WebSearchHostedTool

PNG = GenericFile(name="pixel.png", media_type="image/png", data=b"\x89PNG\r\n\x1a\n")
PDF = GenericFile(name="doc.pdf", media_type="application/pdf", data=b"%PDF-1.4")
WAV = GenericFile(name="a.wav", media_type="audio/wav", data=b"RIFF")
TOOL = ToolDefinition(name="lookup", description="Look up", parameters={"type": "object", "properties": {}})


class Answer(BaseModel):
    value: str


PROVIDER = {"open_ai": "openai", "anthropic": "anthropic", "deepseek": "deepseek", "google_ai": "google_gemini_api"}


def attempt(model: Any, prompt: Any = "hi", *, test_mode: bool = False, **config: Any) -> CapabilityError:
    """Call the model with respx refusing every request; return the CapabilityError raised."""
    api = AIModelAPI(provider=PROVIDER[model.provider.value], api_key="sk-test")
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(test_mode=test_mode, **config))
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(CapabilityError) as caught:
            client.generate(prompt)
    assert not route.called, "nothing may be sent"
    return caught.value


@pytest.mark.parametrize("test_mode", [False, True])
@pytest.mark.parametrize(
    ("model", "prompt", "config", "capability"),
    [
        (GPT4o, "hi", {"reasoning": True}, "reasoning"),
        (Claude35Haiku, "hi", {"reasoning": True}, "reasoning"),
        (O1Mini, "hi", {"tools": [TOOL]}, "tools"),
        (O1Mini, "hi", {"structured_output": Answer}, "structured output"),
        (O3Mini, Prompt(text="what is this?", files=[PNG]), {}, "image input"),
        (DeepseekFlash, Prompt(text="read", files=[PDF]), {}, "pdf input"),
        (DeepseekV4Pro, Prompt(text="look", files=[PNG]), {}, "image input"),
        (GPT4oMini, Prompt(text="listen", files=[WAV]), {}, "audio input"),
    ],
)
def test_a_missing_capability_is_named(
    model: Any, prompt: Any, config: dict[str, Any], capability: str, test_mode: bool
) -> None:
    error = attempt(model, prompt, test_mode=test_mode, **config)
    message = str(error)
    assert model.model_name in message
    assert f"does not support {capability}" in message
    assert isinstance(error, ConfigurationError)  # a CapabilityError is a configuration error (and a ValueError)


@pytest.mark.parametrize("model", [DallE3, Imagen3, Gemini3ProImagePreview])
@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"streaming": True}, "streaming"),
        ({"tools": [TOOL]}, "tools"),
        ({"structured_output": Answer}, "structured output"),
        ({"reasoning": True}, "reasoning"),
        ({"hosted_tools": [WebSearchHostedTool()]}, "hosted tools"),
    ],
)
def test_what_an_image_model_cannot_do_is_refused_by_name(model: Any, config: dict[str, Any], named: str) -> None:
    error = attempt(model, **config)
    message = str(error)
    assert model.model_name in message
    assert "image generation model" in message
    assert f"does not support {named}" in message


def test_several_refused_asks_are_all_named() -> None:
    message = str(attempt(DallE3, streaming=True, tools=[TOOL]))
    assert "streaming" in message
    assert "tools" in message


@pytest.mark.parametrize(
    ("model", "options", "named"),
    [
        (DallE3, {"quality": "ultra"}, "'quality'"),
        (DallE3, {"background": "transparent"}, "'background'"),  # a GPT image model's option, not DALL·E's
        (GPTImage1, {"response_format": "url"}, "'response_format'"),  # the GPT image models always return base64
        (Imagen3, {"number_of_images": 9}, "'number_of_images'"),
        (Imagen3, {"n": 2, "number_of_images": 3}, "same option"),
    ],
)
def test_an_option_the_image_model_does_not_take_is_named_before_sending(
    model: Any, options: dict[str, Any], named: str
) -> None:
    api = AIModelAPI(provider=PROVIDER[model.provider.value], api_key="sk-test")
    client = AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(options=options))
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(ConfigurationError) as caught:
            client.generate("a red fox")
    assert not route.called
    assert named in str(caught.value)
    assert model.model_name in str(caught.value)
    assert not model.validate_options(options)


def test_hosted_web_search_on_a_wire_without_it_is_refused() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test", config={"wire_api": "chat_completions"})
    client = AIModelClient(
        AIModelEndpoint(api=api, ai_model=GPT4o), AIModelCallConfig(hosted_tools=[WebSearchHostedTool()])
    )
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        with pytest.raises(CapabilityError) as caught:
            client.generate("news?")
    assert not route.called
    assert "web_search" in str(caught.value)
    assert "'chat_completions'" in str(caught.value)


def test_reasoning_error_is_the_same_from_the_check_and_from_the_protocol_context() -> None:
    from dhenara_http.hosts import host_for
    from dhenara_http.protocols.base import CallContext

    api = AIModelAPI(provider="openai", api_key="sk-test")
    ctx = CallContext(
        endpoint=AIModelEndpoint(api=api, ai_model=GPT4o),
        config=AIModelCallConfig(reasoning=True),
        host=host_for(api),
        instructions=[],
        messages=[Prompt(text="hi")],
    )
    with pytest.raises(CapabilityError) as from_ctx:
        ctx.wants_reasoning()
    assert str(from_ctx.value) == str(attempt(GPT4o, reasoning=True))


def test_what_a_model_can_do_passes() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    config = AIModelCallConfig(test_mode=True, reasoning=True, tools=[TOOL], structured_output=Answer)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route()
        result = AIModelClient(AIModelEndpoint(api=api, ai_model=O3Mini), config).generate("hi")
        vision = AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), AIModelCallConfig(test_mode=True))
        vision.generate(Prompt(text="look", files=[PNG, PDF]))
    assert result.chat_response is not None
    assert not route.called


def test_a_model_outside_the_catalogue_is_not_second_guessed() -> None:
    api = AIModelAPI(provider="openai", api_key="sk-test")
    config = AIModelCallConfig(test_mode=True, reasoning=True, tools=[TOOL])
    client = AIModelClient(AIModelEndpoint(api=api, ai_model="my-fine-tune"), config)
    result = client.generate(Prompt(text="look", files=[PNG]))
    assert result.chat_response is not None
    assert result.chat_response.reasoning()  # reasoning was asked for and given
