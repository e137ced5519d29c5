"""Steps every protocol's answer goes through after parsing, streamed or not: structured output, the place of
unrequested reasoning items, and cost. Kept in one place so a streamed final response equals the non-streamed one."""

from __future__ import annotations

import json

from ._pricing import chat_usage_charge
from .protocols.base import CallContext
from .types.enums import ChatResponseContentItemType as T
from .types.response import (
    ChatResponse,
    ChatResponseStructuredOutput,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
)


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
    except ValueError as exc:
        error = str(exc)
    return ChatResponseStructuredOutputContentItem(
        index=base.index if base else 0,
        text=text,
        message_id=base.message_id if base else None,
        metadata=dict(base.metadata) if base else {},
        structured_output=ChatResponseStructuredOutput(
            structured_data=data, raw_data=text if data is None else None, parse_error=error, model_class=model_class
        ),
    )


def finalize(response: ChatResponse, ctx: CallContext) -> ChatResponse:
    for choice in response.choices:
        contents = list(choice.contents)
        # A protocol that built the structured output itself (from a forced answer tool) has no text to convert.
        if ctx.config.structured_output is not None and not any(c.type == T.STRUCTURED_OUTPUT for c in contents):
            for i, item in enumerate(contents):
                if isinstance(item, ChatResponseTextContentItem):
                    contents[i] = structured_item(item.text, ctx, item)
                    break
        if not ctx.config.reasoning and contents and contents[0].type == T.REASONING and not contents[0].get_text():
            # Kept for replay (its position is in metadata["output_index"]), but never empty in front of the answer.
            leading = 0
            while (
                leading < len(contents) and contents[leading].type == T.REASONING and not contents[leading].get_text()
            ):
                leading += 1
            if leading < len(contents):
                contents = contents[leading:] + contents[:leading]
        choice.contents = contents
    response.usage_charge = chat_usage_charge(response.usage, ctx.endpoint.effective_cost_data())
    return response
