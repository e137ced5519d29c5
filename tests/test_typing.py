"""What type checkers see of the public API. The constructors that accept friendlier input than their fields hold
(``api_key="..."`` for a ``SecretStr``, ``structured_output=City`` …) declare it in an ``if TYPE_CHECKING:``
``__init__``; these tests keep those declarations equal to the real fields and defaults. The documented code itself
is type-checked by ``scripts/check_docs.py`` (``make types``)."""

from __future__ import annotations

import ast
import inspect
from typing import Any, get_args

import pydantic
import pytest
from pydantic_core import PydanticUndefined

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelEndpoint,
    ChatResponse,
    DhenaraError,
    ImageResponse,
    SSEResponse,
)
from dhenara_http.types import response as response_module

DECLARED = [AIModelAPI, AIModelEndpoint, AIModelCallConfig]


def declared_init(cls: type[pydantic.BaseModel]) -> ast.FunctionDef:
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))  # type: ignore[arg-type]
    [node] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    for stmt in node.body:
        if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and stmt.test.id == "TYPE_CHECKING":
            for inner in stmt.body:
                if isinstance(inner, ast.FunctionDef) and inner.name == "__init__":
                    return inner
    raise AssertionError(f"{cls.__name__} declares no __init__ for type checkers")


@pytest.mark.parametrize("cls", DECLARED, ids=[c.__name__ for c in DECLARED])
def test_declared_parameters_are_the_fields(cls: type[pydantic.BaseModel]) -> None:
    init = declared_init(cls)
    assert init.args.args[0].arg == "self"
    assert len(init.args.args) == 1  # keyword-only, as pydantic's own __init__
    assert [a.arg for a in init.args.kwonlyargs] == list(cls.model_fields)


@pytest.mark.parametrize("cls", DECLARED, ids=[c.__name__ for c in DECLARED])
def test_declared_defaults_are_the_fields_defaults(cls: type[pydantic.BaseModel]) -> None:
    init = declared_init(cls)
    for arg, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True):
        field = cls.model_fields[arg.arg]
        required = field.default is PydanticUndefined and field.default_factory is None
        if required:
            assert default is None, f"{arg.arg} is required"
            continue
        assert default is not None, f"{arg.arg} has a default"
        value: Any = ast.literal_eval(default)
        if value is Ellipsis:  # a default factory
            assert field.default_factory is not None, arg.arg
        else:
            assert value == field.default, arg.arg


def test_the_stream_never_yields_error_items() -> None:
    """The chunk of a stream item is an ``SSEResponse`` or None: errors are raised, so the documented loop needs
    no ``isinstance`` test before ``chunk.data.choice_deltas``."""
    chunk, final = (
        eval(ref if isinstance(ref, str) else ref.__forward_arg__, vars(response_module))
        for ref in get_args(response_module.StreamItem)
    )
    assert set(get_args(chunk)) == {SSEResponse, type(None)}
    assert set(get_args(final)) == {AIModelCallResponse, type(None)}


def test_chat_and_image_helpers_narrow_or_say_why() -> None:
    chat = ChatResponse(model="m", provider="openai")
    assert AIModelCallResponse(chat_response=chat).chat is chat
    image = ImageResponse(model="m", provider="openai")
    assert AIModelCallResponse(image_response=image).image is image
    with pytest.raises(DhenaraError, match=r"chat_response is None: this is an image call's response: read \.image"):
        _ = AIModelCallResponse(image_response=image).chat
    streaming = AIModelCallResponse(stream_generator=iter([]))
    with pytest.raises(DhenaraError, match="the complete answer is the last item of its stream_generator"):
        _ = streaming.chat
    with pytest.raises(DhenaraError, match="holds no answer"):
        _ = AIModelCallResponse().image


def test_plain_values_are_accepted_as_the_declarations_say() -> None:
    class City(pydantic.BaseModel):
        name: str

    api = AIModelAPI(provider="openai", api_key="sk-test-0123456789", credentials={"x": "y"})
    assert api.get_api_key() == "sk-test-0123456789"
    endpoint = AIModelEndpoint(api=api, ai_model="gpt-4o-mini", cost_data={"cost_multiplier_percentage": 10})
    assert endpoint.cost_data is not None
    config = AIModelCallConfig(structured_output=City, tool_choice="auto", tools=[len], extra_headers={"a": "b"})
    assert config.structured_output is not None
    assert config.structured_output.model_class is City
