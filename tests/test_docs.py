"""Every ``python`` block of ``README.md`` and ``docs/`` runs, as a program of its own (with the blocks it continues,
see ``scripts/check_docs.py``), against the mock provider server: the environment a reader would set for real —
API keys, AWS credentials and region, a Vertex service-account key file, an Azure endpoint — is set to the mock's,
and ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` points every provider at it. ``make types`` type-checks the same programs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from dhenara_http.testing import MockProviderServer
from dhenara_http.testing._accounts import service_account
from dhenara_http.testing.converse import ACCESS_KEY_ID, SECRET_ACCESS_KEY

ROOT = Path(__file__).resolve().parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_docs", ROOT / "scripts" / "check_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_docs"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


check_docs = _load_script()
PROGRAMS = check_docs.programs()
PROVIDERS = ("openai", "anthropic", "google_gemini_api", "google_vertex_ai", "amazon_bedrock")


@pytest.fixture(scope="module")
def docs_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("docs-home")
    with MockProviderServer() as server:
        key_file = home / "vertex-key.json"
        key_file.write_text(json.dumps(service_account(token_uri=server.url("/token"))), encoding="utf-8")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DHENARA_HTTP_", "AWS_", "AZURE_", "GOOGLE_", "GEMINI_"))
            and not k.endswith("_API_KEY")
        }
        env.update(server.environment(PROVIDERS))
        env.update(
            {
                "HOME": str(home),
                "CLOUDSDK_CONFIG": str(home / "gcloud"),
                "PYTHONIOENCODING": "utf-8",
                "OPENAI_API_KEY": "mock-key",
                "ANTHROPIC_API_KEY": "mock-key",
                "GEMINI_API_KEY": "mock-key",
                "DEEPSEEK_API_KEY": "mock-key",
                "AZURE_OPENAI_API_KEY": "mock-key",
                "AZURE_OPENAI_ENDPOINT": server.base_url,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
                "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
                "GOOGLE_CLOUD_LOCATION": "us-central1",
            }
        )
        yield env


def test_the_pages_have_code() -> None:
    pages = {p.page.name for p in PROGRAMS}
    assert "README.md" in pages
    assert len(pages) >= 10
    assert len(PROGRAMS) >= 30


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.id for p in PROGRAMS])
def test_block_runs_against_the_mock(program: object, docs_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / program.file_name  # type: ignore[attr-defined]
    path.write_text(program.code, encoding="utf-8")  # type: ignore[attr-defined]
    done = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        env=docs_env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{program.id}\n{done.stdout}\n{done.stderr}"  # type: ignore[attr-defined]


# -- the extraction itself -----------------------------------------------------------------------------------------


def test_continued_blocks_run_after_what_they_continue(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("```python\nx = 1\n```\n", encoding="utf-8")
    (tmp_path / "docs" / "page.md").write_text(
        "<!-- name: a -->\n```python\na = 1\n```\ntext\n<!-- name: b; continues: a -->\n```python\nb = a + 1\n```\n"
        "<!-- continues: b -->\n```python\nprint(b)\n```\n```sh\nnot python\n```\n",
        encoding="utf-8",
    )
    found = check_docs.programs(tmp_path)
    assert [p.code for p in found] == ["x = 1\n", "a = 1\n", "a = 1\n\nb = a + 1\n", "a = 1\n\nb = a + 1\n\nprint(b)\n"]
    assert [p.line for p in found] == [1, 2, 7, 11]  # the fences' lines


def test_a_block_continuing_an_unknown_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- continues: nope -->\n```python\nx = 1\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="named by no block before"):
        check_docs.programs(tmp_path)
