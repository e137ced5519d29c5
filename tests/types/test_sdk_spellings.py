"""Spellings users bring from the official SDKs: every provider's ``tool_choice`` forms reach each wire as that
wire's own named choice; a file's bytes are never printed by ``str()`` / ``repr()``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    GenericFile,
    ToolDefinition,
)
from dhenara_http.foundation_models import Claude35Haiku, GPT4oMini
from dhenara_http.testing import MockProviderServer

WEATHER = ToolDefinition(
    function={
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
)
NAMED = [
    "get_weather",
    {"type": "function", "function": {"name": "get_weather"}},  # OpenAI Chat Completions
    {"type": "function", "name": "get_weather"},  # OpenAI Responses
    {"type": "tool", "name": "get_weather"},  # Anthropic
    {"type": "specific", "specific_tool_name": "get_weather"},
]
# What each wire's own documentation names a forced tool with.
WIRE_FORM: dict[str, Any] = {
    "responses": {"type": "function", "name": "get_weather"},
    "chat_completions": {"type": "function", "function": {"name": "get_weather"}},
    "anthropic": {"type": "tool", "name": "get_weather"},
}


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


@pytest.mark.parametrize("wire", sorted(WIRE_FORM))
@pytest.mark.parametrize("choice", NAMED, ids=["name", "openai-chat", "openai-responses", "anthropic", "ours"])
def test_a_named_tool_choice_in_any_spelling(server: MockProviderServer, wire: str, choice: Any) -> None:
    server.clear_requests()
    if wire == "anthropic":
        api, model = server.api("anthropic"), Claude35Haiku
    else:
        api, model = server.api("openai", wire_api=wire), GPT4oMini
    config = AIModelCallConfig(tools=[WEATHER], tool_choice=choice)
    with AIModelClient(AIModelEndpoint(api=api, ai_model=model), config) as client:
        chat = client.generate(prompt="Weather in Paris?").chat
    [request] = server.requests
    sent = request.json["tool_choice"]
    assert {k: v for k, v in sent.items() if k != "disable_parallel_tool_use"} == WIRE_FORM[wire]
    assert [t.name for t in chat.tools()] == ["get_weather"]


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        ({"type": "auto"}, "zero_or_more"),
        ({"type": "any"}, "one_or_more"),
        ({"type": "required"}, "one_or_more"),
        ({"type": "none"}, "none"),
        ("auto", "zero_or_more"),
        ("required", "one_or_more"),
    ],
)
def test_unnamed_choices(given: Any, kind: str) -> None:
    choice = AIModelCallConfig(tool_choice=given).tool_choice
    assert choice is not None
    assert choice.type == kind


def test_a_function_choice_without_a_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="name the tool"):
        AIModelCallConfig(tool_choice={"type": "function", "function": {}})


def test_a_file_prints_its_size_not_its_bytes() -> None:
    image = GenericFile(name="photo.png", media_type="image/png", data=b"\x89PNG" + b"\x00" * 50_000)
    for shown in (str(image), repr(image)):
        assert "50004" in shown
        assert "\\x00" not in shown
        assert len(shown) < 200
    text = GenericFile(name="notes.txt", media_type="text/plain", text="word " * 1000)
    assert len(str(text)) < 300
    assert "5000" in str(text)
