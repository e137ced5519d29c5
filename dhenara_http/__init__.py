"""dhenara_http: one typed client for the AI models of many providers, over raw HTTP, with no vendor SDK.

Everything a user touches is importable from here. Names are loaded on first use (PEP 562), so
``import dhenara_http`` costs next to nothing; ``__all__`` lists them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS: dict[str, str] = {
    # client
    "AIModelClient": "client",
    # configuration
    "AIModelAPI": "types.api",
    "AIModelEndpoint": "types.endpoint",
    "AIModelCallConfig": "types.config",
    "AIModelAPIProviderEnum": "types.enums",
    "AIModelProviderEnum": "types.enums",
    "AIModelFunctionalTypeEnum": "types.enums",
    "FoundationModel": "types.model",
    "AIModel": "types.model",
    "ChatModelCostData": "types.model",
    "ChatModelSettings": "types.model",
    "ImageModelCostData": "types.model",
    "ImageModelSettings": "types.model",
    "PriceTier": "types.model",
    "ResourceConfig": "resource_config",
    "ResourceConfigItem": "types.resource",
    "ResourceQueryMapping": "types.resource",
    "ResourceConfigItemTypeEnum": "types.enums",
    "ResourceQueryFieldsEnum": "types.enums",
    "MODEL_TO_API_MAPPING": "resource_config",
    "DEFAULT_SECRET_CONFIG_DIR": "_credentials",
    "SECRET_CONFIG_DIR_ENV": "_credentials",
    "ArtifactConfig": "types.config",
    "AIModelContextPolicy": "types.config",
    "BaseAIModel": "types.model",
    "ReasoningControlMode": "types.model",
    "settings": "_settings",
    "Settings": "_settings",
    # the catalogue's lists and lookups (dhenara-ai's names)
    "FoundationModelFns": "foundation_models",
    "ALL_FOUNDATION_MODELS": "foundation_models",
    "ALL_CHAT_MODELS": "foundation_models",
    "ALL_IMAGE_MODELS": "foundation_models",
    "OPENAI_CHAT_MODELS": "foundation_models",
    "ANTHROPIC_CHAT_MODELS": "foundation_models",
    "GOOGLE_CHAT_MODELS": "foundation_models",
    "DEEPSEEK_CHAT_MODELS": "foundation_models",
    "OPENAI_IMAGE_MODELS": "foundation_models",
    "GOOGLE_IMAGE_MODELS": "foundation_models",
    "ImagePriceRow": "types.model",
    "ValidOptionValue": "types.model",
    # prompts and tools
    "Prompt": "types.prompt",
    "PromptConfig": "types.prompt",
    "PromptMessageRoleEnum": "types.enums",
    "SystemInstruction": "types.prompt",
    "GenericFile": "types.prompt",
    "StoredFile": "types.prompt",
    "FileMetadata": "types.prompt",
    "BaseTextPrompt": "types.prompt",
    "FormattedPrompt": "types.prompt",
    "MessageItem": "types.messages",
    "Content": "types.text",
    "ContentType": "types.enums",
    "PromptText": "types.text",
    "TextTemplate": "types.text",
    "TextTemplateVariableProps": "types.text",
    "ObjectTemplate": "types.text",
    "ToolCallResult": "types.prompt",
    "ToolCallResultsMessage": "types.prompt",
    "ToolDefinition": "types.tools",
    "FunctionDefinition": "types.tools",
    "FunctionParameter": "types.tools",
    "FunctionParameters": "types.tools",
    "ToolChoice": "types.tools",
    "StructuredOutputConfig": "types.tools",
    "function_parameter_from_json_schema": "types.tools",
    "WebSearchHostedTool": "types.hosted_tools",
    "HostedToolUserLocation": "types.hosted_tools",
    "HostedToolDefinition": "types.hosted_tools",
    "HostedToolKind": "types.hosted_tools",
    # conversation
    "ConversationNode": "conversation",
    "PromptFormatter": "conversation",
    # responses
    "AIModelCallResponse": "types.response",
    "AIModelCallResponseMetaData": "types.response",
    "ChatResponse": "types.response",
    "ChatResponseChoice": "types.response",
    "ChatResponseUsage": "types.response",
    "UsageCharge": "types.response",
    "UsageChargeComponent": "types.response",
    "ChatMessageContentPart": "types.response",
    "ChatResponseContentItem": "types.response",
    "ChatResponseToolCallResult": "types.response",
    "ChatResponseContentItemType": "types.enums",
    "ChatResponseTextContentItem": "types.response",
    "ChatResponseReasoningContentItem": "types.response",
    "ChatResponseToolCallContentItem": "types.response",
    "ChatResponseToolCall": "types.response",
    "ChatResponseStructuredOutputContentItem": "types.response",
    "ChatResponseStructuredOutput": "types.response",
    "ChatResponseGenericContentItem": "types.response",
    "ChatResponseWebSearchCallContentItem": "types.response",
    "HostedToolUsage": "types.response",
    "ChatResponseWebSearchResultContentItem": "types.response",
    "Citation": "types.response",
    "WebSearchResult": "types.response",
    "ImageResponse": "types.response",
    "ImageResponseChoice": "types.response",
    "ImageResponseUsage": "types.response",
    "ImageContentItem": "types.response",
    "RateLimitInfo": "types.http",
    "ImageResponseContentItem": "types.response",
    "ImageContentFormat": "types.enums",
    "ExternalApiCallStatus": "types.response",
    "ExternalApiCallStatusEnum": "types.enums",
    "FinishReason": "types.enums",
    # streaming
    "ChatResponseChunk": "types.stream",
    "ChatResponseChoiceDelta": "types.stream",
    "ChatResponseTextContentItemDelta": "types.stream",
    "ChatResponseReasoningContentItemDelta": "types.stream",
    "ChatResponseToolCallContentItemDelta": "types.stream",
    "ChatResponseGenericContentItemDelta": "types.stream",
    "ChatResponseContentItemDelta": "types.stream",
    "SSEResponse": "types.stream",
    "SSEErrorResponse": "types.stream",
    "SSEErrorData": "types.stream",
    "SSEEventType": "types.enums",
    "SSEErrorCode": "types.enums",
    "StreamingChatResponse": "types.stream",
    # errors
    "DhenaraError": "errors",
    "DhenaraAPIError": "errors",
    "DhenaraConnectionError": "errors",
    "ConfigurationError": "errors",
    "CredentialsFileNotFoundError": "errors",
    "CapabilityError": "errors",
    "APIError": "errors",
    "APIStatusError": "errors",
    "BadRequestError": "errors",
    "ContextLengthExceededError": "errors",
    "ContentFilterError": "errors",
    "AuthenticationError": "errors",
    "PermissionDeniedError": "errors",
    "NotFoundError": "errors",
    "ConflictError": "errors",
    "RateLimitError": "errors",
    "InternalServerError": "errors",
    "OverloadedError": "errors",
    "APIConnectionError": "errors",
    "APITimeoutError": "errors",
    "ResponseParseError": "errors",
    "StreamError": "errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from ._credentials import DEFAULT_SECRET_CONFIG_DIR, SECRET_CONFIG_DIR_ENV
    from ._settings import Settings, settings
    from .client import AIModelClient
    from .conversation import ConversationNode, PromptFormatter
    from .errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        CapabilityError,
        ConfigurationError,
        ConflictError,
        ContentFilterError,
        ContextLengthExceededError,
        CredentialsFileNotFoundError,
        DhenaraAPIError,
        DhenaraConnectionError,
        DhenaraError,
        InternalServerError,
        NotFoundError,
        OverloadedError,
        PermissionDeniedError,
        RateLimitError,
        ResponseParseError,
        StreamError,
    )
    from .foundation_models import (
        ALL_CHAT_MODELS,
        ALL_FOUNDATION_MODELS,
        ALL_IMAGE_MODELS,
        ANTHROPIC_CHAT_MODELS,
        DEEPSEEK_CHAT_MODELS,
        GOOGLE_CHAT_MODELS,
        GOOGLE_IMAGE_MODELS,
        OPENAI_CHAT_MODELS,
        OPENAI_IMAGE_MODELS,
        FoundationModelFns,
    )
    from .resource_config import MODEL_TO_API_MAPPING, ResourceConfig
    from .types.api import AIModelAPI
    from .types.config import AIModelCallConfig, AIModelContextPolicy, ArtifactConfig
    from .types.endpoint import AIModelEndpoint
    from .types.enums import (
        AIModelAPIProviderEnum,
        AIModelFunctionalTypeEnum,
        AIModelProviderEnum,
        ChatResponseContentItemType,
        ContentType,
        ExternalApiCallStatusEnum,
        FinishReason,
        ImageContentFormat,
        PromptMessageRoleEnum,
        ResourceConfigItemTypeEnum,
        ResourceQueryFieldsEnum,
        SSEErrorCode,
        SSEEventType,
    )
    from .types.hosted_tools import HostedToolDefinition, HostedToolKind, HostedToolUserLocation, WebSearchHostedTool
    from .types.http import RateLimitInfo
    from .types.messages import MessageItem
    from .types.model import (
        AIModel,
        BaseAIModel,
        ChatModelCostData,
        ChatModelSettings,
        FoundationModel,
        ImageModelCostData,
        ImageModelSettings,
        ImagePriceRow,
        PriceTier,
        ReasoningControlMode,
        ValidOptionValue,
    )
    from .types.prompt import (
        BaseTextPrompt,
        FileMetadata,
        FormattedPrompt,
        GenericFile,
        Prompt,
        PromptConfig,
        StoredFile,
        SystemInstruction,
        ToolCallResult,
        ToolCallResultsMessage,
    )
    from .types.resource import ResourceConfigItem, ResourceQueryMapping
    from .types.response import (
        AIModelCallResponse,
        AIModelCallResponseMetaData,
        ChatMessageContentPart,
        ChatResponse,
        ChatResponseChoice,
        ChatResponseContentItem,
        ChatResponseGenericContentItem,
        ChatResponseReasoningContentItem,
        ChatResponseStructuredOutput,
        ChatResponseStructuredOutputContentItem,
        ChatResponseTextContentItem,
        ChatResponseToolCall,
        ChatResponseToolCallContentItem,
        ChatResponseToolCallResult,
        ChatResponseUsage,
        ChatResponseWebSearchCallContentItem,
        ChatResponseWebSearchResultContentItem,
        Citation,
        ExternalApiCallStatus,
        HostedToolUsage,
        ImageContentItem,
        ImageResponse,
        ImageResponseChoice,
        ImageResponseContentItem,
        ImageResponseUsage,
        UsageCharge,
        UsageChargeComponent,
        WebSearchResult,
    )
    from .types.stream import (
        ChatResponseChoiceDelta,
        ChatResponseChunk,
        ChatResponseContentItemDelta,
        ChatResponseGenericContentItemDelta,
        ChatResponseReasoningContentItemDelta,
        ChatResponseTextContentItemDelta,
        ChatResponseToolCallContentItemDelta,
        SSEErrorData,
        SSEErrorResponse,
        SSEResponse,
        StreamingChatResponse,
    )
    from .types.text import Content, ObjectTemplate, PromptText, TextTemplate, TextTemplateVariableProps
    from .types.tools import (
        FunctionDefinition,
        FunctionParameter,
        FunctionParameters,
        StructuredOutputConfig,
        ToolChoice,
        ToolDefinition,
        function_parameter_from_json_schema,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dhenara_http' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
