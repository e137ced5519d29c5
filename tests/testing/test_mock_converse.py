"""The mock Bedrock runtime over real HTTP on 127.0.0.1: requests built by the Converse and Anthropic (InvokeModel)
protocols, signed by the SigV4 signer, answered as JSON and as AWS event streams that the decoder and accumulators
read back; bad signatures, Bedrock API keys and injected faults in Bedrock's shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dhenara_http import AIModelCallConfig, AIModelEndpoint, Prompt, ToolDefinition
from dhenara_http._decoders import decoder_for
from dhenara_http._transport.auth.base import OutgoingRequest
from dhenara_http._transport.auth.sigv4 import bedrock_signer
from dhenara_http.errors import AuthenticationError, RateLimitError
from dhenara_http.hosts import base_url_for, host_for
from dhenara_http.protocols import anthropic, converse
from dhenara_http.protocols.base import CallContext
from dhenara_http.testing import MockProviderServer
from tests.protocols._converse_support import claude
from tests.support.auth_io import FakeIO
from tests.support.auth_io import run_sync as run

WEATHER = ToolDefinition(
    function={
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
)


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as running:
        yield running


def _ctx(
    server: MockProviderServer,
    stream: bool = False,
    wire: str = "",
    config: AIModelCallConfig | None = None,
    **api_config: Any,
) -> CallContext:
    api = server.api("amazon_bedrock", **({"wire_api": wire} if wire else {}), **api_config)
    endpoint = AIModelEndpoint(api=api, ai_model=claude())
    return CallContext(
        endpoint,
        config or AIModelCallConfig(),
        host_for(api),
        ["Be brief."],
        [Prompt(text="Weather in Paris?")],
        stream=stream,
        wire_api=wire,
    )


def _send(ctx: CallContext, protocol: Any, *, tamper: bool = False) -> httpx.Response:
    wire = protocol.build_request(ctx)
    body = httpx.Request("POST", "http://x", json=wire.json).content
    url = str(httpx.URL(base_url_for(ctx.endpoint.api) + wire.path))
    request = OutgoingRequest("POST", url, {"content-type": "application/json", **wire.headers}, body)
    run(bedrock_signer(ctx.endpoint.api).sign(request, FakeIO()))
    if tamper:
        request.body = request.body.replace(b"Paris", b"Lyon!")
    with httpx.Client() as client:
        return client.post(url, headers=request.headers, content=request.body)


def _events(response: httpx.Response) -> list[Any]:
    decoder = decoder_for("aws-eventstream")
    raw = response.content
    events = [e for i in range(0, len(raw), 13) for e in decoder.iter_feed(raw[i : i + 13])]
    return events + list(decoder.iter_flush())


def test_converse_json_and_stream_agree(server: MockProviderServer) -> None:
    config = AIModelCallConfig(tools=[WEATHER], tool_choice="one_or_more", max_output_tokens=4000)
    plain = _send(_ctx(server, config=config), converse)
    assert plain.status_code == 200, plain.text
    whole = converse.parse_response(plain.json(), _ctx(server, config=config))
    streamed = _send(_ctx(server, stream=True, config=config), converse)
    assert streamed.headers["content-type"] == "application/vnd.amazon.eventstream"
    acc = converse.new_accumulator(_ctx(server, stream=True, config=config))
    for event in _events(streamed):
        acc.feed(event)
    assert acc.done
    final = acc.final()
    call = final.tools()[0].tool_call
    assert call.name == "get_weather"
    assert set(call.arguments) == {"city"}
    assert final.model_dump() == whole.model_dump()


def test_invoke_json_and_stream(server: MockProviderServer) -> None:
    plain = _send(_ctx(server, wire="invoke"), anthropic)
    assert plain.status_code == 200, plain.text
    whole = anthropic.parse_response(plain.json(), _ctx(server, wire="invoke"))
    streamed = _send(_ctx(server, stream=True, wire="invoke"), anthropic)
    acc = anthropic.new_accumulator(_ctx(server, stream=True, wire="invoke"))
    for event in _events(streamed):
        acc.feed(event)
    assert acc.done
    assert acc.final().text() == whole.text()
    assert whole.text()


def test_bad_signature_is_bedrocks_403(server: MockProviderServer) -> None:
    answer = _send(_ctx(server), converse, tamper=True)
    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"].startswith("InvalidSignatureException")
    info = converse.parse_error(403, answer.json(), answer.headers)
    assert info is not None
    assert info.error_class is AuthenticationError
    assert info.error_type == "InvalidSignatureException"


def test_bedrock_api_key_accepted(server: MockProviderServer) -> None:
    keyed = server.api("amazon_bedrock", api_key="bedrock-api-key-123")
    ctx = _ctx(server)
    object.__setattr__(ctx.endpoint, "api", keyed)
    assert _send(ctx, converse).status_code == 200


def test_injected_faults_have_bedrocks_shapes(server: MockProviderServer) -> None:
    server.inject(status=429)
    answer = _send(_ctx(server), converse)
    assert answer.status_code == 429
    info = converse.parse_error(429, answer.json(), answer.headers)
    assert info is not None
    assert info.message
    server.inject(in_band_error="throttling", drop_after_events=None)
    streamed = _send(_ctx(server, stream=True), converse)
    with pytest.raises(RateLimitError):
        _events(streamed)
