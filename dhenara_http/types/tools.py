"""Tool definitions, tool choice and structured-output schemas."""

# No ``from __future__ import annotations``: pydantic would evaluate each field's annotation from its text when the
# class is made (see docs/architecture.md, "Cold start"). Names defined further down are quoted.

import copy
import inspect
import re
from collections.abc import Callable
from typing import Any, Literal, get_type_hints

import pydantic
from pydantic import Field, field_validator, model_validator

from ..errors._tree import ConfigurationError
from ._base import BaseModel
from ._defaults import new_list

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_JSON_TYPES = {"object", "string", "number", "integer", "boolean", "array", "null"}


class FunctionParameter(BaseModel):
    """One parameter, in dhenara-ai's compact form (a full JSON schema dict is accepted too, see
    :class:`FunctionParameters`). ``extra_schema`` keeps what the compact fields cannot say (an object's properties,
    a nested model, several alternatives); :meth:`json_schema` starts from it."""

    type: str
    description: str | None = None
    required: bool = False
    allowed_values: list[Any] | None = None
    default: Any = None
    items: dict[str, Any] | None = None
    format: str | None = None
    extra_schema: dict[str, Any] | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = dict(self.extra_schema or {})
        if "anyOf" not in schema and "oneOf" not in schema:
            schema["type"] = self.type
        if self.description:
            schema["description"] = self.description
        if self.allowed_values is not None:
            schema["enum"] = list(self.allowed_values)
        if self.items is not None:
            schema["items"] = self.items
        if self.format is not None:
            schema["format"] = self.format
        # ``default`` describes the Python function; it is not sent (as in dhenara-ai: several providers reject it).
        return schema


#: Keywords a :class:`FunctionParameter`'s own fields carry.
_COMPACT_KEYS = frozenset({"type", "description", "enum", "items", "format", "default", "title"})


def _collapse_optional(schema: dict[str, Any]) -> dict[str, Any]:
    """``X | None`` (``anyOf`` / ``oneOf`` of one type and ``null``) as the schema of ``X``, keeping the outer
    description and default."""
    for key in ("anyOf", "oneOf"):
        variants = schema.get(key)
        if not isinstance(variants, list):
            continue
        kept = [v for v in variants if isinstance(v, dict) and v.get("type") != "null"]
        if len(kept) == 1:
            merged = dict(kept[0])
            for extra in ("description", "default", "title"):
                if extra in schema and extra not in merged:
                    merged[extra] = schema[extra]
            return merged
    return schema


def function_parameter_from_json_schema(
    prop_schema: dict[str, Any], *, required: bool, default: Any | None, description: str | None = None
) -> FunctionParameter:
    """A :class:`FunctionParameter` from a property's JSON schema (``X | None`` collapsed to ``X``); what its fields
    cannot hold stays in ``extra_schema``."""
    schema = _collapse_optional(prop_schema)
    extra = {k: v for k, v in schema.items() if k not in _COMPACT_KEYS}
    kind = schema.get("type") or prop_schema.get("type")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return FunctionParameter(
        type=str(kind),
        format=schema.get("format"),
        description=description if description is not None else schema.get("description"),
        required=required,
        default=default,
        allowed_values=schema.get("enum"),
        items=schema.get("items"),
        extra_schema=extra or None,
    )


_PARAM_DOC = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+):\s*(.*)$")


def _param_docs(doc: str) -> dict[str, str]:
    """Parameter descriptions from a docstring: ``:param name: text`` lines, or a Google-style ``Args:`` section."""
    found: dict[str, str] = {}
    in_args = False
    for line in doc.splitlines():
        match = _PARAM_DOC.match(line)
        if match:
            found.setdefault(match.group(1), match.group(2).strip())
            continue
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
            continue
        if in_args:
            if not stripped or (not line.startswith((" ", "\t"))):
                in_args = bool(stripped) and line.startswith((" ", "\t"))
                continue
            name, sep, text = stripped.partition(":")
            name = name.split("(")[0].strip()
            if sep and name.isidentifier():
                found.setdefault(name, text.strip())
    return found


def _inline_refs(node: Any, defs: dict[str, Any], depth: int = 0, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with its ``#/$defs/...`` references replaced by what they point to (a parameter schema must stand
    alone: ``extra_schema`` has no ``$defs`` beside it). A model that contains itself is expanded once: inside its
    own expansion the reference becomes ``{"type": "object"}`` (with the field's own keys, its description …)."""
    if depth > 64:
        raise ConfigurationError("ToolDefinition.from_callable: parameter types nest too deeply")
    if isinstance(node, list):
        return [_inline_refs(n, defs, depth + 1, seen) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.split("/")[-1]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if name in seen:
            return {"type": "object", **_inline_refs(siblings, defs, depth + 1, seen)}
        merged = {**defs.get(name, {}), **siblings}
        return _inline_refs(merged, defs, depth + 1, (*seen, name))
    return {k: _inline_refs(v, defs, depth + 1, seen) for k, v in node.items() if k not in ("$defs", "title")}


class FunctionParameters(BaseModel):
    type: Literal["object"] = "object"
    properties: dict[str, FunctionParameter | dict[str, Any]] = Field(default_factory=dict)
    required: list[str] = Field(default_factory=new_list)

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
    def _valid(self) -> "FunctionDefinition":
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
    def from_callable(cls, func: Callable[..., Any]) -> "ToolDefinition":
        """A tool from a Python function: its name, the first paragraph of its docstring, and one
        :class:`FunctionParameter` per parameter (typed from the annotations, described by the docstring's
        ``:param name:`` lines or ``Args:`` section)."""
        sig = inspect.signature(func)
        hints = get_type_hints(func)
        doc = inspect.getdoc(func) or ""
        described = _param_docs(doc)
        fields: dict[str, Any] = {}
        required: list[str] = []
        for pname, param in sig.parameters.items():
            if pname in ("self", "cls") or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if param.default is inspect.Parameter.empty:
                required.append(pname)
                default: Any = ...
            else:
                default = param.default
            fields[pname] = (hints.get(pname, Any), Field(default=default, description=described.get(pname)))
        params_model: type[pydantic.BaseModel] = pydantic.create_model(f"{func.__name__}_params", **fields)
        schema: dict[str, Any] = params_model.model_json_schema()
        defs = schema.get("$defs", {})
        properties = {
            name: function_parameter_from_json_schema(
                _inline_refs(prop, defs),
                required=name in required,
                default=None if name in required else sig.parameters[name].default,
                description=prop.get("description"),
            )
            for name, prop in schema.get("properties", {}).items()
        }
        return cls(
            function=FunctionDefinition(
                name=func.__name__,
                description=doc.split("\n\n")[0].strip() or None,
                parameters=FunctionParameters(properties=properties, required=required),
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

    @field_validator("type", mode="before")
    @classmethod
    def _none_means_no_tools(cls, value: Any) -> Any:
        # dhenara-ai: ``ToolChoice(type=None)`` answers as if there were no tools.
        return "none" if value is None else value

    @model_validator(mode="after")
    def _named(self) -> "ToolChoice":
        if self.type == "specific" and not self.specific_tool_name:
            raise ConfigurationError("ToolChoice(type='specific') needs specific_tool_name")
        return self

    @classmethod
    def parse(cls, value: "ToolChoice | str | dict[str, Any] | None") -> "ToolChoice | None":
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
    """A JSON schema the answer must follow, from a pydantic class (``from_model``) or a schema dict.

    dhenara-ai's spellings work too: ``output_schema`` for ``json_schema`` and ``model_class_reference`` for
    ``model_class`` (as arguments and as attributes), ``get_schema()`` and ``get_model_class()``.
    ``allow_post_process_on_error`` lets parsing call the class's ``schema_post_process_on_error(data)`` when the
    answer does not validate."""

    name: str = "response"
    json_schema: dict[str, Any]
    model_class: type[pydantic.BaseModel] | None = Field(default=None, exclude=True)
    description: str | None = None
    allow_post_process_on_error: bool = Field(default=False, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _dhenara_ai_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("output_schema" in data or "model_class_reference" in data):
            data = dict(data)
            if "output_schema" in data:
                data.setdefault("json_schema", data.pop("output_schema"))
            if "model_class_reference" in data:
                data.setdefault("model_class", data.pop("model_class_reference"))
            model_class = data.get("model_class")
            if isinstance(model_class, type) and issubclass(model_class, pydantic.BaseModel) and "name" not in data:
                data["name"] = _schema_name(model_class.__name__)
        return data

    @classmethod
    def from_model(cls, model_class: type[pydantic.BaseModel]) -> "StructuredOutputConfig":
        return cls(
            name=_schema_name(model_class.__name__),
            json_schema=model_class.model_json_schema(),
            model_class=model_class,
            description=(model_class.__doc__ or "").strip() or None,
        )

    @classmethod
    def parse(cls, value: Any) -> "StructuredOutputConfig | None":
        if value is None or isinstance(value, StructuredOutputConfig):
            return value
        if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
            return cls.from_model(value)
        if isinstance(value, dict):
            if "json_schema" in value or "output_schema" in value:
                return cls.model_validate(value)
            title = value.get("title")
            name = _schema_name(title) if isinstance(title, str) and title else "response"
            return cls(name=name, json_schema=value)
        raise ConfigurationError(
            f"AIModelCallConfig.structured_output: expected a pydantic class or a JSON schema dict, got {value!r}"
        )

    @property
    def output_schema(self) -> dict[str, Any]:
        return self.json_schema

    @property
    def model_class_reference(self) -> type[pydantic.BaseModel] | None:
        return self.model_class

    def get_schema(self) -> dict[str, Any]:
        return self.json_schema

    def get_model_class(self) -> type[pydantic.BaseModel] | None:
        return self.model_class

    def strict_schema(self) -> dict[str, Any]:
        return to_strict_json_schema(self.json_schema)


def _schema_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "response"
