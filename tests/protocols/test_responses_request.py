"""Golden request bodies for the Responses API: what the client sends for each capability, read back from the
request respx captured, compared whole, and checked against OpenAI's published ``CreateResponse`` schema."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from dhenara_http import AIModelCallConfig, Prompt, SystemInstruction, ToolCallResult, ToolDefinition
from dhenara_http.errors import CapabilityError, ConfigurationError
from dhenara_http.foundation_models import find_model
from dhenara_http.types.prompt import GenericFile, ToolCallResultsMessage
from dhenara_http.types.response import ChatResponse
from tests.protocols._responses_support import answer, call, output_text, record, sent_body, terminal_response
from tests.support.openai_spec import validate_request
from tests.support.recordings import request_json, response_json

TEXT_ANSWER = response_json(record("text_instructions_only"))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def body(model: str = "gpt-4o", config: AIModelCallConfig | None = None, **generate: Any) -> dict[str, Any]:
    """The body sent for one call (answered with a recorded text answer), validated against the spec."""
    _, route = call(httpx.Response(200, json=TEXT_ANSWER), model=model, config=config, **generate)
    sent = sent_body(route)
    validate_request(sent, "CreateResponse")
    return sent


def limit(model: str) -> int:
    found = find_model(model)
    assert found is not None
    assert found.chat_settings is not None
    return found.chat_settings.max_output_tokens


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


# -- basics --------------------------------------------------------------------------------------------------------


def test_instructions_and_prompt() -> None:
    sent = body(
        prompt="Hello",
        instructions=["Be brief.", SystemInstruction(text="Answer in {lang}.", variables={"lang": "French"})],
    )
    # No output cap unless the call names one: OpenAI's default applies, as with OpenAI's SDK.
    assert sent == {
        "model": "gpt-4o",
        "instructions": "Be brief.\n\nAnswer in French.",
        "input": [user("Hello")],
    }


def test_system_prompts_among_messages_join_the_instructions() -> None:
    sent = body(messages=[Prompt(role="system", text="Be brief."), "Hello"])
    assert sent["instructions"] == "Be brief."
    assert sent["input"] == [user("Hello")]


def test_multi_turn_prompts() -> None:
    sent = body(
        messages=[
            Prompt(text="What day is today?"),
            Prompt(role="assistant", text="Today is November 19, 2025."),
            "What day is tomorrow?",
        ]
    )
    # The same input the recorded multi-turn request carried.
    recorded = request_json(record("multi_turn_web_search_tool"))["input"]
    assert sent["input"] == recorded


@pytest.mark.parametrize(
    ("model", "wanted", "expected"),
    [("gpt-4o", 50, 50), ("gpt-4o", 10**7, None), ("my-own-finetune", None, None), ("my-own-finetune", 77, 77)],
)
def test_max_output_tokens(model: str, wanted: int | None, expected: int | None) -> None:
    sent = body(model=model, config=AIModelCallConfig(max_output_tokens=wanted, retries=0), prompt="Hi")
    if wanted == 10**7:
        expected = limit(model)  # capped to the model's limit
    assert sent.get("max_output_tokens") == expected


def test_options_pass_through_and_merge() -> None:
    config = AIModelCallConfig(
        retries=0,
        max_output_tokens=100,
        options={"temperature": 0.2, "top_p": 0.9, "prompt_cache_key": "k-1", "text": {"verbosity": "low"}},
        metadata={"user_ref": "42"},
    )
    sent = body(model="gpt-4.1", config=config, prompt="Hi")
    assert sent == {
        "model": "gpt-4.1",
        "input": [user("Hi")],
        "max_output_tokens": 100,
        "temperature": 0.2,
        "top_p": 0.9,
        "prompt_cache_key": "k-1",
        "text": {"verbosity": "low"},
        "metadata": {"user_ref": "42"},
    }


def test_metadata_that_is_not_all_strings_is_not_sent() -> None:
    config = AIModelCallConfig(retries=0, metadata={"trace": {"id": 1}})
    assert "metadata" not in body(config=config, prompt="Hi")


@pytest.mark.parametrize("option", ["stop", "seed", "frequency_penalty", "max_tokens", "model"])
def test_options_this_api_does_not_have_are_refused_before_sending(option: str) -> None:
    config = AIModelCallConfig(retries=0, options={option: 1})
    with pytest.raises(ConfigurationError, match=repr(option)):
        call(httpx.Response(200, json=TEXT_ANSWER), model="gpt-4o", config=config)


# -- tools ---------------------------------------------------------------------------------------------------------


def get_weather(city: str, unit: str = "celsius") -> str:
    """The weather in a city.

    Longer text that is not part of the description."""
    return f"sunny in {city} ({unit})"


LOOKUP = ToolDefinition(
    name="lookup",
    description="Look a word up.",
    parameters={
        "type": "object",
        "properties": {"q": {"type": "string"}},
        "required": ["q"],
        "additionalProperties": False,
    },
)
WEATHER_PARAMS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
    "required": ["city"],
}


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (None, None),
        ("auto", "auto"),
        ("required", "required"),
        ("none", "none"),
        ("lookup", {"type": "function", "name": "lookup"}),
    ],
)
def test_tools_and_tool_choice(choice: str | None, wire: Any) -> None:
    config = AIModelCallConfig(retries=0, tools=[get_weather, LOOKUP], tool_choice=choice, max_output_tokens=64)
    sent = body(config=config, prompt="Weather in Paris?")
    expected: dict[str, Any] = {
        "model": "gpt-4o",
        "input": [user("Weather in Paris?")],
        "max_output_tokens": 64,
        "tools": [
            # Optional parameters: not strict-compatible, so strict is off and the schema goes as it is.
            {
                "type": "function",
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": WEATHER_PARAMS,
                "strict": False,
            },
            # Already in strict form: strict is on.
            {
                "type": "function",
                "name": "lookup",
                "description": "Look a word up.",
                "parameters": LOOKUP.function.json_schema(),
                "strict": True,
            },
        ],
    }
    if wire is not None:
        expected["tool_choice"] = wire
    assert sent == expected


def test_strict_tool_is_sent_in_strict_form() -> None:
    tool = ToolDefinition(name="get_weather", parameters=WEATHER_PARAMS, strict=True)
    sent = body(config=AIModelCallConfig(retries=0, tools=[tool]), prompt="Hi")
    assert sent["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "parameters": {**WEATHER_PARAMS, "required": ["city", "unit"], "additionalProperties": False},
            "strict": True,
        }
    ]


def test_tool_choice_must_name_a_known_tool() -> None:
    config = AIModelCallConfig(retries=0, tools=[LOOKUP], tool_choice="get_weather")
    with pytest.raises(ConfigurationError, match="get_weather"):
        call(httpx.Response(200, json=TEXT_ANSWER), config=config)


def test_tool_call_and_results_round_trip() -> None:
    rec = record("stream_tool_call")
    raw = terminal_response(rec)
    assert raw is not None
    (fc,) = [i for i in raw["output"] if i["type"] == "function_call"]
    previous = answer(raw, model="gpt-4o")
    (tool,) = previous.tools()
    sent = body(
        messages=[
            "What is the capital of France?",
            previous,
            ToolCallResult(call_id=tool.id, name=tool.name, output="Paris"),
            ToolCallResultsMessage(results=[ToolCallResult(call_id=tool.id, output={"population": 2_100_000})]),
        ]
    )
    assert sent["input"] == [
        request_json(rec)["input"][0],
        {
            "type": "function_call",
            "call_id": fc["call_id"],
            "name": fc["name"],
            "arguments": fc["arguments"],
            "id": fc["id"],
        },
        {"type": "function_call_output", "call_id": fc["call_id"], "output": "Paris"},
        {"type": "function_call_output", "call_id": fc["call_id"], "output": '{"population": 2100000}'},
    ]


def test_tool_result_needs_its_call_id() -> None:
    with pytest.raises(ConfigurationError, match="call_id"):
        call(httpx.Response(200, json=TEXT_ANSWER), messages=["hi", ToolCallResult(output="x")])


# -- structured output and reasoning -------------------------------------------------------------------------------


class CityLocation(BaseModel):
    """Where a city is."""

    city: str
    country: str | None = None


def test_structured_output_from_a_pydantic_class() -> None:
    sent = body(config=AIModelCallConfig(retries=0, structured_output=CityLocation), prompt="Largest city?")
    assert sent["text"] == {
        "format": {
            "type": "json_schema",
            "name": "CityLocation",
            "description": "Where a city is.",
            "strict": True,
            "schema": {
                "description": "Where a city is.",
                "title": "CityLocation",
                "type": "object",
                "properties": {
                    "city": {"title": "City", "type": "string"},
                    # Optional in Python, so nullable and still required: strict mode's rule.
                    "country": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Country"},
                },
                "required": ["city", "country"],
                "additionalProperties": False,
            },
        }
    }


def test_structured_output_merges_with_text_options() -> None:
    config = AIModelCallConfig(retries=0, structured_output=CityLocation, options={"text": {"verbosity": "low"}})
    text = body(config=config, prompt="Hi")["text"]
    assert text["verbosity"] == "low"
    assert text["format"]["name"] == "CityLocation"


def test_reasoning_request() -> None:
    sent = body(model="gpt-5", config=AIModelCallConfig(retries=0, reasoning=True), prompt="Think.")
    assert sent == {
        "model": "gpt-5",
        "input": [user("Think.")],
        "reasoning": {"effort": "medium", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "store": False,
    }


def test_reasoning_effort_and_summary_and_extra_includes() -> None:
    config = AIModelCallConfig(
        retries=0,
        reasoning=True,
        reasoning_effort="high",
        reasoning_summary="detailed",
        options={"include": ["web_search_call.action.sources"]},
    )
    sent = body(model="gpt-5", config=config, prompt="Think.")
    assert sent["reasoning"] == {"effort": "high", "summary": "detailed"}
    assert sent["include"] == ["reasoning.encrypted_content", "web_search_call.action.sources"]


def test_reasoning_model_without_reasoning_sends_no_reasoning_fields() -> None:
    sent = body(model="gpt-5", prompt="Hi")
    assert not {"reasoning", "include", "store"} & set(sent)


def test_reasoning_on_a_model_that_cannot_reason_is_refused() -> None:
    with pytest.raises(CapabilityError):
        call(httpx.Response(200, json=TEXT_ANSWER), model="gpt-4o", config=AIModelCallConfig(reasoning=True))


# -- files ---------------------------------------------------------------------------------------------------------


def test_image_pdf_and_text_parts() -> None:
    files = [
        GenericFile.from_bytes(PNG, "image/png", name="dot.png"),
        GenericFile(url="https://example.com/cat.jpg", media_type="image/jpeg"),
        GenericFile.from_bytes(b"%PDF-1.4 tiny", "application/pdf", name="a.pdf"),
        GenericFile.from_bytes(b"%PDF-1.4 tiny", "application/pdf"),
        GenericFile(url="https://example.com/b.pdf", media_type="application/pdf"),
        GenericFile(name="notes.txt", media_type="text/plain", text="one two three"),
    ]
    sent = body(prompt=Prompt(text="Describe these.", files=files))
    pdf_data = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 tiny").decode()
    assert sent["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Describe these."},
                {
                    "type": "input_image",
                    "image_url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
                    "detail": "auto",
                },
                {"type": "input_image", "image_url": "https://example.com/cat.jpg", "detail": "auto"},
                {"type": "input_file", "filename": "a.pdf", "file_data": pdf_data},
                {"type": "input_file", "filename": "document.pdf", "file_data": pdf_data},
                {"type": "input_file", "file_url": "https://example.com/b.pdf"},
                {"type": "input_text", "text": "[notes.txt]\none two three"},
            ],
        }
    ]


def test_recorded_pdf_request_is_rebuilt() -> None:
    recorded = request_json(record("pdf_input"))
    text_part, file_part = recorded["input"][0]["content"]
    data = base64.b64decode(file_part["file_data"].split(",", 1)[1])
    prompt = Prompt(
        text=text_part["text"], files=[GenericFile.from_bytes(data, "application/pdf", file_part["filename"])]
    )
    sent = body(model=recorded["model"], prompt=prompt)
    assert sent["input"] == recorded["input"]


def test_files_the_model_cannot_take_are_refused() -> None:
    image = Prompt(text="x", files=[GenericFile.from_bytes(PNG, "image/png")])
    with pytest.raises(CapabilityError, match="image"):
        call(httpx.Response(200, json=TEXT_ANSWER), model="o3-mini", prompt=image)
    audio = Prompt(text="x", files=[GenericFile.from_bytes(b"ID3", "audio/mpeg")])
    with pytest.raises(CapabilityError, match="audio"):
        call(httpx.Response(200, json=TEXT_ANSWER), prompt=audio)


# -- replaying earlier answers -------------------------------------------------------------------------------------


def _reasoning_turn(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """An answer's own output, as OpenAI wants it back: reasoning items and assistant messages with their ids."""
    out: list[dict[str, Any]] = []
    for item in raw["output"]:
        if item["type"] == "reasoning":
            out.append(
                {
                    "type": "reasoning",
                    "id": item["id"],
                    "summary": [{"type": "summary_text", "text": s["text"]} for s in item["summary"]],
                    "encrypted_content": item["encrypted_content"],
                }
            )
        elif item["type"] == "message":
            parts = [
                {"type": "output_text", "text": p["text"], "annotations": p["annotations"], "logprobs": []}
                for p in item["content"]
            ]
            out.append(
                {"type": "message", "role": "assistant", "id": item["id"], "status": "completed", "content": parts}
            )
    return out


def test_reasoning_is_replayed_to_its_own_family() -> None:
    raw = response_json(record("reasoning_summary_encrypted"))
    previous = answer(raw, model="gpt-5", config=AIModelCallConfig(reasoning=True, retries=0))
    sent = body(
        model="gpt-5",
        config=AIModelCallConfig(reasoning=True, retries=0),
        messages=["What is the meaning of life?", previous, "Anything to add?"],
    )
    assert sent["input"] == [user("What is the meaning of life?"), *_reasoning_turn(raw), user("Anything to add?")]


def test_stored_history_replays_the_same() -> None:
    raw = response_json(record("reasoning_summary_encrypted"))
    previous = answer(raw, model="gpt-5")
    reloaded = ChatResponse.model_validate(json.loads(json.dumps(previous.model_dump(mode="json"))))
    first = body(model="gpt-5", messages=["q", previous])
    again = body(model="gpt-5", messages=["q", reloaded])
    assert first == again


def test_reasoning_moved_behind_the_answer_goes_back_to_its_place() -> None:
    raw = response_json(record("reasoning_empty_summary"))
    previous = answer(raw, model="gpt-5")  # reasoning not asked for: finalize put the empty reasoning last
    assert previous.choices[0].contents[0].type == "text"
    sent = body(model="gpt-5", messages=["I want to kill them.", previous, "ok"])
    assert sent["input"][1:3] == _reasoning_turn(raw)


def test_tool_turn_with_reasoning_is_replayed_in_order() -> None:
    rec = record("stream_reasoning_tool_steps")
    raw = terminal_response(rec)
    assert raw is not None
    previous = answer(raw, model="gpt-5.1-codex-max")
    (tool,) = previous.tools()
    sent = body(
        model="gpt-5.1-codex-max",
        messages=["compute", previous, ToolCallResult(call_id=tool.id, output="19")],
    )
    rs, fc = raw["output"]
    assert [i.get("type") for i in sent["input"]] == [None, "reasoning", "function_call", "function_call_output"]
    assert sent["input"][1]["id"] == rs["id"]
    assert sent["input"][1]["encrypted_content"] == rs["encrypted_content"]
    assert sent["input"][2] == {
        "type": "function_call",
        "call_id": fc["call_id"],
        "name": fc["name"],
        "arguments": fc["arguments"],
        "id": fc["id"],
    }


def test_foreign_history_drops_reasoning_and_item_ids() -> None:
    raw = response_json(record("reasoning_summary_encrypted"))
    from_azure = answer(raw, model="gpt-5", provider="azure_openai")  # another host: another family
    sent = body(model="gpt-5", messages=["What is the meaning of life?", from_azure, "Anything to add?"])
    assert sent["input"] == [
        user("What is the meaning of life?"),
        {"role": "assistant", "content": output_text(raw)},
        user("Anything to add?"),
    ]


def test_foreign_tool_calls_travel_as_function_calls() -> None:
    raw = response_json(record("azure_tool_call"))
    previous = answer(raw, model="gpt-4.1", provider="azure_openai")
    foreign = previous.model_copy(update={"metadata": {**previous.metadata, "wire_api": "anthropic"}})
    (fc,) = raw["output"]
    sent = body(model="gpt-4.1", provider="azure_openai", messages=["weather?", foreign])
    assert sent["input"][1] == {
        "type": "function_call",
        "call_id": fc["call_id"],
        "name": fc["name"],
        "arguments": fc["arguments"],
    }


def test_reasoning_without_encrypted_content_is_dropped_with_the_turns_ids() -> None:
    rec = record("stream_reasoning_rotating_ids")
    raw = terminal_response(rec)
    assert raw is not None
    assert raw["output"][0]["type"] == "reasoning"
    assert not raw["output"][0]["encrypted_content"]
    previous = answer(raw, model="gpt-5")
    sent = body(model="gpt-5", messages=["How many r in strawberry?", previous, "Thanks"])
    assert sent["input"][1] == {"role": "assistant", "content": output_text(raw)}


def test_reasoning_is_not_replayed_to_a_model_that_cannot_reason() -> None:
    raw = response_json(record("reasoning_summary_encrypted"))
    previous = answer(raw, model="gpt-5")
    sent = body(model="gpt-4.1", messages=["q", previous])
    assert sent["input"][1:] == [{"role": "assistant", "content": output_text(raw)}]


def test_azure_request_uses_the_deployment_name() -> None:
    import respx

    from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelClient, AIModelEndpoint

    api = AIModelAPI(
        provider=AIModelAPIProviderEnum.MICROSOFT_OPENAI,
        api_key="azure-test-key",
        config={"endpoint": "https://unit-test.openai.azure.com", "deployment": "my-gpt41"},
    )
    endpoint = AIModelEndpoint(api=api, ai_model="gpt-4.1")
    with respx.mock() as mock:
        route = mock.post("https://unit-test.openai.azure.com/openai/v1/responses").mock(
            return_value=httpx.Response(200, json=TEXT_ANSWER)
        )
        with AIModelClient(endpoint, AIModelCallConfig(retries=0, max_output_tokens=20)) as client:
            client.generate(prompt="Hi")
    sent = sent_body(route)
    validate_request(sent, "CreateResponse")
    assert sent == {"model": "my-gpt41", "input": [user("Hi")], "max_output_tokens": 20}
