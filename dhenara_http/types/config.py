"""``AIModelCallConfig``: how one call is made."""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pydantic
from pydantic import Field, field_validator, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from .hosted_tools import WebSearchHostedTool
from .tools import StructuredOutputConfig, ToolChoice, ToolDefinition

if TYPE_CHECKING:
    from .model import FoundationModel

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
ReasoningSummary = Literal["auto", "concise", "detailed"]


class ArtifactConfig(BaseModel):
    """What to write to disk about each call, for debugging: under ``artifact_root`` (``/<prefix>`` when given)
    ``/dai/``, the files ``dai_request.json`` (what the call was given), ``dai_provider_request.json`` (the body sent),
    ``dai_provider_response.json`` (the provider's JSON, rebuilt for a stream), ``dai_response.json`` (the
    response, without the provider JSON) and, with ``enable_python_logs``, ``dai_python_logs.jsonl`` (the log records
    of the call at ``python_log_level``; ``python_logger_levels`` sets single loggers' levels, ``"OFF"`` silences
    one). Secrets are never written: the files hold what the request body holds, not its headers."""

    enabled: bool = False
    artifact_root: str | Path | None = None
    capture_dhenara_request: bool = True
    capture_provider_request: bool = True
    capture_provider_response: bool = True
    capture_dhenara_response: bool = True
    prefix: str | None = None
    enable_python_logs: bool = False
    python_log_level: str | int = "INFO"
    python_logger_levels: dict[str, str | int] | None = None

    @model_validator(mode="after")
    def _root_when_enabled(self) -> "ArtifactConfig":
        if self.enabled and not self.artifact_root:
            raise ConfigurationError("ArtifactConfig: artifact_root is required when enabled=True")
        return self


class AIModelContextPolicy(BaseModel):
    """dhenara-ai's request for provider-side context management. Accepted so that its programs run; this version
    does not send it anywhere (``None`` is the default, as in dhenara-ai)."""

    mode: Literal["provider_compaction", "provider_context_editing", "client_compaction", "fail_closed"] = "fail_closed"
    compact_threshold_tokens: int | None = Field(default=None, ge=1)
    edits: list[dict[str, Any]] | None = None
    pause_after_compaction: bool | None = None
    instructions: str | None = None


class AIModelCallConfig(BaseModel):
    """Options of a call.

    * ``max_output_tokens`` is the answer's share of the output, capped to the model's limit (a thinking budget is
      added on top); ``None`` sends no cap where the provider has a default (see ``docs/reasoning.md``).
    * ``reasoning`` turns thinking on; ``reasoning_effort`` (effort models) or ``max_reasoning_tokens``
      (token-budget models) tunes it.
    * ``options`` are passed to the model as they are (``temperature``, ``top_p``, ``stop``, ``seed`` …); an image
      model checks them against its ``valid_options`` (``size``, ``quality``, ``n`` …).
    * ``hosted_tools`` are tools the provider runs itself (:class:`WebSearchHostedTool`).
    * ``timeout`` is the total time one attempt may take, streams included; ``connect_timeout`` bounds connecting and
      ``read_timeout`` the silence between two reads. ``retries`` is how many times a failed attempt is retried;
      a ``Retry-After`` above ``max_retry_wait`` seconds fails at once instead of waiting. ``retry_delay`` is the
      first back-off and ``max_retry_delay`` its cap (dhenara-ai's names; None: 0.5 s doubling up to 8 s, as the
      official SDKs back off).
    * ``api_version_override`` replaces the API version a host is sent (Anthropic's ``anthropic-version``, the
      ``api-version`` of Azure hosts). ``artifact_config`` writes what each call sent and received to disk
      (:class:`ArtifactConfig`). ``context_policy`` is accepted for dhenara-ai's programs and not sent.
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
    hosted_tools: list[WebSearchHostedTool] | None = None
    structured_output: StructuredOutputConfig | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=600.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float | None = Field(default=None, gt=0)
    retries: int = Field(default=2, ge=0, le=20)
    max_retry_wait: float = Field(default=60.0, ge=0)
    retry_delay: float | None = Field(default=None, ge=0)
    max_retry_delay: float | None = Field(default=None, ge=0)
    test_mode: bool = False
    api_version_override: str | None = None
    artifact_config: ArtifactConfig | None = None
    context_policy: AIModelContextPolicy | None = None
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
            hosted_tools: Sequence[WebSearchHostedTool] | None = None,
            structured_output: StructuredOutputConfig | type[pydantic.BaseModel] | dict[str, Any] | None = None,
            metadata: dict[str, Any] = ...,
            timeout: float | None = 600.0,
            connect_timeout: float = 10.0,
            read_timeout: float | None = None,
            retries: int = 2,
            max_retry_wait: float = 60.0,
            retry_delay: float | None = None,
            max_retry_delay: float | None = None,
            test_mode: bool = False,
            api_version_override: str | None = None,
            artifact_config: ArtifactConfig | None = None,
            context_policy: AIModelContextPolicy | None = None,
            extra_headers: dict[str, str] | None = None,
        ) -> None: ...

    else:

        def __init__(self, /, **data: Any) -> None:
            if data or type(self) is not AIModelCallConfig:
                super().__init__(**data)
                return
            # ``AIModelCallConfig()``, what most programs write, has nothing to validate: it is made as validation
            # would make it (the defaults in field order, no field set; a test compares the two) without building
            # the validator, which a first call would otherwise pay for.
            self.__setstate__(AIModelCallConfig.model_construct().__getstate__())

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

    # -- dhenara-ai's helpers ------------------------------------------------------------------------------------

    def get_user(self) -> Any:
        """``metadata["user"]`` (or ``metadata["user_id"]``)."""
        return self.metadata.get("user") or self.metadata.get("user_id")

    def get_max_output_token_limit(self, model: "FoundationModel") -> int:
        """The output cap of a call to ``model``: ``max_output_tokens`` capped to the model's limit (the reasoning
        mode's limit when reasoning is on); the limit itself when none is given."""
        settings = model.chat_settings
        limit = settings.max_output_tokens if settings is not None else 0
        if self.reasoning and settings is not None and settings.supports_reasoning:
            limit = settings.max_output_tokens_reasoning_mode or limit
        if not limit:
            if self.max_output_tokens is None:
                raise ConfigurationError(f"{model.model_name} has no known output limit; set max_output_tokens")
            return self.max_output_tokens
        return min(self.max_output_tokens, limit) if self.max_output_tokens is not None else limit

    def get_reasoning_token_budget(self, model: "FoundationModel") -> int | None:
        """The thinking budget of a call to a token-budget model (``max_reasoning_tokens`` capped to the model's
        largest budget, that budget when none is given); None when reasoning is off or the model takes no budget."""
        settings = model.chat_settings
        if not self.reasoning or settings is None or settings.reasoning_control != "token_budget":
            return None
        if settings.max_reasoning_tokens is None:
            return self.max_reasoning_tokens
        if self.max_reasoning_tokens is None:
            return settings.max_reasoning_tokens
        return min(self.max_reasoning_tokens, settings.max_reasoning_tokens)

    def get_max_output_tokens(self, model: "FoundationModel") -> tuple[int, int | None]:
        """dhenara-ai's pair: (output cap, thinking budget) of a call to ``model``."""
        return self.get_max_output_token_limit(model), self.get_reasoning_token_budget(model)
