"""Validate request bodies against OpenAI's official OpenAPI schemas.

The schemas live in ``fixtures/openai_spec/schemas.json``, extracted from the spec (with its commit noted there) by
``scripts/extract_openai_schemas.py``: ``CreateResponse`` (``POST /responses``), ``CreateChatCompletionRequest``
(``POST /chat/completions``), ``CreateImageRequest`` (``POST /images/generations``) and everything they reference.

The spec's top-level request schemas do NOT forbid unknown properties (no ``additionalProperties: false`` on them or
on the parts merged through ``allOf``), so JSON-Schema validation alone cannot catch a misspelled key such as
``max_output_token``. :func:`validate_request` therefore also checks, unless ``strict=False``, that every top-level key
of the body is a property the schema declares — directly, through ``$ref``, or merged through ``allOf`` (the branches of
a top-level ``anyOf``/``oneOf`` are united, as any of them might apply). Nested objects are only as strict as the spec
makes them (some, such as the file-search filters, do forbid extra keys).

Where the spec is stricter than the API: when an assistant turn is replayed to ``/responses`` as a list of
``output_text`` parts, the spec only admits a full ``OutputMessage`` (``id``, ``type``, ``status``, and ``logprobs`` on
every part); the live API also accepts it without them. ``oneOf`` is validated as ``anyOf`` (see the extraction
script), because the spec's branches overlap.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .recordings import FIXTURES

SCHEMAS_FILE = FIXTURES / "openai_spec" / "schemas.json"
_URI = "urn:openai-openapi:request-schemas"
_PREFIX = "#/components/schemas/"
_MAX_SHOWN = 20


@cache
def spec_document() -> dict[str, Any]:
    """The whole extracted file: ``source`` (repository, commit), ``roots`` and ``components.schemas``."""
    return json.loads(SCHEMAS_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def schema_names() -> list[str]:
    return sorted(spec_document()["components"]["schemas"])


def _component(name: str) -> dict[str, Any]:
    schemas = spec_document()["components"]["schemas"]
    if name not in schemas:
        raise KeyError(f"no schema {name!r} in {SCHEMAS_FILE.name}; extracted roots: {spec_document()['roots']}")
    return schemas[name]  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> Draft202012Validator:
    _component(name)  # a clear KeyError for an unknown name, before jsonschema's unresolvable-reference error
    resource = DRAFT202012.create_resource(spec_document())
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return Draft202012Validator({"$ref": f"{_URI}{_PREFIX}{name}"}, registry=registry)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_PREFIX):
        return _component(ref[len(_PREFIX) :])
    return schema


@cache
def declared_properties(name: str) -> frozenset[str]:
    """Every top-level property the schema ``name`` declares, through ``$ref`` and ``allOf`` (and top-level
    ``anyOf``/``oneOf`` branches, united)."""
    found: set[str] = set()
    seen: set[int] = set()

    def collect(schema: dict[str, Any]) -> None:
        if id(schema) in seen:
            return
        seen.add(id(schema))
        if "$ref" in schema:
            collect(_resolve(schema))
        found.update(schema.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(key, []):
                collect(branch)

    collect(_component(name))
    return frozenset(found)


def _where(error: ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return "body" + path


def _message(error: ValidationError) -> str:
    """jsonschema's message with the offending value shortened (it may be a whole conversation)."""
    message = error.message
    shown = repr(error.instance)
    if len(shown) > 80 and message.startswith(shown):
        message = shown[:77] + "..." + message[len(shown) :]
    return message if len(message) <= 300 else message[:297] + "..."


def _discriminator_miss(error: ValidationError, union: ValidationError) -> bool:
    """A branch failed because a property of the object itself has the wrong single allowed value (``"type":
    "input_image"`` when the body says ``input_text``): that branch was never the one meant."""
    if len(error.absolute_path) != len(union.absolute_path) + 1:
        return False
    if error.validator == "const":
        return True
    return error.validator == "enum" and isinstance(error.validator_value, list) and len(error.validator_value) == 1


def _rank(error: ValidationError) -> tuple[int, bool]:
    # Deeper is more specific; "is not of type 'null'" (the null branch of a nullable) is never the real complaint.
    return len(error.absolute_path), not (error.validator == "type" and error.validator_value == "null")


def _explain(error: ValidationError) -> ValidationError:
    """For an anyOf/oneOf failure, the nested failure that most likely names the real mistake: from the branches
    whose discriminating field matched, the one that got furthest into the body."""
    if not error.context:
        return error
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [errs for errs in branches.values() if not any(_discriminator_miss(e, error) for e in errs)]
    if not meant:
        return error  # the value fits no branch at all (e.g. an unknown "type"): that is the complaint
    explained = [_explain(e) for errs in meant for e in errs]
    best = max(_rank(e) for e in explained)
    chosen: ValidationError = best_match(e for e in explained if _rank(e) == best)
    return chosen


def _describe(error: ValidationError) -> str:
    line = f"{_where(error)}: {_message(error)}"
    if error.context:
        # anyOf/oneOf failures only say "not valid under any of the given schemas"; the closest branch says why.
        closest = _explain(error)
        if closest is not error:
            line += f" (closest: {_where(closest)}: {_message(closest)})"
    return line


def violations(body: dict[str, Any], schema_name: str, *, strict: bool = True) -> list[str]:
    """Readable descriptions of everything wrong with ``body`` for ``schema_name`` ([] when it is valid)."""
    found = [
        _describe(e) for e in sorted(_validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))
    ]
    if strict and isinstance(body, dict):
        declared = declared_properties(schema_name)
        found.extend(
            f"body.{key}: not a property of {schema_name} (misspelled or not in the spec)"
            for key in sorted(body)
            if key not in declared
        )
    return found


def validate_request(body: dict[str, Any], schema_name: str, *, strict: bool = True) -> None:
    """Raise ``AssertionError`` listing every violation of ``schema_name`` (and, when ``strict``, every top-level
    key the schema does not declare) in ``body``."""
    problems = violations(body, schema_name, strict=strict)
    if problems:
        shown = problems[:_MAX_SHOWN]
        more = f"\n  … and {len(problems) - _MAX_SHOWN} more" if len(problems) > _MAX_SHOWN else ""
        commit = (spec_document()["source"].get("commit") or "unknown")[:12]
        raise AssertionError(
            f"request body does not match OpenAI's {schema_name} (spec commit {commit}):\n  "
            + "\n  ".join(shown)
            + more
        )
