"""dhenara-ai's client methods that this package's ``AIModelClient`` keeps for its programs.

``AIModelClient`` inherits :class:`ClientCompatMixin`. The methods are thin: a client here keeps its connection
pool for its whole life (or its ``with`` block), so "generating with the existing connection" is generating, and
"cleaning up" is closing.

* ``generate_with_existing_connection_sync(...)`` → ``generate(...)``; ``cleanup_sync()`` → ``close()``.
* ``await generate_with_existing_connection_async(...)`` → ``await generate_async(...)``; ``await cleanup_async()``
  → ``await aclose()``.
* ``await generate_with_existing_connection(...)`` picks by ``is_async``, as dhenara-ai's does: an async client
  awaits ``generate_async``, a sync one calls ``generate`` (which does not need the event loop).

dhenara-ai raised ``RuntimeError`` for the method of the other mode; here both modes work on any client, as
``generate`` and ``generate_async`` do. A client cleaned up and used again reopens its pool.

``_artifacts(...)`` starts the debugging artifacts of one call when ``config.artifact_config`` asks for them
(see :mod:`dhenara_http._artifacts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._artifacts import CallArtifacts
    from .types.config import AIModelCallConfig
    from .types.endpoint import AIModelEndpoint
    from .types.response import AIModelCallResponse


class ClientCompatMixin:
    """dhenara-ai's ``generate_with_existing_connection*`` and ``cleanup_*`` methods, over the client's own."""

    is_async: bool
    config: AIModelCallConfig
    model_endpoint: AIModelEndpoint

    if TYPE_CHECKING:
        # Provided by AIModelClient.

        def generate(
            self,
            prompt: Any = None,
            context: Sequence[Any] | None = None,
            instructions: Sequence[Any] | None = None,
            *,
            messages: Sequence[Any] | None = None,
        ) -> AIModelCallResponse: ...

        async def generate_async(
            self,
            prompt: Any = None,
            context: Sequence[Any] | None = None,
            instructions: Sequence[Any] | None = None,
            *,
            messages: Sequence[Any] | None = None,
        ) -> AIModelCallResponse: ...

        def close(self) -> None: ...

        async def aclose(self) -> None: ...

    async def generate_with_existing_connection(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        messages: Sequence[Any] | None = None,
    ) -> AIModelCallResponse:
        """``generate_async`` on an async client, ``generate`` on a sync one (dhenara-ai's dispatch)."""
        if self.is_async:
            return await self.generate_with_existing_connection_async(prompt, context, instructions, messages)
        return self.generate_with_existing_connection_sync(prompt, context, instructions, messages)

    def generate_with_existing_connection_sync(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        messages: Sequence[Any] | None = None,
    ) -> AIModelCallResponse:
        return self.generate(prompt, context, instructions, messages=messages)

    async def generate_with_existing_connection_async(
        self,
        prompt: Any = None,
        context: Sequence[Any] | None = None,
        instructions: Sequence[Any] | None = None,
        messages: Sequence[Any] | None = None,
    ) -> AIModelCallResponse:
        return await self.generate_async(prompt, context, instructions, messages=messages)

    def cleanup_sync(self) -> None:
        """Release the client's connections (dhenara-ai's name for ``close``)."""
        self.close()

    async def cleanup_async(self) -> None:
        """Release the client's connections (dhenara-ai's name for ``aclose``)."""
        await self.aclose()

    def _artifacts(
        self, prompt: Any = None, context: Any = None, instructions: Any = None, messages: Any = None
    ) -> CallArtifacts | None:
        """The artifacts of one call (None unless ``config.artifact_config`` enables them)."""
        from ._artifacts import CallArtifacts

        return CallArtifacts.start(
            self.config,
            self.model_endpoint,
            prompt=prompt,
            context=context,
            instructions=instructions,
            messages=messages,
        )
