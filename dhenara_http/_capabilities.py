"""What a model can do, checked before anything is sent.

A call that asks a model for something its catalogue entry says it cannot do fails at once with a
:class:`~dhenara_http.errors.CapabilityError` naming the model and the capability — never a silent drop of the
request's part, never a provider 400 after a round trip. Models outside the catalogue (``metadata["generic"]``) are
not checked: nothing is known about them, so the provider decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import CapabilityError
from .protocols.base import capability_error, is_generic, require_reasoning
from .types.prompt import Prompt

if TYPE_CHECKING:
    from .protocols.base import CallContext

#: The functional types this version can call (the others exist for dhenara-ai's catalogue entries).
_CALLABLE_KINDS = ("text_generation", "image_generation")
#: What a file of each kind needs among the model's input modalities.
_FILE_MODALITY = {"image": "image", "pdf": "pdf", "audio": "audio"}

#: The wires that carry each hosted tool (``AIModelCallConfig.hosted_tools``). Chat Completions has no hosted search
#: tool (OpenAI's search models search on every call, unasked), Bedrock's wires none at all.
HOSTED_TOOL_WIRES: dict[str, frozenset[str]] = {"web_search": frozenset({"responses", "anthropic", "gemini"})}


def check_call(ctx: CallContext) -> None:
    """Raise a :class:`CapabilityError` when the call asks the model for something it cannot do: streaming, tools,
    structured output or reasoning on an image model (whose options must also be ones it takes), reasoning, tools or
    structured output a chat model does not support, a file kind it does not take, or a hosted tool its wire cannot
    carry."""
    model = ctx.model
    if model.is_image_model and not is_generic(model):
        _check_image_call(ctx)
        return
    _check_hosted_tools(ctx)
    if is_generic(model):
        return
    if model.functional_type.value not in _CALLABLE_KINDS:
        raise CapabilityError(
            f"{model.model_name} is a {model.functional_type.value} model; this version calls text and image models"
        )
    settings = model.chat_settings
    if settings is None:
        return
    config = ctx.config
    if config.reasoning:
        require_reasoning(model)
    if config.tools and not settings.supports_tools:
        raise capability_error(model, "tools", "AIModelCallConfig.tools")
    if config.structured_output is not None and not settings.supports_structured_output:
        raise capability_error(model, "structured output", "AIModelCallConfig.structured_output")
    _check_files(ctx, settings.input_modalities)


def _check_files(ctx: CallContext, modalities: tuple[str, ...]) -> None:
    for message in ctx.messages:
        if not isinstance(message, Prompt):
            continue
        for file in message.files:
            modality = _FILE_MODALITY.get(file.kind)
            if modality is not None and modality not in modalities:
                raise capability_error(ctx.model, f"{modality} input", f"file {file.name or file.media_type!r}")


def _check_image_call(ctx: CallContext) -> None:
    """An image model makes images from a prompt in one answer: no stream, no tools, no structured output, no
    reasoning switch; its options are checked against the ones it takes (a ``ConfigurationError`` names a bad one)."""
    model, config = ctx.model, ctx.config
    asked = [
        name
        for name, wanted in (
            ("streaming (AIModelCallConfig.streaming)", ctx.stream or config.streaming),
            ("tools (AIModelCallConfig.tools)", bool(config.tools)),
            ("hosted tools (AIModelCallConfig.hosted_tools)", bool(config.hosted_tools)),
            ("structured output (AIModelCallConfig.structured_output)", config.structured_output is not None),
            ("reasoning (AIModelCallConfig.reasoning)", config.reasoning),
        )
        if wanted
    ]
    if asked:
        raise CapabilityError(
            f"{model.model_name} is an image generation model; it does not support " + ", ".join(asked)
        )
    model.check_options(config.options)
    settings = model.image_settings
    _check_files(ctx, settings.input_modalities if settings is not None else ("text",))


def _check_hosted_tools(ctx: CallContext) -> None:
    wire = ctx.wire_api
    if not ctx.config.hosted_tools or not wire:
        return
    for tool in ctx.config.hosted_tools:
        if wire not in HOSTED_TOOL_WIRES.get(tool.tool, frozenset()):
            raise CapabilityError(
                f"the hosted {tool.tool} tool is not available on the {wire!r} wire protocol "
                f"({ctx.api_provider.value}); it is on: " + ", ".join(sorted(HOSTED_TOOL_WIRES.get(tool.tool, ())))
            )
