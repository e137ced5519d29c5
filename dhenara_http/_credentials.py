"""Reading credentials: credentials files (TOML, JSON, YAML: with PyYAML when installed, else the subset credentials
files are written in, see ``_yaml``), the providers' usual environment variables, and the template a user fills in.
``ResourceConfig`` (``resource_config.py``) builds on these.

Errors name the file, and the line and column of a syntax error, but never quote the file: it holds secrets.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from .errors import ConfigurationError, CredentialsFileNotFoundError
from .types.api import API_KEY_ENV_VARS, AIModelAPI
from .types.enums import AIModelAPIProviderEnum as P

SECRET_DIR_ENV = "DAI_SECRET_CONFIG_DIR"
DEFAULT_SECRET_DIR = "/run/secrets/dai"
#: dhenara-ai's names of the two above.
SECRET_CONFIG_DIR_ENV = SECRET_DIR_ENV
DEFAULT_SECRET_CONFIG_DIR = DEFAULT_SECRET_DIR
_PLACEHOLDER = re.compile(r"^<YOUR_[A-Z0-9_]+>$")
_SECTION_KEYS = ("api_key", "credentials", "config")


def parse_provider(value: P | str) -> P:
    if isinstance(value, P):
        return value
    try:
        return P(value)
    except ValueError:
        if value in P.__members__:
            return P[value]
        known = ", ".join(p.value for p in P)
        raise ConfigurationError(f"unknown API provider {value!r}; expected one of {known}") from None


# -- reading files ------------------------------------------------------------------------------------------------


def _parse(path: Path, text: str) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _parse_toml(path, text)
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
    if suffix in (".yaml", ".yml"):
        return _parse_yaml(path, text)
    raise ConfigurationError(
        f"{path}: unknown credentials file format {suffix or '(none)'!r}; use .toml, .json or .yaml"
    )


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(path: Path, text: str) -> Any:
    """``tomllib`` (Python 3.11+), else ``tomli`` when it is installed, else a clear error."""
    try:
        if sys.version_info >= (3, 11):
            import tomllib as toml
        else:
            import tomli as toml  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:
        raise ConfigurationError(
            f"{path}: reading TOML needs Python 3.11+ (tomllib) or the tomli package, which is not installed; "
            "use a JSON credentials file or environment variables instead"
        ) from None
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        # The reader's message names the line and column; the file's text (secrets) is never quoted.
        message = str(exc)
        where = _TOML_WHERE.search(message)
        detail = _TOML_WHERE.sub("", message).strip()
        position = f" at line {where.group(1)}, column {where.group(2)}" if where else ""
        raise ConfigurationError(f"{path}: malformed TOML{position}: {detail}") from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ModuleNotFoundError:
        # Without PyYAML, the subset credentials files are written in (see _yaml.py).
        from ._yaml import YAMLError
        from ._yaml import loads as yaml_loads

        try:
            return yaml_loads(text)
        except YAMLError as exc:
            raise ConfigurationError(f"{path}: malformed YAML at line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigurationError(f"{path}: malformed YAML{where}: {problem}") from None


def read_credentials_file(path: str | Path) -> dict[str, Any]:
    """The parsed file: a mapping of provider name to its section. Clear errors for a missing, unreadable or
    malformed file."""
    p = Path(os.path.expanduser(str(path)))
    if not p.is_file():
        raise CredentialsFileNotFoundError(f"credentials file not found: {p}", filename=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigurationError(f"{p}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ConfigurationError(f"{p}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    data = _parse(p, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"{p}: expected a table of API providers at the top, got {type(data).__name__}")
    return data


def _strip_placeholders(value: Any) -> Any:
    if isinstance(value, str):
        return None if _PLACEHOLDER.match(value.strip()) else value
    if isinstance(value, dict):
        cleaned = {k: _strip_placeholders(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, "")}
    return value


def _service_account(value: Any, base: Path, where: str) -> Any:
    """A ``service_account_json`` given as a JSON string or a path becomes the parsed object."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{where}: service_account_json is not valid JSON (line {exc.lineno})") from None
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = base / path
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{where}: service_account_json: no such file {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigurationError(f"{where}: service_account_json: {path} is not a readable JSON file") from None


def api_from_section(provider: P | str, section: Any, where: str, base: Path | None = None) -> AIModelAPI | None:
    """An ``AIModelAPI`` from one provider's section (None when the section holds only placeholders)."""
    prov = parse_provider(provider)
    if not isinstance(section, dict):
        raise ConfigurationError(f"{where}: [{prov.value}] must be a table, got {type(section).__name__}")
    unknown = sorted(set(section) - set(_SECTION_KEYS))
    if unknown:
        raise ConfigurationError(
            f"{where}: [{prov.value}] has unknown key(s) {', '.join(unknown)}; expected {', '.join(_SECTION_KEYS)}"
        )
    section = _strip_placeholders(section)
    if not section:
        return None
    for key in ("credentials", "config"):
        if key in section and not isinstance(section[key], dict):
            raise ConfigurationError(f"{where}: [{prov.value}] {key} must be a table")
    if "api_key" in section and not isinstance(section["api_key"], str):
        raise ConfigurationError(f"{where}: [{prov.value}] api_key must be a string")
    credentials = dict(section.get("credentials") or {})
    if "service_account_json" in credentials:
        credentials["service_account_json"] = _service_account(
            credentials["service_account_json"], base or Path.cwd(), f"{where}: [{prov.value}]"
        )
    try:
        return AIModelAPI(
            provider=prov,
            api_key=section.get("api_key"),
            credentials=credentials or None,
            config=dict(section.get("config") or {}),
        )
    except ConfigurationError as exc:
        # (A pydantic error never leaves AIModelAPI: it is a ConfigurationError built without the input values.)
        raise ConfigurationError(f"{where}: [{prov.value}] {exc}") from None


# -- the environment ------------------------------------------------------------------------------------------------


def _env(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def apis_from_environment() -> list[AIModelAPI]:
    """The APIs the providers' usual environment variables configure (a provider needing an endpoint or a base URL is
    configured only when that is set too)."""
    apis: list[AIModelAPI] = []
    # Base URLs (OPENAI_BASE_URL, ANTHROPIC_BASE_URL …) are read by AIModelAPI itself, for every API.
    key_hosts: dict[P, dict[str, tuple[str, ...]]] = {
        P.OPEN_AI: {},
        P.ANTHROPIC: {},
        P.GOOGLE_AI: {},
        P.DEEPSEEK: {},
        P.MICROSOFT_OPENAI: {"endpoint": ("AZURE_OPENAI_ENDPOINT",)},
        P.MICROSOFT_AZURE_AI: {"endpoint": ("AZURE_AI_ENDPOINT",)},
    }
    for prov, extras in key_hosts.items():
        if not _env(*API_KEY_ENV_VARS.get(prov, ())):
            continue
        config = {k: v for k, names in extras.items() if (v := _env(*names))}
        if prov in (P.MICROSOFT_OPENAI, P.MICROSOFT_AZURE_AI) and "endpoint" not in config:
            continue
        apis.append(AIModelAPI(provider=prov, config=config))
    if _env("OPENAI_COMPATIBLE_BASE_URL"):
        apis.append(AIModelAPI(provider=P.OPENAI_COMPATIBLE))
    if _env(*API_KEY_ENV_VARS[P.AMAZON_BEDROCK]):
        apis.append(AIModelAPI(provider=P.AMAZON_BEDROCK))
    elif _env("AWS_ACCESS_KEY_ID") and _env("AWS_SECRET_ACCESS_KEY"):
        creds = {"access_key_id": _env("AWS_ACCESS_KEY_ID"), "secret_access_key": _env("AWS_SECRET_ACCESS_KEY")}
        if _env("AWS_SESSION_TOKEN"):
            creds["session_token"] = _env("AWS_SESSION_TOKEN")
        apis.append(AIModelAPI(provider=P.AMAZON_BEDROCK, credentials=creds))
    sa_path = _env("GOOGLE_APPLICATION_CREDENTIALS")
    if sa_path:
        account = _service_account(sa_path, Path.cwd(), "GOOGLE_APPLICATION_CREDENTIALS")
        config = {}
        project = _env("GOOGLE_CLOUD_PROJECT", "VERTEXAI_PROJECT") or (
            account.get("project_id") if isinstance(account, dict) else None
        )
        if project:
            config["project_id"] = project
        apis.append(
            AIModelAPI(provider=P.GOOGLE_VERTEX_AI, credentials={"service_account_json": account}, config=config)
        )
    return apis


# -- the template text ------------------------------------------------------------------------------------------------

#: For each provider: required fields (section, key), then optional ones, with a comment for the template.
_TEMPLATE: list[tuple[P, list[tuple[str, str]], list[tuple[str, str, str]]]] = [
    (P.OPEN_AI, [("", "api_key")], [("config", "base_url", "another endpoint, e.g. a proxy")]),
    (P.ANTHROPIC, [("", "api_key")], []),
    (P.GOOGLE_AI, [("", "api_key")], []),
    (P.DEEPSEEK, [("", "api_key")], []),
    (
        P.GOOGLE_VERTEX_AI,
        [("credentials", "service_account_json"), ("config", "project_id"), ("config", "location")],
        [],
    ),
    (
        P.AMAZON_BEDROCK,
        [("credentials", "access_key_id"), ("credentials", "secret_access_key"), ("config", "region")],
        [("credentials", "session_token", "temporary credentials only")],
    ),
    (P.MICROSOFT_OPENAI, [("", "api_key"), ("config", "endpoint")], []),
    (P.MICROSOFT_AZURE_AI, [("", "api_key"), ("config", "endpoint")], []),
    (P.OPENAI_COMPATIBLE, [("", "api_key"), ("config", "base_url")], []),
]
_HEADER = [
    "dhenara_http credentials. Fill in the providers you use; leave or delete the others.",
    "Values left as <YOUR_...> placeholders count as absent. Keep this file private.",
    "Load it with ResourceConfig.from_file(path), or put it in $DAI_SECRET_CONFIG_DIR as dai_credentials.<ext>.",
]
_NOTES = {
    (P.GOOGLE_VERTEX_AI, "service_account_json"): "a path to the key file (relative to this file), or its JSON",
    (P.GOOGLE_VERTEX_AI, "location"): "us-central1, europe-west4, global ...",
    (P.MICROSOFT_OPENAI, "endpoint"): "https://NAME.openai.azure.com",
}


def _placeholder(prov: P, key: str) -> str:
    return f"<YOUR_{prov.value.upper()}_{key.upper()}>"


def template_text(fmt: str = "toml") -> str:
    """The credentials template in ``toml``, ``json`` or ``yaml``."""
    if fmt == "json":
        data: dict[str, Any] = {}
        for prov, required, _optional in _TEMPLATE:
            section: dict[str, Any] = data.setdefault(prov.value, {})
            for table, key in required:
                (section.setdefault(table, {}) if table else section)[key] = _placeholder(prov, key)
        return json.dumps(data, indent=2) + "\n"
    if fmt in ("yaml", "yml"):
        return _template_yaml()
    if fmt != "toml":
        raise ConfigurationError(f"unknown template format {fmt!r}; use toml, json or yaml")
    lines = [f"# {line}" for line in _HEADER]
    for prov, required, optional in _TEMPLATE:
        tables: dict[str, list[str]] = {}
        for table, key in required:
            note = _NOTES.get((prov, key))
            comment = f"  # {note}" if note else ""
            tables.setdefault(table, []).append(f'{key} = "{_placeholder(prov, key)}"{comment}')
        for table, key, note in optional:
            tables.setdefault(table, []).append(f'# {key} = "{_placeholder(prov, key)}"  # optional: {note}')
        for table, body in tables.items():
            lines += ["", f"[{prov.value}.{table}]" if table else f"[{prov.value}]", *body]
    return "\n".join(lines) + "\n"


def _template_yaml() -> str:
    lines = [f"# {line}" for line in _HEADER] + ["# Reading YAML needs PyYAML; TOML and JSON need nothing."]
    for prov, required, optional in _TEMPLATE:
        lines += ["", f"{prov.value}:"]
        tables: dict[str, list[str]] = {}
        for table, key in required:
            tables.setdefault(table, []).append(f"{key}: {_placeholder(prov, key)!r}")
        for table, key, note in optional:
            tables.setdefault(table, []).append(f"# {key}: {_placeholder(prov, key)!r}  # optional: {note}")
        for table, body in tables.items():
            if table:
                lines += [f"  {table}:", *(f"    {b}" for b in body)]
            else:
                lines += [f"  {b}" for b in body]
    return "\n".join(lines) + "\n"
