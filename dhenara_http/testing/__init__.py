"""An embedded mock provider server for tests, demos and benchmarks: real HTTP on 127.0.0.1, the providers' real
wire shapes, deterministic answers that reflect the request, and scripted faults.

It speaks OpenAI Responses and Chat Completions (``/v1/responses``, ``/v1/chat/completions``), Anthropic Messages
(``/v1/messages``) and Gemini (``/v1beta/models/{model}:generateContent`` and ``:streamGenerateContent``), as JSON
and as each provider's event stream — hosted web search included (a search, its results and citations in each
provider's shapes); makes images: OpenAI's ``/v1/images/generations`` (base64, or URLs it serves itself), Imagen's
``:predict`` (Gemini API and Vertex AI paths) and Gemini's image-output answers; and speaks the hosts that
authenticate every request — Amazon Bedrock (Converse and InvokeModel, SigV4 checked against its test keys, AWS event
streams, a container credentials endpoint) and Vertex AI (Gemini and Claude publishers, OAuth tokens from its own token
endpoint and metadata route).

```python
from dhenara_http.testing import MockProviderServer

with MockProviderServer() as server:
    api = server.api("anthropic")                   # an AIModelAPI whose base_url points at the server
    server.inject(status=529)                       # the next request gets Anthropic's overloaded_error
    server.inject(in_band_error=True, after_events=5)  # the next stream breaks with an in-band error event
    ...
    assert server.requests[-1].json["model"] == "claude-sonnet-4-5"
```

``server.environment()`` gives the ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` variables that point APIs built without a
``base_url`` at the server. ``python -m dhenara_http.testing [--port N]`` runs it on its own and prints its base URL.
Nothing here is imported by ``import dhenara_http``.
"""

from __future__ import annotations

from ._faults import Fault
from ._http import MockRequest, Reply
from ._routes import WIRE_MODULES, Route
from ._server import MockProviderServer

__all__ = ["WIRE_MODULES", "Fault", "MockProviderServer", "MockRequest", "Reply", "Route"]
