"""``AIModelAPI``: the credentials and settings of one API host."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from pydantic import Field, Secret, SecretStr, field_serializer, field_validator, model_validator

from ..errors import ConfigurationError
from ._base import BaseModel
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


def _mask_headers(config: Any) -> Any:
    """``config`` with the values of its extra ``headers`` hidden (they may be credentials)."""
    if not isinstance(config, dict) or not isinstance(config.get("headers"), dict):
        return config
    return {**config, "headers": dict.fromkeys(config["headers"], "**********")}


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
    Host-specific ones: ``endpoint`` (Azure), ``project_id`` / ``location`` (Vertex), ``region`` (Bedrock),
    ``api_version`` (Anthropic's ``anthropic-version``).
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

    @model_validator(mode="after")
    def _fill_from_environment(self) -> AIModelAPI:
        if self.api_key is None:
            key = _first_env(API_KEY_ENV_VARS.get(self.provider, ()))
            if key:
                self.api_key = SecretStr(key)
        config = dict(self.config)
        for key_name, env_names in CONFIG_ENV_VARS.get(self.provider, {}).items():
            if key_name not in config:
                value = _first_env(env_names)
                if value:
                    config[key_name] = value
        if self.provider is AIModelAPIProviderEnum.GOOGLE_VERTEX_AI:
            self._read_vertex_credentials(config)
        if "base_url" not in config:
            override = base_url_from_environment(self.provider)
            if override:
                config["base_url"] = override
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

    @field_serializer("config", when_used="json")
    def _config_without_header_values(self, config: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = _mask_headers(config)
        return masked

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, (_mask_headers(value) if name == "config" else value)
