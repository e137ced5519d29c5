"""``test_mode=True``: a canned answer shaped like a real one, with no network."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ._finalize import finalize
from ._streaming import Batch, success_status
from .protocols.base import CallContext
from .types.enums import FinishReason
from .types.prompt import Prompt
from .types.response import (
    AIModelCallResponse,
    ChatResponse,
    ChatResponseChoice,
    ChatResponseTextContentItem,
    ChatResponseUsage,
)
from .types.stream import ChatResponseTextContentItemDelta, SSEResponse


def _answer_text(ctx: CallContext) -> str:
    last = next((m for m in reversed(ctx.messages) if isinstance(m, Prompt) and m.role == "user"), None)
    asked = last.rendered_text() if last is not None else ""
    return f"Test-mode answer from {ctx.model_name} to: {asked[:200]}"


def canned_response(ctx: CallContext) -> ChatResponse:
    text = _answer_text(ctx)
    prompt_tokens = sum(len(m.rendered_text().split()) for m in ctx.messages if isinstance(m, Prompt))
    completion = len(text.split())
    response = ChatResponse(
        model=ctx.model_name,
        provider=ctx.vendor,
        api_provider=ctx.api_provider,
        usage=ChatResponseUsage(
            prompt_tokens=prompt_tokens, completion_tokens=completion, total_tokens=prompt_tokens + completion
        ),
        choices=[
            ChatResponseChoice(
                index=0, finish_reason=FinishReason.STOP, contents=[ChatResponseTextContentItem(text=text)]
            )
        ],
        metadata={"test_mode": True},
    )
    return finalize(response, ctx)


async def canned_stream(ctx: CallContext) -> AsyncIterator[Batch]:
    final = canned_response(ctx)
    words = (final.text() or "").split(" ")
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        chunk = ctx.make_chunk([ChatResponseTextContentItemDelta(index=0, text_delta=piece)])
        yield [(SSEResponse(data=chunk), None)]
    yield [(None, AIModelCallResponse(status=success_status(ctx), chat_response=final))]
