"""The mock's Google OAuth: a token endpoint (``POST /token``) and a Compute Engine metadata server
(``GET /computeMetadata/v1/instance/service-accounts/default/token``) issuing short-lived bearer tokens, and the
check Vertex AI routes make of them.

The token endpoint takes the two grants Google's takes: ``urn:ietf:params:oauth:grant-type:jwt-bearer`` with a
service-account assertion, whose RS256 signature is verified with the public key of the mock's own service account
(:mod:`._accounts`) and whose ``iss``, ``aud`` (this endpoint's URL), ``scope``, ``iat`` and ``exp`` are checked; and
``refresh_token`` with the mock's gcloud user credentials. Refusals have the shape of Google's
(``{"error": "invalid_grant", "error_description": ...}``). The metadata server wants ``Metadata-Flavor: Google``.

Tokens live ``server.oauth.lifetime`` seconds (``MockProviderServer(token_lifetime=...)``) by ``server.oauth.clock``,
which a test may replace to see a refresh without waiting. Each server has its own :class:`TokenIssuer`: a token
one server issued is unknown to another.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from .._transport.auth._der import rsa_key_from_pem
from .._transport.auth._jwt import b64url_decode, rsa_verify
from . import _accounts
from ._http import MockRequest, Reply
from ._routes import Route

NAME = "google_oauth"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: How far an assertion's ``iat`` may lie in the future (clock skew Google tolerates).
_SKEW = 300
_UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_MISSING = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


@dataclass
class TokenIssuer:
    """The tokens one mock server issued, with their expiry, and who asked for each."""

    lifetime: float = 3600.0
    clock: Callable[[], float] = time.time
    #: The identity behind every token issued, in order (a client email, ``"metadata"`` or the user's client id).
    issued: list[str] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, identity: str) -> dict[str, Any]:
        """A new token's answer body."""
        token = "ya29.mock-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self.clock() + self.lifetime
            self.issued.append(identity)
        return {"access_token": token, "expires_in": int(self.lifetime), "token_type": "Bearer"}

    def status(self, token: str) -> str:
        """``"valid"``, ``"expired"`` or ``"unknown"``."""
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if self.clock() < expiry else "expired"

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()


def issuer(request: MockRequest) -> TokenIssuer:
    """The issuer of the server that received ``request`` (a private one when the handler runs without a server)."""
    found = request.state.get(NAME)
    if not isinstance(found, TokenIssuer):
        found = request.state[NAME] = TokenIssuer()
    return found


@cache
def _public_key() -> tuple[int, int]:
    key = rsa_key_from_pem(_accounts.PRIVATE_KEY)
    return key.n, key.e


# -- the token endpoint ----------------------------------------------------------------------------------------------


def _refusal(error: str, description: str, status: int = 400) -> Reply:
    return Reply.json({"error": error, "error_description": description}, status=status)


def _claims(assertion: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes] | None:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = (json.loads(b64url_decode(p)) for p in parts[:2])
        signature = b64url_decode(parts[2])
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _jwt_grant(request: MockRequest, tokens: TokenIssuer, assertion: str) -> Reply:
    parsed = _claims(assertion)
    if parsed is None:
        return _refusal("invalid_grant", "Invalid JWT: the assertion is not a signed JWT.")
    header, claims, signed, signature = parsed
    n, e = _public_key()
    if (
        header.get("alg") != "RS256"
        or header.get("kid") not in (None, _accounts.PRIVATE_KEY_ID)
        or not rsa_verify(n, e, signed, signature)
    ):
        return _refusal("invalid_grant", "Invalid JWT Signature.")
    if claims.get("iss") != _accounts.CLIENT_EMAIL:
        return _refusal("invalid_grant", "Invalid grant: account not found")
    audience = f"http://{request.header('host')}{request.path}"
    if claims.get("aud") != audience:
        return _refusal("invalid_grant", f"Invalid JWT: Failed audience check. The right audience is {audience}")
    iat, exp, now = claims.get("iat"), claims.get("exp"), tokens.clock()
    if not isinstance(iat, int) or not isinstance(exp, int) or not (iat - _SKEW <= now < exp) or exp - iat > 3600:
        return _refusal(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your "
            "iat and exp values in the JWT claim.",
        )
    if not isinstance(claims.get("scope"), str) or not claims["scope"]:
        return _refusal("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    return Reply.json(tokens.issue(_accounts.CLIENT_EMAIL), headers={"cache-control": "no-cache, no-store"})


def _refresh_grant(tokens: TokenIssuer, form: dict[str, str]) -> Reply:
    if form.get("client_id") != _accounts.USER_CLIENT_ID or form.get("client_secret") != _accounts.USER_CLIENT_SECRET:
        return _refusal("invalid_client", "The OAuth client was not found.", status=401)
    if form.get("refresh_token") != _accounts.USER_REFRESH_TOKEN:
        return _refusal("invalid_grant", "Token has been expired or revoked.")
    return Reply.json(tokens.issue(_accounts.USER_CLIENT_ID), headers={"cache-control": "no-cache, no-store"})


def token_endpoint(request: MockRequest) -> Reply:
    if not (request.header("content-type") or "").startswith("application/x-www-form-urlencoded"):
        return _refusal("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    grant = form.get("grant_type")
    if grant == JWT_BEARER:
        return _jwt_grant(request, issuer(request), form.get("assertion", ""))
    if grant == "refresh_token":
        return _refresh_grant(issuer(request), form)
    return _refusal("unsupported_grant_type", f"Invalid grant_type: {grant or ''}")


# -- the metadata server ---------------------------------------------------------------------------------------------


def metadata_token(request: MockRequest) -> Reply:
    flavor = {"metadata-flavor": "Google"}
    if request.header("metadata-flavor") != "Google":
        body = b"Missing required header: Metadata-Flavor: Google\n"
        return Reply(status=403, body=body, headers={**flavor, "content-type": "text/html; charset=UTF-8"})
    return Reply.json(issuer(request).issue("metadata"), headers=flavor)


# -- the check of a bearer token -------------------------------------------------------------------------------------


def unauthenticated(request: MockRequest, service: str = "aiplatform.googleapis.com") -> Reply | None:
    """Google's 401 when ``request`` carries no valid bearer token issued by this server; None when it does (or when
    it comes from ``test_mode``, which sends no credentials)."""
    if request.state.get("in_process"):
        return None
    auth = request.header("authorization") or ""
    scheme, _, token = auth.partition(" ")
    reason: str | None
    if scheme.lower() != "bearer" or not token.strip():
        message, reason, challenge = _MISSING, "CREDENTIALS_MISSING", 'Bearer realm="https://accounts.google.com/"'
    else:
        state = issuer(request).status(token.strip())
        if state == "valid":
            return None
        message, reason = _UNAUTHENTICATED, ("ACCESS_TOKEN_EXPIRED" if state == "expired" else None)
        challenge = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    error: dict[str, Any] = {"code": 401, "message": message, "status": "UNAUTHENTICATED"}
    if reason:
        info = {"service": service, "method": "google.cloud.aiplatform.v1.PredictionService.GenerateContent"}
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": info,
            }
        ]
    headers = {"www-authenticate": challenge, "content-type": "application/json; charset=UTF-8"}
    return Reply.json({"error": error}, status=401, headers=headers)


def _oauth_error(status: int, message: str | None) -> Any:
    names = {401: "invalid_client", 429: "rate_limit_exceeded"}
    return {
        "error": names.get(status, "server_error" if status >= 500 else "invalid_request"),
        "error_description": message or f"HTTP {status}",
    }


ROUTES = [
    Route(
        name="google_oauth_token",
        method="POST",
        pattern=re.compile(r"/token"),
        handler=token_endpoint,
        error=_oauth_error,
    ),
    Route(
        name="gce_metadata_token",
        method="GET",
        pattern=re.compile(r"/computeMetadata/v1/instance/service-accounts/default/token"),
        handler=metadata_token,
        error=_oauth_error,
        headers=lambda request: {"metadata-flavor": "Google"},
    ),
]
