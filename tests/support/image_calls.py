"""One image call end to end, the way the client's core will run it once it knows image answers: the client builds
the call context, the capability check runs, the endpoint's wire builds the request, the request goes over HTTP
(``httpx``: respx-mocked in unit tests, the real mock server in others), an error status is classified by the wire,
and the answer is parsed and priced by ``finalize_image``.

Only the sending differs from the core (no retries, no signing beyond the host's static auth headers): what is under
test is everything on either side of it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http._capabilities import check_call
from dhenara_http._finalize_image import finalize_image
from dhenara_http.errors import error_class_for_status
from dhenara_http.hosts import auth_headers, base_url_for
from dhenara_http.types.response import AIModelCallResponse, ImageResponse


def image_call(
    endpoint: AIModelEndpoint,
    config: AIModelCallConfig | None = None,
    prompt: Any = "A watercolour fox in the snow",
    **generate: Any,
) -> tuple[AIModelCallResponse, httpx.Request]:
    """The response of one image call and the request it sent."""
    client = AIModelClient(endpoint, config or AIModelCallConfig())
    ctx = client._context(prompt, generate.get("context"), generate.get("instructions"), generate.get("messages"))
    check_call(ctx)
    protocol: Any = client.protocol
    wire = protocol.build_request(ctx)
    api = endpoint.api
    url = base_url_for(api) + wire.path
    headers = {**auth_headers(api), **wire.headers}
    with httpx.Client() as http:
        answer = http.request(wire.method, url, params=wire.params, json=wire.json, headers=headers)
    sent = answer.request
    if answer.status_code >= 400:
        try:
            body = answer.json()
        except ValueError:
            body = answer.text
        info = protocol.parse_error(answer.status_code, body)
        cls = (info.error_class if info else None) or error_class_for_status(answer.status_code)
        raise cls(
            info.message if info else f"HTTP {answer.status_code}",
            provider=api.provider.value,
            model=ctx.model_name,
            status_code=answer.status_code,
            error_type=info.error_type if info else None,
            error_code=info.error_code if info else None,
            body=body,
        )
    parsed = protocol.parse_response(answer.json(), ctx)
    assert isinstance(parsed, ImageResponse), f"{protocol.NAME} answered {type(parsed).__name__}"
    return AIModelCallResponse(image_response=finalize_image(parsed, ctx)), sent


def sent_json(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)  # type: ignore[no-any-return]
