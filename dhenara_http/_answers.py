"""Reading a whole answer into what ``generate`` returns: the one boundary where a wire's JSON is read.

A protocol's ``parse_response`` reads the provider's JSON; whatever it raises that is not one of our errors (a
malformed answer read into a ``TypeError`` …) becomes a :class:`~dhenara_http.errors.ResponseParseError` here, with
secrets scrubbed. The parsed response then goes through :func:`~dhenara_http._finalize.finalize` (structured output,
cost) — an image wire's :class:`ImageResponse` through :func:`~dhenara_http._finalize_image.finalize_image` (its
cost), into ``image_response`` — and is wrapped with the HTTP facts of the exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._finalize import finalize
from .errors import DhenaraError, ResponseParseError
from .types._trusted import trusted
from .types.enums import ExternalApiCallStatusEnum
from .types.http import RateLimitInfo
from .types.response import AIModelCallResponse, ChatResponse, ExternalApiCallStatus, ImageResponse

if TYPE_CHECKING:
    from ._transport.http import Facts, Transport
    from .protocols.base import CallContext, WireProtocol


def success_status(ctx: CallContext, code: int = 200) -> ExternalApiCallStatus:
    return trusted(
        ExternalApiCallStatus,
        status=ExternalApiCallStatusEnum.RESPONSE_RECEIVED_SUCCESS,
        api_provider=ctx.api_provider,
        model=ctx.model_name,
        message="ok",
        http_status_code=code,
    )


def read_answer(
    protocol: WireProtocol, data: Any, ctx: CallContext, transport: Transport, facts: Facts | None
) -> AIModelCallResponse:
    """The response for a whole JSON answer (already known not to be an error body)."""
    t = transport.target
    if not isinstance(data, dict):
        raise ResponseParseError(
            f"the answer is JSON but not an object (a {type(data).__name__})", provider=t.provider, model=t.model
        )
    try:
        parsed: ChatResponse | ImageResponse = protocol.parse_response(data, ctx)
        if isinstance(parsed, ImageResponse):
            from ._finalize_image import finalize_image

            parsed = finalize_image(parsed, ctx)
        else:
            parsed = finalize(parsed, ctx)
    except DhenaraError as exc:
        raise t.scrub.error(exc) from None
    except Exception as exc:
        detail = t.scrub.text(f"{type(exc).__name__}: {exc}")[:300]
        raise ResponseParseError(f"malformed answer: {detail}", provider=t.provider, model=t.model) from None
    return response_of(parsed, ctx, facts)


def response_of(parsed: ChatResponse | ImageResponse, ctx: CallContext, facts: Facts | None) -> AIModelCallResponse:
    """``AIModelCallResponse`` for a finalized response (a chat or an image answer), with the HTTP facts of its
    exchange."""
    answer: dict[str, Any] = (
        {"image_response": parsed} if isinstance(parsed, ImageResponse) else {"chat_response": parsed}
    )
    if facts is None:
        return trusted(AIModelCallResponse, status=success_status(ctx), **answer)
    return trusted(
        AIModelCallResponse,
        status=success_status(ctx, facts.status),
        **answer,
        request_id=facts.request_id,
        headers=facts.headers,
        attempts=facts.attempts,
        rate_limit=RateLimitInfo.from_headers(facts.headers),
    )
