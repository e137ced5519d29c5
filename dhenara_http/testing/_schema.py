"""A small, valid example value for a JSON schema: what the mock model puts in structured outputs and tool arguments.

Values are minimal but visible: every declared property is filled (optional ones too), arrays get ``minItems`` items
(at least one when allowed), strings are the property's name (padded or cut to the length bounds, or a value of
the right ``format``), numbers sit on their lower bound, booleans are ``false``. ``enum`` and ``const`` win; for
``anyOf`` / ``oneOf`` the first non-null branch is used; ``$ref`` into ``$defs`` / ``definitions`` is followed.
``pattern`` is not honoured.
"""

from __future__ import annotations

import math
from typing import Any

_FORMATS = {
    "date": "2025-01-01",
    "date-time": "2025-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
}
_MAX_DEPTH = 12


def example_value(schema: Any, *, name: str = "value", root: Any = None) -> Any:
    return _value(schema, name, schema if root is None else root, 0)


def _resolve(ref: str, root: Any) -> Any:
    if ref == "#":
        return root
    node = root
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict):
            return {}
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
    return node


def _value(schema: Any, name: str, root: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        target = _resolve(str(schema["$ref"]), root)
        merged = {**(target if isinstance(target, dict) else {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        return _value(merged, name, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next((o for o in options if not (isinstance(o, dict) and o.get("type") == "null")), options[0])
            return _value(chosen, name, root, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged = _merge(merged, part)
        return _value(merged, name, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        props = schema.get("properties") or {}
        return {key: _value(sub, key, root, depth + 1) for key, sub in props.items()}
    if kind == "array":
        return _array(schema, name, root, depth)
    if kind == "string":
        return _string(schema, name)
    if kind == "integer":
        return int(_number(schema, integer=True))
    if kind == "number":
        return float(_number(schema, integer=False))
    if kind == "boolean":
        return False
    return None


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = {**a, **b}
    if isinstance(a.get("properties"), dict) and isinstance(b.get("properties"), dict):
        out["properties"] = {**a["properties"], **b["properties"]}
    if isinstance(a.get("required"), list) and isinstance(b.get("required"), list):
        out["required"] = list(dict.fromkeys(a["required"] + b["required"]))
    return out


def _array(schema: dict[str, Any], name: str, root: Any, depth: int) -> list[Any]:
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        return [_value(sub, name, root, depth + 1) for sub in prefix]
    count = int(schema.get("minItems", 0) or 0)
    maximum = schema.get("maxItems")
    if count == 0 and (maximum is None or maximum > 0):
        count = 1
    item_schema = schema.get("items", {})
    if schema.get("uniqueItems") and count > 1:
        return [_value(item_schema, f"{name}{i}", root, depth + 1) for i in range(count)]
    return [_value(item_schema, name, root, depth + 1) for _ in range(count)]


def _string(schema: dict[str, Any], name: str) -> str:
    fmt = schema.get("format")
    text = _FORMATS.get(fmt, name) if isinstance(fmt, str) else name
    low = int(schema.get("minLength", 0) or 0)
    high = schema.get("maxLength")
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number(schema: dict[str, Any], *, integer: bool) -> float:
    low = schema.get("minimum")
    if low is None and schema.get("exclusiveMinimum") is not None:
        ex = schema["exclusiveMinimum"]
        low = ex + 1 if integer else ex + 0.5
    high = schema.get("maximum")
    if high is None and schema.get("exclusiveMaximum") is not None:
        ex = schema["exclusiveMaximum"]
        high = ex - 1 if integer else ex - 0.5
    value = float(low) if low is not None else 0.0
    if high is not None and value > high:
        value = float(high)
    if integer:
        value = math.ceil(value)
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        value = math.ceil(value / step) * step
    return value
