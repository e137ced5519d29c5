"""Copy recorded interactions from the shared conformance set into ``fixtures/<dir>/``, one record per file.

Each record is written whole and unchanged, so its provenance (``source``, ``fixture_file``, ``interaction_index``,
``recorder``) travels with it. The only edit allowed is dropping a huge ``request_body`` (over ``--max-request-kb``):
it is set to null and a note saying so is appended to the record's ``notes``.

Examples::

    # what would be picked (nothing is written)
    python scripts/pick_fixtures.py --provider openai_responses --grep 'responses_stream' --list

    # copy the first interaction of one cassette under a chosen name
    python scripts/pick_fixtures.py --provider openai_responses --grep 'test_responses_stream\\.yaml' \\
        --index 0 --name stream_tool_call --out fixtures/responses

Selection: every ``--provider`` (repeatable; any provider when omitted) and every ``--grep`` (repeatable regular
expressions, case-insensitive, matched against ``source`` and ``fixture_file``; a record matches if any of them does)
narrow the set; ``--index``, ``--status``, ``--stream`` / ``--no-stream`` and ``--endpoint`` narrow it further.
File names are made from the recorded fixture file name (plus ``_<index>`` when that file holds several
interactions) unless ``--name`` gives one (only for a single record).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RECORDINGS = ROOT.parent / "shared" / "conformance" / "recordings.jsonl"
_SUFFIX = re.compile(r"\.(ya?ml|jsonl?|txt)$")


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def select(
    records: Iterable[dict[str, Any]],
    *,
    providers: Sequence[str] = (),
    greps: Sequence[str] = (),
    index: int | None = None,
    status: int | None = None,
    stream: bool | None = None,
    endpoint: str | None = None,
) -> list[dict[str, Any]]:
    patterns = [re.compile(g, re.IGNORECASE) for g in greps]
    out = []
    for r in records:
        if providers and r.get("provider") not in providers:
            continue
        where = f"{r.get('source') or ''}\n{r.get('fixture_file') or ''}"
        if patterns and not any(p.search(where) for p in patterns):
            continue
        if index is not None and r.get("interaction_index") != index:
            continue
        if status is not None and r.get("status") != status:
            continue
        if stream is not None and bool(r.get("is_stream")) != stream:
            continue
        if endpoint is not None and r.get("endpoint") != endpoint:
            continue
        out.append(r)
    return out


def slug(record: dict[str, Any], interactions_in_file: int) -> str:
    """A file stem from the recorded fixture's name: ``test_x.yaml`` #2 → ``test_x_2``; ``a.1.chunks.txt`` →
    ``a_1_chunks``."""
    name = str(record.get("fixture_file") or record.get("source") or "record").rsplit("/", 1)[-1]
    name = _SUFFIX.sub("", name)
    stem = re.sub(r"[^a-zA-Z0-9]+", "_", name).strip("_").lower() or "record"
    if interactions_in_file > 1:
        stem += f"_{record.get('interaction_index', 0)}"
    return stem


def trimmed(record: dict[str, Any], max_request_kb: int) -> dict[str, Any]:
    """The record, with a request body over the limit dropped (and a note saying so)."""
    body = record.get("request_body")
    if isinstance(body, str) and len(body.encode("utf-8")) > max_request_kb * 1024:
        record = dict(record)
        size = len(body.encode("utf-8"))
        record["request_body"] = None
        record["notes"] = [
            *(record.get("notes") or []),
            f"request_body ({size} bytes) dropped to keep the fixture small",
        ]
    return record


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recordings", type=Path, default=DEFAULT_RECORDINGS, help="the shared recordings.jsonl")
    parser.add_argument("--provider", action="append", default=[], help="record provider (repeatable)")
    parser.add_argument("--grep", action="append", default=[], help="regex on source / fixture_file (repeatable)")
    parser.add_argument("--index", type=int, help="interaction_index")
    parser.add_argument("--status", type=int, help="HTTP status")
    parser.add_argument("--endpoint", help="recorded endpoint name (e.g. responses, chat.completions)")
    streaming = parser.add_mutually_exclusive_group()
    streaming.add_argument("--stream", dest="stream", action="store_true", default=None, help="streams only")
    streaming.add_argument("--no-stream", dest="stream", action="store_false", help="non-streams only")
    parser.add_argument("--out", type=Path, help="destination folder (e.g. fixtures/responses)")
    parser.add_argument("--name", help="file stem for a single selected record")
    parser.add_argument("--max-request-kb", type=int, default=200, help="drop request bodies above this size")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.add_argument("--list", action="store_true", help="only list what would be copied")
    args = parser.parse_args(argv)

    if not args.recordings.exists():
        parser.error(f"no recordings at {args.recordings}")
    everything = load(args.recordings)
    picked = select(
        everything,
        providers=args.provider,
        greps=args.grep,
        index=args.index,
        status=args.status,
        stream=args.stream,
        endpoint=args.endpoint,
    )
    if not picked:
        print("nothing matched", file=sys.stderr)
        return 1
    if args.name and len(picked) != 1:
        parser.error(f"--name needs exactly one record; {len(picked)} matched (narrow with --index / --grep)")
    per_file = Counter(r.get("fixture_file") for r in everything)
    names = [args.name or slug(r, per_file[r.get("fixture_file")]) for r in picked]

    if args.list or args.out is None:
        for name, r in zip(names, picked, strict=True):
            size = len(r.get("response_body") or "")
            print(
                f"{name:60} {r.get('provider'):16} status={r.get('status')} stream={r.get('is_stream')} "
                f"{r.get('stream_format') or '-':12} {size:>8}B  {r.get('fixture_file')}#{r.get('interaction_index')}"
            )
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name, r in zip(names, picked, strict=True):
        target = args.out / f"{name}.json"
        if target.exists() and not args.overwrite:
            print(f"exists, skipped (use --overwrite): {target}", file=sys.stderr)
            continue
        text = json.dumps(trimmed(r, args.max_request_kb), ensure_ascii=False, indent=1)
        target.write_text(text + "\n", encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
