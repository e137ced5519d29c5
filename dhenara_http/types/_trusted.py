"""Models made from values the library has already checked, without running their validator.

A call's answer is read field by field by the typed readers of :mod:`dhenara_http.protocols._common` (every count an
``int``, every string a ``str``, every enum a member), then put into a dozen response models. Validating those
values again costs time on every call (most for a text item, whose after-validator makes a model of its own), and
on the first call of a process it builds each model's validator, milliseconds each. :func:`trusted` makes the
instance pydantic's validation would make from the same values — the same ``__dict__`` in field order with the
defaults filled in, the same set of fields given, the same private attributes — and runs the model's own
``_after_trusted`` hook where it has one (the step its after-validator takes).

It is for values of the field types only. The test suite turns :data:`VERIFY` on
(``DHENARA_HTTP_VERIFY_TRUSTED=1`` in the environment): every instance made here is then compared with the validated
one, field by field and type by type, so that a caller passing a value validation would have converted (a ``str``
for an enum, say) fails the tests instead of going unnoticed.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import pydantic
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=pydantic.BaseModel)

#: Compare each instance with the validated one (the test suite sets this).
VERIFY = os.environ.get("DHENARA_HTTP_VERIFY_TRUSTED") == "1"

_IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset, Enum)
_REQUIRED: Any = object()
_setattr = object.__setattr__
_new = object.__new__


@dataclass(frozen=True)
class _Plan:
    #: Every field in order, with its default (``_REQUIRED`` for a field without one, a placeholder for a factory's).
    template: dict[str, Any]
    #: (field, factory) of the fields whose default is made per instance.
    factories: tuple[tuple[str, Any], ...]
    required: frozenset[str]
    fields: frozenset[str]
    #: The private attributes' defaults (None when the model has none).
    private: dict[str, Any] | None
    extra_allowed: bool
    after: bool


_PLANS: dict[type, _Plan] = {}


def _plan_of(cls: type[pydantic.BaseModel]) -> _Plan:
    template: dict[str, Any] = {}
    factories: list[tuple[str, Any]] = []
    required: set[str] = set()
    for name, field in cls.__pydantic_fields__.items():
        if field.default_factory is not None:
            template[name] = None
            factories.append((name, field.default_factory))
        elif field.default is PydanticUndefined:
            template[name] = _REQUIRED
            required.add(name)
        elif isinstance(field.default, _IMMUTABLE):
            template[name] = field.default
        else:
            template[name] = None
            factories.append((name, lambda value=field.default: copy.deepcopy(value)))
    private: dict[str, Any] | None = None
    if cls.__private_attributes__:
        private = {name: attr.get_default() for name, attr in cls.__private_attributes__.items()}
        if any(not isinstance(v, _IMMUTABLE) for v in private.values()):
            raise TypeError(f"{cls.__name__}: trusted() needs immutable private defaults")
    plan = _Plan(
        template=template,
        factories=tuple(factories),
        required=frozenset(required),
        fields=frozenset(template),
        private=private,
        extra_allowed=cls.model_config.get("extra") == "allow",
        after=hasattr(cls, "_after_trusted"),
    )
    _PLANS[cls] = plan
    return plan


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` with these field values (already of the fields' types), the others at their defaults,
    made without running the validator. (Whether every field named exists and every required one is given is
    checked with :data:`VERIFY` on, as the instance itself is.)"""
    plan = _PLANS.get(cls) or _plan_of(cls)
    data = plan.template.copy()
    data.update(values)
    for name, factory in plan.factories:
        if name not in values:
            data[name] = factory()
    obj = _new(cls)
    _setattr(obj, "__dict__", data)
    _setattr(obj, "__pydantic_fields_set__", set(values))
    _setattr(obj, "__pydantic_extra__", {} if plan.extra_allowed else None)
    _setattr(obj, "__pydantic_private__", plan.private.copy() if plan.private is not None else None)
    if plan.after:
        obj._after_trusted()  # type: ignore[attr-defined]
    if VERIFY:
        _verify(cls, obj, values)
    return obj


def _verify(cls: type[pydantic.BaseModel], obj: pydantic.BaseModel, values: dict[str, Any]) -> None:
    plan = _PLANS[cls]
    if not (plan.required <= values.keys() <= plan.fields):
        raise TypeError(
            f"trusted {cls.__name__}: missing fields {sorted(plan.required - values.keys())}, "
            f"unknown fields {sorted(values.keys() - plan.fields)}"
        )
    validated = cls(**values)
    for name, value in validated.__dict__.items():
        made = obj.__dict__[name]
        if type(made) is not type(value) or made != value:
            raise AssertionError(
                f"trusted {cls.__name__}.{name}: {made!r} ({type(made).__name__}) where validation makes "
                f"{value!r} ({type(value).__name__})"
            )
    if list(obj.__dict__) != list(validated.__dict__):
        raise AssertionError(f"trusted {cls.__name__}: fields {list(obj.__dict__)} != {list(validated.__dict__)}")
    for attr in ("__pydantic_fields_set__", "__pydantic_private__", "__pydantic_extra__"):
        if getattr(obj, attr) != getattr(validated, attr):
            raise AssertionError(
                f"trusted {cls.__name__}: {attr} {getattr(obj, attr)!r} != {getattr(validated, attr)!r}"
            )
