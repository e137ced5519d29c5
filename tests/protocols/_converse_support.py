"""Helpers for the Bedrock tests: a call context built without the client (for the protocol-level tests), recorded
streams run through the real decoder and accumulator, and — for the conformance run through the public client — the
Bedrock API a record was made on (its region and model from the recorded URL, test keys to sign with), the recorded
answer as the wire carried it, and the recorded stream's events read *independently* (by botocore)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelEndpoint
from dhenara_http._decoders import decoder_for
from dhenara_http._decoders.sse import SSEDecoder, SSEEvent
from dhenara_http.hosts import host_for
from dhenara_http.protocols import converse
from dhenara_http.protocols.base import CallContext, Message
from dhenara_http.testing._eventstream import encode_frame
from dhenara_http.types.model import ChatModelSettings, FoundationModel
from dhenara_http.types.response import ChatResponse
from dhenara_http.types.stream import ChatResponseChunk
from tests.support import aws
from tests.support.recordings import body_bytes, http_response

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


# -- the conformance run through the public client ---------------------------------------------------------------------

BEDROCK_URL = re.compile(
    r"https://bedrock-runtime\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/model/(?P<model>[^/]+)/"
    r"(?P<method>converse|converse-stream|invoke|invoke-with-response-stream)"
)
#: The keys the client signs recorded calls with; the tests check each signature with them.
TEST_KEY_ID, TEST_SECRET = "AKIDCONFORMANCE00001", "conformance/secret/access/key/000000001"
EVENTSTREAM = "application/vnd.amazon.eventstream"


def bedrock_endpoint(record: dict[str, Any], wire_api: str) -> tuple[AIModelEndpoint, str | None]:
    """The endpoint of a call like the recorded one (``wire_api`` ``"converse"`` or ``"invoke"``) on the recorded
    region and model, with no ``base_url`` — and the URL it must ask for (None when the recorder kept none)."""
    found = BEDROCK_URL.fullmatch(str(record.get("url") or "").split("?")[0])
    region, model = (found["region"], unquote(found["model"])) if found else ("us-east-1", CLAUDE_ID)
    api = AIModelAPI(
        provider=AIModelAPIProviderEnum.AMAZON_BEDROCK,
        credentials={"access_key_id": TEST_KEY_ID, "secret_access_key": TEST_SECRET},
        config={"region": region, "wire_api": wire_api},
    )
    return AIModelEndpoint(api=api, ai_model=model), (str(record["url"]) if found else None)


def recorded_response(record: dict[str, Any]) -> httpx.Response:
    """The recorded answer as Bedrock sent it. A stream the recorder kept as one JSON event per line
    (``{"<event type>": payload}``, the SDK's view) goes back into AWS event-stream frames."""
    if record.get("stream_format") != "jsonl-chunks":
        return http_response(record)
    frames = b""
    for line in str(record["response_body"]).splitlines():
        if line.strip():
            ((event_type, payload),) = json.loads(line).items()
            headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
            frames += encode_frame(headers, json.dumps(payload).encode("utf-8"))
    return httpx.Response(int(record.get("status") or 200), headers={"content-type": EVENTSTREAM}, content=frames)


def stream_events(record: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(message type, event or exception type, JSON payload) of every event of a recorded stream: binary streams
    read by botocore, JSON-lines recordings line by line."""
    if record.get("stream_format") == "jsonl-chunks":
        lines = [json.loads(line) for line in str(record["response_body"]).splitlines() if line.strip()]
        return [("event", *next(iter(line.items()))) for line in lines]
    events = []
    for headers, payload in aws.eventstream_messages(body_bytes(record)):
        kind = str(headers.get(":message-type"))
        name = headers.get(":event-type") if kind == "event" else headers.get(":exception-type")
        events.append((kind, str(name), json.loads(payload) if payload else None))
    return events


def assert_signed_with_test_key(request: httpx.Request) -> None:
    """The request carries a SigV4 signature (service ``bedrock``) that botocore agrees with."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    fields = aws.sigv4_fields(headers.get("authorization"))
    assert (fields["key"], fields["service"]) == (TEST_KEY_ID, "bedrock")
    expected = aws.botocore_authorization(request.method, str(request.url), headers, request.content, TEST_SECRET)
    assert headers["authorization"] == expected
