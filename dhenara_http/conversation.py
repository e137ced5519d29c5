"""Multi-turn history: ``ConversationNode`` (one turn) and ``PromptFormatter`` (turns → provider-neutral prompts).

The prompts are provider-neutral: the user turn is a :class:`Prompt` (attached files as its ``files``), the assistant
turn is the earlier :class:`ChatResponse` itself, so tool calls, reasoning and their signatures travel with it. The
destination protocol renders them onto its wire when the request is built, and decides there what its wire can carry.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from .types._base import BaseModel
from .types.enums import PromptMessageRoleEnum
from .types.prompt import GenericFile, Prompt, PromptConfig
from .types.response import ChatResponse, ChatResponseTextContentItem, ImageResponse


class ConversationNode(BaseModel):
    """One turn: what the user asked (with files) and what the model answered."""

    user_query: str
    attached_files: list[GenericFile] = Field(
        default_factory=list, validation_alias=AliasChoices("attached_files", "input_files")
    )
    response: ChatResponse | ImageResponse | None = None
    timestamp: str | None = None

    @property
    def input_files(self) -> list[GenericFile]:
        return self.attached_files


def _truncate(response: ChatResponse, max_words: int) -> ChatResponse:
    copy = response.model_copy(deep=True)
    for choice in copy.choices:
        for item in choice.contents:
            if isinstance(item, ChatResponseTextContentItem):
                item.text = " ".join(item.text.split()[:max_words])
    return copy


class PromptFormatter:
    @staticmethod
    def format_conversion_node_as_prompts(
        model: Any = None,
        user_query: str | None = None,
        attached_files: list[GenericFile] | None = None,
        previous_response: ChatResponse | ImageResponse | list[Any] | None = None,
        max_words_query: int | None = None,
        max_words_files: int | None = None,
        max_words_response: int | None = None,
        response_before_query: bool = False,
    ) -> list[Prompt | ChatResponse]:
        """The user turn, then the assistant turn made from ``previous_response`` (``None`` or ``[]``: none).

        ``model`` is the destination model; it is accepted for compatibility — what a wire can carry is decided when
        the request is built.
        """
        prompts: list[Prompt | ChatResponse] = []
        if user_query is not None or attached_files:
            prompts.append(
                Prompt(
                    role=PromptMessageRoleEnum.USER,
                    text=user_query or "",
                    files=list(attached_files or []),
                    config=PromptConfig(max_words_text=max_words_query, max_words_file=max_words_files),
                )
            )
        answer: Prompt | ChatResponse | None = None
        if isinstance(previous_response, ChatResponse):
            answer = (
                _truncate(previous_response, max_words_response)
                if max_words_response
                else previous_response.model_copy(deep=True)
            )
        elif isinstance(previous_response, ImageResponse):
            revised = [c.revised_prompt for ch in previous_response.choices for c in ch.contents if c.revised_prompt]
            text = "[image generated" + (f": {revised[0]}]" if revised else "]")
            answer = Prompt(role=PromptMessageRoleEnum.ASSISTANT, text=text)
        if answer is not None:
            if response_before_query:
                prompts.insert(0, answer)
            else:
                prompts.append(answer)
        return prompts
