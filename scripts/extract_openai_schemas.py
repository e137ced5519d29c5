"""Extract the request schemas of OpenAI's official OpenAPI description into a small JSON-Schema file for the tests.

Usage::

    python scripts/extract_openai_schemas.py [--spec PATH] [--out PATH] [--commit SHA]

It keeps the component schemas ``CreateResponse``, ``CreateChatCompletionRequest`` and ``CreateImageRequest`` plus
every component they reference, directly or not, under ``components.schemas`` of the output, so the
``#/components/schemas/X`` references stay resolvable inside the file. The spec's provenance (repository and commit)
is written next to them; the commit is read from the ``README.md`` beside the spec unless ``--commit`` is given.

Four rewrites make the result a plain JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1):

* the OpenAPI 3.0 keyword ``nullable: true`` becomes ``"null"`` in the ``type`` list (and ``None`` in an ``enum``),
  or a ``{"type": "null"}`` branch of the ``anyOf`` / ``oneOf``, or, beside a bare ``$ref`` / ``allOf``, an ``anyOf``
  of the schema and ``{"type": "null"}``. Without the rewrite a validator rejects every ``null`` the API accepts;
* ``oneOf`` becomes ``anyOf``: the spec's branches overlap (a user message with a content list is both an
  ``EasyInputMessage`` and an ``InputMessage``; OpenAPI picks a branch by ``discriminator``, which JSON Schema
  ignores), so a strict "exactly one" would reject bodies the API accepts;
* the 2019-09 ``$recursiveRef: "#"`` (which 2020-12 validators ignore) becomes a ``$ref`` to its own component;
* documentation-only keywords (``description``, ``example``, ``x-oaiMeta`` …) are dropped to keep the file small.
  The rewrites walk the schema structure, so a *property* called ``description`` or ``nullable`` is kept.

This is a development tool (it needs PyYAML); nothing at runtime reads the spec.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOTS = ("CreateResponse", "CreateChatCompletionRequest", "CreateImageRequest")
REPOSITORY = "openai/openai-openapi"
REF_PREFIX = "#/components/schemas/"
DOC_ONLY_KEYS = frozenset({"description", "example", "examples", "x-oaiMeta", "x-oaiTypeLabel", "x-oaiExpandable"})

# Keywords whose value is one subschema, a list of subschemas, or a name -> subschema map.
_ONE = (
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "fixtures" / "openai_spec" / "schemas.json"


def load_spec(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CLoader", yaml.SafeLoader)  # the C loader is ~10x faster on this 3 MB file
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)  # type: ignore[no-any-return]


def spec_commit(spec_path: Path) -> str | None:
    """The commit named in the README beside the spec, if there is one."""
    readme = spec_path.parent / "README.md"
    if not readme.exists():
        return None
    match = re.search(r"\bcommit\s+([0-9a-f]{40})\b", readme.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def subschemas(schema: dict[str, Any]) -> list[Any]:
    """The direct subschemas of ``schema`` (not property names, enum values or defaults)."""
    found: list[Any] = [schema[key] for key in _ONE if isinstance(schema.get(key), dict)]
    for key in _LIST:
        if isinstance(schema.get(key), list):
            found.extend(schema[key])
    if isinstance(schema.get("items"), list):  # draft-4 style tuple items
        found.extend(schema["items"])
    for key in _MAP:
        if isinstance(schema.get(key), dict):
            found.extend(schema[key].values())
    return found


def references(schema: Any) -> set[str]:
    """Component names referenced anywhere inside ``schema``."""
    names: set[str] = set()
    if not isinstance(schema, dict):
        return names
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith(REF_PREFIX):
            raise SystemExit(f"unsupported reference {ref!r}")
        names.add(ref[len(REF_PREFIX) :])
    for sub in subschemas(schema):
        names |= references(sub)
    return names


def closure(components: dict[str, Any], roots: tuple[str, ...]) -> list[str]:
    """``roots`` and every component they reference transitively, sorted."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in components:
            raise SystemExit(f"component {name!r} is referenced but not defined")
        seen.add(name)
        todo.extend(references(components[name]) - seen)
    return sorted(seen)


def _admits_null(schema: Any) -> bool:
    """Whether ``schema`` (already normalised) visibly accepts ``null`` through its ``type`` or a branch."""
    if not isinstance(schema, dict):
        return False
    types = schema.get("type")
    if types == "null" or (isinstance(types, list) and "null" in types):
        return True
    return any(_admits_null(b) for key in ("anyOf", "oneOf") for b in schema.get(key) or [])


def _make_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (already without ``nullable``) widened to also accept ``null``."""
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "null" not in types:
            schema["type"] = [*types, "null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            # A branch may already admit null (a nested nullable); a second one would make a oneOf fail on null.
            if not any(_admits_null(branch) for branch in schema[key]):
                schema[key] = [*schema[key], {"type": "null"}]
            return schema
    if isinstance(schema.get("enum"), list):
        if None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if "$ref" in schema or "allOf" in schema or "const" in schema:
        # Sibling keywords of a $ref/allOf all apply at once, so null is only admitted through a new anyOf.
        return {"anyOf": [schema, {"type": "null"}]}
    return schema  # no type constraint at all: null is already valid


def normalise(schema: Any, component: str) -> Any:
    """A copy of ``schema`` (part of ``component``) with ``nullable`` rewritten and documentation-only keywords
    dropped, recursively.

    The 2019-09 pair ``$recursiveAnchor`` / ``$recursiveRef: "#"`` (a recursive filter) means "this component" in the
    spec; 2020-12 validators ignore it, so it becomes a plain ``$ref`` to the component.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DOC_ONLY_KEYS or key in ("nullable", "$recursiveAnchor"):
            continue
        if key == "oneOf" and isinstance(value, list):
            # See the module docstring: the spec's oneOf branches overlap, the API picks one by discriminator.
            out["anyOf" if "anyOf" not in schema else key] = [normalise(v, component) for v in value]
        elif key == "$recursiveRef":
            if value != "#":
                raise SystemExit(f"unsupported $recursiveRef {value!r} in {component}")
            out["$ref"] = REF_PREFIX + component
        elif key in _ONE and isinstance(value, dict):
            out[key] = normalise(value, component)
        elif key in _LIST or (key == "items" and isinstance(value, list)):
            out[key] = [normalise(v, component) for v in value]
        elif key in _MAP and isinstance(value, dict):
            out[key] = {name: normalise(v, component) for name, v in value.items()}
        else:
            out[key] = value
    return _make_nullable(out) if schema.get("nullable") is True else out


def count_nullable(schema: Any) -> int:
    if not isinstance(schema, dict):
        return 0
    return int(schema.get("nullable") is True) + sum(count_nullable(s) for s in subschemas(schema))


def extract(spec: dict[str, Any], commit: str | None) -> dict[str, Any]:
    components = spec["components"]["schemas"]
    names = closure(components, ROOTS)
    rewritten = sum(count_nullable(components[n]) for n in names)
    return {
        "source": {
            "repository": REPOSITORY,
            "path": "openapi.yaml",
            "commit": commit,
            "openapi": spec.get("openapi"),
            "info_version": spec.get("info", {}).get("version"),
        },
        "roots": list(ROOTS),
        "notes": [
            "Generated by scripts/extract_openai_schemas.py; do not edit by hand.",
            f"{rewritten} OpenAPI 3.0 'nullable: true' keywords rewritten to JSON Schema 2020-12 null types.",
            "Documentation-only keywords (description, example, x-oaiMeta ...) dropped.",
            "oneOf rewritten to anyOf (overlapping branches; OpenAPI picks one by discriminator).",
            "$recursiveRef '#' rewritten to a $ref to its own component.",
        ],
        "components": {"schemas": {name: normalise(components[name], name) for name in names}},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, required=True, help="the openai.openapi.yaml file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--commit", help="the spec's commit in openai/openai-openapi (default: from README.md)")
    args = parser.parse_args(argv)
    commit = args.commit or spec_commit(args.spec)
    if commit is None:
        print("warning: the spec's commit is unknown; pass --commit", file=sys.stderr)
    result = extract(load_spec(args.spec), commit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    schemas = result["components"]["schemas"]
    print(f"wrote {len(schemas)} schemas to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
