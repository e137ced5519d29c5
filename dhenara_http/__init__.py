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
    "ImagePriceRow": "types.model",
    "ValidOptionValue": "types.model",
    # prompts and tools
    "Prompt": "types.prompt",
    "PromptConfig": "types.prompt",
    "PromptMessageRoleEnum": "types.enums",
    "SystemInstruction": "types.prompt",
    "GenericFile": "types.prompt",
    "ToolCallResult": "types.prompt",
    "ToolCallResultsMessage": "types.prompt",
    "ToolDefinition": "types.tools",
    "FunctionDefinition": "types.tools",
    "FunctionParameter": "types.tools",
    "FunctionParameters": "types.tools",
    "ToolChoice": "types.tools",
    "StructuredOutputConfig": "types.tools",
    # conversation
    "ConversationNode": "conversation",
    "PromptFormatter": "conversation",
    # responses
    "AIModelCallResponse": "types.response",
    "ChatResponse": "types.response",
    "ChatResponseChoice": "types.response",
    "ChatResponseUsage": "types.response",
    "UsageCharge": "types.response",
    "ChatResponseContentItemType": "types.enums",
    "ChatResponseTextContentItem": "types.response",
    "ChatResponseReasoningContentItem": "types.response",
    "ChatResponseToolCallContentItem": "types.response",
    "ChatResponseToolCall": "types.response",
    "ChatResponseStructuredOutputContentItem": "types.response",
    "ChatResponseStructuredOutput": "types.response",
    "ChatResponseGenericContentItem": "types.response",
    "ImageResponse": "types.response",
    "ImageResponseChoice": "types.response",
    "ImageResponseUsage": "types.response",
    "ImageContentItem": "types.response",
    "RateLimitInfo": "types.http",
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
    "SSEResponse": "types.stream",
    "SSEErrorResponse": "types.stream",
    "SSEErrorData": "types.stream",
    "SSEEventType": "types.enums",
    "StreamingChatResponse": "types.stream",
    # errors
    "DhenaraError": "errors",
    "ConfigurationError": "errors",
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
    "StructuredOutputError": "errors",
}

#: A literal list, so that type checkers see every name as explicitly exported (a test keeps it equal to
#: ``_EXPORTS``).
__all__ = [
    "AIModel",
    "AIModelAPI",
    "AIModelAPIProviderEnum",
    "AIModelCallConfig",
    "AIModelCallResponse",
    "AIModelClient",
    "AIModelEndpoint",
    "AIModelFunctionalTypeEnum",
    "AIModelProviderEnum",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CapabilityError",
    "ChatModelCostData",
    "ChatModelSettings",
    "ChatResponse",
    "ChatResponseChoice",
    "ChatResponseChoiceDelta",
    "ChatResponseChunk",
    "ChatResponseContentItemType",
    "ChatResponseGenericContentItem",
    "ChatResponseGenericContentItemDelta",
    "ChatResponseReasoningContentItem",
    "ChatResponseReasoningContentItemDelta",
    "ChatResponseStructuredOutput",
    "ChatResponseStructuredOutputContentItem",
    "ChatResponseTextContentItem",
    "ChatResponseTextContentItemDelta",
    "ChatResponseToolCall",
    "ChatResponseToolCallContentItem",
    "ChatResponseToolCallContentItemDelta",
    "ChatResponseUsage",
    "ConfigurationError",
    "ConflictError",
    "ContentFilterError",
    "ContextLengthExceededError",
    "ConversationNode",
    "DhenaraError",
    "ExternalApiCallStatus",
    "ExternalApiCallStatusEnum",
    "FinishReason",
    "FoundationModel",
    "FunctionDefinition",
    "FunctionParameter",
    "FunctionParameters",
    "GenericFile",
    "ImageContentItem",
    "ImageModelCostData",
    "ImageModelSettings",
    "ImagePriceRow",
    "ImageResponse",
    "ImageResponseChoice",
    "ImageResponseUsage",
    "InternalServerError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "PriceTier",
    "Prompt",
    "PromptConfig",
    "PromptFormatter",
    "PromptMessageRoleEnum",
    "RateLimitError",
    "RateLimitInfo",
    "ResourceConfig",
    "ResponseParseError",
    "SSEErrorData",
    "SSEErrorResponse",
    "SSEEventType",
    "SSEResponse",
    "StreamError",
    "StreamingChatResponse",
    "StructuredOutputConfig",
    "StructuredOutputError",
    "SystemInstruction",
    "ToolCallResult",
    "ToolCallResultsMessage",
    "ToolChoice",
    "ToolDefinition",
    "UsageCharge",
    "ValidOptionValue",
    "__version__",
]

if TYPE_CHECKING:
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
        DhenaraError,
        InternalServerError,
        NotFoundError,
        OverloadedError,
        PermissionDeniedError,
        RateLimitError,
        ResponseParseError,
        StreamError,
        StructuredOutputError,
    )
    from .resource_config import ResourceConfig
    from .types.api import AIModelAPI
    from .types.config import AIModelCallConfig
    from .types.endpoint import AIModelEndpoint
    from .types.enums import (
        AIModelAPIProviderEnum,
        AIModelFunctionalTypeEnum,
        AIModelProviderEnum,
        ChatResponseContentItemType,
        ExternalApiCallStatusEnum,
        FinishReason,
        PromptMessageRoleEnum,
        SSEEventType,
    )
    from .types.http import RateLimitInfo
    from .types.model import (
        AIModel,
        ChatModelCostData,
        ChatModelSettings,
        FoundationModel,
        ImageModelCostData,
        ImageModelSettings,
        ImagePriceRow,
        PriceTier,
        ValidOptionValue,
    )
    from .types.prompt import (
        GenericFile,
        Prompt,
        PromptConfig,
        SystemInstruction,
        ToolCallResult,
        ToolCallResultsMessage,
    )
    from .types.response import (
        AIModelCallResponse,
        ChatResponse,
        ChatResponseChoice,
        ChatResponseGenericContentItem,
        ChatResponseReasoningContentItem,
        ChatResponseStructuredOutput,
        ChatResponseStructuredOutputContentItem,
        ChatResponseTextContentItem,
        ChatResponseToolCall,
        ChatResponseToolCallContentItem,
        ChatResponseUsage,
        ExternalApiCallStatus,
        ImageContentItem,
        ImageResponse,
        ImageResponseChoice,
        ImageResponseUsage,
        UsageCharge,
    )
    from .types.stream import (
        ChatResponseChoiceDelta,
        ChatResponseChunk,
        ChatResponseGenericContentItemDelta,
        ChatResponseReasoningContentItemDelta,
        ChatResponseTextContentItemDelta,
        ChatResponseToolCallContentItemDelta,
        SSEErrorData,
        SSEErrorResponse,
        SSEResponse,
        StreamingChatResponse,
    )
    from .types.tools import (
        FunctionDefinition,
        FunctionParameter,
        FunctionParameters,
        StructuredOutputConfig,
        ToolChoice,
        ToolDefinition,
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
