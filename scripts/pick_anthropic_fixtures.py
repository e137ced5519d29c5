"""Copy the Anthropic records the tests use from the shared conformance set into ``fixtures/anthropic/``.

Each record is kept whole (with its ``source`` provenance), one per file. A request body above 200 KB is replaced by
null, with a note saying so. Run from the repository root: ``python scripts/pick_anthropic_fixtures.py [recordings]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "conformance" / "recordings.jsonl"
TARGET = ROOT / "fixtures" / "anthropic"
MAX_REQUEST_BODY = 200_000

#: slug → (end of the record's fixture_file, interaction_index)
PICKS: dict[str, tuple[str, int]] = {
    # JSON answers with their requests (pydantic-ai cassettes)
    "thinking_roundtrip": ("test_thinking_roundtrip_anthropic.yaml", 0),
    "thinking_turn1": ("test_anthropic_model_thinking_part.yaml", 0),
    "thinking_turn2_replay": ("test_anthropic_model_thinking_part.yaml", 1),
    "tool_use_turn1": ("test_anthropic_text_output_function.yaml", 0),
    "tool_result_turn2": ("test_anthropic_text_output_function.yaml", 1),
    "stop_sequence": ("test_stop_settings[anthropic].yaml", 0),
    "image_url_input": ("test_image_url_input.yaml", 0),
    "native_output_format": ("test_no_tools_native_output_strict_none.yaml", 0),
    "cache_write": ("test_anthropic_to_google_deferred_capability_history_replay.yaml", 1),
    "cache_read": ("test_anthropic_to_google_deferred_capability_history_replay.yaml", 2),
    "advisor_server_tool": ("test_anthropic_advisor_tool_redacted.yaml", 0),
    "error_400_invalid_request": ("test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml", 0),
    "error_404_not_found": ("test_model_name_suggestion[anthropic].yaml", 0),
    # JSON answers (vercel fixtures)
    "text": ("anthropic-text.json", 0),
    "refusal": ("anthropic-refusal.json", 0),
    "json_tool": ("anthropic-json-tool.1.json", 0),
    "tool_no_args": ("anthropic-tool-no-args.json", 0),
    "reasoning_thinking_tokens": ("anthropic-claude-opus-5-reasoning-high.1.json", 0),
    # SSE streams (pydantic-ai cassettes, framing kept)
    "stream_thinking": ("test_anthropic_model_thinking_part_stream.yaml", 0),
    "stream_redacted_thinking": ("test_anthropic_model_thinking_part_redacted_stream.yaml", 0),
    "stream_text": ("test_request_stream_fallback_for_high_max_tokens.yaml", 0),
    "stream_code_execution": ("test_anthropic_code_execution_tool_stream.yaml", 0),
    "stream_compaction_cache": ("test_anthropic_compaction_usage_with_cache_streaming.yaml", 0),
    "stream_tool_search": ("test_anthropic_native_tool_search_streaming.yaml", 0),
    "stream_web_search_citations": ("test_anthropic_text_parts_ahead_of_built_in_tool_call.yaml", 3),
    # event payloads one per line (vercel .chunks.txt)
    "chunks_text": ("anthropic-text.chunks.txt", 0),
    "chunks_thinking": ("anthropic-clear-thinking.1.chunks.txt", 0),
    "chunks_json_tool": ("anthropic-json-tool.1.chunks.txt", 0),
    "chunks_tool_no_args": ("anthropic-tool-no-args.chunks.txt", 0),
    "chunks_refusal": ("anthropic-refusal.chunks.txt", 0),
    "chunks_json_output_format": ("anthropic-json-output-format.1.chunks.txt", 0),
    "chunks_usage_in_message_delta": ("anthropic-message-delta-input-tokens.chunks.txt", 0),
    "chunks_fallback": ("anthropic-fallback.chunks.txt", 0),
    "chunks_mcp": ("anthropic-mcp.1.chunks.txt", 0),
    "chunks_duplicate_message_start": ("duplicate-message-start.chunks.txt", 0),
    "chunks_spliced_message_start": ("spliced-message-start.chunks.txt", 0),
}


def main(source: Path) -> None:
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    anthropic = [r for r in records if r.get("provider") == "anthropic"]
    TARGET.mkdir(parents=True, exist_ok=True)
    for slug, (suffix, index) in PICKS.items():
        found = [
            r
            for r in anthropic
            if str(r.get("fixture_file", "")).endswith("/" + suffix) and r.get("interaction_index") == index
        ]
        if len(found) != 1:
            raise SystemExit(f"{slug}: {len(found)} records match {suffix}#{index}")
        record = dict(found[0])
        body = record.get("request_body")
        if isinstance(body, str) and len(body) > MAX_REQUEST_BODY:
            record["request_body"] = None
            record["notes"] = [*(record.get("notes") or []), f"request_body ({len(body)} chars) dropped for size"]
        path = TARGET / f"{slug}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}  <- {record['fixture_file']}#{index}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
