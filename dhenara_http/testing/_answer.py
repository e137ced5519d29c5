"""The mock model: a wire-neutral view of a request (:class:`Conversation`) and the deterministic answer it gets.

Each wire module parses its request body into a :class:`Conversation`, calls :func:`plan` and renders the
:class:`Answer` in its provider's shapes. The answer reflects the request, so tests and demos can see what reached
the "model":

* after tool results, a text that quotes them;
* when tools are offered to a user question and the tool choice demands a call, or the question names a tool, a call
  to that tool with arguments generated from its schema (:mod:`._schema`);
* when structured output is asked for, JSON valid for the schema;
* otherwise a text that quotes the last user message, counts the turns, quotes the start of the previous answer,
  recalls the earlier questions and mentions the system instructions — so a multi-turn conversation visibly builds
  on itself.

With a hosted web-search tool in the request, the answer to a user question first searches the web for it (one
search, two made-up result pages on ``example.com``) and opens with one sentence from each page, each cited by its
span in the text (:attr:`Answer.searches`, :attr:`Answer.citations`); the wire modules render them in their
provider's shapes.

A model reasons when the request asks for it (or is an o-series / gpt-5 model that always does); its reasoning is a
short summary that names the question.

Token counts are words (whitespace-separated): input = words of the instructions, every message text, tool
arguments and outputs, and tool names and descriptions; reasoning = words of the reasoning summary; output = words of
the visible output (text, or the tool arguments' JSON) plus reasoning. ``max_output_tokens`` cuts the visible text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ._schema import example_value

Role = Literal["user", "assistant", "tool"]
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")


@dataclass(slots=True)
class ToolSpec:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]
    call_id: str | None = None

    def arguments_json(self) -> str:
        return json.dumps(self.arguments, ensure_ascii=False, separators=(",", ":"))


@dataclass(slots=True)
class ToolResult:
    call_id: str | None
    output: str
    name: str | None = None


@dataclass(slots=True)
class Turn:
    """One message; an assistant turn spread over several wire items (reasoning, text, calls) is one turn."""

    role: Role
    text: str = ""
    attachments: int = 0
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_results: list[ToolResult] = field(default_factory=list)
    reasoning_items: int = 0


@dataclass(slots=True)
class Conversation:
    model: str
    instructions: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    tools: list[ToolSpec] = field(default_factory=list)
    #: ``auto``, ``none`` or ``required``; ``forced`` names the tools a specific choice pins.
    tool_choice: str = "auto"
    forced: list[str] = field(default_factory=list)
    parallel_tool_calls: bool = True
    schema: dict[str, Any] | None = None
    json_mode: bool = False
    reasoning: bool = False
    reasoning_summary: bool = False
    max_output_tokens: int | None = None
    #: A hosted web-search tool is offered.
    web_search: bool = False

    def user(self, text: str, attachments: int = 0) -> Turn:
        turn = Turn("user", text=text, attachments=attachments)
        self.turns.append(turn)
        return turn

    def _last(self, role: Role) -> Turn:
        if self.turns and self.turns[-1].role == role:
            return self.turns[-1]
        turn = Turn(role)
        self.turns.append(turn)
        return turn

    def assistant(self) -> Turn:
        return self._last("assistant")

    def tool(self) -> Turn:
        return self._last("tool")


@dataclass(slots=True)
class SearchResult:
    url: str
    title: str
    snippet: str


@dataclass(slots=True)
class WebSearch:
    query: str
    results: list[SearchResult]


@dataclass(slots=True)
class Answer:
    text: str | None
    tool_calls: list[ToolCall]
    reasoning: str | None
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    truncated: bool = False
    searches: list[WebSearch] = field(default_factory=list)
    #: (start, end) character span of the text and the index of the result (of the first search) it cites.
    citations: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def words(text: str) -> int:
    return len(text.split())


def clip(text: str, limit: int) -> str:
    parts = text.split()
    return " ".join(parts[:limit]) + (" …" if len(parts) > limit else "")


def is_reasoning_model(model: str) -> bool:
    return bool(_REASONING_MODEL.match(model.split("/")[-1]))


class Ids:
    """Ids and timestamps that are a pure function of the request, so a repeated call (sync or async, streamed or
    not) gets the same answer byte for byte."""

    def __init__(self, body: Any) -> None:
        data = (
            {k: v for k, v in body.items() if k not in ("stream", "stream_options")} if isinstance(body, dict) else body
        )
        self.seed = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()

    def hex(self, label: str, length: int) -> str:
        out = ""
        counter = 0
        while len(out) < length:
            out += hashlib.sha256(f"{self.seed}:{label}:{counter}".encode()).hexdigest()
            counter += 1
        return out[:length]

    def alnum(self, label: str, length: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        raw = bytes.fromhex(self.hex(label, length * 2))
        return "".join(alphabet[b % len(alphabet)] for b in raw[:length])

    def created(self) -> int:
        return 1_750_000_000 + int(self.seed[:6], 16) % 10_000_000


def _input_tokens(conv: Conversation) -> int:
    total = sum(words(s) for s in conv.instructions)
    for turn in conv.turns:
        total += words(turn.text)
        total += sum(words(c.arguments_json()) for c in turn.tool_calls)
        total += sum(words(r.output) for r in turn.tool_results)
    total += sum(words(f"{t.name} {t.description}") for t in conv.tools)
    return max(total, 1)


def _last_user(conv: Conversation) -> Turn | None:
    return next((t for t in reversed(conv.turns) if t.role == "user"), None)


def _choose_tools(conv: Conversation) -> list[ToolSpec]:
    last = conv.turns[-1] if conv.turns else None
    if not conv.tools or conv.tool_choice == "none" or last is None or last.role != "user":
        return []
    by_name = {t.name: t for t in conv.tools}
    chosen = [by_name[n] for n in conv.forced if n in by_name]
    if not chosen:
        asked = last.text.lower()
        chosen = [t for t in conv.tools if t.name.lower() in asked]
    if not chosen and conv.tool_choice == "required":
        chosen = conv.tools[:1]
    return chosen if conv.parallel_tool_calls else chosen[:1]


def _tool_results_text(conv: Conversation) -> str:
    names = {c.call_id: c.name for t in conv.turns for c in t.tool_calls if c.call_id}
    pieces = []
    for result in conv.turns[-1].tool_results:
        name = result.name or names.get(result.call_id or "") or "the tool"
        pieces.append(f'{name} returned "{clip(result.output, 30)}"')
    return "Using the tool results: " + "; ".join(pieces) + "."


def _count(n: int) -> str:
    return f"{n} message" if n == 1 else f"{n} messages"


def _text(conv: Conversation) -> str:
    users = [t for t in conv.turns if t.role == "user"]
    assistants = sum(1 for t in conv.turns if t.role == "assistant")
    last = users[-1] if users else None
    parts: list[str] = []
    if conv.turns and conv.turns[-1].role == "tool":
        parts.append(_tool_results_text(conv))
    parts.append(
        f"Mock answer from {conv.model}, turn {max(len(users), 1)}: the conversation has {_count(len(conv.turns))} "
        f"({len(users)} from you, {assistants} from me)."
    )
    if last is not None:
        parts.append(f'You said: "{clip(last.text, 40)}".')
        if last.attachments:
            parts.append(f"You attached {last.attachments} file(s).")
    previous = next((t for t in reversed(conv.turns[:-1]) if t.role == "assistant" and t.text), None)
    if previous is not None:
        parts.append(
            f'Building on my previous answer ({words(previous.text)} words), which began: "{clip(previous.text, 8)}".'
        )
    if len(users) > 1:
        earlier = "; ".join(f'({i}) "{clip(t.text, 12)}"' for i, t in enumerate(users[:-1], 1))
        parts.append(f"Earlier you asked: {earlier}.")
    replayed = sum(t.reasoning_items for t in conv.turns)
    if replayed:
        parts.append(f"I recall {replayed} earlier reasoning item(s).")
    if conv.instructions:
        parts.append(f'Following the system instructions: "{clip(" ".join(conv.instructions), 30)}".')
    return " ".join(parts)


def _reasoning(conv: Conversation, calls: list[ToolSpec]) -> str:
    last = _last_user(conv)
    asked = clip(last.text, 12) if last is not None else ""
    if conv.turns and conv.turns[-1].role == "tool":
        plan = "The tool results are in, so I can answer with them."
    elif calls:
        plan = f"I need to call {', '.join(t.name for t in calls)} first."
    elif conv.schema is not None or conv.json_mode:
        plan = "The answer must be JSON that follows the requested schema."
    else:
        plan = "I will answer it in the context of the conversation."
    return f'**Planning the answer**\n\nThe user asked: "{asked}". {plan}'


def _search(conv: Conversation) -> WebSearch | None:
    last = conv.turns[-1] if conv.turns else None
    if not conv.web_search or last is None or last.role != "user" or not last.text.strip():
        return None
    query = clip(last.text, 12).rstrip(" …")
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40] or "query"
    results = [
        SearchResult(
            f"https://example.com/{slug}/{n}",
            f"Mock result {n} for {query}",
            f"Source {n} says something about {query}.",
        )
        for n in (1, 2)
    ]
    return WebSearch(query, results)


def plan(conv: Conversation) -> Answer:
    """The answer to a conversation."""
    search = _search(conv)
    answer = _plan(conv)
    if search is None or answer.text is None or answer.truncated or conv.schema is not None or conv.json_mode:
        return answer
    cited: list[tuple[int, int, int]] = []
    opening = ""
    for n, result in enumerate(search.results):
        start = len(opening)
        opening += result.snippet + " "
        cited.append((start, start + len(result.snippet), n))
    answer.text = opening + answer.text
    answer.output_tokens += words(opening)
    answer.searches = [search]
    answer.citations = cited
    return answer


def _plan(conv: Conversation) -> Answer:
    chosen = _choose_tools(conv)
    reasoning = _reasoning(conv, chosen) if conv.reasoning else None
    reasoning_tokens = words(reasoning) if reasoning else 0
    text: str | None = None
    calls: list[ToolCall] = []
    truncated = False
    if chosen:
        calls = [ToolCall(t.name, _arguments(t)) for t in chosen]
        visible = sum(words(c.arguments_json()) for c in calls)
    else:
        if conv.schema is not None:
            text = json.dumps(example_value(conv.schema), ensure_ascii=False)
        elif conv.json_mode:
            text = json.dumps({"answer": _text(conv)}, ensure_ascii=False)
        else:
            text = _text(conv)
        budget = conv.max_output_tokens
        if budget is not None and reasoning_tokens + words(text) > budget:
            text = " ".join(text.split()[: max(budget - reasoning_tokens, 0)])
            truncated = True
        visible = words(text)
    return Answer(
        text=text,
        tool_calls=calls,
        reasoning=reasoning,
        input_tokens=_input_tokens(conv),
        output_tokens=visible + reasoning_tokens,
        reasoning_tokens=reasoning_tokens,
        truncated=truncated,
    )


def _arguments(tool: ToolSpec) -> dict[str, Any]:
    value = example_value(tool.parameters or {"type": "object", "properties": {}})
    return value if isinstance(value, dict) else {}
