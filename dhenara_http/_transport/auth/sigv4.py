"""AWS Signature Version 4, with ``hashlib`` and ``hmac`` only (no botocore).

What is signed, and why:

* **A fixed set of headers**: ``host``, ``x-amz-date``, ``x-amz-content-sha256`` and, with temporary credentials,
  ``x-amz-security-token``. Signing every header of the request (as SDKs do) breaks as soon as a proxy or an HTTP
  client adds or rewrites one (``user-agent``, ``accept-encoding``, ``content-length`` …); these four are what the
  service needs to authenticate and to bind the signature to the body.
* **The path as it goes on the wire, encoded once more.** A Bedrock model id ``anthropic.claude…-v1:0`` is sent as
  ``…-v1%3A0``, and the canonical request of every AWS service except S3 encodes each path segment again:
  ``…-v1%253A0``. The path is not otherwise normalised (Bedrock routes have no ``.`` segments or double slashes).
* **The query**, each name and value decoded and encoded again by the strict rule (only ``A-Z a-z 0-9 - _ . ~``
  left as they are), sorted by name then value.
* **The body's SHA-256**, sent as ``x-amz-content-sha256`` too, so a proxy that re-encodes a body is caught by the
  service rather than accepted with a valid-looking signature of other bytes.

The date is taken from ``io.time()`` on every attempt: a retried request gets a fresh signature, never a stale one.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from .aws_credentials import AWSCredentialChain, AWSCredentials
from .base import AuthIO, OutgoingRequest, Signer

if TYPE_CHECKING:
    from ...types.api import AIModelAPI

ALGORITHM = "AWS4-HMAC-SHA256"
#: The headers a :class:`SigV4Signer` sets (and that a redirect to another host must not carry).
SIGNED_BY_SIGV4 = frozenset({"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = "-_.~"


def _uri_encode(text: str, safe: str = _UNRESERVED) -> str:
    return quote(text, safe=safe)


def canonical_uri(path: str) -> str:
    """``path`` (as it appears in the URL) encoded again, segment by segment; ``/`` for an empty path."""
    return _uri_encode(path or "/", safe="/" + _UNRESERVED)


def canonical_query(query: str) -> str:
    """The query's parameters, decoded then strictly encoded, sorted by name then value, joined with ``&``."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((_uri_encode(unquote(name)), _uri_encode(unquote(value))))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def host_header(url: str) -> str:
    """The ``host`` value HTTP clients send for ``url``: lower-case, with the port only when it is not the
    scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    return host


def canonical_request(
    method: str, url: str, headers: Mapping[str, str], signed_headers: Iterable[str], payload_hash: str
) -> tuple[str, str]:
    """The canonical request text and its ``SignedHeaders`` list. ``headers`` keys must be lower-case and hold
    every name of ``signed_headers``."""
    parts = urlsplit(url)
    names = sorted({name.lower() for name in signed_headers})
    header_lines = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names)
    signed = ";".join(names)
    text = "\n".join(
        [method.upper(), canonical_uri(parts.path), canonical_query(parts.query), header_lines, signed, payload_hash]
    )
    return text, signed


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret_access_key).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def authorization(
    method: str,
    url: str,
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    payload_hash: str,
    credentials: AWSCredentials,
    region: str,
    service: str,
    amz_date: str,
) -> str:
    """The ``Authorization`` header value: the general form, which signs the headers it is told to (the AWS test
    suite's vectors sign others than the fixed set)."""
    creq, signed = canonical_request(method, url, headers, signed_headers, payload_hash)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    key = signing_key(credentials.secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={signed}, Signature={signature}"


def amz_date(when: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when))


def signature_headers(
    request: OutgoingRequest, credentials: AWSCredentials, region: str, service: str, when: float
) -> dict[str, str]:
    """The headers that sign ``request`` at time ``when`` (seconds since the epoch): ``x-amz-date``,
    ``x-amz-content-sha256``, ``x-amz-security-token`` (temporary credentials only) and ``authorization``."""
    stamp = amz_date(when)
    payload_hash = hashlib.sha256(request.body).hexdigest()
    added = {"x-amz-date": stamp, "x-amz-content-sha256": payload_hash}
    if credentials.session_token:
        added["x-amz-security-token"] = credentials.session_token
    to_sign = {"host": request.headers.get("host") or host_header(request.url), **added}
    added["authorization"] = authorization(
        request.method, request.url, to_sign, to_sign, payload_hash, credentials, region, service, stamp
    )
    return added


class SigV4Signer:
    """Signs every attempt with SigV4 over the credentials of an :class:`AWSCredentialChain`."""

    __slots__ = ("_chain", "region", "service")

    def __init__(self, chain: AWSCredentialChain, region: str, service: str = "bedrock") -> None:
        self._chain = chain
        self.region = region
        self.service = service

    async def sign(self, request: OutgoingRequest, io: AuthIO) -> None:
        credentials = await self._chain.get(io)
        request.headers.update(signature_headers(request, credentials, self.region, self.service, io.time()))

    def secrets(self) -> list[str]:
        return self._chain.secrets()

    def headers_to_strip(self) -> frozenset[str]:
        return SIGNED_BY_SIGV4

    def __repr__(self) -> str:
        return f"SigV4Signer(region={self.region!r}, service={self.service!r})"


def bedrock_region(api: AIModelAPI) -> str:
    """``config["region"]`` (which ``AIModelAPI`` fills from ``AWS_REGION`` / ``AWS_DEFAULT_REGION``), else
    ``us-east-1``, the region of the host's default base URL."""
    return str(api.config.get("region") or "us-east-1")


def bedrock_signer(api: AIModelAPI) -> Signer:
    """The signer of a Bedrock API: its API key as a bearer token when it has one (a Bedrock API key, given or read
    from ``AWS_BEARER_TOKEN_BEDROCK``), else SigV4 (service ``bedrock``) over the AWS credential chain."""
    from .keys import bearer

    key = api.get_api_key()
    if key:
        return bearer(key)
    chain = AWSCredentialChain(api.get_credentials(), api.config)
    return SigV4Signer(chain, bedrock_region(api), "bedrock")
