"""Signers: what authenticates a request, called on every attempt (a retried request is signed again).

* :mod:`.keys` — static keys: ``Authorization: Bearer``, ``x-api-key``, ``api-key``, ``x-goog-api-key``.
* :mod:`.sigv4` — AWS Signature Version 4 (Bedrock), with ``hashlib`` / ``hmac`` only.
* :mod:`.google_sa` — Google service accounts: an RS256 JWT signed with ``pow()``, exchanged for an access token that
  is cached and refreshed once, under a lock, shortly before it expires.

The interface is in :mod:`.base`. ``signer_for(api)`` (in :mod:`.keys`) picks the signer of an API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import ConfigurationError
from .base import Signer
from .keys import HeaderSigner, NoAuth, bearer

if TYPE_CHECKING:
    from ...types.api import AIModelAPI

__all__ = ["Signer", "signer_for"]


def signer_for(api: AIModelAPI, auth: str) -> Signer:
    """The signer of an API whose host authenticates by ``auth`` (a :data:`dhenara_http.hosts.AuthScheme`)."""
    key = api.get_api_key()
    if auth == "google-oauth":
        from .google_sa import vertex_signer

        return vertex_signer(api)
    if auth == "sigv4":
        from .sigv4 import bedrock_signer

        return bedrock_signer(api)
    if not key:
        from ...types.api import API_KEY_ENV_VARS
        from ...types.enums import AIModelAPIProviderEnum as P

        if api.provider is P.OPENAI_COMPATIBLE:
            return NoAuth()
        names = API_KEY_ENV_VARS.get(api.provider, ())
        where = f"; set {' or '.join(names)}" if names else ""
        raise ConfigurationError(f"AIModelAPI({api.provider.value}): no api_key given{where}")
    if auth == "bearer":
        return bearer(key)
    return HeaderSigner(auth, key)
