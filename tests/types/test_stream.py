"""The chunk dataclasses: the fast builder of the common chunk makes exactly what the constructors make."""

from __future__ import annotations

import dataclasses

import pytest

from dhenara_http.types.stream import (
    ChatResponseChoiceDelta,
    ChatResponseChunk,
    ChatResponseTextContentItemDelta,
    text_chunk,
)


def _slots_set(obj: object) -> None:
    """Every field of a dataclass (recursively through lists) holds a value: a slot left unset raises here."""
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if dataclasses.is_dataclass(item):
                _slots_set(item)


@pytest.mark.parametrize(("index", "text", "api_provider"), [(0, "Hello", "openai"), (3, "", None), (1, "é 世界", "x")])
def test_text_chunk_equals_the_chunk_the_constructors_build(index: int, text: str, api_provider: str | None) -> None:
    built = ChatResponseChunk(
        model="m",
        provider="p",
        api_provider=api_provider,
        choice_deltas=[
            ChatResponseChoiceDelta(
                index=0, content_deltas=[ChatResponseTextContentItemDelta(index=index, text_delta=text)]
            )
        ],
    )
    fast = text_chunk("m", "p", api_provider, index, text)
    _slots_set(fast)
    assert fast == built
    assert fast.model_dump() == built.model_dump()
    assert fast.choice_deltas[0].content_deltas[0].get_text_delta() == text


def test_text_chunks_share_no_mutable_state() -> None:
    a, b = text_chunk("m", "p", "a", 0, "x"), text_chunk("m", "p", "a", 0, "x")
    a.metadata["k"] = 1
    a.choice_deltas[0].metadata["k"] = 1
    a.choice_deltas[0].content_deltas.append(ChatResponseTextContentItemDelta(index=1, text_delta="y"))
    assert b.metadata == {}
    assert b.choice_deltas[0].metadata == {}
    assert len(b.choice_deltas[0].content_deltas) == 1
