"""The mock's AWS container credentials endpoint (what ECS tasks and EKS Pod Identity read): ``GET
/v2/credentials/{id}`` answers the mock Bedrock runtime's temporary test credentials — an ``ASIA…`` key, its secret
and its session token — with an ``Expiration`` an hour ahead, in the JSON shape of the real endpoint.

Point a program at it with ``AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/v2/credentials/mock`` (the
SDKs allow ``http`` to a loopback address). When the request carries an ``Authorization`` header (EKS Pod Identity's
token, from ``AWS_CONTAINER_AUTHORIZATION_TOKEN``), it must be :data:`AUTHORIZATION_TOKEN`.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ._http import MockRequest, Reply
from ._routes import Route
from .converse import SESSION_TOKEN, TEMPORARY_ACCESS_KEY_ID, TEMPORARY_SECRET_ACCESS_KEY

NAME = "aws_container"
#: The path a test names in ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (any id is served).
PATH = "/v2/credentials/mock"
#: The authorization token the endpoint accepts when one is sent.
AUTHORIZATION_TOKEN = "mock-pod-identity-authorization-token-0001"
#: Seconds the credentials it hands out stay valid.
LIFETIME = 3600


def _error(status: int, message: str | None) -> Any:
    return {"code": "ClientError" if status < 500 else "ServerError", "message": message or f"HTTP {status}"}


def credentials(request: MockRequest) -> Reply:
    given = request.header("authorization")
    if given is not None and given != AUTHORIZATION_TOKEN:
        return Reply.json(_error(403, "invalid authorization token"), status=403)
    expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + LIFETIME))
    return Reply.json(
        {
            "RoleArn": "arn:aws:iam::123456789012:role/mock-bedrock-task-role",
            "AccessKeyId": TEMPORARY_ACCESS_KEY_ID,
            "SecretAccessKey": TEMPORARY_SECRET_ACCESS_KEY,
            "Token": SESSION_TOKEN,
            "Expiration": expiry,
        }
    )


ROUTES = [
    Route(
        name=NAME,
        method="GET",
        pattern=re.compile(r"/v2/credentials/(?P<id>[^/]+)"),
        handler=credentials,
        error=_error,
    )
]
