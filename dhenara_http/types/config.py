"""``AIModelCallConfig``: how one call is made."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import pydantic
from pydantic import Field, field_validator

from ..errors import ConfigurationError
from ._base import BaseModel
from .tools import StructuredOutputConfig, ToolChoice, ToolDefinition

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
ReasoningSummary = Literal["auto", "concise", "detailed"]


class AIModelCallConfig(BaseModel):
    """Options of a call.

    * ``max_output_tokens`` is capped to the model's limit; ``None`` means the model's limit.
    * ``reasoning`` turns thinking on; ``reasoning_effort`` (effort models) or ``max_reasoning_tokens``
      (token-budget models) tunes it.
    * ``options`` are passed to the model as they are (``temperature``, ``top_p``, ``stop``, ``seed`` …).
    * ``timeout`` is the total time one attempt may take, streams included; ``connect_timeout`` bounds connecting and
      ``read_timeout`` the silence between two reads. ``retries`` is how many times a failed attempt is retried;
      a ``Retry-After`` above ``max_retry_wait`` seconds fails at once instead of waiting.
    * ``extra_headers`` are sent with every request of the call, over the API's ``config["headers"]`` (as
      openai-python's ``extra_headers``); their values are treated as secrets (never logged, never sent to another
      host on a redirect).
    """

    streaming: bool = False
    max_output_tokens: int | None = Field(default=None, gt=0)
    reasoning: bool = False
    max_reasoning_tokens: int | None = Field(default=None, gt=0)
    reasoning_effort: ReasoningEffort | None = None
    reasoning_summary: ReasoningSummary | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    tools: list[ToolDefinition] | None = None
    tool_choice: ToolChoice | None = None
    structured_output: StructuredOutputConfig | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=600.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float | None = Field(default=None, gt=0)
    retries: int = Field(default=2, ge=0, le=20)
    max_retry_wait: float = Field(default=60.0, ge=0)
    test_mode: bool = False
    extra_headers: dict[str, str] | None = None

    if TYPE_CHECKING:
        # What the constructor accepts: a pydantic class or a schema dict as structured output, tool choices by name,
        # tools as dicts or plain functions (validation turns them into the fields' types). A test keeps these
        # parameters equal to the fields.
        def __init__(
            self,
            *,
            streaming: bool = False,
            max_output_tokens: int | None = None,
            reasoning: bool = False,
            max_reasoning_tokens: int | None = None,
            reasoning_effort: ReasoningEffort | None = None,
            reasoning_summary: ReasoningSummary | None = None,
            options: dict[str, Any] = ...,
            tools: Sequence[ToolDefinition | dict[str, Any] | Callable[..., Any]] | None = None,
            tool_choice: ToolChoice | str | dict[str, Any] | None = None,
            structured_output: StructuredOutputConfig | type[pydantic.BaseModel] | dict[str, Any] | None = None,
            metadata: dict[str, Any] = ...,
            timeout: float | None = 600.0,
            connect_timeout: float = 10.0,
            read_timeout: float | None = None,
            retries: int = 2,
            max_retry_wait: float = 60.0,
            test_mode: bool = False,
            extra_headers: dict[str, str] | None = None,
        ) -> None: ...

    @field_validator("extra_headers", mode="before")
    @classmethod
    def _headers(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ConfigurationError("AIModelCallConfig.extra_headers must be a dict of str header names to str values")
        return value

    @field_validator("tool_choice", mode="before")
    @classmethod
    def _tool_choice(cls, value: Any) -> Any:
        return ToolChoice.parse(value)

    @field_validator("structured_output", mode="before")
    @classmethod
    def _structured(cls, value: Any) -> Any:
        return StructuredOutputConfig.parse(value)

    @field_validator("tools", mode="before")
    @classmethod
    def _tools(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise ConfigurationError("AIModelCallConfig.tools must be a list of ToolDefinition")
        out = [
            ToolDefinition.from_callable(t) if callable(t) and not isinstance(t, ToolDefinition) else t for t in value
        ]
        names = [
            t.name if isinstance(t, ToolDefinition) else (t.get("name") if isinstance(t, dict) else None) for t in out
        ]
        dupes = {n for n in names if n is not None and names.count(n) > 1}
        if dupes:
            raise ConfigurationError(f"AIModelCallConfig.tools: duplicate tool name(s) {sorted(dupes)}")
        return out
