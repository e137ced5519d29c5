"""Claude on Amazon Bedrock in a conversation that moves between providers, through ``AIModelClient``.

A Claude-on-Bedrock answer — made on Converse (``reasoningContent`` with its signature, ``toolUse``) and on InvokeModel
(Anthropic Messages blocks, ``msg_bdrk_`` ids) — goes on to first-party Anthropic, OpenAI Responses, Gemini and the
other Bedrock wire; and answers of those go to Bedrock. Each destination's request body is read with a reader that
knows that wire (``tests/_cross_provider_wires.py``, and the Converse reader here), not with the protocol modules.

What must hold (docs/conversations.md): the text and the tool call travel everywhere, as a native tool turn whose
result is paired with it; thinking travels only back to its family — the same wire on the same API provider, so a
Converse answer's thinking goes back to Converse on Bedrock and an InvokeModel answer's to InvokeModel on Bedrock —
and is otherwise dropped, never sent as text (a Bedrock signature is refused by first-party Anthropic, and the reverse).
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest

from dhenara_http import ChatResponse, Prompt, ToolCallResult
from tests._cross_provider_wires import ARGS, READERS, WIRES, Seen, Wire, assert_carried, call
from tests.test_cross_provider_matrix import GEMINI_STAND_IN, OUTPUT, conversation, first_turn, follow_up

P = WIRES["anthropic"].provider.__class__
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
BEDROCK = "https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"
THINKING = "The user wants Paris weather; get_weather in celsius answers that."
#: Bedrock signatures, in the shape of a recorded one (fixtures/converse/amazon-bedrock-reasoning_0.json).
CONVERSE_SIGNATURE = "EvYBCkgICxABGAIqQA9E9VC377UnbjdfXCw4RwQaaIXsqocZKzI3WwWtXT/wBjzAkBOfIiVkP/mhvsPGb5oQW/2j"
INVOKE_SIGNATURE = "ErUBCkYIBxgCIkB0bWFydGluZXotYmVkcm9jay1pbnZva2UtbW9kZWwtc2lnbmF0dXJlLXNoYXBlZC1mb3ItdGVzdHM"


def _converse_answer() -> dict[str, Any]:
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": THINKING, "signature": CONVERSE_SIGNATURE}}},
                    {"text": "[converse] Let me look that up."},
                    {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "get_weather", "input": ARGS}},
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 412, "outputTokens": 96, "totalTokens": 508},
        "metrics": {"latencyMs": 2202},
    }


def _invoke_answer() -> dict[str, Any]:
    return {
        "id": "msg_bdrk_01PwGjqAJE4R8ZBE8KCtMEjG",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": THINKING, "signature": INVOKE_SIGNATURE},
            {"type": "text", "text": "[invoke] Let me look that up."},
            {"type": "tool_use", "id": "toolu_bdrk_01JJ8TequDsrEU2pv1QFRWAK", "name": "get_weather", "input": ARGS},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 383, "output_tokens": 65},
    }


def _bedrock_wires() -> dict[str, Wire]:
    converse, invoke = _converse_answer(), _invoke_answer()
    blocks = converse["output"]["message"]["content"]
    common: dict[str, Any] = {"provider": P.AMAZON_BEDROCK, "model": MODEL, "reasoning_text": THINKING}
    return {
        "converse": Wire(
            key="converse",
            name="converse",
            url=f"{BEDROCK}/converse",
            answer=converse,
            text=blocks[1]["text"],
            tool_id=blocks[2]["toolUse"]["toolUseId"],
            signature=CONVERSE_SIGNATURE,
            config={"region": "us-west-2"},
            **common,
        ),
        "invoke": Wire(
            key="invoke",
            name="anthropic",
            url=f"{BEDROCK}/invoke",
            answer=invoke,
            text=invoke["content"][1]["text"],
            tool_id=invoke["content"][2]["id"],
            signature=INVOKE_SIGNATURE,
            config={"region": "us-west-2", "wire_api": "invoke"},
            **common,
        ),
    }


BEDROCK_WIRES = _bedrock_wires()
OTHERS = {key: WIRES[key] for key in ("anthropic", "responses", "gemini")}
ALL = {**BEDROCK_WIRES, **OTHERS}


def read_converse(body: dict[str, Any]) -> Seen:
    """A Converse request body (Bedrock API reference, ``Message`` / ``ContentBlock``)."""
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"], "Converse turns alternate"
    seen = Seen()
    for block in messages[0]["content"]:
        for kind in ("image", "document"):
            if kind in block:
                fmt = block[kind]["format"]
                media = f"image/{fmt}" if kind == "image" else f"application/{fmt}"
                seen.files.append((media, base64.b64decode(block[kind]["source"]["bytes"])))
    for block in messages[1]["content"]:
        if "text" in block:
            seen.text += block["text"]
            seen.order.append("text")
        elif "toolUse" in block:
            use = block["toolUse"]
            seen.calls.append({"id": use["toolUseId"], "name": use["name"], "args": use["input"]})
            seen.order.append("call")
        elif "reasoningContent" in block:
            text = block["reasoningContent"].get("reasoningText") or {}
            seen.reasoning.append({"text": text.get("text"), "signature": text.get("signature")})
            seen.order.append("reasoning")
    after = list(messages[2]["content"])
    while after and "toolResult" in after[0]:
        result = after.pop(0)["toolResult"]
        (content,) = result["content"]
        output = content["json"] if "json" in content else json.loads(content["text"])
        seen.results.append({"id": result["toolUseId"], "name": None, "output": output})
    seen.last_user_text = "".join(b.get("text", "") for b in after)
    return seen


def read(wire: Wire, body: dict[str, Any]) -> Seen:
    if wire.key == "converse":
        return read_converse(body)
    return READERS["anthropic" if wire.key == "invoke" else wire.key](body)


def produce(wire: Wire) -> ChatResponse:
    return call(wire, [first_turn()])[0]


def send(wire: Wire, messages: list[Any]) -> tuple[dict[str, Any], Seen]:
    _, body = call(wire, messages)
    return body, read(wire, body)


PAIRS = [(a, b) for a in BEDROCK_WIRES for b in ALL] + [(a, b) for a in OTHERS for b in BEDROCK_WIRES]


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-to-{b}" for a, b in PAIRS])
def test_text_and_tools_travel_and_thinking_only_to_its_family(a: str, b: str) -> None:
    src, dst = ALL[a], ALL[b]
    answer = produce(src)
    assert answer.api_provider == src.provider
    (tool,) = answer.tools()
    call_id = tool.tool_call.id
    assert call_id is not None
    body, seen = send(dst, conversation(answer, call_id))
    wire_call, wire_result = assert_carried(seen, src.text, follow_up().text, OUTPUT)
    if b == "gemini":
        assert wire_result["name"] == "get_weather"
    else:
        assert wire_result["id"] == wire_call["id"]

    dumped = json.dumps(body)
    if a == b:
        # Back to its own family: the thinking, with its signature, before the text and the call.
        assert seen.reasoning == [{"text": THINKING, "signature": src.signature}]
        assert seen.order == ["reasoning", "text", "call"]
    else:
        assert seen.reasoning == []
        assert src.reasoning_text not in dumped
        assert src.signature is None or src.signature not in dumped
        if b == "gemini":
            assert wire_call["signature"] == GEMINI_STAND_IN


def test_the_same_wire_on_first_party_anthropic_is_another_family() -> None:
    """An InvokeModel answer speaks the Anthropic wire, but its signature is Bedrock's: first-party Anthropic gets
    the text and the call without the thinking, and a first-party answer goes to InvokeModel without its own."""
    invoke, anthropic = BEDROCK_WIRES["invoke"], OTHERS["anthropic"]
    bedrock_answer = produce(invoke)
    assert bedrock_answer.metadata["wire_api"] == anthropic.name  # the same wire ...
    _, seen = send(anthropic, conversation(bedrock_answer, bedrock_answer.tools()[0].tool_call.id))
    assert seen.reasoning == []  # ... another API provider
    first_party = produce(anthropic)
    _, seen = send(invoke, conversation(first_party, first_party.tools()[0].tool_call.id))
    assert seen.reasoning == []
    assert seen.calls[0]["id"] == anthropic.tool_id


def test_a_bedrock_tool_loop_on_one_region_replays_thinking_to_another() -> None:
    """The family is the API provider and the wire, not the region or the key: the thinking of a Converse answer made
    in us-west-2 goes back to Converse in eu-central-1."""
    converse = BEDROCK_WIRES["converse"]
    answer = produce(converse)
    elsewhere = replace(
        converse, url=converse.url.replace("us-west-2", "eu-central-1"), config={"region": "eu-central-1"}
    )
    _, seen = send(elsewhere, conversation(answer, answer.tools()[0].tool_call.id))
    assert seen.reasoning == [{"text": THINKING, "signature": CONVERSE_SIGNATURE}]


def test_a_stored_bedrock_answer_gives_the_same_requests() -> None:
    for wire in BEDROCK_WIRES.values():
        answer = produce(wire)
        stored = ChatResponse.model_validate(json.loads(answer.model_dump_json()))
        call_id = answer.tools()[0].tool_call.id
        for dst in ALL.values():
            messages = [first_turn(), answer, ToolCallResult(call_id=call_id, output=OUTPUT), Prompt(text="More?")]
            reloaded = [first_turn(), stored, ToolCallResult(call_id=call_id, output=OUTPUT), Prompt(text="More?")]
            assert call(dst, messages)[1] == call(dst, reloaded)[1]
