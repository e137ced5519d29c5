"""Multi-turn history: ``ConversationNode`` (one turn) and ``PromptFormatter`` (turns → provider-neutral prompts).

The prompts are provider-neutral: the user turn is a :class:`Prompt` (attached files as its ``files``), the assistant
turn is the earlier :class:`ChatResponse` itself, so tool calls, reasoning and their signatures travel with it. The
destination protocol renders them onto its wire when the request is built, and decides there what its wire can carry
(see ``docs/conversations.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from .errors import ConfigurationError
from .types._base import BaseModel
from .types._defaults import new_list
from .types.enums import PromptMessageRoleEnum
from .types.prompt import GenericFile, Prompt, PromptConfig
from .types.response import ChatResponse, ChatResponseTextContentItem, ImageResponse


class ConversationNode(BaseModel):
    """One turn: what the user asked (with files) and what the model answered. ``input_files`` is accepted for
    ``attached_files``; a ``datetime`` timestamp is kept in ISO format."""

    user_query: str
    attached_files: list[GenericFile] = Field(
        default_factory=new_list, validation_alias=AliasChoices("attached_files", "input_files")
    )
    response: ChatResponse | ImageResponse | None = None
    timestamp: str | None = None

    @field_validator("timestamp", mode="before")
    @classmethod
    def _iso(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    @property
    def input_files(self) -> list[GenericFile]:
        return self.attached_files

    def get_prompt(self, max_words_query: int | None = None, max_words_file: int | None = None) -> Prompt:
        """The user turn of this node."""
        return _user_prompt(self.user_query, self.attached_files, max_words_query, max_words_file)

    def get_context(
        self,
        max_words_query: int | None = None,
        max_words_file: int | None = None,
        max_words_response: int | None = None,
    ) -> list[Prompt | ChatResponse]:
        """This node as history for a later call: the user turn, then the answer."""
        return PromptFormatter.format_conversion_node_as_prompts(
            user_query=self.user_query,
            attached_files=self.attached_files,
            previous_response=self.response,
            max_words_query=max_words_query,
            max_words_files=max_words_file,
            max_words_response=max_words_response,
        )


def _user_prompt(
    text: str, files: list[GenericFile], max_words_query: int | None, max_words_files: int | None
) -> Prompt:
    limits = PromptConfig(max_words_text=max_words_query, max_words_file=max_words_files)
    return Prompt(
        role=PromptMessageRoleEnum.USER,
        text=text,
        files=list(files),
        config=limits if max_words_query or max_words_files else None,
    )


def _truncate(response: ChatResponse, max_words: int) -> ChatResponse:
    """A copy with the text of the answer cut to ``max_words`` words each. Reasoning is left whole: its signature
    covers it, and a cut one would be rejected."""
    copy = response.model_copy(deep=True)
    for choice in copy.choices:
        for item in choice.contents:
            if isinstance(item, ChatResponseTextContentItem):
                item.text = " ".join(item.text.split()[:max_words])
    return copy


def _image_turn(response: ImageResponse) -> Prompt:
    """An assistant turn saying that images were made (and from which revised prompts). The images themselves are not
    sent back: no wire takes images in an assistant turn; attach them to a user turn to show them to a model."""
    items = [c for choice in response.choices for c in choice.contents]
    revised = list(dict.fromkeys(c.revised_prompt for c in items if c.revised_prompt))
    count = f"{len(items)} images" if len(items) > 1 else "image"
    text = f"[{count} generated" + (": " + "; ".join(revised) + "]" if revised else "]")
    return Prompt(role=PromptMessageRoleEnum.ASSISTANT, text=text)


def _answers(previous: Any) -> list[ChatResponse | ImageResponse]:
    """The earlier answers ``previous_response`` stands for: none (``None``, ``[]``), one, several (a list), each an
    object or its stored ``model_dump()``."""
    if previous is None:
        return []
    if isinstance(previous, list | tuple):
        return [answer for one in previous for answer in _answers(one)]
    if isinstance(previous, ChatResponse | ImageResponse):
        return [previous]
    if isinstance(previous, dict):
        kind = previous.get("type", "chat_response")
        if kind == "chat_response":
            return [ChatResponse.model_validate(previous)]
        if kind == "image_response":
            return [ImageResponse.model_validate(previous)]
    raise ConfigurationError(
        "previous_response: expected a ChatResponse, an ImageResponse, a stored one (dict) or a list of them, "
        f"got {type(previous).__name__}"
    )


class PromptFormatter:
    @staticmethod
    def format_conversion_node_as_prompts(
        model: Any = None,
        user_query: str | None = None,
        attached_files: list[GenericFile] | None = None,
        previous_response: ChatResponse | ImageResponse | dict[str, Any] | list[Any] | None = None,
        max_words_query: int | None = None,
        max_words_files: int | None = None,
        max_words_response: int | None = None,
        response_before_query: bool = False,
    ) -> list[Prompt | ChatResponse]:
        """The user turn (``user_query`` with ``attached_files``; none when both are empty), then the assistant turn
        made from ``previous_response`` (``None`` or ``[]``: none) — or the other way round with
        ``response_before_query``.

        A ``ChatResponse`` stays whole (a copy, its text cut to ``max_words_response`` words when given), so its tool
        calls and reasoning reach the next call. An ``ImageResponse`` becomes a short assistant text. ``model`` is the
        destination model; it is accepted for compatibility: what a wire can carry is decided when the request is
        built.
        """
        prompts: list[Prompt | ChatResponse] = []
        if user_query or attached_files:
            prompts.append(_user_prompt(user_query or "", attached_files or [], max_words_query, max_words_files))
        answers: list[Prompt | ChatResponse] = []
        for answer in _answers(previous_response):
            if isinstance(answer, ImageResponse):
                answers.append(_image_turn(answer))
            elif max_words_response:
                answers.append(_truncate(answer, max_words_response))
            else:
                answers.append(answer.model_copy(deep=True))
        return answers + prompts if response_before_query else prompts + answers
