"""Building OpenAI Responses API requests (``POST /responses``).

The conversation becomes ``input`` items:

* a user ``Prompt`` → a user message: plain text, or ``input_text`` / ``input_image`` / ``input_file`` parts when it
  carries files (images as data or plain URLs, PDFs and other documents as ``file_data`` data URLs with a filename
  or as ``file_url``, text files inlined as ``input_text``). Audio cannot travel on this wire.
* an assistant ``Prompt`` → an assistant message.
* an earlier ``ChatResponse`` made by this same protocol on the same host → its own output items again, in their
  original order (``metadata["output_index"]``): assistant messages with their ids, ``function_call`` items,
  reasoning items with their ids, summaries and ``encrypted_content``, and built-in tool items as they came.
  A reasoning item is replayed only with its ``encrypted_content`` (the only form that works without server-side
  storage) and only to a reasoning model; when one of a turn's reasoning items cannot be replayed, the rest of that
  turn goes without item ids, since OpenAI rejects an item whose reasoning item is missing.
* an earlier ``ChatResponse`` of any other family → its text as an assistant message and its tool calls as
  ``function_call`` items; its reasoning is dropped (see ``docs/conversations.md``).
* ``ToolCallResult`` / ``ToolCallResultsMessage`` → ``function_call_output`` items.

Hosted web search (``AIModelCallConfig.hosted_tools``) is the ``web_search`` tool after the function tools, with
``include: ["web_search_call.action.sources"]`` so that the answer lists the pages each search consulted;
``max_uses`` becomes ``max_tool_calls`` (the cap on built-in tool calls), ``allowed_domains`` the tool's
``filters``. OpenAI's tool has no blocked-domain filter: asking for one is a ``CapabilityError``. An earlier answer's
``web_search_call`` items go back to OpenAI as they came (with the ``output_text`` annotations on its text); to this
wire a foreign answer's searches are dropped and the sources it cites follow its text (see ``docs/conversations.md``).

Tool-call ids go out as the provider made them (ids rewritten for Anthropic are decoded), each unique within the
request (see :mod:`._tool_ids`).

``options`` go into the body as they are, so new API parameters are reachable without a release, except the
Chat Completions parameters this API does not have (``stop``, ``seed``, penalties …): those raise a
``ConfigurationError`` naming the parameter, instead of a 400 from the server.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import CapabilityError, ConfigurationError
from ..types.enums import PromptMessageRoleEnum
from ..types.hosted_tools import WebSearchHostedTool
from ..types.prompt import GenericFile, Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import (
    ChatResponse,
    ChatResponseContentItem,
    ChatResponseGenericContentItem,
    ChatResponseReasoningContentItem,
    ChatResponseStructuredOutputContentItem,
    ChatResponseTextContentItem,
    ChatResponseToolCallContentItem,
    ChatResponseWebSearchCallContentItem,
)
from ..types.tools import StructuredOutputConfig, ToolChoice, ToolDefinition, to_strict_json_schema
from . import _common as common
from ._reasoning import clamp_effort
from ._responses_response import NAME
from ._tool_ids import ToolCallIds
from .base import CallContext, WireRequest, cited_sources, same_family

#: Chat Completions parameters the Responses API does not accept, with what to use instead.
UNSUPPORTED_OPTIONS = {
    "stop": "the Responses API has no stop sequences (use AIModelAPI config wire_api='chat_completions')",
    "seed": "the Responses API has no seed (use AIModelAPI config wire_api='chat_completions')",
    "frequency_penalty": "the Responses API has no frequency_penalty",
    "presence_penalty": "the Responses API has no presence_penalty",
    "logit_bias": "the Responses API has no logit_bias",
    "n": "the Responses API returns one answer per call",
    "logprobs": "use options top_logprobs and include=['message.output_text.logprobs']",
    "max_tokens": "use AIModelCallConfig.max_output_tokens",
    "max_completion_tokens": "use AIModelCallConfig.max_output_tokens",
    "response_format": "use AIModelCallConfig.structured_output",
    "reasoning_effort": "use AIModelCallConfig.reasoning_effort",
}
#: Body fields built from the call itself, which options may not replace.
_OWN_FIELDS = ("model", "input", "instructions", "stream")


# -- user turns ----------------------------------------------------------------------------------------------------


def _accepts(ctx: CallContext, modality: str) -> bool:
    settings = ctx.model.chat_settings
    return bool(ctx.model.metadata.get("generic")) or settings is None or modality in settings.input_modalities


def _file_part(file: GenericFile, ctx: CallContext, max_words: int | None) -> dict[str, Any]:
    kind = file.kind
    label = file.name or "attached file"
    if kind == "text" and file.url is None:
        text = file.text if file.text is not None else (file.data or b"").decode("utf-8", errors="replace")
        if max_words:
            text = " ".join(text.split()[:max_words])
        return {"type": "input_text", "text": f"[{label}]\n{text}"}
    if kind == "image":
        if not _accepts(ctx, "image"):
            raise CapabilityError(f"{ctx.model.model_name} does not take image input ({label})")
        return {"type": "input_image", "image_url": file.url or file.data_url(), "detail": "auto"}
    if kind == "audio":
        raise CapabilityError(f"the OpenAI Responses API takes no audio input ({label}); use chat_completions")
    if kind == "pdf" and not _accepts(ctx, "pdf"):
        raise CapabilityError(f"{ctx.model.model_name} does not take PDF input ({label})")
    if file.url is not None:
        return {"type": "input_file", "file_url": file.url}
    default_name = "document.pdf" if kind == "pdf" else "file"
    return {"type": "input_file", "filename": file.name or default_name, "file_data": file.data_url()}


def _prompt_item(prompt: Prompt, ctx: CallContext) -> dict[str, Any]:
    text = prompt.rendered_text()
    role = prompt.role.value
    if prompt.role == PromptMessageRoleEnum.ASSISTANT:
        if prompt.files:
            raise ConfigurationError("an assistant Prompt cannot carry files on the OpenAI Responses API")
        return {"role": "assistant", "content": text}
    if not prompt.files:
        return {"role": role, "content": text}
    max_words = prompt.config.max_words_file if prompt.config else None
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": text}] if text else []
    parts.extend(_file_part(f, ctx, max_words) for f in prompt.files)
    return {"role": role, "content": parts}


def _tool_output(result: ToolCallResult, ids: ToolCallIds) -> dict[str, Any]:
    if not result.call_id:
        raise ConfigurationError("ToolCallResult.call_id is required: it names the tool call this result answers")
    return {"type": "function_call_output", "call_id": ids.result(result), "output": result.as_text()}


# -- earlier answers -----------------------------------------------------------------------------------------------


def _arguments(item: ChatResponseToolCallContentItem) -> str:
    call = item.tool_call
    if call.raw_arguments is not None:
        return call.raw_arguments
    return json.dumps(call.arguments, ensure_ascii=False)


def _function_call(item: ChatResponseToolCallContentItem, with_id: bool, ids: ToolCallIds) -> dict[str, Any]:
    call = item.tool_call
    if not call.id:
        raise ConfigurationError(f"tool call {call.name!r} in the history has no id to pair its result with")
    out: dict[str, Any] = {
        "type": "function_call",
        "call_id": ids.call(call.id, call.name, fallback=call.id),
        "name": call.name,
        "arguments": _arguments(item),
    }
    if with_id and call.metadata.get("item_id"):
        out["id"] = call.metadata["item_id"]
    return out


def _in_output_order(contents: list[ChatResponseContentItem]) -> list[ChatResponseContentItem]:
    """Items in the order the model produced them: ``finalize`` may have moved an empty reasoning item behind the
    answer, but OpenAI wants a reasoning item right before the item it led to."""
    if contents and all(isinstance(c.metadata.get("output_index"), int) for c in contents):
        return sorted(contents, key=lambda c: int(c.metadata["output_index"]))
    return contents


def _replayable(item: ChatResponseReasoningContentItem, ctx: CallContext) -> bool:
    settings = ctx.model.chat_settings
    reasons = settings is None or settings.supports_reasoning or bool(ctx.model.metadata.get("generic"))
    return bool(reasons and item.encrypted_content and item.thinking_id)


def _reasoning(item: ChatResponseReasoningContentItem) -> dict[str, Any]:
    return {
        "type": "reasoning",
        "id": item.thinking_id,
        "summary": [{"type": "summary_text", "text": s} for s in item.thinking_summary or []],
        "encrypted_content": item.encrypted_content,
    }


def _text_part(item: ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem) -> dict[str, Any]:
    if item.metadata.get("refusal"):
        return {"type": "refusal", "refusal": item.text}
    return {
        "type": "output_text",
        "text": item.text,
        "annotations": item.metadata.get("annotations") or [],
        "logprobs": [],
    }


def _native_items(response: ChatResponse, ctx: CallContext, ids: ToolCallIds) -> list[dict[str, Any]]:
    contents = _in_output_order(list(response.choices[0].contents))
    reasoning = [c for c in contents if isinstance(c, ChatResponseReasoningContentItem)]
    with_ids = all(_replayable(r, ctx) for r in reasoning)
    out: list[dict[str, Any]] = []
    for item in contents:
        if isinstance(item, ChatResponseReasoningContentItem):
            if _replayable(item, ctx):
                out.append(_reasoning(item))
        elif isinstance(item, ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem):
            if not (with_ids and item.message_id):
                if item.text:
                    out.append({"role": "assistant", "content": item.text})
                continue
            last = out[-1] if out else None
            if last is not None and last.get("type") == "message" and last.get("id") == item.message_id:
                last["content"].append(_text_part(item))
                continue
            message: dict[str, Any] = {
                "type": "message",
                "role": "assistant",
                "id": item.message_id,
                "status": "completed",
                "content": [_text_part(item)],
            }
            if item.metadata.get("phase"):
                message["phase"] = item.metadata["phase"]
            out.append(message)
        elif isinstance(item, ChatResponseToolCallContentItem):
            out.append(_function_call(item, with_ids, ids))
        elif isinstance(item, ChatResponseGenericContentItem | ChatResponseWebSearchCallContentItem):
            raw = item.metadata.get("item")
            # Built-in tool items (web search, code interpreter …) go back as they came; they carry ids.
            if with_ids and isinstance(raw, dict):
                out.append(raw)
    return out


def _foreign_items(response: ChatResponse, ids: ToolCallIds) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    text: list[str] = []

    def flush() -> None:
        joined = "".join(text)
        if joined:
            out.append({"role": "assistant", "content": joined})
        text.clear()

    for item in response.choices[0].contents:
        if isinstance(item, ChatResponseTextContentItem | ChatResponseStructuredOutputContentItem):
            text.append(item.text)
        elif isinstance(item, ChatResponseToolCallContentItem):
            flush()
            out.append(_function_call(item, False, ids))
        # Foreign reasoning is dropped, never pasted as text; foreign built-in tool items mean nothing here.
    text.append(cited_sources(response))
    flush()
    return out


def render_input(ctx: CallContext) -> list[dict[str, Any]]:
    """The ``input`` items of the conversation."""
    items: list[dict[str, Any]] = []
    # Ids in the history are the providers' own (rewritten ones are decoded), each made unique.
    ids = ToolCallIds(lambda original: original)
    for message in ctx.messages:
        if isinstance(message, Prompt):
            items.append(_prompt_item(message, ctx))
        elif isinstance(message, ChatResponse):
            if not message.choices:
                continue
            if same_family(message, ctx, NAME):
                items.extend(_native_items(message, ctx, ids))
            else:
                items.extend(_foreign_items(message, ids))
        elif isinstance(message, ToolCallResult):
            items.append(_tool_output(message, ids))
        elif isinstance(message, ToolCallResultsMessage):
            items.extend(_tool_output(r, ids) for r in message.results)
    return items


# -- tools, output format, options ---------------------------------------------------------------------------------


def tool_param(tool: ToolDefinition) -> dict[str, Any]:
    """A function tool. ``strict`` is on when ``FunctionDefinition.strict`` asks for it (the schema is then sent in
    strict form) or, when unset, when the schema already is in strict form (closed objects, every property
    required); otherwise off."""
    fn = tool.function
    schema = fn.json_schema()
    strict_form = to_strict_json_schema(schema)
    if fn.strict is True:
        parameters, strict = strict_form, True
    else:
        parameters, strict = schema, fn.strict is None and strict_form == schema
    out: dict[str, Any] = {"type": "function", "name": fn.name, "parameters": parameters, "strict": strict}
    if fn.description:
        out["description"] = fn.description
    return out


def tool_choice_param(choice: ToolChoice, tools: list[ToolDefinition]) -> str | dict[str, Any]:
    if choice.type == "specific":
        if choice.specific_tool_name not in {t.name for t in tools}:
            raise ConfigurationError(f"tool_choice names {choice.specific_tool_name!r}, which is not in tools")
        return {"type": "function", "name": choice.specific_tool_name}
    return {"zero_or_more": "auto", "one_or_more": "required", "none": "none"}[choice.type]


def format_param(so: StructuredOutputConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "json_schema", "name": so.name, "schema": so.strict_schema(), "strict": True}
    if so.description:
        out["description"] = so.description
    return out


def web_search_tool(tool: WebSearchHostedTool) -> dict[str, Any]:
    """OpenAI's ``web_search`` tool for a :class:`WebSearchHostedTool`."""
    refused = tool.given("blocked_domains")
    if refused:
        raise CapabilityError(
            "OpenAI's web_search tool has no blocked-domain filter (WebSearchHostedTool.blocked_domains); "
            "use allowed_domains"
        )
    out: dict[str, Any] = {"type": "web_search"}
    if tool.allowed_domains:
        out["filters"] = {"allowed_domains": list(tool.allowed_domains)}
    if tool.user_location is not None:
        out["user_location"] = tool.user_location.as_wire()
    if tool.search_context_size is not None:
        out["search_context_size"] = tool.search_context_size
    if tool.external_web_access is not None:
        out["external_web_access"] = tool.external_web_access
    if tool.return_token_budget is not None:
        out["return_token_budget"] = tool.return_token_budget
    return out


def _hosted_tools(body: dict[str, Any], tools: list[WebSearchHostedTool]) -> None:
    body.setdefault("tools", []).extend(web_search_tool(t) for t in tools)
    include = body.setdefault("include", [])
    if "web_search_call.action.sources" not in include:
        include.append("web_search_call.action.sources")
    caps = [t.max_uses for t in tools if t.max_uses is not None]
    if caps:
        body["max_tool_calls"] = min(caps)


def _merge_options(body: dict[str, Any], options: dict[str, Any]) -> None:
    for key, value in options.items():
        if key in UNSUPPORTED_OPTIONS:
            raise ConfigurationError(
                f"options[{key!r}] is not a parameter of the OpenAI Responses API: " + UNSUPPORTED_OPTIONS[key]
            )
        if key in _OWN_FIELDS:
            raise ConfigurationError(f"options[{key!r}] is set from the call itself and cannot be overridden")
        current = body.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            body[key] = {**current, **value}
        elif key == "include" and isinstance(current, list) and isinstance(value, list):
            body[key] = current + [v for v in value if v not in current]
        else:
            body[key] = value


def build_request(ctx: CallContext) -> WireRequest:
    """The ``POST /responses`` request for this call."""
    cfg = ctx.config
    body: dict[str, Any] = {"model": ctx.model_name}
    if ctx.instructions:
        body["instructions"] = "\n\n".join(ctx.instructions)
    body["input"] = render_input(ctx)
    plan = ctx.reasoning_plan(NAME)
    cap = ctx.max_output_tokens()
    if cap:
        body["max_output_tokens"] = cap
    if cfg.tools:
        body["tools"] = [tool_param(t) for t in cfg.tools]
        if cfg.tool_choice is not None:
            body["tool_choice"] = tool_choice_param(cfg.tool_choice, cfg.tools)
    if cfg.structured_output is not None:
        body["text"] = {"format": format_param(cfg.structured_output)}
    if plan.on:
        settings = ctx.model.chat_settings
        effort = clamp_effort(plan.effort or "medium", settings.supported_reasoning_efforts if settings else None)
        body["reasoning"] = {"effort": effort, "summary": cfg.reasoning_summary or "auto"}
        # Stateless reasoning: nothing stored server-side, the encrypted reasoning comes back to be replayed.
        body["include"] = ["reasoning.encrypted_content"]
        body["store"] = False
    if cfg.hosted_tools:
        _hosted_tools(body, cfg.hosted_tools)
    if cfg.metadata and all(isinstance(k, str) and isinstance(v, str) for k, v in cfg.metadata.items()):
        body["metadata"] = dict(cfg.metadata)
    _merge_options(body, cfg.options)
    if ctx.stream:
        body["stream"] = True
    path, params = ctx.route(NAME)
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is sent.
    common.check_request_body(body)
    return WireRequest(method="POST", path=path, json=body, params=params or None, stream=ctx.stream)
