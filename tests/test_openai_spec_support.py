"""The OpenAPI request-body validator used by the golden-body tests works: it accepts what the API accepts and
rejects what it does not, with messages that say where and why."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from tests.support.openai_spec import (
    declared_properties,
    spec_document,
    validate_request,
    violations,
)
from tests.support.recordings import load_record, shared_records

ROOTS = ("CreateResponse", "CreateChatCompletionRequest", "CreateImageRequest")

MINIMAL: dict[str, dict[str, Any]] = {
    "CreateResponse": {"model": "gpt-4o", "input": "Hello"},
    "CreateChatCompletionRequest": {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}]},
    "CreateImageRequest": {"prompt": "A cute baby sea otter"},
}

# (schema, body, the path the message must name, a fragment of the complaint)
WRONG_TYPE = [
    ("CreateResponse", {"model": "gpt-4o", "input": "hi", "max_output_tokens": "100"}, "body.max_output_tokens", ""),
    ("CreateChatCompletionRequest", {"model": "gpt-4o", "messages": "hello"}, "body.messages", "not of type 'array'"),
    ("CreateImageRequest", {"prompt": 42}, "body.prompt", "not of type 'string'"),
]
UNKNOWN_ENUM = [
    ("CreateResponse", {"model": "gpt-4o", "input": "hi", "truncation": "sometimes"}, "body.truncation", "auto"),
    (
        "CreateChatCompletionRequest",
        {**MINIMAL["CreateChatCompletionRequest"], "messages": [{"role": "wizard", "content": "hi"}]},
        "body.messages[0]",
        "",
    ),
    ("CreateImageRequest", {"prompt": "otter", "quality": "ultra"}, "body.quality", "'ultra' is not one of"),
]


def _walk(schema: Any) -> list[dict[str, Any]]:
    """Every dict inside ``schema`` (schema-agnostic: enough to look for keywords that must be gone)."""
    if isinstance(schema, dict):
        return [schema, *(d for v in schema.values() for d in _walk(v))]
    if isinstance(schema, list):
        return [d for v in schema for d in _walk(v)]
    return []


# -- the extracted file ------------------------------------------------------------------------------------------


def test_schemas_file_names_its_source_and_roots() -> None:
    doc = spec_document()
    assert doc["source"]["repository"] == "openai/openai-openapi"
    assert re.fullmatch(r"[0-9a-f]{40}", doc["source"]["commit"])
    assert set(ROOTS) <= set(doc["components"]["schemas"])


def test_every_reference_resolves_inside_the_file() -> None:
    schemas = spec_document()["components"]["schemas"]
    refs = {d["$ref"] for d in _walk(schemas) if isinstance(d.get("$ref"), str)}
    assert refs, "the roots reference other components, so some $ref must remain"
    missing = {r for r in refs if not r.startswith("#/components/schemas/") or r.split("/")[-1] not in schemas}
    assert not missing


def test_openapi_3_0_keywords_are_rewritten() -> None:
    # Schema-agnostic walk: a *property* called "nullable" would also be found, and none exists in these schemas.
    dicts = _walk(spec_document()["components"]["schemas"])
    assert not [d for d in dicts if "nullable" in d]
    assert not [d for d in dicts if "$recursiveRef" in d]


# -- accepting -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_name", ROOTS)
def test_minimal_valid_body_is_accepted(schema_name: str) -> None:
    validate_request(MINIMAL[schema_name], schema_name)


@pytest.mark.parametrize(
    ("schema_name", "extra"),
    [
        ("CreateChatCompletionRequest", {"max_completion_tokens": None, "stop": None, "temperature": None}),
        ("CreateResponse", {"reasoning": None, "max_output_tokens": None}),
        ("CreateImageRequest", {"n": None, "quality": None, "model": None}),
    ],
)
def test_null_is_accepted_where_the_spec_says_nullable(schema_name: str, extra: dict[str, Any]) -> None:
    """Without the ``nullable`` rewrite every one of these nulls would be rejected."""
    validate_request({**MINIMAL[schema_name], **extra}, schema_name)


@pytest.mark.parametrize(
    ("fixture", "schema_name"),
    [
        ("chat_completions_prompted_output_tools", "CreateChatCompletionRequest"),
        ("responses_native_output_tools", "CreateResponse"),
        ("responses_reasoning_code_interpreter", "CreateResponse"),
    ],
)
def test_real_request_bodies_the_api_accepted_are_valid(fixture: str, schema_name: str) -> None:
    record = load_record("openai_spec", fixture)
    assert record["status"] == 200
    validate_request(json.loads(record["request_body"]), schema_name)


# -- rejecting -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("schema_name", "body", "where", "why"), WRONG_TYPE + UNKNOWN_ENUM)
def test_invalid_body_is_rejected_with_path_and_reason(
    schema_name: str, body: dict[str, Any], where: str, why: str
) -> None:
    with pytest.raises(AssertionError) as info:
        validate_request(body, schema_name)
    message = str(info.value)
    assert schema_name in message
    assert f"{where}:" in message
    assert why in message


def test_missing_required_property_is_rejected() -> None:
    with pytest.raises(AssertionError, match="'messages' is a required property"):
        validate_request({"model": "gpt-4o"}, "CreateChatCompletionRequest")


def test_out_of_range_value_names_the_bound_not_the_null_branch() -> None:
    problems = violations({**MINIMAL["CreateResponse"], "temperature": -1}, "CreateResponse")
    assert len(problems) == 1
    assert problems[0].startswith("body.temperature:")
    assert "less than the minimum of 0" in problems[0]


def test_nested_error_inside_a_union_points_at_the_nested_field() -> None:
    body = {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_text", "text": 7}]}]}
    with pytest.raises(AssertionError) as info:
        validate_request(body, "CreateResponse")
    assert "body.input[0].content[0].text" in str(info.value)


def test_recursive_filter_schema_is_checked_at_depth() -> None:
    """``CompoundFilter`` refers to itself with ``$recursiveRef``; a validator that ignored it would accept
    anything below the first level."""
    leaf = {"type": "eq", "key": "lang", "value": "en"}
    tool = {"type": "file_search", "vector_store_ids": ["vs_1"]}
    nested_ok = {"type": "and", "filters": [{"type": "or", "filters": [leaf]}]}
    body = {**MINIMAL["CreateResponse"], "tools": [{**tool, "filters": nested_ok}]}
    validate_request(body, "CreateResponse")

    nested_bad = copy.deepcopy(nested_ok)
    nested_bad["filters"][0]["bogus"] = True
    with pytest.raises(AssertionError, match=r"body\.tools\[0\]"):
        validate_request({**body, "tools": [{**tool, "filters": nested_bad}]}, "CreateResponse")


# -- unknown keys --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_name", ROOTS)
def test_the_spec_does_not_forbid_unknown_top_level_keys_but_strict_mode_does(schema_name: str) -> None:
    body = {**MINIMAL[schema_name], "max_output_token": 5}
    assert violations(body, schema_name, strict=False) == []  # the spec alone lets a misspelling through
    with pytest.raises(AssertionError, match=r"body\.max_output_token: not a property of " + schema_name):
        validate_request(body, schema_name)


def test_declared_properties_include_those_merged_through_all_of() -> None:
    # CreateResponse = allOf[CreateModelResponseProperties -> allOf[ModelResponseProperties, ...],
    #                        ResponseProperties, {own properties}]
    props = declared_properties("CreateResponse")
    assert {"temperature", "top_p", "metadata"} <= props  # ModelResponseProperties, two levels down
    assert {"tools", "tool_choice", "text", "model", "previous_response_id"} <= props  # ResponseProperties
    assert {"input", "reasoning", "max_output_tokens", "stream"} <= props  # its own
    assert "messages" not in props
    assert {"messages", "temperature", "max_completion_tokens"} <= declared_properties("CreateChatCompletionRequest")


def test_all_violations_are_listed_in_one_message() -> None:
    body = {"model": "gpt-4o", "messages": [], "n": "two", "frobnicate": 1}
    with pytest.raises(AssertionError) as info:
        validate_request(body, "CreateChatCompletionRequest")
    lines = str(info.value).splitlines()[1:]
    assert any(line.strip().startswith("body.messages:") for line in lines)  # minItems 1
    assert any(line.strip().startswith("body.n:") for line in lines)
    assert any(line.strip().startswith("body.frobnicate:") for line in lines)


def test_unknown_schema_name_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="CreateCompletion"):
        validate_request({}, "CreateCompletion")


# -- against the whole shared recording set, when present ------------------------------------------------------------


@pytest.mark.conformance
def test_every_recorded_chat_completions_body_sent_to_openai_is_valid() -> None:
    bodies = [
        json.loads(r["request_body"])
        for r in shared_records()
        if (r.get("url") or "").startswith("https://api.openai.com/v1/chat/completions")
        and isinstance(r.get("request_body"), str)
    ]
    if not bodies:
        pytest.skip("the shared conformance recordings are not beside the repository")
    failures = {i: violations(b, "CreateChatCompletionRequest") for i, b in enumerate(bodies)}
    assert {i: v for i, v in failures.items() if v} == {}
