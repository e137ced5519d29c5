"""dhenara-ai's prompt text structures: ``Content``, ``TextTemplate`` (variables, rendering, escapes),
``ObjectTemplate``, ``PromptText``, and prompts built on them."""

from __future__ import annotations

import logging

import pytest

from dhenara_http import (
    ConfigurationError,
    Content,
    ContentType,
    ObjectTemplate,
    Prompt,
    PromptText,
    SystemInstruction,
    TextTemplate,
    TextTemplateVariableProps,
)
from dhenara_http.types.enums import PromptMessageRoleEnum
from dhenara_http.types.prompt import user_prompt

# -- Content ---------------------------------------------------------------------------------------------------------


def test_content_text_joins_texts_and_json() -> None:
    content = Content(type="text", text="a", textl=["b", "c"], json_c={"k": "é"}, jsonl_c=[{"n": 1}])
    assert content.get_content() == 'a\nb\nc\n{"k": "é"}\n{"n": 1}'
    assert content.get_content(separator=" | ") == 'a | b | c | {"k": "é"} | {"n": 1}'


def test_content_other_types() -> None:
    content = Content(text="a", textl=["b"], json_c={"k": 1}, jsonl_c=[{"n": 1}, {"n": 2}])
    assert content.model_copy(update={"type": ContentType.LIST}).get_content() == ["a", "b"]
    assert content.model_copy(update={"type": ContentType.DICT}).get_content() == {"k": 1}
    assert content.model_copy(update={"type": ContentType.JSONL}).get_content() == [{"n": 1}, {"n": 2}]
    # No type: text, as a prompt needs it (dhenara-ai raised here).
    assert content.get_content() == 'a\nb\n{"k": 1}\n{"n": 1}\n{"n": 2}'


def test_empty_content_and_missing_parts_are_configuration_errors() -> None:
    assert not Content().has_content
    with pytest.raises(ConfigurationError, match="no text"):
        Content().get_content()
    with pytest.raises(ConfigurationError, match="json_c"):
        Content(type="dict", text="x").get_content()
    with pytest.raises(ConfigurationError, match="jsonl_c"):
        Content(type="jsonl", text="x").get_content()


# -- TextTemplate ------------------------------------------------------------------------------------------------------


def test_variables_must_appear_in_the_text() -> None:
    TextTemplate(text="Hello $var{name} from $var{task.title}", variables={"name": None, "task": None})
    with pytest.raises(ConfigurationError, match=r"\['unused'\]"):
        TextTemplate(text="Hello $var{name}", variables={"name": None, "unused": None})
    # An escaped variable is not a use of it.
    with pytest.raises(ConfigurationError, match="name"):
        TextTemplate(text="Hello $$var{name}", variables={"name": None})
    assert TextTemplate(text="no variables", variables={"x": None}, disable_checks=True).get_variable_names() == ["x"]


def test_format_returns_the_template_unchanged_as_dhenara_ai_does() -> None:
    template = TextTemplate(text="Hi $var{name} {literal}", variables={"name": {"default": "Ann"}})
    assert template.format(name="Bob") == "Hi $var{name} {literal}"
    assert template.get_args_default_values() == {"name": "Ann"}


def test_render_fills_variables_from_values_then_defaults() -> None:
    template = TextTemplate(
        text="Hi $var{name}: $var{task.title} ($var{ task.size }) $expr{1 + 1} {braces} $$var{kept} $$expr{also}",
        variables={"name": TextTemplateVariableProps(default="Ann"), "task": None},
    )
    rendered = template.render(task={"title": "paint", "size": 3})
    assert rendered == "Hi Ann: paint (3) $expr{1 + 1} {braces} $var{kept} $expr{also}"
    assert template.render(name="Bob", task={"title": "t", "size": 0}).startswith("Hi Bob: t (0)")


def test_render_walks_attributes_and_checks_allowed_values() -> None:
    class Task:
        title = "fence"

    template = TextTemplate(
        text="$var{task.title} in $var{color}", variables={"task": None, "color": {"allowed": ["red"]}}
    )
    assert template.render(task=Task(), color="red") == "fence in red"
    with pytest.raises(ConfigurationError, match="'blue' is not one of"):
        template.render(task=Task(), color="blue")


def test_render_keeps_an_unknown_variable_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    template = TextTemplate(text="Hi $var{name}", variables={"name": None})
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        assert template.render() == "Hi $var{name}"
    assert "name" in caplog.text


def test_object_template_holds_its_expression() -> None:
    assert ObjectTemplate(expression="$expr{data.items}").expression == "$expr{data.items}"


# -- PromptText and prompts -------------------------------------------------------------------------------------------


def test_prompt_text_holds_exactly_one_of_content_and_template() -> None:
    with pytest.raises(ConfigurationError, match="exactly one"):
        PromptText()
    with pytest.raises(ConfigurationError, match="exactly one"):
        PromptText(content=Content(text="a"), template=TextTemplate(text="b"))
    assert PromptText(content=Content(type="list", textl=["a", "b"])).format() == "a\nb"
    assert PromptText(content=Content(type="dict", json_c={"a": 1})).format() == '{"a": 1}'


def test_prompt_with_content_and_with_a_template() -> None:
    # dhenara-ai's example 10, format 3.
    prompt = Prompt(role=PromptMessageRoleEnum.USER, text=PromptText(content=Content(type="text", text="Hi there")))
    assert prompt.rendered_text() == "Hi there"
    templated = Prompt(
        text=PromptText(template=TextTemplate(text="Write about $var{topic}", variables={"topic": None})),
        variables={"topic": "tides"},
    )
    assert templated.rendered_text() == "Write about tides"
    instruction = SystemInstruction(
        text=PromptText(template=TextTemplate(text="Be $var{tone}.", variables={"tone": None}))
    )
    assert instruction.get_formatted_text(tone="brief") == "Be brief."


def test_prompt_with_prompt_text_survives_a_dump() -> None:
    prompt = Prompt(text=PromptText(template=TextTemplate(text="$var{x}!", variables={"x": {"default": 1}})))
    again = Prompt.model_validate(prompt.model_dump())
    assert again == prompt
    assert again.rendered_text() == "1!"


def test_with_text_and_with_dad_text() -> None:
    for make in (Prompt.with_text, Prompt.with_dad_text):
        prompt = make("Capital of {country}?", {"country": "Peru"})
        assert prompt.role == PromptMessageRoleEnum.USER
        assert prompt.rendered_text() == "Capital of Peru?"
    assert Prompt.with_text("x", disable_checks=True).rendered_text() == "x"
    assert Prompt.with_dad_text("Keep {braces} as they are").rendered_text() == "Keep {braces} as they are"


@pytest.mark.parametrize("text", ["hi", "", "héllo {x}", "emoji \U0001f600", "a\nb"])
def test_a_plain_text_prompt_is_the_one_validation_makes(text: str) -> None:
    # generate("...") makes its prompt without running the validator (user_prompt): the same instance, field by field.
    fast = user_prompt(text)
    validated = Prompt(role=PromptMessageRoleEnum.USER, text=text)
    assert fast == validated
    assert list(fast.__dict__.items()) == list(validated.__dict__.items())
    assert fast.model_fields_set == validated.model_fields_set
    assert fast.model_dump_json() == validated.model_dump_json()
    assert fast.files is not user_prompt(text).files  # a list of its own, as the default factory makes


def test_a_plain_text_prompt_refuses_a_lone_surrogate_as_validation_does() -> None:
    with pytest.raises(ConfigurationError) as fast:
        user_prompt("Hello \udcff")
    with pytest.raises(ConfigurationError) as validated:
        Prompt(role=PromptMessageRoleEnum.USER, text="Hello \udcff")
    assert str(fast.value) == str(validated.value)
    assert "Prompt.text holds a lone surrogate character (U+DCFF) at position 6" in str(fast.value)
