"""``scripts/run_dhenara_ai_programs.py`` on a small documentation folder of its own (the real one needs dhenara-ai's
repositories): the streaming client a streaming block takes as made, the ``credentials.yaml`` a program names, and
failures known with the exception they end with."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from dhenara_http.testing import MockProviderServer

ROOT = Path(__file__).resolve().parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "run_dhenara_ai_programs", ROOT / "scripts" / "run_dhenara_ai_programs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_dhenara_ai_programs"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


runner = _load_script()

PAGE = """\
# Streaming

```python
from dhenara.ai import AIModelClient
from dhenara.ai.types import AIModelCallConfig

client = AIModelClient(model_endpoint=endpoint, config=AIModelCallConfig(max_output_tokens=300))
```

```python
response = client.generate(prompt="Stream a short poem")
for chunk, final in response.stream_generator:
    pass
assert final.chat_response.text()
assert client.config.max_output_tokens == 300
print("streamed:", final.chat_response.text()[:20])
```

```python
client = AIModelClient(model_endpoint=endpoint, config=AIModelCallConfig(streaming=False))
response = client.generate(prompt="No stream")
print(response.stream_generator is None)
```

```python
rc = ResourceConfig()
rc.load_from_file("credentials.yaml", init_endpoints=True)
print(rc.get_model_endpoint("gpt-4o").api.provider)
```
"""


@pytest.fixture(scope="module")
def server() -> Iterator[MockProviderServer]:
    with MockProviderServer() as s:
        yield s


def _programs(tmp_path: Path) -> dict[int, object]:
    page = tmp_path / "docs" / "dhenara-ai" / "streaming.md"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE, encoding="utf-8")
    programs = list(runner.doc_programs(runner.Repo(tmp_path)))
    return {int(p.name.rsplit(":", 1)[1]): p for p in programs}


def _run(program: object, server: MockProviderServer, tmp_path: Path) -> object:
    env = {**os.environ, **runner.FAKE_KEYS, **server.environment(runner.MOCK_PROVIDERS)}
    env.pop("DHENARA_HTTP_LOG", None)
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return runner.run_one(program, env, scratch, 60.0, sys.executable, runner.credentials_toml(server))


def test_a_streaming_block_streams_from_the_client_made_so_far(server: MockProviderServer, tmp_path: Path) -> None:
    programs = _programs(tmp_path)
    block = programs[10]
    assert runner.STREAMING_CLIENT in block.source
    outcome = _run(block, server, tmp_path)
    assert (outcome.status, outcome.why) == ("ok", "")
    assert "streamed: Mock answer" in outcome.stdout


def test_a_block_making_its_own_client_is_left_as_it_is(server: MockProviderServer, tmp_path: Path) -> None:
    block = _programs(tmp_path)[19]
    assert runner.STREAMING_CLIENT not in block.source
    outcome = _run(block, server, tmp_path)
    assert outcome.status == "ok"
    assert outcome.stdout.strip().splitlines()[-1] == "True"


def test_which_blocks_stream_from_your_client() -> None:
    assert runner.streams_from_your_client("r = client.generate(prompt=p)\nfor c, f in r.stream_generator: pass")
    assert not runner.streams_from_your_client("client = make()\nr = client.generate()\nr.stream_generator")
    assert not runner.streams_from_your_client("for c, f in response.stream_generator: pass")
    assert not runner.streams_from_your_client("r = client.generate(prompt=p)")


def test_a_program_naming_credentials_yaml_finds_one(server: MockProviderServer, tmp_path: Path) -> None:
    block = _programs(tmp_path)[25]
    assert runner.needs_credentials_yaml(block.source)
    outcome = _run(block, server, tmp_path)
    assert (outcome.status, outcome.why) == ("ok", "")
    assert outcome.stdout.strip().splitlines()[-1].endswith("openai")


def test_a_program_writing_its_credentials_yaml_gets_none() -> None:
    source = 'ResourceConfig.create_credentials_template("credentials.yaml")\nrc.load_from_file("credentials.yaml")'
    assert not runner.needs_credentials_yaml(source)
    assert not runner.needs_credentials_yaml("rc.load_from_file(init_endpoints=True)")


def _failure(name: str, why: str) -> object:
    return runner.Outcome(runner.Program(name, ""), "FAIL", why)


def test_a_failure_is_known_only_with_the_exception_it_is_known_to_end_with() -> None:
    name = "docs/dhenara-ai/why-dhenara/langchain-vs-dhenara.md:137"
    marked = runner.known(_failure(name, "ModuleNotFoundError: No module named 'langchain'"))
    assert (marked.status, marked.why) == ("known", runner.KNOWN_FAILURES[name].reason)
    other = runner.known(_failure(name, "TypeError: 'NoneType' object is not iterable"))
    assert (other.status, other.why) == ("FAIL", "TypeError: 'NoneType' object is not iterable")
    unlisted = runner.known(_failure("docs/dhenara-ai/other.md:1", "ModuleNotFoundError: No module named 'langchain'"))
    assert unlisted.status == "FAIL"
    ran = runner.known(runner.Outcome(runner.Program(name, ""), "ok"))
    assert ran.status == "ok"
