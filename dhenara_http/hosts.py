"""Hosts as data: for each API provider, its default base URL, how it authenticates, which wire protocols it
speaks (the first is the default) and its quirks.

A new OpenAI-compatible host is one row here. Capabilities are flags, not ``if provider == …`` branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import ConfigurationError
from .types.api import AIModelAPI
from .types.enums import AIModelAPIProviderEnum as P
from .types.enums import AIModelProviderEnum
from .types.model import FoundationModel

AuthScheme = Literal["bearer", "x-api-key", "api-key", "x-goog-api-key", "sigv4", "google-oauth"]

#: The wire protocol names, as ``dhenara_http.protocols.<name>`` modules.
WIRE_MODULES = {
    "responses": "responses",
    "chat_completions": "chat_completions",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "converse": "converse",
    "invoke": "anthropic",
}


@dataclass(frozen=True, slots=True)
class HostProfile:
    provider: P
    base_url: str
    wire_apis: tuple[str, ...]
    auth: AuthScheme
    #: Chat Completions: the output cap field (``max_completion_tokens`` for OpenAI, ``max_tokens`` for most others).
    max_tokens_field: str = "max_tokens"
    #: Chat Completions: whether ``stream_options.include_usage`` is understood.
    stream_usage: bool = True
    #: Whether reasoning items / thinking blocks may be replayed with their signatures to this host.
    replays_reasoning: bool = True
    #: Chat Completions: reasoning models take their instructions as a ``developer`` message (OpenAI's rule).
    developer_role: bool = False
    #: Chat Completions: ``reasoning_effort`` is how reasoning is asked for, so it is sent (``medium`` unless the call
    #: names an effort) whenever the call wants reasoning. Elsewhere only an effort the call names is sent.
    sends_reasoning_effort: bool = False
    #: Chat Completions: an assistant turn with tool calls must carry its ``reasoning_content`` back (``""`` when it
    #: has none of its own): DeepSeek's thinking mode rejects a tool-call turn without it.
    replays_reasoning_content: bool = False
    #: The ``api-version`` query parameter every request carries (``config["api_version"]`` overrides it).
    api_version: str | None = None
    request_id_headers: tuple[str, ...] = ("x-request-id", "request-id")


HOSTS: dict[P, HostProfile] = {
    P.OPEN_AI: HostProfile(
        P.OPEN_AI,
        "https://api.openai.com/v1",
        ("responses", "chat_completions"),
        "bearer",
        max_tokens_field="max_completion_tokens",
        developer_role=True,
        sends_reasoning_effort=True,
    ),
    P.MICROSOFT_OPENAI: HostProfile(
        P.MICROSOFT_OPENAI,
        "{endpoint}/openai/v1",
        ("responses", "chat_completions"),
        "api-key",
        max_tokens_field="max_completion_tokens",
        developer_role=True,
        sends_reasoning_effort=True,
        request_id_headers=("x-request-id", "apim-request-id"),
    ),
    P.MICROSOFT_AZURE_AI: HostProfile(
        P.MICROSOFT_AZURE_AI,
        "{endpoint}/models",
        ("chat_completions",),
        "api-key",
        api_version="2024-05-01-preview",
        request_id_headers=("x-request-id", "apim-request-id"),
    ),
    P.DEEPSEEK: HostProfile(
        P.DEEPSEEK, "https://api.deepseek.com", ("chat_completions",), "bearer", replays_reasoning_content=True
    ),
    P.OPENAI_COMPATIBLE: HostProfile(P.OPENAI_COMPATIBLE, "{base_url}", ("chat_completions",), "bearer"),
    P.ANTHROPIC: HostProfile(
        P.ANTHROPIC, "https://api.anthropic.com/v1", ("anthropic",), "x-api-key", request_id_headers=("request-id",)
    ),
    P.GOOGLE_AI: HostProfile(
        P.GOOGLE_AI,
        "https://generativelanguage.googleapis.com/v1beta",
        ("gemini",),
        "x-goog-api-key",
        request_id_headers=("x-goog-request-id", "x-request-id"),
    ),
    P.GOOGLE_VERTEX_AI: HostProfile(
        P.GOOGLE_VERTEX_AI,
        "https://{location}-aiplatform.googleapis.com/v1",
        ("gemini", "anthropic"),
        "google-oauth",
    ),
    P.AMAZON_BEDROCK: HostProfile(
        P.AMAZON_BEDROCK,
        "https://bedrock-runtime.{region}.amazonaws.com",
        ("converse", "invoke"),
        "sigv4",
        request_id_headers=("x-amzn-requestid",),
    ),
}


#: On hosts serving several vendors, the wire each vendor's models speak there.
VENDOR_WIRES: dict[tuple[P, AIModelProviderEnum], str] = {
    (P.GOOGLE_VERTEX_AI, AIModelProviderEnum.ANTHROPIC): "anthropic",
    (P.GOOGLE_VERTEX_AI, AIModelProviderEnum.GOOGLE_AI): "gemini",
}


def host_for(api: AIModelAPI) -> HostProfile:
    return HOSTS[api.provider]


def wire_api_for(api: AIModelAPI, model: FoundationModel | None = None) -> str:
    """The wire protocol a call to this API uses: ``config["wire_api"]``, else, on a host that serves several
    vendors' models (Vertex AI), the one of the model's vendor, else the host's default."""
    host = host_for(api)
    wire = api.config.get("wire_api")
    if not wire and model is not None and len(host.wire_apis) > 1:
        wire = VENDOR_WIRES.get((api.provider, model.provider))
    wire = wire or host.wire_apis[0]
    if wire not in host.wire_apis:
        raise ConfigurationError(f"{api.provider.value} does not speak the {wire!r} wire protocol")
    return str(wire)


def base_url_for(api: AIModelAPI) -> str:
    """``config["base_url"]`` when given, else the host's default with its placeholders filled from ``config``."""
    explicit = api.config.get("base_url")
    if explicit:
        return str(explicit).rstrip("/")
    host = host_for(api)
    template = host.base_url
    values = {k: str(v).rstrip("/") for k, v in api.config.items() if isinstance(v, str | int)}
    if api.provider is P.GOOGLE_VERTEX_AI:
        location = values.setdefault("location", "us-central1")
        if location == "global":
            return "https://aiplatform.googleapis.com/v1"
    if api.provider is P.AMAZON_BEDROCK:
        values.setdefault("region", "us-east-1")
    try:
        return template.format(**values)
    except KeyError as missing:
        raise ConfigurationError(
            f"AIModelAPI({api.provider.value}).config needs {missing.args[0]!r} to build the endpoint URL"
        ) from None


def auth_headers(api: AIModelAPI) -> dict[str, str]:
    """The static auth headers of a key-based host (signing schemes are handled by the transport)."""
    host = host_for(api)
    key = api.get_api_key()
    if host.auth == "google-oauth":
        token = api.get_credentials().get("access_token") or key
        if not token:
            raise ConfigurationError(
                f"AIModelAPI({api.provider.value}): give credentials={{'access_token': ...}} (an OAuth access token, "
                "e.g. from `gcloud auth print-access-token`); signing service-account keys is not supported yet"
            )
        return {"authorization": f"Bearer {token}"}
    if host.auth == "sigv4":
        return {}
    if not key:
        if api.provider is P.OPENAI_COMPATIBLE:
            return {}
        raise ConfigurationError(
            f"AIModelAPI({api.provider.value}): no api_key given and none found in the environment"
        )
    if host.auth == "bearer":
        return {"authorization": f"Bearer {key}"}
    return {host.auth: key}
