"""The mock's Vertex AI: Gemini and Claude behind Google's front door, with OAuth bearer tokens.

* ``POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent`` and
  ``:streamGenerateContent`` (``?alt=sse``): the Gemini wire of :mod:`.gemini`.
* ``POST …/publishers/anthropic/models/{m}:rawPredict`` and ``:streamRawPredict``: the Anthropic Messages wire of
  :mod:`.anthropic`, with Vertex's differences — the model is in the path and must not be in the body, the body carries
  ``anthropic_version: "vertex-2023-10-16"`` instead of the ``anthropic-version`` header, and the path says whether
  the answer streams.

Both accept only a bearer token this server issued and that has not expired (:mod:`.google_oauth`); anything else
gets Google's 401 ``UNAUTHENTICATED``. ``/v1beta1`` paths are served too. Faults and errors take each publisher's
shapes: Google's error object for Gemini, Anthropic's for Claude.
"""

from __future__ import annotations

import re

from . import anthropic, gemini
from ._http import MockRequest, Reply
from ._routes import Route
from .google_oauth import unauthenticated

NAME = "vertex"
#: The ``anthropic_version`` Vertex AI takes in the body.
ANTHROPIC_VERSION = "vertex-2023-10-16"
_PREFIX = r"/v1(?:beta1)?/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers"


def handle_gemini(request: MockRequest) -> Reply:
    refused = unauthenticated(request)
    return refused if refused is not None else gemini.respond(request)


def handle_anthropic(request: MockRequest) -> Reply:
    refused = unauthenticated(request)
    if refused is not None:
        return refused
    body = request.json
    bad = anthropic.error_body
    if not isinstance(body, dict):
        return Reply.json(bad(400, "There was an issue with your request body: expected a JSON object."), status=400)
    if "model" in body:
        return Reply.json(bad(400, "model: Extra inputs are not permitted"), status=400)
    version = body.get("anthropic_version")
    if version != ANTHROPIC_VERSION:
        said = "anthropic_version: Field required" if version is None else f"anthropic_version: {version!r} is invalid"
        return Reply.json(bad(400, said), status=400)
    fields = {k: v for k, v in body.items() if k != "anthropic_version"}
    streams = request.params["method"] == "streamRawPredict"
    return anthropic.respond(request, {"model": request.params["model"], **fields, "stream": streams})


ROUTES = [
    Route(
        name="vertex_gemini",
        method="POST",
        pattern=re.compile(
            _PREFIX + r"/google/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)"
        ),
        handler=handle_gemini,
        error=gemini.error_body,
        headers=gemini.headers,
        error_with_retry=gemini.error_with_retry,
        stream_error=gemini.stream_error,
        authenticate=unauthenticated,
    ),
    Route(
        name="vertex_anthropic",
        method="POST",
        pattern=re.compile(_PREFIX + r"/anthropic/models/(?P<model>[^/:]+):(?P<method>rawPredict|streamRawPredict)"),
        handler=handle_anthropic,
        error=anthropic.error_body,
        headers=anthropic.headers,
        stream_error=anthropic.stream_error,
        authenticate=unauthenticated,
    ),
]
