"""Reading a structured answer the way dhenara-ai's ``ChatResponseStructuredOutput.parse_and_validate`` does.

Models wrap JSON in code fences, put prose around it, send an object whose fields hold JSON text, or (in streams
that were retried) two objects back to back. The parser takes the answer as JSON when it is; otherwise it scans the
text for balanced JSON objects and keeps the last one; JSON held in string fields is decoded; then the config's
pydantic class, when there is one, validates it (its ``model_dump()`` is the data). A failure is reported as the
error text, never raised: the caller keeps the raw answer.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tools import StructuredOutputConfig

logger = logging.getLogger("dhenara_http")

#: Deeper nesting than this is not decoded (JSON text inside JSON text inside ...).
_MAX_DEPTH = 32


def _decode_nested(value: Any, depth: int = 0) -> Any:
    """``value`` with every string that holds a JSON object or array replaced by what it holds."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, str):
        text = value.strip()
        if (text.startswith("{") and text.endswith("}")) or (text.startswith("[") and text.endswith("]")):
            try:
                return _decode_nested(json.loads(text), depth + 1)
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        return [_decode_nested(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _decode_nested(v, depth + 1) for k, v in value.items()}
    return value


def _strip_fence(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        newline = text.find("\n")
        end = text.rfind("```")
        if newline != -1 and end > newline:
            return text[newline + 1 : end].strip()
    return text


def json_objects_in(text: str) -> list[Any]:
    """Every JSON object found in ``text``, in order (a whole-text JSON value counts as one)."""
    text = _strip_fence(text)
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    found: list[Any] = []
    decoder = json.JSONDecoder()
    at = text.find("{")
    while at != -1:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        found.append(value)
        at = text.find("{", end)
    return found


def parse_structured(
    raw: str | dict[str, Any], config: StructuredOutputConfig
) -> tuple[dict[str, Any] | None, str | None, bool]:
    """``(data, error, post_processed)`` for an answer; see the module docstring."""
    data: Any = raw
    if isinstance(raw, str):
        candidates = json_objects_in(raw)
        if not candidates:
            return None, "no JSON object found in the answer", False
        if len(candidates) > 1:
            logger.warning("structured output: the answer holds %d JSON values; the last one is used", len(candidates))
        data = candidates[-1]
    data = _decode_nested(data)
    model_class = config.model_class
    if model_class is None:
        if isinstance(data, dict):
            return data, None, False
        return None, f"expected a JSON object, got {type(data).__name__}", False
    try:
        return model_class.model_validate(data).model_dump(), None, False
    except ValueError as exc:
        error = str(exc)
    post = getattr(model_class, "schema_post_process_on_error", None)
    if config.allow_post_process_on_error and callable(post):
        try:
            return model_class.model_validate(post(data)).model_dump(), None, True
        except Exception as exc:  # a user hook may raise anything; its failure is reported, not raised
            logger.warning("structured output: schema_post_process_on_error failed: %s", exc)
    return None, error, False
