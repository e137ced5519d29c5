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


def check_call(ctx: CallContext) -> None:
    """Raise a :class:`CapabilityError` when the call asks the model for something it cannot do: a chat call on an
    image model, reasoning, tools or structured output it does not support, or a file kind it does not take."""
    model = ctx.model
    if is_generic(model):
        return
    if model.functional_type.value not in _CALLABLE_KINDS:
        raise CapabilityError(
            f"{model.model_name} is a {model.functional_type.value} model; this version calls text and image models"
        )
    if model.is_image_model:
        raise CapabilityError(
            f"{model.model_name} is an image generation model and does not support chat calls "
            "(use an image generation call)"
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
    for message in ctx.messages:
        if not isinstance(message, Prompt):
            continue
        for file in message.files:
            modality = _FILE_MODALITY.get(file.kind)
            if modality is not None and modality not in settings.input_modalities:
                raise capability_error(model, f"{modality} input", f"file {file.name or file.media_type!r}")
