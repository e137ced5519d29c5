"""The YAML reader used for credentials files when PyYAML is absent: the subset credentials files are written in,
read as YAML reads it, and anything else refused with the line, never silently read wrong."""

from __future__ import annotations

from typing import Any

import pytest

from dhenara_http._yaml import YAMLError, loads

# dhenara-ai's own credentials template (src/dhenara/ai/types/resource/credentials.yaml), comments included.
DHENARA_AI_TEMPLATE = """\
# Dhenara AI Provider Credentials
# Place this file at $DAI_SECRET_CONFIG_DIR/dai_credentials.yaml or pass its path to ResourceConfig.load_from_file().

openai:
  api_key: <YOUR_OPENAI_API_KEY>

google_vertex_ai:
  credentials:
    service_account_json: <YOUR_GOOGLE_VERTEX_AI_SERVICE_ACCOUNT_JSON>
  config:
    project_id: <YOUR_GOOGLE_VERTEX_AI_PROJECT_ID>
    # Regional values are fine by default; the runtime auto-routes models marked as global-only.
    location: <YOUR_GOOGLE_VERTEX_AI_LOCATION>

microsoft_openai:
  api_key: <YOUR_MICROSOFT_OPENAI_API_KEY>
  config:
    # If you are migrating from an older Foundry inference endpoint ending in /models,
    endpoint: <YOUR_MICROSOFT_OPENAI_ENDPOINT>
"""


def test_dhenara_ais_template() -> None:
    assert loads(DHENARA_AI_TEMPLATE) == {
        "openai": {"api_key": "<YOUR_OPENAI_API_KEY>"},
        "google_vertex_ai": {
            "credentials": {"service_account_json": "<YOUR_GOOGLE_VERTEX_AI_SERVICE_ACCOUNT_JSON>"},
            "config": {
                "project_id": "<YOUR_GOOGLE_VERTEX_AI_PROJECT_ID>",
                "location": "<YOUR_GOOGLE_VERTEX_AI_LOCATION>",
            },
        },
        "microsoft_openai": {
            "api_key": "<YOUR_MICROSOFT_OPENAI_API_KEY>",
            "config": {"endpoint": "<YOUR_MICROSOFT_OPENAI_ENDPOINT>"},
        },
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: plain text here", {"a": "plain text here"}),
        ("a: 'it''s'", {"a": "it's"}),
        ('a: "tab\\tand \\u00e9"', {"a": "tab\tand é"}),
        ("a: sk-abc#not-a-comment # a comment", {"a": "sk-abc#not-a-comment"}),
        ("a: https://x.openai.azure.com", {"a": "https://x.openai.azure.com"}),
        ("a: 'quoted # kept'", {"a": "quoted # kept"}),
        (
            "n: 42\nf: 1.5\nneg: -3\nexp: 1.0e+3\nbare: 1e3",
            {"n": 42, "f": 1.5, "neg": -3, "exp": 1000.0, "bare": "1e3"},
        ),
        ("t: true\nf: False\nn: null\nt2: ~\nempty:", {"t": True, "f": False, "n": None, "t2": None, "empty": None}),
        ("v: 010", {"v": "010"}),  # a leading zero keeps an id (or YAML 1.1's octal) as text
        ("key with spaces: 1", {"key with spaces": 1}),
        ('"quoted key": 1', {"quoted key": 1}),
        ('flow: {"a": [1, 2]}\nempty: {}\nnone: []', {"flow": {"a": [1, 2]}, "empty": {}, "none": []}),
        ("---\na: 1", {"a": 1}),
        ("", None),
        ("# only a comment\n", None),
    ],
)
def test_scalars_and_flow(text: str, value: Any) -> None:
    assert loads(text) == value


def test_sequences_and_nesting() -> None:
    text = "list:\n  - a\n  - 'b c'\n  - key: v\n    other: 2\n  -\n    nested: x\nsame_indent:\n- 1\n- 2\n"
    assert loads(text) == {
        "list": ["a", "b c", {"key": "v", "other": 2}, {"nested": "x"}],
        "same_indent": [1, 2],
    }


def test_block_scalars() -> None:
    text = 'sa: |\n  {"type": "service_account",\n   "key": "x"}\nfolded: >-\n  one\n  two\nafter: 1\n'
    assert loads(text) == {"sa": '{"type": "service_account",\n "key": "x"}\n', "folded": "one two", "after": 1}


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a: &anchor 1", 1, "anchor"),
        ("a: *alias", 1, "alias"),
        ("a: !!str 1", 1, "tag"),
        ("a: 1\n  b: 2", 2, "indentation"),
        ("a: 1\na: 2", 2, "duplicate"),
        ("just text", 1, "key: value"),
        ("a:\n\tb: 1", 2, "tabs"),
        ("a: 'open", 1, "single-quoted"),
        ('a: "open', 1, "double-quoted"),
        ("a: [not json", 1, "JSON"),
        ("a: 1\n---\nb: 2", 2, "several YAML documents"),
        ("a: a plain text\n  continued on a second line", 2, "indentation"),
    ],
)
def test_what_is_not_read_is_refused_with_its_line(text: str, line: int, what: str) -> None:
    with pytest.raises(YAMLError, match=what) as caught:
        loads(text)
    assert caught.value.lineno == line


def test_agrees_with_pyyaml_where_both_read() -> None:
    yaml = pytest.importorskip("yaml")
    for text in (DHENARA_AI_TEMPLATE, "a: 'x'\nb:\n  - 1\n  - c: d\n", "n: 10\nf: 1.5e+3\ng: 1.5e3\nt: true\ns: 1e3\n"):
        assert loads(text) == yaml.safe_load(text)
