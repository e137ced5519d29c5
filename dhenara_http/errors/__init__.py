"""The whole error tree of ``dhenara_http``.

Every exception the package raises on purpose derives from :class:`DhenaraError`::

    DhenaraError
    ├── ConfigurationError (also ValueError)        bad input: unknown provider, missing key, invalid tool schema …
    │   ├── CapabilityError                         the model cannot do what the call asks (reasoning, images, tools)
    │   └── CredentialsFileNotFoundError (also FileNotFoundError)   a credentials file that does not exist
    ├── APIError                                    anything that went wrong talking to a provider
    │   ├── APIStatusError                          the provider answered with an error (HTTP status or in-band event)
    │   │   ├── BadRequestError           400, 422
    │   │   │   ├── ContextLengthExceededError     the prompt does not fit the model's context window
    │   │   │   └── ContentFilterError             the provider's safety system refused the input or the output
    │   │   ├── AuthenticationError       401
    │   │   │   └── PermissionDeniedError 403
    │   │   ├── NotFoundError             404
    │   │   ├── ConflictError             409
    │   │   ├── RateLimitError            429
    │   │   └── InternalServerError       5xx
    │   │       └── OverloadedError       529, ``overloaded_error``, ``UNAVAILABLE``
    │   ├── APIConnectionError                      no answer: DNS, refused, reset, TLS …
    │   │   └── APITimeoutError (also TimeoutError) connect, read or total deadline passed
    │   └── ResponseParseError                      an answer that is not what the protocol promises
    │       └── StructuredOutputError               the structured output asked for is not valid JSON or not the class
    └── StreamError                                 a stream failed after its first chunk; ``partial`` has what came

dhenara-ai's names are second names of these classes: ``DhenaraAPIError`` is :class:`APIError` and
``DhenaraConnectionError`` is :class:`APIConnectionError`.

A stream that fails after its first chunk raises an exception that is *both* a :class:`StreamError` and its cause's
class (:func:`stream_error` makes it): an in-band ``overloaded_error`` is caught by ``except OverloadedError`` and by
``except StreamError``, a dropped connection by ``except APIConnectionError``.

Errors are classified from the provider's structured fields (``error.type``, ``error.code``, Gemini's ``status``),
never by matching message text. They carry no secret: the transport scrubs the API key from every message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._tree import (
    AWS_ERROR_CLASSES,
    AWS_NOT_RETRYABLE,
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
    StructuredOutputError,
    aws_error_class,
    aws_error_type,
    error_class_for_status,
    implied_status,
)

if TYPE_CHECKING:
    from ..types.response import AIModelCallResponse

__all__ = [
    "AWS_ERROR_CLASSES",
    "AWS_NOT_RETRYABLE",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CapabilityError",
    "ConfigurationError",
    "ConflictError",
    "ContentFilterError",
    "ContextLengthExceededError",
    "CredentialsFileNotFoundError",
    "DhenaraAPIError",
    "DhenaraConnectionError",
    "DhenaraError",
    "InternalServerError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseParseError",
    "StreamError",
    "StructuredOutputError",
    "aws_error_class",
    "aws_error_type",
    "error_class_for_status",
    "implied_status",
    "stream_error",
]


class StreamError(DhenaraError):
    """A stream failed after its first chunk.

    Streams are never retried silently once a chunk reached the caller. ``partial`` is the response accumulated
    from what did arrive (an ``AIModelCallResponse``, as the final item of a stream would be), and ``error`` the
    classified cause. The exception raised is of a class derived from both ``StreamError`` and the cause's class
    (see :func:`stream_error`), so an in-band ``overloaded_error`` is caught by ``except OverloadedError`` as well as
    by ``except StreamError``, and a dropped connection by ``except APIConnectionError``.
    """

    def __init__(self, message: str, *, partial: AIModelCallResponse | None, error: DhenaraError | None) -> None:
        super().__init__(message)
        self.message = message
        self.partial = partial
        self.error = error

    @property
    def error_type(self) -> str | None:  # type: ignore[override,unused-ignore]
        return getattr(self.error, "error_type", None)

    def __reduce__(self) -> Any:
        cause = next((c for c in type(self).__mro__[2:] if _STREAM_CLASSES.get(c) is type(self)), None)
        return _rebuild_stream_error, (cause, self.message, dict(vars(self)))


#: The "both" classes made so far, by cause class: one class per cause class, so ``type(a) is type(b)`` holds for
#: two failures of the same kind.
_STREAM_CLASSES: dict[type[DhenaraError], type[StreamError]] = {}


def _stream_class(cause: type[DhenaraError]) -> type[StreamError]:
    cls = _STREAM_CLASSES.get(cause)
    if cls is None:
        # ``error_type`` is StreamError's read-only property (the cause's type); the cause's own attribute of that
        # name is a plain one, so the class attribute here lets the copied instance attribute stand.
        cls = type(f"Stream{cause.__name__}", (StreamError, cause), {"error_type": None, "__module__": __name__})
        _STREAM_CLASSES[cause] = cls
    return cls


def stream_error(message: str, *, partial: AIModelCallResponse | None, error: DhenaraError | None) -> StreamError:
    """The exception a stream raises when it fails after its first chunk: a :class:`StreamError` (with ``partial``
    and ``error``) that is also an instance of ``error``'s class, carrying its fields (provider, model, status, type,
    code, request id, ``retry_after``, body). Without a cause (a stream that just ended too early) it is a plain
    :class:`StreamError`; a cause that is a ``StreamError`` already is not wrapped twice."""
    if error is None or isinstance(error, StreamError):
        return StreamError(message, partial=partial, error=error)
    cls = _stream_class(type(error))
    exc = cls.__new__(cls, message)
    Exception.__init__(exc, message)
    exc.__dict__.update(vars(error))
    exc.message = message
    exc.partial = partial
    exc.error = error
    return exc


def _rebuild_stream_error(cause: type[DhenaraError] | None, message: str, state: dict[str, Any]) -> StreamError:
    """Unpickling (a "both" class cannot be found by name, so it is made again)."""
    cls = _stream_class(cause) if cause is not None else StreamError
    exc = cls.__new__(cls, message)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc
