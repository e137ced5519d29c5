"""The mock's Gemini API: ``POST /v1beta/models/{model}:generateContent`` and ``:streamGenerateContent`` (SSE with
``?alt=sse``, else one JSON array of the fragments, as Google serves it).

Requests need an API key, in ``x-goog-api-key`` or the ``key`` query parameter (any value; without one: Google's
403 ``PERMISSION_DENIED``). Errors have Google's shape, ``{"error": {"code", "message", "status", "details"}}``; a
429 is ``RESOURCE_EXHAUSTED`` and carries the wait a fault asks for as a ``RetryInfo.retryDelay`` detail, as Gemini
does (it sends no ``Retry-After``).

Each stream event is a ``GenerateContentResponse`` fragment: thought parts and text in pieces, one event each, a
``functionCall`` whole in one event, ``usageMetadata`` cumulative in every event, and ``finishReason`` on the last.
Merged part by part they are the non-streamed answer.

Grounding: with a ``googleSearch`` tool the answer opens with sentences from two made-up pages and the candidate
carries ``groundingMetadata`` (the query, the pages as ``groundingChunks``, and ``groundingSupports`` whose segments
are UTF-8 byte offsets into the answer text), in the last fragment of a stream.

Image output: with ``IMAGE`` in ``generationConfig.responseModalities`` (Gemini's image models) the answer is a short
text and one PNG (``inlineData``), its usage split by modality (1,290 image tokens, as Gemini 2.5 Flash Image counts
an image). A prompt containing ``[filtered]`` gets Google's ``IMAGE_SAFETY`` finish reason and no image.

Thinking: with a ``thinkingConfig`` (or by default on the 2.5 and later models), unless its budget is 0. The
thoughts are shown as ``thought`` parts only with ``includeThoughts``; either way they are counted
(``thoughtsTokenCount``) and the first answer part carries a ``thoughtSignature`` made from that part, so a replay
that moved or altered it is refused with a 400 (Google's documented stand-in signature is accepted).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from ._answer import Answer, Conversation, Ids, ToolCall, ToolResult, ToolSpec, plan, words
from ._http import MockRequest, Reply
from ._images import FILTER_WORD, png
from ._routes import Route
from ._wire import pieces, sse

NAME = "gemini"
#: The stand-in signature Google documents for function calls it did not make (base64).
FOREIGN_SIGNATURE = base64.b64encode(b"skip_thought_signature_validator").decode("ascii")
_THINKS_BY_DEFAULT = re.compile(r"^gemini-(2\.5|[3-9])")

_STATUS_NAMES: dict[int, tuple[str, str]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: ("UNAUTHENTICATED", "Request had invalid authentication credentials."),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: ("RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details."),
    499: ("CANCELLED", "The operation was cancelled."),
    500: ("INTERNAL", "An internal error has occurred. Please retry or report it."),
    501: ("UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
}
_CODES = {name: code for code, (name, _) in _STATUS_NAMES.items()}
_NO_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other "
    "form of API consumer identity to call this API."
)


# -- errors and headers ----------------------------------------------------------------------------------------------


def error_body(status: int, message: str | None = None) -> Any:
    """Google's error object for an HTTP status (a 429 names the quota it exhausted)."""
    name, default = _STATUS_NAMES.get(status, ("INTERNAL" if status >= 500 else "INVALID_ARGUMENT", f"HTTP {status}"))
    error: dict[str, Any] = {"code": status, "message": message or default, "status": name}
    if status == 429:
        quota = {"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [quota]}]
    return {"error": error}


def error_with_retry(status: int, message: str | None, seconds: float) -> Any:
    """The error object with a ``RetryInfo`` detail asking the client to wait ``seconds``."""
    body = error_body(status, message)
    retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{seconds:g}s"}
    body["error"].setdefault("details", []).append(retry)
    return body


def stream_error(kind: Any) -> bytes:
    """An error inside the stream, ``data: {"error": {...}}``: ``True`` is ``UNAVAILABLE``, a string a status name
    (``"RESOURCE_EXHAUSTED"`` …), a dict is sent as it is."""
    if isinstance(kind, dict):
        return sse(kind, newline="\r\n")
    status = _CODES.get(kind, 500) if isinstance(kind, str) else 503
    return sse(error_body(status), newline="\r\n")


def headers(request: MockRequest) -> dict[str, str]:
    return {"vary": "Origin, X-Origin, Referer", "server-timing": "gfet4t7; dur=1"}


def _error(request: MockRequest, status: int, message: str) -> Reply:
    return Reply.json(error_body(status, message), status=status, headers=_json_headers(request))


def _json_headers(request: MockRequest) -> dict[str, str]:
    return {**headers(request), "content-type": "application/json; charset=UTF-8"}


# -- the request -----------------------------------------------------------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    """``obj[name]``, also under its snake_case spelling (Google accepts both)."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    return obj.get(re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name))


def _lower_types(schema: Any) -> Any:
    """An OpenAPI-subset schema (``"type": "OBJECT"``) as JSON Schema (``"object"``)."""
    if isinstance(schema, dict):
        return {k: (v.lower() if k == "type" and isinstance(v, str) else _lower_types(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_lower_types(v) for v in schema]
    return schema


def _response_text(response: Any) -> str:
    if isinstance(response, dict) and len(response) == 1:
        (value,) = response.values()
        if isinstance(value, str):
            return value
    return json.dumps(response, ensure_ascii=False)


def conversation(model: str, body: dict[str, Any]) -> Conversation:
    """The neutral view of a ``GenerateContentRequest``."""
    conv = Conversation(model=model)
    system = _field(body, "systemInstruction")
    if isinstance(system, dict):
        text = "\n".join(str(p.get("text")) for p in system.get("parts") or [] if isinstance(p, dict) and p.get("text"))
        if text:
            conv.instructions.append(text)
    elif isinstance(system, str) and system:
        conv.instructions.append(system)
    for content in body.get("contents") or []:
        if isinstance(content, dict):
            _content(conv, content)
    declarations = [
        d
        for tool in body.get("tools") or []
        if isinstance(tool, dict)
        for d in _field(tool, "functionDeclarations") or []
    ]
    for decl in declarations:
        schema = _field(decl, "parametersJsonSchema") or _lower_types(decl.get("parameters") or {})
        conv.tools.append(ToolSpec(str(decl.get("name")), str(decl.get("description") or ""), schema))
    conv.web_search = any(
        isinstance(tool, dict) and (_field(tool, "googleSearch") is not None) for tool in body.get("tools") or []
    )
    calling = _field(_field(body, "toolConfig"), "functionCallingConfig") or {}
    mode = str(calling.get("mode") or "AUTO").upper()
    conv.tool_choice = {"ANY": "required", "VALIDATED": "auto", "NONE": "none"}.get(mode, "auto")
    allowed = _field(calling, "allowedFunctionNames") or []
    if allowed:
        conv.tools = [t for t in conv.tools if t.name in allowed]
        if conv.tool_choice == "required" and len(allowed) == 1:
            conv.forced = [str(allowed[0])]
    generation = _field(body, "generationConfig") or {}
    if _field(generation, "responseMimeType") == "application/json":
        schema = _field(generation, "responseJsonSchema")
        if schema is None and _field(generation, "responseSchema") is not None:
            schema = _lower_types(_field(generation, "responseSchema"))
        conv.schema = schema
        conv.json_mode = schema is None
    limit = _field(generation, "maxOutputTokens")
    if isinstance(limit, int):
        conv.max_output_tokens = limit
    thinking = _field(generation, "thinkingConfig")
    budget = _field(thinking, "thinkingBudget")
    conv.reasoning = budget != 0 and (isinstance(thinking, dict) or bool(_THINKS_BY_DEFAULT.match(model)))
    conv.reasoning_summary = conv.reasoning and bool(_field(thinking, "includeThoughts"))
    return conv


def _content(conv: Conversation, content: dict[str, Any]) -> None:
    parts = [p for p in content.get("parts") or [] if isinstance(p, dict)]
    if content.get("role") == "model":
        turn = conv.assistant()
        for part in parts:
            call = _field(part, "functionCall")
            if isinstance(call, dict):
                args = call.get("args") if isinstance(call.get("args"), dict) else {}
                turn.tool_calls.append(ToolCall(str(call.get("name")), args or {}, call.get("id")))
            elif part.get("thought"):
                turn.reasoning_items += 1
            elif isinstance(part.get("text"), str) and part["text"]:
                turn.text = f"{turn.text}\n{part['text']}" if turn.text else part["text"]
        return
    texts: list[str] = []
    attachments = 0
    results: list[ToolResult] = []
    for part in parts:
        response = _field(part, "functionResponse")
        if isinstance(response, dict):
            output = _response_text(response.get("response"))
            results.append(ToolResult(response.get("id"), output, str(response.get("name"))))
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            attachments += 1
    if results:
        conv.tool().tool_results.extend(results)
    if texts or attachments or not results:
        conv.user("\n".join(texts), attachments)


def signature(part: dict[str, Any]) -> str:
    """The ``thoughtSignature`` of an answer part: made from what the part says, so a replay can be checked."""
    call = part.get("functionCall")
    said = f"call:{call['name']}:{json.dumps(call.get('args'), sort_keys=True)}" if call else f"text:{part.get('text')}"
    digest = hashlib.sha256(f"mock-gemini-thought:{said}".encode()).digest()
    return base64.b64encode(b"\x12\x20" + digest + digest[:8]).decode("ascii")


def _bad_signature(body: dict[str, Any]) -> bool:
    for content in body.get("contents") or []:
        if not isinstance(content, dict) or content.get("role") != "model":
            continue
        for part in content.get("parts") or []:
            sent = _field(part, "thoughtSignature") if isinstance(part, dict) else None
            if sent and sent != FOREIGN_SIGNATURE and not part.get("thought") and sent != signature(part):
                return True
    return False


# -- the answer ------------------------------------------------------------------------------------------------------


def _parts(conv: Conversation, answer: Answer) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if answer.reasoning is not None and conv.reasoning_summary:
        parts.append({"text": answer.reasoning, "thought": True})
    answers: list[dict[str, Any]] = []
    if answer.text is not None and (answer.text or not answer.truncated):
        answers.append({"text": answer.text})
    answers.extend({"functionCall": {"name": c.name, "args": c.arguments}} for c in answer.tool_calls)
    if answer.reasoning is not None and answers:
        answers[0]["thoughtSignature"] = signature(answers[0])
    return parts + answers


def _usage(answer: Answer, thoughts: int | None = None, candidates: int | None = None) -> dict[str, Any]:
    """``usageMetadata``: the final counts, or those so far in a stream."""
    thoughts = answer.reasoning_tokens if thoughts is None else thoughts
    candidates = answer.output_tokens - answer.reasoning_tokens if candidates is None else candidates
    usage: dict[str, Any] = {"promptTokenCount": answer.input_tokens}
    if candidates:
        usage["candidatesTokenCount"] = candidates
    usage["totalTokenCount"] = answer.input_tokens + candidates + thoughts
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": answer.input_tokens}]
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def _grounding(answer: Answer) -> dict[str, Any]:
    search = answer.searches[0]
    text = answer.text or ""
    supports = []
    for start, end, n in answer.citations:
        segment = {
            "startIndex": len(text[:start].encode("utf-8")),
            "endIndex": len(text[:end].encode("utf-8")),
            "text": text[start:end],
        }
        supports.append({"segment": segment, "groundingChunkIndices": [n], "confidenceScores": [0.9]})
    return {
        "searchEntryPoint": {"renderedContent": f'<div class="chips">{search.query}</div>'},
        "groundingChunks": [{"web": {"uri": r.url, "title": r.title}} for r in search.results],
        "groundingSupports": supports,
        "webSearchQueries": [search.query],
    }


def response_object(conv: Conversation, answer: Answer, ids: Ids) -> dict[str, Any]:
    """The ``GenerateContentResponse`` of the non-streaming call."""
    candidate: dict[str, Any] = {
        "content": {"parts": _parts(conv, answer), "role": "model"},
        "finishReason": "MAX_TOKENS" if answer.truncated else "STOP",
        "index": 0,
    }
    if answer.searches:
        candidate["groundingMetadata"] = _grounding(answer)
    return {
        "candidates": [candidate],
        "usageMetadata": _usage(answer),
        "modelVersion": conv.model,
        "responseId": ids.alnum("response", 23),
    }


def fragments(obj: dict[str, Any], answer: Answer) -> list[dict[str, Any]]:
    """The stream's fragments of ``obj``: one part (or piece of one) each, usage so far, the finish on the last."""
    candidate = obj["candidates"][0]
    steps: list[tuple[dict[str, Any], int, int]] = []  # (part, thoughts so far, answer words so far)
    thought_words = 0
    answer_words = 0
    shows_thoughts = any(p.get("thought") for p in candidate["content"]["parts"])
    for part in candidate["content"]["parts"]:
        if part.get("thought"):
            for piece in pieces(part["text"]):
                thought_words += words(piece)
                steps.append(({"text": piece, "thought": True}, thought_words, 0))
            continue
        thoughts = thought_words if shows_thoughts else answer.reasoning_tokens
        if "functionCall" in part:
            answer_words += words(json.dumps(part["functionCall"]["args"], ensure_ascii=False, separators=(",", ":")))
            steps.append((part, thoughts, answer_words))
            continue
        for piece in pieces(part["text"]):
            answer_words += words(piece)
            steps.append(({"text": piece}, thoughts, answer_words))
        if "thoughtSignature" in part:
            # The signature comes last, on an empty text part, and joins the text before it.
            steps.append(({"text": "", "thoughtSignature": part["thoughtSignature"]}, thoughts, answer_words))
    if not steps or "functionCall" in steps[-1][0]:
        steps.append(({"text": ""}, answer.reasoning_tokens, answer_words))
    out: list[dict[str, Any]] = []
    for n, (part, thoughts, so_far) in enumerate(steps):
        last = n == len(steps) - 1
        cand: dict[str, Any] = {"content": {"parts": [part], "role": "model"}}
        if last:
            cand["finishReason"] = candidate["finishReason"]
            if "groundingMetadata" in candidate:
                cand["groundingMetadata"] = candidate["groundingMetadata"]
        cand["index"] = 0
        usage = obj["usageMetadata"] if last else _usage(answer, thoughts, so_far)
        out.append(
            {
                "candidates": [cand],
                "usageMetadata": usage,
                "modelVersion": obj["modelVersion"],
                "responseId": obj["responseId"],
            }
        )
    return out


def handle(request: MockRequest) -> Reply:
    keyless = not (request.header("x-goog-api-key") or request.query.get("key"))
    if keyless and not request.state.get("in_process"):  # (``test_mode`` sends no credentials)
        return _error(request, 403, _NO_KEY)
    return respond(request)


def respond(request: MockRequest) -> Reply:
    """The answer to an authenticated ``generateContent`` / ``streamGenerateContent`` request (``request.params``
    names the ``model`` and the ``method``); shared with the Vertex AI routes."""
    body = request.json
    if not isinstance(body, dict):
        return _error(request, 400, "Invalid JSON payload received. Expected an object.")
    if not body.get("contents"):
        return _error(request, 400, "* GenerateContentRequest.contents: contents is not specified\n")
    if _bad_signature(body):
        return _error(request, 400, "Corrupted thought signature.")
    model = request.params["model"].split("/", 1)[-1]
    generation = _field(body, "generationConfig") or {}
    modalities = [str(m).upper() for m in _field(generation, "responseModalities") or []]
    if "IMAGE" in modalities and request.params["method"] == "generateContent":
        return Reply.json(image_answer(model, body, generation), headers=_json_headers(request))
    conv = conversation(model, body)
    answer = plan(conv)
    obj = response_object(conv, answer, Ids({"model": model, **body}))
    if request.params["method"] == "generateContent":
        return Reply.json(obj, headers=_json_headers(request))
    events = fragments(obj, answer)
    if request.query.get("alt") != "sse":
        return Reply.json(events, headers=_json_headers(request))
    stream_headers = {**headers(request), "content-type": "text/event-stream", "content-disposition": "attachment"}
    return Reply.stream([sse(e, newline="\r\n") for e in events], stream_headers)


#: Image tokens Gemini 2.5 Flash Image counts for one image up to 1024x1024.
IMAGE_TOKENS = 1290


def image_answer(model: str, body: dict[str, Any], generation: dict[str, Any]) -> dict[str, Any]:
    """An image model's answer: a line of text and one PNG, or ``IMAGE_SAFETY`` and no image."""
    conv = conversation(model, body)
    prompt = conv.turns[-1].text if conv.turns else ""
    ids = Ids({"model": model, **body})
    image_config = _field(generation, "imageConfig") or {}
    size = str(_field(image_config, "imageSize") or "1K")
    aspect = str(_field(image_config, "aspectRatio") or "1:1")
    text = f"Here is the image ({aspect}, {size}) for: {prompt}"
    prompt_tokens = max(words(prompt), 1)
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
    }
    if FILTER_WORD in prompt:
        candidate: dict[str, Any] = {"content": {"role": "model"}, "finishReason": "IMAGE_SAFETY", "index": 0}
        usage["totalTokenCount"] = prompt_tokens
    else:
        data = base64.b64encode(png(f"{ids.seed}:gemini-image")).decode("ascii")
        parts = [{"text": text}, {"inlineData": {"mimeType": "image/png", "data": data}}]
        candidate = {"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}
        usage["candidatesTokenCount"] = IMAGE_TOKENS + words(text)
        usage["candidatesTokensDetails"] = [
            {"modality": "TEXT", "tokenCount": words(text)},
            {"modality": "IMAGE", "tokenCount": IMAGE_TOKENS},
        ]
        usage["totalTokenCount"] = prompt_tokens + usage["candidatesTokenCount"]
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": ids.alnum("r", 23)}


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(
            r"/v1(?:beta)?/(?P<model>(?:models|tunedModels)/[^/:]+):(?P<method>generateContent|streamGenerateContent)"
        ),
        handler=handle,
        error=error_body,
        headers=headers,
        error_with_retry=error_with_retry,
        stream_error=stream_error,
    )
]
