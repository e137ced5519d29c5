"""dhenara-ai's response helpers and fields: ``message_contents``, ``to_prompt``, ``preview_dict``, structured-output
parsing, usage components, chunk usage, tool-result lists, files and the stream generator of an async call."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

from dhenara_http import (
    AIModelCallResponse,
    ChatMessageContentPart,
    ChatModelCostData,
    ChatResponse,
    ChatResponseChunk,
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutput,
    ChatResponseTextContentItem,
    ChatResponseToolCallResult,
    ChatResponseUsage,
    ConfigurationError,
    FileMetadata,
    GenericFile,
    Prompt,
    PromptText,
    StoredFile,
    StructuredOutputConfig,
    ToolCallResult,
    ToolCallResultsMessage,
)
from dhenara_http._pricing import chat_usage_charge
from dhenara_http.types.enums import PromptMessageRoleEnum


def answer(*contents: dict[str, Any], **extra: Any) -> ChatResponse:
    return ChatResponse.model_validate(
        {
            "model": "m",
            "provider": "anthropic",
            "choices": [{"finish_reason": "stop", "contents": list(contents)}],
            **extra,
        }
    )


# -- message_contents --------------------------------------------------------------------------------------------------


def test_text_items_carry_message_contents() -> None:
    item = ChatResponseTextContentItem(text="Hello")
    assert item.message_contents == [ChatMessageContentPart(type="text", text="Hello")]
    # The mirror of the text is not stored twice; it comes back on loading.
    assert item.model_dump()["message_contents"] is None
    assert ChatResponseTextContentItem.model_validate(item.model_dump()) == item


def test_the_mirrored_part_follows_the_text() -> None:
    item = ChatResponseTextContentItem(text="Hello world")
    item.text = "Hello"  # as a conversation cut to a number of words does
    assert item.message_contents == [ChatMessageContentPart(type="text", text="Hello")]
    assert item.model_dump()["message_contents"] is None
    copied = item.model_copy(deep=True)
    copied.text = "Hi"
    assert copied.message_contents == [ChatMessageContentPart(type="text", text="Hi")]
    assert item.text == "Hello"
    # Parts given by the caller are the caller's: kept and serialized.
    own = ChatResponseTextContentItem(text="x")
    own.message_contents = [ChatMessageContentPart(type="output_text", text="x", annotations=[])]
    assert own.model_dump()["message_contents"] == [
        {"type": "output_text", "text": "x", "annotations": [], "metadata": None}
    ]
    thought = ChatResponseReasoningContentItem(thinking_text="a")
    thought.thinking_text = None
    assert thought.message_contents is None


def test_message_contents_make_the_text() -> None:
    parts = [
        {"type": "output_text", "text": "Hel", "annotations": [{"url": "u"}]},
        {"type": "output_text", "text": "lo"},
    ]
    item = ChatResponseTextContentItem(message_contents=parts)
    assert item.get_text() == item.text == "Hello"
    assert item.message_contents is not None
    assert item.message_contents[0].annotations == [{"url": "u"}]
    assert item.model_dump()["message_contents"][1] == {
        "type": "output_text",
        "text": "lo",
        "annotations": None,
        "metadata": None,
    }
    unknown = ChatMessageContentPart.model_validate({"type": "x", "text": "t", "provider_field": 1})
    assert unknown.model_dump()["provider_field"] == 1


def test_reasoning_items_carry_message_contents_and_summary_parts() -> None:
    thought = ChatResponseReasoningContentItem(thinking_text="Because.")
    assert thought.message_contents == [ChatMessageContentPart(type="thinking", text="Because.")]
    from_parts = ChatResponseReasoningContentItem(message_contents=[{"type": "thinking", "text": "Hm"}])
    assert from_parts.get_text() == "Hm"
    summarised = ChatResponseReasoningContentItem(thinking_summary=[{"type": "summary_text", "text": "S"}])
    assert summarised.thinking_summary == ["S"]
    assert summarised.message_contents is None  # nothing to mirror
    assert summarised.get_text() == "S"


# -- to_prompt, preview_dict, as_text --------------------------------------------------------------------------------


def test_to_prompt_is_an_assistant_prompt_of_one_choice() -> None:
    response = answer({"type": "reasoning", "thinking_text": "plan"}, {"type": "text", "text": "Answer."})
    prompt = response.to_prompt(max_words_text=50)
    assert prompt is not None
    assert prompt.role == PromptMessageRoleEnum.ASSISTANT
    assert isinstance(prompt.text, PromptText)
    assert prompt.text.format() == "plan\nAnswer."
    assert prompt.config is not None
    assert prompt.config.max_words_text == 50
    assert prompt.rendered_text() == "plan Answer."  # cut to max_words_text words
    assert answer().to_prompt() is None
    assert response.to_prompt(choice_index=3) is None


def test_preview_dict_summarises_the_choices() -> None:
    response = answer(
        {"type": "text", "text": "secret answer"},
        {"type": "tool_call", "tool_call": {"id": "c1", "name": "f"}},
        provider_response={"raw": "x"},
        usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    )
    preview = response.preview_dict()
    assert "choices" not in preview
    assert "provider_response" not in preview
    assert preview["usage"]["total_tokens"] == 3
    assert preview["choices_summary"] == [
        {
            "index": 0,
            "finish_reason": "stop",
            "content_count": 2,
            "contents_summary": [{"index": 0, "type": "text"}, {"index": 0, "type": "tool_call"}],
        }
    ]
    assert "secret answer" not in json.dumps(preview, default=str)
    assert AIModelCallResponse(chat_response=response).preview_dict() == preview
    assert AIModelCallResponse().preview_dict() is None


def test_as_text_by_content_type_and_from_dict() -> None:
    response = answer({"type": "reasoning", "thinking_text": "R"}, {"type": "text", "text": "T"})
    assert response.as_text() == "R\n\nT"
    assert response.as_text(["text"]) == "T"
    assert ChatResponse.from_dict(response.model_dump()) == response
    assert response.to_message_item(choice_index=0) == response


# -- structured output ---------------------------------------------------------------------------------------------


class Review(pydantic.BaseModel):
    name: str
    stars: int = pydantic.Field(ge=1, le=5)


def test_parse_and_validate_reads_json_fences_prose_and_nested_strings() -> None:
    config = StructuredOutputConfig.from_model(Review)
    parse = ChatResponseStructuredOutput.parse_and_validate
    assert parse('{"name": "x", "stars": 4}', config) == ({"name": "x", "stars": 4}, None, False)
    assert parse('```json\n{"name": "x", "stars": 4}\n```', config)[0] == {"name": "x", "stars": 4}
    assert parse('Here: {"name": "a", "stars": 1} and {"name": "b", "stars": 2}.', config)[0] == {
        "name": "b",
        "stars": 2,
    }
    assert parse({"name": "x", "stars": "5"}, config)[0] == {"name": "x", "stars": 5}
    nested = StructuredOutputConfig(json_schema={"type": "object"})
    assert parse('{"inner": "{\\"a\\": [1]}"}', nested)[0] == {"inner": {"a": [1]}}


def test_parse_and_validate_reports_errors_instead_of_raising() -> None:
    config = StructuredOutputConfig.from_model(Review)
    data, error, post = ChatResponseStructuredOutput.parse_and_validate('{"name": "x", "stars": 9}', config)
    assert (data, post) == (None, False)
    assert error is not None
    assert "stars" in error
    assert ChatResponseStructuredOutput.parse_and_validate("no json here", config)[1] is not None
    plain = StructuredOutputConfig(json_schema={"type": "object"})
    assert ChatResponseStructuredOutput.parse_and_validate("[1, 2]", plain)[1] == "expected a JSON object, got list"


def test_parse_and_validate_post_process_fallback() -> None:
    class Clamped(Review):
        @classmethod
        def schema_post_process_on_error(cls, data: Any) -> Any:
            return {**data, "stars": min(max(int(data["stars"]), 1), 5)}

    strict = StructuredOutputConfig.from_model(Clamped)
    assert ChatResponseStructuredOutput.parse_and_validate('{"name": "x", "stars": 9}', strict)[0] is None
    allowed = StructuredOutputConfig(
        json_schema=Clamped.model_json_schema(), model_class=Clamped, allow_post_process_on_error=True
    )
    assert ChatResponseStructuredOutput.parse_and_validate('{"name": "x", "stars": 9}', allowed) == (
        {"name": "x", "stars": 5},
        None,
        True,
    )


# -- usage components, chunks, tool results ---------------------------------------------------------------------------


def test_usage_charge_components_add_up_to_the_cost() -> None:
    prices = ChatModelCostData(
        input_token_cost_per_million=3.0,
        output_token_cost_per_million=15.0,
        cache_read_token_cost_per_million=0.3,
        cache_write_token_cost_per_million=3.75,
    )
    usage = ChatResponseUsage(
        prompt_tokens=10_000,
        completion_tokens=2_000,
        total_tokens=12_000,
        cache_read_tokens=4_000,
        cache_write_tokens=1_000,
    )
    charge = chat_usage_charge(usage, prices)
    assert charge is not None
    assert charge.components is not None
    parts = {c.key: (c.units, c.cost) for c in charge.components}
    # Priced by hand from the rates above: 5,000 uncached input, 4,000 cache reads, 1,000 cache writes, 2,000 out.
    assert parts == {
        "input_tokens": (5_000, 0.015),
        "cache_read_tokens": (4_000, 0.0012),
        "cache_write_tokens": (1_000, 0.00375),
        "output_tokens": (2_000, 0.03),
    }
    assert sum(c.cost for c in charge.components) == pytest.approx(charge.cost)
    plain = chat_usage_charge(ChatResponseUsage(prompt_tokens=1, completion_tokens=1, total_tokens=2), prices)
    assert plain is not None
    assert [c.key for c in plain.components or []] == ["input_tokens", "output_tokens"]


def test_chunks_have_usage_fields() -> None:
    chunk = ChatResponseChunk(model="m", provider="p")
    assert (chunk.usage, chunk.usage_charge) == (None, None)
    chunk.usage = ChatResponseUsage(prompt_tokens=1, completion_tokens=1, total_tokens=2)
    assert chunk.model_dump()["usage"]["total_tokens"] == 2


def test_tool_results_as_list_and_tool_call_result_record() -> None:
    results = [ToolCallResult(call_id="a", output=1), ToolCallResult(call_id="b", output=2)]
    message = ToolCallResultsMessage(results=results)
    listed = message.as_list()
    assert listed == results
    listed.clear()
    assert len(message.results) == 2  # a new list each time
    record = ChatResponseToolCallResult(tool_name="f", call_id="a", result={"ok": True})
    assert (record.error, record.result) == (None, {"ok": True})


# -- files ---------------------------------------------------------------------------------------------------------


def test_generic_file_metadata(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    loaded = GenericFile.from_path(path)
    assert loaded.metadata == FileMetadata(file_name="notes.txt", file_size=5, mime_type="text/plain")
    own = GenericFile(
        name="a.png", media_type="image/png", data=b"\x89PNG", metadata={"file_name": "a.png", "tag": "x"}
    )
    assert own.metadata is not None
    assert own.metadata.model_dump()["tag"] == "x"
    assert GenericFile.model_validate_json(own.model_dump_json()) == own


def test_stored_file_from_a_path_or_content(tmp_path: Path) -> None:
    path = tmp_path / "pic.png"
    path.write_bytes(b"\x89PNG-bytes")
    stored = StoredFile(path=str(path))
    assert (stored.name, stored.media_type, stored.data, stored.path) == (
        "pic.png",
        "image/png",
        b"\x89PNG-bytes",
        str(path),
    )
    raw = b"%PDF-1.4"
    from_content = StoredFile(
        name="d.pdf", media_type="application/pdf", content={"content_b64_json": base64.b64encode(raw).decode()}
    )
    assert from_content.data == raw
    assert StoredFile(name="u", url="https://example.com/x.png", media_type="image/png").url is not None
    with pytest.raises(ConfigurationError, match="cannot read"):
        StoredFile(path=str(tmp_path / "missing.png"))
    assert Prompt(text="see file", files=[stored]).files[0].kind == "image"


# -- the stream generator of an async call ----------------------------------------------------------------------------


def test_stream_generator_of_an_async_call_is_the_async_generator() -> None:
    """dhenara-ai's example 13 iterates ``response.stream_generator`` with ``async for`` after ``generate_async``."""
    from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
    from dhenara_http.foundation_models import Claude35Haiku
    from dhenara_http.testing import MockProviderServer

    async def run(server: MockProviderServer) -> tuple[AIModelCallResponse, list[Any]]:
        endpoint = AIModelEndpoint(api=server.api("anthropic"), ai_model=Claude35Haiku)
        client = AIModelClient(endpoint, AIModelCallConfig(streaming=True, max_output_tokens=50), is_async=True)
        response = await client.generate_async(prompt="Stream, please.")
        assert isinstance(response.stream_generator, AsyncIterator)
        items = [item async for item in response.stream_generator]
        await client.aclose()
        return response, items

    with MockProviderServer() as server:
        response, items = asyncio.run(run(server))
    assert response.stream_generator is response.async_stream_generator
    assert response.sync_stream_generator is None
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None


def test_sync_stream_generator_is_only_a_sync_one() -> None:
    def gen() -> Iterator[Any]:
        yield (None, None)

    sync_response = AIModelCallResponse(stream_generator=gen())
    assert sync_response.sync_stream_generator is sync_response.stream_generator
    assert list(sync_response.stream_generator) == [(None, None)]  # type: ignore[arg-type]
