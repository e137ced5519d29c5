"""``ResourceConfig``: the APIs and endpoints of an application, from a credentials file or the environment.

A credentials file has one table per API provider (the ``AIModelAPIProviderEnum`` values) with ``api_key``,
``credentials`` and ``config``, as ``AIModelAPI`` takes them::

    [openai]
    api_key = "sk-..."

    [google_vertex_ai.credentials]
    service_account_json = "service-account.json"   # a path (relative to this file), a JSON string, or a table
    [google_vertex_ai.config]
    project_id = "my-project"
    location = "us-central1"

TOML, JSON and YAML are read (YAML with PyYAML when it is installed, else the subset such files use). Values still
holding the template's ``<YOUR_...>`` placeholders count as absent: a provider left with nothing is configured from
its environment variables when they configure it (as an ``AIModelAPI`` without a key reads the key from there), else
skipped. Errors name the file, and the line and column of a syntax error, but never quote the file: it holds secrets.

``python -m dhenara_http.resource_config init credentials.toml`` writes a template to fill in;
``python -m dhenara_http.resource_config check credentials.toml`` says what a file provides (never the secrets).

:meth:`ResourceConfig.get_model_endpoint` finds or builds the endpoint for a model name: on the API named, or else on
the first configured API of the model's vendor in dhenara-ai's preference order (Anthropic: Anthropic, Bedrock,
Vertex; OpenAI: OpenAI, Azure OpenAI; Google: Vertex, Gemini API; DeepSeek: DeepSeek, Azure OpenAI, Azure AI).
:meth:`ResourceConfig.get_resource` answers dhenara-ai's :class:`~dhenara_http.types.resource.ResourceConfigItem`
queries the same way. One model on one API has one endpoint: listing a model twice, or initialising twice, adds no
second endpoint.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field

from ._credentials import (
    DEFAULT_SECRET_DIR,
    SECRET_DIR_ENV,
    api_from_section,
    apis_from_environment,
    parse_provider,
    read_credentials_file,
    template_text,
)
from .errors import ConfigurationError
from .types._base import BaseModel
from .types._defaults import new_list
from .types.api import AIModelAPI
from .types.endpoint import AIModelEndpoint, generic_model
from .types.enums import AIModelAPIProviderEnum as P
from .types.enums import AIModelProviderEnum as V
from .types.enums import ResourceConfigItemTypeEnum
from .types.model import FoundationModel
from .types.resource import ResourceConfigItem

logger = logging.getLogger("dhenara_http.resource_config")

__all__ = [
    "API_PREFERENCE",
    "MODEL_TO_API_MAPPING",
    "ResourceConfig",
    "api_from_section",
    "apis_from_environment",
    "main",
    "template_text",
]

#: For each vendor, the hosts that serve its models, preferred first.
API_PREFERENCE: dict[V, tuple[P, ...]] = {
    V.ANTHROPIC: (P.ANTHROPIC, P.AMAZON_BEDROCK, P.GOOGLE_VERTEX_AI),
    V.OPEN_AI: (P.OPEN_AI, P.MICROSOFT_OPENAI),
    V.GOOGLE_AI: (P.GOOGLE_VERTEX_AI, P.GOOGLE_AI),
    V.DEEPSEEK: (P.DEEPSEEK, P.MICROSOFT_OPENAI, P.MICROSOFT_AZURE_AI),
}
#: dhenara-ai's name of :data:`API_PREFERENCE`.
MODEL_TO_API_MAPPING = API_PREFERENCE
#: Hosts that know a vendor's models by ids of their own: a model is served there only when its entry has one.
_RENAMING_HOSTS = {(V.ANTHROPIC, P.AMAZON_BEDROCK), (V.ANTHROPIC, P.GOOGLE_VERTEX_AI)}

# -- the config ------------------------------------------------------------------------------------------------------


def _matches(endpoint: AIModelEndpoint, key: str, value: object) -> bool:
    model = endpoint.ai_model
    if key == "model_name":
        return value in (model.model_name, *model.known_ids(), *model.metadata.get("legacy_names", ()))
    if key == "model_display_name":
        return bool(model.display_name == value)
    if key == "api_provider":
        return bool(endpoint.api.provider == parse_provider(str(value)))
    return bool(key == "reference_number" and endpoint.reference_number == value)


def _servable(model: FoundationModel, provider: P, name: str) -> bool:
    if (model.provider, provider) not in _RENAMING_HOSTS:
        return True
    return provider.value in model.host_model_names or name not in (model.model_name, *model.aliases)


class ResourceConfig(BaseModel):
    """The models, APIs and endpoints an application uses.

    ``ResourceConfig.from_file(path)`` / ``from_env()`` (or ``load_from_file`` / ``load_from_env`` on an instance,
    as in dhenara-ai) fill ``model_apis``; ``get_model_endpoint(name)`` then gives a ready endpoint."""

    models: list[FoundationModel] = Field(default_factory=new_list)
    model_apis: list[AIModelAPI] = Field(default_factory=new_list)
    model_endpoints: list[AIModelEndpoint] = Field(default_factory=new_list)

    # -- loading

    @classmethod
    def from_file(
        cls, credentials_file: str | Path | None = None, *, models: Sequence[FoundationModel] | None = None
    ) -> ResourceConfig:
        return cls().load_from_file(credentials_file, models=models)

    @classmethod
    def from_env(cls, *, models: Sequence[FoundationModel] | None = None) -> ResourceConfig:
        return cls().load_from_env(models=models)

    def load_from_file(
        self,
        credentials_file: str | Path | None = None,
        models: Sequence[FoundationModel] | None = None,
        init_endpoints: bool = False,
    ) -> ResourceConfig:
        """Add the APIs of a credentials file (by default ``dai_credentials.toml`` / ``.json`` / ``.yaml`` in
        ``$DAI_SECRET_CONFIG_DIR``, else in ``/run/secrets/dai``)."""
        path = Path(credentials_file) if credentials_file is not None else self.default_credentials_file()
        where = str(path)
        from_env: dict[P, AIModelAPI] | None = None
        for provider, section in read_credentials_file(path).items():
            try:
                prov = parse_provider(str(provider))
            except ConfigurationError as exc:
                raise ConfigurationError(f"{where}: {exc}") from None
            api = api_from_section(prov, section, where, base=path.expanduser().parent)
            if api is None:
                # Only placeholders: absent values, which the provider's environment variables may supply.
                if from_env is None:
                    from_env = {a.provider: a for a in apis_from_environment()}
                api = from_env.get(prov)
            if api is not None:
                self.add_api(api)
        logger.debug("loaded %d API(s) from %s", len(self.model_apis), where)
        return self._finish(models, init_endpoints)

    def load_from_env(
        self, models: Sequence[FoundationModel] | None = None, init_endpoints: bool = False
    ) -> ResourceConfig:
        """Add the APIs the providers' usual environment variables configure."""
        for api in apis_from_environment():
            self.add_api(api)
        logger.debug("loaded API(s) from the environment: %s", ", ".join(a.provider.value for a in self.model_apis))
        return self._finish(models, init_endpoints)

    def _finish(self, models: Sequence[FoundationModel] | None, init_endpoints: bool) -> ResourceConfig:
        if models:
            self.models = list(models)
        if init_endpoints:
            self.init_endpoints()
        return self

    @staticmethod
    def default_credentials_file() -> Path:
        folder = Path(os.path.expanduser(os.environ.get(SECRET_DIR_ENV, "").strip() or DEFAULT_SECRET_DIR))
        candidates = [folder / f"dai_credentials.{ext}" for ext in ("toml", "json", "yaml", "yml")]
        return next((c for c in candidates if c.is_file()), candidates[0])

    def add_api(self, api: AIModelAPI) -> None:
        """Add an API, replacing one of the same provider."""
        self.model_apis = [a for a in self.model_apis if a.provider != api.provider] + [api]
        self.model_endpoints = [e for e in self.model_endpoints if e.api.provider != api.provider]

    def init_endpoints(self) -> list[AIModelEndpoint]:
        """One endpoint per model (``models``, else the whole catalogue) on its vendor's preferred configured API."""
        from .foundation_models import all_models

        for model in self.models or all_models():
            if model.enabled:
                self._endpoint_for(model.model_name, None, model)
        return self.model_endpoints

    # -- lookups

    def get_api(self, api_provider: P | str | None = None) -> AIModelAPI | None:
        """The API of this provider (the first configured one when None)."""
        if api_provider is None:
            return self.model_apis[0] if self.model_apis else None
        prov = parse_provider(api_provider)
        return next((a for a in self.model_apis if a.provider == prov), None)

    def get_model_endpoint(self, model_name: str, api_provider: P | str | None = None) -> AIModelEndpoint | None:
        """The endpoint for this model: an existing one, else one built on ``api_provider`` or on the first
        configured API of the model's vendor (in :data:`API_PREFERENCE` order). None when no configured API serves
        the model."""
        prov = parse_provider(api_provider) if api_provider is not None else None
        existing = self._existing(model_name, prov)
        if existing is not None:
            return existing
        own = next((m for m in self.models if model_name in (m.model_name, *m.known_ids())), None)
        return self._endpoint_for(model_name, prov, own)

    def _existing(self, model_name: str, prov: P | None) -> AIModelEndpoint | None:
        for endpoint in self.model_endpoints:
            model = endpoint.ai_model
            names = (model.model_name, *model.known_ids(), *model.metadata.get("legacy_names", ()))
            if model_name in names and (prov is None or endpoint.api.provider == prov):
                return endpoint
        return None

    def get_resource(self, resource_item: ResourceConfigItem) -> AIModelEndpoint | None:
        """The endpoint a :class:`ResourceConfigItem` asks for: the first endpoint matching every field of its
        query (a model is matched by any of its names); for a query by model name (and API provider) with no
        matching endpoint yet, the one :meth:`get_model_endpoint` builds. None when nothing matches."""
        if resource_item.item_type != ResourceConfigItemTypeEnum.ai_model_endpoint:
            raise ConfigurationError(
                f"ResourceConfig.get_resource: {resource_item.item_type.value} resources are not supported"
            )
        if not resource_item.query:
            raise ConfigurationError("ResourceConfig.get_resource: the ResourceConfigItem has no query")
        query = resource_item.query
        for endpoint in self.model_endpoints:
            if all(_matches(endpoint, key, value) for key, value in query.items()):
                return endpoint
        if "model_name" in query and set(query) <= {"model_name", "api_provider"}:
            return self.get_model_endpoint(str(query["model_name"]), query.get("api_provider"))
        logger.info("no endpoint matches %s", ", ".join(f"{k}={v}" for k, v in query.items()))
        return None

    def _endpoint_for(self, name: str, prov: P | None, own: FoundationModel | None) -> AIModelEndpoint | None:
        from .foundation_models import find_model

        model = own or find_model(name)
        if prov is not None:
            candidates: tuple[P, ...] = (prov,)
        else:
            vendor = model.provider if model is not None else generic_model(name, P.OPENAI_COMPATIBLE).provider
            candidates = (*API_PREFERENCE.get(vendor, ()), P.OPENAI_COMPATIBLE)
        for candidate in candidates:
            api = self.get_api(candidate)
            if api is None or (model is not None and prov is None and not _servable(model, candidate, name)):
                continue
            existing = self._existing(model.model_name if model is not None else name, candidate)
            if existing is not None:
                return existing
            endpoint = AIModelEndpoint(api=api, ai_model=own or name, reference_number=f"{name}_{candidate.value}")
            self.model_endpoints.append(endpoint)
            return endpoint
        return None

    def __repr__(self) -> str:
        apis = ", ".join(a.provider.value for a in self.model_apis)
        return f"ResourceConfig(apis=[{apis}], endpoints={len(self.model_endpoints)}, models={len(self.models)})"

    __str__ = __repr__

    # -- the template

    @classmethod
    def create_credentials_template(
        cls, output_file: str | Path = "credentials.toml", *, overwrite: bool = False
    ) -> Path:
        """Write a credentials template (TOML, or JSON / YAML by the file's suffix) to fill in; an existing file is
        kept unless ``overwrite``."""
        path = Path(os.path.expanduser(str(output_file)))
        if path.exists() and not overwrite:
            raise ConfigurationError(f"{path} exists; pass overwrite=True (--force) to replace it")
        text = template_text(path.suffix.lower().lstrip(".") or "toml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.name == "posix":
            path.chmod(0o600)  # the file will hold secrets
        logger.info("wrote a credentials template to %s", path)
        return path


# -- the command --------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``init PATH`` writes a credentials template; ``check PATH`` says what a credentials file provides."""
    parser = argparse.ArgumentParser(prog="python -m dhenara_http.resource_config", description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="write a credentials template")
    init.add_argument("path", nargs="?", default="credentials.toml")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    check = sub.add_parser("check", help="load a credentials file and list what it configures")
    check.add_argument("path")
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            written = ResourceConfig.create_credentials_template(args.path, overwrite=args.force)
            print(f"wrote {written}; fill in the providers you use")
            return 0
        config = ResourceConfig.from_file(args.path)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for api in config.model_apis:
        has = [k for k, v in (("api_key", api.api_key), ("credentials", api.credentials)) if v is not None]
        config_keys = ", ".join(sorted(api.config)) or "-"
        print(f"{api.provider.value}: {', '.join(has) or 'no secret'} set; config: {config_keys}")
    if not config.model_apis:
        print("no provider configured")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
