"""AWS credentials: where they come from, and keeping temporary ones fresh.

The chain, first match wins (the order of the AWS SDKs, reduced to what a Bedrock client needs):

1. ``AIModelAPI(credentials={"access_key_id", "secret_access_key", "session_token"?})``.
2. ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN`` — skipped when ``config["profile"]``
   names a profile: a profile chosen in code wins over the environment, as in the SDKs.
3. The shared credentials file (``AWS_SHARED_CREDENTIALS_FILE``, default ``~/.aws/credentials``), profile
   ``config["profile"]``, else ``AWS_PROFILE``, else ``default``.
4. The container credentials endpoint (ECS, EKS Pod Identity): ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` on
   ``http://169.254.170.2``, or ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (``https``, or ``http`` to a loopback address
   or one of the endpoints AWS uses), with ``Authorization`` from ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` or
   ``AWS_CONTAINER_AUTHORIZATION_TOKEN``.
5. The EC2 instance metadata service, IMDSv2 only (a ``PUT`` for a session token, then the role name, then its
   credentials), unless ``AWS_EC2_METADATA_DISABLED=true``; ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` moves it.

Not supported (a missing-credentials error says so by listing only what is): ``~/.aws/config`` profiles with
``role_arn`` / ``sso_*`` / ``credential_process``, web-identity tokens, IMDSv1.

Temporary credentials (4, 5, and a session token with an expiry) are refreshed :data:`REFRESH_MARGIN` seconds
before they expire, once, under ``io.lock(self)``: concurrent calls wait for the one refresh instead of each
fetching. Network fetches go through the driver's :class:`~.base.AuthIO`, so the chain serves the sync and the
async driver alike.
"""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from ...errors import APIConnectionError, ConfigurationError
from .base import AuthIO

#: Refresh temporary credentials this many seconds before they expire.
REFRESH_MARGIN = 300.0
CONTAINER_HOST = "http://169.254.170.2"
IMDS_ENDPOINT = "http://169.254.169.254"
_CONTAINER_HOSTS = frozenset({"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"})
_IMDS_TOKEN_TTL = "21600"
_IMDS_TIMEOUT = 1.0
_CONTAINER_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class AWSCredentials:
    """One set of AWS credentials. ``expiration`` (seconds since the epoch) is None for long-term keys."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expiration: float | None = None
    source: str = ""

    def needs_refresh(self, now: float) -> bool:
        return self.expiration is not None and now >= self.expiration - REFRESH_MARGIN

    def expired(self, now: float) -> bool:
        return self.expiration is not None and now >= self.expiration


def _parse_expiration(value: Any, source: str) -> float:
    if not isinstance(value, str):
        raise ConfigurationError(f"AWS credentials from {source}: no Expiration in the answer")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"AWS credentials from {source}: unreadable Expiration {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _from_json_document(body: bytes, source: str) -> AWSCredentials:
    """Credentials from the JSON the container endpoint and IMDS answer with (``AccessKeyId``,
    ``SecretAccessKey``, ``Token``, ``Expiration``)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ConfigurationError(f"AWS credentials from {source}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"AWS credentials from {source}: the answer is not a JSON object")
    if data.get("Code") not in (None, "Success"):
        raise ConfigurationError(f"AWS credentials from {source}: {data.get('Code')}: {data.get('Message', '')}")
    key, secret = data.get("AccessKeyId"), data.get("SecretAccessKey")
    if not (isinstance(key, str) and key and isinstance(secret, str) and secret):
        raise ConfigurationError(f"AWS credentials from {source}: no AccessKeyId / SecretAccessKey in the answer")
    token = data.get("Token")
    return AWSCredentials(
        key,
        secret,
        token if isinstance(token, str) else None,
        _parse_expiration(data.get("Expiration"), source),
        source,
    )


class AWSCredentialChain:
    """Finds AWS credentials (see the module docstring) and keeps temporary ones fresh.

    ``environ`` defaults to ``os.environ``, read when credentials are first needed (not at construction).
    """

    __slots__ = ("__weakref__", "_cached", "_config", "_environ", "_explicit", "_extra_secrets", "_refresh")

    def __init__(
        self,
        credentials: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._explicit = dict(credentials or {})
        self._config = dict(config or {})
        self._environ = environ
        self._cached: AWSCredentials | None = None
        #: The temporary source the chain settled on: asked again at each refresh.
        self._refresh: Callable[[AuthIO], Awaitable[AWSCredentials]] | None = None
        self._extra_secrets: list[str] = []

    @property
    def env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    async def get(self, io: AuthIO) -> AWSCredentials:
        """Current credentials; fetched or refreshed (once, under the chain's lock) when needed."""
        cached = self._cached
        if cached is not None and not cached.needs_refresh(io.time()):
            return cached
        async with io.lock(self):
            cached = self._cached
            if cached is not None and not cached.needs_refresh(io.time()):
                return cached  # another caller refreshed while this one waited
            try:
                fresh = await (self._refresh(io) if self._refresh is not None else self._resolve(io))
            except (APIConnectionError, ConfigurationError):
                if cached is not None and not cached.expired(io.time()):
                    return cached  # inside the margin, still valid: try again on the next call
                raise
            self._cached = fresh
            return fresh

    def secrets(self) -> list[str]:
        found = [*self._extra_secrets]
        for creds in (self._cached,):
            if creds is not None:
                found.append(creds.secret_access_key)
                if creds.session_token:
                    found.append(creds.session_token)
        for name in ("secret_access_key", "session_token"):
            value = self._explicit.get(name)
            if isinstance(value, str) and value:
                found.append(value)
        return found

    def __repr__(self) -> str:
        source = self._cached.source if self._cached is not None else None
        return f"AWSCredentialChain(source={source!r})"

    # -- the chain -----------------------------------------------------------------------------------------------

    async def _resolve(self, io: AuthIO) -> AWSCredentials:
        for static in (self._from_explicit, self._from_environment, self._from_shared_file):
            found = static()
            if found is not None:
                return found
        env = self.env
        if env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
            creds = await self._from_container(io)
            self._refresh = self._from_container
            return creds
        if env.get("AWS_EC2_METADATA_DISABLED", "false").lower() != "true":
            found = await self._from_imds(io)
            if found is not None:
                self._refresh = self._from_imds_or_fail
                return found
        raise ConfigurationError(
            "AIModelAPI(amazon_bedrock): no AWS credentials found. Give credentials={'access_key_id': ..., "
            "'secret_access_key': ..., 'session_token': ...} or an api_key (a Bedrock API key), or set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_BEARER_TOKEN_BEDROCK, or "
            f"add a [{self._profile()}] section to {self._shared_file()} (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE), "
            "or run where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI or the EC2 "
            "instance metadata service supply them"
        )

    def _from_explicit(self) -> AWSCredentials | None:
        given = self._explicit
        if not given:
            return None
        key, secret, token = given.get("access_key_id"), given.get("secret_access_key"), given.get("session_token")
        missing = [name for name, v in (("access_key_id", key), ("secret_access_key", secret)) if not v]
        if missing:
            raise ConfigurationError(f"AIModelAPI(amazon_bedrock).credentials needs {' and '.join(missing)}")
        if not all(isinstance(v, str) for v in (key, secret)) or (token is not None and not isinstance(token, str)):
            raise ConfigurationError("AIModelAPI(amazon_bedrock).credentials values must be strings")
        expiration = given.get("expiration")
        return AWSCredentials(
            str(key),
            str(secret),
            token or None,
            float(expiration) if isinstance(expiration, int | float) else None,
            "credentials",
        )

    def _from_environment(self) -> AWSCredentials | None:
        if self._config.get("profile"):
            return None
        env = self.env
        key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
        if not key and not secret:
            return None
        if not (key and secret):
            missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
            raise ConfigurationError(f"AWS credentials in the environment: {missing} is not set")
        return AWSCredentials(key, secret, env.get("AWS_SESSION_TOKEN") or None, None, "environment")

    def _profile(self) -> str:
        return str(self._config.get("profile") or self.env.get("AWS_PROFILE") or "default")

    def _shared_file(self) -> str:
        return os.path.expanduser(self.env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")

    def _from_shared_file(self) -> AWSCredentials | None:
        path, profile = self._shared_file(), self._profile()
        parser = configparser.RawConfigParser()
        try:
            with open(path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            return None
        except (OSError, configparser.Error, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"AWS shared credentials file {path}: {type(exc).__name__}") from None
        if not parser.has_section(profile):
            if self._config.get("profile") or self.env.get("AWS_PROFILE"):
                raise ConfigurationError(f"AWS shared credentials file {path} has no [{profile}] profile")
            return None
        section = parser[profile]
        key, secret = section.get("aws_access_key_id"), section.get("aws_secret_access_key")
        if not (key and secret):
            raise ConfigurationError(
                f"AWS shared credentials file {path}, profile [{profile}]: needs aws_access_key_id and "
                "aws_secret_access_key (role, SSO and process profiles are not supported)"
            )
        return AWSCredentials(
            key.strip(), secret.strip(), (section.get("aws_session_token") or "").strip() or None, None, "shared-file"
        )

    # -- temporary credentials over the network -------------------------------------------------------------------

    def _container_request(self) -> tuple[str, dict[str, str]]:
        env = self.env
        relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        if relative:
            url = CONTAINER_HOST + (relative if relative.startswith("/") else "/" + relative)
        else:
            url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
            _check_container_url(url)
        headers = {"accept": "application/json"}
        token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        token: str | None
        if token_file:
            try:
                with open(token_file, encoding="utf-8") as handle:
                    token = handle.read().strip()
            except OSError as exc:
                raise ConfigurationError(
                    f"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {token_file}: {type(exc).__name__}"
                ) from None
        else:
            token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        if token:
            if "\r" in token or "\n" in token:
                raise ConfigurationError("the AWS container authorization token contains a line break")
            headers["authorization"] = token
            if token not in self._extra_secrets:
                self._extra_secrets.append(token)
        return url, headers

    async def _from_container(self, io: AuthIO) -> AWSCredentials:
        url, headers = self._container_request()
        answer = await io.fetch("GET", url, headers=headers, timeout=_CONTAINER_TIMEOUT)
        _check_status(answer.status, "the container credentials endpoint")
        return _from_json_document(answer.body, "the container credentials endpoint")

    def _imds_base(self) -> str:
        given = self._config.get("ec2_metadata_endpoint") or self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        return str(given or IMDS_ENDPOINT).rstrip("/")

    async def _from_imds(self, io: AuthIO) -> AWSCredentials | None:
        """Credentials of the instance's role, or None when there is no instance metadata service (or no role)."""
        base = self._imds_base()
        try:
            answer = await io.fetch(
                "PUT",
                base + "/latest/api/token",
                headers={"x-aws-ec2-metadata-token-ttl-seconds": _IMDS_TOKEN_TTL},
                timeout=_IMDS_TIMEOUT,
            )
            if answer.status != 200:
                return None
            token = answer.body.decode("utf-8", "replace").strip()
            headers = {"x-aws-ec2-metadata-token": token}
            roles_url = base + "/latest/meta-data/iam/security-credentials/"
            answer = await io.fetch("GET", roles_url, headers=headers, timeout=_IMDS_TIMEOUT)
            role = answer.body.decode("utf-8", "replace").strip().splitlines()[0] if answer.status == 200 else ""
            if not role.strip():
                return None
            answer = await io.fetch("GET", roles_url + role.strip(), headers=headers, timeout=_IMDS_TIMEOUT)
        except APIConnectionError:
            return None
        _check_status(answer.status, "the EC2 instance metadata service")
        return _from_json_document(answer.body, "the EC2 instance metadata service")

    async def _from_imds_or_fail(self, io: AuthIO) -> AWSCredentials:
        found = await self._from_imds(io)
        if found is None:
            raise APIConnectionError("the EC2 instance metadata service did not answer with credentials")
        return found


def _check_status(status: int, source: str) -> None:
    if status == 200:
        return
    message = f"AWS credentials from {source}: HTTP {status}"
    if status >= 500 or status == 429:
        raise APIConnectionError(message)
    raise ConfigurationError(message)


def _check_container_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    if parts.scheme == "http" and host in _CONTAINER_HOSTS:
        return
    try:
        loopback = ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "http" and loopback:
        return
    raise ConfigurationError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address or to "
        + ", ".join(sorted(_CONTAINER_HOSTS))
    )
