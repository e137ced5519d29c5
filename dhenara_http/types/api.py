"""``AIModelAPI``: the credentials and settings of one API host."""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import json
import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import (
    Field,
    Secret,
    SecretStr,
    SerializationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from ..errors._tree import ConfigurationError
from ._base import BaseModel, did_you_mean
from .enums import AIModelAPIProviderEnum

#: Environment variables read, in order, when ``api_key`` is not given.
API_KEY_ENV_VARS: dict[AIModelAPIProviderEnum, tuple[str, ...]] = {
    AIModelAPIProviderEnum.OPEN_AI: ("OPENAI_API_KEY",),
    AIModelAPIProviderEnum.ANTHROPIC: ("ANTHROPIC_API_KEY",),
    AIModelAPIProviderEnum.GOOGLE_AI: ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    AIModelAPIProviderEnum.GOOGLE_VERTEX_AI: (),
    AIModelAPIProviderEnum.AMAZON_BEDROCK: ("AWS_BEARER_TOKEN_BEDROCK",),
    AIModelAPIProviderEnum.MICROSOFT_OPENAI: ("AZURE_OPENAI_API_KEY",),
    AIModelAPIProviderEnum.MICROSOFT_AZURE_AI: ("AZURE_AI_API_KEY", "AZURE_INFERENCE_CREDENTIAL"),
    AIModelAPIProviderEnum.DEEPSEEK: ("DEEPSEEK_API_KEY",),
    AIModelAPIProviderEnum.OPENAI_COMPATIBLE: ("OPENAI_COMPATIBLE_API_KEY",),
}

#: Environment variables that fill ``config`` keys when those are not given.
CONFIG_ENV_VARS: dict[AIModelAPIProviderEnum, dict[str, tuple[str, ...]]] = {
    AIModelAPIProviderEnum.MICROSOFT_OPENAI: {"endpoint": ("AZURE_OPENAI_ENDPOINT",)},
    AIModelAPIProviderEnum.MICROSOFT_AZURE_AI: {"endpoint": ("AZURE_AI_ENDPOINT",)},
    AIModelAPIProviderEnum.GOOGLE_VERTEX_AI: {
        "project_id": ("GOOGLE_CLOUD_PROJECT", "VERTEXAI_PROJECT"),
        "location": ("GOOGLE_CLOUD_LOCATION", "VERTEXAI_LOCATION"),
    },
    AIModelAPIProviderEnum.AMAZON_BEDROCK: {"region": ("AWS_REGION", "AWS_DEFAULT_REGION")},
    AIModelAPIProviderEnum.OPENAI_COMPATIBLE: {"base_url": ("OPENAI_COMPATIBLE_BASE_URL",)},
}

#: ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` (the provider's value in capitals: ``DHENARA_HTTP_BASE_URL_OPENAI``,
#: ``…_ANTHROPIC``, ``…_GOOGLE_GEMINI_API``) sets ``config["base_url"]`` of an API built without one, so a program
#: can be pointed at a gateway or at the mock server of ``dhenara_http.testing`` without editing it.
BASE_URL_ENV_PREFIX = "DHENARA_HTTP_BASE_URL_"


#: The official SDKs' base-URL variables, read after ``DHENARA_HTTP_BASE_URL_<PROVIDER>``, each with the path its SDK
#: adds to it: ``OPENAI_BASE_URL`` ends in ``/v1`` as ours does; ``ANTHROPIC_BASE_URL`` and ``GOOGLE_GEMINI_BASE_URL``
#: are the host root, to which the Anthropic SDK adds ``/v1/…`` and google-genai its API version (``v1beta``).
#: Azure's ``AZURE_OPENAI_ENDPOINT`` fills ``config["endpoint"]`` instead (see :data:`CONFIG_ENV_VARS`).
SDK_BASE_URL_ENV_VARS: dict[AIModelAPIProviderEnum, tuple[tuple[str, str], ...]] = {
    AIModelAPIProviderEnum.OPEN_AI: (("OPENAI_BASE_URL", ""),),
    AIModelAPIProviderEnum.ANTHROPIC: (("ANTHROPIC_BASE_URL", "/v1"),),
    AIModelAPIProviderEnum.GOOGLE_AI: (("GOOGLE_GEMINI_BASE_URL", "/v1beta"), ("GEMINI_BASE_URL", "/v1beta")),
}


def base_url_from_environment(provider: AIModelAPIProviderEnum) -> str | None:
    """The base URL the environment gives ``provider``'s APIs: ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` as it is, else
    the provider SDK's own variable with the meaning that SDK gives it; None when neither is set."""
    override = os.environ.get(base_url_env_var(provider))
    if override:
        return override
    for name, suffix in SDK_BASE_URL_ENV_VARS.get(provider, ()):
        value = os.environ.get(name, "").strip()
        if value:
            root = value.rstrip("/")
            return root if not suffix or root.endswith(suffix) else root + suffix
    return None


def base_url_env_var(provider: AIModelAPIProviderEnum) -> str:
    """The environment variable that overrides the base URL of ``provider``'s APIs."""
    return BASE_URL_ENV_PREFIX + provider.value.upper()


_KNOWN_WIRE_APIS: dict[AIModelAPIProviderEnum, tuple[str, ...]] = {
    AIModelAPIProviderEnum.OPEN_AI: ("responses", "chat_completions"),
    AIModelAPIProviderEnum.MICROSOFT_OPENAI: ("responses", "chat_completions"),
    AIModelAPIProviderEnum.AMAZON_BEDROCK: ("converse", "invoke"),
    AIModelAPIProviderEnum.GOOGLE_VERTEX_AI: ("gemini", "anthropic"),
}


#: Every key ``AIModelAPI.config`` understands, with the kind of value it takes. An unknown key is refused (with the
#: closest known ones suggested): a misspelt ``baseurl`` would otherwise send the call to the real provider.
CONFIG_KEYS: dict[str, str] = {
    "base_url": "url",  # every provider: the endpoint to call instead of the default
    "wire_api": "str",  # the wire protocol, where a host speaks several
    "headers": "headers",  # extra request headers (their values are treated as secrets)
    "endpoint": "url",  # Azure OpenAI / Azure AI: https://NAME.openai.azure.com
    "deployment": "str",  # the model id sent (Azure deployments, Bedrock inference profiles)
    "api_version": "str",  # Anthropic's anthropic-version header; Azure's api-version query
    "anthropic_version": "str",  # Anthropic Messages in the body (Vertex AI, Bedrock InvokeModel)
    "betas": "betas",  # Anthropic: the anthropic-beta header's features
    "replay_reasoning": "bool",  # OpenAI-compatible hosts: send reasoning back on tool-call turns
    "project_id": "str",  # Vertex AI
    "location": "label",  # Vertex AI region (part of the host name)
    "region": "label",  # Bedrock region (part of the host name)
    "profile": "str",  # Bedrock: the shared-credentials profile
}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_MASK = "**********"


def header_value_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as an HTTP header value (None when it can). The answer never quotes the value:
    it is usually a credential."""
    if "\r" in value or "\n" in value:
        return "contains a line break (CR or LF); read from a file, it may need .strip()"
    if not value.isascii():
        return "contains a non-ASCII character, which an HTTP header cannot carry"
    if any((ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F for ch in value):
        return "contains a control character"
    if value != value.strip(" \t"):
        return "starts or ends with whitespace, which an HTTP header cannot carry"
    return None


def _check_url(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ConfigurationError(f"{where}: expected a URL string, got {type(value).__name__}")
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        # (The URL itself is not quoted: it may carry a user name and password.)
        found = f"its scheme is {parts.scheme!r}" if parts.scheme else "it has no scheme"
        raise ConfigurationError(
            f"{where}: not an http(s) URL ({found}); give the scheme and the host, e.g. 'https://host/v1'"
        )
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in value.strip()):
        raise ConfigurationError(f"{where}: the URL contains whitespace or a control character")


def _check_headers(where: str, headers: Any) -> None:
    if not isinstance(headers, dict):
        raise ConfigurationError(f"{where}: expected a dict of header names to values, got {type(headers).__name__}")
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigurationError(f"{where}: {name!r} is not a valid header name")
        if not isinstance(value, str):
            raise ConfigurationError(f"{where}[{name!r}]: expected a string value, got {type(value).__name__}")
        problem = header_value_problem(value)
        if problem:
            raise ConfigurationError(f"{where}[{name!r}]: the value {problem}")


def _check_config(provider: AIModelAPIProviderEnum, config: dict[str, Any], sources: dict[str, str]) -> None:
    """Every key known and every value of the kind it takes (``sources`` names the environment variable a value came
    from, for the message)."""
    for key, value in config.items():
        kind = CONFIG_KEYS.get(key) if isinstance(key, str) else None
        if kind is None:
            raise ConfigurationError(
                f"AIModelAPI.config: unknown key {key!r}"
                + did_you_mean(str(key), CONFIG_KEYS)
                + f" (known: {', '.join(CONFIG_KEYS)})"
            )
        if value is None:
            continue
        where = f"AIModelAPI.config[{key!r}]" + (f" (from ${sources[key]})" if key in sources else "")
        if kind == "url":
            _check_url(where, value)
        elif kind == "headers":
            _check_headers(where, value)
        elif kind == "bool" and not isinstance(value, bool):
            raise ConfigurationError(f"{where}: expected True or False, got {type(value).__name__}")
        elif kind == "betas" and not (
            isinstance(value, str) or (isinstance(value, list | tuple) and all(isinstance(b, str) for b in value))
        ):
            raise ConfigurationError(f"{where}: expected a string or a list of strings")
        elif kind in ("str", "label") and not isinstance(value, str):
            # (A region's spelling is checked when a call builds the host name from it: hosts.base_url_for.)
            raise ConfigurationError(f"{where}: expected a string, got {type(value).__name__}")


def _check_key(where: str, key: str) -> None:
    problem = header_value_problem(key)
    if problem:
        raise ConfigurationError(f"{where}: the key {problem}")


#: Credentials that are sent in a header as they are.
_HEADER_CREDENTIALS = ("access_token", "session_token", "access_key_id")


def _mask_headers(config: Any) -> Any:
    """``config`` with the values of its extra ``headers`` hidden (they may be credentials)."""
    if not isinstance(config, dict) or not isinstance(config.get("headers"), dict):
        return config
    return {**config, "headers": dict.fromkeys(config["headers"], _MASK)}


def _project_of_key_file(path: str | None) -> Any:
    """The project of the credentials file at ``path`` (a service account's ``project_id``, gcloud user credentials'
    ``quota_project_id``), or None. A file that cannot be read is reported by the signer, when the call needs it."""
    if not path:
        return None
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data.get("project_id") or data.get("quota_project_id") if isinstance(data, dict) else None


def _first_env(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


class AIModelAPI(BaseModel):
    """Credentials and settings for one API host.

    ``api_key`` and ``credentials`` are secrets: ``repr``, ``str`` and ``model_dump`` show them masked.
    When ``api_key`` is omitted, the provider's usual environment variable is read (``OPENAI_API_KEY`` …).

    ``config`` keys understood by every provider: ``base_url`` (overrides the default endpoint; when absent,
    ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` from the environment, then the provider SDK's own variable —
    ``OPENAI_BASE_URL``, ``ANTHROPIC_BASE_URL``, ``GOOGLE_GEMINI_BASE_URL`` — see :func:`base_url_from_environment`),
    ``wire_api`` (``"responses"`` or ``"chat_completions"`` for OpenAI hosts), ``headers`` (extra request headers).
    Host-specific ones: ``endpoint`` (Azure), ``project_id`` / ``location`` (Vertex), ``region`` / ``profile``
    (Bedrock), ``api_version`` (Anthropic's ``anthropic-version``), ``anthropic_version``, ``betas``, ``deployment``,
    ``replay_reasoning``. :data:`CONFIG_KEYS` lists them all.

    Bad values are a ``ConfigurationError`` here, before anything is sent: an unknown key (with "did you mean"), a
    ``base_url`` / ``endpoint`` that is not an http(s) URL, ``headers`` that are not a dict of strings, and a key or
    header that an HTTP header cannot carry (CR, LF, non-ASCII, surrounding whitespace). The messages never quote a
    key or a header value.
    """

    provider: AIModelAPIProviderEnum
    api_key: SecretStr | None = None
    credentials: Secret[dict[str, Any]] | None = None
    config: dict[str, Any] = Field(default_factory=dict)

    if TYPE_CHECKING:
        # What the constructor accepts (type checkers would otherwise ask for a SecretStr): plain strings and dicts
        # are wrapped as secrets by validation. A test keeps these parameters equal to the fields.
        def __init__(
            self,
            *,
            provider: AIModelAPIProviderEnum | str,
            api_key: str | SecretStr | None = None,
            credentials: dict[str, Any] | Secret[dict[str, Any]] | None = None,
            config: dict[str, Any] | None = ...,
        ) -> None: ...

    @field_validator("config", mode="before")
    @classmethod
    def _no_config(cls, value: Any) -> Any:
        # ``config=None`` means no settings (API.md section 2 allows it; dhenara-ai programs pass it).
        return {} if value is None else value

    @field_validator("provider", mode="before")
    @classmethod
    def _known_provider(cls, value: Any) -> Any:
        if isinstance(value, AIModelAPIProviderEnum):
            return value
        try:
            return AIModelAPIProviderEnum(value)
        except ValueError:
            known = ", ".join(p.value for p in AIModelAPIProviderEnum)
            raise ConfigurationError(f"AIModelAPI.provider: unknown provider {value!r}; expected one of {known}")

    @field_validator("config", mode="before")
    @classmethod
    def _unwrap_header_values(cls, value: Any) -> Any:
        # A python-mode dump holds header values as SecretStr (see _dump_config); reading it back unwraps them.
        if isinstance(value, dict) and isinstance(value.get("headers"), dict):
            headers = {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in value["headers"].items()}
            value = {**value, "headers": headers}
        return value

    @model_validator(mode="after")
    def _fill_from_environment(self) -> "AIModelAPI":
        sources: dict[str, str] = {}
        if self.api_key is None:
            names = API_KEY_ENV_VARS.get(self.provider, ())
            key = _first_env(names)
            if key:
                self.api_key = SecretStr(key)
                sources["api_key"] = next(n for n in names if os.environ.get(n))
        config = dict(self.config)
        for key_name, env_names in CONFIG_ENV_VARS.get(self.provider, {}).items():
            if key_name not in config:
                value = _first_env(env_names)
                if value:
                    config[key_name] = value
                    sources[key_name] = next(n for n in env_names if os.environ.get(n))
        if self.provider is AIModelAPIProviderEnum.GOOGLE_VERTEX_AI:
            self._read_vertex_credentials(config)
        if "base_url" not in config:
            override = base_url_from_environment(self.provider)
            if override:
                config["base_url"] = override
                sources["base_url"] = base_url_env_var(self.provider)
        _check_config(self.provider, config, sources)
        if self.api_key is not None:
            where = "AIModelAPI.api_key" + (f" (from ${sources['api_key']})" if "api_key" in sources else "")
            _check_key(where, self.api_key.get_secret_value())
        credentials = self.credentials.get_secret_value() if self.credentials is not None else {}
        for name in _HEADER_CREDENTIALS:
            if isinstance(credentials.get(name), str):
                _check_key(f"AIModelAPI.credentials[{name!r}]", credentials[name])
        wire_api = config.get("wire_api")
        if wire_api is not None:
            allowed = _KNOWN_WIRE_APIS.get(self.provider, ())
            if wire_api not in allowed:
                raise ConfigurationError(
                    f"AIModelAPI.config['wire_api']: {wire_api!r} is not a wire protocol of {self.provider.value}"
                    + (f"; expected one of {', '.join(allowed)}" if allowed else "")
                )
        self.config = config
        return self

    def _read_vertex_credentials(self, config: dict[str, Any]) -> None:
        """A service-account key given as JSON text is parsed now (a malformed one is a ``ConfigurationError`` here,
        not at the first call), and its ``project_id`` is the default of ``config["project_id"]`` — as is the one of
        the key file ``GOOGLE_APPLICATION_CREDENTIALS`` names when no credentials are given."""
        credentials = self.get_credentials()
        account = credentials.get("service_account_json")
        if isinstance(account, str):
            try:
                account = json.loads(account)
            except ValueError as exc:
                raise ConfigurationError(
                    "AIModelAPI.credentials['service_account_json'] is not valid JSON "
                    f"(line {getattr(exc, 'lineno', '?')}); give the key file's JSON object, as a dict or as text"
                ) from None
            if not isinstance(account, dict):
                raise ConfigurationError("AIModelAPI.credentials['service_account_json'] must be a JSON object")
            self.credentials = Secret({**credentials, "service_account_json": account})
        if config.get("project_id"):
            return
        project: Any = None
        if isinstance(account, dict):
            project = account.get("project_id")
        elif not credentials and self.api_key is None:
            project = _project_of_key_file(os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"))
        if isinstance(project, str) and project:
            config["project_id"] = project

    def get_api_key(self) -> str | None:
        """The key in clear text, for building request headers only."""
        return self.api_key.get_secret_value() if self.api_key is not None else None

    def get_credentials(self) -> dict[str, Any]:
        """The credentials in clear text, for signing requests only."""
        return dict(self.credentials.get_secret_value()) if self.credentials is not None else {}

    def secrets(self) -> list[str]:
        """Every secret string this API holds, so that the transport can scrub them from error messages."""
        found: list[str] = []
        key = self.get_api_key()
        if key:
            found.append(key)

        def walk(value: Any) -> None:
            if isinstance(value, str) and len(value) >= 8:
                found.append(value)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list | tuple):
                for v in value:
                    walk(v)

        walk(self.get_credentials())
        # Extra headers may carry credentials of their own (a gateway key, a subscription key).
        walk(self.config.get("headers") or {})
        return found

    @field_serializer("config")
    def _dump_config(self, config: dict[str, Any], info: SerializationInfo) -> dict[str, Any]:
        """The extra headers' values never show in a dump: masked text in JSON, ``SecretStr`` in python mode (its repr
        is masked; reading the dump back with ``model_validate`` restores the values, as for ``api_key``)."""
        headers = config.get("headers")
        if not isinstance(headers, dict):
            return config
        if info.mode == "json":
            masked: dict[str, Any] = _mask_headers(config)
            return masked
        return {**config, "headers": {k: SecretStr(v) if isinstance(v, str) else v for k, v in headers.items()}}

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, (_mask_headers(value) if name == "config" else value)
