"""The OpenAI Chat Completions wire protocol: ``POST {base}/chat/completions``.

Spoken by OpenAI (``config["wire_api"] = "chat_completions"``), Azure OpenAI, Azure AI model inference, DeepSeek and
every OpenAI-compatible server (Groq, Mistral, OpenRouter, Ollama, vLLM …). Differences between those hosts are flags
of their :class:`~dhenara_http.hosts.HostProfile` (the output-cap field, ``stream_options``, the ``developer`` role,
``reasoning_effort``, DeepSeek's ``reasoning_content`` replay), never checks of who the provider is.

Requests are built here; answers are read in :mod:`._chat_completions_response` and streams in
:mod:`._chat_completions_stream`.

History from earlier turns is rendered natively: text as assistant ``content``, tool calls as ``tool_calls`` with
their ids restored (:func:`~.base.decode_tool_id`) and unique in the request (:mod:`._tool_ids`), tool results as
``tool`` messages. Reasoning is never pasted into
the conversation as text. It goes back only where the host needs it: on a host with ``replays_reasoning_content``
(DeepSeek, whose thinking mode rejects a tool-call turn without it, and ignores it on other turns), or an
OpenAI-compatible API whose ``config["replay_reasoning"]`` is true, every assistant turn with tool calls carries its own
reasoning (same family only; ``""`` otherwise), in the field it came in, with OpenRouter's ``reasoning_details``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..errors import CapabilityError, ConfigurationError
from ..types.enums import ChatResponseContentItemType as T
from ..types.prompt import GenericFile, Prompt, ToolCallResult, ToolCallResultsMessage
from ..types.response import ChatResponse, ChatResponseReasoningContentItem, ChatResponseToolCallContentItem
from ..types.tools import ToolChoice, ToolDefinition, to_strict_json_schema
from . import _common as common
from ._chat_completions_response import REASONING_FIELDS, WIRE_NAME, parse_error, parse_response
from ._reasoning import clamp_effort
from ._tool_ids import ToolCallIds
from .base import CallContext, WireRequest, cited_sources, same_family

if TYPE_CHECKING:
    from ._chat_completions_stream import Accumulator

#: How a stream of this wire is framed on the wire (a host row may say otherwise: Bedrock's event streams).
FRAMING = "sse"

__all__ = ["FRAMING", "NAME", "Accumulator", "build_request", "new_accumulator", "parse_error", "parse_response"]

NAME = WIRE_NAME

#: Body keys the protocol owns; ``config.options`` cannot replace them.
_RESERVED = frozenset({"model", "messages", "stream"})
_OUTPUT_CAPS = ("max_tokens", "max_completion_tokens")
# OpenAI's reasoning models: the o-series and GPT-5 (a catalogue entry may say so too, see _is_reasoning_model).
_OPENAI_REASONING_NAME = re.compile(r"^(o[1-9]|gpt-5)")
_AUDIO_FORMATS = {"mpeg": "mp3", "mp3": "mp3", "x-wav": "wav", "wave": "wav", "wav": "wav", "x-m4a": "m4a"}


def new_accumulator(ctx: CallContext) -> Accumulator:
    from ._chat_completions_stream import Accumulator

    return Accumulator(ctx)


def __getattr__(name: str) -> Any:
    # The stream reader is imported with the first stream: a call that does not stream never loads it.
    if name == "Accumulator":
        from ._chat_completions_stream import Accumulator

        return Accumulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the request ---------------------------------------------------------------------------------------------------


def build_request(ctx: CallContext) -> WireRequest:
    cfg = ctx.config
    body: dict[str, Any] = {"model": ctx.model_name, "messages": render_messages(ctx)}
    options = {k: v for k, v in cfg.options.items() if k not in _RESERVED}
    ctx.reasoning_plan(NAME)
    cap = ctx.max_output_tokens()
    if cap and not any(k in options for k in _OUTPUT_CAPS):
        body[ctx.host.max_tokens_field] = cap
    if cfg.tools:
        body["tools"] = [_tool(t) for t in cfg.tools]
        if cfg.tool_choice is not None:
            body["tool_choice"] = _tool_choice(cfg.tool_choice)
    so = cfg.structured_output
    if so is not None:
        schema: dict[str, Any] = {"name": so.name, "schema": so.strict_schema(), "strict": True}
        if so.description:
            schema["description"] = so.description
        body["response_format"] = {"type": "json_schema", "json_schema": schema}
    effort = _reasoning_effort(ctx)
    if effort is not None:
        body["reasoning_effort"] = effort
    body.update(options)
    if ctx.stream:
        body["stream"] = True
        if ctx.host.stream_usage:
            given = options.get("stream_options")
            body["stream_options"] = {**(given if isinstance(given, dict) else {}), "include_usage": True}
    version = cfg.api_version_override or ctx.endpoint.api.config.get("api_version") or ctx.host.api_version
    path, params = ctx.route(NAME)
    if version:
        params["api-version"] = str(version)
    # A lone surrogate anywhere in the body is refused here, naming its field, before anything is sent.
    common.check_request_body(body)
    return WireRequest(method="POST", path=path, json=body, params=params or None, stream=ctx.stream)


def _is_reasoning_model(ctx: CallContext) -> bool:
    name = ctx.model.model_name.lower().rsplit("/", 1)[-1]
    if _OPENAI_REASONING_NAME.match(name):
        return True
    settings = ctx.model.chat_settings
    return bool(settings and settings.supports_reasoning and not ctx.model.metadata.get("generic"))


def _reasoning_effort(ctx: CallContext) -> str | None:
    """``reasoning_effort``: on hosts where it is the reasoning switch whenever the call wants reasoning (``medium``
    unless it names an effort); elsewhere only an effort the call names (or the one a ``max_reasoning_tokens``
    stands for). Clamped to the efforts the catalogue lists."""
    plan = ctx.reasoning_plan(NAME)
    if not plan.on:
        return None
    effort = plan.effort
    if effort is None:
        if not ctx.host.sends_reasoning_effort:
            return None
        effort = "medium"
    settings = ctx.model.chat_settings
    return clamp_effort(effort, settings.supported_reasoning_efforts if settings else None)


def _tool(tool: ToolDefinition) -> dict[str, Any]:
    fn = tool.function
    out: dict[str, Any] = {"name": fn.name}
    if fn.description:
        out["description"] = fn.description
    schema = fn.json_schema()
    # Strict mode only accepts closed objects with every property required.
    out["parameters"] = to_strict_json_schema(schema) if fn.strict else schema
    if fn.strict is not None:
        out["strict"] = fn.strict
    return {"type": "function", "function": out}


def _tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice.type == "specific":
        return {"type": "function", "function": {"name": choice.specific_tool_name}}
    return {"zero_or_more": "auto", "one_or_more": "required", "none": "none"}[choice.type]


# -- messages ------------------------------------------------------------------------------------------------------


def render_messages(ctx: CallContext) -> list[dict[str, Any]]:
    """The ``messages`` array: the instructions as one system (or developer) message, then every turn."""
    out: list[dict[str, Any]] = []
    if ctx.instructions:
        role = "developer" if ctx.host.developer_role and _is_reasoning_model(ctx) else "system"
        out.append({"role": role, "content": "\n\n".join(ctx.instructions)})
    ids = ToolCallIds(lambda original: original)
    for message in ctx.messages:
        if isinstance(message, Prompt):
            out.append(_prompt(message))
        elif isinstance(message, ChatResponse):
            out.append(_assistant_turn(message, ctx, ids))
        elif isinstance(message, ToolCallResult):
            out.append(_tool_result(message, ids))
        elif isinstance(message, ToolCallResultsMessage):
            out.extend(_tool_result(r, ids) for r in message.results)
    return out


def _prompt(prompt: Prompt) -> dict[str, Any]:
    text = prompt.rendered_text()
    role = prompt.role.value
    if not prompt.files:
        return {"role": role, "content": text}
    if role != "user":
        # Only user turns may carry files on this wire; other turns get the text of their text files.
        extra = [_file_text(f, prompt) for f in prompt.files if f.kind == "text"]
        return {"role": role, "content": "\n\n".join([text, *extra]) if text else "\n\n".join(extra)}
    parts: list[dict[str, Any]] = []
    if text:
        parts.append({"type": "text", "text": text})
    parts.extend(_file_part(f, prompt) for f in prompt.files)
    return {"role": role, "content": parts}


def _file_text(file: GenericFile, prompt: Prompt) -> str:
    max_words = prompt.config.max_words_file if prompt.config else None
    if file.text is not None:
        text = file.get_text(max_words)
    else:
        raw = (file.data or b"").decode("utf-8", errors="replace")
        text = " ".join(raw.split()[:max_words]) if max_words else raw
    name = file.name or "file"
    return f'<file name="{name}">\n{text}\n</file>'


def _file_part(file: GenericFile, prompt: Prompt) -> dict[str, Any]:
    kind = file.kind
    if kind == "text":
        return {"type": "text", "text": _file_text(file, prompt)}
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": file.url or file.data_url()}}
    if file.data is None:
        raise CapabilityError(
            f"file {file.name or file.url!r}: Chat Completions takes {kind} files only as inline data, not by URL"
        )
    if kind == "pdf":
        return {"type": "file", "file": {"filename": file.name or "document.pdf", "file_data": file.data_url()}}
    if kind == "audio":
        subtype = file.media_type.lower().split("/", 1)[1].split(";")[0]
        fmt = _AUDIO_FORMATS.get(subtype, subtype)
        return {"type": "input_audio", "input_audio": {"data": file.base64(), "format": fmt}}
    raise CapabilityError(f"file {file.name!r} ({file.media_type}): Chat Completions cannot take this kind of file")


def _replays_reasoning(ctx: CallContext) -> bool:
    flag = ctx.endpoint.api.config.get("replay_reasoning")
    return bool(flag) if flag is not None else ctx.host.replays_reasoning_content


def _assistant_turn(response: ChatResponse, ctx: CallContext, ids: ToolCallIds) -> dict[str, Any]:
    """An earlier answer (its first choice) as an assistant message."""
    contents = response.choices[0].contents if response.choices else []
    texts = [
        c.get_text() for c in contents if c.type in (T.TEXT, T.STRUCTURED_OUTPUT) and not c.metadata.get("refusal")
    ]
    refusals = [c.get_text() for c in contents if c.type == T.TEXT and c.metadata.get("refusal")]
    calls = [c for c in contents if isinstance(c, ChatResponseToolCallContentItem)]
    msg: dict[str, Any] = {"role": "assistant"}
    # Hosted web search: no shape for it here; the sources the answer cites follow its text (docs/conversations.md).
    text = "".join(texts) + (cited_sources(response) if texts else "")
    msg["content"] = text if text or not (calls or refusals) else None
    if refusals:
        msg["refusal"] = "".join(refusals)
    if calls:
        msg["tool_calls"] = [_tool_call(c, i, ids) for i, c in enumerate(calls)]
        if _replays_reasoning(ctx):
            _attach_reasoning(msg, response, contents, ctx)
    return msg


def _attach_reasoning(msg: dict[str, Any], response: ChatResponse, contents: list[Any], ctx: CallContext) -> None:
    reasoning = [c for c in contents if isinstance(c, ChatResponseReasoningContentItem)]
    field = REASONING_FIELDS[0]
    text = ""
    if reasoning and same_family(response, ctx, NAME):
        # Only the model family that made the reasoning gets it back; elsewhere the field is present but empty.
        item = reasoning[0]
        stored = item.metadata.get("field")
        field = stored if stored in REASONING_FIELDS else field
        text = "".join(r.thinking_text or "" for r in reasoning)
        details = item.metadata.get("reasoning_details")
        if details:
            msg["reasoning_details"] = details
    msg[field] = text


def _tool_call(item: ChatResponseToolCallContentItem, position: int, ids: ToolCallIds) -> dict[str, Any]:
    call = item.tool_call
    # Exactly what the model wrote, when known (this also keeps unparseable arguments intact).
    raw = call.raw_arguments
    arguments = raw if raw is not None else json.dumps(call.arguments, ensure_ascii=False)
    call_id = ids.call(call.id, call.name, fallback=f"call_{position}")
    return {"id": call_id, "type": "function", "function": {"name": call.name, "arguments": arguments}}


def _tool_result(result: ToolCallResult, ids: ToolCallIds) -> dict[str, Any]:
    if not result.call_id:
        raise ConfigurationError("ToolCallResult.call_id: Chat Completions pairs a tool result with its call by id")
    content = result.as_text()
    if result.is_error:
        content = f"Error: {content}"
    return {"role": "tool", "tool_call_id": ids.result(result), "content": content}
