"""Google credentials as signers, with no Google SDK: service-account keys (an RS256 JWT exchanged for an access
token), static access tokens, gcloud's user credentials (a refresh token) and the Compute Engine metadata server.

:func:`vertex_signer` picks one for a Vertex AI ``AIModelAPI``, in the order of Google's application default
credentials: ``credentials={"service_account_json": ...}`` (a dict or its JSON text, as dhenara-ai takes it),
``credentials={"access_token": ...}``, the file named by ``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's
``application_default_credentials.json``, then the metadata server of the machine the program runs on.

Every token signer caches its token and refreshes it once under the driver's lock (see :mod:`._oauth`). Network
goes through ``io.fetch`` only, time through ``io.time()``; nothing here imports httpx or asyncio.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import APIConnectionError, ConfigurationError
from ._der import KeyFormatError, RSAPrivateKey, rsa_key_from_pem
from ._jwt import SigningError, encode_rs256
from ._oauth import CachedTokenSigner, read_token_answer
from .base import AuthIO
from .keys import HeaderSigner

if TYPE_CHECKING:
    from ...types.api import AIModelAPI
    from .base import Signer

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: How long a service-account assertion is valid (Google accepts at most one hour).
ASSERTION_LIFETIME = 3600
METADATA_HOST = "metadata.google.internal"
METADATA_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"
_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _text(info: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = info.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where}: {key} is missing or not a non-empty string")
    return value.strip()


def _optional_text(info: Mapping[str, Any], key: str, where: str) -> str | None:
    value = info.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{where}: {key} must be a string")
    return value


def _url(value: str, where: str, key: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise ConfigurationError(f"{where}: {key} is not an http(s) URL")
    return value


def load_info(value: Any, where: str) -> dict[str, Any]:
    """A credentials JSON object given as a mapping or as its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise ConfigurationError(f"{where} is not valid JSON" + (f" (line {line})" if line else "")) from None
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be a JSON object (a dict or its JSON text), not {type(value).__name__}")
    return dict(value)


class ServiceAccountSigner(CachedTokenSigner):
    """A service-account key: an RS256 JWT assertion exchanged at the key's ``token_uri`` for an access token."""

    def __init__(self, info: Mapping[str, Any] | str, *, scopes: str = CLOUD_PLATFORM_SCOPE, where: str = "") -> None:
        where = where or "service_account_json"
        data = load_info(info, where)
        kind = data.get("type", "service_account")
        if kind != "service_account":
            raise ConfigurationError(f"{where}: type is {kind!r}, a 'service_account' key was expected")
        self.client_email = _text(data, "client_email", where)
        self.token_uri = _url(_text(data, "token_uri", where, GOOGLE_TOKEN_URI), where, "token_uri")
        self.project_id = _optional_text(data, "project_id", where)
        self._key_id = _optional_text(data, "private_key_id", where)
        pem = _text(data, "private_key", where)
        try:
            self._key: RSAPrivateKey = rsa_key_from_pem(pem)
        except KeyFormatError as exc:
            raise ConfigurationError(f"{where}: private_key: {exc}") from None
        # The key as given, and each line of its body: a message quoting a piece of the key is scrubbed too.
        self._key_texts = [data["private_key"], *(x for x in pem.replace("\\n", "\n").split() if len(x) >= 16)]
        self._where = where
        self.scopes = scopes
        quota = _optional_text(data, "quota_project_id", where)
        super().__init__({"x-goog-user-project": quota} if quota else None)

    def assertion(self, now: float) -> str:
        """The signed JWT that asks the token endpoint for an access token."""
        header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
        if self._key_id:
            header["kid"] = self._key_id
        iat = int(now)
        claims = {
            "iss": self.client_email,
            "scope": self.scopes,
            "aud": self.token_uri,
            "iat": iat,
            "exp": iat + ASSERTION_LIFETIME,
        }
        try:
            return encode_rs256(header, claims, self._key)
        except SigningError as exc:
            raise ConfigurationError(f"{self._where}: private_key: {exc}") from None

    async def _fetch_token(self, io: AuthIO) -> tuple[str, float]:
        form = {"grant_type": JWT_BEARER_GRANT, "assertion": self.assertion(io.time())}
        body = urllib.parse.urlencode(form).encode("ascii")
        result = await io.fetch("POST", self.token_uri, headers=_FORM, body=body)
        return read_token_answer(result, f"the token endpoint {self.token_uri}")

    def secrets(self) -> list[str]:
        return [*self._key_texts, *super().secrets()]

    def __repr__(self) -> str:
        return f"ServiceAccountSigner({self.client_email!r}, key=[REDACTED])"


class AuthorizedUserSigner(CachedTokenSigner):
    """gcloud's user credentials (``gcloud auth application-default login``): a refresh token exchanged for access
    tokens at ``token_uri``. ``quota_project_id`` is sent as ``x-goog-user-project``, as Google's libraries do."""

    def __init__(self, info: Mapping[str, Any] | str, *, where: str = "") -> None:
        where = where or "authorized_user credentials"
        data = load_info(info, where)
        self.client_id = _text(data, "client_id", where)
        self._client_secret = _text(data, "client_secret", where)
        self._refresh_token = _text(data, "refresh_token", where)
        self.token_uri = _url(_text(data, "token_uri", where, GOOGLE_TOKEN_URI), where, "token_uri")
        self.quota_project_id = _optional_text(data, "quota_project_id", where)
        super().__init__({"x-goog-user-project": self.quota_project_id} if self.quota_project_id else None)

    async def _fetch_token(self, io: AuthIO) -> tuple[str, float]:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
        }
        body = urllib.parse.urlencode(form).encode("ascii")
        result = await io.fetch("POST", self.token_uri, headers=_FORM, body=body)
        return read_token_answer(result, f"the token endpoint {self.token_uri}")

    def secrets(self) -> list[str]:
        return [self._refresh_token, self._client_secret, *super().secrets()]

    def __repr__(self) -> str:
        return f"AuthorizedUserSigner(client_id={self.client_id!r}, refresh_token=[REDACTED])"


class MetadataServerSigner(CachedTokenSigner):
    """The default service account of a Google Cloud machine (Compute Engine, Cloud Run, GKE …), from its metadata
    server. ``GCE_METADATA_HOST`` (or the older ``GCE_METADATA_ROOT``) names another ``host[:port]``."""

    def __init__(self, *, host: str | None = None, scopes: str | None = None) -> None:
        super().__init__()
        host = host or os.environ.get("GCE_METADATA_HOST") or os.environ.get("GCE_METADATA_ROOT") or METADATA_HOST
        self.url = f"http://{host}{METADATA_TOKEN_PATH}"
        if scopes:
            self.url += "?" + urllib.parse.urlencode({"scopes": scopes})
        self._answered = False

    async def _fetch_token(self, io: AuthIO) -> tuple[str, float]:
        try:
            result = await io.fetch("GET", self.url, headers={"metadata-flavor": "Google"}, timeout=5.0)
        except APIConnectionError as exc:
            if self._answered:
                raise  # a machine whose metadata server answered before: a passing failure, retryable
            raise ConfigurationError(_NO_CREDENTIALS + f" (the metadata server {self.url} did not answer: {exc})")
        flavor = {k.lower(): v for k, v in result.headers.items()}.get("metadata-flavor")
        if result.status == 200 and flavor != "Google":
            raise ConfigurationError(_NO_CREDENTIALS + f" ({self.url} answered, but not as a metadata server)")
        token = read_token_answer(result, f"the metadata server {self.url}")
        self._answered = True
        return token

    def __repr__(self) -> str:
        return f"MetadataServerSigner({self.url!r})"


class AccessTokenSigner(HeaderSigner):
    """An OAuth access token given as it is (``gcloud auth print-access-token``): sent until it expires, never
    refreshed."""

    __slots__ = ()

    def __init__(self, token: str, where: str = "access_token") -> None:
        if not isinstance(token, str) or not token.strip():
            raise ConfigurationError(f"{where} must be a non-empty string")
        token = token.strip()
        if not token.isascii() or any(c.isspace() or ord(c) < 0x20 for c in token):
            raise ConfigurationError(f"{where} contains spaces, line breaks or non-ASCII characters")
        super().__init__("authorization", token, "Bearer ")

    def __repr__(self) -> str:
        return "AccessTokenSigner(token=[REDACTED])"


_NO_CREDENTIALS = (
    "no Google credentials: give AIModelAPI(google_vertex_ai, credentials={'service_account_json': ...}) or "
    "{'access_token': ...}, set GOOGLE_APPLICATION_CREDENTIALS to a key file, run `gcloud auth application-default "
    "login`, or run on Google Cloud"
)


# -- choosing a signer -----------------------------------------------------------------------------------------------


def signer_from_info(info: Any, where: str) -> Signer:
    """The signer of a credentials JSON object, by its ``type``."""
    data = load_info(info, where)
    kind = data.get("type", "service_account")
    if kind == "service_account":
        return ServiceAccountSigner(data, where=where)
    if kind == "authorized_user":
        return AuthorizedUserSigner(data, where=where)
    raise ConfigurationError(
        f"{where}: credentials of type {kind!r} are not supported; use a service-account key ('service_account') or "
        "gcloud user credentials ('authorized_user')"
    )


def read_credentials_file(path: str | Path, where: str) -> dict[str, Any]:
    """The JSON object of a credentials file; errors name the file, never its contents."""
    p = Path(os.path.expanduser(str(path)))
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{where}: no such file {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{where}: {p} cannot be read ({type(exc).__name__})") from None
    return load_info(text, f"{where} ({p})")


def gcloud_credentials_path() -> Path:
    """Where ``gcloud auth application-default login`` writes its credentials."""
    config_dir = os.environ.get("CLOUDSDK_CONFIG")
    if config_dir:
        base = Path(config_dir)
    elif os.name == "nt" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"]) / "gcloud"
    else:
        base = Path.home() / ".config" / "gcloud"
    return base / "application_default_credentials.json"


_CREDENTIAL_KEYS = ("service_account_json", "access_token")


def vertex_signer(api: AIModelAPI) -> Signer:
    """The signer of a Vertex AI API (see the module docstring for the order). Raises ``ConfigurationError`` for
    unusable credentials before anything is sent."""
    where = f"AIModelAPI({api.provider.value}).credentials"
    credentials = api.get_credentials()
    unknown = sorted(set(credentials) - set(_CREDENTIAL_KEYS))
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; expected 'service_account_json' or "
            "'access_token'"
        )
    if credentials.get("service_account_json") is not None:
        return signer_from_info(credentials["service_account_json"], f"{where}['service_account_json']")
    token = credentials.get("access_token") or api.get_api_key()
    if token:
        return AccessTokenSigner(token, f"{where}['access_token']")
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        where = "GOOGLE_APPLICATION_CREDENTIALS"
        return signer_from_info(read_credentials_file(path, where), f"{where} ({path})")
    gcloud = gcloud_credentials_path()
    if gcloud.is_file():
        where = "gcloud application default credentials"
        return signer_from_info(read_credentials_file(gcloud, where), f"{where} ({gcloud})")
    return MetadataServerSigner()
