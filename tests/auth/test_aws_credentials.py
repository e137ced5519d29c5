"""The AWS credential chain: each source, its precedence, the refresh of temporary credentials, and a real HTTP
server on 127.0.0.1 playing the container credentials endpoint and the EC2 instance metadata service (IMDSv2)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from dhenara_http._transport.auth.aws_credentials import REFRESH_MARGIN, AWSCredentialChain
from dhenara_http.errors import APIConnectionError, ConfigurationError
from tests.support.auth_io import Clock, FakeIO, SyncAuthIO
from tests.support.auth_io import run_sync as run

NOW = 1_700_000_000.0


def _iso(when: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _doc(key: str, expires: float, token: str = "session-token-1") -> bytes:
    return json.dumps(
        {"AccessKeyId": key, "SecretAccessKey": f"secret-of-{key}", "Token": token, "Expiration": _iso(expires)}
    ).encode()


# -- static sources ------------------------------------------------------------------------------------------------


def test_explicit_credentials_win_over_everything() -> None:
    env = {"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"}
    chain = AWSCredentialChain(
        {"access_key_id": "EXPL", "secret_access_key": "s3cret-x", "session_token": "t"}, {}, env
    )
    creds = run(chain.get(FakeIO()))
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == ("EXPL", "s3cret-x", "t")
    assert "s3cret-x" not in repr(creds)


def test_explicit_credentials_missing_a_key_name_it() -> None:
    with pytest.raises(ConfigurationError, match="secret_access_key"):
        run(AWSCredentialChain({"access_key_id": "A"}, {}, {}).get(FakeIO()))


def test_environment_variables() -> None:
    env = {"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtok"}
    creds = run(AWSCredentialChain(None, {}, env).get(FakeIO()))
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == ("ENVKEY", "envsecret", "envtok")


def test_half_set_environment_is_an_error_naming_the_missing_variable() -> None:
    with pytest.raises(ConfigurationError, match="AWS_SECRET_ACCESS_KEY"):
        run(AWSCredentialChain(None, {}, {"AWS_ACCESS_KEY_ID": "K"}).get(FakeIO()))


def _credentials_file(tmp_path: Path) -> Path:
    path = tmp_path / "credentials"
    path.write_text(
        "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = defsecret\n\n"
        "[work]\naws_access_key_id=WORKKEY\naws_secret_access_key=worksecret\naws_session_token=worktoken\n"
        "[broken]\naws_access_key_id=ONLYKEY\n",
        encoding="utf-8",
    )
    return path


def test_shared_file_default_and_named_profiles(tmp_path: Path) -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(_credentials_file(tmp_path))}
    assert run(AWSCredentialChain(None, {}, env).get(FakeIO())).access_key_id == "DEFKEY"
    work = run(AWSCredentialChain(None, {}, {**env, "AWS_PROFILE": "work"}).get(FakeIO()))
    assert (work.access_key_id, work.session_token) == ("WORKKEY", "worktoken")
    # A profile named in code wins over the environment's keys.
    env_keys = {**env, "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"}
    assert run(AWSCredentialChain(None, {"profile": "work"}, env_keys).get(FakeIO())).access_key_id == "WORKKEY"
    assert run(AWSCredentialChain(None, {}, env_keys).get(FakeIO())).access_key_id == "ENVKEY"


def test_shared_file_errors(tmp_path: Path) -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(_credentials_file(tmp_path)), "AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.raises(ConfigurationError, match=r"no \[nope\] profile"):
        run(AWSCredentialChain(None, {"profile": "nope"}, env).get(FakeIO()))
    with pytest.raises(ConfigurationError, match="aws_secret_access_key"):
        run(AWSCredentialChain(None, {"profile": "broken"}, env).get(FakeIO()))


def test_nothing_found_names_every_source(tmp_path: Path) -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"), "AWS_EC2_METADATA_DISABLED": "true"}
    io = FakeIO()
    with pytest.raises(ConfigurationError) as caught:
        run(AWSCredentialChain(None, {}, env).get(io))
    message = str(caught.value)
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_BEARER_TOKEN_BEDROCK",
        str(tmp_path / "absent"),
    ):
        assert name in message
    assert io.calls == []  # IMDS disabled: nothing fetched


def test_imds_unreachable_falls_through_to_the_missing_error(tmp_path: Path) -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent")}
    io = FakeIO()  # every fetch is a connection error
    with pytest.raises(ConfigurationError, match="no AWS credentials"):
        run(AWSCredentialChain(None, {}, env).get(io))
    assert io.calls[0][:2] == ("PUT", "http://169.254.169.254/latest/api/token")


# -- container endpoint (fake IO): the relative URI's fixed host, the token file --------------------------------------


def test_container_relative_uri_and_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("file-token-abcdef\n", encoding="utf-8")
    env = {
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-a-file-is-given",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    io = FakeIO(lambda m, u, h, b: (200, _doc("ECSKEY", NOW + 3600)))
    io.now = NOW
    chain = AWSCredentialChain(None, {}, env)
    creds = run(chain.get(io))
    assert creds.access_key_id == "ECSKEY"
    assert io.calls == [
        (
            "GET",
            "http://169.254.170.2/v2/credentials/abc",
            {"accept": "application/json", "authorization": "file-token-abcdef"},
        ),
    ]
    assert "file-token-abcdef" in chain.secrets()
    assert "secret-of-ECSKEY" in chain.secrets()


def test_container_full_uri_must_be_local_or_https(tmp_path: Path) -> None:
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    with pytest.raises(ConfigurationError, match="loopback"):
        run(AWSCredentialChain(None, {}, env).get(FakeIO()))


# -- a real server on 127.0.0.1 ------------------------------------------------------------------------------------


class _Metadata:
    """State of the fake metadata server: what it serves and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.key = "KEY1"
        self.expires = NOW + 3600
        self.token_status = 200
        self.lock = threading.Lock()


@pytest.fixture
def metadata_server() -> Iterator[tuple[str, _Metadata]]:
    state = _Metadata()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self) -> dict[str, str]:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.requests.append((self.command, self.path, headers))
            return headers

        def do_PUT(self) -> None:
            headers = self._record()
            if self.path == "/latest/api/token" and headers.get("x-aws-ec2-metadata-token-ttl-seconds") == "21600":
                self._answer(state.token_status, b"imds-session-token")
            else:
                self._answer(400, b"")

        def do_GET(self) -> None:
            headers = self._record()
            if self.path.startswith("/latest/"):
                if headers.get("x-aws-ec2-metadata-token") != "imds-session-token":
                    self._answer(401, b"")
                elif self.path == "/latest/meta-data/iam/security-credentials/":
                    self._answer(200, b"my-role\n")
                elif self.path == "/latest/meta-data/iam/security-credentials/my-role":
                    self._answer(200, _doc(state.key, state.expires))
                else:
                    self._answer(404, b"")
            elif self.path == "/container/creds":
                if headers.get("authorization") != "container-token-xyz":
                    self._answer(403, b'{"message":"bad token"}')
                else:
                    self._answer(200, _doc(state.key, state.expires))
            else:
                self._answer(404, b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_container_full_uri_on_a_real_server(metadata_server: tuple[str, _Metadata], tmp_path: Path) -> None:
    base, state = metadata_server
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token-xyz",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    with httpx.Client() as client:
        clock = Clock(NOW)
        io = SyncAuthIO(client, clock=clock)
        chain = AWSCredentialChain(None, {}, env)
        first = run(chain.get(io))
        assert (first.access_key_id, first.session_token, first.expiration) == ("KEY1", "session-token-1", NOW + 3600)
        # Still fresh: no second fetch.
        clock.now = NOW + 3600 - REFRESH_MARGIN - 1
        assert run(chain.get(io)) is first
        assert len(state.requests) == 1
        # Inside the refresh margin: fetched again, new keys used.
        state.key, state.expires = "KEY2", NOW + 7200
        clock.now = NOW + 3600 - REFRESH_MARGIN + 1
        assert run(chain.get(io)).access_key_id == "KEY2"
        assert len(state.requests) == 2


def test_container_wrong_token_is_a_configuration_error(metadata_server: tuple[str, _Metadata], tmp_path: Path) -> None:
    base, _ = metadata_server
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token-123",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    with httpx.Client() as client, pytest.raises(ConfigurationError, match="HTTP 403"):
        run(AWSCredentialChain(None, {}, env).get(SyncAuthIO(client)))


def test_imds_v2_on_a_real_server(metadata_server: tuple[str, _Metadata], tmp_path: Path) -> None:
    base, state = metadata_server
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": base, "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent")}
    with httpx.Client() as client:
        clock = Clock(NOW)
        io = SyncAuthIO(client, clock=clock)
        chain = AWSCredentialChain(None, {}, env)
        creds = run(chain.get(io))
        assert (creds.access_key_id, creds.secret_access_key) == ("KEY1", "secret-of-KEY1")
        assert [(m, p) for m, p, _ in state.requests] == [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            ("GET", "/latest/meta-data/iam/security-credentials/my-role"),
        ]
        # Expired: refreshed from IMDS again (not the whole chain).
        state.key = "KEY2"
        clock.now = NOW + 3600
        assert run(chain.get(io)).access_key_id == "KEY2"
        assert len(state.requests) == 6


def test_imds_refresh_failure_keeps_still_valid_credentials(
    metadata_server: tuple[str, _Metadata], tmp_path: Path
) -> None:
    base, state = metadata_server
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": base, "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent")}
    with httpx.Client() as client:
        clock = Clock(NOW)
        io = SyncAuthIO(client, clock=clock)
        chain = AWSCredentialChain(None, {}, env)
        first = run(chain.get(io))
        state.token_status = 403  # IMDS stops answering
        clock.now = NOW + 3600 - 60  # inside the margin, not yet expired
        assert run(chain.get(io)) is first
        clock.now = NOW + 3600 + 1  # expired: the failure is raised
        with pytest.raises(APIConnectionError):
            run(chain.get(io))


def test_imds_disabled_is_not_asked(metadata_server: tuple[str, _Metadata], tmp_path: Path) -> None:
    base, state = metadata_server
    env = {
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": base,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    with httpx.Client() as client, pytest.raises(ConfigurationError):
        run(AWSCredentialChain(None, {}, env).get(SyncAuthIO(client)))
    assert state.requests == []


def test_concurrent_refresh_fetches_once(metadata_server: tuple[str, _Metadata], tmp_path: Path) -> None:
    """Eight threads needing credentials at once: one fetch (the lock is the chain's, taken once per caller)."""
    base, state = metadata_server
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/container/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token-xyz",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
    }
    chain = AWSCredentialChain(None, {}, env)
    with httpx.Client() as client:
        clock = Clock(NOW)
        io = SyncAuthIO(client, clock=clock)
        results: list[str] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            barrier.wait()
            results.append(run(chain.get(io)).access_key_id)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == ["KEY1"] * 8
    assert len(state.requests) == 1
