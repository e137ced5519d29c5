"""Every bad input of the hardening issue, as a table: the whole path a user takes (build the API, the endpoint, the
config, the client, call ``generate``) under respx, and for each case the error class, the field its message names,
and the number of requests sent — zero: bad input is refused before anything goes out, never retried as a connection
error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

from dhenara_http import AIModelAPI, AIModelCallConfig, AIModelClient, AIModelEndpoint, ConfigurationError
from dhenara_http.errors import DhenaraError

KEY = "sk-bad-input-0123456789abcdef"
OK = {"id": "r", "object": "response", "status": "completed", "model": "gpt-4o", "output": []}


def attempt(
    api: dict[str, Any] | None = None, config: dict[str, Any] | None = None, **generate: Any
) -> Callable[[], Any]:
    """The user's path, from building the API to the call."""

    def run() -> Any:
        settings = {"provider": "openai", "api_key": KEY, **(api or {})}
        endpoint = AIModelEndpoint(api=AIModelAPI(**settings), ai_model="gpt-4o")
        client = AIModelClient(endpoint, AIModelCallConfig(**(config or {})))
        generate.setdefault("prompt", "hi") if "messages" not in generate else None
        return client.generate(**generate)

    return run


@dataclass
class Case:
    id: str
    run: Callable[[], Any]
    #: Words the message must hold (the field, and the suggestion where there is one).
    names: tuple[str, ...]
    error: type[DhenaraError] = ConfigurationError
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("context-a-str", attempt(context="abc"), ("context",)),
    Case("messages-a-str", attempt(messages="hello"), ("messages",)),
    Case("instructions-a-str", attempt(instructions="Be brief."), ("instructions",)),
    Case("max_tokens", attempt(config={"max_tokens": 100}), ("max_tokens", "did you mean `max_output_tokens`")),
    Case("config-field-wrong-type", attempt(config={"retries": "many"}), ("AIModelCallConfig.retries",)),
    Case(
        "config-baseurl",
        attempt(api={"config": {"baseurl": "https://proxy.example/v1"}}),
        ("'baseurl'", "did you mean `base_url`"),
    ),
    Case("base_url-no-scheme", attempt(api={"config": {"base_url": "proxy.example/v1"}}), ("base_url", "http(s)")),
    Case("base_url-ftp", attempt(api={"config": {"base_url": "ftp://proxy.example/v1"}}), ("base_url", "http(s)")),
    Case(
        "base_url-from-the-environment",
        attempt(),
        ("base_url", "DHENARA_HTTP_BASE_URL_OPENAI"),
        env={"DHENARA_HTTP_BASE_URL_OPENAI": "localhost:8000/v1"},
    ),
    Case(
        "endpoint-no-scheme",
        attempt(api={"provider": "microsoft_openai", "config": {"endpoint": "x.azure"}}),
        ("endpoint",),
    ),
    Case("key-with-crlf", attempt(api={"api_key": KEY + "\r\nX-Injected: 1"}), ("api_key", "line break")),
    Case("key-with-trailing-newline", attempt(api={"api_key": KEY + "\n"}), ("api_key", "line break")),
    Case("key-non-ascii", attempt(api={"api_key": "sk-ключ-0123456789"}), ("api_key", "non-ASCII")),
    Case(
        "key-from-the-environment-with-crlf",
        attempt(api={"api_key": None}),
        ("api_key", "OPENAI_API_KEY", "line break"),
        env={"OPENAI_API_KEY": KEY + "\r\n"},
    ),
    Case("headers-a-str", attempt(api={"config": {"headers": "x: y"}}), ("headers", "dict")),
    Case("header-value-crlf", attempt(api={"config": {"headers": {"X-Trace": "a\r\nb"}}}), ("X-Trace", "line break")),
    Case("header-value-non-ascii", attempt(api={"config": {"headers": {"X-Name": "café"}}}), ("X-Name", "non-ASCII")),
    Case("header-value-not-a-str", attempt(api={"config": {"headers": {"X-Retries": 3}}}), ("X-Retries", "string")),
    Case("header-name-crlf", attempt(api={"config": {"headers": {"X-A\r\nB": "v"}}}), ("headers", "header name")),
    Case(
        "region-not-a-name", attempt(api={"provider": "amazon_bedrock", "config": {"region": "x.evil/"}}), ("region",)
    ),
    Case("credential-misspelt", attempt(api={"credential": KEY}), ("credential", "did you mean `credentials`")),
    Case("credentials-a-str", attempt(api={"credentials": KEY}), ("AIModelAPI.credentials",)),
    Case("api_key-a-list", attempt(api={"api_key": [KEY]}), ("AIModelAPI.api_key",)),
    Case("prompt-lone-surrogate", attempt(prompt="Hello \udcff"), ("Prompt.text", "surrogate")),
    Case("instructions-lone-surrogate", attempt(instructions=["Be \ud800 brief"]), ("instructions", "surrogate")),
]


def _params() -> list[Any]:
    out = []
    for case in CASES:
        out.append(pytest.param(case, id=case.id))
    return out


@pytest.mark.parametrize("case", _params())
def test_bad_input_is_refused_typed_naming_the_field_before_anything_is_sent(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    with respx.mock(assert_all_called=False) as router:
        route = router.route().mock(return_value=httpx.Response(200, json=OK))
        with pytest.raises(DhenaraError) as caught:
            case.run()
        sent = route.call_count
    error = caught.value
    assert isinstance(error, case.error), f"{type(error).__name__}: {error}"
    for name in case.names:
        assert name in str(error), f"{name!r} not in: {error}"
    assert sent == 0
    # Never the key, whatever the field it went to.
    assert KEY not in str(error)
    assert KEY not in repr(error.args)
    assert error.__cause__ is None


def test_a_placeholder_region_is_refused_only_when_a_call_needs_the_host_name() -> None:
    # dhenara-ai's documentation builds APIs with placeholder regions and never calls them: that must work here too.
    api = AIModelAPI(provider="amazon_bedrock", api_key="k", config={"region": "your_region"})
    endpoint = AIModelEndpoint(api=api, ai_model="us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    with respx.mock(assert_all_called=False) as router:
        route = router.route().mock(return_value=httpx.Response(200, json=OK))
        with pytest.raises(ConfigurationError, match=r"config\['region'\]: 'your_region' is not a region name"):
            AIModelClient(endpoint).generate(prompt="hi")
    assert route.call_count == 0
