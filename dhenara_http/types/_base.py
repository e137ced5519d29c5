"""The pydantic base every public model of the package derives from.

``defer_build`` keeps ``import dhenara_http`` cheap: a model's validator is built the first time it is used,
not when its module is imported.

pydantic wraps every ``ValueError`` a validator raises in its own ``ValidationError`` — including our
:class:`~dhenara_http.errors.ConfigurationError`, which would then escape ``except ConfigurationError`` /
``except DhenaraError``. Construction therefore re-raises the first ``ConfigurationError`` found in the
``ValidationError`` (chained to it); other validation failures (wrong type, unknown field) stay pydantic's own
``ValidationError``, which names the field.
"""

from __future__ import annotations

import warnings
from enum import Enum
from typing import TYPE_CHECKING, Any, NoReturn

import pydantic
from pydantic import ConfigDict
from pydantic.version import version_short

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from typing_extensions import Self


def _reraise(exc: pydantic.ValidationError) -> NoReturn:
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigurationError):
            raise cause from exc
    raise exc


class BaseModel(pydantic.BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", arbitrary_types_allowed=True, use_enum_values=False)

    def __init__(self, /, **data: Any) -> None:
        # What ``pydantic.BaseModel.__init__`` does, called directly: one frame and one re-packing of the keywords
        # fewer on every model made (a call makes a dozen).
        __tracebackhide__ = True
        try:
            validated = self.__pydantic_validator__.validate_python(data, self_instance=self)
        except pydantic.ValidationError as exc:
            _reraise(exc)
        if validated is not self:
            warnings.warn(
                "A custom validator is returning a value other than `self`.\n"
                "Returning anything other than `self` from a top level model validator isn't supported when "
                "validating via `__init__`.\n"
                "See the `model_validator` docs (https://pydantic.dev/docs/validation/"
                f"{version_short()}/concepts/validators/#model-validators) for more details.",
                stacklevel=2,
            )

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except pydantic.ValidationError as exc:
            _reraise(exc)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except pydantic.ValidationError as exc:
            _reraise(exc)


class StrEnum(str, Enum):
    """A ``str`` enum whose ``str()`` is its value (as ``enum.StrEnum`` on 3.11+)."""

    def __str__(self) -> str:
        return str(self.value)
