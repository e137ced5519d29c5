"""Run the conformance tests over the shared recordings and print, per provider, how many records there are, how many
the tests checked and passed, and why the others were left out.

    .venv/bin/python scripts/conformance_report.py            # a Markdown table (the one in README.md)
    .venv/bin/python scripts/conformance_report.py --failures # also list every failing record with its source

The tests are the per-wire modules (``tests/protocols/test_*_conformance.py``, Bedrock Converse and the Vertex AI host
rows included) and the cross-wire check through the public client (``tests/protocols/test_conformance_contents.py``,
which reads Bedrock records signed through the Bedrock host and Vertex AI records through the Vertex host with a
service account); they are run by pytest in this process, with a small plugin that maps each test to the record it was
given. A record counts as passed when every test that read it passed; a test that hit a known stream-side issue (an
``xfail``) is counted apart. Exits 1 when a record failed, or when a record of a wire the library speaks was read by
no test at all."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.protocols._conformance_expect import classify  # noqa: E402
from tests.support.recordings import shared_records  # noqa: E402

MODULES = [
    "tests/protocols/test_responses_conformance.py",
    "tests/protocols/test_chat_completions_conformance.py",
    "tests/protocols/test_anthropic_conformance.py",
    "tests/protocols/test_gemini_conformance.py",
    "tests/protocols/test_converse_conformance.py",
    "tests/protocols/test_vertex_conformance.py",
    "tests/protocols/test_openai_images_conformance.py",
    "tests/protocols/test_conformance_contents.py",
]
#: Row order: the providers whose protocol the library speaks, then the ones it does not.
PROVIDERS = [
    "openai_responses",
    "openai_chat",
    "azure_openai",
    "groq",
    "mistral",
    "deepseek",
    "openrouter",
    "ollama",
    "other_openai_compatible",
    "gemini_openai_compat",
    "anthropic",
    "gemini",
    "vertex",
    "openai_images",
    "bedrock",
    "bedrock_mantle",
]

Key = tuple[str, int]


def key_of(record: dict[str, Any]) -> Key:
    return (str(record["fixture_file"]), int(record["interaction_index"]))


class Collector:
    """A pytest plugin: the outcomes of every test that was given a record, by record."""

    def __init__(self) -> None:
        self.records_of: dict[str, Key] = {}
        self.outcomes: dict[Key, list[str]] = defaultdict(list)
        self.messages: dict[Key, list[str]] = defaultdict(list)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            callspec = getattr(item, "callspec", None)
            record = callspec.params.get("record") if callspec is not None else None
            if isinstance(record, dict) and "fixture_file" in record:
                self.records_of[item.nodeid] = key_of(record)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        key = self.records_of.get(report.nodeid)
        if key is None:
            return
        if hasattr(report, "wasxfail"):
            self.outcomes[key].append("xfail")
            self.messages[key].append(f"{report.nodeid.split('::')[0]}: {report.wasxfail}")
        elif report.failed:
            self.outcomes[key].append("failed")
            self.messages[key].append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")
        elif report.when == "call" or report.skipped:
            self.outcomes[key].append(report.outcome)


def verdict(outcomes: list[str]) -> str:
    """One record's result over every test that read it."""
    if not outcomes or all(o == "skipped" for o in outcomes):
        return "unchecked"
    if "failed" in outcomes:
        return "failed"
    return "xfail" if "xfail" in outcomes else "passed"


def build_rows(records: list[dict[str, Any]], collector: Collector) -> tuple[list[list[str]], list[str]]:
    """The table rows, and the problems (failed records, records of a spoken wire that no test read)."""
    by_provider: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_provider[record["provider"]].append(record)
    rows: list[list[str]] = []
    problems: list[str] = []
    for provider in PROVIDERS + sorted(set(by_provider) - set(PROVIDERS)):
        group = by_provider.get(provider, [])
        if not group:
            continue
        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for record in group:
            key = key_of(record)
            result = verdict(collector.outcomes.get(key, []))
            counts[result] += 1
            wire, why = classify(record)
            where = f"{provider} {record['fixture_file']}#{record['interaction_index']} ({record['source']})"
            if result == "unchecked":
                if wire is not None:
                    problems.append(f"not read by any test: {where}")
                    reasons["NOT READ BY ANY TEST"] += 1
                else:
                    reasons[str(why)] += 1
            elif result == "failed":
                problems.append(f"failed: {where}\n    " + "\n    ".join(collector.messages[key]))
        checked = len(group) - counts["unchecked"]
        known = f"{counts['xfail']} (stream deltas)" if counts["xfail"] else ""
        skipped = "; ".join(f"{n}: {why}" for why, n in reasons.most_common())
        rows.append([provider, str(len(group)), str(checked), str(counts["passed"]), known, skipped])
    return rows, problems


def markdown(rows: list[list[str]]) -> str:
    head = ["provider", "records", "checked", "passed", "known issues", "not checked: why"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    total = [sum(int(r[i]) for r in rows) for i in (1, 2, 3)]
    known = sum(int(r[4].split()[0]) for r in rows if r[4])
    lines.append(f"| **all** | {total[0]} | {total[1]} | {total[2]} | {known or ''} | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list failing records and known issues in full")
    args = parser.parse_args()
    records = shared_records()
    if not records:
        print("The shared conformance recordings are not beside the repository; nothing to report.")
        return 1
    collector = Collector()
    code = pytest.main(["-q", "--no-header", "-p", "no:randomly", *[str(ROOT / m) for m in MODULES]], [collector])
    rows, problems = build_rows(records, collector)
    print()
    print(markdown(rows))
    if args.failures:
        for key, messages in sorted(collector.messages.items()):
            print(f"\n{key[0]}#{key[1]}:\n  " + "\n  ".join(messages))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems or code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED) else 0


if __name__ == "__main__":
    raise SystemExit(main())
