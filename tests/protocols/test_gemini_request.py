"""Gemini request bodies, asserted as exact JSON (field names from Google's ``GenerateContentRequest`` reference):
system instruction, roles, generation config, tools and tool config, thinking, structured output, files, and history
replay — checked against requests that real clients sent and Gemini accepted where the recordings have them."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pydantic
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    ChatModelSettings,
    ChatResponse,
    FoundationModel,
    GenericFile,
    Prompt,
    PromptMessageRoleEnum,
    ToolCallResult,
    ToolCallResultsMessage,
    ToolDefinition,
)
from dhenara_http.errors import ConfigurationError
from dhenara_http.types.enums import AIModelProviderEnum
from dhenara_http.types.response import (
    ChatResponseChoice,
    ChatResponseReasoningContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCall,
    ChatResponseToolCallContentItem,
)
from tests.protocols._gemini_support import (
    BASE,
    MODEL,
    P,
    client,
    merge_roles,
    normalise_b64,
    run,
    sent_body,
    url,
)
from tests.support.recordings import load_record, request_json

OK = {"candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP", "index": 0}]}


def _recorded_stand_in() -> str:
    """Google's stand-in signature for function calls Gemini did not make, as a real client sent it in a history of
    another provider's turns (and Gemini 3 answered 200)."""
    record = load_record("gemini", "foreign_history_stand_in_signature")
    assert record["status"] == 200
    parts = [p for c in request_json(record)["contents"] for p in c["parts"] if "functionCall" in p]
    signatures = {p["thoughtSignature"] for p in parts}
    assert len(signatures) == 1
    return signatures.pop()


FOREIGN = _recorded_stand_in()

BUDGET_MODEL = FoundationModel(
    model_name="gemini-2.5-flash",
    provider=AIModelProviderEnum.GOOGLE_AI,
    settings=ChatModelSettings(
        max_output_tokens=65_536, supports_reasoning=True, reasoning_control="token_budget", max_reasoning_tokens=24_576
    ),
)
EFFORT_MODEL = FoundationModel(
    model_name="gemini-3-pro-preview",
    provider=AIModelProviderEnum.GOOGLE_AI,
    settings=ChatModelSettings(
        max_output_tokens=65_536,
        supports_reasoning=True,
        reasoning_control="effort",
        supported_reasoning_efforts=("low", "high"),
    ),
)


def send(*args: Any, model: str | FoundationModel = MODEL, **kwargs: Any) -> dict[str, Any]:
    """Make one call (answered with a short text) and return the JSON body that was sent."""
    config = kwargs.pop("config", {})
    name = model if isinstance(model, str) else model.model_name
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url(name)).mock(return_value=httpx.Response(200, json=OK))
        client(model, **config).generate(*args, **kwargs)
    return sent_body(route)


# -- the basics ----------------------------------------------------------------------------------------------------


def test_system_instruction_and_a_user_turn() -> None:
    body = send("Hello", instructions=["Be brief.", "Answer in English."], config={"max_output_tokens": 64})
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief.\n\nAnswer in English."}]},
        "generationConfig": {"maxOutputTokens": 64},
    }


def test_the_request_goes_to_generate_content_with_the_key_header() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/models/{MODEL}:generateContent").mock(return_value=httpx.Response(200, json=OK))
        client().generate("hi")
    request = route.calls[0].request
    assert request.headers["x-goog-api-key"] == "test-key"
    assert "key" not in request.url.params


def test_a_stream_goes_to_stream_generate_content_with_alt_sse() -> None:
    body = b'data: {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}\n\n'
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url(stream=True)).mock(
            return_value=httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
        )
        result = client(streaming=True).generate("hi")
        assert result.stream_generator is not None
        list(result.stream_generator)
    assert route.calls[0].request.url.params["alt"] == "sse"


def test_the_output_cap_is_the_catalogue_limit() -> None:
    from dhenara_http.foundation_models import Gemini20Flash

    limit = Gemini20Flash.chat_settings.max_output_tokens  # type: ignore[union-attr]
    body = send("hi", model=Gemini20Flash, config={"max_output_tokens": limit * 4})
    assert body["generationConfig"] == {"maxOutputTokens": limit}


def test_multi_turn_roles_alternate_user_and_model() -> None:
    messages = [
        Prompt(text="Hi"),
        Prompt(role=PromptMessageRoleEnum.ASSISTANT, text="Hello! How can I help?"),
        Prompt(text="Tell me a joke."),
        Prompt(text="A short one."),
    ]
    body = send(messages=messages, config={"max_output_tokens": 10})
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"text": "Hello! How can I help?"}]},
        {"role": "user", "parts": [{"text": "Tell me a joke."}, {"text": "A short one."}]},
    ]


def test_generation_config_maps_option_names() -> None:
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]
    options = {
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "stop": "END",
        "seed": 7,
        "n": 2,
        "presence_penalty": 0.1,
        "responseModalities": ["TEXT"],
        "safety_settings": safety,
    }
    body = send("hi", config={"max_output_tokens": 100, "options": options})
    assert body["generationConfig"] == {
        "maxOutputTokens": 100,
        "temperature": 0.2,
        "topP": 0.9,
        "topK": 40,
        "stopSequences": ["END"],
        "seed": 7,
        "candidateCount": 2,
        "presencePenalty": 0.1,
        "responseModalities": ["TEXT"],
    }
    assert body["safetySettings"] == safety


# -- tools -----------------------------------------------------------------------------------------------------------

WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather of a city.",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city"],
    },
)


@pytest.mark.parametrize(
    ("choice", "calling"),
    [
        ("auto", {"mode": "AUTO"}),
        ("required", {"mode": "ANY"}),
        ("none", {"mode": "NONE"}),
        ("get_weather", {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}),
    ],
)
def test_tools_and_tool_config(choice: str, calling: dict[str, Any]) -> None:
    body = send("Weather in Paris?", config={"max_output_tokens": 50, "tools": [WEATHER], "tool_choice": choice})
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Current weather of a city.",
                    "parametersJsonSchema": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                        "required": ["city"],
                    },
                }
            ]
        }
    ]
    assert body["toolConfig"] == {"functionCallingConfig": calling}


def test_no_tool_config_without_a_tool_choice() -> None:
    body = send("hi", config={"tools": [WEATHER]})
    assert "toolConfig" not in body


# -- thinking --------------------------------------------------------------------------------------------------------


def test_thinking_budget_models_get_a_budget() -> None:
    body = send("hi", model=BUDGET_MODEL, config={"reasoning": True, "max_reasoning_tokens": 2048})
    assert body["generationConfig"]["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 2048}


def test_thinking_budget_defaults_to_dynamic_and_is_capped() -> None:
    assert send("hi", model=BUDGET_MODEL, config={"reasoning": True})["generationConfig"]["thinkingConfig"] == {
        "includeThoughts": True,
        "thinkingBudget": -1,
    }
    cap = BUDGET_MODEL.chat_settings.max_reasoning_tokens  # type: ignore[union-attr]
    body = send("hi", model=BUDGET_MODEL, config={"reasoning": True, "max_reasoning_tokens": cap * 2})
    assert body["generationConfig"]["thinkingConfig"]["thinkingBudget"] == cap


@pytest.mark.parametrize(("effort", "level"), [("low", "LOW"), ("high", "HIGH"), ("medium", "HIGH"), (None, None)])
def test_effort_models_get_a_thinking_level(effort: str | None, level: str | None) -> None:
    body = send("hi", model=EFFORT_MODEL, config={"reasoning": True, "reasoning_effort": effort})
    expected: dict[str, Any] = {"includeThoughts": True}
    if level:
        expected["thinkingLevel"] = level
    assert body["generationConfig"]["thinkingConfig"] == expected


@pytest.mark.parametrize(
    ("name", "field"), [("gemini-3.9-unlisted", "thinkingLevel"), ("gemini-2.5-x", "thinkingBudget")]
)
def test_models_outside_the_catalogue_pick_the_control_by_generation(name: str, field: str) -> None:
    body = send("hi", model=name, config={"reasoning": True, "reasoning_effort": "low", "max_reasoning_tokens": 512})
    assert field in body["generationConfig"]["thinkingConfig"]


def test_no_thinking_config_unless_asked() -> None:
    assert "thinkingConfig" not in send("hi", model=BUDGET_MODEL).get("generationConfig", {})


# -- structured output -----------------------------------------------------------------------------------------------


class Cat(pydantic.BaseModel):
    """A cat."""

    name: str
    meow_volume: int


def test_structured_output_sends_the_json_schema_as_it_is() -> None:
    body = send("A cat please", config={"max_output_tokens": 200, "structured_output": Cat})
    assert body["generationConfig"] == {
        "maxOutputTokens": 200,
        "responseMimeType": "application/json",
        "responseJsonSchema": Cat.model_json_schema(),
    }


class Street(pydantic.BaseModel):
    name: str = pydantic.Field(description="The street's name")
    number: int


class Address(pydantic.BaseModel):
    street: Street = pydantic.Field(description="Street and house number")
    city: str


class Person(pydantic.BaseModel):
    """A person and where they are."""

    name: str
    home: Address = pydantic.Field(description="Where the person lives")
    work: Address | None = pydantic.Field(default=None, description="Where the person works")


#: What Gemini must receive for ``Person``, written out by hand from Gemini's rule (a sub-schema with ``$ref`` holds
#: no other keys except ones starting with ``$``): the described references to ``Address`` and ``Street`` are
#: replaced by their definitions with the field's description laid over; the bare reference inside ``anyOf`` stays.
STREET = {
    "properties": {
        "name": {"description": "The street's name", "title": "Name", "type": "string"},
        "number": {"title": "Number", "type": "integer"},
    },
    "required": ["name", "number"],
    "title": "Street",
    "type": "object",
}
ADDRESS = {
    "properties": {
        "street": {**STREET, "description": "Street and house number"},
        "city": {"title": "City", "type": "string"},
    },
    "required": ["street", "city"],
    "title": "Address",
    "type": "object",
}
PERSON_FOR_GEMINI = {
    "$defs": {"Address": ADDRESS, "Street": STREET},
    "description": "A person and where they are.",
    "properties": {
        "name": {"title": "Name", "type": "string"},
        "home": {**ADDRESS, "description": "Where the person lives"},
        "work": {
            "anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}],
            "default": None,
            "description": "Where the person works",
        },
    },
    "required": ["name", "home"],
    "title": "Person",
    "type": "object",
}


def _refs_with_siblings(node: Any) -> list[Any]:
    if isinstance(node, list):
        return [bad for item in node for bad in _refs_with_siblings(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "$ref" in node and any(not k.startswith("$") for k in node) else []
    return own + [bad for value in node.values() for bad in _refs_with_siblings(value)]


def test_structured_output_with_nested_described_models_inlines_the_references() -> None:
    # pydantic writes a described field of a model type as {"$ref": ..., "description": ...}, which Gemini's API
    # definition forbids.
    assert _refs_with_siblings(Person.model_json_schema())
    body = send("Who?", config={"max_output_tokens": 200, "structured_output": Person})
    assert body["generationConfig"] == {
        "maxOutputTokens": 200,
        "responseMimeType": "application/json",
        "responseJsonSchema": PERSON_FOR_GEMINI,
    }
    assert _refs_with_siblings(body) == []


def test_inlined_schema_accepts_and_refuses_what_the_original_does() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sent = send("Who?", config={"structured_output": Person})["generationConfig"]["responseJsonSchema"]
    street = {"name": "Main", "number": 1}
    samples = [
        {"name": "Ann", "home": {"street": street, "city": "X"}},
        {"name": "Ann", "home": {"street": street, "city": "X"}, "work": None},
        {"name": "Ann", "home": {"street": street, "city": "X"}, "work": {"street": street, "city": "Y"}},
        {"name": "Ann", "home": {"street": {"name": "Main"}, "city": "X"}},
        {"name": "Ann", "home": {"street": street}},
        {"name": "Ann", "work": {"street": street, "city": "Y"}},
    ]
    for sample in samples:
        original = jsonschema.Draft202012Validator(Person.model_json_schema()).is_valid(sample)
        assert jsonschema.Draft202012Validator(sent).is_valid(sample) == original


class Node(pydantic.BaseModel):
    label: str
    parent: Node | None = None
    first: Node = pydantic.Field(description="A node that contains itself")


def test_a_self_referencing_described_field_keeps_the_reference_without_siblings() -> None:
    tool = ToolDefinition.from_callable(_walk)
    body = send("hi", config={"tools": [tool], "structured_output": Node})
    assert _refs_with_siblings(body) == []
    # Structured output: {"$defs": {"Node": …}, "$ref": "#/$defs/Node"}, the described field inlined once; inside the
    # inlined copy the reference to the same model stays, bare.
    node = body["generationConfig"]["responseJsonSchema"]["$defs"]["Node"]
    assert node["properties"]["first"]["description"] == "A node that contains itself"
    assert node["properties"]["first"]["properties"]["first"] == {"$ref": "#/$defs/Node"}
    # A tool's parameters stand alone (no $defs): the model is expanded once, and inside it the model's own field is
    # an object, its description kept.
    start = body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"]["properties"]["start"]
    assert start["properties"]["label"] == {"type": "string"}
    assert start["properties"]["first"] == {"type": "object", "description": "A node that contains itself"}


def _walk(start: Node) -> str:
    """Walk the nodes."""
    return start.label


# -- files -----------------------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def test_files_become_inline_data_file_data_and_text_parts() -> None:
    prompt = Prompt(
        text="Describe these.",
        files=[
            GenericFile.from_bytes(PNG, "image/png", name="a.png"),
            GenericFile.from_bytes(PDF, "application/pdf", name="doc.pdf"),
            GenericFile.from_bytes(b"RIFF....WAVE", "audio/wav"),
            GenericFile(url="https://example.com/clip.mp4", media_type="video/mp4"),
            GenericFile(text="line one\nline two", name="notes.txt", media_type="text/plain"),
        ],
    )
    body = send(prompt, config={"max_output_tokens": 10})
    assert body["contents"] == [
        {
            "role": "user",
            "parts": [
                {"text": "Describe these."},
                {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(PNG).decode()}},
                {"inlineData": {"mimeType": "application/pdf", "data": base64.b64encode(PDF).decode()}},
                {"inlineData": {"mimeType": "audio/wav", "data": base64.b64encode(b"RIFF....WAVE").decode()}},
                {"fileData": {"mimeType": "video/mp4", "fileUri": "https://example.com/clip.mp4"}},
                {"text": "notes.txt:\nline one\nline two"},
            ],
        }
    ]


def test_an_inline_pdf_is_sent_as_a_real_client_sent_it() -> None:
    recorded = request_json(load_record("gemini", "pdf_inline_request"))
    parts = recorded["contents"][0]["parts"]
    inline = next(p["inlineData"] for p in parts if "inlineData" in p)
    pdf = base64.urlsafe_b64decode(inline["data"] + "=" * (-len(inline["data"]) % 4))
    prompt = Prompt(text=parts[0]["text"], files=[GenericFile.from_bytes(pdf, inline["mimeType"])])
    body = send(prompt, model="gemini-2.0-flash")
    assert normalise_b64(body["contents"]) == normalise_b64(recorded["contents"])


def test_a_video_url_is_sent_as_file_data() -> None:
    recorded = request_json(load_record("gemini", "video_url_request"))
    text, video = recorded["contents"][0]["parts"]
    prompt = Prompt(
        text=text["text"],
        files=[GenericFile(url=video["fileData"]["fileUri"], media_type=video["fileData"]["mimeType"])],
    )
    body = send(prompt, model="gemini-2.0-flash")
    assert body["contents"][0]["parts"] == [text, {"fileData": video["fileData"]}]


# -- history replay --------------------------------------------------------------------------------------------------


def _turn(record_name: str, **config: Any) -> ChatResponse:
    return run(load_record("gemini", record_name), **config)


def test_thought_signature_and_call_id_go_back_on_the_same_part() -> None:
    """A Gemini 3 function call with its id and signature, answered, then a further user turn — as recorded."""
    first = _turn("tool_call_with_id_turn1")
    recorded = request_json(load_record("gemini", "tool_call_with_id_turn2"))
    contents = recorded["contents"]
    answer = contents[2]["parts"][0]["functionResponse"]
    messages = [
        Prompt(text=contents[0]["parts"][0]["text"]),
        first,
        ToolCallResult(call_id=first.tools()[0].id, output=answer["response"]),
        Prompt(text=contents[3]["parts"][0]["text"]),
    ]
    body = send(messages=messages)
    assert normalise_b64(body["contents"]) == normalise_b64(merge_roles(contents))


def test_parallel_calls_without_ids_pair_results_by_name_and_order() -> None:
    """Three calls Gemini gave no id (the first signed): results go back by name, in order, with no id."""
    first = _turn("parallel_calls_turn1")
    recorded = request_json(load_record("gemini", "parallel_calls_turn2"))
    outputs = [p["functionResponse"]["response"] for p in recorded["contents"][2]["parts"]]
    results = [ToolCallResult(call_id=t.id, output=o) for t, o in zip(first.tools(), outputs, strict=True)]
    messages = [
        Prompt(text=recorded["contents"][0]["parts"][0]["text"]),
        first,
        ToolCallResultsMessage(results=results),
    ]
    body = send(messages=messages)

    def without_ids(node: Any) -> Any:
        if isinstance(node, list):
            return [without_ids(n) for n in node]
        if isinstance(node, dict):
            return {k: without_ids(v) for k, v in node.items() if k != "id"}
        return node

    assert normalise_b64(body["contents"]) == normalise_b64(without_ids(recorded["contents"]))
    assert all("id" not in p["functionCall"] for p in body["contents"][1]["parts"])


def test_thought_parts_are_replayed_to_the_same_family() -> None:
    """Gemini 3's thought part and the signed text part after it go back exactly as they came."""
    record = load_record("gemini", "thinking_parts")
    first = run(record, reasoning=True)
    question = request_json(record)["contents"][0]["parts"][0]["text"]
    parts = json.loads(record["response_body"])["candidates"][0]["content"]["parts"]
    body = send(messages=[Prompt(text=question), first, Prompt(text="And a river?")])
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": question}]},
        {"role": "model", "parts": parts},
        {"role": "user", "parts": [{"text": "And a river?"}]},
    ]


def _foreign_answer(provider: P, wire_api: str) -> ChatResponse:
    return ChatResponse(
        model="other-model",
        provider="anthropic",
        api_provider=provider,
        metadata={"wire_api": wire_api},
        choices=[
            ChatResponseChoice(
                contents=[
                    ChatResponseReasoningContentItem(
                        thinking_text="Let me think about the weather.", thinking_signature="c2lnbmVk"
                    ),
                    ChatResponseTextContentItem(text="Checking.", metadata={"thought_signature": "Zm9yZWlnbg=="}),
                    ChatResponseToolCallContentItem(
                        tool_call=ChatResponseToolCall(
                            id="toolu_01ABC", name="get_weather", arguments={"city": "Oslo"}
                        ),
                        metadata={"thought_signature": "Zm9yZWlnbg=="},
                    ),
                ]
            )
        ],
    )


@pytest.mark.parametrize(
    ("provider", "wire_api"), [(P.ANTHROPIC, "anthropic"), (P.GOOGLE_VERTEX_AI, "gemini")], ids=["anthropic", "vertex"]
)
def test_foreign_reasoning_and_signatures_are_dropped(provider: P, wire_api: str) -> None:
    messages = [
        Prompt(text="Weather in Oslo?"),
        _foreign_answer(provider, wire_api),
        ToolCallResult(call_id="toolu_01ABC", output={"temp_c": 3}),
    ]
    body = send(messages=messages, config={"tools": [WEATHER]})
    call: dict[str, Any] = {"name": "get_weather", "args": {"city": "Oslo"}}
    response: dict[str, Any] = {"name": "get_weather", "response": {"temp_c": 3}}
    if wire_api == "gemini":
        # A Gemini-made id travels (on the call and its result); only the signature was bound to the other host.
        call["id"] = response["id"] = "toolu_01ABC"
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Weather in Oslo?"}]},
        {"role": "model", "parts": [{"text": "Checking."}, {"functionCall": call, "thoughtSignature": FOREIGN}]},
        {"role": "user", "parts": [{"functionResponse": response}]},
    ]


def test_a_result_without_name_and_without_its_call_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="name"):
        send(messages=[Prompt(text="hi"), ToolCallResult(call_id="nowhere", output="x")])


def test_a_result_with_a_name_needs_no_call() -> None:
    body = send(messages=[Prompt(text="hi"), ToolCallResult(name="lookup", output="42", is_error=True)])
    assert body["contents"] == [
        {
            "role": "user",
            "parts": [{"text": "hi"}, {"functionResponse": {"name": "lookup", "response": {"error": "42"}}}],
        }
    ]


# -- Vertex AI -------------------------------------------------------------------------------------------------------


def test_vertex_uses_the_publisher_model_path_and_the_same_body() -> None:
    api = AIModelAPI(
        provider=P.GOOGLE_VERTEX_AI,
        credentials={"access_token": "ya29.test"},
        config={"project_id": "proj-1", "location": "europe-west4"},
    )
    target = (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-1/locations/europe-west4/"
        f"publishers/google/models/{MODEL}:generateContent"
    )
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(target).mock(return_value=httpx.Response(200, json=OK))
        client(MODEL, api=api, max_output_tokens=10).generate("Hello", instructions=["Be brief."])
    assert sent_body(route) == send("Hello", instructions=["Be brief."], config={"max_output_tokens": 10})
