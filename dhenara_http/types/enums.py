"""Enumerations shared by the public types."""

from __future__ import annotations

from ._base import StrEnum


class AIModelAPIProviderEnum(StrEnum):
    """Who hosts the API a call goes to (the *host*, not the model's maker)."""

    OPEN_AI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLE_AI = "google_gemini_api"
    GOOGLE_VERTEX_AI = "google_vertex_ai"
    AMAZON_BEDROCK = "amazon_bedrock"
    MICROSOFT_OPENAI = "microsoft_openai"
    MICROSOFT_AZURE_AI = "microsoft_azure_ai"
    DEEPSEEK = "deepseek"
    OPENAI_COMPATIBLE = "openai_compatible"


class AIModelProviderEnum(StrEnum):
    """Who made the model (the *vendor*)."""

    CUSTOM = "custom"
    OPEN_AI = "open_ai"
    GOOGLE_AI = "google_ai"
    ANTHROPIC = "anthropic"
    DEEPSEEK = "deepseek"
    META = "meta"
    MISTRAL = "mistral"
    COHERE = "cohere"


class AIModelFunctionalTypeEnum(StrEnum):
    TEXT_GENERATION = "text_generation"
    IMAGE_GENERATION = "image_generation"


class PromptMessageRoleEnum(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class ChatResponseContentItemType(StrEnum):
    TEXT = "text"
    REASONING = "reasoning"
    TOOL_CALL = "tool_call"
    STRUCTURED_OUTPUT = "structured_output"
    GENERIC = "generic"


class FinishReason(StrEnum):
    """Why the model stopped, normalised across providers."""

    STOP = "stop"
    MAX_TOKENS = "max_tokens"
    TOOL_USE = "tool_use"
    CONTENT_FILTER = "content_filter"
    PAUSE = "pause"
    ERROR = "error"
    OTHER = "other"


class SSEEventType(StrEnum):
    TOKEN_STREAM = "token_stream"
    PUSH = "push"
    ERROR = "error"


class ExternalApiCallStatusEnum(StrEnum):
    REQUEST_SEND = "request_send"
    REQUEST_NOT_SEND = "request_not_send"
    RESPONSE_RECEIVED_SUCCESS = "response_received_success"
    RESPONSE_RECEIVED_API_ERROR = "response_received_api_error"
    RESPONSE_TIMEOUT = "response_timeout"
    INTERNAL_PROCESSING_ERROR = "internal_processing_error"
