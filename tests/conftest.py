from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dhenara_http.testing import MockProviderServer

# Every response model the library makes without validation is compared with the validated one (see
# dhenara_http/types/_trusted.py), here and in the child processes tests start.
os.environ["DHENARA_HTTP_VERIFY_TRUSTED"] = "1"

# The developer's DHENARA_HTTP_LOG would give the library's logger a handler of its own (and stop its records from
# reaching pytest's): the logging tests set it themselves, in child processes.
os.environ.pop("DHENARA_HTTP_LOG", None)

# Tests never read real credentials from the environment.
_CLEARED = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "DEEPSEEK_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "AWS_BEARER_TOKEN_BEDROCK",
    "OPENAI_COMPATIBLE_API_KEY",
    "OPENAI_COMPATIBLE_BASE_URL",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "VERTEXAI_PROJECT",
    "VERTEXAI_LOCATION",
    "GCE_METADATA_HOST",
    "GCE_METADATA_ROOT",
    # The official SDKs' base-URL variables, which AIModelAPI honours.
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_GEMINI_BASE_URL",
    "GEMINI_BASE_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
)


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in _CLEARED:
        if name in os.environ:
            monkeypatch.delenv(name)
    # Nor gcloud's application default credentials of the machine running the tests, nor its AWS credentials file
    # or instance metadata service.
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path_factory.getbasetemp() / "no-gcloud-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path_factory.getbasetemp() / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Nor base URL overrides that would send the calls of a test somewhere else.
    for name in list(os.environ):
        if name.startswith("DHENARA_HTTP_BASE_URL_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries never sleep in tests; the waits they asked for are recorded in the returned list."""
    waits: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        waits.append(seconds)

    from dhenara_http._transport import http_async, http_sync

    monkeypatch.setattr(http_async, "sleep", fake_async_sleep)
    monkeypatch.setattr(http_sync, "sleep", waits.append)
    return waits


@pytest.fixture
def retry_waits(_no_retry_sleep: list[float]) -> list[float]:
    return _no_retry_sleep


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run with ``@pytest.mark.anyio`` (anyio ships with httpx) on asyncio."""
    return "asyncio"


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockProviderServer]:
    """A mock provider server shared by a test module's tests (use ``mock``)."""
    from dhenara_http.testing import MockProviderServer

    with MockProviderServer() as server:
        yield server


@pytest.fixture
def mock(mock_server: MockProviderServer) -> MockProviderServer:
    """The module's mock provider server with no fault queued and no request recorded yet."""
    mock_server.clear_faults()
    mock_server.clear_requests()
    return mock_server
