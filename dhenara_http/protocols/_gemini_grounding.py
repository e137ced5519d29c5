"""Grounding with Google Search on the ``gemini`` wire: the ``google_search`` tool in the request, and a candidate's
``groundingMetadata`` in the answer.

``groundingMetadata`` says which queries were searched (``webSearchQueries``), which pages were used
(``groundingChunks``, each ``{"web": {"uri", "title"}}`` — or a ``retrievedContext`` for file search) and which spans
of the answer each page supports (``groundingSupports``: a ``segment`` with UTF-8 *byte* offsets into the answer's
text, ``groundingChunkIndices`` and ``confidenceScores``). It becomes:

* one web-search call item at the end of the choice (its queries, the pages as ``sources``, the search entry point
  Google asks apps to show in ``metadata["search_entry_point"]``) when the model searched the web;
* one :class:`Citation` per (segment, page) on the text item the segment falls in, its offsets turned into
  character positions in that item's text. Offsets count from the start of the part named by ``partIndex``, else from
  the start of the answer's text (its non-thought text parts joined); a segment whose offsets do not match its text is
  still cited, without positions.

The raw ``groundingMetadata`` stays in ``choice.metadata`` as Gemini sent it. Grounding is not sent back in a later
request (Gemini's history has no place for it), so a replay drops the search item.
"""

from __future__ import annotations

from typing import Any

from ..errors import CapabilityError
from ..types.hosted_tools import WebSearchHostedTool
from ..types.response import (
    ChatResponseContentItem,
    ChatResponseTextContentItem,
    ChatResponseWebSearchCallContentItem,
    Citation,
    WebSearchResult,
)


def google_search_tool(tool: WebSearchHostedTool) -> dict[str, Any]:
    """The ``googleSearch`` tool; it takes none of :class:`WebSearchHostedTool`'s filters."""
    refused = tool.given(
        "allowed_domains",
        "blocked_domains",
        "user_location",
        "max_uses",
        "search_context_size",
        "external_web_access",
        "return_token_budget",
    )
    if refused:
        raise CapabilityError("Gemini's google_search tool takes no " + ", ".join(refused) + " (WebSearchHostedTool)")
    return {"googleSearch": {}}


def _page(chunk: Any) -> dict[str, Any]:
    if not isinstance(chunk, dict):
        return {}
    for key in ("web", "retrievedContext", "maps"):
        if isinstance(chunk.get(key), dict):
            return dict(chunk[key])
    return {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _texts(items: list[ChatResponseContentItem]) -> list[ChatResponseTextContentItem]:
    return [i for i in items if isinstance(i, ChatResponseTextContentItem)]


def _locate(
    segment: dict[str, Any], texts: list[ChatResponseTextContentItem], parts: dict[int, ChatResponseTextContentItem]
) -> tuple[ChatResponseTextContentItem | None, int | None, int | None]:
    """The text item a segment falls in, and the segment's character positions in it (None when its byte offsets do
    not match its text)."""
    if not texts:
        return None, None, None
    start, end = segment.get("startIndex", 0), segment.get("endIndex")
    if not isinstance(start, int) or not isinstance(end, int):
        return texts[-1], None, None
    part_index = segment.get("partIndex")
    spans: list[tuple[ChatResponseTextContentItem, int]] = []
    if isinstance(part_index, int) and part_index in parts:
        spans.append((parts[part_index], 0))
    else:
        offset = 0
        for text_item in texts:
            spans.append((text_item, offset))
            offset += len(text_item.text.encode("utf-8"))
    item, base = next(((i, b) for i, b in spans if b <= start < b + len(i.text.encode("utf-8"))), spans[-1])
    raw = item.text.encode("utf-8")
    local_start, local_end = start - base, end - base
    if not 0 <= local_start <= local_end <= len(raw):
        return item, None, None
    piece = raw[local_start:local_end].decode("utf-8", "replace")
    if "text" in segment and piece != segment["text"]:
        return item, None, None
    first = len(raw[:local_start].decode("utf-8", "replace"))
    return item, first, first + len(piece)


def ground(items: list[ChatResponseContentItem], candidate: dict[str, Any], part_items: dict[int, Any]) -> int:
    """Add the candidate's grounding to its items (see the module docstring); the number of web searches it ran.
    ``part_items`` maps a part's position in the candidate to the item made from it."""
    meta = candidate.get("groundingMetadata")
    if not isinstance(meta, dict):
        return 0
    chunks = _list(meta.get("groundingChunks"))
    pages = [_page(c) for c in chunks]
    texts = _texts(items)
    parts = {k: v for k, v in part_items.items() if isinstance(v, ChatResponseTextContentItem)}
    for support in meta.get("groundingSupports") or []:
        if not isinstance(support, dict) or not isinstance(support.get("segment"), dict):
            continue
        segment = support["segment"]
        item, first, last = _locate(segment, texts, parts)
        if item is None:
            continue
        scores = _list(support.get("confidenceScores"))
        for n, chunk_index in enumerate(support.get("groundingChunkIndices") or []):
            page = pages[chunk_index] if isinstance(chunk_index, int) and 0 <= chunk_index < len(pages) else {}
            extra: dict[str, Any] = {"grounding_chunk_index": chunk_index, "segment": segment}
            if n < len(scores):
                extra["confidence"] = scores[n]
            item.citations.append(
                Citation(
                    type="grounding_support",
                    url=page.get("uri"),
                    title=page.get("title"),
                    cited_text=segment.get("text"),
                    start_index=first,
                    end_index=last,
                    metadata=extra,
                )
            )
    queries = [q for q in meta.get("webSearchQueries") or [] if isinstance(q, str)]
    web = [c for c in chunks if isinstance(c, dict) and isinstance(c.get("web"), dict)]
    if not queries and not web:
        return 0
    sources = [WebSearchResult(url=c["web"].get("uri"), title=c["web"].get("title"), metadata=c) for c in web]
    extra_meta: dict[str, Any] = {"grounding": True}
    if isinstance(meta.get("searchEntryPoint"), dict):
        extra_meta["search_entry_point"] = meta["searchEntryPoint"]
    items.append(
        ChatResponseWebSearchCallContentItem(
            index=len(items), queries=queries, action="search", sources=sources, metadata=extra_meta
        )
    )
    return len(queries) or 1
