"""``trusted``: response models made from checked values without validation equal the validated ones, and the test
suite checks every such construction against validation."""

from __future__ import annotations

import pytest

from dhenara_http.types import _trusted
from dhenara_http.types._trusted import trusted
from dhenara_http.types.enums import FinishReason
from dhenara_http.types.response import (
    ChatMessageContentPart,
    ChatResponseChoice,
    ChatResponseTextContentItem,
    ChatResponseUsage,
    UsageCharge,
)


def test_the_suite_compares_every_trusted_instance_with_validation() -> None:
    assert _trusted.VERIFY


def test_an_instance_equals_the_validated_one_field_by_field() -> None:
    made = trusted(ChatResponseUsage, prompt_tokens=3, completion_tokens=4, total_tokens=7)
    validated = ChatResponseUsage(prompt_tokens=3, completion_tokens=4, total_tokens=7)
    assert made == validated
    assert list(made.__dict__) == list(validated.__dict__)
    assert made.model_fields_set == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert made.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert repr(made) == repr(validated)


def test_defaults_made_per_instance_are_not_shared() -> None:
    first = trusted(ChatResponseChoice, index=0)
    second = trusted(ChatResponseChoice, index=1)
    first.contents.append(trusted(ChatResponseTextContentItem, text="a"))
    first.metadata["k"] = 1
    assert second.contents == []
    assert second.metadata == {}


def test_a_text_item_takes_the_step_of_its_after_validator() -> None:
    made = trusted(ChatResponseTextContentItem, index=0, text="hello")
    assert made.message_contents == [ChatMessageContentPart(type="text", text="hello")]
    assert made.model_dump()["message_contents"] is None  # the mirrored part is not serialized
    made.text = "changed"  # the mirror follows the text, as on a validated item
    assert made.message_contents == [ChatMessageContentPart(type="text", text="changed")]
    assert made.__pydantic_private__ == ChatResponseTextContentItem(index=0, text="changed").__pydantic_private__


def test_an_extra_allowing_model_gets_an_empty_extra() -> None:
    part = trusted(ChatMessageContentPart, type="text", text="x")
    assert part.__pydantic_extra__ == {}


@pytest.mark.parametrize(
    ("cls", "values", "message"),
    [
        # validation would make the enum member, not keep the string
        (ChatResponseChoice, {"finish_reason": "stop"}, "finish_reason"),
        # validation would make the float
        (UsageCharge, {"cost": 1}, "cost"),
        (UsageCharge, {}, "missing fields ['cost']"),
        (ChatResponseUsage, {"prompt_tokenz": 1}, "unknown fields ['prompt_tokenz']"),
    ],
)
def test_a_value_validation_would_convert_or_a_wrong_field_fails_verification(
    cls: type, values: dict[str, object], message: str
) -> None:
    with pytest.raises((AssertionError, TypeError), match=message.replace("[", r"\[").replace("]", r"\]")):
        trusted(cls, **values)


def test_with_the_right_types_verification_passes() -> None:
    choice = trusted(ChatResponseChoice, finish_reason=FinishReason.STOP)
    assert choice.finish_reason is FinishReason.STOP
    assert trusted(UsageCharge, cost=1.0).cost == 1.0
