"""The default factory of the models' list fields.

``Field(default_factory=list)`` makes pydantic read the signature of ``list`` when it builds a validator, and the
signature of a builtin is parsed from its text (the first time, ``tokenize`` compiles its patterns): a few
milliseconds on the first validator a process builds, and a fraction of one for each such field after. A Python
function's signature is read directly.
"""

from __future__ import annotations

from typing import Any


def new_list() -> list[Any]:
    """A new empty list (``default_factory=new_list``)."""
    return []
