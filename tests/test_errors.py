"""The error tree, what errors show (and never show), and the errors bad configuration raises.

The expected class hierarchy is read from the tree drawn in the ``dhenara_http.errors`` docstring, so the drawing
users read and the classes they catch cannot drift apart.
"""

from __future__ import annotations

import builtins
import json
import re
from typing import Any

import httpx
import pydantic
import pytest
import respx

import dhenara_http
from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ToolDefinition,
    errors,
)
from dhenara_http.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DhenaraError,
    OverloadedError,
    RateLimitError,
    StreamError,
    error_class_for_status,
)
from dhenara_http.types.api import API_KEY_ENV_VARS, CONFIG_ENV_VARS, CONFIG_KEYS

P = AIModelAPIProviderEnum
KEY = "sk-proj-unit-test-0123456789abcdefghijSECRET"


def docstring_tree() -> dict[str, tuple[str | None, list[str]]]:
    """``{class: (parent, [extra bases])}`` from the box drawing in the module docstring."""
    assert errors.__doc__ is not None
    tree: dict[str, tuple[str | None, list[str]]] = {}
    stack: list[tuple[int, str]] = []
    for line in errors.__doc__.splitlines():
        match = re.match(r"^\s*(?P<prefix>[│├└─\s]*?)(?:[├└]── )?(?P<name>[A-Z]\w+(?:Error))\b(?P<rest>.*)$", line)
        if not match or ("──" not in line and match.group("name") != "DhenaraError"):
            continue
        depth = line.index("── ") if "── " in line else -1
        name = match.group("name")
        while stack and stack[-1][0] >= depth:
            stack.pop()
        extras = re.findall(r"\(also (\w+)\)", match.group("rest"))
        tree[name] = (stack[-1][1] if stack else None, extras)
        stack.append((depth, name))
    return tree


# -- the tree ------------------------------------------------------------------------------------------------------


def test_docstring_tree_covers_every_error_class() -> None:
    tree = docstring_tree()
    defined = {
        name
        for name, value in vars(errors).items()
        # Aliases (dhenara-ai's DhenaraAPIError for APIError ...) are second names of drawn classes, not classes.
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == errors.__name__
        and value.__name__ == name
    }
    assert set(tree) == defined
    assert set(tree) <= set(dhenara_http.__all__)


@pytest.mark.parametrize("name", sorted(docstring_tree()))
def test_each_class_has_the_bases_the_docstring_draws(name: str) -> None:
    parent, extras = docstring_tree()[name]
    cls = getattr(errors, name)
    expected = [getattr(errors, parent) if parent else Exception, *(getattr(builtins, e) for e in extras)]
    assert list(cls.__bases__) == expected


def test_builtin_bases_users_rely_on() -> None:
    assert issubclass(errors.APITimeoutError, TimeoutError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(errors.CapabilityError, ConfigurationError)
    assert not issubclass(StreamError, APIError)


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (422, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (502, "InternalServerError"),
        (503, "InternalServerError"),
        (529, "OverloadedError"),
        (418, "BadRequestError"),
    ],
)
def test_status_classes(status: int, name: str) -> None:
    assert error_class_for_status(status) is getattr(errors, name)


# -- what an error shows -------------------------------------------------------------------------------------------


def full_error() -> APIError:
    return RateLimitError(
        "Rate limit reached for requests",
        provider="openai",
        model="gpt-4o-mini",
        status_code=429,
        request_id="req_abc123",
        error_type="requests",
        error_code="rate_limit_exceeded",
        retry_after=2.0,
        body={"error": {"message": "Rate limit reached for requests"}},
    )


def test_str_names_status_type_code_and_request_id() -> None:
    text = str(full_error())
    assert text.startswith("Rate limit reached for requests")
    for part in ("status=429", "type=requests", "code=rate_limit_exceeded", "request_id=req_abc123", "provider=openai"):
        assert part in text


def test_str_of_a_bare_error_is_its_message() -> None:
    assert str(APIError("boom")) == "boom"


def test_repr_names_class_message_and_status() -> None:
    text = repr(full_error())
    assert text.startswith("RateLimitError(")
    assert "'Rate limit reached for requests'" in text
    assert "429" in text


def test_stream_error_carries_partial_and_cause() -> None:
    cause = OverloadedError("Overloaded", error_type="overloaded_error", status_code=None)
    err = StreamError("the stream failed after 3 chunks", partial=None, error=cause)
    assert err.error is cause
    assert err.error_type == "overloaded_error"
    assert str(err) == "the stream failed after 3 chunks"


@pytest.mark.anyio
async def test_the_api_key_never_appears_in_an_error_from_the_client() -> None:
    """OpenAI echoes a wrong key in its 401 message; the client must scrub it everywhere."""
    body = {
        "error": {
            "message": f"Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    endpoint = AIModelEndpoint(api=AIModelAPI(provider="openai", api_key=KEY), ai_model="gpt-4o-mini")
    with respx.mock:
        respx.post("https://api.openai.com/v1/responses").mock(
            return_value=httpx.Response(401, json=body, headers={"x-request-id": "req_401"})
        )
        async with AIModelClient(model_endpoint=endpoint, config=AIModelCallConfig(retries=0), is_async=True) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.generate_async(prompt="Hi")
    err = info.value
    assert err.status_code == 401
    assert err.error_code == "invalid_api_key"
    assert "request_id=req_401" in str(err)
    for text in (str(err), repr(err), err.message, json.dumps(err.body), repr(err.args)):
        assert KEY not in text
    assert "Incorrect API key provided" in err.message


# -- AIModelAPI ----------------------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No variable AIModelAPI reads is set, whatever the machine has."""
    names = {n for names in API_KEY_ENV_VARS.values() for n in names}
    names |= {n for table in CONFIG_ENV_VARS.values() for names in table.values() for n in names}
    for name in names:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_api_key_is_masked_everywhere() -> None:
    api = AIModelAPI(provider="openai", api_key=KEY)
    dumped = [
        repr(api),
        str(api),
        str(api.model_dump()),
        json.dumps(api.model_dump(mode="json")),
        api.model_dump_json(),
    ]
    for text in dumped:
        assert KEY not in text
    assert "**" in api.model_dump_json()
    assert api.get_api_key() == KEY  # still usable for building headers


def test_credentials_are_masked_everywhere() -> None:
    token = "ya29.unit-test-access-token-SECRET"
    api = AIModelAPI(provider="google_vertex_ai", credentials={"access_token": token}, config={"project_id": "p"})
    for text in (repr(api), str(api), str(api.model_dump()), api.model_dump_json()):
        assert token not in text
    assert api.get_credentials() == {"access_token": token}
    assert token in api.secrets()


@pytest.mark.parametrize(
    ("provider", "env_name"),
    [(provider, name) for provider, names in API_KEY_ENV_VARS.items() for name in names],
    ids=lambda v: str(getattr(v, "value", v)),
)
def test_api_key_falls_back_to_the_environment(
    provider: AIModelAPIProviderEnum, env_name: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv(env_name, f"key-from-{env_name}")
    assert AIModelAPI(provider=provider).get_api_key() == f"key-from-{env_name}"
    # An explicit key wins over the environment.
    assert AIModelAPI(provider=provider, api_key="explicit").get_api_key() == "explicit"


def test_every_provider_with_a_key_has_a_documented_variable() -> None:
    expected = {
        P.OPEN_AI: "OPENAI_API_KEY",
        P.ANTHROPIC: "ANTHROPIC_API_KEY",
        P.GOOGLE_AI: "GEMINI_API_KEY",
        P.MICROSOFT_OPENAI: "AZURE_OPENAI_API_KEY",
        P.DEEPSEEK: "DEEPSEEK_API_KEY",
    }
    for provider, name in expected.items():
        assert name in API_KEY_ENV_VARS[provider]


def test_first_listed_variable_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("GOOGLE_API_KEY", "google")
    assert AIModelAPI(provider="google_gemini_api").get_api_key() == "google"
    clean_env.setenv("GEMINI_API_KEY", "gemini")
    assert AIModelAPI(provider="google_gemini_api").get_api_key() == "gemini"


def test_no_key_anywhere_is_none(clean_env: pytest.MonkeyPatch) -> None:
    assert AIModelAPI(provider="openai").get_api_key() is None


def test_azure_endpoint_comes_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AZURE_OPENAI_ENDPOINT", "https://unit.openai.azure.com")
    assert AIModelAPI(provider="microsoft_openai", api_key="k").config["endpoint"] == "https://unit.openai.azure.com"
    explicit = AIModelAPI(
        provider="microsoft_openai", api_key="k", config={"endpoint": "https://mine.openai.azure.com"}
    )
    assert explicit.config["endpoint"] == "https://mine.openai.azure.com"


@pytest.mark.parametrize(
    ("provider", "key", "env_name"),
    [(p, key, names[0]) for p, table in CONFIG_ENV_VARS.items() for key, names in table.items()],
    ids=lambda v: str(getattr(v, "value", v)),
)
def test_config_falls_back_to_the_environment(
    provider: AIModelAPIProviderEnum, key: str, env_name: str, clean_env: pytest.MonkeyPatch
) -> None:
    # A value of the kind the key takes (an http(s) URL, a region name, any string).
    kind = CONFIG_KEYS[key]
    value = {"url": f"https://{env_name.lower().replace('_', '-')}.example"}.get(
        kind, "value-of-" + key.replace("_", "-")
    )
    clean_env.setenv(env_name, value)
    assert AIModelAPI(provider=provider, api_key="k").config[key] == value


def test_unknown_provider_is_a_configuration_error_naming_it() -> None:
    with pytest.raises(ConfigurationError, match="'open-ai'") as info:
        AIModelAPI(provider="open-ai", api_key="k")
    assert "openai" in str(info.value)  # the valid values are listed
    assert isinstance(info.value, DhenaraError)


@pytest.mark.parametrize(
    ("provider", "wire"), [("openai", "grpc"), ("anthropic", "responses"), ("amazon_bedrock", "x")]
)
def test_bad_wire_api_is_a_configuration_error(provider: str, wire: str) -> None:
    with pytest.raises(ConfigurationError, match=repr(wire)) as info:
        AIModelAPI(provider=provider, api_key="k", config={"wire_api": wire})
    assert "wire_api" in str(info.value)


@pytest.mark.parametrize(
    ("provider", "wire"),
    [
        ("openai", "responses"),
        ("openai", "chat_completions"),
        ("amazon_bedrock", "converse"),
        ("amazon_bedrock", "invoke"),
    ],
)
def test_known_wire_apis_are_accepted(provider: str, wire: str) -> None:
    assert AIModelAPI(provider=provider, api_key="k", config={"wire_api": wire}).config["wire_api"] == wire


# -- AIModelCallConfig ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_output_tokens": "lots"}, "max_output_tokens"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
        ({"streaming": "maybe"}, "streaming"),
        ({"timeout": -1}, "timeout"),
        ({"retries": -1}, "retries"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"options": "temperature=0"}, "options"),
        ({"max_tokens": 100}, "max_tokens"),  # unknown field (dhenara-ai and OpenAI spell it max_output_tokens)
        ({"temperature": 0.2}, "temperature"),  # model options go in options={...}
    ],
)
def test_bad_call_config_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises((ConfigurationError, pydantic.ValidationError)) as info:
        AIModelCallConfig(**kwargs)
    assert field in str(info.value)


def test_tools_must_be_a_list() -> None:
    with pytest.raises(ConfigurationError, match="tools"):
        AIModelCallConfig(tools="get_weather")  # type: ignore[arg-type]


OBJECT = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
BAD_TOOLS = [
    pytest.param({"name": "get weather!", "parameters": OBJECT}, "get weather!", id="bad-name"),
    pytest.param({"name": "x" * 65, "parameters": OBJECT}, "x" * 65, id="name-too-long"),
    pytest.param({"name": "get_weather", "parameters": {"type": "string"}}, "get_weather", id="not-object"),
    pytest.param({"name": "get_weather", "parameters": {**OBJECT, "required": ["town"]}}, "get_weather", id="required"),
    pytest.param(
        {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "str"}}}},
        "get_weather",
        id="bad-type",
    ),
    pytest.param(
        {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"days": {"type": "array", "items": {"type": "date"}}}},
        },
        "get_weather",
        id="bad-nested-type",
    ),
    pytest.param(
        {"name": "get_weather", "parameters": {"type": "object", "properties": []}}, "get_weather", id="props"
    ),
]


@pytest.mark.parametrize(("tool", "named"), BAD_TOOLS)
def test_invalid_tool_is_a_configuration_error_naming_the_tool(tool: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ToolDefinition(**tool)
    assert repr(named) in str(info.value)


@pytest.mark.parametrize(("tool", "named"), BAD_TOOLS)
def test_invalid_tool_in_a_call_config_is_a_configuration_error_naming_the_tool(
    tool: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        AIModelCallConfig(tools=[ToolDefinition(name="fine", parameters=OBJECT), tool])  # type: ignore[list-item]
    assert repr(named) in str(info.value)
    assert isinstance(info.value, ValueError)  # still what pydantic users catch


def test_duplicate_tool_names_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="get_weather"):
        AIModelCallConfig(tools=[{"name": "get_weather", "parameters": OBJECT}] * 2)  # type: ignore[list-item]


def test_valid_tool_and_config_are_accepted() -> None:
    config = AIModelCallConfig(tools=[{"name": "get_weather", "parameters": OBJECT}], max_output_tokens=100)  # type: ignore[list-item]
    assert config.tools is not None
    assert config.tools[0].name == "get_weather"


# -- dhenara-ai's names ------------------------------------------------------------------------------------------


def test_dhenara_ai_error_names() -> None:
    from dhenara_http import APIConnectionError, APITimeoutError, DhenaraAPIError, DhenaraConnectionError

    # Built as dhenara-ai built them: (message, status_code, response).
    built = DhenaraAPIError("bad", 400, {"error": "x"})
    assert (built.status_code, built.response, built.body) == (400, {"error": "x"}, {"error": "x"})
    assert str(built) == "bad (status=400)"
    # Caught as dhenara-ai's programs catch them.
    with pytest.raises(DhenaraAPIError):
        raise RateLimitError("slow down", status_code=429)
    with pytest.raises(DhenaraConnectionError):
        raise APITimeoutError("too slow")
    assert DhenaraConnectionError is APIConnectionError
    assert issubclass(DhenaraAPIError, DhenaraError)
