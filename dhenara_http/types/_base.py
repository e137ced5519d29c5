"""The pydantic base every public model of the package derives from.

``defer_build`` keeps ``import dhenara_http`` cheap: a model's validator is built the first time it is used,
not when its module is imported.

A pydantic ``ValidationError`` never leaves a public constructor (``Model(...)``, ``model_validate``,
``model_validate_json``): every one becomes a :class:`~dhenara_http.errors.ConfigurationError`, so that
``except DhenaraError`` catches bad input like any other failure of the package.

* pydantic wraps every ``ValueError`` a validator raises — our own ``ConfigurationError`` included — in its
  ``ValidationError``; the first ``ConfigurationError`` found inside is raised as it is.
* Any other failure (a wrong type, a missing or an unknown field) becomes a ``ConfigurationError`` naming the model
  and the field (``AIModelCallConfig.max_tokens: unknown field; did you mean `max_output_tokens`?``), built from
  the error's location and message only. pydantic's own text quotes the input value, which may be a secret (a key
  given to the wrong field, a misspelt ``credential=``), so it is never used, and the pydantic error is not chained
  (a traceback would print it).
"""

from __future__ import annotations

import typing
import warnings
from enum import Enum
from typing import TYPE_CHECKING, Any, NoReturn

import pydantic
from pydantic import ConfigDict
from pydantic.version import version_short

from ..errors._tree import ConfigurationError

if TYPE_CHECKING:
    from typing_extensions import Self

#: pydantic messages that would quote part of the input, replaced by words of our own.
_OWN_MESSAGES = {
    "union_tag_invalid": "its type tag is none of the expected ones",
    "extra_forbidden": "unknown field",
}


def did_you_mean(name: str, known: typing.Iterable[str]) -> str:
    """``"; did you mean `x`?"`` for the known names closest to ``name`` (empty when none is close)."""
    import difflib  # (here: only a bad name needs it, and importing it costs every process a millisecond)

    close = difflib.get_close_matches(name, sorted(known), n=2, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"`{c}`" for c in close) + "?"


def _model_of(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The pydantic model an annotation holds (``X``, ``X | None``, ``list[X]``, ``dict[str, X]`` …), if one."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _fields_at(model: type[pydantic.BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the (nested) model where ``loc`` points, for suggestions; [] when unknown."""
    current: type[pydantic.BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if not isinstance(part, str) or part not in current.model_fields:
            continue  # a list index, a dict key or a union member's name
        current = _model_of(current.model_fields[part].annotation)
    if current is None:
        return []
    names = list(current.model_fields)
    names += [f.alias for f in current.model_fields.values() if f.alias]
    return names


def _reraise(model: type[pydantic.BaseModel], exc: pydantic.ValidationError) -> NoReturn:
    for error in exc.errors(include_url=False, include_input=False):
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigurationError):
            raise cause from None
    parts: list[str] = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(error.get("loc", ()))
        where = ".".join([model.__name__, *(str(p) for p in loc)])
        kind = error.get("type", "")
        message = _OWN_MESSAGES.get(kind) or str(error.get("msg", "invalid"))
        if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
            message += did_you_mean(loc[-1], _fields_at(model, loc[:-1]))
        parts.append(f"{where}: {message}")
    raise ConfigurationError("; ".join(parts) or f"{model.__name__}: invalid") from None


class BaseModel(pydantic.BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", arbitrary_types_allowed=True, use_enum_values=False)

    def __init__(self, /, **data: Any) -> None:
        # What ``pydantic.BaseModel.__init__`` does, called directly: one frame and one re-packing of the keywords
        # fewer on every model made (a call makes a dozen).
        __tracebackhide__ = True
        try:
            validated = self.__pydantic_validator__.validate_python(data, self_instance=self)
        except pydantic.ValidationError as exc:
            _reraise(type(self), exc)
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
            _reraise(cls, exc)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except pydantic.ValidationError as exc:
            _reraise(cls, exc)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_strings(obj, *args, **kwargs)
        except pydantic.ValidationError as exc:
            _reraise(cls, exc)


class StrEnum(str, Enum):
    """A ``str`` enum whose ``str()`` is its value (as ``enum.StrEnum`` on 3.11+)."""

    def __str__(self) -> str:
        return str(self.value)
