"""Signers: what authenticates a request, called on every attempt (a retried request is signed again).

* :mod:`.keys` — static keys: ``Authorization: Bearer``, ``x-api-key``, ``api-key``, ``x-goog-api-key``.
* :mod:`.sigv4` — AWS Signature Version 4 (Bedrock), with ``hashlib`` / ``hmac`` only.
* :mod:`.google_sa` — Google service accounts: an RS256 JWT signed with ``pow()``, exchanged for an access token that
  is cached and refreshed once, under a lock, shortly before it expires.

The interface is in :mod:`.base`. ``signer_for(api)`` (in :mod:`.keys`) picks the signer of an API.
"""
