"""dhenara-ai's client methods (``ClientCompatMixin``) and call artifacts, against the mock provider server.

``AIModelClient`` is to inherit the mixin; until it does, a one-line subclass stands for it here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dhenara_http import AIModelCallConfig, AIModelClient, AIModelEndpoint, ArtifactConfig, ConfigurationError
from dhenara_http._artifacts import CallArtifacts
from dhenara_http.foundation_models import Claude35Haiku
from dhenara_http.testing import MockProviderServer

KEY = "sk-ant-compat-test-0123456789"


class Client(AIModelClient):
    """``AIModelClient`` (which has dhenara-ai's methods of ``ClientCompatMixin``), recording how it is closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed: list[str] = []

    def close(self) -> None:
        self.closed.append("close")
        super().close()

    async def aclose(self) -> None:
        self.closed.append("aclose")
        await super().aclose()


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as running:
        yield running


def endpoint(server: MockProviderServer) -> AIModelEndpoint:
    return AIModelEndpoint(api=server.api("anthropic", api_key=KEY), ai_model=Claude35Haiku)


def test_sync_methods(server: MockProviderServer) -> None:
    client = Client(endpoint(server), AIModelCallConfig(max_output_tokens=100), is_async=False)
    before = len(server.requests)
    first = client.generate_with_existing_connection_sync(prompt="First question?")
    second = client.generate_with_existing_connection_sync(
        prompt="Second question?", context=["First question?"], instructions=["Be brief."]
    )
    assert first.chat_response is not None
    assert second.chat_response is not None
    sent = server.requests[before:]
    assert len(sent) == 2
    assert sent[1].json["system"] == [{"type": "text", "text": "Be brief."}]
    texts = [block["text"] for m in sent[1].json["messages"] for block in m["content"]]
    assert texts == ["First question?", "Second question?"]
    client.cleanup_sync()
    assert client.closed == ["close"]


def test_async_methods(server: MockProviderServer) -> None:
    async def run() -> tuple[Any, Any, list[str]]:
        client = Client(endpoint(server), AIModelCallConfig(max_output_tokens=100), is_async=True)
        one = await client.generate_with_existing_connection_async(prompt="Async one?")
        # The dispatching method takes the async path on an async client.
        two = await client.generate_with_existing_connection(messages=["Async two?"])
        await client.cleanup_async()
        return one, two, client.closed

    one, two, closed = asyncio.run(run())
    assert one.chat_response is not None
    assert two.chat_response is not None
    assert server.requests[-1].json["messages"][0]["content"][0]["text"] == "Async two?"
    assert closed == ["aclose"]


def test_the_dispatching_method_takes_the_sync_path_on_a_sync_client(server: MockProviderServer) -> None:
    client = Client(endpoint(server), AIModelCallConfig(max_output_tokens=100), is_async=False)
    calls: list[str] = []
    original = client.generate

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("generate")
        return original(*args, **kwargs)

    client.generate = spy  # type: ignore[method-assign]
    coroutine = client.generate_with_existing_connection(prompt="Sync through the coroutine?")
    # Nothing runs until awaited; stepping it once runs the sync call to its end without an event loop.
    with pytest.raises(StopIteration) as finished:
        coroutine.send(None)
    assert calls == ["generate"]
    assert finished.value.value.chat_response is not None


# -- artifacts ---------------------------------------------------------------------------------------------------------


def read(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def test_no_artifacts_unless_enabled(tmp_path: Path) -> None:
    assert CallArtifacts.start(AIModelCallConfig()) is None
    off = AIModelCallConfig(artifact_config=ArtifactConfig(enabled=False, artifact_root=str(tmp_path)))
    assert CallArtifacts.start(off) is None
    assert list(tmp_path.iterdir()) == []


def test_artifacts_of_a_call(server: MockProviderServer, tmp_path: Path) -> None:
    art_config = ArtifactConfig(
        enabled=True,
        artifact_root=str(tmp_path),
        prefix="call_001",
        enable_python_logs=True,
        python_log_level="DEBUG",
        python_logger_levels={"noisy": "OFF"},
    )
    # reasoning_effort without reasoning: the call logs a warning, which the artifacts capture.
    config = AIModelCallConfig(max_output_tokens=100, reasoning_effort="low", artifact_config=art_config)
    client = Client(endpoint(server), config, is_async=False)
    level_before = logging.getLogger("dhenara_http").level
    response = client.generate(prompt="Hello?", context=["Earlier"], instructions=["Be brief."])
    sent = server.requests[-1]
    assert response.chat_response is not None

    folder = tmp_path / "call_001" / "dai"
    assert sorted(p.name for p in folder.iterdir()) == [
        "dai_provider_request.json",
        "dai_provider_response.json",
        "dai_python_logs.jsonl",
        "dai_request.json",
        "dai_response.json",
    ]
    request = read(folder, "dai_request.json")
    assert (request["prompt"], request["context"], request["instructions"]) == ("Hello?", ["Earlier"], ["Be brief."])
    assert request["model"] == Claude35Haiku.model_name
    assert request["api_provider"] == "anthropic"
    assert request["config"]["max_output_tokens"] == 100
    assert read(folder, "dai_provider_request.json")["json"] == sent.json  # the body the provider received
    assert read(folder, "dai_provider_response.json") == response.chat_response.provider_response
    dumped = read(folder, "dai_response.json")
    assert dumped["chat_response"]["choices"] == response.chat_response.model_dump(mode="json")["choices"]
    assert "provider_response" not in dumped["chat_response"]
    rows = [json.loads(line) for line in (folder / "dai_python_logs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(r["level"] == "WARNING" and "reasoning_effort" in r["message"] for r in rows)
    assert all(r["name"] != "noisy" for r in rows)
    # Levels are restored; no secret reached any file.
    assert logging.getLogger("dhenara_http").level == level_before
    assert not logging.getLogger("noisy").disabled
    assert all(KEY not in p.read_text(encoding="utf-8") for p in folder.iterdir())


def test_artifacts_of_a_failed_call_and_an_unwritable_root(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    config = AIModelCallConfig(artifact_config=ArtifactConfig(enabled=True, artifact_root=str(blocker)))
    with caplog.at_level(logging.WARNING, logger="dhenara_http"):
        art = CallArtifacts.start(config, prompt="x")
    assert art is not None
    assert "cannot write" in caplog.text
    art.fail(RuntimeError("boom"))  # nothing to flush, nothing raised
    # Without a prefix, files go straight under <root>/dai.
    root = tmp_path / "runs"
    started = CallArtifacts.start(
        AIModelCallConfig(
            artifact_config=ArtifactConfig(enabled=True, artifact_root=str(root), capture_dhenara_request=False)
        )
    )
    assert started is not None
    started.provider_response({"ok": True})
    assert read(root / "dai", "dai_provider_response.json") == {"ok": True}
    assert not (root / "dai" / "dai_request.json").exists()


def test_artifacts_of_streams(server: MockProviderServer, tmp_path: Path) -> None:
    def config(name: str) -> AIModelCallConfig:
        art = ArtifactConfig(enabled=True, artifact_root=str(tmp_path), prefix=name, enable_python_logs=True)
        return AIModelCallConfig(streaming=True, max_output_tokens=60, artifact_config=art)

    sync_client = Client(endpoint(server), config("sync"), is_async=False)
    art = sync_client._artifacts(prompt="Stream it.")
    assert art is not None
    response = sync_client.generate(prompt="Stream it.")
    assert response.sync_stream_generator is not None
    items = list(art.watch_stream(response.sync_stream_generator))
    final = items[-1][1]
    assert final is not None
    assert final.chat_response is not None
    folder = tmp_path / "sync" / "dai"
    assert read(folder, "dai_provider_response.json") == final.chat_response.provider_response
    assert read(folder, "dai_response.json")["chat_response"]["choices"][0]["contents"][0]["text"]
    assert (folder / "dai_python_logs.jsonl").exists()

    async def run_async() -> Any:
        client = Client(endpoint(server), config("async"), is_async=True)
        started = client._artifacts(prompt="Stream it.")
        assert started is not None
        streamed = await client.generate_async(prompt="Stream it.")
        assert streamed.async_stream_generator is not None
        got = [item async for item in started.watch_async_stream(streamed.async_stream_generator)]
        await client.aclose()
        return got[-1][1]

    async_final = asyncio.run(run_async())
    assert read(tmp_path / "async" / "dai", "dai_provider_response.json") == async_final.chat_response.provider_response


def test_artifacts_of_a_stream_that_breaks(server: MockProviderServer, tmp_path: Path) -> None:
    from dhenara_http import StreamError

    art_config = ArtifactConfig(enabled=True, artifact_root=str(tmp_path), enable_python_logs=True)
    client = Client(endpoint(server), AIModelCallConfig(streaming=True, artifact_config=art_config), is_async=False)
    art = client._artifacts(prompt="Break.")
    assert art is not None
    server.inject(in_band_error=True, after_events=6)  # after the first text chunk: not retried
    response = client.generate(prompt="Break.")
    assert response.sync_stream_generator is not None
    with pytest.raises(StreamError):
        list(art.watch_stream(response.sync_stream_generator))
    folder = tmp_path / "dai"
    assert (folder / "dai_python_logs.jsonl").exists()  # flushed on the failure
    assert not (folder / "dai_response.json").exists()


def test_instructions_as_dhenara_ai_takes_them(server: MockProviderServer) -> None:
    """dhenara-ai's examples pass ``instructions=""`` (none); a dict holds a SystemInstruction's fields. Any other
    str is refused before anything is sent (API.md section 3)."""
    client = AIModelClient(endpoint(server), AIModelCallConfig(max_output_tokens=50))
    client.generate(prompt="Hi", instructions="")
    assert "system" not in server.requests[-1].json
    sent = len(server.requests)
    with pytest.raises(ConfigurationError, match="instructions must be a list"):
        client.generate(prompt="Hi", instructions="Be brief.")
    assert len(server.requests) == sent
    client.generate(prompt="Hi", instructions=["Be brief."])
    assert server.requests[-1].json["system"] == [{"type": "text", "text": "Be brief."}]
    client.generate(prompt="Hi", instructions=[{"text": "Answer in {lang}.", "variables": {"lang": "French"}}])
    assert server.requests[-1].json["system"] == [{"type": "text", "text": "Answer in French."}]
    with pytest.raises(ConfigurationError, match="context must be a list"):
        client.generate(prompt="Hi", context="earlier")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_async_calls_write_artifacts_too(server: MockProviderServer, tmp_path: Path) -> None:
    config = AIModelCallConfig(
        max_output_tokens=50, artifact_config=ArtifactConfig(enabled=True, artifact_root=str(tmp_path), prefix="a")
    )
    await AIModelClient(endpoint(server), config).generate_async(prompt="Write it down")
    folder = tmp_path / "a" / "dai"
    assert sorted(p.name for p in folder.iterdir()) == [
        "dai_provider_request.json",
        "dai_provider_response.json",
        "dai_request.json",
        "dai_response.json",
    ]
    assert read(folder, "dai_provider_request.json")["json"] == server.requests[-1].json
