"""What a call returns: ``AIModelCallResponse`` holding a ``ChatResponse`` (or an ``ImageResponse``).

Content items are typed by ``type`` (a discriminated union), so a ``ChatResponse`` survives
``model_dump()`` → ``model_validate()`` unchanged — conversation history can be stored and reloaded.
Provider data needed to replay a turn (item ids, reasoning signatures, Gemini ``thoughtSignature`` …) lives in each
item's ``metadata`` and in the reasoning item's own fields.

Hosted web search adds three shapes, the same on every wire: a search the provider ran
(:class:`ChatResponseWebSearchCallContentItem`, with its queries and, where the provider lists them, the pages it
consulted), the results it returned (:class:`ChatResponseWebSearchResultContentItem`, Anthropic's result block) and
the :class:`Citation` s on the text items they support. The provider's raw item stays in each item's ``metadata``
(``item`` / ``block``), so a turn replays to its own provider unchanged.
"""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import base64
import builtins
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, cast, overload

import pydantic
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    SkipValidation,
    field_serializer,
    field_validator,
    model_validator,
)

from ..errors._tree import ConfigurationError, DhenaraError, ResponseParseError, StructuredOutputError
from ._base import BaseModel
from ._defaults import new_list
from ._json import checked_answer
from ._trusted import trusted
from .enums import (
    AIModelAPIProviderEnum,
    AIModelProviderEnum,
    ChatResponseContentItemType,
    ExternalApiCallStatusEnum,
    FinishReason,
    ImageContentFormat,
)
from .http import RateLimitInfo

# A runtime import (stream.py imports nothing from here): pydantic must resolve StreamItem's names to build
# AIModelCallResponse.
from .stream import SSEResponse
from .usage import ChatResponseUsage as ChatResponseUsage
from .usage import HostedToolUsage as HostedToolUsage
from .usage import UsageCharge as UsageCharge
from .usage import UsageChargeComponent as UsageChargeComponent

if TYPE_CHECKING:
    from .prompt import Prompt
    from .tools import StructuredOutputConfig

logger = logging.getLogger("dhenara_http")


class ChatMessageContentPart(BaseModel):
    """One part of a message's content as a provider shapes it (``{"type": "output_text", "text": ...,
    "annotations": [...]}``); unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None
    annotations: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None


def _parts_text(parts: list[ChatMessageContentPart] | None) -> str:
    return "".join(p.text for p in parts or () if p.text is not None)


class _PartsOfText:
    """``message_contents`` kept in step with the item's own text field (``_TEXT_FIELD``): parts given without text
    make the text; text given without parts makes one ``_PART_TYPE`` part, which is not serialized (it is rebuilt
    on loading) and follows the text when the text is assigned."""

    _TEXT_FIELD: ClassVar[str]
    _PART_TYPE: ClassVar[str]
    _mirrored: bool
    message_contents: list[ChatMessageContentPart] | None

    def _sync_parts(self) -> None:
        text = getattr(self, self._TEXT_FIELD)
        if self.message_contents and not text:
            setattr(self, self._TEXT_FIELD, _parts_text(self.message_contents) or text)
        elif self.message_contents is None and text:
            self.message_contents = [trusted(ChatMessageContentPart, type=self._PART_TYPE, text=text)]
            self._mirrored = True

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)  # type: ignore[misc]
        if name == self._TEXT_FIELD and self._mirrored:
            parts = [trusted(ChatMessageContentPart, type=self._PART_TYPE, text=value)] if value else None
            super().__setattr__("message_contents", parts)  # type: ignore[misc]
        elif name == "message_contents":
            super().__setattr__("_mirrored", False)  # type: ignore[misc]

    def _parts_to_dump(self, parts: list[ChatMessageContentPart] | None) -> Any:
        return None if self._mirrored else parts


class _ItemBase(BaseModel):
    index: int = 0
    role: str | None = "assistant"
    metadata: dict[str, Any] = Field(default_factory=dict)


def _typed_or_none(data: Any, strings: tuple[str, ...], ints: tuple[str, ...] = ()) -> Any:
    """A provider's value of the wrong type becomes None (the raw object stays in ``metadata``): a malformed answer
    never fails to parse over a citation's title."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in strings:
        if key in out and out[key] is not None and not isinstance(out[key], str):
            out[key] = None
    for key in ints:
        value = out.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            out[key] = None
    return out


class Citation(BaseModel):
    """A source the answer cites, on the text item whose words it supports.

    ``type`` is the provider's kind of citation: ``url_citation`` (OpenAI), ``web_search_result_location``
    (Anthropic, which cites whole text blocks and quotes the source in ``cited_text``), ``grounding_support``
    (Gemini, one citation per source of a supported segment). ``start_index`` / ``end_index`` are character
    positions in the item's text where the provider gives a span. ``metadata`` keeps the provider's own citation
    (Anthropic's ``encrypted_index``, Gemini's chunk index and confidence …) so nothing is lost and a same-provider
    replay can send it back."""

    type: str = "url_citation"
    url: str | None = None
    title: str | None = None
    cited_text: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        return _typed_or_none(data, ("url", "title", "cited_text"), ("start_index", "end_index"))


class ChatResponseTextContentItem(_PartsOfText, _ItemBase):
    """Answer text. ``message_contents`` is dhenara-ai's form of the same text (the provider's content parts): given
    without ``text``, it makes the text; when not given, it is the text as one ``{"type": "text"}`` part."""

    _TEXT_FIELD: ClassVar[str] = "text"
    _PART_TYPE: ClassVar[str] = "text"

    type: Literal[ChatResponseContentItemType.TEXT] = ChatResponseContentItemType.TEXT
    text: str = ""
    message_id: str | None = None
    message_contents: list[ChatMessageContentPart] | None = None
    #: The sources this text cites (hosted web search); empty when it cites none.
    citations: list[Citation] = Field(default_factory=new_list)
    _mirrored: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _text_and_parts(self) -> "ChatResponseTextContentItem":
        self._sync_parts()
        return self

    def _after_trusted(self) -> None:
        self._sync_parts()  # (what the after-validator does, for an item made by ``trusted``)

    @field_serializer("message_contents")
    def _parts_unless_mirror(self, parts: list[ChatMessageContentPart] | None) -> Any:
        return self._parts_to_dump(parts)

    def get_text(self) -> str:
        return self.text


class ChatResponseReasoningContentItem(_PartsOfText, _ItemBase):
    """Thinking. ``thinking_text`` is readable reasoning (or a summary of it); ``thinking_signature`` and
    ``encrypted_content`` are opaque, bound to the provider that made them, and replayed only to it."""

    _TEXT_FIELD: ClassVar[str] = "thinking_text"
    _PART_TYPE: ClassVar[str] = "thinking"

    type: Literal[ChatResponseContentItemType.REASONING] = ChatResponseContentItemType.REASONING
    thinking_text: str | None = None
    thinking_summary: list[str] | None = None
    thinking_signature: str | None = None
    encrypted_content: str | None = None
    thinking_id: str | None = None
    thinking_status: str | None = None
    #: dhenara-ai's form of the reasoning text (content parts): given without ``thinking_text`` it makes it; when
    #: not given it is the thinking text as one ``{"type": "thinking"}`` part (None without thinking text).
    message_contents: list[ChatMessageContentPart] | None = None

    @field_validator("thinking_summary", mode="before")
    @classmethod
    def _summary_texts(cls, value: Any) -> Any:
        # dhenara-ai keeps summaries as content parts; their text is what is kept here.
        if isinstance(value, list):
            return [v.get("text") or "" if isinstance(v, dict) else getattr(v, "text", v) or "" for v in value]
        return value

    _mirrored: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _text_and_parts(self) -> "ChatResponseReasoningContentItem":
        self._sync_parts()
        return self

    @field_serializer("message_contents")
    def _parts_unless_mirror(self, parts: list[ChatMessageContentPart] | None) -> Any:
        return self._parts_to_dump(parts)

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
    ) -> "ChatResponseToolCall":
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


class ChatResponseToolCallResult(BaseModel):
    """dhenara-ai's record of running a tool call (to send a result back, use ``ToolCallResult``)."""

    tool_name: str
    call_id: str | None = None
    result: Any = None
    error: str | None = None


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


M = TypeVar("M", bound=pydantic.BaseModel)


def _class_path(cls: type[pydantic.BaseModel]) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _loaded_class(path: str) -> type[pydantic.BaseModel] | None:
    """The pydantic class ``module:qualname`` names, looked up among the modules already imported — never imported
    here: a stored answer must not make a program import code."""
    module_name, _, qualname = path.partition(":")
    found: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and issubclass(found, pydantic.BaseModel) else None


class ChatResponseStructuredOutput(BaseModel):
    """A structured answer: ``structured_data`` (the JSON object) when it parsed, else ``raw_data`` (the text);
    ``parse_error`` says what is wrong — not JSON, not an object, or not valid for the class asked for.

    ``model_class`` is the pydantic class the call asked for. It is not data, so dumps keep its name
    (``model_class_path``, ``module:qualname``) instead; a reloaded answer finds the class again by that name when its
    module is imported in the program that loads it."""

    structured_data: dict[str, Any] | None = None
    raw_data: str | None = None
    parse_error: str | None = None
    model_class: type[pydantic.BaseModel] | None = Field(default=None, exclude=True)
    model_class_path: str | None = None

    @model_validator(mode="after")
    def _class_and_path(self) -> "ChatResponseStructuredOutput":
        if self.model_class is not None and self.model_class_path is None:
            self.model_class_path = _class_path(self.model_class)
        elif self.model_class is None and self.model_class_path:
            self.model_class = _loaded_class(self.model_class_path)
        return self

    def as_pydantic(self, model_class: type[M] | None = None) -> M | pydantic.BaseModel | None:
        """The data as an instance of ``model_class`` (default: the class the call asked for); None without data or
        without a class. Data the class rejects raises :class:`StructuredOutputError`."""
        cls = model_class or self.model_class
        if cls is None or self.structured_data is None:
            return None
        try:
            return cls.model_validate(self.structured_data)
        except pydantic.ValidationError as exc:
            raise StructuredOutputError(
                f"the structured output does not fit {cls.__name__}: {validation_summary(exc)}",
                raw_text=self.raw_data or json.dumps(self.structured_data, ensure_ascii=False),
                reason=str(exc),
            ) from None

    def get_text(self) -> str:
        if self.structured_data is not None:
            return json.dumps(self.structured_data, ensure_ascii=False)
        if self.raw_data is not None:
            return self.raw_data
        return f"Error parsing structured output: {self.parse_error}" if self.parse_error else ""

    @classmethod
    def parse_and_validate(
        cls, raw_data: str | dict[str, Any], config: "StructuredOutputConfig"
    ) -> tuple[dict[str, Any] | None, str | None, bool]:
        """dhenara-ai's parser: ``(data, error, post_processed)`` for an answer (JSON text or an object) and the
        structured-output config. JSON inside strings is decoded; text around the JSON (a code fence, prose) is
        skipped, the last JSON object found winning; the config's pydantic class validates when there is one
        (``post_processed`` is True when its ``schema_post_process_on_error`` fallback was used)."""
        from ._structured import parse_structured

        return parse_structured(raw_data, config)


def structured_parse_error(exc: ValueError, model_class: type[pydantic.BaseModel] | None) -> str:
    """What is wrong with a structured answer, on one line: not JSON, or not valid for the class."""
    if isinstance(exc, pydantic.ValidationError):
        return f"it does not fit {model_class.__name__ if model_class else 'the class'}: {validation_summary(exc)}"
    return f"it is not JSON ({exc})"


def validation_summary(exc: pydantic.ValidationError) -> str:
    """The first problem pydantic found, on one line (``population: Field required (and 2 more)``)."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "the object"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', '')}{more}"


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


class WebSearchResult(BaseModel):
    """One page a hosted web search returned or consulted. ``metadata`` keeps the provider's own fields
    (Anthropic's ``encrypted_content``, which a same-provider replay must send back)."""

    url: str | None = None
    title: str | None = None
    page_age: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        return _typed_or_none(data, ("url", "title", "page_age"))


class ChatResponseWebSearchCallContentItem(_ItemBase):
    """A search the provider ran on its side: OpenAI's ``web_search_call`` item, Anthropic's ``server_tool_use``
    block, Gemini's grounding (its ``webSearchQueries``). ``sources`` are the pages it consulted where the call itself
    lists them (OpenAI ``action.sources``, Gemini ``groundingChunks``); Anthropic returns its pages in a separate
    :class:`ChatResponseWebSearchResultContentItem`. ``action`` is OpenAI's ``search`` / ``open_page`` /
    ``find_in_page`` (``url`` is the page of the last two)."""

    type: Literal[ChatResponseContentItemType.WEB_SEARCH_CALL] = ChatResponseContentItemType.WEB_SEARCH_CALL
    call_id: str | None = None
    queries: list[str] = Field(default_factory=new_list)
    status: str | None = None
    action: str | None = None
    url: str | None = None
    sources: list[WebSearchResult] = Field(default_factory=new_list)

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        return _typed_or_none(data, ("call_id", "status", "action", "url"))

    def get_text(self) -> str:
        if self.queries:
            return "web search: " + "; ".join(self.queries)
        return f"web search: {self.action} {self.url}" if self.url else "web search"


class ChatResponseWebSearchResultContentItem(_ItemBase):
    """What a hosted search returned (Anthropic's ``web_search_tool_result``): its result pages, or the error code
    of a search that failed (``max_uses_exceeded``, ``too_many_requests`` …). ``call_id`` names the search."""

    type: Literal[ChatResponseContentItemType.WEB_SEARCH_RESULT] = ChatResponseContentItemType.WEB_SEARCH_RESULT
    call_id: str | None = None
    results: list[WebSearchResult] = Field(default_factory=new_list)
    error_code: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        return _typed_or_none(data, ("call_id", "error_code"))

    def get_text(self) -> str:
        if self.error_code:
            return f"web search failed: {self.error_code}"
        return "\n".join(f"{r.title or r.url}: {r.url}" if r.title else str(r.url) for r in self.results)


ChatResponseContentItem = Annotated[
    Union[  # noqa: UP007
        ChatResponseTextContentItem,
        ChatResponseReasoningContentItem,
        ChatResponseToolCallContentItem,
        ChatResponseStructuredOutputContentItem,
        ChatResponseGenericContentItem,
        ChatResponseWebSearchCallContentItem,
        ChatResponseWebSearchResultContentItem,
    ],
    Field(discriminator="type"),
]


class ChatResponseChoice(BaseModel):
    index: int = 0
    finish_reason: FinishReason | None = None
    stop_sequence: str | None = None
    contents: list[ChatResponseContentItem] = Field(default_factory=new_list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIModelCallResponseMetaData(BaseModel):
    """dhenara-ai's typed form of a response's metadata (``ChatResponse.metadata`` is a dict here; this validates
    one such dict)."""

    model_config = ConfigDict(extra="allow")

    streaming: bool = False
    duration_seconds: int | float | None = None
    provider_metadata: dict[str, Any] | None = None


class ChatResponse(BaseModel):
    """A complete answer. ``provider_response`` is the provider's raw JSON (for a stream, the reconstructed one)."""

    type: Literal["chat_response"] = "chat_response"
    model: str
    provider: AIModelProviderEnum | str
    api_provider: AIModelAPIProviderEnum | None = None
    usage: ChatResponseUsage | None = None
    usage_charge: UsageCharge | None = None
    choices: list[ChatResponseChoice] = Field(default_factory=new_list)
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

    def _api_name(self) -> str:
        """The API provider's name, as errors raised by calls name it."""
        named = self.api_provider if self.api_provider is not None else self.provider
        return str(getattr(named, "value", named))

    def citations(self) -> list[Citation]:
        """Every citation of the answer's text items, in order."""
        return [cite for c in self._items() if isinstance(c, ChatResponseTextContentItem) for cite in c.citations]

    def web_searches(self) -> list[ChatResponseWebSearchCallContentItem]:
        """The searches a hosted web-search tool ran."""
        return [c for c in self._items() if isinstance(c, ChatResponseWebSearchCallContentItem)]

    def search_results(self) -> list[WebSearchResult]:
        """Every page the hosted searches returned or consulted (result items, then the calls' own sources)."""
        out = [r for c in self._items() if isinstance(c, ChatResponseWebSearchResultContentItem) for r in c.results]
        out.extend(r for c in self.web_searches() for r in c.sources)
        return out

    def _structured_output(self) -> ChatResponseStructuredOutput | None:
        """The structured output of the answer; raises :class:`StructuredOutputError` when it failed to parse."""
        item = self.first(ChatResponseContentItemType.STRUCTURED_OUTPUT)
        if item is None:
            return None
        output: ChatResponseStructuredOutput = item.structured_output
        if output.parse_error is not None:
            raw = output.raw_data if output.raw_data is not None else item.text
            shown = raw if len(raw) <= 200 else raw[:200] + " …"
            raise StructuredOutputError(
                f"the structured output is not valid: {output.parse_error}; the answer was {shown!r}",
                provider=self._api_name(),
                model=self.model,
                raw_text=raw,
                reason=output.parse_error,
            )
        return output

    def structured(self) -> dict[str, Any] | None:
        """The structured output as a dict; None when the call asked for none.

        An answer that is not a JSON object, or does not fit the pydantic class the call asked for, raises
        :class:`~dhenara_http.errors.StructuredOutputError` (with ``raw_text`` and ``reason``): a failed structured
        output is never mistaken for a missing one. The response itself keeps the text."""
        output = self._structured_output()
        return output.structured_data if output is not None else None

    @overload
    def parsed(self) -> pydantic.BaseModel | None: ...
    @overload
    def parsed(self, model_class: builtins.type[M]) -> M | None: ...
    def parsed(self, model_class: builtins.type[M] | None = None) -> M | pydantic.BaseModel | None:
        """The structured output as an instance of ``model_class`` — typed as that class, so ``parsed(City)``
        gives a ``City`` — or, without it, of the class the call asked for (``pydantic.BaseModel`` for type
        checkers). None when the call asked for no structured output, or gave a schema dict and no class here.
        Raises :class:`~dhenara_http.errors.StructuredOutputError` as :meth:`structured` does, and when the data
        does not fit the class."""
        output = self._structured_output()
        if output is None:
            return None
        try:
            return output.as_pydantic(model_class)
        except StructuredOutputError as exc:
            exc.provider = self._api_name()
            exc.model = self.model
            raise

    def structured_pyd(self) -> pydantic.BaseModel | None:
        """dhenara-ai's name for :meth:`parsed`."""
        return self.parsed()

    @property
    def finish_reason(self) -> FinishReason | None:
        return self.choices[0].finish_reason if self.choices else None

    def as_text(self, content_types: list[ChatResponseContentItemType | str] | None = None) -> str:
        """The text of every content item (of these types when given), joined by blank lines."""
        wanted = None if content_types is None else {ChatResponseContentItemType(t) for t in content_types}
        items = (c for c in self._items() if wanted is None or c.type in wanted)
        return "\n\n".join(t for t in (c.get_text() for c in items) if t)

    def structured_unprocessed(self) -> ChatResponseStructuredOutput | None:
        """The first structured output item's whole record (data, raw text, parse error)."""
        item = self.first(ChatResponseContentItemType.STRUCTURED_OUTPUT)
        return item.structured_output if item is not None else None

    def to_message_item(self, choice_index: int = 0) -> "ChatResponse":
        """This answer as an assistant turn for the next call's ``messages`` (a deep copy: every content item,
        tool calls and reasoning included)."""
        return self.model_copy(deep=True)

    def to_prompt(self, choice_index: int = 0, max_words_text: int | None = None) -> "Prompt | None":
        """dhenara-ai's older way to carry an answer into the next turn: an assistant ``Prompt`` holding the text of
        every content item of one choice (tool calls and reasoning as text too; use :meth:`to_message_item` to keep
        them native). None when the choice has no content."""
        from .enums import ContentType, PromptMessageRoleEnum
        from .prompt import Prompt, PromptConfig
        from .text import Content, PromptText

        if not 0 <= choice_index < len(self.choices) or not self.choices[choice_index].contents:
            return None
        text = "\n".join(c.get_text() for c in self.choices[choice_index].contents)
        return Prompt(
            role=PromptMessageRoleEnum.ASSISTANT,
            text=PromptText(content=Content(type=ContentType.TEXT, text=text)),
            config=PromptConfig(max_words_text=max_words_text),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChatResponse":
        """A response from its ``model_dump()`` (dhenara-ai's name for ``model_validate``)."""
        return cls.model_validate(data)

    def get_visible_fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"choices"})

    def preview_dict(self) -> dict[str, Any]:
        """The response without its contents: every other field, and per choice how many items of which type."""
        out = self.model_dump(exclude={"choices", "provider_response"})
        out["choices_summary"] = [
            {
                "index": choice.index,
                "finish_reason": choice.finish_reason,
                "content_count": len(choice.contents),
                "contents_summary": [{"index": c.index, "type": str(c.type)} for c in choice.contents],
            }
            for choice in self.choices
        ]
        return out


class ImageContentItem(BaseModel):
    """One generated image: base64 text (``content_b64_json``), a URL to fetch it from (``content_url``, OpenAI's
    DALL·E links expire after an hour) or raw bytes. ``get_bytes()`` gives the image's bytes for the first and last
    (and for a ``data:`` URL); ``media_type`` is its type when the provider says it (``image/png`` …)."""

    index: int = 0
    content_format: ImageContentFormat
    content_b64_json: str | None = None
    content_url: str | None = None
    content_bytes: bytes | None = None
    media_type: str | None = None
    revised_prompt: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    storage_metadata: dict[str, Any] = Field(default_factory=dict)
    custom_metadata: dict[str, Any] = Field(default_factory=dict)

    def get_text(self) -> str:
        return self.revised_prompt or ""

    def get_bytes(self) -> bytes:
        """The image's bytes. A URL other than a ``data:`` URL is not fetched (no I/O here): ask for
        ``response_format="b64_json"`` to get the bytes in the answer."""
        if self.content_format == ImageContentFormat.BYTES and self.content_bytes is not None:
            return self.content_bytes
        data = self.content_b64_json
        if self.content_format == ImageContentFormat.URL and self.content_url is not None:
            head, sep, tail = self.content_url.partition(",")
            if not (self.content_url.startswith("data:") and sep and head.endswith(";base64")):
                raise ConfigurationError(
                    "this image is a URL, not data: download it from content_url, or ask for "
                    "options={'response_format': 'b64_json'} to receive its bytes"
                )
            data = tail
        if data is None:
            raise ResponseParseError(f"the image item ({self.content_format.value}) holds no image data")
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise ResponseParseError("the image's base64 data is not valid base64") from None

    def get_content_as_bytes(self) -> bytes:
        """dhenara-ai's name for :meth:`get_bytes`."""
        return self.get_bytes()


#: dhenara-ai's name for an image content item.
ImageResponseContentItem = ImageContentItem


class ImageResponseChoice(BaseModel):
    """One generated result. ``text`` is the text a model answered alongside its images (Gemini image models), in
    order, or None."""

    index: int = 0
    contents: list[ImageContentItem] = Field(default_factory=new_list)
    text: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class ImageResponseUsage(BaseModel):
    """What an image call used: how many images with which options (the model's defaults filled in; the size and
    quality the provider reports it used win over the requested ones), and tokens where the provider counts them
    (OpenAI's GPT image models, Gemini image models): input split into text and image tokens, output into image and
    text (thinking included) tokens."""

    number_of_images: int
    model: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    input_text_tokens: int | None = None
    input_image_tokens: int | None = None
    output_image_tokens: int | None = None
    output_text_tokens: int | None = None


class ImageResponse(BaseModel):
    """A complete image answer: ``choices[i].contents[j]`` are :class:`ImageContentItem` s."""

    type: Literal["image_response"] = "image_response"
    model: str
    provider: AIModelProviderEnum | str
    api_provider: AIModelAPIProviderEnum | None = None
    usage: ImageResponseUsage | None = None
    usage_charge: UsageCharge | None = None
    choices: list[ImageResponseChoice] = Field(default_factory=new_list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    provider_response: dict[str, Any] | None = None

    def images(self) -> list[ImageContentItem]:
        """Every image, across choices."""
        return [item for choice in self.choices for item in choice.contents]

    def text(self) -> str | None:
        """The text the model answered alongside the images (first choice), or None."""
        return self.choices[0].text if self.choices else None

    def preview_dict(self) -> dict[str, Any]:
        """The response without the image data (dhenara-ai's summary for logs)."""
        out = self.model_dump(exclude={"choices", "provider_response"})
        out["choices_summary"] = [
            {
                "index": c.index,
                "content_count": len(c.contents),
                "contents_summary": [{"index": i.index, "content_format": i.content_format.value} for i in c.contents],
            }
            for c in self.choices
        ]
        return out


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


#: One item of a stream: ``(chunk, None)`` for each chunk, ``(None, final)`` last. Errors are raised, never yielded,
#: so a chunk is always an ``SSEResponse`` (``SSEErrorResponse`` is kept for dhenara-ai programs that test for it).
StreamItem = tuple["SSEResponse | None", "AIModelCallResponse | None"]


class AIModelCallResponse(BaseModel):
    """What ``generate`` returns: a ``chat_response`` / ``image_response``, or a stream generator whose last item is
    ``(None, final)`` where ``final`` is an ``AIModelCallResponse`` holding the complete ``chat_response``.

    ``stream_generator`` holds what the call gave, as in dhenara-ai: the sync iterator of ``generate()``, or the async
    generator of ``generate_async()`` (which ``async_stream_generator`` holds too)."""

    status: ExternalApiCallStatus | None = None
    chat_response: ChatResponse | None = None
    image_response: ImageResponse | None = None
    #: The stream of a streaming call: a sync iterator after ``generate()``, the async generator after
    #: ``generate_async()`` (which ``async_stream_generator`` also holds). Both are None when the call did not stream.
    if TYPE_CHECKING:
        # Type checkers see the generator a streaming call gives, so that the documented loop
        # ``for chunk, final in response.stream_generator`` type-checks as written; whether a call streams is
        # decided by its config, not by a type. After ``generate_async()`` iterate ``async_stream_generator``.
        stream_generator: Iterator[StreamItem] = Field(default=cast(Any, None), exclude=True)
        async_stream_generator: AsyncIterator[StreamItem] = Field(default=cast(Any, None), exclude=True)
    else:
        stream_generator: Iterator[StreamItem] | AsyncIterator[StreamItem] | None = Field(default=None, exclude=True)
        async_stream_generator: AsyncIterator[StreamItem] | None = Field(default=None, exclude=True)
    #: HTTP facts of the call (for a stream, on its final response): the provider's request id, the final attempt's
    #: response headers (case-insensitive), how many attempts it took, and the rate limits the provider reported.
    request_id: str | None = None
    headers: SkipValidation[Mapping[str, str] | None] = Field(default=None, exclude=True, repr=False)
    attempts: int | None = None
    rate_limit: RateLimitInfo | None = None

    @property
    def full_response(self) -> ChatResponse | ImageResponse | None:
        return self.chat_response if self.chat_response is not None else self.image_response

    @property
    def chat(self) -> ChatResponse:
        """``chat_response``, for code that knows it made a chat call (a type checker then needs no ``None``
        check). A response without one — a stream's first response (its chat response is on its final item), an
        image call's — raises :class:`~dhenara_http.errors.DhenaraError` saying so."""
        if self.chat_response is None:
            raise DhenaraError(_missing("chat_response", self))
        return self.chat_response

    @property
    def image(self) -> ImageResponse:
        """``image_response``, for code that knows it made an image call; raises as :attr:`chat` does."""
        if self.image_response is None:
            raise DhenaraError(_missing("image_response", self))
        return self.image_response

    @property
    def sync_stream_generator(self) -> Iterator[StreamItem] | None:
        gen = self.stream_generator
        return gen if isinstance(gen, Iterator) else None

    def preview_dict(self) -> dict[str, Any] | None:
        """The chat response's :meth:`ChatResponse.preview_dict` (an image response's fields without its images);
        None for a stream not yet consumed."""
        if self.chat_response is not None:
            return self.chat_response.preview_dict()
        if self.image_response is not None:
            return self.image_response.preview_dict()
        return None

    # The answer's own fields and helpers, read through the call's response (dhenara-ai's examples read them here).

    def text(self) -> str | None:
        """The answer's text (the text beside the images of an image answer); None for a stream not yet consumed."""
        answer = self.full_response
        return answer.text() if answer is not None else None

    @property
    def usage(self) -> ChatResponseUsage | ImageResponseUsage | None:
        answer = self.full_response
        return answer.usage if answer is not None else None

    @property
    def usage_charge(self) -> UsageCharge | None:
        answer = self.full_response
        return answer.usage_charge if answer is not None else None

    @property
    def choices(self) -> list[ChatResponseChoice] | list[ImageResponseChoice]:
        answer = self.full_response
        return answer.choices if answer is not None else []


def _missing(name: str, response: AIModelCallResponse) -> str:
    if response.stream_generator is not None:
        why = "this is a streaming call's response: the complete answer is the last item of its stream_generator"
    elif response.image_response is not None:
        why = "this is an image call's response: read .image"
    elif response.chat_response is not None:
        why = "this is a chat call's response: read .chat"
    else:
        why = "the response holds no answer"
    return f"AIModelCallResponse.{name} is None: {why}"
