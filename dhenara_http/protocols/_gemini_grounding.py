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
from . import _common as common


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


def _page(chunk: dict[str, Any], where: str) -> dict[str, Any]:
    for key in ("web", "retrievedContext", "maps"):
        page = common.opt_dict(chunk, key, where)
        if page is not None:
            return dict(page)
    return {}


def _texts(items: list[ChatResponseContentItem]) -> list[ChatResponseTextContentItem]:
    return [i for i in items if isinstance(i, ChatResponseTextContentItem)]


def _locate(
    segment: dict[str, Any],
    texts: list[ChatResponseTextContentItem],
    parts: dict[int, ChatResponseTextContentItem],
    where: str,
) -> tuple[ChatResponseTextContentItem | None, int | None, int | None]:
    """The text item a segment falls in, and the segment's character positions in it (None when its byte offsets do
    not match its text)."""
    start = common.get_count(segment, "startIndex", where)
    end = common.opt_count(segment, "endIndex", where)
    part_index = common.opt_count(segment, "partIndex", where)
    cited = common.get_str(segment, "text", where)
    if not texts:
        return None, None, None
    if end is None:
        return texts[-1], None, None
    spans: list[tuple[ChatResponseTextContentItem, int]] = []
    if part_index is not None and part_index in parts:
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
    if cited is not None and piece != cited:
        return item, None, None
    first = len(raw[:local_start].decode("utf-8", "replace"))
    return item, first, first + len(piece)


def ground(
    items: list[ChatResponseContentItem], candidate: dict[str, Any], part_items: dict[int, Any], where: str = ""
) -> int:
    """Add the candidate's grounding to its items (see the module docstring); the number of web searches it ran.
    ``part_items`` maps a part's position in the candidate to the item made from it. Read with the wire's typed
    readers: a field of the wrong type is a ``ResponseParseError`` naming its path."""
    meta = common.opt_dict(candidate, "groundingMetadata", where)
    if meta is None:
        return 0
    here = common.path_of(where, "groundingMetadata")
    chunks = list(common.dicts(common.get_list(meta, "groundingChunks", here), f"{here}.groundingChunks"))
    pages = [_page(c, f"{here}.groundingChunks[{i}]") for i, c in chunks]
    texts = _texts(items)
    parts = {k: v for k, v in part_items.items() if isinstance(v, ChatResponseTextContentItem)}
    supports = common.get_list(meta, "groundingSupports", here)
    for n_support, support in common.dicts(supports, f"{here}.groundingSupports"):
        at = f"{here}.groundingSupports[{n_support}]"
        segment = common.opt_dict(support, "segment", at)
        if segment is None:
            continue
        item, first, last = _locate(segment, texts, parts, f"{at}.segment")
        if item is None:
            continue
        scores = common.get_list(support, "confidenceScores", at)
        for n, chunk_index in enumerate(common.get_list(support, "groundingChunkIndices", at)):
            index = common.as_count(chunk_index, f"{at}.groundingChunkIndices", n)
            page = pages[index] if index < len(pages) else {}
            extra: dict[str, Any] = {"grounding_chunk_index": index, "segment": segment}
            if n < len(scores):
                extra["confidence"] = scores[n]
            item.citations.append(
                Citation(
                    type="grounding_support",
                    url=common.get_str(page, "uri", f"{here}.groundingChunks[{index}]"),
                    title=common.get_str(page, "title", f"{here}.groundingChunks[{index}]"),
                    cited_text=common.get_str(segment, "text"),
                    start_index=first,
                    end_index=last,
                    metadata=extra,
                )
            )
    queries = common.get_list(meta, "webSearchQueries", here)
    for n, query in enumerate(queries):
        if type(query) is not str:
            raise common.bad_field(f"{here}.webSearchQueries", n, query, "a string")
    web = [(i, c, common.opt_dict(c, "web", f"{here}.groundingChunks[{i}]")) for i, c in chunks]
    web = [(i, c, page) for i, c, page in web if page is not None]
    if not queries and not web:
        return 0
    sources = [
        WebSearchResult(
            url=common.get_str(page, "uri", f"{here}.groundingChunks[{i}].web"),
            title=common.get_str(page, "title", f"{here}.groundingChunks[{i}].web"),
            metadata=c,
        )
        for i, c, page in web
        if page is not None
    ]
    extra_meta: dict[str, Any] = {"grounding": True}
    entry = common.opt_dict(meta, "searchEntryPoint", here)
    if entry is not None:
        extra_meta["search_entry_point"] = entry
    items.append(
        ChatResponseWebSearchCallContentItem(
            index=len(items), queries=list(queries), action="search", sources=sources, metadata=extra_meta
        )
    )
    return len(queries) or 1
