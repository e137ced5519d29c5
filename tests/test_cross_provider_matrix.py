"""A turn produced by provider A, accepted by provider B: every ordered pair of the four wire protocols.

For each pair, A answers a first user turn (an image and a PDF attached) with text, a tool call and reasoning; the
conversation [user turn, A's answer, the tool result, a new user turn] then goes to B. B's request body is read with
readers that know B's wire, not our protocol modules (``tests/_cross_provider_wires.py``), and checked against what
A's answer said: the text, the tool call as a native B tool turn with an id B accepts and the result paired with it,
reasoning only back to its own family (never as text elsewhere), and the files as B's native parts.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint, ChatResponse, Prompt, ToolCallResult
from dhenara_http.types.prompt import ToolCallResultsMessage
from tests._cross_provider_wires import (
    ARGS,
    DOCUMENT,
    IMAGE,
    READERS,
    WIRES,
    Seen,
    Wire,
    answer_from_request,
    assert_carried,
    call,
)
from tests.support.openai_spec import validate_request

PAIRS = [(a, b) for a in WIRES for b in WIRES]
PAIR_IDS = [f"{a}-to-{b}" for a, b in PAIRS]
#: Anthropic's rule for tool-use ids.
ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
#: The stand-in signature Google documents for function calls Gemini did not make itself.
GEMINI_STAND_IN = base64.b64encode(b"skip_thought_signature_validator").decode("ascii")
SCHEMAS = {"responses": "CreateResponse", "chat": "CreateChatCompletionRequest"}
OUTPUT = {"temperature": 18, "unit": "celsius", "sky": "overcast"}


def first_turn() -> Prompt:
    return Prompt(
        text="What is the weather where this photo was taken? The forecast is attached.", files=[IMAGE, DOCUMENT]
    )


def follow_up() -> Prompt:
    return Prompt(text="Should I take an umbrella?")


def produce(a: Wire) -> ChatResponse:
    """A's answer to the first turn, parsed by the public client."""
    answer, body = call(a, [first_turn()])
    if a.key in SCHEMAS:
        validate_request(body, SCHEMAS[a.key])
    return answer


def part_order(wire: Wire) -> list[str]:
    """The kinds of the parts of a wire's recorded-style answer, in order, read from the raw answer."""
    if wire.key == "responses":
        kinds = {"reasoning": "reasoning", "message": "text", "function_call": "call"}
        return [kinds[item["type"]] for item in wire.answer["output"]]
    if wire.key == "anthropic":
        kinds = {"thinking": "reasoning", "text": "text", "tool_use": "call"}
        return [kinds[block["type"]] for block in wire.answer["content"]]
    if wire.key == "gemini":
        parts = wire.answer["candidates"][0]["content"]["parts"]
        return ["call" if "functionCall" in p else "reasoning" if p.get("thought") else "text" for p in parts]
    message = wire.answer["choices"][0]["message"]
    return ["reasoning", "text", "call"] if message.get("reasoning_content") else ["text", "call"]


def conversation(answer: ChatResponse, call_id: str | None) -> list[Any]:
    return [first_turn(), answer, ToolCallResult(call_id=call_id, output=OUTPUT), follow_up()]


def send(b: Wire, messages: list[Any]) -> tuple[dict[str, Any], Seen]:
    _, body = call(b, messages)
    if b.key in SCHEMAS:
        validate_request(body, SCHEMAS[b.key])
    return body, READERS[b.key](body)


def decoded(wire_id: str) -> str:
    """The id behind an id rewritten for Anthropic: ``tid_`` + URL-safe base64 of the original (as
    docs/conversations.md says)."""
    if not wire_id.startswith("tid_"):
        return wire_id
    body = wire_id[len("tid_") :]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=PAIR_IDS)
def test_a_turn_of_a_is_a_native_turn_of_b(a: str, b: str) -> None:
    src, dst = WIRES[a], WIRES[b]
    answer = produce(src)
    (tool,) = answer.tools()
    a_id = tool.tool_call.id
    assert a_id is not None
    if src.tool_id is not None:
        assert a_id == src.tool_id  # Gemini gave none: its parser made one up.
    body, seen = send(dst, conversation(answer, a_id))
    # The text and files, and the tool call as a native tool turn with an id the destination accepts, and its result
    # paired with it.
    wire_call, wire_result = assert_carried(seen, src.text, follow_up().text, OUTPUT)
    if b == "gemini":
        # Gemini pairs by name and order; foreign calls carry no id, and Gemini's own call had none.
        assert wire_call["id"] is None
        assert wire_result["id"] is None
        assert wire_result["name"] == wire_call["name"]
    else:
        assert wire_result["id"] == wire_call["id"]
        if b == "anthropic":
            assert ANTHROPIC_ID.match(wire_call["id"])
            assert decoded(wire_call["id"]) == a_id
            if ANTHROPIC_ID.match(a_id):
                assert wire_call["id"] == a_id  # ids that fit are not rewritten
        else:
            assert wire_call["id"] == a_id

    # Parts in the order A made them (the only order a wire without one can be given).
    if b != "chat":
        expected_order = part_order(src) if a == b else [k for k in part_order(src) if k != "reasoning"]
        assert seen.order == expected_order

    # Reasoning: back to its own family with its signature; elsewhere dropped, never pasted as text.
    dumped = json.dumps(body)
    if a == b:
        expected = {"text": src.reasoning_text, "signature": None if a == "gemini" else src.signature}
        assert seen.reasoning == [expected]
        if a == "gemini":
            assert wire_call["signature"] == src.signature  # on the very part it came with
    else:
        assert seen.reasoning == []
        assert src.reasoning_text not in dumped
        assert src.signature is None or src.signature not in dumped
        if b == "gemini":
            assert wire_call["signature"] == GEMINI_STAND_IN


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=PAIR_IDS)
def test_a_detour_through_b_leaves_the_history_for_a_unchanged(a: str, b: str) -> None:
    """The same history objects go to A, then B, then A again: B's rewriting of ids (or anything else) must not leak
    into the objects, so A's second request equals its first and carries A's own ids."""
    src, dst = WIRES[a], WIRES[b]
    answer = produce(src)
    messages = conversation(answer, answer.tools()[0].tool_call.id)
    before, _ = send(src, messages)
    send(dst, messages)
    after, seen = send(src, messages)
    assert after == before
    assert seen.calls[0]["id"] == src.tool_id


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=PAIR_IDS)
def test_a_turn_as_b_saw_it_comes_back_to_a_with_a_ids(a: str, b: str) -> None:
    """A → B → A on the wire: A's turn as B's request carried it, read back as B's own answer (what a B-only client
    would have stored), then sent to A. Ids B rewrote are decoded back to A's; Gemini carries no foreign ids, so a
    turn that went through Gemini comes back with Gemini's (made-up) ids, still paired with the result."""
    src, dst = WIRES[a], WIRES[b]
    answer = produce(src)
    a_id = answer.tools()[0].tool_call.id
    b_body, _ = send(dst, conversation(answer, a_id))
    as_b_saw_it, _ = call(dst, [first_turn()], answer=answer_from_request(dst, b_body))
    assert as_b_saw_it.text() == src.text
    (b_call,) = as_b_saw_it.tools()
    assert (b_call.tool_call.name, b_call.tool_call.arguments) == ("get_weather", ARGS)
    _, seen = send(src, conversation(as_b_saw_it, b_call.tool_call.id))
    (back_call,) = seen.calls
    (back_result,) = seen.results
    assert back_call["args"] == ARGS
    if a == "gemini":
        assert back_call["id"] is None
        assert back_result["name"] == "get_weather"
        return
    assert back_result["id"] == back_call["id"]
    if b == "gemini" and a != b:
        assert back_call["id"] == b_call.tool_call.id
    else:
        assert back_call["id"] == src.tool_id


@pytest.mark.parametrize("mode", ["python", "json"])
@pytest.mark.parametrize(("a", "b"), PAIRS, ids=PAIR_IDS)
def test_stored_history_gives_the_same_request(a: str, b: str, mode: str) -> None:
    """An app storing A's answer (``model_dump`` / ``model_dump_json``) and loading it again sends B the same body."""
    src, dst = WIRES[a], WIRES[b]
    answer = produce(src)
    call_id = answer.tools()[0].tool_call.id
    if mode == "python":
        stored = ChatResponse.model_validate(answer.model_dump())
    else:
        stored = ChatResponse.model_validate(json.loads(answer.model_dump_json()))
    original, _ = send(dst, conversation(answer, call_id))
    reloaded, _ = send(dst, conversation(stored, call_id))
    assert reloaded == original


# -- the same wire on another API provider is another family -------------------------------------------------------

P = AIModelAPIProviderEnum
VERTEX_BASE = "https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers"
VERTEX = {"project_id": "proj-1", "location": "us-east5"}
#: Per wire: another API provider speaking it (provider, config, credentials, request URL prefix, model). DeepSeek's
#: model is one outside the catalogue: the catalogue's DeepSeek models take no PDF, which the first turn carries.
OTHER_HOSTS: dict[str, tuple[AIModelAPIProviderEnum, dict[str, Any], dict[str, Any] | None, str, str]] = {
    "responses": (
        P.MICROSOFT_OPENAI,
        {"endpoint": "https://unit-test.openai.azure.com"},
        None,
        "https://unit-test.openai.azure.com/openai/v1/responses",
        "gpt-5",
    ),
    "chat": (P.DEEPSEEK, {}, None, "https://api.deepseek.com/chat/completions", "deepseek-test-model"),
    "gemini": (
        P.GOOGLE_VERTEX_AI,
        VERTEX,
        {"access_token": "ya29.test"},
        f"{VERTEX_BASE}/google/models/",
        "gemini-3-flash-preview",
    ),
    "anthropic": (
        P.GOOGLE_VERTEX_AI,
        VERTEX,
        {"access_token": "ya29.test"},
        f"{VERTEX_BASE}/anthropic/models/",
        "claude-sonnet-4-5",
    ),
}


@pytest.mark.parametrize("key", list(WIRES))
def test_reasoning_stays_with_its_api_provider(key: str) -> None:
    """Same wire, other API provider (Azure OpenAI, DeepSeek, Claude and Gemini on Vertex AI): another family, so
    the reasoning and its signature stay behind while text and tool calls travel."""
    wire = WIRES[key]
    provider, config, credentials, url, model = OTHER_HOSTS[key]
    api = AIModelAPI(
        provider=provider, api_key=None if credentials else "test-key", credentials=credentials, config=config
    )
    answer, _ = call(wire, [first_turn()], endpoint=AIModelEndpoint(api=api, ai_model=model), url=url)
    assert answer.api_provider == provider
    a_id = answer.tools()[0].tool_call.id
    body, seen = send(wire, conversation(answer, a_id))
    assert seen.text == wire.text
    assert [(c["name"], c["args"]) for c in seen.calls] == [("get_weather", ARGS)]
    assert seen.reasoning == []
    assert wire.reasoning_text not in json.dumps(body)
    assert wire.signature is None or wire.signature not in json.dumps(body)
    if key == "chat":
        # DeepSeek-style hosts take a tool-call turn only with a reasoning_content field: empty for another family.
        assert next(m for m in body["messages"] if m["role"] == "assistant")["reasoning_content"] == ""


# -- ids ---------------------------------------------------------------------------------------------------------


def test_gemini_own_call_ids_travel_back_to_gemini_and_fit_anthropic() -> None:
    gemini = WIRES["gemini"]
    raw = json.loads(json.dumps(gemini.answer))
    part = raw["candidates"][0]["content"]["parts"][2]
    part["functionCall"]["id"] = "d5bdbc39-6e63-4cb4-a2b3-4f1a7e0bd8c1"
    answer, _ = call(gemini, [first_turn()], answer=raw)
    (tool,) = answer.tools()
    assert tool.tool_call.id == part["functionCall"]["id"]
    _, seen = send(gemini, conversation(answer, tool.tool_call.id))
    assert seen.calls[0]["id"] == seen.results[0]["id"] == part["functionCall"]["id"]
    _, seen = send(WIRES["anthropic"], conversation(answer, tool.tool_call.id))
    assert seen.calls[0]["id"] == seen.results[0]["id"] == part["functionCall"]["id"]


def _gemini_call(city: str) -> dict[str, Any]:
    parts = [{"functionCall": {"name": "get_weather", "args": {"city": city, "unit": "celsius"}}}]
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}]}


@pytest.mark.parametrize("b", list(WIRES))
def test_a_tool_loop_with_repeated_ids_keeps_them_unique_and_paired(b: str) -> None:
    """Gemini's made-up ids start again in every answer (``get_weather_0`` twice): Anthropic and OpenAI Responses
    reject repeated ids, so the second gets another one, and each result still answers its own call."""
    gemini = WIRES["gemini"]
    question = Prompt(text="Weather in Paris, then in Rome?")
    paris, _ = call(gemini, [question], answer=_gemini_call("Paris"))
    paris_result = ToolCallResult(call_id=paris.tools()[0].tool_call.id, output={"temperature": 18})
    rome, _ = call(gemini, [question, paris, paris_result], answer=_gemini_call("Rome"))
    rome_result = ToolCallResult(call_id=rome.tools()[0].tool_call.id, output={"temperature": 25})
    assert paris_result.call_id == rome_result.call_id  # the premise: Gemini's ids repeat
    _, body = call(WIRES[b], [question, paris, paris_result, rome, rome_result, Prompt(text="Thanks!")])
    pairs = _call_result_pairs(b, body)
    assert [(args["city"], output) for args, output in pairs] == [
        ("Paris", {"temperature": 18}),
        ("Rome", {"temperature": 25}),
    ]


def _call_result_pairs(wire: str, body: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """(arguments of a call, output of the result paired with it), in call order; asserts unique call ids."""
    calls: list[tuple[str | None, str, dict[str, Any]]] = []  # id, name, args
    outputs: list[tuple[str | None, str | None, Any]] = []  # id, name, output
    if wire == "responses":
        for item in body["input"]:
            if item.get("type") == "function_call":
                calls.append((item["call_id"], item["name"], json.loads(item["arguments"])))
            elif item.get("type") == "function_call_output":
                outputs.append((item["call_id"], None, json.loads(item["output"])))
    elif wire == "chat":
        for message in body["messages"]:
            for tc in message.get("tool_calls") or []:
                calls.append((tc["id"], tc["function"]["name"], json.loads(tc["function"]["arguments"])))
            if message["role"] == "tool":
                outputs.append((message["tool_call_id"], None, json.loads(message["content"])))
    elif wire == "anthropic":
        for message in body["messages"]:
            for block in message["content"]:
                if block["type"] == "tool_use":
                    calls.append((block["id"], block["name"], block["input"]))
                elif block["type"] == "tool_result":
                    outputs.append((block["tool_use_id"], None, json.loads(block["content"])))
    else:
        for content in body["contents"]:
            for part in content["parts"]:
                if "functionCall" in part:
                    fc = part["functionCall"]
                    calls.append((fc.get("id"), fc["name"], fc["args"]))
                elif "functionResponse" in part:
                    fr = part["functionResponse"]
                    outputs.append((fr.get("id"), fr["name"], fr["response"]))
    if wire == "gemini":
        # By name and order: the n-th response of a name answers the n-th call of that name.
        assert [name for _, name, _ in outputs] == [name for _, name, _ in calls]
        return [(args, out[2]) for (_, _, args), out in zip(calls, outputs, strict=True)]
    ids = [call_id for call_id, _, _ in calls]
    assert len(set(ids)) == len(ids), f"repeated tool-call ids: {ids}"
    by_id = {call_id: out for call_id, _, out in outputs}
    assert set(by_id) == set(ids)
    return [(args, by_id[call_id]) for call_id, _, args in calls]


@pytest.mark.parametrize("b", list(WIRES))
def test_parallel_results_given_out_of_order_answer_their_own_calls(b: str) -> None:
    """Claude calls one tool twice in one turn; the results come back in the other order. Wires with ids pair them
    by id; Gemini pairs by name and order, so the results go in the order of the calls."""
    anthropic = WIRES["anthropic"]
    raw = json.loads(json.dumps(anthropic.answer))
    raw["content"][2:] = [
        {
            "type": "tool_use",
            "id": "toolu_01Paris",
            "name": "get_weather",
            "input": {"city": "Paris", "unit": "celsius"},
        },
        {"type": "tool_use", "id": "toolu_01Rome", "name": "get_weather", "input": {"city": "Rome", "unit": "celsius"}},
    ]
    answer, _ = call(anthropic, [first_turn()], answer=raw)
    paris, rome = answer.tools()
    results = ToolCallResultsMessage(
        results=[
            ToolCallResult(call_id=rome.tool_call.id, output={"temperature": 25}),
            ToolCallResult(call_id=paris.tool_call.id, output={"temperature": 18}),
        ]
    )
    _, body = call(WIRES[b], [first_turn(), answer, results, follow_up()])
    pairs = _call_result_pairs(b, body)
    assert [(args["city"], output) for args, output in pairs] == [
        ("Paris", {"temperature": 18}),
        ("Rome", {"temperature": 25}),
    ]


@pytest.mark.parametrize("b", ["anthropic", "gemini"])
def test_results_without_call_id_are_paired_by_name(b: str) -> None:
    """Anthropic and Gemini take a result that names only its tool: it answers the oldest unanswered call of it."""
    answer = produce(WIRES["chat"])
    result = ToolCallResult(name="get_weather", output=OUTPUT)
    _, seen = send(WIRES[b], [first_turn(), answer, result, follow_up()])
    assert seen.results[0]["output"] == OUTPUT
    assert seen.results[0]["id"] == seen.calls[0]["id"]
