"""Chat Completions request bodies, exactly as sent (golden bodies), per capability and per host; OpenAI and Azure
OpenAI bodies are also validated against OpenAI's published ``CreateChatCompletionRequest`` schema."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pydantic
import pytest
import respx

from dhenara_http import AIModelCallConfig, AIModelClient, Prompt, ToolCallResult, ToolDefinition
from dhenara_http.errors import CapabilityError, ConfigurationError
from dhenara_http.foundation_models import find_model
from dhenara_http.protocols.base import encode_tool_id
from dhenara_http.types.enums import PromptMessageRoleEnum
from dhenara_http.types.prompt import GenericFile, ToolCallResultsMessage
from dhenara_http.types.response import ChatResponse
from tests.protocols._chat_completions_support import AIModelAPI, AIModelEndpoint, P, call, endpoint, sent_body
from tests.support.openai_spec import validate_request
from tests.support.recordings import load_record, request_json

SCHEMA = "CreateChatCompletionRequest"
TEXT_ANSWER = httpx.Response(
    200,
    json={
        "id": "chatcmpl-t",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    },
)
STREAM_ANSWER = httpx.Response(
    200,
    headers={"content-type": "text/event-stream"},
    content=b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n",
)


def body_for(
    provider: str = "openai_chat",
    model: str = "gpt-4o",
    config: AIModelCallConfig | None = None,
    **generate: Any,
) -> dict[str, Any]:
    cfg = config or AIModelCallConfig(max_output_tokens=100)
    answer = STREAM_ANSWER if cfg.streaming else TEXT_ANSWER
    _, _, sent = call(None, provider=provider, model=model, config=cfg, response=answer, **generate)
    assert len(sent) == 1
    body = sent_body(sent[0])
    if provider in ("openai_chat", "azure_openai"):
        validate_request(body, SCHEMA)
    return body


# -- instructions, roles, turns -------------------------------------------------------------------------------------


def test_instructions_are_one_system_message() -> None:
    body = body_for(prompt="Hi", instructions=["Be brief.", "Answer in English."])
    assert body == {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Be brief.\n\nAnswer in English."},
            {"role": "user", "content": "Hi"},
        ],
        "max_completion_tokens": 100,
    }


@pytest.mark.parametrize(("provider", "model"), [("openai_chat", "o3-mini"), ("azure_openai", "gpt-5")])
def test_openai_reasoning_models_get_a_developer_message(provider: str, model: str) -> None:
    body = body_for(provider, model, prompt="Hi", instructions=["Be brief."])
    assert body["messages"][0] == {"role": "developer", "content": "Be brief."}


@pytest.mark.parametrize(("provider", "model"), [("deepseek", "deepseek-reasoner"), ("groq", "openai/gpt-oss-120b")])
def test_other_hosts_keep_the_system_role(provider: str, model: str) -> None:
    body = body_for(provider, model, prompt="Hi", instructions=["Be brief."])
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_multi_turn_with_prompts_and_an_earlier_answer() -> None:
    earlier = ChatResponse.model_validate(
        {
            "model": "gpt-4o",
            "provider": "open_ai",
            "choices": [{"contents": [{"type": "text", "text": "Paris."}]}],
            "metadata": {"wire_api": "chat_completions"},
        }
    )
    body = body_for(
        messages=[
            Prompt(role=PromptMessageRoleEnum.USER, text="Capital of {country}?", variables={"country": "France"}),
            earlier,
            Prompt(role=PromptMessageRoleEnum.ASSISTANT, text="Anything else?"),
            "And of Italy?",
        ]
    )
    assert body["messages"] == [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "assistant", "content": "Anything else?"},
        {"role": "user", "content": "And of Italy?"},
    ]


# -- output cap, options, streaming ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "model", "field"),
    [
        ("openai_chat", "gpt-4o", "max_completion_tokens"),
        ("azure_openai", "gpt-4o", "max_completion_tokens"),
        ("deepseek", "deepseek-chat", "max_tokens"),
        ("groq", "llama-3.3-70b-versatile", "max_tokens"),
        ("mistral", "mistral-small-latest", "max_tokens"),
    ],
)
def test_output_cap_field_per_host(provider: str, model: str, field: str) -> None:
    body = body_for(provider, model, config=AIModelCallConfig(max_output_tokens=321), prompt="Hi")
    assert body == {"model": model, "messages": [{"role": "user", "content": "Hi"}], field: 321}


def test_output_cap_is_sent_only_when_asked_and_is_capped_by_the_catalogue_limit() -> None:
    limit = find_model("gpt-4o").chat_settings.max_output_tokens  # type: ignore[union-attr]
    # Not the model's maximum by default: nothing is sent and the provider's default applies (OpenAI's SDK's way).
    assert "max_completion_tokens" not in body_for(config=AIModelCallConfig(), prompt="Hi")
    capped = body_for(config=AIModelCallConfig(max_output_tokens=limit * 10), prompt="Hi")
    assert capped["max_completion_tokens"] == limit
    # A model outside the catalogue has no known limit: nothing is sent unless the call asks.
    assert "max_tokens" not in body_for("groq", "some-new-model", config=AIModelCallConfig(), prompt="Hi")


def test_options_pass_through_as_they_are() -> None:
    options = {
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": ["\n\n"],
        "seed": 7,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.3,
        "n": 2,
        "logprobs": True,
        "top_logprobs": 3,
        "user": "u-1",
        "parallel_tool_calls": False,
    }
    body = body_for(config=AIModelCallConfig(max_output_tokens=50, options=options), prompt="Hi")
    assert body == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_completion_tokens": 50,
        **options,
    }


def test_unknown_options_pass_and_an_explicit_cap_option_replaces_the_computed_one() -> None:
    config = AIModelCallConfig(
        max_output_tokens=50, options={"max_tokens": 10, "thinking": {"type": "enabled"}, "model": "ignored"}
    )
    body = body_for("deepseek", "deepseek-chat", config=config, prompt="Hi")
    assert body == {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 10,
        "thinking": {"type": "enabled"},
    }


@pytest.mark.parametrize("provider", ["openai_chat", "deepseek", "openrouter"])
def test_streaming_asks_for_usage(provider: str) -> None:
    config = AIModelCallConfig(streaming=True, max_output_tokens=20)
    body = body_for(provider, "gpt-4o", config=config, prompt="Hi")
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "stream" not in body_for(provider, "gpt-4o", prompt="Hi")


def test_azure_ai_inference_sends_its_api_version() -> None:
    api = AIModelAPI(provider=P.MICROSOFT_AZURE_AI, api_key="k", config={"endpoint": "https://x.services.ai.azure.com"})
    ep = AIModelEndpoint(api=api, ai_model="Phi-4")
    with respx.mock:
        route = respx.post("https://x.services.ai.azure.com/models/chat/completions").mock(return_value=TEXT_ANSWER)
        with AIModelClient(ep, AIModelCallConfig()) as client:
            client.generate(prompt="Hi")
    assert route.calls.last.request.url.params["api-version"] == "2024-05-01-preview"


# -- tools -----------------------------------------------------------------------------------------------------------

WEATHER = ToolDefinition(
    name="get_weather",
    description="Weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", "auto"),
        ("required", "required"),
        ("none", "none"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tools_and_tool_choice(choice: str, wire: Any) -> None:
    config = AIModelCallConfig(max_output_tokens=100, tools=[WEATHER], tool_choice=choice)
    body = body_for(config=config, prompt="Weather in Paris?")
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ]
    assert body["tool_choice"] == wire


def test_strict_tool_gets_a_strict_schema() -> None:
    def lookup(query: str, limit: int = 5) -> str:
        """Search the index."""
        return query

    tool = ToolDefinition.from_callable(lookup)
    tool.function.strict = True
    body = body_for(config=AIModelCallConfig(max_output_tokens=10, tools=[tool]), prompt="Find x")
    fn = body["tools"][0]["function"]
    assert fn["strict"] is True
    assert fn["parameters"]["additionalProperties"] is False
    assert fn["parameters"]["required"] == ["query", "limit"]
    assert "tool_choice" not in body


def test_tool_call_round_trip_from_a_recorded_answer() -> None:
    """A recorded tool call, parsed, goes back as the assistant turn with its id and arguments, then the result."""
    record = load_record("chat_completions", "openai_chat__tool_call")
    result, _, _ = call(record)
    answer = result.chat_response
    assert answer is not None
    recorded_call = json.loads(record["response_body"])["choices"][0]["message"]["tool_calls"][0]
    tool = answer.tools()[0]
    body = body_for(
        config=AIModelCallConfig(max_output_tokens=100, tools=[WEATHER]),
        messages=["What's the weather in Paris?", answer, ToolCallResult(call_id=tool.id, output={"temp_c": 21})],
    )
    assert body["messages"] == [
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [recorded_call]},
        {"role": "tool", "tool_call_id": recorded_call["id"], "content": '{"temp_c": 21}'},
    ]


def test_parallel_results_encoded_ids_and_errors() -> None:
    calls = [
        {"type": "tool_call", "tool_call": {"id": "call|1", "name": "a", "arguments": {"x": 1}}},
        {"type": "tool_call", "tool_call": {"id": "call|2", "name": "b", "arguments": {}}},
    ]
    earlier = ChatResponse.model_validate(
        {"model": "claude", "provider": "anthropic", "choices": [{"contents": calls}], "metadata": {"wire_api": "x"}}
    )
    results = ToolCallResultsMessage(
        results=[
            ToolCallResult(call_id=encode_tool_id("call|1"), output="one"),
            ToolCallResult(call_id="call|2", output="boom", is_error=True),
        ]
    )
    body = body_for(messages=["go", earlier, results])
    assert body["messages"][1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call|1", "type": "function", "function": {"name": "a", "arguments": '{"x": 1}'}},
            {"id": "call|2", "type": "function", "function": {"name": "b", "arguments": "{}"}},
        ],
    }
    assert body["messages"][2:] == [
        {"role": "tool", "tool_call_id": "call|1", "content": "one"},
        {"role": "tool", "tool_call_id": "call|2", "content": "Error: boom"},
    ]


def test_a_tool_result_without_call_id_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        body_for(messages=["go", ToolCallResult(output="x")])


# -- structured output and reasoning -----------------------------------------------------------------------------


class City(pydantic.BaseModel):
    """A city and its country."""

    city: str
    country: str
    population: int | None = None


def test_structured_output_from_a_pydantic_class() -> None:
    body = body_for(config=AIModelCallConfig(max_output_tokens=100, structured_output=City), prompt="Largest city?")
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "City",
            "description": "A city and its country.",
            "strict": True,
            "schema": {
                "title": "City",
                "description": "A city and its country.",
                "type": "object",
                "properties": {
                    "city": {"title": "City", "type": "string"},
                    "country": {"title": "Country", "type": "string"},
                    "population": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Population"},
                },
                "required": ["city", "country", "population"],
                "additionalProperties": False,
            },
        },
    }


@pytest.mark.parametrize(
    ("effort", "wire"),
    [(None, "medium"), ("high", "high"), ("minimal", "low"), ("max", "high")],
)
def test_reasoning_effort_on_openai_clamped_to_the_model(effort: str | None, wire: str) -> None:
    config = AIModelCallConfig(max_output_tokens=100, reasoning=True, reasoning_effort=effort)  # type: ignore[arg-type]
    body = body_for(model="o3-mini", config=config, prompt="Hi")
    assert body["reasoning_effort"] == wire  # o3-mini lists low, medium, high


def test_no_reasoning_effort_unless_reasoning_is_asked_for() -> None:
    assert "reasoning_effort" not in body_for(model="o3-mini", prompt="Hi")


def test_reasoning_on_deepseek_is_the_model_choice_and_an_explicit_effort_travels_elsewhere() -> None:
    deepseek = body_for("deepseek", "deepseek-reasoner", config=AIModelCallConfig(reasoning=True), prompt="Hi")
    assert "reasoning_effort" not in deepseek
    config = AIModelCallConfig(reasoning=True, reasoning_effort="low")
    assert body_for("groq", "openai/gpt-oss-120b", config=config, prompt="Hi")["reasoning_effort"] == "low"


# -- files -----------------------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
PDF = b"%PDF-1.4 tiny"
MP3 = b"ID3\x03\x00fake-mp3"


def test_image_pdf_audio_and_text_parts() -> None:
    prompt = Prompt(
        text="Describe these.",
        files=[
            GenericFile(name="a.png", media_type="image/png", data=PNG),
            GenericFile(name="b.jpg", media_type="image/jpeg", url="https://example.com/b.jpg"),
            GenericFile(name="c.pdf", media_type="application/pdf", data=PDF),
            GenericFile(name="d.mp3", media_type="audio/mpeg", data=MP3),
            GenericFile(name="e.txt", media_type="text/plain", text="hello file"),
        ],
    )
    # A model outside the catalogue: its input modalities are not known, so none is refused before sending.
    body = body_for(model="gpt-4o-audio-preview", prompt=prompt)
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe these."},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/b.jpg"}},
                {"type": "file", "file": {"filename": "c.pdf", "file_data": f"data:application/pdf;base64,{b64(PDF)}"}},
                {"type": "input_audio", "input_audio": {"data": b64(MP3), "format": "mp3"}},
                {"type": "text", "text": '<file name="e.txt">\nhello file\n</file>'},
            ],
        }
    ]


def test_a_pdf_by_url_is_a_capability_error() -> None:
    prompt = Prompt(text="Read", files=[GenericFile(name="x.pdf", media_type="application/pdf", url="https://e/x.pdf")])
    with pytest.raises(CapabilityError):
        body_for(prompt=prompt)


@pytest.mark.parametrize("name", ["openai_chat__audio_input", "openai_chat__pdf_input"])
def test_recorded_multimodal_requests_have_our_part_shapes(name: str) -> None:
    """Requests OpenAI accepted (recorded): the same file bytes give the same content parts from us."""
    recorded = request_json(load_record("chat_completions", name))["messages"][0]["content"]
    text = recorded[0]["text"]
    part = recorded[1]
    if part["type"] == "input_audio":
        file = GenericFile(
            name="audio.mp3", media_type="audio/mpeg", data=base64.b64decode(part["input_audio"]["data"])
        )
    else:
        media, data = part["file"]["file_data"].removeprefix("data:").split(";base64,")
        file = GenericFile(name=part["file"]["filename"], media_type=media, data=base64.b64decode(data))
    body = body_for(
        model=request_json(load_record("chat_completions", name))["model"], prompt=Prompt(text=text, files=[file])
    )
    assert body["messages"][0]["content"] == [{"type": "text", "text": text}, part]


# -- DeepSeek's reasoning_content in tool loops ------------------------------------------------------------------


def _deepseek_turn(name: str) -> ChatResponse:
    result, _, _ = call(load_record("chat_completions", name))
    assert result.chat_response is not None
    return result.chat_response


def test_deepseek_tool_call_turn_carries_its_reasoning_content_back_as_recorded() -> None:
    """The recorded third request of a DeepSeek thinking-mode tool loop holds the first answer as its assistant
    message (DeepSeek requires its reasoning_content back); our rendering of that answer is the same message."""
    turn1 = _deepseek_turn("deepseek__thinking_tool_loop_turn1")
    recorded = request_json(load_record("chat_completions", "deepseek__thinking_tool_loop_turn3"))["messages"]
    call_id = turn1.tools()[0].id
    body = body_for(
        "deepseek",
        "deepseek-reasoner",
        prompt=None,
        messages=["My guess is 4", turn1, ToolCallResult(call_id=call_id, output="{}")],
    )
    assert body["messages"][1] == recorded[3]
    assert body["messages"][2] == recorded[4]


def test_deepseek_gets_an_empty_reasoning_content_for_a_foreign_tool_call_turn() -> None:
    record = load_record("chat_completions", "openai_chat__tool_call")
    result, _, _ = call(record)
    foreign = result.chat_response
    assert foreign is not None
    tool = foreign.tools()[0]
    body = body_for(
        "deepseek", "deepseek-reasoner", messages=["q", foreign, ToolCallResult(call_id=tool.id, output="1")]
    )
    assert body["messages"][1]["reasoning_content"] == ""


def test_reasoning_is_not_replayed_on_turns_without_tool_calls_nor_to_other_hosts() -> None:
    answer = _deepseek_turn("deepseek__thinking_tool_loop_turn3")
    body = body_for("deepseek", "deepseek-reasoner", messages=["q", answer, "again"])
    assert body["messages"][1] == {"role": "assistant", "content": answer.text()}
    with_tools = _deepseek_turn("deepseek__thinking_tool_loop_turn1")
    messages = ["q", with_tools, ToolCallResult(call_id=with_tools.tools()[0].id, output="{}")]
    to_openai = body_for(messages=messages)
    assert "reasoning_content" not in to_openai["messages"][1]
    to_groq = body_for("groq", "openai/gpt-oss-120b", messages=messages)
    assert "reasoning_content" not in to_groq["messages"][1]


def test_a_compatible_host_can_opt_into_reasoning_replay() -> None:
    answer = _deepseek_turn("deepseek__thinking_tool_loop_turn1")
    same = answer.model_copy(update={"api_provider": P.OPENAI_COMPATIBLE})
    ep, url = endpoint("other_openai_compatible", "glm-4.7", replay_reasoning=True)
    messages = ["q", same, ToolCallResult(call_id=answer.tools()[0].id, output="{}")]
    with respx.mock:
        route = respx.post(url).mock(return_value=TEXT_ANSWER)
        with AIModelClient(ep, AIModelCallConfig()) as client:
            client.generate(messages=messages)
    sent = sent_body(route.calls.last.request)
    assert sent["messages"][1]["reasoning_content"] == answer.reasoning()
