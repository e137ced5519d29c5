"""Google Cloud (Vertex AI) credentials: a ready OAuth access token for now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import ConfigurationError
from .base import Signer
from .keys import bearer

if TYPE_CHECKING:
    from ...types.api import AIModelAPI


def vertex_signer(api: AIModelAPI) -> Signer:
    token = api.get_credentials().get("access_token") or api.get_api_key()
    if not token:
        raise ConfigurationError(
            f"AIModelAPI({api.provider.value}): give credentials={{'access_token': ...}} (an OAuth access token, "
            "e.g. from `gcloud auth print-access-token`)"
        )
    return bearer(str(token))
