"""Hosts as data: for each API provider, its default base URL, how it authenticates, which wire protocols it
speaks (the first is the default) and its quirks.

A new OpenAI-compatible host is one row here. Capabilities are flags, not ``if provider == …`` branches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Literal
from urllib.parse import parse_qsl, quote

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
    "openai_images": "openai_images",
    "imagen": "imagen",
}


#: Each wire's routes on a host that does not name its own: (path, stream path) templates relative to the base URL.
#: Placeholders: ``{model}`` (the model id on this host, URL-quoted: a ``:`` becomes ``%3A``, an ``@`` stays),
#: ``{model_resource}``
#: (Gemini: ``models/<id>``, or the name as given when it is already a resource path such as ``tunedModels/x``), and
#: any ``AIModelAPI.config`` value (``{project_id}``, ``{location}``, ``{region}`` …). A ``?k=v`` tail is the query.
DEFAULT_ROUTES: dict[str, tuple[str, str]] = {
    "responses": ("/responses", "/responses"),
    "chat_completions": ("/chat/completions", "/chat/completions"),
    "anthropic": ("/messages", "/messages"),
    "gemini": ("/{model_resource}:generateContent", "/{model_resource}:streamGenerateContent?alt=sse"),
    # Image wires answer in one piece (a stream is refused before sending), so both templates are the same.
    "openai_images": ("/images/generations", "/images/generations"),
    "imagen": ("/{model_resource}:predict", "/{model_resource}:predict"),
}

_VERTEX_PUBLISHER = "/projects/{project_id}/locations/{location}/publishers"
#: Config values a route template needs, with their defaults (None: required).
_ROUTE_DEFAULTS: dict[str, str | None] = {"project_id": None, "location": "us-central1", "region": "us-east-1"}


@dataclass(frozen=True, slots=True)
class HostProfile:
    provider: P
    base_url: str
    wire_apis: tuple[str, ...]
    auth: AuthScheme
    #: Routes of this host's wires where they differ from :data:`DEFAULT_ROUTES`.
    routes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: Per wire: the stream framing when it is not the protocol's own ``FRAMING`` (Bedrock: AWS event streams).
    framing: Mapping[str, str] = field(default_factory=dict)
    #: Anthropic Messages: the body names no ``model`` (it is in the path) and carries this ``anthropic_version``
    #: instead of the ``anthropic-version`` header (Vertex AI, Bedrock InvokeModel). Per wire.
    anthropic_body_version: Mapping[str, str] = field(default_factory=dict)
    #: Anthropic Messages: wires on which the route alone says whether to stream (Bedrock's ``/invoke`` and
    #: ``/invoke-with-response-stream``), so the body carries no ``stream`` field.
    anthropic_stream_by_route: frozenset[str] = frozenset()
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
    #: The base URL when ``config["location"]`` is ``global`` (Vertex AI).
    global_base_url: str | None = None
    #: The model ``metadata`` key naming the location a model is served from, used when the API names no location
    #: (Vertex AI serves Gemini 3 models only from ``global``; the catalogue says so).
    model_location_key: str | None = None
    #: The wire whose error reader reads this host's error answers, whatever wire the call speaks: Bedrock answers
    #: ``{"message": …}`` with ``x-amzn-errortype`` on InvokeModel too, not the Anthropic API's error object.
    error_wire: str | None = None
    #: Per image wire: options this host does not take (the Gemini API's Imagen takes no watermark switch, seed or
    #: negative prompt, which Vertex AI's does). A model default among them is left out; one the call gives is a
    #: ``CapabilityError``.
    unsupported_image_options: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def route(self, wire: str, model: str, config: Mapping[str, Any], stream: bool) -> tuple[str, dict[str, str]]:
        """The path (relative to the base URL) and query of a call on ``wire`` to ``model``."""
        templates = self.routes.get(wire) or DEFAULT_ROUTES.get(wire)
        if templates is None:
            raise ConfigurationError(f"{self.provider.value} has no route for the {wire!r} wire protocol")
        template = templates[1] if stream else templates[0]
        path, _, query = template.partition("?")
        quoted = _quoted_model(model)
        values: dict[str, str] = {
            "model": quoted,
            "model_resource": model if "/" in model else f"models/{quoted}",
        }
        for name in _placeholders(path):
            if name in values:
                continue
            given = config.get(name)
            value = str(given) if given not in (None, "") else _ROUTE_DEFAULTS.get(name)
            if value is None:
                raise ConfigurationError(f"AIModelAPI({self.provider.value}).config needs {name!r}")
            values[name] = quote(value, safe="")
        params = dict(_query(query)) if query else {}
        return path.format(**values), params

    def framing_for(self, wire: str, default: str) -> str:
        return self.framing.get(wire, default)

    def call_config(self, config: Mapping[str, Any], model: FoundationModel | None) -> Mapping[str, Any]:
        """``config`` as a call to ``model`` uses it: with the location the catalogue gives the model when the API
        names none (``config["location"]``, or ``GOOGLE_CLOUD_LOCATION`` which fills it)."""
        if self.model_location_key is None or model is None or config.get("location"):
            return config
        where = model.metadata.get(self.model_location_key)
        return {**config, "location": where} if isinstance(where, str) and where else config


@functools.lru_cache(maxsize=256)
def _placeholders(template: str) -> tuple[str, ...]:
    """The ``{names}`` of a route template (kept per template: routes are worked out on every call)."""
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


@functools.lru_cache(maxsize=256)
def _quoted_model(model: str) -> str:
    return quote(model, safe="@")


@functools.lru_cache(maxsize=256)
def _query(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query))


HOSTS: dict[P, HostProfile] = {
    P.OPEN_AI: HostProfile(
        P.OPEN_AI,
        "https://api.openai.com/v1",
        ("responses", "chat_completions", "openai_images"),
        "bearer",
        max_tokens_field="max_completion_tokens",
        developer_role=True,
        sends_reasoning_effort=True,
    ),
    P.MICROSOFT_OPENAI: HostProfile(
        P.MICROSOFT_OPENAI,
        "{endpoint}/openai/v1",
        ("responses", "chat_completions", "openai_images"),
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
    P.OPENAI_COMPATIBLE: HostProfile(
        P.OPENAI_COMPATIBLE, "{base_url}", ("chat_completions", "openai_images"), "bearer"
    ),
    P.ANTHROPIC: HostProfile(
        P.ANTHROPIC, "https://api.anthropic.com/v1", ("anthropic",), "x-api-key", request_id_headers=("request-id",)
    ),
    P.GOOGLE_AI: HostProfile(
        P.GOOGLE_AI,
        "https://generativelanguage.googleapis.com/v1beta",
        ("gemini", "imagen"),
        "x-goog-api-key",
        request_id_headers=("x-goog-request-id", "x-request-id"),
        unsupported_image_options={
            "imagen": frozenset({"add_watermark", "seed", "negative_prompt", "enhance_prompt", "storage_uri", "labels"})
        },
    ),
    P.GOOGLE_VERTEX_AI: HostProfile(
        P.GOOGLE_VERTEX_AI,
        "https://{location}-aiplatform.googleapis.com/v1",
        ("gemini", "anthropic", "imagen"),
        "google-oauth",
        routes={
            "gemini": (
                _VERTEX_PUBLISHER + "/google/models/{model}:generateContent",
                _VERTEX_PUBLISHER + "/google/models/{model}:streamGenerateContent?alt=sse",
            ),
            "imagen": (
                _VERTEX_PUBLISHER + "/google/models/{model}:predict",
                _VERTEX_PUBLISHER + "/google/models/{model}:predict",
            ),
            "anthropic": (
                _VERTEX_PUBLISHER + "/anthropic/models/{model}:rawPredict",
                _VERTEX_PUBLISHER + "/anthropic/models/{model}:streamRawPredict",
            ),
        },
        anthropic_body_version={"anthropic": "vertex-2023-10-16"},
        global_base_url="https://aiplatform.googleapis.com/v1",
        model_location_key="google_vertex_location",
        request_id_headers=("x-goog-request-id", "x-request-id"),
    ),
    P.AMAZON_BEDROCK: HostProfile(
        P.AMAZON_BEDROCK,
        "https://bedrock-runtime.{region}.amazonaws.com",
        ("converse", "invoke"),
        "sigv4",
        routes={
            "converse": ("/model/{model}/converse", "/model/{model}/converse-stream"),
            "invoke": ("/model/{model}/invoke", "/model/{model}/invoke-with-response-stream"),
        },
        framing={"converse": "aws-eventstream", "invoke": "aws-eventstream"},
        anthropic_body_version={"invoke": "bedrock-2023-05-31"},
        anthropic_stream_by_route=frozenset({"invoke"}),
        request_id_headers=("x-amzn-requestid",),
        error_wire="converse",
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
    """The wire protocol a call to this API uses: an image model's own wire when its catalogue entry names one
    (``openai_images``, ``imagen``: ``config["wire_api"]`` picks among chat wires, which cannot make its images),
    else ``config["wire_api"]``, else, on a host that serves several vendors' models (Vertex AI), the one of the
    model's vendor, else the host's default."""
    host = host_for(api)
    image_settings = model.image_settings if model is not None else None
    wire = image_settings.wire_api if image_settings is not None else None
    wire = wire or api.config.get("wire_api")
    if not wire and model is not None and len(host.wire_apis) > 1:
        wire = VENDOR_WIRES.get((api.provider, model.provider))
    wire = wire or host.wire_apis[0]
    if wire not in host.wire_apis:
        raise ConfigurationError(f"{api.provider.value} does not speak the {wire!r} wire protocol")
    return str(wire)


_LABEL = re.compile(r"^[A-Za-z0-9-]+$")


def base_url_for(api: AIModelAPI, model: FoundationModel | None = None) -> str:
    """``config["base_url"]`` when given, else the host's default with its placeholders filled from ``config`` (and,
    on Vertex AI, from the location the catalogue gives ``model`` when the API names none)."""
    explicit = api.config.get("base_url")
    if explicit:
        return str(explicit).rstrip("/")
    host = host_for(api)
    template = host.base_url
    config = host.call_config(api.config, model)
    values = {k: str(v).rstrip("/") for k, v in config.items() if isinstance(v, str | int)}
    for name in _placeholders(template):
        default = _ROUTE_DEFAULTS.get(name)
        if default is not None:
            values.setdefault(name, default)
    if host.global_base_url and values.get("location") == "global":
        return host.global_base_url
    for name in ("region", "location"):
        value = values.get(name)
        if value is not None and name in template and not _LABEL.match(value):
            # Checked here, when the call needs the host name, not when the API is made (a placeholder region in a
            # program that never calls is fine), and still before anything is sent.
            raise ConfigurationError(
                f"AIModelAPI({api.provider.value}).config[{name!r}]: {value!r} is not a region name "
                "(letters, digits and '-' only): it is part of the host name"
            )
    try:
        return template.format(**values)
    except KeyError as missing:
        raise ConfigurationError(
            f"AIModelAPI({api.provider.value}).config needs {missing.args[0]!r} to build the endpoint URL"
        ) from None
