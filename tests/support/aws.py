"""botocore as an independent oracle for what the Bedrock tests receive: the SigV4 ``Authorization`` of a request as
it went on the wire, and the frames of an AWS event stream. botocore shares no code with the package (which never
imports it); it is a test-only dependency."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any
from unittest import mock

_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+)")


def sigv4_fields(authorization: str | None) -> dict[str, str]:
    """The parts of a SigV4 ``Authorization`` header: key id, day, region, service and the signed header names."""
    found = _AUTH.match(authorization or "")
    assert found is not None, f"not a SigV4 signature: {authorization!r}"
    key, day, region, service, signed = found.groups()
    return {"key": key, "day": day, "region": region, "service": service, "signed": signed}


def botocore_authorization(
    method: str, url: str, headers: Mapping[str, str], body: bytes, secret: str, token: str | None = None
) -> str:
    """The ``Authorization`` botocore computes for a request that was sent to ``url`` (path as sent) with these
    headers (lower-case names) and body, over the header names its own ``Authorization`` says it signed, at its
    ``x-amz-date``."""
    botocore_auth = __import__("botocore.auth").auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    fields = sigv4_fields(headers.get("authorization"))
    signed = {name: headers[name] for name in fields["signed"].split(";") if name != "x-amz-date"}
    base, _, query = url.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair) if query else {}
    request = AWSRequest(method=method, url=base, headers=signed, data=body, params=params)
    moment = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore_auth, "get_current_datetime", return_value=moment):
        credentials = Credentials(fields["key"], secret, token)
        botocore_auth.SigV4Auth(credentials, fields["service"], fields["region"]).add_auth(request)
    return str(request.headers["Authorization"])


def eventstream_messages(raw: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """The (headers, payload) of every frame of an AWS event stream, CRCs checked, read by botocore."""
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    return [(dict(message.headers), message.payload) for message in buffer]
