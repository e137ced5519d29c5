"""Helpers for the Bedrock Converse tests: a call context built without the client (the client cannot sign Bedrock
requests yet), recorded streams run through the real decoder and accumulator, and recorded bodies read
*independently* of the protocol module."""

from __future__ import annotations

from typing import Any

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelEndpoint
from dhenara_http._decoders import decoder_for
from dhenara_http._decoders.sse import SSEDecoder, SSEEvent
from dhenara_http.hosts import host_for
from dhenara_http.protocols import converse
from dhenara_http.protocols.base import CallContext, Message
from dhenara_http.types.model import ChatModelSettings, FoundationModel
from dhenara_http.types.response import ChatResponse
from dhenara_http.types.stream import ChatResponseChunk
from tests.support.recordings import body_bytes

CLAUDE_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def claude(
    name: str = CLAUDE_ID, *, control: str | None = "token_budget", native: bool | None = None
) -> FoundationModel:
    return FoundationModel(
        model_name=name,
        display_name=name,
        provider="anthropic",
        settings=ChatModelSettings(
            max_output_tokens=64_000,
            supports_reasoning=control is not None,
            reasoning_control=control,
            native_structured_output=native,
            input_modalities=("text", "image", "pdf"),
        ),
    )


def nova(name: str = "us.amazon.nova-micro-v1:0") -> FoundationModel:
    return FoundationModel(
        model_name=name, display_name=name, provider="custom", settings=ChatModelSettings(max_output_tokens=5000)
    )


def api(**config: Any) -> AIModelAPI:
    return AIModelAPI(
        provider=AIModelAPIProviderEnum.AMAZON_BEDROCK,
        credentials={"access_key_id": "AKIDTEST", "secret_access_key": "secret-test-key"},
        config=config,
    )


def context(
    messages: list[Message],
    *,
    model: FoundationModel | str | None = None,
    config: AIModelCallConfig | None = None,
    instructions: list[str] | None = None,
    stream: bool = False,
    wire_api: str = "",
    **api_config: Any,
) -> CallContext:
    the_api = api(**api_config)
    endpoint = AIModelEndpoint(api=the_api, ai_model=model if model is not None else claude())
    return CallContext(
        endpoint,
        config or AIModelCallConfig(),
        host_for(the_api),
        instructions or [],
        messages,
        stream=stream,
        wire_api=wire_api,
    )


def events_of(record: dict[str, Any], size: int = 37) -> list[SSEEvent]:
    """The record's stream decoded as the client will: binary event streams by the AWS decoder (fed ``size``-byte
    reads), JSON-lines recordings as SSE ``data:`` events."""
    raw = body_bytes(record)
    decoder = decoder_for("aws-eventstream") if record.get("stream_format") == "aws-eventstream" else SSEDecoder()
    events: list[SSEEvent] = []
    for i in range(0, len(raw), size):
        events += decoder.iter_feed(raw[i : i + size])
    events += decoder.iter_flush()
    return events


def run_stream(record: dict[str, Any], ctx: CallContext | None = None) -> tuple[list[ChatResponseChunk], Any]:
    ctx = ctx or context([], stream=True)
    acc = converse.new_accumulator(ctx)
    chunks = [c for e in events_of(record) for c in acc.feed(e)]
    return chunks, acc


def final_of(record: dict[str, Any], ctx: CallContext | None = None) -> ChatResponse:
    return run_stream(record, ctx)[1].final()
