"""One image call through the public client, and the request it sent.

The client is given an ``httpx.Client`` of the test's own (so respx intercepts it in unit tests, and the real mock
server answers it in others) whose request hook records what went out, last attempt last.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.types.response import AIModelCallResponse


def image_call(
    endpoint: AIModelEndpoint,
    config: AIModelCallConfig | None = None,
    prompt: Any = "A watercolour fox in the snow",
    **generate: Any,
) -> tuple[AIModelCallResponse, httpx.Request]:
    """The response of one image call (``config.retries`` defaults to none) and the request it sent."""
    sent: list[httpx.Request] = []
    config = config or AIModelCallConfig()
    if "retries" not in config.model_fields_set:
        config = config.model_copy(update={"retries": 0})
    with (
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
        AIModelClient(endpoint, config, http_client=http) as client,
    ):
        result = client.generate(prompt=prompt, **generate)
    assert sent, "no request was sent"
    if result.image_response is None:
        raise AssertionError(f"an image call answered {result.chat_response!r}")
    return result, sent[-1]


def sent_json(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)  # type: ignore[no-any-return]
