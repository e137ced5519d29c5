"""The request body of the Anthropic Messages protocol: system, messages, tools, thinking and structured output.

Choices made here, each for a documented reason:

* ``max_tokens`` is required by Anthropic, and covers thinking too (Anthropic counts it as output). With a thinking
  budget it is ``max_output_tokens`` (the answer's share) plus the budget, within the model's limit (see
  :mod:`._reasoning`). When the call names no cap it is what Anthropic's SDK allows a non-streaming request
  (:data:`NONSTREAMING_MAX_TOKENS`, or the model's own non-streaming cap), within the model's limit, streamed or
  not; :data:`DEFAULT_MAX_TOKENS` for a model outside the catalogue.
* Messages alternate strictly between ``user`` and ``assistant``: consecutive turns of one role are merged into one
  message with several blocks, and in a user message tool results come first (Anthropic requires them right after
  the assistant's ``tool_use``). Content is always a list of blocks. Files come before the prompt's text, as
  Anthropic's vision guide recommends.
* Earlier answers are rendered natively: text blocks, ``tool_use`` blocks (ids made safe by
  :func:`~dhenara_http.protocols.base.encode_tool_id` and unique in the request, see :mod:`._tool_ids`), and — only
  for an answer of the same family — ``thinking`` / ``redacted_thinking`` blocks with their signatures and the raw
  server-tool blocks, in their original order. Reasoning of any other family is dropped, never pasted in as text.
* Thinking: a catalogue ``reasoning_control`` of ``"adaptive"`` sends ``{"type": "adaptive", "display":
  "summarized"}`` (newer models omit the thinking text unless asked) with ``output_config.effort``; ``"effort"``
  (the Opus 4.5 generation: effort plus a token budget) sends a budget with ``output_config.effort``; anything else a
  token budget (``budget_tokens``: at least 1,024 and below ``max_tokens``; an effort stands for a budget, and
  ``medium``'s when the call names neither). ``temperature`` and ``top_k`` are not sent while thinking (Anthropic
  rejects them); ``top_p`` is the caller's business.
* Hosted web search (``AIModelCallConfig.hosted_tools``) is Anthropic's ``web_search`` server tool, after the
  caller's tools: ``web_search_20260209`` on the models whose catalogue entry names it (Claude 4.6 and later),
  ``web_search_20250305`` elsewhere, with ``max_uses``, ``allowed_domains`` *or* ``blocked_domains`` and
  ``user_location``. OpenAI's knobs (``search_context_size`` …) are refused. An earlier answer of the same family
  replays its ``server_tool_use`` / ``web_search_tool_result`` blocks and its text blocks' ``citations`` as they
  came (Anthropic needs the encrypted content back to keep citing); a foreign answer's searches are dropped and the
  sources it cites follow its text.
* Structured output: the catalogue flag ``native_structured_output`` selects ``output_config.format``
  (``{"type": "json_schema", "schema": ...}``, the strict form of the schema); otherwise a synthetic tool named after
  the schema is forced, and its input becomes the structured output when the answer is parsed. Forcing a tool is
  not allowed while thinking, so then the tool is only offered (``tool_choice`` auto).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import CapabilityError, ConfigurationError
from ..types.enums import PromptMessageRoleEnum
from ..types.hosted_tools import WebSearchHostedTool
from ..types.prompt import GenericFile, Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import (
    ChatResponse,
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCallContentItem,
    ChatResponseWebSearchCallContentItem,
    ChatResponseWebSearchResultContentItem,
)
from ..types.tools import ToolChoice, ToolDefinition
from ._tool_ids import ToolCallIds
from .base import CallContext, cited_sources, encode_tool_id, same_family

NAME = "anthropic"

#: The output cap sent when neither the call nor the catalogue gives one (Anthropic requires ``max_tokens``).
DEFAULT_MAX_TOKENS = 4096
#: The largest ``max_tokens`` Anthropic's SDK sends in a non-streaming request without a timeout of the caller's: it
#: refuses one whose expected time (at 128,000 output tokens an hour) passes its 10-minute default timeout.
NONSTREAMING_MAX_TOKENS = 21_333
#: The web-search server tool version for a model whose catalogue entry names none.
DEFAULT_WEB_SEARCH_TOOL = "web_search_20250305"

_EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh", "max": "max"}
_TOOL_CHOICES = {"zero_or_more": "auto", "one_or_more": "any", "none": "none"}
# Options Anthropic rejects while extended thinking is on.
_NOT_WITH_THINKING = ("temperature", "top_k")
_SAFE_NAME = re.compile(r"[^a-zA-Z0-9_-]")


def native_structured(ctx: CallContext) -> bool:
    settings = ctx.model.chat_settings
    return bool(settings is not None and settings.native_structured_output)


def structured_tool_name(ctx: CallContext) -> str | None:
    """The name of the synthetic tool that carries the structured output, or None when none is used."""
    so = ctx.config.structured_output
    if so is None or native_structured(ctx):
        return None
    return _SAFE_NAME.sub("_", so.name)[:64] or "response"


def default_max_tokens(ctx: CallContext) -> int:
    """``max_tokens`` when the call names no cap (see the module docstring)."""
    settings = ctx.model.chat_settings
    limit = settings.max_output_tokens if settings is not None else 0
    if ctx.config.reasoning and settings is not None and settings.max_output_tokens_reasoning_mode:
        limit = settings.max_output_tokens_reasoning_mode
    if not limit:
        return DEFAULT_MAX_TOKENS
    # Streams get the same default: a call's body does not change with streaming, and one that wants more names it.
    own = settings.nonstreaming_max_output_tokens if settings is not None else None
    return min(limit, own or NONSTREAMING_MAX_TOKENS)


def build_body(ctx: CallContext) -> dict[str, Any]:
    """The Messages API body, without ``stream`` and without host-specific fields."""
    ctx.reasoning_plan(NAME)
    max_tokens = ctx.max_output_tokens(default_max_tokens(ctx)) or DEFAULT_MAX_TOKENS
    body: dict[str, Any] = {"model": ctx.model_name, "max_tokens": max_tokens}
    system = [{"type": "text", "text": text} for text in ctx.instructions if text.strip()]
    if system:
        body["system"] = system
    body["messages"] = render_messages(ctx)
    output_config: dict[str, Any] = {}
    thinking = _thinking(ctx, max_tokens, output_config)
    _tools(ctx, body, thinking_on=thinking is not None)
    if thinking is not None:
        body["thinking"] = thinking
    so = ctx.config.structured_output
    if so is not None and native_structured(ctx):
        output_config["format"] = {"type": "json_schema", "schema": so.strict_schema()}
    if output_config:
        body["output_config"] = output_config
    _options(ctx, body, thinking_on=thinking is not None)
    return body


# -- messages ------------------------------------------------------------------------------------------------------


def render_messages(ctx: CallContext) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pending = ToolCallIds(encode_tool_id)
    for turn, message in enumerate(ctx.messages):
        if isinstance(message, Prompt):
            role = "assistant" if message.role == PromptMessageRoleEnum.ASSISTANT else "user"
            blocks = _prompt_blocks(message, assistant=role == "assistant")
        elif isinstance(message, ChatResponse):
            role = "assistant"
            blocks = _answer_blocks(message, ctx, turn, pending)
        elif isinstance(message, ToolCallResult):
            role = "user"
            blocks = [_result_block(message, pending)]
        elif isinstance(message, ToolCallResultsMessage):
            role = "user"
            blocks = [_result_block(r, pending) for r in message.results]
        else:  # pragma: no cover - the client only builds the types above
            raise ConfigurationError(f"cannot send a {type(message).__name__} to Anthropic")
        if not blocks:
            continue  # Anthropic rejects empty messages; an empty turn carries nothing anyway.
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    for merged in out:
        if merged["role"] == "user":
            # Tool results must open the user message that follows the tool calls.
            content = merged["content"]
            merged["content"] = [b for b in content if b.get("type") == "tool_result"] + [
                b for b in content if b.get("type") != "tool_result"
            ]
    return out


def _prompt_blocks(prompt: Prompt, *, assistant: bool) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if not assistant:
        max_words = prompt.config.max_words_file if prompt.config else None
        blocks.extend(_file_block(f, max_words) for f in prompt.files)
    elif prompt.files:
        raise CapabilityError("Anthropic accepts files only in user turns, not in assistant turns")
    text = prompt.rendered_text()
    if text.strip():
        blocks.append({"type": "text", "text": text})
    return blocks


def _file_block(file: GenericFile, max_words: int | None) -> dict[str, Any]:
    kind = file.kind
    label = file.name or file.media_type
    if kind == "image":
        if file.url is not None:
            return {"type": "image", "source": {"type": "url", "url": file.url}}
        return {"type": "image", "source": {"type": "base64", "media_type": file.media_type, "data": file.base64()}}
    if kind == "pdf":
        if file.url is not None:
            return {"type": "document", "source": {"type": "url", "url": file.url}}
        return {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": file.base64()},
        }
    if kind == "text":
        if file.url is not None:
            raise CapabilityError(f"file {label!r}: Anthropic fetches only images and PDFs from a URL")
        if file.text is None and file.data is not None:
            file = GenericFile(name=file.name, media_type=file.media_type, text=file.data.decode("utf-8", "replace"))
        return {"type": "text", "text": file.get_text(max_words)}
    raise CapabilityError(f"file {label!r} ({file.media_type}): Anthropic accepts images, PDFs and text files")


def _answer_blocks(response: ChatResponse, ctx: CallContext, turn: int, pending: ToolCallIds) -> list[dict[str, Any]]:
    if not response.choices:
        return []
    same = same_family(response, ctx, NAME) and ctx.host.replays_reasoning
    indexed = list(enumerate(response.choices[0].contents))
    # Back into the order the provider produced them (finalize may have moved an empty reasoning item).
    indexed.sort(key=lambda pair: (_position(pair[1].metadata, pair[0]), pair[0]))
    blocks: list[dict[str, Any]] = []
    for k, (_, item) in enumerate(indexed):
        if isinstance(item, ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem):
            if item.text.strip():
                text_block: dict[str, Any] = {"type": "text", "text": item.text}
                citations = item.metadata.get("citations")
                if same and isinstance(citations, list) and citations:
                    text_block["citations"] = citations
                blocks.append(text_block)
        elif isinstance(item, ChatResponseToolCallContentItem):
            call = item.tool_call
            wire_id = pending.call(call.id, call.name, fallback=f"toolu_dh_{turn}_{k}")
            blocks.append({"type": "tool_use", "id": wire_id, "name": call.name, "input": dict(call.arguments)})
        elif isinstance(item, ChatResponseReasoningContentItem):
            if same:
                block = _thinking_block(item)
                if block is not None:
                    blocks.append(block)
        elif isinstance(
            item,
            ChatResponseGenericContentItem
            | ChatResponseWebSearchCallContentItem
            | ChatResponseWebSearchResultContentItem,
        ):
            raw = item.metadata.get("block")
            if same and isinstance(raw, dict):
                blocks.append(raw)
    if not same:
        sources = cited_sources(response).strip()
        if sources:
            blocks.append({"type": "text", "text": sources})
    return blocks


def _position(metadata: dict[str, Any], default: int) -> int:
    value = metadata.get("output_index")
    return value if isinstance(value, int) else default


def _thinking_block(item: ChatResponseReasoningContentItem) -> dict[str, Any] | None:
    if item.metadata.get("redacted") and item.encrypted_content:
        return {"type": "redacted_thinking", "data": item.encrypted_content}
    if item.thinking_signature:
        return {"type": "thinking", "thinking": item.thinking_text or "", "signature": item.thinking_signature}
    return None  # Thinking without its signature is rejected; it cannot be replayed.


def _result_block(result: ToolCallResult, pending: ToolCallIds) -> dict[str, Any]:
    wire_id = pending.result(result)
    if wire_id is None:
        raise ConfigurationError(
            f"ToolCallResult(name={result.name!r}) has no call_id and answers no earlier tool call; "
            "Anthropic needs the id of the tool call it answers"
        )
    return {
        "type": "tool_result",
        "tool_use_id": wire_id,
        "content": result.as_text(),
        "is_error": result.is_error,
    }


# -- tools, thinking, options --------------------------------------------------------------------------------------


def _tool_param(tool: ToolDefinition) -> dict[str, Any]:
    fn = tool.function
    param: dict[str, Any] = {"name": fn.name}
    if fn.description:
        param["description"] = fn.description
    param["input_schema"] = fn.json_schema()
    if fn.strict:
        param["strict"] = True
    return param


def _choice(choice: ToolChoice) -> dict[str, Any]:
    if choice.type == "specific":
        return {"type": "tool", "name": choice.specific_tool_name}
    return {"type": _TOOL_CHOICES[choice.type]}


def _tools(ctx: CallContext, body: dict[str, Any], *, thinking_on: bool) -> None:
    cfg = ctx.config
    tools = [_tool_param(t) for t in cfg.tools or []]
    choice = _choice(cfg.tool_choice) if cfg.tool_choice is not None and tools else None
    if thinking_on and choice is not None and choice["type"] in ("any", "tool"):
        raise ConfigurationError(
            "Anthropic does not allow forcing a tool (tool_choice one_or_more / specific) while thinking is on"
        )
    synthetic = structured_tool_name(ctx)
    so = cfg.structured_output
    if synthetic is not None and so is not None:
        if any(t["name"] == synthetic for t in tools):
            raise ConfigurationError(
                f"structured_output {synthetic!r} has the name of one of the tools; rename one of them"
            )
        tools.append(
            {
                "name": synthetic,
                "description": so.description or "Give the final answer as this tool's input, following its schema.",
                "input_schema": so.json_schema,
            }
        )
        if thinking_on:
            choice = {"type": "auto"}
        elif choice is None or choice["type"] == "auto":
            # Alone, the answer tool is forced; beside the caller's tools, some tool must be called each turn.
            choice = {"type": "tool", "name": synthetic} if len(tools) == 1 else {"type": "any"}
        elif choice["type"] == "none":
            choice = {"type": "tool", "name": synthetic}
    tools.extend(_web_search_tool(ctx, hosted) for hosted in cfg.hosted_tools or [])
    if tools:
        body["tools"] = tools
    if choice is not None:
        body["tool_choice"] = choice


def _web_search_tool(ctx: CallContext, tool: WebSearchHostedTool) -> dict[str, Any]:
    refused = tool.given("search_context_size", "external_web_access", "return_token_budget")
    if refused:
        raise CapabilityError(
            "Anthropic's web search tool does not take " + ", ".join(refused) + " (WebSearchHostedTool)"
        )
    if tool.allowed_domains and tool.blocked_domains:
        raise ConfigurationError(
            "Anthropic's web search takes allowed_domains or blocked_domains, not both (WebSearchHostedTool)"
        )
    version = str(ctx.model.metadata.get("web_search_tool") or DEFAULT_WEB_SEARCH_TOOL)
    out: dict[str, Any] = {"type": version, "name": "web_search"}
    if tool.max_uses is not None:
        out["max_uses"] = tool.max_uses
    if tool.allowed_domains:
        out["allowed_domains"] = list(tool.allowed_domains)
    if tool.blocked_domains:
        out["blocked_domains"] = list(tool.blocked_domains)
    if tool.user_location is not None:
        out["user_location"] = tool.user_location.as_wire()
    return out


def _thinking(ctx: CallContext, max_tokens: int, output_config: dict[str, Any]) -> dict[str, Any] | None:
    plan = ctx.reasoning_plan(NAME)
    if not plan.on or plan.effort == "none" or plan.budget == 0:
        return None
    settings = ctx.model.chat_settings
    if plan.effort is not None:
        effort = _EFFORTS[plan.effort]
        allowed = settings.supported_reasoning_efforts if settings is not None else None
        if allowed and effort not in allowed:
            raise CapabilityError(
                f"{ctx.model.model_name} does not support reasoning_effort {plan.effort!r}; use one of "
                f"{', '.join(allowed)}"
            )
        output_config["effort"] = effort
    if plan.control == "adaptive":
        return {"type": "adaptive", "display": "summarized"}
    if plan.budget is None:
        return None
    if plan.budget >= max_tokens:
        raise ConfigurationError(
            f"the thinking budget ({plan.budget} tokens) must be below max_tokens ({max_tokens}, "
            f"{ctx.model.model_name}'s output limit): lower AIModelCallConfig.max_reasoning_tokens"
        )
    return {"type": "enabled", "budget_tokens": plan.budget}


def _options(ctx: CallContext, body: dict[str, Any], *, thinking_on: bool) -> None:
    """The caller's options: ``stop`` becomes ``stop_sequences``, ``user`` becomes ``metadata.user_id``; dict
    options that the body already has (``metadata``, ``output_config``) are merged; the rest pass as they are and win
    over what was built."""
    for key, value in ctx.config.options.items():
        if value is None or (thinking_on and key in _NOT_WITH_THINKING):
            continue
        if key == "stop":
            body["stop_sequences"] = [value] if isinstance(value, str) else list(value)
        elif key == "user":
            body.setdefault("metadata", {})["user_id"] = value
        elif isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
