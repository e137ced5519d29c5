"""What a ``generate`` call is made of: the arguments read into provider-neutral messages and instructions, and the
call context the protocol builds its request from. Bad arguments are a ``ConfigurationError`` naming them, before
anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import ConfigurationError
from .hosts import host_for, wire_api_for
from .protocols.base import CallContext, Message
from .types.config import AIModelCallConfig
from .types.endpoint import AIModelEndpoint
from .types.enums import PromptMessageRoleEnum
from .types.prompt import Prompt, SystemInstruction, ToolCallResult, ToolCallResultsMessage, user_prompt
from .types.response import ChatResponse


def _as_message(item: Any, where: str) -> Message:
    if isinstance(item, Prompt | ChatResponse | ToolCallResult | ToolCallResultsMessage):
        return item
    if type(item) is str:
        return user_prompt(item)
    if isinstance(item, str):
        return Prompt(role=PromptMessageRoleEnum.USER, text=item)
    if isinstance(item, dict):
        kind = item.get("type")
        if kind == "chat_response":
            return ChatResponse.model_validate(item)
        if kind == "tool_result":
            return ToolCallResult.model_validate(item)
        if kind == "tool_result_message":
            return ToolCallResultsMessage.model_validate(item)
        return Prompt.model_validate(item)
    raise ConfigurationError(
        f"{where}: expected a str, Prompt, ChatResponse, ToolCallResult or ToolCallResultsMessage, "
        f"got {type(item).__name__}"
    )


def _list_of(values: Any, name: str) -> Sequence[Any]:
    """A list argument as given; a ``str`` (which would be read as one message per character) is refused."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ConfigurationError(
            f"generate(): {name} must be a list, got {type(values).__name__}"
            + (f" (wrap it: {name}=[...])" if isinstance(values, str) else "")
        )
    return values


def _spread(values: Sequence[Any]) -> list[Any]:
    """``values`` with lists inside spread out: what ``PromptFormatter`` returns for a turn is a list of messages."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            out.extend(value)
        else:
            out.append(value)
    return out


def _instructions(values: Any) -> Sequence[Any]:
    """The instructions as a list. An empty ``str`` is none, as dhenara-ai reads it (its examples pass
    ``instructions=""``); any other ``str`` is a ``ConfigurationError`` — it would otherwise be one instruction per
    character, and whether the caller meant one instruction or forgot the list is not ours to guess."""
    if isinstance(values, str) and not values:
        return []
    return _list_of(values, "instructions") if values is not None else []


def _instruction_text(item: Any, i: int) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, SystemInstruction):
        return item.get_formatted_text()
    if isinstance(item, Prompt):
        return item.rendered_text()
    if isinstance(item, dict):
        # dhenara-ai: a dict holds a SystemInstruction's fields.
        return SystemInstruction.model_validate(item).get_formatted_text()
    raise ConfigurationError(f"instructions[{i}]: expected a str or SystemInstruction, got {type(item).__name__}")


def build_context(
    endpoint: AIModelEndpoint,
    config: AIModelCallConfig,
    prompt: Any,
    context: Sequence[Any] | None,
    instructions: Sequence[Any] | None,
    messages: Sequence[Any] | None,
) -> CallContext:
    """The call context of one ``generate`` call: its messages, instructions and the host and wire it goes to."""
    if messages is not None and (prompt is not None or context):
        raise ConfigurationError("generate(): give either messages=[...] or prompt (with context), not both")
    items: list[Message] = []
    if messages is not None:
        items = [_as_message(m, f"messages[{i}]") for i, m in enumerate(_spread(_list_of(messages, "messages")))]
    else:
        given = _list_of(context, "context") if context is not None else []
        items = [_as_message(m, f"context[{i}]") for i, m in enumerate(_spread(given))]
        if prompt is not None:
            items.extend(_as_message(p, "prompt") for p in _spread([prompt]))
    if not items:
        raise ConfigurationError("generate(): nothing to send (no prompt and no messages)")
    given_instructions = _instructions(instructions)
    system: list[str] = [_instruction_text(x, i) for i, x in enumerate(given_instructions)]
    # System prompts given as messages join the instructions, in order.
    kept: list[Message] = []
    for m in items:
        if isinstance(m, Prompt) and m.role == PromptMessageRoleEnum.SYSTEM:
            system.append(m.rendered_text())
        else:
            kept.append(m)
    api = endpoint.api
    return CallContext(
        endpoint=endpoint,
        config=config,
        host=host_for(api),
        instructions=system,
        messages=kept,
        stream=config.streaming,
        wire_api=wire_api_for(api, endpoint.ai_model),
    )
