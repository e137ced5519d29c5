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

if TYPE_CHECKING:
    from .types.response import AIModelCallResponse

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


class DhenaraError(Exception):
    """Root of every error raised by ``dhenara_http``."""


class ConfigurationError(DhenaraError, ValueError):
    """The call or the objects it was built from are wrong; nothing was sent."""


class CapabilityError(ConfigurationError):
    """The model was asked for something it cannot do (reasoning, images, tools …)."""


class CredentialsFileNotFoundError(ConfigurationError, FileNotFoundError):
    """A credentials file that does not exist: a ``ConfigurationError``, and a ``FileNotFoundError`` as dhenara-ai
    raised (``filename`` is the path)."""

    def __init__(self, message: str, filename: str | None = None) -> None:
        super().__init__(message)
        self.filename = filename

    def __str__(self) -> str:
        # OSError's own form ("[Errno None] None: 'path'") would hide the message.
        return str(self.args[0]) if self.args else ""


class APIError(DhenaraError):
    """Something went wrong talking to a provider.

    Attributes carry what a caller needs to decide what to do next; all may be ``None`` when unknown.
    """

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        response: Any = None,
        *,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        error_type: str | None = None,
        error_code: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.request_id = request_id
        self.error_type = error_type
        self.error_code = error_code
        self.retry_after = retry_after
        self.body = body if body is not None else response

    @property
    def response(self) -> Any:
        """dhenara-ai's name for :attr:`body`."""
        return self.body

    def __str__(self) -> str:
        where = ", ".join(
            f"{k}={v}"
            for k, v in (
                ("provider", self.provider),
                ("model", self.model),
                ("status", self.status_code),
                ("type", self.error_type),
                ("code", self.error_code),
                ("request_id", self.request_id),
            )
            if v is not None
        )
        return f"{self.message} ({where})" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class APIStatusError(APIError):
    """The provider answered, and the answer was an error."""


class BadRequestError(APIStatusError):
    """400 / 422: the provider rejected the request."""


class ContextLengthExceededError(BadRequestError):
    """The prompt (plus the requested output) does not fit the model's context window."""


class ContentFilterError(BadRequestError):
    """The provider's safety system refused the input or the output."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or expired."""


class PermissionDeniedError(AuthenticationError):
    """403: the key is valid but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: unknown model, deployment or path."""


class ConflictError(APIStatusError):
    """409: a conflicting request is in flight."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens; ``retry_after`` says how long the provider asked to wait."""


class InternalServerError(APIStatusError):
    """5xx: the provider failed."""


class OverloadedError(InternalServerError):
    """The provider is overloaded (HTTP 529, Anthropic ``overloaded_error``, Google ``UNAVAILABLE``)."""


class APIConnectionError(APIError):
    """No usable answer arrived: the connection failed, was refused or was reset."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """A connect, read or total deadline passed."""


class ResponseParseError(APIError):
    """The provider's answer could not be understood (not JSON, wrong shape, truncated)."""


#: dhenara-ai's names: ``except DhenaraAPIError`` catches every API error of this package, ``except
#: DhenaraConnectionError`` every connection failure (timeouts included). ``DhenaraAPIError(message, status_code,
#: response)`` builds one as dhenara-ai did.
DhenaraAPIError = APIError
DhenaraConnectionError = APIConnectionError


class StructuredOutputError(ResponseParseError):
    """The call asked for structured output and the answer's is not a JSON object, or does not fit the pydantic
    class. Raised by ``ChatResponse.structured()`` / ``parsed()`` (the response itself keeps the answer:
    ``raw_text`` is the model's text, ``reason`` what is wrong with it)."""

    def __init__(self, message: str, *, raw_text: str | None = None, reason: str | None = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.raw_text = raw_text
        self.reason = reason


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


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    529: OverloadedError,
}


def implied_status(cls: type[APIStatusError]) -> int | None:
    """The HTTP status an error class stands for (an in-band error is given this status)."""
    for klass in cls.__mro__:
        for status, mapped in _STATUS_CLASSES.items():
            if mapped is klass:
                return status
        if klass is InternalServerError:
            return 500
    return None


def error_class_for_status(status: int) -> type[APIStatusError]:
    """The error class for an HTTP status when the body names nothing more precise."""
    cls = _STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return InternalServerError
    if 400 <= status < 500:
        return BadRequestError
    return APIStatusError


#: AWS error types (Bedrock's ``x-amzn-errortype`` / ``__type`` of an error answer, and the ``:exception-type`` of
#: an event-stream exception frame), lower-cased, → the class raised. One table for both readers.
AWS_ERROR_CLASSES: dict[str, type[APIStatusError]] = {
    "throttlingexception": RateLimitError,
    "servicequotaexceededexception": RateLimitError,
    "toomanyrequestsexception": RateLimitError,
    "serviceunavailableexception": OverloadedError,
    "modelnotreadyexception": OverloadedError,
    "internalserverexception": InternalServerError,
    "modelstreamerrorexception": InternalServerError,
    "modelerrorexception": InternalServerError,
    # The model did not answer in time: the request itself was fine, so it is a server-side failure, retried as one.
    "modeltimeoutexception": InternalServerError,
    "validationexception": BadRequestError,
    "serializationexception": BadRequestError,
    "accessdeniedexception": PermissionDeniedError,
    "unrecognizedclientexception": AuthenticationError,
    "invalidsignatureexception": AuthenticationError,
    "incompletesignatureexception": AuthenticationError,
    "expiredtokenexception": AuthenticationError,
    "missingauthenticationtokenexception": AuthenticationError,
    "resourcenotfoundexception": NotFoundError,
    "conflictexception": ConflictError,
}

#: AWS error types that must not be retried although their class usually is (a quota is not a passing limit).
AWS_NOT_RETRYABLE = frozenset({"servicequotaexceededexception"})


def aws_error_type(raw: str | None) -> str | None:
    """The bare error name of an AWS error type as it is written in headers and bodies:
    ``ThrottlingException:http://internal.amazon.com/coral/…`` and ``com.amazon.coral#ThrottlingException`` are
    both ``ThrottlingException``."""
    if not raw:
        return None
    name = raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()
    return name or None


def aws_error_class(error_type: str | None) -> type[APIStatusError] | None:
    """The class of an AWS error type (see :data:`AWS_ERROR_CLASSES`), or None when the type is unknown."""
    name = aws_error_type(error_type)
    return AWS_ERROR_CLASSES.get(name.lower()) if name else None
