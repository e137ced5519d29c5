"""Recorded Vertex AI interactions read through the Vertex AI host rows: the project, location, publisher, model and
method of a recorded URL, the ``AIModelAPI`` that addresses it — signed in with a service-account key whose token
endpoint respx answers as Google's does — and a call through the public client whose request must go to exactly the
recorded URL (routes from ``hosts.py``, not from the test) with the token that endpoint issued."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import respx

from dhenara_http import AIModelAPI, AIModelAPIProviderEnum, AIModelCallConfig, AIModelClient, AIModelEndpoint
from dhenara_http.testing import _accounts
from dhenara_http.types.response import AIModelCallResponse

VERTEX_URL = re.compile(
    r"(?P<base>https://(?P<host>[^/]+)/(?:v1|v1beta1))/projects/(?P<project>[^/]+)/locations/"
    r"(?P<location>[^/]+)/publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:]+):(?P<method>[A-Za-z]+)"
)
#: Vertex methods by the wire that speaks them (and whether they stream).
METHODS: dict[str, tuple[str, bool]] = {
    "generateContent": ("gemini", False),
    "streamGenerateContent": ("gemini", True),
    "rawPredict": ("anthropic", False),
    "streamRawPredict": ("anthropic", True),
}
TOKEN = "ya29.conformance-token"
#: The mock service account's token endpoint (a reserved ``.invalid`` host: respx answers it).
TOKEN_URI = _accounts.TOKEN_URI


@dataclass(frozen=True)
class VertexCall:
    url: str
    base: str
    host: str
    project: str
    location: str
    publisher: str
    model: str
    method: str
    query: dict[str, str]

    @property
    def wire(self) -> str | None:
        found = METHODS.get(self.method)
        return found[0] if found else None

    @property
    def stream(self) -> bool:
        return METHODS.get(self.method, ("", False))[1]

    @property
    def path(self) -> str:
        """The path relative to the API's base URL (as a route template gives it)."""
        return urlsplit(self.url).path[len(urlsplit(self.base).path) :]

    def api(self, *, base_url: bool = True) -> AIModelAPI:
        config: dict[str, Any] = {"project_id": self.project, "location": self.location}
        if base_url:
            config["base_url"] = self.base
        credentials = {"service_account_json": _accounts.service_account()}
        return AIModelAPI(provider=AIModelAPIProviderEnum.GOOGLE_VERTEX_AI, credentials=credentials, config=config)


def token_endpoint(router: respx.MockRouter) -> respx.Route:
    """The service account's token endpoint, answering :data:`TOKEN` as Google's does (add it before a catch-all)."""
    answer = {"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"}
    return router.post(TOKEN_URI).mock(return_value=httpx.Response(200, json=answer))


def assert_token_exchange(token: respx.Route) -> None:
    """The one token request: a JWT-bearer grant whose assertion names the key and the token endpoint."""
    (exchange,) = token.calls
    form = dict(parse_qsl(exchange.request.content.decode("ascii")))
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = json.loads(_b64(form["assertion"].split(".")[1]))
    assert (claims["iss"], claims["aud"]) == (_accounts.CLIENT_EMAIL, TOKEN_URI)


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vertex_call(record: dict[str, Any]) -> VertexCall | None:
    """The parts of a recorded Vertex AI URL, or None when the record has no Vertex publisher-model URL."""
    url = str(record.get("url") or "")
    found = VERTEX_URL.fullmatch(url.split("?")[0])
    if found is None:
        return None
    query = dict(parse_qsl(url.partition("?")[2]))
    return VertexCall(url=url, query=query, **found.groupdict())  # type: ignore[arg-type]


def run(record: dict[str, Any], response: httpx.Response, **config: Any) -> tuple[AIModelCallResponse, httpx.Request]:
    """One call through the public client on the Vertex host, answered by ``response``: the result (a stream read to
    its end: the final response) and the request as sent. The request must go to the recorded URL. The call asks
    for reasoning when the recorded model can reason (so that thought parts are read as reasoning)."""
    call = vertex_call(record)
    assert call is not None
    endpoint = AIModelEndpoint(api=call.api(), ai_model=call.model)
    settings = endpoint.ai_model.chat_settings
    config.setdefault("reasoning", settings is None or settings.supports_reasoning)
    call_config = AIModelCallConfig(streaming=call.stream, retries=0, **config)
    with respx.mock(assert_all_called=True) as router:
        token = token_endpoint(router)
        route = router.route().mock(return_value=response)
        with AIModelClient(endpoint, call_config) as client:
            result = client.generate(prompt="hi")
            if result.stream_generator is not None:
                items = list(result.stream_generator)
                last, final = items[-1]
                assert last is None
                assert final is not None
                result = final
    assert_token_exchange(token)
    sent = route.calls[0].request
    assert urlsplit(str(sent.url))._replace(query="") == urlsplit(call.url)._replace(query="")
    assert dict(sent.url.params) == call.query
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    return result, sent


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)
