"""The pydantic base every public model of the package derives from.

``defer_build`` keeps ``import dhenara_http`` cheap: a model's validator is built the first time it is used,
not when its module is imported.
"""

from __future__ import annotations

from enum import Enum

import pydantic
from pydantic import ConfigDict


class BaseModel(pydantic.BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", arbitrary_types_allowed=True, use_enum_values=False)


class StrEnum(str, Enum):
    """A ``str`` enum whose ``str()`` is its value (as ``enum.StrEnum`` on 3.11+)."""

    def __str__(self) -> str:
        return str(self.value)
