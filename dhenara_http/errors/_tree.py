"""The error tree but for :class:`StreamError` (see :mod:`dhenara_http.errors`, which holds it and re-exports
these). Below the types: a response type may raise these, and ``StreamError`` carries a response."""

from __future__ import annotations

from typing import Any


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


# Every class here is public as ``dhenara_http.errors.<name>`` (where tracebacks and pickles name it).
for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, BaseException) and _cls.__module__ == __name__:
        _cls.__module__ = "dhenara_http.errors"
del _cls
