"""The mock's OpenAI image generation: ``POST /v1/images/generations``, and ``GET /v1/mock-images/<name>.png`` to
fetch the images it answered by URL.

It checks a request the way OpenAI does: a prompt is required; the GPT image models refuse ``response_format`` (they
always answer base64) and ``style``, DALL·E refuses the GPT models' ``background``, ``output_format``,
``output_compression`` and ``moderation``; DALL·E 3 makes one image per call. A prompt containing ``[filtered]`` is
refused as OpenAI's safety system refuses one (``content_policy_violation`` for DALL·E, ``moderation_blocked`` for
the GPT image models).

Answers: ``n`` images — ``b64_json`` (the GPT image models, and DALL·E with ``response_format="b64_json"``) or a ``url``
on this server (DALL·E's default; in ``test_mode``, which has no server, a ``data:`` URL) — with DALL·E 3's
``revised_prompt``; the GPT image models also report the ``size``, ``quality``, ``background`` and ``output_format``
used (``auto`` resolved to ``1024x1024`` / ``medium``) and ``usage``: input tokens (the prompt's words) and output
image tokens from OpenAI's published table of tokens per image size and quality. The images are small PNGs
(whatever ``output_format`` says).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from . import _openai
from ._answer import Ids, words
from ._http import MockRequest, Reply
from ._images import FILTER_WORD, png
from ._routes import Route

NAME = "openai_images"

#: Output tokens of one image, by quality and size (OpenAI's image generation guide).
OUTPUT_TOKENS = {
    "low": {"1024x1024": 272, "1024x1536": 408, "1536x1024": 400},
    "medium": {"1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568},
    "high": {"1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208},
}
_GPT_ONLY = ("background", "output_format", "output_compression", "moderation")


def _bad(request: MockRequest, message: str, *, code: str | None = None, param: str | None = None) -> Reply:
    body = _openai.error_body(400, message, code=code, param=param)
    return Reply.json(body, status=400, headers=_openai.headers(request))


def _refused(request: MockRequest, gpt: bool) -> Reply:
    body = _openai.error_body(
        400,
        "Your request was rejected by the safety system.",
        code="moderation_blocked" if gpt else "content_policy_violation",
    )
    if gpt:
        body["error"]["type"] = "image_generation_user_error"
    return Reply.json(body, status=400, headers=_openai.headers(request))


def _problem(request: MockRequest, body: dict[str, Any], gpt: bool) -> Reply | None:
    if gpt:
        for name in ("response_format", "style"):
            if name in body:
                return _bad(request, f"Unknown parameter: '{name}'.", code="unknown_parameter", param=name)
    else:
        for name in _GPT_ONLY:
            if name in body:
                message = f"The '{name}' parameter is only supported for the GPT image models."
                return _bad(request, message, code="unsupported_parameter", param=name)
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 10:
        return _bad(request, "'n' must be between 1 and 10.", code="invalid_value", param="n")
    if body.get("model") == "dall-e-3" and n != 1:
        return _bad(request, "You must provide n=1 for this model.", code="invalid_value", param="n")
    return None


def handle(request: MockRequest) -> Reply:
    problem = _openai.check_body(request, ("prompt",))
    if problem is not None:
        return problem
    body: dict[str, Any] = request.json
    model = str(body.get("model") or "dall-e-2")
    gpt = model.startswith("gpt-image")
    problem = _problem(request, body, gpt)
    if problem is not None:
        return problem
    prompt = str(body["prompt"])
    if FILTER_WORD in prompt:
        return _refused(request, gpt)
    ids = Ids(body)
    n = int(body.get("n", 1))
    host = request.header("host") or "127.0.0.1"
    prefix = request.path[: -len("/images/generations")]
    data: list[dict[str, Any]] = []
    for i in range(n):
        name = ids.alnum(f"image{i}", 24)
        if gpt or body.get("response_format") == "b64_json":
            entry: dict[str, Any] = {"b64_json": base64.b64encode(png(name)).decode("ascii")}
        elif request.state.get("in_process"):
            # ``test_mode`` has no server to fetch from: the image travels in a data URL.
            entry = {"url": "data:image/png;base64," + base64.b64encode(png(name)).decode("ascii")}
        else:
            entry = {"url": f"http://{host}{prefix}/mock-images/{name}.png"}
        if model == "dall-e-3":
            entry["revised_prompt"] = f"A detailed picture of {prompt}"
        data.append(entry)
    answer: dict[str, Any] = {"created": ids.created(), "data": data}
    if gpt:
        size = body.get("size") if body.get("size") not in (None, "auto") else "1024x1024"
        quality = body.get("quality") if body.get("quality") not in (None, "auto") else "medium"
        per_image = OUTPUT_TOKENS.get(str(quality), {}).get(str(size), 1056)
        prompt_tokens = max(words(prompt), 1)
        answer.update(
            background=body.get("background") if body.get("background") == "transparent" else "opaque",
            output_format=body.get("output_format") or "png",
            quality=quality,
            size=size,
            usage={
                "input_tokens": prompt_tokens,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": prompt_tokens},
                "output_tokens": per_image * n,
                "output_tokens_details": {"image_tokens": per_image * n, "text_tokens": 0},
                "total_tokens": prompt_tokens + per_image * n,
            },
        )
    return Reply.json(answer, headers=_openai.headers(request))


def image_file(request: MockRequest) -> Reply:
    """The PNG behind a URL the mock answered with."""
    return Reply(status=200, body=png(request.params["name"]), headers={"content-type": "image/png"})


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(r"(?:/openai)?(?:/v1)?/images/generations"),
        handler=handle,
        error=_openai.error_body,
        authorized=_openai.authorized,
        headers=_openai.headers,
    ),
    Route(
        name="mock_images",
        method="GET",
        pattern=re.compile(r"(?:/openai)?(?:/v1)?/mock-images/(?P<name>[A-Za-z0-9_-]+)\.png"),
        handler=image_file,
    ),
]
