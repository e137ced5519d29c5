"""Tool definitions, tool choice and structured-output schemas."""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable
from typing import Any, Literal, get_type_hints

import pydantic
from pydantic import Field, model_validator

from ..errors import ConfigurationError
from ._base import BaseModel

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_JSON_TYPES = {"object", "string", "number", "integer", "boolean", "array", "null"}


class FunctionParameter(BaseModel):
    """One parameter, in dhenara-ai's compact form (a full JSON schema dict is accepted too)."""

    type: str
    description: str | None = None
    required: bool = False
    allowed_values: list[Any] | None = None
    default: Any = None
    items: dict[str, Any] | None = None
    format: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.description:
            schema["description"] = self.description
        if self.allowed_values is not None:
            schema["enum"] = list(self.allowed_values)
        if self.items is not None:
            schema["items"] = self.items
        if self.format is not None:
            schema["format"] = self.format
        return schema


class FunctionParameters(BaseModel):
    type: Literal["object"] = "object"
    properties: dict[str, FunctionParameter | dict[str, Any]] = Field(default_factory=dict)
    required: list[str] = Field(default_factory=list)

    def json_schema(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        required = list(self.required)
        for name, p in self.properties.items():
            if isinstance(p, FunctionParameter):
                props[name] = p.json_schema()
                if p.required and name not in required:
                    required.append(name)
            else:
                props[name] = p
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        return schema


def _check_schema(where: str, schema: Any, path: str = "") -> None:
    if not isinstance(schema, dict):
        raise ConfigurationError(f"{where}: schema{path} must be a JSON-schema object (a dict), not {schema!r}")
    t = schema.get("type")
    types = t if isinstance(t, list) else [t] if t is not None else []
    for one in types:
        if one not in _JSON_TYPES:
            raise ConfigurationError(f"{where}: schema{path}.type {one!r} is not a JSON-schema type")
    props = schema.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            raise ConfigurationError(f"{where}: schema{path}.properties must be an object")
        for name, sub in props.items():
            _check_schema(where, sub, f"{path}.properties.{name}")
        req = schema.get("required", [])
        if not isinstance(req, list) or any(r not in props for r in req):
            raise ConfigurationError(f"{where}: schema{path}.required names a property that is not defined")
    if "items" in schema and isinstance(schema["items"], dict):
        _check_schema(where, schema["items"], f"{path}.items")


class FunctionDefinition(BaseModel):
    name: str
    description: str | None = None
    parameters: FunctionParameters | dict[str, Any] = Field(default_factory=FunctionParameters)
    strict: bool | None = None

    @model_validator(mode="after")
    def _valid(self) -> FunctionDefinition:
        if not _TOOL_NAME.match(self.name):
            raise ConfigurationError(
                f"ToolDefinition.name {self.name!r}: use 1-64 letters, digits, '_' or '-' (every provider accepts that)"
            )
        schema = self.json_schema()
        if schema.get("type") != "object":
            raise ConfigurationError(f"ToolDefinition {self.name!r}: parameters must be a schema of type 'object'")
        _check_schema(f"ToolDefinition {self.name!r}", schema)
        return self

    def json_schema(self) -> dict[str, Any]:
        if isinstance(self.parameters, FunctionParameters):
            return self.parameters.json_schema()
        schema = dict(self.parameters)
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        return schema


class ToolDefinition(BaseModel):
    """A function the model may call. ``ToolDefinition(name=..., description=..., parameters={json schema})`` works
    as a shorthand for ``ToolDefinition(function=FunctionDefinition(...))``."""

    type: Literal["function"] = "function"
    function: FunctionDefinition
    function_reference: Callable[..., Any] | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "function" not in data and "name" in data:
            data = dict(data)
            fn = {k: data.pop(k) for k in ("name", "description", "parameters", "strict") if k in data}
            data["function"] = fn
        return data

    @property
    def name(self) -> str:
        return self.function.name

    @classmethod
    def from_callable(cls, func: Callable[..., Any]) -> ToolDefinition:
        """A tool from a Python function: its name, the first paragraph of its docstring, and a schema of its
        annotated parameters."""
        sig = inspect.signature(func)
        hints = get_type_hints(func)
        fields: dict[str, Any] = {}
        for pname, param in sig.parameters.items():
            if pname in ("self", "cls"):
                continue
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[pname] = (hints.get(pname, Any), default)
        params_model = pydantic.create_model(f"{func.__name__}_params", **fields)
        schema = params_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        doc = inspect.getdoc(func) or ""
        return cls(
            function=FunctionDefinition(
                name=func.__name__, description=doc.split("\n\n")[0] or None, parameters=schema
            ),
            function_reference=func,
        )


class ToolChoice(BaseModel):
    """``zero_or_more`` (auto), ``one_or_more`` (required), ``specific`` (that tool) or ``none``.

    ``AIModelCallConfig.tool_choice`` also takes the spellings users bring from the provider SDKs: ``"auto"``,
    ``"required"`` / ``"any"``, ``"none"``, a tool's name; OpenAI's ``{"type": "function", "function": {"name": n}}``
    (Chat Completions) and ``{"type": "function", "name": n}`` (Responses); Anthropic's ``{"type": "auto" | "any" |
    "none"}`` and ``{"type": "tool", "name": n}``; and this class's own fields as a dict."""

    type: Literal["zero_or_more", "one_or_more", "specific", "none"] = "zero_or_more"
    specific_tool_name: str | None = None

    @model_validator(mode="after")
    def _named(self) -> ToolChoice:
        if self.type == "specific" and not self.specific_tool_name:
            raise ConfigurationError("ToolChoice(type='specific') needs specific_tool_name")
        return self

    @classmethod
    def parse(cls, value: ToolChoice | str | dict[str, Any] | None) -> ToolChoice | None:
        if value is None or isinstance(value, ToolChoice):
            return value
        if isinstance(value, dict):
            return cls.model_validate(_provider_form(value))
        aliases = {"auto": "zero_or_more", "required": "one_or_more", "any": "one_or_more", "none": "none"}
        if value in aliases:
            return cls(type=aliases[value])  # type: ignore[arg-type]
        if value in ("zero_or_more", "one_or_more"):
            return cls(type=value)  # type: ignore[arg-type]
        return cls(type="specific", specific_tool_name=value)


_CHOICE_ALIASES = {"auto": "zero_or_more", "required": "one_or_more", "any": "one_or_more"}


def _provider_form(value: dict[str, Any]) -> dict[str, Any]:
    """A provider SDK's tool-choice object in this class's fields; any other dict as it is (validation names what
    is wrong with it)."""
    kind = value.get("type")
    if kind in ("function", "tool"):
        function = value.get("function")
        name = function.get("name") if isinstance(function, dict) else value.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"tool_choice {value!r}: name the tool ({kind!r} choices need a name)")
        return {"type": "specific", "specific_tool_name": name}
    if kind in _CHOICE_ALIASES and set(value) <= {"type", "disable_parallel_tool_use"}:
        return {"type": _CHOICE_ALIASES[kind]}
    return value


def to_strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema in the form OpenAI's strict mode accepts: every object closed (``additionalProperties: false``)
    with every property required; ``$ref`` with siblings inlined; ``default: null`` dropped."""
    root = copy.deepcopy(schema)
    defs = root.get("$defs", {})

    def resolve(ref: str) -> dict[str, Any]:
        if not ref.startswith("#/$defs/"):
            raise ConfigurationError(f"structured_output: unsupported $ref {ref!r}")
        target = defs.get(ref.split("/")[-1])
        if not isinstance(target, dict):
            raise ConfigurationError(f"structured_output: $ref {ref!r} points nowhere")
        return target

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and len(node) > 1:
            merged = {**resolve(node["$ref"]), **{k: v for k, v in node.items() if k != "$ref"}}
            return walk(merged)
        out = {k: walk(v) for k, v in node.items()}
        if out.get("type") == "object" or "properties" in out:
            out.setdefault("properties", {})
            out["additionalProperties"] = False
            out["required"] = list(out["properties"].keys())
        if "default" in out and out["default"] is None:
            del out["default"]
        return out

    result: dict[str, Any] = walk(root)
    return result


class StructuredOutputConfig(BaseModel):
    """A JSON schema the answer must follow, from a pydantic class (``from_model``) or a schema dict."""

    name: str = "response"
    json_schema: dict[str, Any]
    model_class: type[pydantic.BaseModel] | None = Field(default=None, exclude=True)
    description: str | None = None

    @classmethod
    def from_model(cls, model_class: type[pydantic.BaseModel]) -> StructuredOutputConfig:
        return cls(
            name=re.sub(r"[^a-zA-Z0-9_-]", "_", model_class.__name__)[:64],
            json_schema=model_class.model_json_schema(),
            model_class=model_class,
            description=(model_class.__doc__ or "").strip() or None,
        )

    @classmethod
    def parse(cls, value: Any) -> StructuredOutputConfig | None:
        if value is None or isinstance(value, StructuredOutputConfig):
            return value
        if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
            return cls.from_model(value)
        if isinstance(value, dict):
            if "json_schema" in value:
                return cls.model_validate(value)
            title = value.get("title")
            name = re.sub(r"[^a-zA-Z0-9_-]", "_", title)[:64] if isinstance(title, str) and title else "response"
            return cls(name=name, json_schema=value)
        raise ConfigurationError(
            f"AIModelCallConfig.structured_output: expected a pydantic class or a JSON schema dict, got {value!r}"
        )

    def strict_schema(self) -> dict[str, Any]:
        return to_strict_json_schema(self.json_schema)
