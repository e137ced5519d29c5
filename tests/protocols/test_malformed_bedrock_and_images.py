"""The typed readers on the Bedrock Converse and image wires, case by case (the fuzz suite covers them at random):
a malformed field is a ``ResponseParseError`` naming its JSON path, counts are ints, a stream event that would be lost
is an error, an in-band exception is its typed error, and a request body holding a lone surrogate is refused before it
is sent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.errors import ConfigurationError, RateLimitError, ResponseParseError
from dhenara_http.foundation_models import Gemini25FlashImage, GPTImage1, Imagen4
from dhenara_http.hosts import host_for
from dhenara_http.protocols import imagen, openai_images
from dhenara_http.protocols.base import CallContext
from dhenara_http.testing._eventstream import event_frame, exception_frame
from dhenara_http.testing.converse import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from dhenara_http.types.model import FoundationModel
from dhenara_http.types.prompt import Prompt

P = AIModelAPIProviderEnum
BEDROCK = AIModelAPI(
    provider=P.AMAZON_BEDROCK,
    credentials={"access_key_id": ACCESS_KEY_ID, "secret_access_key": SECRET_ACCESS_KEY},
    config={"region": "us-east-1", "base_url": "http://127.0.0.1:9"},
)
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
EVENTSTREAM = "application/vnd.amazon.eventstream"


def call(api: AIModelAPI, model: str | FoundationModel, body: bytes | dict[str, Any], **config: Any) -> Any:
    """One call answered by ``body`` (JSON, or AWS event-stream frames when streaming): the final response."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ctype = EVENTSTREAM if config.get("streaming") else "application/json"
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(return_value=httpx.Response(200, headers={"content-type": ctype}, content=raw))
        endpoint = AIModelEndpoint(api=api, ai_model=model)
        with AIModelClient(endpoint, AIModelCallConfig(retries=0, **config)) as client:
            result = client.generate(prompt="hi")
            items = list(result.stream_generator or ())
    return items[-1][1] if items else result


def converse_answer(content: list[Any], **extra: Any) -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": "end_turn", **extra}


MALFORMED = [
    ("usage-a-string", converse_answer([], usage={"inputTokens": "5"}), "usage.inputTokens"),
    ("cache-read-negative", converse_answer([], usage={"cacheReadInputTokens": -1}), "usage.cacheReadInputTokens"),
    ("cache-write-fraction", converse_answer([], usage={"cacheWriteInputTokens": 1.5}), "usage.cacheWriteInputTokens"),
    ("tool-name-a-number", converse_answer([{"toolUse": {"toolUseId": "t", "name": 5}}]), "content[0].toolUse.name"),
    ("tool-input-a-list", converse_answer([{"toolUse": {"name": "f", "input": [1]}}]), "content[0].toolUse.input"),
    (
        "signature-a-number",
        converse_answer([{"reasoningContent": {"reasoningText": {"text": "t", "signature": 7}}}]),
        "content[0].reasoningContent.reasoningText.signature",
    ),
    ("block-a-string", converse_answer(["x"]), "output.message.content[0]"),
    ("stop-reason-a-list", {**converse_answer([]), "stopReason": []}, "stopReason"),
    ("no-message", {"output": {}}, "output.message"),
]


@pytest.mark.parametrize(("answer", "path"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_converse_answer_names_the_field(answer: dict[str, Any], path: str) -> None:
    with pytest.raises(ResponseParseError) as caught:
        call(BEDROCK, MODEL, answer)
    assert path in str(caught.value)
    assert caught.value.provider == "amazon_bedrock"


def test_converse_counts_are_ints_with_the_cache_in_the_prompt() -> None:
    usage = {"inputTokens": 10.0, "outputTokens": 4, "cacheReadInputTokens": 100, "cacheWriteInputTokens": 7}
    result = call(BEDROCK, MODEL, converse_answer([{"text": "hi"}], usage={**usage, "totalTokens": 121}))
    got = result.chat_response.usage
    assert (got.prompt_tokens, got.completion_tokens, got.total_tokens) == (117, 4, 121)
    assert (got.cache_read_tokens, got.cache_write_tokens) == (100, 7)
    assert all(type(v) is int for v in (got.prompt_tokens, got.cache_read_tokens, got.cache_write_tokens))


def frames(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(event_frame(name, payload) for name, payload in events)


START = ("messageStart", {"role": "assistant"})
STOP = ("messageStop", {"stopReason": "end_turn"})


@pytest.mark.parametrize(
    ("events", "words"),
    [
        ([START, ("contentBlockDelta", {"contentBlockIndex": "0", "delta": {"text": "a"}}), STOP], "contentBlockIndex"),
        ([START, ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": 5}}), STOP], "delta.text"),
        (
            [
                START,
                ("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "t", "name": "f"}}}),
                ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "lost"}}),
                STOP,
            ],
            "a text delta for content block 0",
        ),
        ([START, STOP, ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "late"}})], "messageStop"),
        ([START, STOP, ("metadata", {"usage": {"outputTokens": "3"}})], "metadata.usage.outputTokens"),
    ],
    ids=["index-a-string", "text-a-number", "text-into-a-tool-call", "delta-after-stop", "usage-a-string"],
)
def test_a_converse_stream_event_that_would_be_lost_is_an_error(
    events: list[tuple[str, dict[str, Any]]], words: str
) -> None:
    with pytest.raises(ResponseParseError) as caught:
        call(BEDROCK, MODEL, frames(*events), streaming=True)
    assert words in str(caught.value)


def test_a_reasoning_delta_with_text_and_signature_keeps_both() -> None:
    delta = {"reasoningContent": {"text": "thinking", "signature": "sig-1"}}
    raw = frames(START, ("contentBlockDelta", {"contentBlockIndex": 0, "delta": delta}), STOP)
    final = call(BEDROCK, MODEL, raw, streaming=True).chat_response
    item = final.choices[0].contents[0]
    assert (item.thinking_text, item.thinking_signature) == ("thinking", "sig-1")


@pytest.mark.parametrize("form", ["json", "frame"])
def test_an_in_band_converse_exception_is_its_typed_error_without_secrets(form: str) -> None:
    message = f"slow down {SECRET_ACCESS_KEY}"
    if form == "json":
        exception = event_frame("throttlingException", {"throttlingException": {"message": message}}, pad=False)
    else:
        exception = exception_frame("throttlingException", message)
    with pytest.raises(RateLimitError) as caught:
        call(BEDROCK, MODEL, frames(START) + exception, streaming=True)
    assert SECRET_ACCESS_KEY not in str(caught.value)
    assert SECRET_ACCESS_KEY not in json.dumps(caught.value.body)


# -- images ----------------------------------------------------------------------------------------------------------

OPENAI = AIModelAPI(provider=P.OPEN_AI, api_key="sk-images-0123456789")
GOOGLE = AIModelAPI(provider=P.GOOGLE_AI, api_key="google-images-0123456789")
IMAGE_MALFORMED = [
    ("openai-data-a-dict", OPENAI, GPTImage1, {"data": {}}, "data is an object"),
    ("openai-url-a-number", OPENAI, GPTImage1, {"data": [{"url": 5}]}, "data[0].url"),
    ("openai-no-image", OPENAI, GPTImage1, {"data": [{"revised_prompt": "p"}]}, "data[0] has neither"),
    (
        "openai-tokens-infinite",
        OPENAI,
        GPTImage1,
        b'{"data":[{"b64_json":"AAAA"}],"usage":{"output_tokens":Infinity}}',
        "usage.output_tokens",
    ),
    ("imagen-predictions-a-string", GOOGLE, Imagen4, {"predictions": "x"}, "predictions is a string"),
    (
        "imagen-mime-a-number",
        GOOGLE,
        Imagen4,
        {"predictions": [{"bytesBase64Encoded": "AA", "mimeType": 1}]},
        "[0].mimeType",
    ),
    (
        "gemini-data-a-number",
        GOOGLE,
        Gemini25FlashImage,
        {"candidates": [{"content": {"parts": [{"inlineData": {"data": 5}}]}}]},
        "candidates[0].content.parts[0].inlineData.data",
    ),
    (
        "gemini-token-count-a-string",
        GOOGLE,
        Gemini25FlashImage,
        {"candidates": [], "usageMetadata": {"candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": "9"}]}},
        "usageMetadata.candidatesTokensDetails[0].tokenCount",
    ),
]


@pytest.mark.parametrize(
    ("api", "model", "answer", "words"), [m[1:] for m in IMAGE_MALFORMED], ids=[m[0] for m in IMAGE_MALFORMED]
)
def test_a_malformed_image_answer_names_the_field(api: AIModelAPI, model: Any, answer: Any, words: str) -> None:
    with pytest.raises(ResponseParseError) as caught:
        call(api, model, answer)
    assert words in str(caught.value)


def test_a_gemini_modality_split_larger_than_its_total_makes_no_negative_count() -> None:
    usage = {
        "promptTokenCount": 5,
        "promptTokensDetails": [{"modality": "IMAGE", "tokenCount": 900}],
        "candidatesTokenCount": 10,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}],
    }
    parts = [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]
    answer = {"candidates": [{"content": {"parts": parts}, "finishReason": "STOP"}], "usageMetadata": usage}
    got = call(GOOGLE, Gemini25FlashImage, answer).image_response.usage
    counts = (got.input_text_tokens, got.input_image_tokens, got.output_image_tokens, got.output_text_tokens)
    assert counts == (0, 5, 10, 0)


def _context(api: AIModelAPI, model: FoundationModel, instructions: list[str]) -> CallContext:
    endpoint = AIModelEndpoint(api=api, ai_model=model)
    return CallContext(endpoint, AIModelCallConfig(), host_for(api), instructions, [Prompt(role="user", text="a fox")])


@pytest.mark.parametrize(
    ("protocol", "api", "model"),
    [(openai_images, OPENAI, GPTImage1), (imagen, GOOGLE, Imagen4)],
    ids=["openai_images", "imagen"],
)
def test_an_image_request_with_a_lone_surrogate_is_refused_naming_the_field(
    protocol: Any, api: AIModelAPI, model: FoundationModel
) -> None:
    with pytest.raises(ConfigurationError, match="surrogate") as caught:
        protocol.build_request(_context(api, model, ["in \udcff style"]))
    assert "prompt" in str(caught.value)


def test_a_converse_request_with_a_lone_surrogate_is_refused_before_it_is_signed() -> None:
    config = AIModelCallConfig(retries=0, options={"requestMetadata": {"team": "a\ud800"}})
    with respx.mock(assert_all_called=False) as router:
        route = router.route().mock(return_value=httpx.Response(200, json=converse_answer([])))
        client = AIModelClient(AIModelEndpoint(api=BEDROCK, ai_model=MODEL), config)
        with client, pytest.raises(ConfigurationError) as caught:
            client.generate(prompt="hi")
    assert "requestMetadata.team" in str(caught.value)
    assert route.call_count == 0
