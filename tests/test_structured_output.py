"""Structured output users can rely on: ``parsed(City)`` typed as ``City``, a failed structured output raising
:class:`StructuredOutputError` (never a silent ``None``), and ``parsed()`` surviving the documented
``model_dump_json`` / ``model_validate_json`` round trip."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from dhenara_http import (
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    DhenaraError,
    ResponseParseError,
    StructuredOutputError,
)
from dhenara_http.foundation_models import GPT4oMini
from dhenara_http.testing import MockProviderServer


class City(pydantic.BaseModel):
    name: str
    population: int


class Country(pydantic.BaseModel):
    name: str
    capital: City


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


def _chat(
    server: MockProviderServer, structured_output: Any, content: str | None = None, **config: Any
) -> ChatResponse:
    """An answer to a Chat Completions call; ``content`` replaces the mock's own answer text."""
    server.clear_faults()
    if content is not None:
        server.inject(
            body={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": "gpt-4o-mini",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
            }
        )
    api = server.api("openai", wire_api="chat_completions")
    config = AIModelCallConfig(structured_output=structured_output, **config)
    with AIModelClient(AIModelEndpoint(api=api, ai_model=GPT4oMini), config) as client:
        return client.generate(prompt="A city, please").chat


def test_parsed_with_a_class_is_an_instance_of_it(server: MockProviderServer) -> None:
    chat = _chat(server, City)
    city = chat.parsed(City)
    assert isinstance(city, City)
    assert city.model_dump() == chat.structured()
    assert isinstance(chat.parsed(), City)  # the class the call asked for


def test_a_schema_dict_gives_data_and_no_class(server: MockProviderServer) -> None:
    chat = _chat(server, City.model_json_schema())
    data = chat.structured()
    assert data is not None
    assert chat.parsed() is None  # no class was given
    assert chat.parsed(City) == City.model_validate(data)  # but one may be named when reading


def test_an_answer_that_is_not_json_raises(server: MockProviderServer) -> None:
    chat = _chat(server, City, content="Sorry, I can't help with that.")
    with pytest.raises(StructuredOutputError) as caught:
        chat.structured()
    err = caught.value
    assert isinstance(err, ResponseParseError)
    assert isinstance(err, DhenaraError)
    assert err.raw_text == "Sorry, I can't help with that."
    assert (err.provider, err.model) == ("openai", "gpt-4o-mini")
    assert "Sorry, I can't help with that." in str(err)
    with pytest.raises(StructuredOutputError):
        chat.parsed(City)
    assert chat.as_text() == "Sorry, I can't help with that."  # the answer itself is kept


def test_json_that_is_not_an_object_raises(server: MockProviderServer) -> None:
    chat = _chat(server, City, content="[1, 2]")
    with pytest.raises(StructuredOutputError, match="not a JSON object"):
        chat.structured()


def test_json_that_does_not_fit_the_class_raises_naming_the_field(server: MockProviderServer) -> None:
    chat = _chat(server, City, content=json.dumps({"name": "Paris"}))
    with pytest.raises(StructuredOutputError, match=r"not valid: it does not fit City: population: Field required;"):
        chat.structured()
    with pytest.raises(StructuredOutputError, match="population"):
        chat.parsed()


def test_reading_with_another_class_that_does_not_fit_raises_typed(server: MockProviderServer) -> None:
    chat = _chat(server, City)
    with pytest.raises(StructuredOutputError, match=r"does not fit Country: capital: Field required") as caught:
        chat.parsed(Country)
    assert caught.value.model == "gpt-4o-mini"


@pytest.mark.parametrize("how", ["json", "python"])
def test_the_round_trip_keeps_parsed(server: MockProviderServer, how: str) -> None:
    chat = _chat(server, City)
    if how == "json":
        again = ChatResponse.model_validate_json(chat.model_dump_json())
    else:
        again = ChatResponse.model_validate(json.loads(json.dumps(chat.model_dump(mode="json"))))
    assert again.parsed() == chat.parsed()
    assert isinstance(again.parsed(), City)
    assert again.parsed(City) == chat.parsed(City)


def test_a_stored_class_name_is_looked_up_never_imported() -> None:
    stored = {
        "type": "chat_response",
        "model": "m",
        "provider": "openai",
        "choices": [
            {
                "contents": [
                    {
                        "type": "structured_output",
                        "text": '{"x": 1}',
                        "structured_output": {
                            "structured_data": {"x": 1},
                            "model_class_path": "some_module_never_imported_anywhere:Thing",
                        },
                    }
                ]
            }
        ],
    }
    chat = ChatResponse.model_validate(stored)
    assert chat.parsed() is None
    assert chat.structured() == {"x": 1}
    import sys

    assert "some_module_never_imported_anywhere" not in sys.modules


def test_no_structured_output_asked_is_none(server: MockProviderServer) -> None:
    chat = _chat(server, None)
    assert chat.structured() is None
    assert chat.parsed() is None
    assert chat.parsed(City) is None
