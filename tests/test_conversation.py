"""``ConversationNode`` and ``PromptFormatter`` (the public contract's multi-turn history), alone and through the client
the way the seed programs use them: nodes stored turn by turn, formatted as context for the next model."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ConversationNode,
    ImageResponse,
    Prompt,
    PromptFormatter,
)
from dhenara_http.errors import ConfigurationError
from dhenara_http.types.enums import PromptMessageRoleEnum
from dhenara_http.types.prompt import GenericFile
from tests._cross_provider_wires import DOCUMENT, IMAGE, PDF, PNG, WIRES, call

NOTES = GenericFile(name="notes.txt", media_type="text/plain", text="one two three four five six")
ANTHROPIC_URL = "https://api.anthropic.com/v1/messages"


def answer_of(key: str) -> ChatResponse:
    """A parsed answer with text, a tool call and reasoning (see tests/_cross_provider_wires.py)."""
    answer, _ = call(WIRES[key], [Prompt(text="Weather?")])
    return answer


def text_answer(key: str) -> ChatResponse:
    """A plain answer (text only) of a wire, as most turns of a chat are."""
    wire = WIRES[key]
    raw = json.loads(json.dumps(wire.answer))
    if key == "responses":
        raw["output"] = [item for item in raw["output"] if item["type"] == "message"]
    elif key == "gemini":
        raw["candidates"][0]["content"]["parts"] = [{"text": wire.text}]
    elif key == "chat":
        raw["choices"][0]["message"] = {"role": "assistant", "content": wire.text}
        raw["choices"][0]["finish_reason"] = "stop"
    else:
        raw["content"] = [{"type": "text", "text": wire.text}]
        raw["stop_reason"] = "end_turn"
    answer, _ = call(wire, [Prompt(text="Hello")], answer=raw)
    assert answer.tools() == []
    return answer


def image_response(*revised: str | None) -> ImageResponse:
    contents = [
        {"index": i, "content_format": "url", "content_url": f"https://img.test/{i}.png", "revised_prompt": r}
        for i, r in enumerate(revised)
    ]
    return ImageResponse.model_validate(
        {"model": "dall-e-3", "provider": "openai", "choices": [{"index": 0, "contents": contents}]}
    )


# -- ConversationNode ----------------------------------------------------------------------------------------------


def test_node_takes_input_files_for_attached_files() -> None:
    by_alias = ConversationNode(user_query="q", input_files=[IMAGE])
    by_name = ConversationNode(user_query="q", attached_files=[IMAGE])
    assert by_alias == by_name
    assert by_alias.attached_files == by_alias.input_files == [IMAGE]
    assert ConversationNode(user_query="q").attached_files == []
    assert ConversationNode(user_query="q").response is None


def test_node_keeps_a_datetime_timestamp_as_iso_text() -> None:
    moment = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    assert ConversationNode(user_query="q", timestamp=moment).timestamp == moment.isoformat()
    assert ConversationNode(user_query="q", timestamp="2025-03-04").timestamp == "2025-03-04"


@pytest.mark.parametrize("mode", ["python", "json"])
def test_a_stored_node_with_files_and_an_answer_loads_unchanged(mode: str) -> None:
    node = ConversationNode(
        user_query="What is in these?",
        attached_files=[IMAGE, DOCUMENT, NOTES],
        response=answer_of("anthropic"),
        timestamp="2025-03-04T05:06:07",
    )
    stored: Any = node.model_dump() if mode == "python" else json.loads(node.model_dump_json())
    loaded = ConversationNode.model_validate(stored)
    assert loaded == node
    assert [f.data for f in loaded.attached_files[:2]] == [PNG, PDF]
    assert isinstance(loaded.response, ChatResponse)
    assert loaded.response.tools()[0].tool_call.id == WIRES["anthropic"].tool_id


def test_a_node_may_hold_an_image_response() -> None:
    node = ConversationNode(user_query="Draw a cat", response=image_response("a cat").model_dump())
    assert isinstance(node.response, ImageResponse)


def test_file_data_in_json_is_base64_and_bad_text_is_refused() -> None:
    dumped = json.loads(IMAGE.model_dump_json())
    assert dumped["data"] == IMAGE.base64()
    with pytest.raises(ConfigurationError, match="base64"):
        GenericFile(name="x.png", media_type="image/png", data="not base64!")


# -- PromptFormatter -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("none", [None, []])
def test_user_turn_alone_when_there_is_no_previous_response(none: Any) -> None:
    prompts = PromptFormatter.format_conversion_node_as_prompts(
        model=None, user_query="Hello", attached_files=[IMAGE], previous_response=none
    )
    assert len(prompts) == 1
    (prompt,) = prompts
    assert isinstance(prompt, Prompt)
    assert prompt.role == PromptMessageRoleEnum.USER
    assert (prompt.text, prompt.files, prompt.config) == ("Hello", [IMAGE], None)


def test_no_user_turn_without_query_or_files() -> None:
    answer = answer_of("gemini")
    assert PromptFormatter.format_conversion_node_as_prompts(user_query="", previous_response=answer) == [answer]
    assert PromptFormatter.format_conversion_node_as_prompts() == []


def test_the_answer_stays_whole_and_comes_after_the_query_unless_asked_otherwise() -> None:
    answer = answer_of("responses")
    user, assistant = PromptFormatter.format_conversion_node_as_prompts(user_query="Hi", previous_response=answer)
    assert isinstance(user, Prompt)
    assert assistant == answer
    assert assistant is not answer  # a copy: formatting never touches the stored history
    first, second = PromptFormatter.format_conversion_node_as_prompts(
        user_query="Hi", previous_response=answer, response_before_query=True
    )
    assert (first, second.text) == (answer, "Hi")


def test_a_stored_answer_and_a_list_of_answers_are_accepted() -> None:
    one, two = answer_of("anthropic"), answer_of("chat")
    assert PromptFormatter.format_conversion_node_as_prompts(previous_response=one.model_dump()) == [one]
    assert PromptFormatter.format_conversion_node_as_prompts(
        previous_response=[one, json.loads(two.model_dump_json())]
    ) == [
        one,
        two,
    ]
    with pytest.raises(ConfigurationError, match="previous_response"):
        PromptFormatter.format_conversion_node_as_prompts(user_query="q", previous_response="an answer")


def test_max_words_response_cuts_the_text_but_not_the_reasoning_nor_the_stored_answer() -> None:
    answer = answer_of("anthropic")
    text = answer.text()
    assert text is not None
    (cut,) = PromptFormatter.format_conversion_node_as_prompts(previous_response=answer, max_words_response=2)
    assert isinstance(cut, ChatResponse)
    assert cut.text() == " ".join(text.split()[:2])
    assert cut.reasoning() == answer.reasoning() == WIRES["anthropic"].reasoning_text
    assert answer.text() == text


def test_an_image_response_becomes_an_assistant_note_of_the_images() -> None:
    (one,) = PromptFormatter.format_conversion_node_as_prompts(previous_response=image_response("a red cat"))
    assert isinstance(one, Prompt)
    assert one.role == PromptMessageRoleEnum.ASSISTANT
    assert one.text == "[image generated: a red cat]"
    (two,) = PromptFormatter.format_conversion_node_as_prompts(previous_response=image_response("a cat", None))
    assert isinstance(two, Prompt)
    assert two.text == "[2 images generated: a cat]"


def test_word_limits_apply_when_the_request_is_built() -> None:
    prompts = PromptFormatter.format_conversion_node_as_prompts(
        user_query="alpha beta gamma delta", attached_files=[NOTES], max_words_query=2, max_words_files=3
    )
    body = anthropic_body(prompt=prompts[0])
    blocks = body["messages"][0]["content"]
    assert [b["text"] for b in blocks] == [" ".join(NOTES.get_text().split()[:3]), "alpha beta"]


# -- through the client, as the seed programs do -------------------------------------------------------------------


def anthropic_body(**generate: Any) -> dict[str, Any]:
    api = AIModelAPI(provider=AIModelAPIProviderEnum.ANTHROPIC, api_key="test-key")
    answer = {**WIRES["anthropic"].answer, "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn"}
    with respx.mock() as router:
        route = router.post(ANTHROPIC_URL).mock(return_value=httpx.Response(200, json=answer))
        with AIModelClient(AIModelEndpoint(api=api, ai_model="claude-sonnet-4-5"), AIModelCallConfig()) as client:
            client.generate(**generate)
        return json.loads(route.calls.last.request.content)  # type: ignore[no-any-return]


def test_nodes_of_other_providers_become_context_for_the_next_model() -> None:
    """The seeds' get_context: each earlier node formatted and extended into the context, the new query as prompt."""
    nodes = [
        ConversationNode(user_query="Tell me a story.", response=text_answer("responses")),
        ConversationNode(user_query="Continue it.", input_files=[IMAGE], response=text_answer("gemini")),
    ]
    context: list[Any] = []
    for node in nodes:
        context.extend(
            PromptFormatter.format_conversion_node_as_prompts(
                model=None,
                user_query=node.user_query,
                attached_files=node.attached_files,
                previous_response=node.response,
            )
        )
    prompt = PromptFormatter.format_conversion_node_as_prompts(
        model=None, user_query="Conclude it.", previous_response=[]
    )[0]
    body = anthropic_body(prompt=prompt, context=context)
    messages = body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    texts = [" ".join(b.get("text", "") for b in m["content"] if b["type"] == "text") for m in messages]
    assert texts[0] == "Tell me a story."
    assert texts[1] == WIRES["responses"].text
    assert "Continue it." in texts[2]
    assert any(b["type"] == "image" for b in messages[2]["content"])
    assert texts[3] == WIRES["gemini"].text
    assert texts[4].endswith("Conclude it.")


def test_a_formatter_result_may_be_the_prompt_and_nested_in_the_context() -> None:
    node = ConversationNode(user_query="Hi", response=text_answer("chat"))
    turn = PromptFormatter.format_conversion_node_as_prompts(user_query="Next?")
    spread = anthropic_body(prompt=turn, context=[node.get_context()])
    flat = anthropic_body(prompt=turn[0], context=node.get_context())
    assert spread == flat
    assert [m["role"] for m in flat["messages"]] == ["user", "assistant", "user"]
    assert node.get_prompt() == Prompt(text="Hi")
