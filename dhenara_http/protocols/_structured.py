"""Structured output: the item an answer's JSON text becomes when the call asked for structured output — the parsed
object, or the parse error, never silently nothing. Shared by every wire (a protocol that gets the answer from a
forced tool builds it itself; :func:`dhenara_http._finalize.finalize` converts the first text of the others)."""

from __future__ import annotations

import json

from ..types.response import (
    ChatResponseStructuredOutput,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
    structured_parse_error,
)
from .base import CallContext


def structured_item(
    text: str, ctx: CallContext, base: ChatResponseTextContentItem | None = None
) -> ChatResponseStructuredOutputContentItem:
    so = ctx.config.structured_output
    model_class = so.model_class if so is not None else None
    data = None
    error = None
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            data = parsed
            if model_class is not None:
                model_class.model_validate(parsed)
        else:
            error = "the structured output is not a JSON object"
    except ValueError as exc:  # not JSON, or (pydantic's ValidationError is one) not valid for the class
        error = structured_parse_error(exc, model_class)
    return ChatResponseStructuredOutputContentItem(
        index=base.index if base else 0,
        text=text,
        message_id=base.message_id if base else None,
        metadata=dict(base.metadata) if base else {},
        structured_output=ChatResponseStructuredOutput(
            structured_data=data, raw_data=text if data is None else None, parse_error=error, model_class=model_class
        ),
    )
