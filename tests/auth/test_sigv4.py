"""SigV4: AWS's published test vectors, and botocore as an independent oracle over a matrix of Bedrock requests."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from unittest import mock
from urllib.parse import quote, urlencode

import pytest

from dhenara_http._transport.auth.aws_credentials import AWSCredentialChain, AWSCredentials
from dhenara_http._transport.auth.base import OutgoingRequest
from dhenara_http._transport.auth.sigv4 import (
    SigV4Signer,
    authorization,
    bedrock_signer,
    canonical_request,
    signature_headers,
)
from dhenara_http.types.api import AIModelAPI
from tests.support.auth_io import FakeIO
from tests.support.auth_io import run_sync as run

from ..support.recordings import FIXTURES

VECTORS = FIXTURES / "sigv4" / "aws4_testsuite"
SUITE_CREDS = AWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
#: The session token the suite's ``get-vanilla-with-session-token`` case signs (from its ``.sreq``).
SUITE_TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"


def _parse_req(path: Path) -> tuple[str, str, dict[str, str], bytes]:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.lower()] = value
    return method, target, headers, body.encode("utf-8")


CASES = sorted(p.stem for p in VECTORS.glob("*.req"))


def test_the_vectors_are_there() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_aws_sigv4_test_suite(case: str) -> None:
    method, target, headers, body = _parse_req(VECTORS / f"{case}.req")
    if case == "get-vanilla-with-session-token":
        headers["x-amz-security-token"] = SUITE_TOKEN
    url = "https://" + headers["host"] + target
    payload_hash = hashlib.sha256(body).hexdigest()
    creq, _ = canonical_request(method, url, headers, headers, payload_hash)
    assert creq == (VECTORS / f"{case}.creq").read_text(encoding="utf-8")
    authz = authorization(
        method, url, headers, headers, payload_hash, SUITE_CREDS, "us-east-1", "service", headers["x-amz-date"]
    )
    assert authz == (VECTORS / f"{case}.authz").read_text(encoding="utf-8")


# -- botocore as oracle ---------------------------------------------------------------------------------------------

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

WHEN = 1_767_225_600.0 + 3 * 3600 + 25  # 2026-01-01T03:00:25Z

PATHS = [
    "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse",
    "/model/us.anthropic.claude-sonnet-4-20250514-v1:0/converse-stream",
    "/model/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc/invoke",
    "/model/my model with spaces/invoke",
    "/model/ünïcode~id_(x)/converse",
]
QUERIES = [{}, {"b": "2", "a": "1 space", "z~": "x/y"}]
BODIES = [b"", b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}']
TOKENS = [None, "FwoGZXIvYXdzEBYaDH//token+with/slash=="]
HOSTS = ["https://bedrock-runtime.us-east-1.amazonaws.com", "http://127.0.0.1:8123"]


def _sent_url(host: str, path: str, query: dict[str, str]) -> str:
    """The URL as an HTTP client sends it: each path segment percent-encoded once (as the host layer does)."""
    segments = path.split("/")
    encoded = "/".join(quote(s, safe="") for s in segments)
    return host + encoded + (("?" + urlencode(query, quote_via=quote)) if query else "")


def _botocore_authorization(
    method: str, host: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes, token: str | None
) -> dict[str, str]:
    request = AWSRequest(method=method, url=_sent_url(host, path, {}), headers=headers, data=body, params=query)
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
    moment = datetime.datetime.fromtimestamp(WHEN, tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore_auth, "get_current_datetime", return_value=moment):
        botocore_auth.SigV4Auth(creds, "bedrock", "eu-west-3").add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("path", PATHS)
def test_same_signature_as_botocore(
    path: str, query: dict[str, str], body: bytes, token: str | None, host: str
) -> None:
    url = _sent_url(host, path, query)
    creds = AWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
    # Headers a proxy or the HTTP client adds are not signed: the signature must not depend on them.
    request = OutgoingRequest("POST", url, {"content-type": "application/json", "user-agent": "x/1"}, body)
    ours = signature_headers(request, creds, "eu-west-3", "bedrock", WHEN)
    # botocore signs every header it is given: give it exactly the ones signed here.
    signed = {"x-amz-content-sha256": ours["x-amz-content-sha256"]}
    theirs = _botocore_authorization("POST", host, path, query, signed, body, token)
    assert ours["authorization"] == theirs["authorization"]
    assert ours["x-amz-date"] == theirs["x-amz-date"] == "20260101T030025Z"
    assert ours.get("x-amz-security-token") == theirs.get("x-amz-security-token") == token
    assert ours["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()


def test_colon_is_encoded_twice_in_the_canonical_request() -> None:
    url = _sent_url(HOSTS[0], PATHS[0], {})
    assert "%3A0/converse" in url
    creq, signed = canonical_request("POST", url, {"host": "h"}, ["host"], "x")
    assert creq.splitlines()[1] == "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse"
    assert signed == "host"


def test_signed_headers_are_the_fixed_set() -> None:
    request = OutgoingRequest("POST", _sent_url(HOSTS[0], PATHS[0], {}), {"x-custom": "1", "accept": "*/*"}, b"{}")
    with_token = signature_headers(request, AWSCredentials("A", "S", "T"), "us-east-1", "bedrock", WHEN)
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token," in with_token["authorization"]
    without = signature_headers(request, AWSCredentials("A", "S"), "us-east-1", "bedrock", WHEN)
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date," in without["authorization"]
    assert "x-amz-security-token" not in without


def test_signer_signs_each_attempt_with_a_fresh_date() -> None:
    chain = AWSCredentialChain({"access_key_id": "AKIDEXAMPLE", "secret_access_key": "secret-key-123"}, {}, {})
    signer = SigV4Signer(chain, "us-west-2")
    io = FakeIO()
    first = OutgoingRequest("POST", _sent_url(HOSTS[0], PATHS[0], {}), {}, b"{}")
    run(signer.sign(first, io))
    io.now += 61
    second = OutgoingRequest("POST", _sent_url(HOSTS[0], PATHS[0], {}), {}, b"{}")
    run(signer.sign(second, io))
    assert first.headers["x-amz-date"] != second.headers["x-amz-date"]
    assert first.headers["authorization"] != second.headers["authorization"]
    assert "/us-west-2/bedrock/aws4_request" in first.headers["authorization"]
    assert signer.headers_to_strip() >= {"authorization", "x-amz-date", "x-amz-security-token"}
    assert "secret-key-123" in signer.secrets()
    assert "secret-key-123" not in repr(signer) + repr(chain)
    assert io.calls == []


def test_bedrock_signer_picks_bearer_for_an_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    keyed = bedrock_signer(AIModelAPI(provider="amazon_bedrock", api_key="bedrock-api-key-abc"))
    request = OutgoingRequest("POST", "https://x/model/m/converse", {}, b"")
    run(keyed.sign(request, FakeIO()))
    assert request.headers == {"authorization": "Bearer bedrock-api-key-abc"}
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "from-the-env-123")
    run(bedrock_signer(AIModelAPI(provider="amazon_bedrock")).sign(request, FakeIO()))
    assert request.headers == {"authorization": "Bearer from-the-env-123"}


def test_bedrock_signer_sigv4_region_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    api = AIModelAPI(
        provider="amazon_bedrock",
        credentials={"access_key_id": "AKID", "secret_access_key": "secret-1234", "session_token": "tok-12345678"},
        config={"region": "ap-south-1"},
    )
    signer = bedrock_signer(api)
    assert isinstance(signer, SigV4Signer)
    request = OutgoingRequest("POST", "https://bedrock-runtime.ap-south-1.amazonaws.com/model/m/converse", {}, b"")
    run(signer.sign(request, FakeIO()))
    assert "Credential=AKID/" in request.headers["authorization"]
    assert "/ap-south-1/bedrock/aws4_request" in request.headers["authorization"]
    assert request.headers["x-amz-security-token"] == "tok-12345678"
