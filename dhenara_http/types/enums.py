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
    """What a model does. This version calls text and image models; the other kinds exist so that dhenara-ai's
    catalogue entries and custom models of those kinds still validate."""

    TEXT_GENERATION = "text_generation"
    IMAGE_GENERATION = "image_generation"
    VIDEO_GENERATION = "video_generation"
    TEXT_TO_SPEECH = "text_to_speech"
    SPEECH_TO_TEXT = "speech_to_text"


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
    #: A search the provider ran itself (a hosted web-search tool): its queries.
    WEB_SEARCH_CALL = "web_search_call"
    #: What a hosted web search found: its result pages.
    WEB_SEARCH_RESULT = "web_search_result"


class ImageContentFormat(StrEnum):
    """How a generated image is held: a URL to fetch it from, base64 text, or raw bytes."""

    URL = "url"
    BASE64 = "base64"
    BYTES = "bytes"
    UNKNOWN = "unknown"


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


class SSEErrorCode(StrEnum):
    """The ``error_code`` of an :class:`~dhenara_http.types.stream.SSEErrorData` (dhenara-ai's values)."""

    server_error = "server_error"
    external_api_error = "external_api_error"
    client_decode_error = "client_decode_error"


class ContentType(StrEnum):
    """What :meth:`Content.get_content <dhenara_http.types.text.Content.get_content>` returns: joined ``text``, a
    ``list`` of texts, the ``dict`` of ``json_c`` or the ``jsonl`` rows of ``jsonl_c``."""

    TEXT = "text"
    LIST = "list"
    DICT = "dict"
    JSONL = "jsonl"


class ResourceConfigItemTypeEnum(StrEnum):
    """The kind of resource a :class:`~dhenara_http.types.resource.ResourceConfigItem` asks for."""

    ai_model_endpoint = "ai_model_endpoint"
    rag_endpoint = "rag_endpoint"
    search_endpoint = "search_endpoint"


class ResourceQueryFieldsEnum(StrEnum):
    """The fields a resource query may name."""

    model_name = "model_name"
    model_display_name = "model_display_name"
    api_provider = "api_provider"
    reference_number = "reference_number"


class ExternalApiCallStatusEnum(StrEnum):
    REQUEST_SEND = "request_send"
    REQUEST_NOT_SEND = "request_not_send"
    RESPONSE_RECEIVED_SUCCESS = "response_received_success"
    RESPONSE_RECEIVED_API_ERROR = "response_received_api_error"
    RESPONSE_TIMEOUT = "response_timeout"
    INTERNAL_PROCESSING_ERROR = "internal_processing_error"
