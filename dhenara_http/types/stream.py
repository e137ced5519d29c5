"""Streaming chunks.

These are plain slotted dataclasses, not pydantic models: a stream makes thousands of them and none needs
validation (the protocol module built them from parsed JSON). Each has ``model_dump()`` for symmetry.

Hot paths build them positionally (keyword calls cost twice as much), so the order of the fields is relied on, and
:func:`text_chunk` builds the most common chunk without the ``__init__`` calls: a field added to one of these classes
must be added there too (a test compares the two ways of building).

Every chunk a stream yields holds at least one ``choice_deltas`` entry with at least one ``content_deltas`` entry, so
``chunk.data.choice_deltas[0].content_deltas[0].get_text_delta()`` never fails.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from .enums import ChatResponseContentItemType, FinishReason, SSEEventType

if TYPE_CHECKING:
    from .usage import ChatResponseUsage, UsageCharge


class _Dump:
    __slots__ = ()

    def model_dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload,no-any-return]


@dataclass(slots=True)
class ChatResponseTextContentItemDelta(_Dump):
    index: int = 0
    text_delta: str = ""
    type: ChatResponseContentItemType = ChatResponseContentItemType.TEXT

    def get_text_delta(self) -> str:
        return self.text_delta


@dataclass(slots=True)
class ChatResponseReasoningContentItemDelta(_Dump):
    """Reasoning text as it streams; a signature or encrypted content may arrive in a delta of its own."""

    index: int = 0
    text_delta: str = ""
    thinking_signature: str | None = None
    thinking_id: str | None = None
    type: ChatResponseContentItemType = ChatResponseContentItemType.REASONING

    def get_text_delta(self) -> str:
        return self.text_delta


@dataclass(slots=True)
class ChatResponseToolCallContentItemDelta(_Dump):
    """A piece of a tool call: its id and name arrive once, its JSON arguments in ``arguments_delta`` pieces."""

    index: int = 0
    arguments_delta: str = ""
    tool_call_id: str | None = None
    tool_name: str | None = None
    type: ChatResponseContentItemType = ChatResponseContentItemType.TOOL_CALL

    def get_text_delta(self) -> str:
        return self.arguments_delta


@dataclass(slots=True)
class ChatResponseGenericContentItemDelta(_Dump):
    index: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    type: ChatResponseContentItemType = ChatResponseContentItemType.GENERIC

    def get_text_delta(self) -> str:
        return ""


ChatResponseContentItemDelta = Union[  # noqa: UP007
    ChatResponseTextContentItemDelta,
    ChatResponseReasoningContentItemDelta,
    ChatResponseToolCallContentItemDelta,
    ChatResponseGenericContentItemDelta,
]


@dataclass(slots=True)
class ChatResponseChoiceDelta(_Dump):
    index: int = 0
    content_deltas: list[ChatResponseContentItemDelta] = field(default_factory=list)
    finish_reason: FinishReason | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ChatResponseChunk(_Dump):
    """One streamed piece of an answer. ``usage`` / ``usage_charge`` are dhenara-ai's fields for usage known while
    streaming; they stay None here (the final response carries the usage and its cost)."""

    model: str
    provider: str
    api_provider: str | None = None
    choice_deltas: list[ChatResponseChoiceDelta] = field(default_factory=list)
    done: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    usage: ChatResponseUsage | None = None
    usage_charge: UsageCharge | None = None

    def model_dump(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for name in ("usage", "usage_charge"):
            value = getattr(self, name)
            out[name] = value.model_dump() if value is not None else None
        return out


@dataclass(slots=True)
class SSEErrorData(_Dump):
    error_code: str
    message: str
    details: dict[str, Any] | None = None


@dataclass(slots=True)
class SSEResponse(_Dump):
    """One streamed item: ``event`` is ``TOKEN_STREAM`` and ``data`` a :class:`ChatResponseChunk`."""

    data: ChatResponseChunk
    event: SSEEventType = SSEEventType.TOKEN_STREAM
    id: str | None = None
    retry: int | None = None

    def is_error(self) -> bool:
        return False


@dataclass(slots=True)
class SSEErrorResponse(_Dump):
    data: SSEErrorData
    event: SSEEventType = SSEEventType.ERROR
    id: str | None = None
    retry: int | None = None

    def is_error(self) -> bool:
        return True


#: dhenara-ai's name for a chat ``SSEResponse``.
StreamingChatResponse = SSEResponse

_new = object.__new__
_TEXT = ChatResponseContentItemType.TEXT


def text_chunk(model: str, provider: str, api_provider: str | None, index: int, text: str) -> ChatResponseChunk:
    """``ChatResponseChunk(model, provider, api_provider, [ChatResponseChoiceDelta(0,
    [ChatResponseTextContentItemDelta(index, text)])])`` — the chunk of one piece of answer text, by far the most
    common, made a third faster by setting the slots directly instead of calling three ``__init__``s."""
    delta = _new(ChatResponseTextContentItemDelta)
    delta.index = index
    delta.text_delta = text
    delta.type = _TEXT
    choice = _new(ChatResponseChoiceDelta)
    choice.index = 0
    choice.content_deltas = [delta]
    choice.finish_reason = None
    choice.metadata = {}
    chunk = _new(ChatResponseChunk)
    chunk.model = model
    chunk.provider = provider
    chunk.api_provider = api_provider
    chunk.choice_deltas = [choice]
    chunk.done = False
    chunk.metadata = {}
    chunk.usage = None
    chunk.usage_charge = None
    return chunk
