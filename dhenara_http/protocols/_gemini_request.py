"""The Gemini request body (``GenerateContentRequest``), shared by the Gemini API and Vertex AI.

History is rendered natively: earlier answers become ``model`` turns with their text, function calls and — only
for the family that made them — thought parts and ``thoughtSignature``s, each put back on the very part it came
with (Gemini 3 rejects a function-calling turn whose signature moved or went missing). Tool results become
``functionResponse`` parts of a ``user`` turn; Gemini pairs them with the calls by name and order, so a result
without a name takes it from the call it answers, and results go in the order of their calls.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..errors import ConfigurationError
from ..types.enums import PromptMessageRoleEnum
from ..types.prompt import GenericFile, Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import (
    ChatResponse,
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCallContentItem,
)
from ._gemini_response import NAME
from .base import CallContext, cited_sources, decode_tool_id, same_family

#: Google's documented stand-in signature for a function call Gemini did not make itself (another provider's turn,
#: a hand-built history): Gemini 3 answers 400 when the first function call of a step carries no signature. Sent
#: base64-encoded, as the field is ``bytes`` on the wire.
FOREIGN_SIGNATURE = base64.b64encode(b"skip_thought_signature_validator").decode("ascii")

#: ``options`` keys whose Gemini name is not just their camelCase form.
_OPTION_ALIASES = {
    "stop": "stopSequences",
    "stop_sequences": "stopSequences",
    "n": "candidateCount",
    "max_tokens": "maxOutputTokens",
    "max_output_tokens": "maxOutputTokens",
}
#: ``options`` that belong at the top of the request body, not in ``generationConfig``.
_TOP_LEVEL_OPTIONS = {"safetySettings", "cachedContent", "labels"}

_TOOL_MODES = {"zero_or_more": "AUTO", "one_or_more": "ANY", "none": "NONE", "specific": "ANY"}
_LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
_EFFORT_LEVEL = {
    "none": "MINIMAL",
    "minimal": "MINIMAL",
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "xhigh": "HIGH",
    "max": "HIGH",
}


def camel(name: str) -> str:
    """``top_p`` → ``topP``; names already in camelCase come back unchanged."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


# -- the body ------------------------------------------------------------------------------------------------------


def build_body(ctx: CallContext) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": render_contents(ctx)}
    if ctx.instructions:
        body["systemInstruction"] = {"parts": [{"text": "\n\n".join(ctx.instructions)}]}
    generation, top_level = generation_config(ctx)
    if generation:
        body["generationConfig"] = generation
    tools = ctx.config.tools
    if tools:
        declarations = []
        for tool in tools:
            fn = tool.function
            decl: dict[str, Any] = {"name": fn.name}
            if fn.description:
                decl["description"] = fn.description
            # ``parametersJsonSchema`` takes standard JSON Schema ($defs, $ref, anyOf …); ``parameters`` only
            # Google's OpenAPI subset.
            decl["parametersJsonSchema"] = gemini_schema(fn.json_schema())
            declarations.append(decl)
        body["tools"] = [{"functionDeclarations": declarations}]
    if ctx.config.hosted_tools:
        from ._gemini_grounding import google_search_tool

        body.setdefault("tools", []).extend(google_search_tool(t) for t in ctx.config.hosted_tools)
    choice = ctx.config.tool_choice
    if choice is not None:
        calling: dict[str, Any] = {"mode": _TOOL_MODES[choice.type]}
        if choice.type == "specific" and choice.specific_tool_name:
            calling["allowedFunctionNames"] = [choice.specific_tool_name]
        body["toolConfig"] = {"functionCallingConfig": calling}
    body.update(top_level)
    return body


def generation_config(ctx: CallContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """``generationConfig``, and the options that go at the top of the body instead."""
    if ctx.model.is_image_model:
        from ._gemini_images import image_generation_config

        return image_generation_config(ctx), {}
    config: dict[str, Any] = {}
    top_level: dict[str, Any] = {}
    ctx.reasoning_plan(NAME, thinking_control(ctx))
    max_tokens = ctx.max_output_tokens()
    if max_tokens:
        config["maxOutputTokens"] = max_tokens
    for key, value in ctx.config.options.items():
        name = _OPTION_ALIASES.get(key) or camel(key)
        if name in _TOP_LEVEL_OPTIONS:
            top_level[name] = value
            continue
        if name == "stopSequences" and isinstance(value, str):
            value = [value]
        config[name] = value
    if ctx.wants_reasoning():
        config["thinkingConfig"] = thinking_config(ctx)
    so = ctx.config.structured_output
    if so is not None:
        config["responseMimeType"] = "application/json"
        # ``responseJsonSchema`` takes standard JSON Schema as it is; ``responseSchema`` only the OpenAPI subset.
        config["responseJsonSchema"] = gemini_schema(so.json_schema)
    return config, top_level


#: Schema keywords whose values are data, not sub-schemas (never rewritten).
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "example", "examples"})


def gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema as Gemini takes it: in Gemini's API definition a sub-schema holding ``$ref`` may carry no
    other keys except ones starting with ``$``, but pydantic writes a described field of a model type as
    ``{"$ref": "#/$defs/Address", "description": "…"}``. Such a reference is inlined — the definition it points to,
    with the sibling keys laid over it (so the field's own description wins) — and a reference that cannot be inlined
    (a model that contains itself, or a target outside ``$defs``) loses its siblings instead. Bare references and
    ``$defs`` stay as they are. The schema given is not changed; one that needs nothing comes back as it is."""
    defs = schema.get("$defs")
    defs = defs if isinstance(defs, dict) else {}

    def target(ref: str) -> dict[str, Any] | None:
        if not ref.startswith("#/$defs/"):
            return None
        found = defs.get(ref[len("#/$defs/") :])
        return found if isinstance(found, dict) else None

    def walk(node: Any, inlining: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, inlining) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            siblings = {k: v for k, v in node.items() if not k.startswith("$")}
            resolved = target(ref)
            if siblings and resolved is not None and ref not in inlining:
                others = {k: v for k, v in node.items() if k.startswith("$") and k != "$ref"}
                return walk({**resolved, **others, **siblings}, (*inlining, ref))
            # Kept as a reference (a root one carries ``$defs`` beside it, whose definitions are rewritten too).
            return {k: walk(v, inlining) if k == "$defs" else v for k, v in node.items() if k.startswith("$")}
        return {k: v if k in _DATA_KEYWORDS else walk(v, inlining) for k, v in node.items()}

    rewritten: dict[str, Any] = walk(schema, ())
    return rewritten


def thinking_control(ctx: CallContext) -> str:
    """``"effort"`` (Gemini 3 and later: ``thinkingLevel``) or ``"token_budget"`` (2.5: ``thinkingBudget``).

    The catalogue says which; for a model outside it the generation in its name decides.
    """
    settings = ctx.model.chat_settings
    control = settings.reasoning_control if settings is not None else None
    if control in ("effort", "adaptive"):
        return "effort"
    if control == "token_budget":
        return "token_budget"
    found = re.search(r"gemini-(\d+)", ctx.model_name)
    return "effort" if found and int(found.group(1)) >= 3 else "token_budget"


def thinking_config(ctx: CallContext) -> dict[str, Any]:
    """``thinkingLevel`` for Gemini 3 (the effort, or the level nearest a budget the call gives); ``thinkingBudget``
    for Gemini 2.5 (the budget, or the one an effort stands for; ``-1``, dynamic thinking, when the call names
    neither; ``0`` turns thinking off)."""
    plan = ctx.reasoning_plan(NAME, thinking_control(ctx))
    thinking: dict[str, Any] = {"includeThoughts": True}
    if thinking_control(ctx) == "effort":
        if plan.effort is not None:
            thinking["thinkingLevel"] = _level(ctx, _EFFORT_LEVEL[plan.effort])
        return thinking
    thinking["thinkingBudget"] = plan.budget if plan.budget is not None else -1
    return thinking


def _level(ctx: CallContext, wanted: str) -> str:
    """The wanted level, or the nearest one the model lists (upwards first) when it lists its levels."""
    settings = ctx.model.chat_settings
    supported = [e.upper() for e in (settings.supported_reasoning_efforts or ())] if settings else []
    supported = [s for s in supported if s in _LEVELS]
    if not supported or wanted in supported:
        return wanted
    at = _LEVELS.index(wanted)
    higher = [lv for lv in _LEVELS[at:] if lv in supported]
    return higher[0] if higher else max(supported, key=_LEVELS.index)


# -- contents --------------------------------------------------------------------------------------------------------


class _CallBook:
    """What was sent for each earlier tool call: its name, the id Gemini got (None when it got none) and its place in
    the conversation. Ids are keyed as the provider made them (ids rewritten for another wire are decoded)."""

    def __init__(self) -> None:
        self.calls: dict[str, tuple[str, str | None, int]] = {}
        self.made = 0
        #: The place of the call each function response answers, by the response part's identity.
        self.answers: dict[int, int] = {}

    def add(self, call_id: str | None, name: str, wire_id: str | None) -> None:
        self.made += 1
        if call_id:
            self.calls[decode_tool_id(call_id)] = (name, wire_id, self.made)

    def response_part(self, result: ToolCallResult) -> dict[str, Any]:
        known = self.calls.get(decode_tool_id(result.call_id)) if result.call_id else None
        name = result.name or (known[0] if known else None)
        if not name:
            raise ConfigurationError(
                f"ToolCallResult(call_id={result.call_id!r}) has no name and answers no tool call in the history: "
                "Gemini pairs results with calls by name, so give ToolCallResult.name"
            )
        response = result.as_json()
        if result.is_error and not isinstance(result.output, dict):
            response = {"error": result.output}
        part: dict[str, Any] = {"name": name, "response": response}
        if known is not None and known[1] is not None:
            part["id"] = known[1]
        out = {"functionResponse": part}
        if known is not None:
            self.answers[id(out)] = known[2]
        return out

    def in_call_order(self, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``parts`` with its function responses in the order of the calls they answer: Gemini pairs results with
        calls by name and order, so parallel calls of one tool would otherwise swap results given in another order.
        Other parts keep their places; responses to unknown calls come after the known ones."""
        places = [i for i, p in enumerate(parts) if "functionResponse" in p]
        if len(places) < 2:
            return parts
        ordered = sorted((parts[i] for i in places), key=lambda p: self.answers.get(id(p), self.made + 1))
        out = list(parts)
        for i, part in zip(places, ordered, strict=True):
            out[i] = part
        return out


def render_contents(ctx: CallContext) -> list[dict[str, Any]]:
    book = _CallBook()
    contents: list[dict[str, Any]] = []
    for message in ctx.messages:
        if isinstance(message, Prompt):
            role = "model" if message.role == PromptMessageRoleEnum.ASSISTANT else "user"
            _append(contents, role, prompt_parts(message))
        elif isinstance(message, ChatResponse):
            _append(contents, "model", response_parts(message, ctx, book))
        elif isinstance(message, ToolCallResult):
            _append(contents, "user", [book.response_part(message)])
        elif isinstance(message, ToolCallResultsMessage):
            _append(contents, "user", [book.response_part(r) for r in message.results])
    for content in contents:
        if content["role"] == "user":
            content["parts"] = book.in_call_order(content["parts"])
    return contents


def _append(contents: list[dict[str, Any]], role: str, parts: list[dict[str, Any]]) -> None:
    """Consecutive turns of one role become one content: Gemini wants user and model to alternate."""
    if not parts:
        return
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def prompt_parts(prompt: Prompt) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    text = prompt.rendered_text()
    if text:
        parts.append({"text": text})
    max_words = prompt.config.max_words_file if prompt.config else None
    parts.extend(file_part(file, max_words) for file in prompt.files)
    # An empty prompt still takes its turn (Gemini accepts an empty text part, not a content without parts).
    return parts or [{"text": ""}]


def file_part(file: GenericFile, max_words: int | None = None) -> dict[str, Any]:
    """A URL is fetched by Google (``fileData``); text files travel as text; other bytes inline (``inlineData``)."""
    if file.url is not None:
        return {"fileData": {"mimeType": file.media_type, "fileUri": file.url}}
    if file.text is not None:
        text = file.get_text(max_words)
        return {"text": f"{file.name}:\n{text}" if file.name else text}
    return {"inlineData": {"mimeType": file.media_type, "data": file.base64()}}


def response_parts(response: ChatResponse, ctx: CallContext, book: _CallBook) -> list[dict[str, Any]]:
    """An earlier answer as the parts of a ``model`` turn (its first choice)."""
    if not response.choices:
        return []
    own = same_family(response, ctx, NAME)
    from_gemini = response.metadata.get("wire_api") == NAME
    parts: list[dict[str, Any]] = []
    first_call: dict[str, Any] | None = None
    for item in response.choices[0].contents:
        part: dict[str, Any] | None = None
        signature = item.metadata.get("thought_signature") if own else None
        if isinstance(item, ChatResponseReasoningContentItem):
            # Thinking travels only back to the family that made it; elsewhere it is dropped, never pasted as text.
            if own and (item.thinking_text or item.thinking_signature):
                part = {"text": item.thinking_text or "", "thought": True}
                signature = item.thinking_signature
        elif isinstance(item, ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem):
            if item.text or signature:
                part = {"text": item.text}
        elif isinstance(item, ChatResponseToolCallContentItem):
            call = item.tool_call
            wire_id = call.id if from_gemini and call.id and not item.metadata.get("synthetic_id") else None
            fc: dict[str, Any] = {"name": call.name, "args": call.arguments}
            if wire_id:
                fc["id"] = wire_id
            book.add(call.id, call.name, wire_id)
            part = {"functionCall": fc}
            if first_call is None:
                first_call = part
        elif isinstance(item, ChatResponseGenericContentItem):
            raw = item.metadata.get("gemini_part")
            if own and isinstance(raw, dict):
                parts.append(dict(raw))
            continue
        if part is None:
            continue
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    if first_call is not None and "thoughtSignature" not in first_call:
        first_call["thoughtSignature"] = FOREIGN_SIGNATURE
    if not own:
        sources = cited_sources(response).strip()
        if sources:
            parts.append({"text": sources})
    return parts
