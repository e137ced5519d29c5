"""The mock's Imagen: ``POST /v1beta/models/{model}:predict`` (Gemini API) and
``POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predict`` (Vertex AI).

A Gemini API request needs an API key (``x-goog-api-key`` or ``?key=``), a Vertex AI one a bearer token this server
issued (as its other Vertex routes, :mod:`.google_oauth`); both need ``instances[0].prompt``;
``parameters.sampleCount`` is 1 to 4. The answer is ``predictions``: one ``{"bytesBase64Encoded", "mimeType"}`` per
image (small PNGs). A prompt containing ``[filtered]`` has every image withheld, as Imagen's safety filter does: a
``raiFilteredReason`` per image when ``includeRaiReason`` is on, else an empty answer. Errors have Google's shape.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from . import gemini
from ._answer import Ids
from ._http import MockRequest, Reply
from ._images import FILTER_WORD, png
from ._routes import Route
from .google_oauth import unauthenticated

NAME = "imagen"
_REASON = (
    "Your current safety filter threshold filtered out the generated image. You will not be charged for blocked "
    "images. Try rephrasing the prompt."
)


def _vertex(request: MockRequest) -> bool:
    return "/projects/" in request.path


def _authorized(request: MockRequest) -> bool:
    # Vertex AI's tokens are checked by the handler (Google's 401 shape, as the other Vertex routes answer).
    return _vertex(request) or bool(request.header("x-goog-api-key") or request.query.get("key"))


def _error(request: MockRequest, status: int, message: str) -> Reply:
    return Reply.json(gemini.error_body(status, message), status=status, headers=gemini.headers(request))


def handle(request: MockRequest) -> Reply:
    if _vertex(request):
        refused = unauthenticated(request)
        if refused is not None:
            return refused
    body = request.json
    if not isinstance(body, dict):
        return _error(request, 400, "Invalid JSON payload received. Expected an object.")
    instances = body.get("instances")
    prompt = (
        instances[0].get("prompt")
        if isinstance(instances, list) and instances and isinstance(instances[0], dict)
        else None
    )
    if not isinstance(prompt, str) or not prompt.strip():
        return _error(request, 400, "Image generation failed with the following error: The prompt could not be empty.")
    raw = body.get("parameters")
    parameters: dict[str, Any] = raw if isinstance(raw, dict) else {}
    count = parameters.get("sampleCount", 1)
    if not isinstance(count, int) or not 1 <= count <= 4:
        return _error(request, 400, "Number of images (sampleCount) must be between 1 and 4.")
    mime = str((parameters.get("outputOptions") or {}).get("mimeType") or "image/png")
    if FILTER_WORD in prompt:
        withheld = [{"raiFilteredReason": _REASON} for _ in range(count)] if parameters.get("includeRaiReason") else []
        answer: dict[str, Any] = {"predictions": withheld} if withheld else {}
        return Reply.json(answer, headers=gemini.headers(request))
    ids = Ids({"model": request.params["model"], **body})
    predictions = [
        {"mimeType": mime, "bytesBase64Encoded": base64.b64encode(png(f"{ids.seed}:{i}")).decode("ascii")}
        for i in range(count)
    ]
    return Reply.json({"predictions": predictions}, headers=gemini.headers(request))


ROUTES = [
    Route(
        name=NAME,
        method="POST",
        pattern=re.compile(
            r"/v1(?:beta1?)?/(?:projects/[^/]+/locations/[^/]+/publishers/google/)?models/(?P<model>[^/:]+):predict"
        ),
        handler=handle,
        error=gemini.error_body,
        authorized=_authorized,
        headers=gemini.headers,
        error_with_retry=gemini.error_with_retry,
    )
]
