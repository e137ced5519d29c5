"""The mock's Amazon Bedrock runtime: Converse (``/model/{id}/converse``, ``/converse-stream``) and InvokeModel with
Claude bodies (``/model/{id}/invoke``, ``/invoke-with-response-stream``), as JSON and as AWS binary event streams.

Every request is authenticated as Bedrock does: a Bedrock API key (``Authorization: Bearer …``, any value), or a
SigV4 signature checked against the server's test credentials (:data:`ACCESS_KEY_ID` / :data:`SECRET_ACCESS_KEY`,
service ``bedrock``, any region) over the headers the request says it signed. A wrong or missing signature gets
Bedrock's 403 ``InvalidSignatureException`` (``UnrecognizedClientException`` for an unknown key). Errors have
Bedrock's shape: ``{"message": …}`` with the type in ``x-amzn-errortype``; an in-band stream fault is an
``:message-type: exception`` frame (``throttlingException`` …).

The answer is the shared mock model's (:mod:`._answer`); an InvokeModel call answers exactly what the mock's
Anthropic Messages API answers, its stream wrapped in ``chunk`` frames.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import unquote

from .._transport.auth.aws_credentials import AWSCredentials
from .._transport.auth.sigv4 import authorization
from . import anthropic as _anthropic
from ._answer import Answer, Conversation, Ids, ToolCall, ToolResult, ToolSpec, plan
from ._eventstream import chunk_frame, event_frame, exception_frame
from ._http import MockRequest, Reply
from ._routes import Route
from ._wire import arg_pieces, pieces

NAME = "converse"
#: The test credentials the server checks signatures with (``server.api("amazon_bedrock")`` carries them).
ACCESS_KEY_ID = "AKIDMOCKBEDROCK00001"
SECRET_ACCESS_KEY = "mock/bedrock+secret/access/key/000000001"
#: Temporary test credentials (what an assumed role, the container credentials endpoint or the instance metadata
#: service hand out): valid only with their session token, sent as ``x-amz-security-token``.
TEMPORARY_ACCESS_KEY_ID = "ASIAMOCKBEDROCK00002"
TEMPORARY_SECRET_ACCESS_KEY = "mock/bedrock+temporary/secret/key/00002"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEMock//session+token/for/the/temporary/key/0000000000000003="
_SECRETS = {ACCESS_KEY_ID: SECRET_ACCESS_KEY, TEMPORARY_ACCESS_KEY_ID: TEMPORARY_SECRET_ACCESS_KEY}

_ERRORS: dict[int, tuple[str, str]] = {
    400: ("ValidationException", "The provided request is not valid."),
    403: ("AccessDeniedException", "You don't have access to the model with the specified model ID."),
    404: ("ResourceNotFoundException", "The requested resource could not be found."),
    408: ("ModelTimeoutException", "The request took too long to process."),
    424: ("ModelErrorException", "The request failed due to an error while processing the model."),
    429: ("ThrottlingException", "Too many requests, please wait before trying again."),
    500: ("InternalServerException", "An internal server error occurred."),
    503: ("ServiceUnavailableException", "The service isn't currently available."),
}
_STREAM_KINDS = {
    "throttling": "throttlingException",
    "overloaded": "serviceUnavailableException",
    "internal": "internalServerException",
    "model_stream": "modelStreamErrorException",
    "validation": "validationException",
}
_FIELDS = re.compile(r"(\w+)=([^,\s]+)")


def error_body(status: int, message: str | None = None) -> Any:
    return {"message": message or _ERRORS.get(status, ("", f"HTTP {status}"))[1]}


def error_type(status: int) -> str:
    return _ERRORS.get(status, ("InternalServerException" if status >= 500 else "ValidationException", ""))[0]


def headers(request: MockRequest) -> dict[str, str]:
    return {"x-amzn-requestid": hashlib.sha1(request.body or request.path.encode()).hexdigest()[:36]}


def _error(request: MockRequest, status: int, kind: str, message: str) -> Reply:
    extra = {**headers(request), "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    return Reply.json({"message": message}, status=status, headers=extra)


def stream_error(kind: Any) -> bytes:
    if isinstance(kind, dict):
        return exception_frame(str(kind.get("type") or "internalServerException"), str(kind.get("message") or ""))
    name = _STREAM_KINDS.get(str(kind), "throttlingException")
    return exception_frame(name, "injected stream fault")


# -- authentication ----------------------------------------------------------------------------------------------


def signature_problem(request: MockRequest) -> tuple[str, str] | None:
    """None when the request carries a Bedrock API key or a valid SigV4 signature (or comes from ``test_mode``,
    which sends no credentials); else (error type, message)."""
    if request.state.get("in_process"):
        return None
    auth = request.header("authorization") or ""
    if auth.startswith("Bearer ") and auth[7:].strip():
        return None
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "MissingAuthenticationTokenException", "Missing Authentication Token"
    fields = dict(_FIELDS.findall(auth))
    scope = fields.get("Credential", "").split("/")
    secret = _SECRETS.get(scope[0]) if len(scope) == 5 else None
    token = request.header("x-amz-security-token")
    # A temporary key is known only with its session token; a long-term key never comes with one.
    if secret is None or token != (SESSION_TOKEN if scope[0] == TEMPORARY_ACCESS_KEY_ID else None):
        return "UnrecognizedClientException", "The security token included in the request is invalid."
    stamp = request.header("x-amz-date") or ""
    signed = fields.get("SignedHeaders", "").split(";")
    if "host" not in signed or "x-amz-date" not in signed or stamp[:8] != scope[1] or scope[3] != "bedrock":
        return "InvalidSignatureException", "The request signature does not cover host and x-amz-date."
    payload = hashlib.sha256(request.body).hexdigest()
    if request.header("x-amz-content-sha256", payload) != payload:
        return "InvalidSignatureException", "The request body does not match x-amz-content-sha256."
    available = {name: request.header(name) for name in signed}
    if any(v is None for v in available.values()):
        return "InvalidSignatureException", "A signed header is missing."
    query = "&".join(f"{k}={v}" for k, v in request.query.items())
    url = "http://" + str(available["host"]) + request.path + (f"?{query}" if query else "")
    expected = authorization(
        request.method,
        url,
        {k: str(v) for k, v in available.items()},
        signed,
        payload,
        AWSCredentials(scope[0], secret, token),
        scope[2],
        "bedrock",
        stamp,
    )
    if not hmac.compare_digest(expected, auth):
        return "InvalidSignatureException", (
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details."
        )
    return None


# -- Converse ------------------------------------------------------------------------------------------------------


def conversation(body: dict[str, Any], model: str) -> Conversation:
    conv = Conversation(model=model)
    conv.instructions.extend(str(b["text"]) for b in body.get("system") or [] if isinstance(b, dict) and b.get("text"))
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        blocks = [b for b in message.get("content") or [] if isinstance(b, dict)]
        if message.get("role") == "assistant":
            turn = conv.assistant()
            for block in blocks:
                if isinstance(block.get("text"), str):
                    turn.text = f"{turn.text}\n{block['text']}" if turn.text else block["text"]
                elif isinstance(block.get("toolUse"), dict):
                    use = block["toolUse"]
                    args = use.get("input") if isinstance(use.get("input"), dict) else {}
                    turn.tool_calls.append(ToolCall(str(use.get("name")), args, use.get("toolUseId")))
                elif "reasoningContent" in block:
                    turn.reasoning_items += 1
            continue
        results = [
            ToolResult(
                b["toolResult"].get("toolUseId"),
                "\n".join(
                    str(c.get("text") or json.dumps(c.get("json"))) for c in b["toolResult"].get("content") or []
                ),
            )
            for b in blocks
            if isinstance(b.get("toolResult"), dict)
        ]
        texts = [str(b["text"]) for b in blocks if isinstance(b.get("text"), str)]
        attachments = sum(1 for b in blocks if "image" in b or "document" in b)
        if results:
            conv.tool().tool_results.extend(results)
        if texts or attachments or not results:
            conv.user("\n".join(texts), attachments)
    tool_config = body.get("toolConfig") or {}
    for spec in tool_config.get("tools") or []:
        tool = spec.get("toolSpec") if isinstance(spec, dict) else None
        if isinstance(tool, dict):
            schema = (tool.get("inputSchema") or {}).get("json") or {}
            conv.tools.append(ToolSpec(str(tool.get("name")), str(tool.get("description") or ""), schema))
    choice = tool_config.get("toolChoice") or {}
    if "any" in choice or "tool" in choice:
        conv.tool_choice = "required"
        if isinstance(choice.get("tool"), dict):
            conv.forced = [str(choice["tool"].get("name"))]
    fmt = ((body.get("outputConfig") or {}).get("textFormat") or {}).get("structure") or {}
    schema_text = (fmt.get("jsonSchema") or {}).get("schema")
    if isinstance(schema_text, str):
        conv.schema = json.loads(schema_text)
    thinking = (body.get("additionalModelRequestFields") or {}).get("thinking") or {}
    conv.reasoning = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    conv.reasoning_summary = conv.reasoning
    max_tokens = (body.get("inferenceConfig") or {}).get("maxTokens")
    if isinstance(max_tokens, int):
        conv.max_output_tokens = max_tokens
    return conv


def converse_object(answer: Answer, ids: Ids) -> dict[str, Any]:
    """The non-streaming Converse answer (and what the stream's events rebuild)."""
    content: list[dict[str, Any]] = []
    if answer.reasoning is not None:
        text = {"text": answer.reasoning, "signature": _anthropic.signature(answer.reasoning)}
        content.append({"reasoningContent": {"reasoningText": text}})
    if answer.text:
        content.append({"text": answer.text})
    for n, call in enumerate(answer.tool_calls):
        use_id = f"tooluse_{ids.hex(f'call{n}', 22)}"
        content.append({"toolUse": {"toolUseId": use_id, "name": call.name, "input": call.arguments}})
    stop = "tool_use" if answer.tool_calls else ("max_tokens" if answer.truncated else "end_turn")
    usage = {
        "inputTokens": answer.input_tokens,
        "outputTokens": answer.output_tokens,
        "totalTokens": answer.total_tokens,
        "cacheReadInputTokens": 0,
        "cacheWriteInputTokens": 0,
    }
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": usage,
        "metrics": {"latencyMs": 12},
    }


def stream_frames(obj: dict[str, Any]) -> list[bytes]:
    frames = [event_frame("messageStart", {"role": "assistant"})]
    for index, block in enumerate(obj["output"]["message"]["content"]):
        if "toolUse" in block:
            use = block["toolUse"]
            start = {"toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}
            frames.append(event_frame("contentBlockStart", {"contentBlockIndex": index, "start": start}))
            args = json.dumps(use["input"], separators=(",", ":"))
            frames.extend(
                event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": p}}})
                for p in arg_pieces(args)
            )
        elif "reasoningContent" in block:
            text = block["reasoningContent"]["reasoningText"]
            frames.extend(
                event_frame(
                    "contentBlockDelta", {"contentBlockIndex": index, "delta": {"reasoningContent": {"text": p}}}
                )
                for p in pieces(text["text"])
            )
            delta = {"reasoningContent": {"signature": text["signature"]}}
            frames.append(event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        else:
            frames.extend(
                event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": p}})
                for p in pieces(block["text"])
            )
        frames.append(event_frame("contentBlockStop", {"contentBlockIndex": index}))
    frames.append(event_frame("messageStop", {"stopReason": obj["stopReason"]}))
    frames.append(event_frame("metadata", {"usage": obj["usage"], "metrics": obj["metrics"]}))
    return frames


def refusal(request: MockRequest) -> Reply | None:
    """Bedrock's 403 for a request that is not signed right (or carries no Bedrock API key); None otherwise."""
    problem = signature_problem(request)
    if problem is None:
        return None
    kind, message = problem
    return _error(request, 403, kind, message)


def _error_headers(status: int) -> dict[str, str]:
    return {"x-amzn-errortype": f"{error_type(status)}:http://internal.amazon.com/coral/com.amazon.bedrock/"}


def _checked(request: MockRequest) -> Reply | dict[str, Any]:
    refused = refusal(request)
    if refused is not None:
        return refused
    body = request.json
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return _error(request, 400, "ValidationException", "messages: a list of messages is required")
    return body


def handle_converse(request: MockRequest) -> Reply:
    body = _checked(request)
    if isinstance(body, Reply):
        return body
    model = unquote(request.params.get("model", ""))
    obj = converse_object(plan(conversation(body, model)), Ids(body))
    if request.path.endswith("-stream"):
        return Reply.stream(
            stream_frames(obj), {**headers(request), "content-type": "application/vnd.amazon.eventstream"}
        )
    return Reply.json(obj, headers=headers(request))


# -- InvokeModel (Claude bodies) -----------------------------------------------------------------------------------


def handle_invoke(request: MockRequest) -> Reply:
    body = _checked(request)
    if isinstance(body, Reply):
        return body
    if body.get("anthropic_version") != "bedrock-2023-05-31" or "model" in body or "stream" in body:
        return _error(request, 400, "ValidationException", "Malformed input request: please reformat your input.")
    model = unquote(request.params.get("model", ""))
    conv = _anthropic.conversation({**body, "model": model})
    obj = _anthropic.message_object(conv, plan(conv), Ids(body))
    if not request.path.endswith("-stream"):
        return Reply.json(obj, headers=headers(request))
    frames = [
        chunk_frame(json.loads(line[6:]))
        for event in _anthropic.stream_events(obj)
        for line in event.decode("utf-8").splitlines()
        if line.startswith("data: ")
    ]
    return Reply.stream(frames, {**headers(request), "content-type": "application/vnd.amazon.eventstream"})


def _error_reply(status: int, message: str | None) -> Any:
    return error_body(status, message)


_MODEL = r"/model/(?P<model>[^/]+)"
ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(_MODEL + r"/converse(?:-stream)?"),
        handler=handle_converse,
        error=_error_reply,
        headers=headers,
        stream_error=stream_error,
        authenticate=refusal,
        error_headers=_error_headers,
    ),
    Route(
        name="invoke",
        method="POST",
        pattern=re.compile(_MODEL + r"/invoke(?:-with-response-stream)?"),
        handler=handle_invoke,
        error=_error_reply,
        headers=headers,
        stream_error=stream_error,
        authenticate=refusal,
        error_headers=_error_headers,
    ),
]
