"""What a call returns: ``AIModelCallResponse`` holding a ``ChatResponse`` (or an ``ImageResponse``).

Content items are typed by ``type`` (a discriminated union), so a ``ChatResponse`` survives
``model_dump()`` → ``model_validate()`` unchanged — conversation history can be stored and reloaded.
Provider data needed to replay a turn (item ids, reasoning signatures, Gemini ``thoughtSignature`` …) lives in each
item's ``metadata`` and in the reasoning item's own fields.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal, Union

import pydantic
from pydantic import Field

from ..errors import ResponseParseError
from ._base import BaseModel
from ._json import checked_answer
from .enums import (
    AIModelAPIProviderEnum,
    AIModelProviderEnum,
    ChatResponseContentItemType,
    ExternalApiCallStatusEnum,
    FinishReason,
)

# A runtime import (stream.py imports nothing from here): pydantic must resolve StreamItem's names to build
# AIModelCallResponse.
from .stream import SSEErrorResponse, SSEResponse


class _ItemBase(BaseModel):
    index: int = 0
    role: str | None = "assistant"
    metadata: dict[str, Any] = Field(default_factory=dict)


class ChatResponseTextContentItem(_ItemBase):
    type: Literal[ChatResponseContentItemType.TEXT] = ChatResponseContentItemType.TEXT
    text: str = ""
    message_id: str | None = None

    def get_text(self) -> str:
        return self.text


class ChatResponseReasoningContentItem(_ItemBase):
    """Thinking. ``thinking_text`` is readable reasoning (or a summary of it); ``thinking_signature`` and
    ``encrypted_content`` are opaque, bound to the provider that made them, and replayed only to it."""

    type: Literal[ChatResponseContentItemType.REASONING] = ChatResponseContentItemType.REASONING
    thinking_text: str | None = None
    thinking_summary: list[str] | None = None
    thinking_signature: str | None = None
    encrypted_content: str | None = None
    thinking_id: str | None = None
    thinking_status: str | None = None

    def get_text(self) -> str:
        if self.thinking_text:
            return self.thinking_text
        if self.thinking_summary:
            return "\n\n".join(self.thinking_summary)
        return ""


class ChatResponseToolCall(BaseModel):
    """A call the model asked for. ``id`` is what the tool result must name (``ToolCallResult.call_id``)."""

    id: str | None = None
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    raw_arguments: str | None = None
    parse_error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def call_id(self) -> str | None:
        return self.id

    @classmethod
    def from_raw(
        cls, *, id: str | None, name: str, arguments: str | dict[str, Any] | None, **extra: Any
    ) -> ChatResponseToolCall:
        """Build from arguments as the wire gave them (a JSON string or an object); bad JSON is kept, not lost.

        Arguments that are not a JSON object — bad JSON, another JSON value, JSON nested deeper than a response may
        be — give empty ``arguments``, the text in ``raw_arguments`` and the reason in ``parse_error``."""
        if arguments is None or arguments == "":
            return cls(id=id, name=name, arguments={}, raw_arguments=arguments or None, **extra)
        if isinstance(arguments, dict):
            return cls(id=id, name=name, arguments=arguments, **extra)
        try:
            parsed = checked_answer(json.loads(arguments), "the tool call's arguments")
        except (ValueError, RecursionError, ResponseParseError) as exc:
            if isinstance(exc, ResponseParseError):
                reason = exc.message
            elif isinstance(exc, RecursionError):
                reason = "the arguments are nested too deeply"
            else:
                reason = str(exc)
            return cls(id=id, name=name, arguments={}, raw_arguments=arguments, parse_error=reason, **extra)
        if not isinstance(parsed, dict):
            return cls(
                id=id,
                name=name,
                arguments={},
                raw_arguments=arguments,
                parse_error="arguments are not an object",
                **extra,
            )
        return cls(id=id, name=name, arguments=parsed, raw_arguments=arguments, **extra)


class ChatResponseToolCallContentItem(_ItemBase):
    type: Literal[ChatResponseContentItemType.TOOL_CALL] = ChatResponseContentItemType.TOOL_CALL
    tool_call: ChatResponseToolCall

    @property
    def id(self) -> str | None:
        return self.tool_call.id

    @property
    def name(self) -> str:
        return self.tool_call.name

    @property
    def arguments(self) -> dict[str, Any]:
        return self.tool_call.arguments

    def get_text(self) -> str:
        return f"{self.tool_call.name}({json.dumps(self.tool_call.arguments, ensure_ascii=False)})"


class ChatResponseStructuredOutput(BaseModel):
    structured_data: dict[str, Any] | None = None
    raw_data: str | None = None
    parse_error: str | None = None
    model_class: type[pydantic.BaseModel] | None = Field(default=None, exclude=True)

    def as_pydantic(self) -> pydantic.BaseModel | None:
        if self.model_class is None or self.structured_data is None:
            return None
        return self.model_class.model_validate(self.structured_data)


class ChatResponseStructuredOutputContentItem(_ItemBase):
    type: Literal[ChatResponseContentItemType.STRUCTURED_OUTPUT] = ChatResponseContentItemType.STRUCTURED_OUTPUT
    structured_output: ChatResponseStructuredOutput
    text: str = ""
    message_id: str | None = None

    def get_text(self) -> str:
        return self.text


class ChatResponseGenericContentItem(_ItemBase):
    type: Literal[ChatResponseContentItemType.GENERIC] = ChatResponseContentItemType.GENERIC

    def get_text(self) -> str:
        return json.dumps(self.metadata, ensure_ascii=False, default=str)


ChatResponseContentItem = Annotated[
    Union[  # noqa: UP007
        ChatResponseTextContentItem,
        ChatResponseReasoningContentItem,
        ChatResponseToolCallContentItem,
        ChatResponseStructuredOutputContentItem,
        ChatResponseGenericContentItem,
    ],
    Field(discriminator="type"),
]


class ChatResponseUsage(BaseModel):
    """Tokens, normalised across providers: ints on every wire, 0 when the provider reports none.

    ``prompt_tokens`` counts every input token, cached ones included (``cache_read_tokens`` and
    ``cache_write_tokens`` are parts of it); ``completion_tokens`` counts every output token, reasoning included
    (``reasoning_tokens`` is a part of it). ``None`` (what older versions stored for a count not reported) reads as 0.
    """

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    total_tokens: int = Field(default=0, ge=0)
    reasoning_tokens: int = Field(default=0, ge=0)
    cache_read_tokens: int = Field(default=0, ge=0)
    cache_write_tokens: int = Field(default=0, ge=0)

    @pydantic.field_validator("*", mode="before")
    @classmethod
    def _none_is_zero(cls, value: Any) -> Any:
        return 0 if value is None else value


class UsageCharge(BaseModel):
    cost: float
    charge: float | None = None


class ChatResponseChoice(BaseModel):
    index: int = 0
    finish_reason: FinishReason | None = None
    stop_sequence: str | None = None
    contents: list[ChatResponseContentItem] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class ChatResponse(BaseModel):
    """A complete answer. ``provider_response`` is the provider's raw JSON (for a stream, the reconstructed one)."""

    type: Literal["chat_response"] = "chat_response"
    model: str
    provider: AIModelProviderEnum | str
    api_provider: AIModelAPIProviderEnum | None = None
    usage: ChatResponseUsage | None = None
    usage_charge: UsageCharge | None = None
    choices: list[ChatResponseChoice] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    provider_response: dict[str, Any] | None = None

    def _items(self) -> Iterator[Any]:
        for choice in self.choices:
            yield from choice.contents

    def first(self, content_type: ChatResponseContentItemType | str) -> Any | None:
        """The first content item of that type, across choices."""
        wanted = ChatResponseContentItemType(content_type)
        return next((c for c in self._items() if c.type == wanted), None)

    def text(self) -> str | None:
        """The text of the answer (all text items of the first choice, joined), or None if it has none."""
        if not self.choices:
            return None
        texts = [c.text for c in self.choices[0].contents if c.type == ChatResponseContentItemType.TEXT]
        return "".join(texts) if texts else None

    def reasoning(self) -> str | None:
        texts = [c.get_text() for c in self._items() if c.type == ChatResponseContentItemType.REASONING]
        joined = "\n\n".join(t for t in texts if t)
        return joined or None

    def tools(self) -> list[ChatResponseToolCallContentItem]:
        return [c for c in self._items() if isinstance(c, ChatResponseToolCallContentItem)]

    def structured(self) -> dict[str, Any] | None:
        item = self.first(ChatResponseContentItemType.STRUCTURED_OUTPUT)
        return item.structured_output.structured_data if item is not None else None

    def parsed(self) -> pydantic.BaseModel | None:
        """The structured output as an instance of the pydantic class the call asked for."""
        item = self.first(ChatResponseContentItemType.STRUCTURED_OUTPUT)
        return item.structured_output.as_pydantic() if item is not None else None

    def structured_pyd(self) -> pydantic.BaseModel | None:
        """dhenara-ai's name for :meth:`parsed`."""
        return self.parsed()

    @property
    def finish_reason(self) -> FinishReason | None:
        return self.choices[0].finish_reason if self.choices else None

    def as_text(self) -> str:
        return "\n\n".join(t for t in (c.get_text() for c in self._items()) if t)

    def to_message_item(self) -> ChatResponse:
        """This answer as an assistant turn for the next call's ``messages``."""
        return self.model_copy(deep=True)


class ImageContentItem(BaseModel):
    index: int = 0
    content_format: Literal["base64", "url", "bytes"]
    content_b64_json: str | None = None
    content_url: str | None = None
    content_bytes: bytes | None = None
    revised_prompt: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def get_text(self) -> str:
        return self.revised_prompt or ""


class ImageResponseChoice(BaseModel):
    index: int = 0
    contents: list[ImageContentItem] = Field(default_factory=list)


class ImageResponseUsage(BaseModel):
    number_of_images: int
    model: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ImageResponse(BaseModel):
    type: Literal["image_response"] = "image_response"
    model: str
    provider: AIModelProviderEnum | str
    api_provider: AIModelAPIProviderEnum | None = None
    usage: ImageResponseUsage | None = None
    usage_charge: UsageCharge | None = None
    choices: list[ImageResponseChoice] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    provider_response: dict[str, Any] | None = None


class ExternalApiCallStatus(BaseModel):
    status: ExternalApiCallStatusEnum
    api_provider: AIModelAPIProviderEnum | str
    model: str
    message: str = ""
    code: str | None = None
    http_status_code: int | None = None
    data: dict[str, Any] | None = None

    @property
    def successful(self) -> bool:
        return self.status == ExternalApiCallStatusEnum.RESPONSE_RECEIVED_SUCCESS


StreamItem = tuple["SSEResponse | SSEErrorResponse | None", "AIModelCallResponse | None"]


class AIModelCallResponse(BaseModel):
    """What ``generate`` returns: a ``chat_response`` / ``image_response``, or a stream generator whose last item is
    ``(None, final)`` where ``final`` is an ``AIModelCallResponse`` holding the complete ``chat_response``."""

    status: ExternalApiCallStatus | None = None
    chat_response: ChatResponse | None = None
    image_response: ImageResponse | None = None
    stream_generator: Iterator[StreamItem] | None = Field(default=None, exclude=True)
    async_stream_generator: AsyncIterator[StreamItem] | None = Field(default=None, exclude=True)

    @property
    def full_response(self) -> ChatResponse | ImageResponse | None:
        return self.chat_response if self.chat_response is not None else self.image_response

    @property
    def sync_stream_generator(self) -> Iterator[StreamItem] | None:
        return self.stream_generator
