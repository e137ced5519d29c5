"""The request body of Amazon Bedrock's Converse API (``POST /model/{modelId}/converse`` and ``/converse-stream``).

Facts of the API reference this follows, and the choices made:

* ``system`` is a list of ``{"text": …}``; ``messages`` alternate ``user`` / ``assistant``, each with a list of
  content blocks (``text``, ``image``, ``document``, ``toolUse``, ``toolResult``, ``reasoningContent``). Consecutive
  turns of one role are merged, and tool results open a user message (Claude on Bedrock requires them right after
  the assistant's ``toolUse``, as Anthropic does).
* ``inferenceConfig`` carries ``maxTokens`` (the call's output cap), and from ``options``: ``temperature``,
  ``top_p`` → ``topP``, ``stop`` / ``stop_sequences`` → ``stopSequences``. The Converse fields ``guardrailConfig``,
  ``performanceConfig``, ``requestMetadata``, ``promptVariables``, ``serviceTier`` go where they are named; every other
  option (``top_k`` …) goes into ``additionalModelRequestFields``, the model's own body.
* Tools: ``toolConfig.tools[].toolSpec`` with ``inputSchema.json``; ``toolChoice`` ``{"auto": {}}``, ``{"any": {}}``
  or ``{"tool": {"name": …}}``. Converse has no "none" choice: ``tool_choice`` none sends no ``toolConfig`` — unless
  the history holds tool turns, which Bedrock accepts only with a ``toolConfig``; then the tools are offered (auto).
  Tool-use ids are made to match ``[a-zA-Z0-9_-]+`` reversibly (:func:`~.base.encode_tool_id`).
* Reasoning: Claude takes Anthropic's ``thinking`` object in ``additionalModelRequestFields`` — a token budget below
  ``maxTokens`` (``{"type": "enabled", "budget_tokens": N}``), or ``{"type": "adaptive"}`` with
  ``output_config.effort`` for models whose catalogue control is adaptive; ``temperature`` and ``top_k`` are not
  sent while thinking (Claude rejects them). Other vendors' reasoning models get ``reasoning_config`` = the effort.
  Budgets, efforts and ``maxTokens`` follow the rules every wire shares (:mod:`._reasoning`): the budget comes on top
  of ``max_output_tokens`` (the answer's share), and without one ``maxTokens`` leaves the answer
  :data:`DEFAULT_MAX_TOKENS` beside the budget.
  Earlier reasoning (``reasoningContent`` with ``reasoningText.text`` + ``signature``, or ``redactedContent``) is
  replayed only to the family that made it: the Converse wire on Bedrock, from a model of the same vendor
  (a signature is bound to its issuer); elsewhere it is dropped, never pasted as text.
* Images and documents are sent as bytes (base64 in JSON); an ``s3://`` URL becomes ``s3Location``; other URLs are
  refused (Converse does not fetch the web). Text files are sent as text. Document names are reduced to the
  characters Bedrock accepts.
* Structured output: the catalogue flag ``native_structured_output`` selects ``outputConfig.textFormat`` (the JSON
  schema as a string); otherwise a synthetic tool named after the schema is forced (offered only, while thinking),
  as the Anthropic protocol does, and its input becomes the structured output when the answer is parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import CapabilityError, ConfigurationError
from ..types.enums import AIModelProviderEnum, PromptMessageRoleEnum
from ..types.prompt import GenericFile, Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import (
    ChatResponse,
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCallContentItem,
)
from ._tool_ids import ToolCallIds
from .base import CallContext, cited_sources, encode_tool_id, same_family

NAME = "converse"

#: The answer's share of ``maxTokens`` beside a thinking budget when the call names no cap.
DEFAULT_MAX_TOKENS = 4096

_EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh", "max": "max"}
_INFERENCE = {"temperature": "temperature", "top_p": "topP", "topP": "topP", "max_tokens": "maxTokens"}
_TOP_LEVEL = frozenset({"guardrailConfig", "performanceConfig", "requestMetadata", "promptVariables", "serviceTier"})
_NOT_WITH_THINKING = frozenset({"temperature", "top_k"})
_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_SAFE_TOOL = re.compile(r"[^a-zA-Z0-9_-]")
_DOC_NAME_BAD = re.compile(r"[^A-Za-z0-9\s\-()\[\]]")


def is_claude(ctx: CallContext) -> bool:
    return ctx.model.provider == AIModelProviderEnum.ANTHROPIC or "anthropic." in ctx.model_name


def native_structured(ctx: CallContext) -> bool:
    settings = ctx.model.chat_settings
    return bool(settings is not None and settings.native_structured_output)


def structured_tool_name(ctx: CallContext) -> str | None:
    """The name of the synthetic tool that carries the structured output, or None when none is used."""
    so = ctx.config.structured_output
    if so is None or native_structured(ctx):
        return None
    return _SAFE_TOOL.sub("_", so.name)[:64] or "response"


def build_body(ctx: CallContext) -> dict[str, Any]:
    body: dict[str, Any] = {}
    system = [{"text": text} for text in ctx.instructions if text.strip()]
    if system:
        body["system"] = system
    messages, has_tool_turns = render_messages(ctx)
    body["messages"] = messages
    extra: dict[str, Any] = {}
    inference: dict[str, Any] = {}
    plan = ctx.reasoning_plan(NAME, None if is_claude(ctx) else "effort")
    max_tokens = ctx.max_output_tokens(DEFAULT_MAX_TOKENS if plan.budget else None)
    thinking_on = _reasoning(ctx, extra, max_tokens)
    if max_tokens:
        inference["maxTokens"] = max_tokens
    _tools(ctx, body, thinking_on=thinking_on, has_tool_turns=has_tool_turns)
    so = ctx.config.structured_output
    if so is not None and native_structured(ctx):
        spec: dict[str, Any] = {"name": so.name, "schema": json.dumps(so.strict_schema())}
        if so.description:
            spec["description"] = so.description
        body["outputConfig"] = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": spec}}}
    _options(ctx, body, inference, extra, thinking_on=thinking_on and is_claude(ctx))
    body["inferenceConfig"] = inference
    if extra:
        body["additionalModelRequestFields"] = extra
    return body


# -- messages ------------------------------------------------------------------------------------------------------


def render_messages(ctx: CallContext) -> tuple[list[dict[str, Any]], bool]:
    """The ``messages`` list, and whether it holds tool turns."""
    out: list[dict[str, Any]] = []
    pending = ToolCallIds(encode_tool_id)
    has_tools = False
    for turn, message in enumerate(ctx.messages):
        if isinstance(message, Prompt):
            role = "assistant" if message.role == PromptMessageRoleEnum.ASSISTANT else "user"
            blocks = _prompt_blocks(message, assistant=role == "assistant")
        elif isinstance(message, ChatResponse):
            role = "assistant"
            blocks = _answer_blocks(message, ctx, turn, pending)
        elif isinstance(message, ToolCallResult):
            role, blocks = "user", [_result_block(message, pending)]
        elif isinstance(message, ToolCallResultsMessage):
            role, blocks = "user", [_result_block(r, pending) for r in message.results]
        else:  # pragma: no cover - the client only builds the types above
            raise ConfigurationError(f"cannot send a {type(message).__name__} to Bedrock Converse")
        if not blocks:
            continue  # Bedrock rejects empty content; an empty turn carries nothing anyway.
        has_tools = has_tools or any("toolUse" in b or "toolResult" in b for b in blocks)
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    for merged in out:
        if merged["role"] == "user":
            content = merged["content"]
            merged["content"] = [b for b in content if "toolResult" in b] + [
                b for b in content if "toolResult" not in b
            ]
    return out, has_tools


def _prompt_blocks(prompt: Prompt, *, assistant: bool) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if prompt.files and assistant:
        raise CapabilityError("Bedrock Converse accepts files only in user turns, not in assistant turns")
    max_words = prompt.config.max_words_file if prompt.config else None
    blocks.extend(file_block(f, max_words) for f in prompt.files)
    text = prompt.rendered_text()
    if text.strip():
        blocks.append({"text": text})
    return blocks


def _source(file: GenericFile, label: str) -> dict[str, Any]:
    if file.url is not None:
        if file.url.startswith("s3://"):
            return {"s3Location": {"uri": file.url}}
        raise CapabilityError(f"file {label!r}: Bedrock Converse takes files as bytes or s3:// URIs, not web URLs")
    return {"bytes": file.base64()}


def document_name(file: GenericFile, fallback: str) -> str:
    """A document name Bedrock accepts: letters, digits, single spaces, hyphens, parentheses, square brackets."""
    name = _DOC_NAME_BAD.sub("-", (file.name or fallback).rsplit(".", 1)[0])
    return re.sub(r"\s+", " ", name).strip() or fallback


def file_block(file: GenericFile, max_words: int | None) -> dict[str, Any]:
    kind = file.kind
    label = file.name or file.media_type
    if kind == "image":
        fmt = _IMAGE_FORMATS.get(file.media_type.lower())
        if fmt is None:
            raise CapabilityError(f"image {label!r} ({file.media_type}): Bedrock takes PNG, JPEG, GIF and WebP")
        return {"image": {"format": fmt, "source": _source(file, label)}}
    if kind == "pdf":
        return {"document": {"format": "pdf", "name": document_name(file, "document"), "source": _source(file, label)}}
    if kind == "text":
        if file.url is not None:
            raise CapabilityError(f"file {label!r}: give text files as text or bytes, not as a URL")
        if file.text is None and file.data is not None:
            file = GenericFile(name=file.name, media_type=file.media_type, text=file.data.decode("utf-8", "replace"))
        return {"text": file.get_text(max_words)}
    raise CapabilityError(f"file {label!r} ({file.media_type}): Bedrock Converse takes images, PDFs and text files")


def replays_reasoning_of(response: ChatResponse, ctx: CallContext) -> bool:
    """Reasoning travels only to the same family: this wire on this API provider, from a model of the same vendor."""
    return same_family(response, ctx, NAME) and ctx.host.replays_reasoning and response.provider == ctx.vendor


def _answer_blocks(response: ChatResponse, ctx: CallContext, turn: int, pending: ToolCallIds) -> list[dict[str, Any]]:
    if not response.choices:
        return []
    same = replays_reasoning_of(response, ctx)
    indexed = list(enumerate(response.choices[0].contents))
    indexed.sort(key=lambda pair: (_position(pair[1].metadata, pair[0]), pair[0]))
    blocks: list[dict[str, Any]] = []
    for k, (_, item) in enumerate(indexed):
        if isinstance(item, ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem):
            if item.text.strip():
                blocks.append({"text": item.text})
        elif isinstance(item, ChatResponseToolCallContentItem):
            call = item.tool_call
            wire_id = pending.call(call.id, call.name, fallback=f"tooluse_dh_{turn}_{k}")
            blocks.append({"toolUse": {"toolUseId": wire_id, "name": call.name, "input": dict(call.arguments)}})
        elif isinstance(item, ChatResponseReasoningContentItem):
            block = _reasoning_block(item) if same else None
            if block is not None:
                blocks.append(block)
        elif isinstance(item, ChatResponseGenericContentItem):
            raw = item.metadata.get("block")
            if same and isinstance(raw, dict):
                blocks.append(raw)
    # Hosted web search never runs on this wire: another provider's searches are dropped, the sources its text
    # cites follow it (docs/conversations.md).
    sources = cited_sources(response).strip()
    if sources:
        blocks.append({"text": sources})
    return blocks


def _position(metadata: dict[str, Any], default: int) -> int:
    value = metadata.get("output_index")
    return value if isinstance(value, int) else default


def _reasoning_block(item: ChatResponseReasoningContentItem) -> dict[str, Any] | None:
    if item.metadata.get("redacted") and item.encrypted_content:
        return {"reasoningContent": {"redactedContent": item.encrypted_content}}
    if item.thinking_signature:
        text = {"text": item.thinking_text or "", "signature": item.thinking_signature}
        return {"reasoningContent": {"reasoningText": text}}
    return None  # unsigned reasoning cannot be verified by the model: not replayed


def _result_block(result: ToolCallResult, pending: ToolCallIds) -> dict[str, Any]:
    wire_id = pending.result(result)
    if wire_id is None:
        raise ConfigurationError(
            f"ToolCallResult(name={result.name!r}) has no call_id and answers no earlier tool call; "
            "Bedrock needs the toolUseId of the call it answers"
        )
    block: dict[str, Any] = {"toolUseId": wire_id, "content": [{"text": result.as_text()}]}
    if result.is_error:
        block["status"] = "error"
    return {"toolResult": block}


# -- tools, reasoning, options -------------------------------------------------------------------------------------


def _tools(ctx: CallContext, body: dict[str, Any], *, thinking_on: bool, has_tool_turns: bool) -> None:
    cfg = ctx.config
    specs: list[dict[str, Any]] = []
    for tool in cfg.tools or []:
        fn = tool.function
        spec: dict[str, Any] = {"name": fn.name}
        if fn.description:
            spec["description"] = fn.description
        spec["inputSchema"] = {"json": fn.json_schema()}
        specs.append({"toolSpec": spec})
    choice_type = cfg.tool_choice.type if cfg.tool_choice is not None else None
    choice: dict[str, Any] | None = None
    if choice_type == "one_or_more":
        choice = {"any": {}}
    elif choice_type == "specific" and cfg.tool_choice is not None:
        choice = {"tool": {"name": cfg.tool_choice.specific_tool_name}}
    elif choice_type == "zero_or_more":
        choice = {"auto": {}}
    if thinking_on and choice is not None and ("any" in choice or "tool" in choice) and is_claude(ctx):
        raise ConfigurationError("Claude does not allow forcing a tool (one_or_more / specific) while thinking is on")
    if choice_type == "none" and not has_tool_turns:
        specs = []
    synthetic = structured_tool_name(ctx)
    so = cfg.structured_output
    if synthetic is not None and so is not None:
        if any(s["toolSpec"]["name"] == synthetic for s in specs):
            raise ConfigurationError(f"structured_output {synthetic!r} has the name of one of the tools; rename one")
        description = so.description or "Give the final answer as this tool's input, following its schema."
        specs.append(
            {"toolSpec": {"name": synthetic, "description": description, "inputSchema": {"json": so.json_schema}}}
        )
        if thinking_on:
            choice = {"auto": {}}
        elif choice is None or "auto" in choice or choice_type == "none":
            choice = {"tool": {"name": synthetic}} if len(specs) == 1 else {"any": {}}
    if specs:
        config: dict[str, Any] = {"tools": specs}
        if choice is not None:
            config["toolChoice"] = choice
        body["toolConfig"] = config


def _reasoning(ctx: CallContext, extra: dict[str, Any], max_tokens: int | None) -> bool:
    plan = ctx.reasoning_plan(NAME)
    if not plan.on or plan.effort == "none" or plan.budget == 0:
        return False
    effort = _EFFORTS.get(plan.effort) if plan.effort else None
    if not is_claude(ctx):
        extra["reasoning_config"] = effort or "medium"
        return True
    if plan.control == "adaptive":
        extra["thinking"] = {"type": "adaptive"}
        if effort is not None:
            extra["output_config"] = {"effort": effort}
        return True
    if plan.budget is None:
        return False
    if max_tokens is not None and plan.budget >= max_tokens:
        raise ConfigurationError(
            f"the thinking budget ({plan.budget} tokens) must be below maxTokens ({max_tokens}, "
            f"{ctx.model.model_name}'s output limit): lower AIModelCallConfig.max_reasoning_tokens"
        )
    extra["thinking"] = {"type": "enabled", "budget_tokens": plan.budget}
    if plan.control == "effort" and effort is not None:
        extra["output_config"] = {"effort": effort}
    return True


def _options(
    ctx: CallContext, body: dict[str, Any], inference: dict[str, Any], extra: dict[str, Any], *, thinking_on: bool
) -> None:
    for key, value in ctx.config.options.items():
        if value is None or (thinking_on and key in _NOT_WITH_THINKING):
            continue
        if key in ("stop", "stop_sequences", "stopSequences"):
            inference["stopSequences"] = [value] if isinstance(value, str) else list(value)
        elif key in _INFERENCE:
            inference[_INFERENCE[key]] = value
        elif key in _TOP_LEVEL:
            body[key] = value
        elif isinstance(value, dict) and isinstance(extra.get(key), dict):
            extra[key] = {**extra[key], **value}
        else:
            extra[key] = value
