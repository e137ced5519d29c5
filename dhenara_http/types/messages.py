"""``MessageItem``: what a call's ``messages=[...]`` holds (dhenara-ai's name)."""

from __future__ import annotations

from typing import Union

from .prompt import Prompt, ToolCallResult, ToolCallResultsMessage
from .response import ChatResponse

#: A turn of a conversation: a ``Prompt``, an earlier answer (``ChatResponse``, from ``to_message_item()``) or tool
#: results.
MessageItem = Union[Prompt, ChatResponse, ToolCallResult, ToolCallResultsMessage]  # noqa: UP007
