"""Recorded real provider traffic, as kept under ``fixtures/`` (one record per file, with its provenance).

A record is one JSON object in the format of the shared conformance set: ``provider``, ``source`` (repository, path
and commit it was recorded in), ``status``, ``response_headers``, ``response_body`` (+ ``response_body_encoding``),
``is_stream``, ``stream_format`` and, where the recorder kept it, the request.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
#: The shared conformance set beside the repository; ``DHENARA_HTTP_RECORDINGS`` names another copy.
SHARED_RECORDINGS = Path(
    os.environ.get("DHENARA_HTTP_RECORDINGS") or ROOT.parent / "shared" / "conformance" / "recordings.jsonl"
)


def fixture_path(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


def load_record(*parts: str) -> dict[str, Any]:
    """A record from ``fixtures/<parts…>`` (``.json`` may be omitted)."""
    path = fixture_path(*parts)
    if path.suffix != ".json":
        path = path.with_suffix(".json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def records(protocol_dir: str) -> list[tuple[str, dict[str, Any]]]:
    """Every record under ``fixtures/<protocol_dir>``, as (file stem, record), sorted by name."""
    folder = FIXTURES / protocol_dir
    return [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]


def shared_records() -> list[dict[str, Any]]:
    """The whole shared conformance set, or [] when it is not beside the repository."""
    if not SHARED_RECORDINGS.exists():
        return []
    with SHARED_RECORDINGS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def body_bytes(record: dict[str, Any]) -> bytes:
    """The response body as it went over the wire.

    ``jsonl-chunks`` records (event payloads one per line, SSE framing lost) are re-framed as ``data:`` events.
    """
    body = record["response_body"]
    if body is None:
        return b""
    if record.get("response_body_encoding") == "base64":
        return base64.b64decode(body)
    if record.get("stream_format") == "jsonl-chunks":
        lines = [line for line in body.splitlines() if line.strip()]
        return "".join(f"data: {line}\n\n" for line in lines).encode("utf-8")
    return str(body).encode("utf-8")


def response_json(record: dict[str, Any]) -> Any:
    return json.loads(record["response_body"])


def request_json(record: dict[str, Any]) -> Any:
    body = record.get("request_body")
    return json.loads(body) if body else None


def http_response(record: dict[str, Any]) -> httpx.Response:
    """An ``httpx.Response`` with the record's status, content type and body (for a respx route)."""
    headers = {k.lower(): v for k, v in (record.get("response_headers") or {}).items()}
    ctype = headers.get("content-type")
    if not ctype:
        ctype = "text/event-stream" if record.get("is_stream") else "application/json"
    if record.get("stream_format") == "jsonl-chunks":
        ctype = "text/event-stream"
    keep = {"content-type": ctype}
    for name in ("x-request-id", "request-id", "retry-after", "retry-after-ms", "x-should-retry"):
        if name in headers:
            keep[name] = headers[name]
    return httpx.Response(int(record.get("status") or 200), headers=keep, content=body_bytes(record))
