"""Run dhenara-ai's own programs against this package and the embedded mock provider server.

    .venv/bin/python scripts/run_dhenara_ai_programs.py DHENARA_AI DHENARA_DOCS [--only TEXT] [--timeout S] [-v]

``DHENARA_AI`` is a clone (or bare mirror) of github dhenara/dhenara-ai, ``DHENARA_DOCS`` one of dhenara/dhenara-docs.
The programs are every ``examples/*.py`` of dhenara-ai — run once per provider (``EXAMPLE_ACTIVE_PROVIDER`` =
openai, anthropic, google) when the example reads that variable through ``include/shared_config.py``, once otherwise —
and every python block of ``docs/dhenara-ai/**/*.md``. Many blocks are fragments that use what the docs take as
already made ("your endpoint", ``client``, ``response``): a block runs after :data:`FIXTURE` (those objects, made on
the mock server, and the imports earlier pages made) and after the earlier blocks of its page, as a reader following
the page would (their own errors and output are ignored there). ``--standalone`` runs each block alone.

Each program has its imports rewritten by the rule of API.md section 1 (``from dhenara.ai[.x] import N`` ->
``from dhenara_http import N``; ``from dhenara.ai.types.genai.foundation_models.<vendor>.<kind> import N`` ->
``from dhenara_http.foundation_models import N``; ``import dhenara.ai as x`` -> ``import dhenara_http as x``), is
written to a scratch folder of its own (the examples with their ``include/`` package, rewritten the same way, and a
credentials file with fake keys in ``DAI_SECRET_CONFIG_DIR``), and runs in a subprocess with a timeout, its APIs
pointed at one mock server by ``DHENARA_HTTP_BASE_URL_*``. A program "ran" when it exits with status 0.

The table lists each program, ``ok`` / ``FAIL`` / ``TIMEOUT`` and the first line of why (the exception a failing
program ended with). Nothing from those repositories is written outside a temporary folder. Not run by CI: it needs
the two repositories.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dhenara_http.testing import MockProviderServer

#: The providers an example is run for when it reads ``EXAMPLE_ACTIVE_PROVIDER``.
EXAMPLE_PROVIDERS = ("openai", "anthropic", "google")
#: API providers whose ``DHENARA_HTTP_BASE_URL_*`` point at the mock server (all speak a wire it serves).
MOCK_PROVIDERS = ("openai", "anthropic", "google_gemini_api", "deepseek", "microsoft_openai", "google_vertex_ai")
#: Fake keys: whatever the programs read from the environment or the credentials file.
FAKE_KEYS = {
    "OPENAI_API_KEY": "sk-mock-openai",
    "ANTHROPIC_API_KEY": "sk-ant-mock",
    "GEMINI_API_KEY": "mock-gemini-key",
    "GOOGLE_API_KEY": "mock-gemini-key",
    "DEEPSEEK_API_KEY": "sk-mock-deepseek",
    "AZURE_OPENAI_API_KEY": "mock-azure-key",
    "AZURE_OPENAI_ENDPOINT": "https://mock.openai.azure.com",
}
CREDENTIALS_TOML = """\
[openai]
api_key = "sk-mock-openai"

[anthropic]
api_key = "sk-ant-mock"

[google_gemini_api]
api_key = "mock-gemini-key"

[deepseek]
api_key = "sk-mock-deepseek"
"""

_FOUNDATION_IMPORT = re.compile(r"\bfrom\s+dhenara\.ai\.types\.genai\.foundation_models\.\w+\.\w+\s+import\b")
_FROM_IMPORT = re.compile(r"\bfrom\s+dhenara\.ai(?:\.[\w.]+)?\s+import\b")
_PLAIN_IMPORT = re.compile(r"\bimport\s+dhenara\.ai\b")
_FENCE = re.compile(r"^```(?:python|py)\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def rewrite_imports(source: str) -> str:
    """The program with its dhenara-ai imports turned into this package's (API.md section 1)."""
    source = _FOUNDATION_IMPORT.sub("from dhenara_http.foundation_models import", source)
    source = _FROM_IMPORT.sub("from dhenara_http import", source)
    return _PLAIN_IMPORT.sub("import dhenara_http", source)


# -- reading the repositories -----------------------------------------------------------------------------------------


class Repo:
    """Files of a repository: through git when the path is a git directory or a clone (a bare mirror has no work
    tree), else from the file system."""

    def __init__(self, path: Path) -> None:
        self.path = path
        probe = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--verify", "HEAD"], capture_output=True, text=True, check=False
        )
        self.git = probe.returncode == 0

    def files(self) -> list[str]:
        if self.git:
            out = subprocess.run(
                ["git", "-C", str(self.path), "ls-tree", "-r", "--name-only", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            return out.splitlines()
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file())

    def read(self, name: str) -> str:
        if self.git:
            return subprocess.run(
                ["git", "-C", str(self.path), "show", f"HEAD:{name}"], capture_output=True, text=True, check=True
            ).stdout
        return (self.path / name).read_text(encoding="utf-8")


@dataclass
class Program:
    name: str
    source: str
    env: dict[str, str] = field(default_factory=dict)
    #: Other files of the program's folder (relative path -> text), e.g. the examples' ``include`` package.
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    program: Program
    status: str  # ok, FAIL, TIMEOUT
    why: str = ""
    stdout: str = ""
    stderr: str = ""


def example_programs(repo: Repo) -> Iterator[Program]:
    names = repo.files()
    include = {
        n.removeprefix("examples/"): rewrite_imports(repo.read(n))
        for n in names
        if n.startswith("examples/include/") and n.endswith(".py")
    }
    for name in names:
        if not (name.startswith("examples/") and name.endswith(".py") and name.count("/") == 1):
            continue
        source = rewrite_imports(repo.read(name))
        if "all_endpoints" in source or "EXAMPLE_ACTIVE_PROVIDER" in source:
            for provider in EXAMPLE_PROVIDERS:
                yield Program(f"{name} [{provider}]", source, {"EXAMPLE_ACTIVE_PROVIDER": provider}, include)
        else:
            yield Program(name, source, {}, include)


#: What the docs' fragments take as defined: the imports of earlier pages and "your" API, model, endpoint, client,
#: call config, prompts, messages and last response, made on the mock server (an Anthropic endpoint, the docs' own
#: example provider). Helpers a page only implies (``get_context``, ``TOOL_REGISTRY``) are not made up here.
FIXTURE = """\
import asyncio
import os
import random

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatModelCostData,
    ChatModelSettings,
    ImageModelSettings,
    Prompt,
    ResourceConfig,
    ResourceConfigItem,
    ResourceConfigItemTypeEnum,
)
from dhenara_http.foundation_models import ClaudeSonnet45, GPT4oMini

api = my_api = AIModelAPI(provider=AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-mock")
bedrock_api = AIModelAPI(
    provider=AIModelAPIProviderEnum.AMAZON_BEDROCK,
    credentials={"access_key_id": "AKIAMOCK", "secret_access_key": "mock-secret"},
    config={"region": "us-east-1"},
)
model = my_model = ClaudeSonnet45
endpoint = model_endpoint = my_endpoint = my_model_endpoint = your_model_endpoint = AIModelEndpoint(
    api=my_api, ai_model=my_model
)
all_model_endpoints = [
    endpoint,
    AIModelEndpoint(api=AIModelAPI(provider=AIModelAPIProviderEnum.OPEN_AI, api_key="sk-mock"), ai_model=GPT4oMini),
]
config = my_config = AIModelCallConfig(max_output_tokens=1024)
client = AIModelClient(model_endpoint=endpoint, config=config, is_async=False)
prompt = prompt1 = "What are three ways to improve productivity?"
prompt2 = "Explain the first one in more detail."
prompt3 = "Summarise both answers in one sentence."
instructions = ["Be concise."]
messages = [Prompt.with_text("What is the weather in Paris?")]
response = client.generate(prompt=prompt)
chat = response.chat_response
resource_config = rc = ResourceConfig()
rc.load_from_file(init_endpoints=True)
"""

_EARLIER_BLOCKS = """\
# The earlier python blocks of this page, run first as a reader following the page would; their output and errors
# are not this block's.
import contextlib as _contextlib
import io as _io

for _source in {sources!r}:
    try:
        with _contextlib.redirect_stdout(_io.StringIO()):
            exec(compile(_source, "<earlier block of the page>", "exec"), globals())
    except BaseException:
        pass
"""


def doc_programs(repo: Repo, standalone: bool = False) -> Iterator[Program]:
    for name in repo.files():
        if not (name.startswith("docs/dhenara-ai/") and name.endswith((".md", ".mdx"))):
            continue
        text = repo.read(name)
        earlier: list[str] = []
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            block = rewrite_imports(match.group(1))
            source = block if standalone else _EARLIER_BLOCKS.format(sources=[FIXTURE, *earlier]) + block
            earlier.append(block)
            yield Program(f"{name}:{line}", source)


# -- running --------------------------------------------------------------------------------------------------------


def why(stderr: str, returncode: int) -> str:
    """The first line of the exception the program ended with (or of whatever it last said)."""
    lines = stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        for line in lines[starts[-1] + 1 :]:
            if line and not line.startswith((" ", "\t")):
                return line.strip()
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else f"exit status {returncode}"


def credentials_toml(server: MockProviderServer) -> str:
    """The credentials file: fake keys, and for Vertex AI the mock's own service account (tokens from the server)."""
    from dhenara_http.testing._accounts import service_account

    account = json.dumps(json.dumps(service_account(token_uri=server.url("/token"))))
    vertex = f'\n[google_vertex_ai]\ncredentials.service_account_json = {account}\nconfig.location = "us-central1"\n'
    return CREDENTIALS_TOML + vertex


def run_one(
    program: Program, env: dict[str, str], scratch: Path, timeout: float, python: str, credentials: str
) -> Outcome:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    for rel, text in program.files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    secrets = folder / "secrets"
    secrets.mkdir()
    (secrets / "dai_credentials.toml").write_text(credentials, encoding="utf-8")
    script = folder / "program.py"
    script.write_text(program.source, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    run_env = {**env, **program.env, "DAI_SECRET_CONFIG_DIR": str(secrets), "PYTHONPATH": path}
    try:
        done = subprocess.run(
            [python, str(script)],
            cwd=folder,
            env=run_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Outcome(program, "TIMEOUT", f"no exit within {timeout:g} s", out)
    if done.returncode == 0:
        return Outcome(program, "ok", "", done.stdout, done.stderr)
    return Outcome(program, "FAIL", why(done.stderr, done.returncode), done.stdout, done.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dhenara_ai", type=Path, help="clone or git mirror of dhenara/dhenara-ai")
    parser.add_argument("dhenara_docs", type=Path, help="clone or git mirror of dhenara/dhenara-docs")
    parser.add_argument("--only", action="append", default=[], help="run only programs whose name contains this")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per program (default 90)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="programs run at once")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs the programs")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the stderr of every failing program")
    parser.add_argument("--failures-only", action="store_true", help="list only the programs that did not run")
    parser.add_argument("--standalone", action="store_true", help="run each doc block alone, without its page")
    args = parser.parse_args(argv)

    programs = [*example_programs(Repo(args.dhenara_ai)), *doc_programs(Repo(args.dhenara_docs), args.standalone)]
    if args.only:
        programs = [p for p in programs if any(text in p.name for text in args.only)]
    scratch = Path(tempfile.mkdtemp(prefix="dhenara-ai-programs-"))
    try:
        with MockProviderServer() as server:
            env = {**os.environ, **FAKE_KEYS, **server.environment(MOCK_PROVIDERS)}
            env.pop("DHENARA_HTTP_LOG", None)
            credentials = credentials_toml(server)
            with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
                outcomes = list(
                    pool.map(lambda p: run_one(p, env, scratch, args.timeout, args.python, credentials), programs)
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    width = max((len(o.program.name) for o in outcomes), default=10)
    for outcome in outcomes:
        if args.failures_only and outcome.status == "ok":
            continue
        print(f"{outcome.status:<8}{outcome.program.name:<{width}}  {outcome.why}"[:240])
        if args.verbose and outcome.status != "ok":
            print("    " + "\n    ".join(outcome.stderr.strip().splitlines()[-25:]))
    print()
    for label, prefix in (("examples", "examples/"), ("docs", "docs/")):
        group = [o for o in outcomes if o.program.name.startswith(prefix)]
        ran = sum(o.status == "ok" for o in group)
        print(f"{label}: {ran} of {len(group)} ran")
    total = sum(o.status == "ok" for o in outcomes)
    print(f"all: {total} of {len(outcomes)} ran")
    return 0 if total == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
