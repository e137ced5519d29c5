"""The step every image answer goes through after parsing, whatever wire made it: its cost.

``usage.options`` holds the options the call used (the model's defaults filled in, and the size and quality the
provider reports it used in place of the requested ones); the cost is priced from them and from the tokens the
provider counted (see :mod:`dhenara_http._pricing`). An answer the catalogue cannot price keeps ``usage_charge``
None, never 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._pricing import image_usage_charge

if TYPE_CHECKING:
    from .protocols.base import CallContext
    from .types.response import ImageResponse


def finalize_image(response: ImageResponse, ctx: CallContext) -> ImageResponse:
    """``response`` with its ``usage_charge`` set from the endpoint's prices (the catalogue's unless overridden)."""
    response.usage_charge = image_usage_charge(response.usage, ctx.endpoint.effective_cost_data(), ctx.model)
    return response
