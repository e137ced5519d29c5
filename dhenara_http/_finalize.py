"""Steps every protocol's answer goes through after parsing, streamed or not: structured output, the place of
unrequested reasoning items, and cost. Kept in one place so a streamed final response equals the non-streamed one."""

from __future__ import annotations

from ._pricing import chat_usage_charge
from .protocols._structured import structured_item
from .protocols.base import CallContext
from .types.enums import ChatResponseContentItemType as T
from .types.response import ChatResponse, ChatResponseTextContentItem


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
