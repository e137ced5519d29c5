"""The four wire protocols for the cross-provider tests: an endpoint of each, an answer in each one's own format
(text, a tool call with arguments, reasoning with its signature where the wire has one), running a call through the
public client against respx, and reading a request body of each wire *independently* of the protocol modules.

The answers are hand-built in the shapes of recorded ones (``fixtures/``): OpenAI Responses reasoning with
``encrypted_content`` (``responses/reasoning_encrypted_after_tools``), a thinking model on an OpenAI-compatible
host with ``reasoning_content`` and ``functions.<name>:<n>`` tool-call ids (Kimi's style, which Anthropic's id rule
rejects), Claude thinking with its signature (``anthropic/thinking_turn1``), and Gemini 3 thinking with the
``thoughtSignature`` on the function-call part and no call id (``gemini/tool_call_gemini3``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ToolDefinition,
)
from dhenara_http.types.prompt import GenericFile
from dhenara_http.types.response import ChatResponse

P = AIModelAPIProviderEnum

#: A 1x1 transparent PNG and a minimal PDF: the files of the first user turn.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
IMAGE = GenericFile(name="street.png", media_type="image/png", data=PNG)
DOCUMENT = GenericFile(name="forecast.pdf", media_type="application/pdf", data=PDF)

WEATHER = ToolDefinition(
    function={
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    }
)
ARGS = {"city": "Paris", "unit": "celsius"}
RESPONSES_REASONING = "**Checking the weather** The user wants the weather in Paris; I should call get_weather."


@dataclass(frozen=True)
class Wire:
    """One wire protocol on one host: how to reach it and what it answered in the first turn."""

    key: str
    #: ``ChatResponse.metadata["wire_api"]`` of its answers.
    name: str
    provider: AIModelAPIProviderEnum
    model: str
    url: str
    answer: dict[str, Any]
    #: The parts of the answer the tests look for, as the answer gives them (None where the wire has none).
    text: str
    tool_id: str | None
    reasoning_text: str
    signature: str | None
    config: dict[str, Any] = field(default_factory=dict)

    def endpoint(self, provider: AIModelAPIProviderEnum | None = None, **config: Any) -> AIModelEndpoint:
        api = AIModelAPI(provider=provider or self.provider, api_key="test-key", config={**self.config, **config})
        return AIModelEndpoint(api=api, ai_model=self.model)


def _responses_answer() -> dict[str, Any]:
    return {
        "id": "resp_0f35ed53160b395301693cc957829881",
        "object": "response",
        "status": "completed",
        "model": "gpt-5-2025-08-07",
        "output": [
            {
                "id": "rs_0f35ed53160b395301693cc95817ac81",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": RESPONSES_REASONING}],
                "encrypted_content": "gAAAAABpPMlcH0HHEv5_ozHwP5Gxz5ZLE7A8Aw7GK94sa1KWHqXLrAch29KZrZqCzH6Pk",
            },
            {
                "id": "msg_0f35ed53160b395301693cc95a1c8c81",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "[responses] Let me look that up.", "annotations": []}],
            },
            {
                "id": "fc_0f35ed53160b395301693cc95b2d4481",
                "type": "function_call",
                "status": "completed",
                "call_id": "call_Q5aZ1h8jvJ3mPn0bx8KQx9Wr",
                "name": "get_weather",
                "arguments": json.dumps(ARGS),
            },
        ],
        "usage": {"input_tokens": 412, "output_tokens": 96, "total_tokens": 508},
    }


def _chat_answer() -> dict[str, Any]:
    return {
        "id": "chatcmpl-6912a1f0c2e54b7f",
        "object": "chat.completion",
        "created": 1764665845,
        "model": "kimi-k2-thinking",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "[chat] Let me look that up.",
                    "reasoning_content": "The user asks about Paris; the get_weather tool answers that.",
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "functions.get_weather:0",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": json.dumps(ARGS)},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 339, "completion_tokens": 92, "total_tokens": 431},
    }


def _anthropic_answer() -> dict[str, Any]:
    return {
        "id": "msg_01TGA8SWcHTTn5674cmicbnJ",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {
                "type": "thinking",
                "thinking": "Paris weather requested. I will use get_weather with celsius.",
                "signature": "Eq8CCkYICxgCKkDdadQOXMzNBqjrNVAKWsgUfg49NpPg026zBGxIIGwEHVCq0JTW",
            },
            {"type": "text", "text": "[anthropic] Let me look that up."},
            {"type": "tool_use", "id": "toolu_01JJ8TequDsrEU2pv1QFRWAK", "name": "get_weather", "input": ARGS},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 383, "output_tokens": 65},
    }


def _gemini_answer() -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "Looking up Paris with the weather tool seems right.", "thought": True},
                        {"text": "[gemini] Let me look that up."},
                        {
                            "functionCall": {"name": "get_weather", "args": ARGS},
                            "thoughtSignature": "Eqo+Cqc+Ab4+9vtgONaaz6qwy6WXdp7gCd2w0X+Wz2gaBgY0Gv6A12JKo0y5",
                        },
                    ],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 29, "candidatesTokenCount": 15, "totalTokenCount": 1845},
        "modelVersion": "gemini-3-flash-preview",
        "responseId": "JniLacKqGqH0xs0P0O776As",
    }


def _wires() -> dict[str, Wire]:
    responses, chat, anthropic, gemini = _responses_answer(), _chat_answer(), _anthropic_answer(), _gemini_answer()
    chat_message = chat["choices"][0]["message"]
    gemini_parts = gemini["candidates"][0]["content"]["parts"]
    return {
        "responses": Wire(
            key="responses",
            name="responses",
            provider=P.OPEN_AI,
            model="gpt-5",
            url="https://api.openai.com/v1/responses",
            answer=responses,
            text=responses["output"][1]["content"][0]["text"],
            tool_id=responses["output"][2]["call_id"],
            reasoning_text=responses["output"][0]["summary"][0]["text"],
            signature=responses["output"][0]["encrypted_content"],
        ),
        "chat": Wire(
            key="chat",
            name="chat_completions",
            provider=P.OPENAI_COMPATIBLE,
            model="kimi-k2-thinking",
            url="https://api.moonshot.ai/v1/chat/completions",
            # Kimi's thinking models want their reasoning_content back in tool loops, as DeepSeek's do.
            config={"base_url": "https://api.moonshot.ai/v1", "replay_reasoning": True},
            answer=chat,
            text=chat_message["content"],
            tool_id=chat_message["tool_calls"][0]["id"],
            reasoning_text=chat_message["reasoning_content"],
            signature=None,
        ),
        "anthropic": Wire(
            key="anthropic",
            name="anthropic",
            provider=P.ANTHROPIC,
            model="claude-sonnet-4-5",
            url="https://api.anthropic.com/v1/messages",
            answer=anthropic,
            text=anthropic["content"][1]["text"],
            tool_id=anthropic["content"][2]["id"],
            reasoning_text=anthropic["content"][0]["thinking"],
            signature=anthropic["content"][0]["signature"],
        ),
        "gemini": Wire(
            key="gemini",
            name="gemini",
            provider=P.GOOGLE_AI,
            model="gemini-3-flash-preview",
            url="https://generativelanguage.googleapis.com/v1beta/models/gemini-3-flash-preview:generateContent",
            answer=gemini,
            text=gemini_parts[1]["text"],
            tool_id=None,
            reasoning_text=gemini_parts[0]["text"],
            signature=gemini_parts[2]["thoughtSignature"],
        ),
    }


WIRES = _wires()


def call(
    wire: Wire,
    messages: list[Any],
    answer: dict[str, Any] | None = None,
    endpoint: AIModelEndpoint | None = None,
    url: str | None = None,
) -> tuple[ChatResponse, dict[str, Any]]:
    """One call through ``AIModelClient`` (reasoning on, the weather tool offered): the parsed answer and the body
    sent. ``endpoint`` and ``url`` (a prefix of the request URL) replace the wire's own."""
    config = AIModelCallConfig(tools=[WEATHER], reasoning=True, max_output_tokens=4096, retries=0)
    with respx.mock(assert_all_called=True) as router:
        route = router.post(url__startswith=url or wire.url)
        route.mock(return_value=httpx.Response(200, json=answer or wire.answer))
        with AIModelClient(endpoint or wire.endpoint(), config) as client:
            result = client.generate(messages=messages)
        body: dict[str, Any] = json.loads(route.calls.last.request.content)
    assert result.chat_response is not None
    return result.chat_response, body


# -- reading request bodies, independently of the protocol modules ------------------------------------------------


@dataclass
class Seen:
    """What a request body carries of the conversation [user turn with files, earlier answer, tool result, user turn],
    read from the wire's own structure."""

    #: (media type, bytes) of the files of the first user turn, in their native parts.
    files: list[tuple[str, bytes]] = field(default_factory=list)
    #: The text of the earlier answer, as assistant text.
    text: str = ""
    #: The earlier answer's tool calls: {"id": str | None, "name", "args", "signature": Gemini's thoughtSignature}.
    calls: list[dict[str, Any]] = field(default_factory=list)
    #: The tool results of the turn that follows the calls: {"id": str | None, "name": str | None, "output"}.
    results: list[dict[str, Any]] = field(default_factory=list)
    #: Reasoning the earlier answer carries in its native form: {"text", "signature"}.
    reasoning: list[dict[str, Any]] = field(default_factory=list)
    #: The text of the last user turn.
    last_user_text: str = ""
    #: The kinds of the earlier answer's parts in the order sent ("reasoning", "text", "call"); empty for Chat
    #: Completions, whose assistant message has fields, not an order.
    order: list[str] = field(default_factory=list)


def _data_url(url: str) -> tuple[str, bytes]:
    head, _, data = url.partition(",")
    assert head.startswith("data:"), url[:40]
    assert head.endswith(";base64"), url[:40]
    return head[len("data:") : -len(";base64")], base64.b64decode(data)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_responses(body: dict[str, Any]) -> Seen:
    items = body["input"]
    seen = Seen()
    first = items[0]
    assert first["role"] == "user"
    for part in first["content"]:
        if part["type"] == "input_image":
            seen.files.append(_data_url(part["image_url"]))
        elif part["type"] == "input_file":
            seen.files.append(_data_url(part["file_data"]))
    at = 1
    while items[at].get("type") != "function_call_output":
        item = items[at]
        if item.get("role") == "assistant":
            content = item["content"]
            seen.text += content if isinstance(content, str) else "".join(p["text"] for p in content)
            seen.order.append("text")
        elif item.get("type") == "function_call":
            seen.calls.append({"id": item["call_id"], "name": item["name"], "args": json.loads(item["arguments"])})
            seen.order.append("call")
        elif item.get("type") == "reasoning":
            summary = " ".join(s["text"] for s in item.get("summary") or [])
            seen.reasoning.append({"text": summary, "signature": item.get("encrypted_content")})
            seen.order.append("reasoning")
        at += 1
    # The outputs follow the calls directly.
    while items[at].get("type") == "function_call_output":
        seen.results.append({"id": items[at]["call_id"], "name": None, "output": _json(items[at]["output"])})
        at += 1
    last = items[-1]
    assert last["role"] == "user"
    assert at == len(items) - 1
    seen.last_user_text = last["content"] if isinstance(last["content"], str) else last["content"][0]["text"]
    return seen


def read_chat(body: dict[str, Any]) -> Seen:
    messages = [m for m in body["messages"] if m["role"] not in ("system", "developer")]
    seen = Seen()
    user, assistant, *rest = messages
    assert user["role"] == "user"
    assert assistant["role"] == "assistant"
    for part in user["content"]:
        if part["type"] == "image_url":
            seen.files.append(_data_url(part["image_url"]["url"]))
        elif part["type"] == "file":
            seen.files.append(_data_url(part["file"]["file_data"]))
    seen.text = assistant.get("content") or ""
    for call in assistant.get("tool_calls") or []:
        fn = call["function"]
        seen.calls.append({"id": call["id"], "name": fn["name"], "args": json.loads(fn["arguments"])})
    for key in ("reasoning_content", "reasoning"):
        if assistant.get(key):
            seen.reasoning.append({"text": assistant[key], "signature": None})
    while rest and rest[0]["role"] == "tool":
        tool = rest.pop(0)
        seen.results.append({"id": tool["tool_call_id"], "name": None, "output": _json(tool["content"])})
    assert len(rest) == 1
    assert rest[0]["role"] == "user"
    seen.last_user_text = rest[0]["content"]
    return seen


def read_anthropic(body: dict[str, Any]) -> Seen:
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"], "Anthropic turns alternate"
    seen = Seen()
    for block in messages[0]["content"]:
        if block["type"] in ("image", "document"):
            source = block["source"]
            assert source["type"] == "base64"
            seen.files.append((source["media_type"], base64.b64decode(source["data"])))
    for block in messages[1]["content"]:
        if block["type"] == "text":
            seen.text += block["text"]
            seen.order.append("text")
        elif block["type"] == "tool_use":
            seen.calls.append({"id": block["id"], "name": block["name"], "args": block["input"]})
            seen.order.append("call")
        elif block["type"] in ("thinking", "redacted_thinking"):
            seen.reasoning.append({"text": block.get("thinking"), "signature": block.get("signature")})
            seen.order.append("reasoning")
    after = messages[2]["content"]
    # Tool results open the user message that follows the tool calls.
    while after and after[0]["type"] == "tool_result":
        block = after.pop(0)
        seen.results.append({"id": block["tool_use_id"], "name": None, "output": _json(block["content"])})
    seen.last_user_text = "".join(b["text"] for b in after if b["type"] == "text")
    return seen


def read_gemini(body: dict[str, Any]) -> Seen:
    contents = body["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"], "Gemini turns alternate"
    seen = Seen()
    for part in contents[0]["parts"]:
        if "inlineData" in part:
            seen.files.append((part["inlineData"]["mimeType"], base64.b64decode(part["inlineData"]["data"])))
    for part in contents[1]["parts"]:
        if "functionCall" in part:
            fc = part["functionCall"]
            seen.calls.append(
                {"id": fc.get("id"), "name": fc["name"], "args": fc["args"], "signature": part.get("thoughtSignature")}
            )
            seen.order.append("call")
        elif part.get("thought"):
            seen.reasoning.append({"text": part.get("text"), "signature": part.get("thoughtSignature")})
            seen.order.append("reasoning")
        elif "text" in part:
            seen.text += part["text"]
            seen.order.append("text")
    after = contents[2]["parts"]
    while after and "functionResponse" in after[0]:
        fr = after.pop(0)["functionResponse"]
        seen.results.append({"id": fr.get("id"), "name": fr["name"], "output": fr["response"]})
    seen.last_user_text = "".join(p.get("text", "") for p in after)
    return seen


READERS = {"responses": read_responses, "chat": read_chat, "anthropic": read_anthropic, "gemini": read_gemini}


def assert_carried(
    seen: Seen, text: str, last_user_text: str | None, output: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parts of the conversation [user turn with the image and the PDF, the earlier answer, its tool result, a
    new user turn] every destination must carry: the answer's text, the files, the last user text, one tool call to
    ``get_weather`` with its arguments and one result with ``output``. Returns (call, result) as the wire has them."""
    assert seen.text == text
    assert seen.files == [("image/png", PNG), ("application/pdf", PDF)]
    assert seen.last_user_text == last_user_text
    (wire_call,) = seen.calls
    (wire_result,) = seen.results
    assert (wire_call["name"], wire_call["args"]) == ("get_weather", ARGS)
    assert wire_result["output"] == output
    return wire_call, wire_result


# -- an earlier assistant turn, as the wire that received it would answer it ----------------------------------------


def answer_from_request(wire: Wire, body: dict[str, Any]) -> dict[str, Any]:
    """The assistant turn of a request body wrapped as that wire's own answer: the earlier turn exactly as this wire
    saw it, so that it can be parsed as if this wire had produced it."""
    if wire.key == "anthropic":
        return {**wire.answer, "content": body["messages"][1]["content"]}
    if wire.key == "gemini":
        candidate = {**wire.answer["candidates"][0], "content": body["contents"][1]}
        return {**wire.answer, "candidates": [candidate]}
    if wire.key == "chat":
        assistant = next(m for m in body["messages"] if m["role"] == "assistant")
        choice = {**wire.answer["choices"][0], "message": assistant}
        return {**wire.answer, "choices": [choice]}
    output: list[dict[str, Any]] = []
    for n, item in enumerate(body["input"][1:]):
        if item.get("type") == "function_call_output":
            break
        if item.get("role") == "assistant" and "type" not in item:
            # An input message becomes the output message it stands for.
            part = {"type": "output_text", "text": item["content"], "annotations": []}
            item = {"type": "message", "id": f"msg_{n}", "status": "completed", "role": "assistant", "content": [part]}
        elif item.get("type") == "function_call" and "id" not in item:
            item = {**item, "id": f"fc_{n}", "status": "completed"}
        output.append(item)
    return {**wire.answer, "output": output}
