"""Amazon Bedrock credentials: a Bedrock API key (bearer) for now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import ConfigurationError
from .base import Signer
from .keys import bearer

if TYPE_CHECKING:
    from ...types.api import AIModelAPI


def bedrock_signer(api: AIModelAPI) -> Signer:
    key = api.get_api_key()
    if not key:
        raise ConfigurationError(
            f"AIModelAPI({api.provider.value}): SigV4 signing is not available yet; give api_key= a Bedrock API key"
        )
    return bearer(key)
