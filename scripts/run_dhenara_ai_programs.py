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

A block that iterates ``stream_generator`` without making a client of its own streams from "your client": the one
the fixture and the page made so far, rebuilt with ``streaming=True`` (the docs take a streaming client as made there;
a call that does not stream has no ``stream_generator``, here as in dhenara-ai). A program that names the credentials
file ``credentials.yaml`` (and does not write it) finds one in its folder, with the same fake keys.

The table lists each program, ``ok`` / ``FAIL`` / ``TIMEOUT`` and the first line of why (the exception a failing
program ended with). A failure listed in :data:`KNOWN_FAILURES` — with the exception it is known to end with — is
marked ``known`` with the reason it does not run; the exit status is 0 when every program that did not run is known.
The image examples import Pillow themselves (a dependency of dhenara-ai, not of this package): install it in the
interpreter that runs the programs (``--python``) to run them. Nothing from those repositories is written outside a
temporary folder. Not run by CI: it needs the two repositories.
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

#: The same fake keys as YAML, for programs that load ``credentials.yaml`` from their working directory.
CREDENTIALS_YAML = """\
openai:
  api_key: sk-mock-openai
anthropic:
  api_key: sk-ant-mock
google_gemini_api:
  api_key: mock-gemini-key
deepseek:
  api_key: sk-mock-deepseek
"""


@dataclass(frozen=True)
class KnownFailure:
    """A program that does not run here, the exception it is known to end with and why it does not run."""

    ends_with: str
    reason: str


#: Programs that do not run, each for a reason of its own (none is a name or behaviour of dhenara-ai missing here). A
#: program listed here still counts as not run; it is marked ``known`` only while it fails with ``ends_with``.
KNOWN_FAILURES: dict[str, KnownFailure] = {
    "examples/30_image_openai.py": KnownFailure(
        "No module named 'PIL'", "imports Pillow itself (a dependency of dhenara-ai); runs with Pillow installed"
    ),
    "examples/31_image_with_resource_config.py": KnownFailure(
        "No module named 'PIL'", "imports Pillow itself (a dependency of dhenara-ai); runs with Pillow installed"
    ),
    "examples/32_image_with_messages_and_text.py": KnownFailure(
        "No module named 'PIL'", "imports Pillow itself (a dependency of dhenara-ai); runs with Pillow installed"
    ),
    "docs/dhenara-ai/samples/image-gen/image-gen.md:7": KnownFailure(
        "No module named 'PIL'", "imports Pillow itself (a dependency of dhenara-ai); runs with Pillow installed"
    ),
    "examples/98_openai_reasoing.py": KnownFailure(
        "No module named 'openai'", "a program of the OpenAI SDK (client.responses.create), not of dhenara-ai"
    ),
    "examples/99_openai_toolcall.py": KnownFailure(
        "No module named 'openai'", "a program of the OpenAI SDK (client.responses.create), not of dhenara-ai"
    ),
    "docs/dhenara-ai/getting-started/key-concepts.md:205": KnownFailure(
        "SyntaxError: 'async with' outside async function",
        "not Python: 'async with' outside an async function (and AIModelClient(...) with an Ellipsis)",
    ),
    "docs/dhenara-ai/samples/text-gen/text-gen.md:52": KnownFailure(
        "is below the smallest thinking budget",
        "max_reasoning_tokens=800 for Claude Sonnet 4.5, below Anthropic's minimum thinking budget of 1024: refused "
        "here before sending; dhenara-ai sends it and Anthropic answers 400, so chat_response is None and the "
        "block's assert fails",
    ),
    "docs/dhenara-ai/why-dhenara/langchain-vs-dhenara.md:127": KnownFailure(
        "name 'get_context' is not defined",
        "calls get_context(), a helper of dhenara-ai's examples that neither dhenara-ai nor the page defines",
    ),
    "docs/dhenara-ai/why-dhenara/langchain-vs-dhenara.md:137": KnownFailure(
        "No module named 'langchain'", "LangChain's code, shown for comparison"
    ),
    "docs/dhenara-ai/why-dhenara/langchain-vs-dhenara.md:254": KnownFailure(
        "No module named 'langchain_openai'", "LangChain's code, shown for comparison"
    ),
}

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
    status: str  # ok, FAIL, TIMEOUT, known (a failure of KNOWN_FAILURES, with the exception it is known to end with)
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


#: Run before a block that iterates ``stream_generator`` on a client it does not make: "your client", streaming.
STREAMING_CLIENT = """\
# The block streams from your client: the one made so far, with streaming on.
client = AIModelClient(
    model_endpoint=client.model_endpoint,
    config=client.config.model_copy(update={"streaming": True}),
    is_async=False,
)
"""

_MAKES_CLIENT = re.compile(r"^\s*client\s*=", re.MULTILINE)


def streams_from_your_client(block: str) -> bool:
    """Whether ``block`` iterates a response's ``stream_generator`` from a ``client`` it does not make itself."""
    return ".stream_generator" in block and "client.generate(" in block and not _MAKES_CLIENT.search(block)


def doc_programs(repo: Repo, standalone: bool = False) -> Iterator[Program]:
    for name in repo.files():
        if not (name.startswith("docs/dhenara-ai/") and name.endswith((".md", ".mdx"))):
            continue
        text = repo.read(name)
        earlier: list[str] = []
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            block = rewrite_imports(match.group(1))
            if standalone:
                source = block
            else:
                prelude = _EARLIER_BLOCKS.format(sources=[FIXTURE, *earlier])
                source = prelude + (STREAMING_CLIENT if streams_from_your_client(block) else "") + block
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


def needs_credentials_yaml(source: str) -> bool:
    """Whether a program loads ``credentials.yaml`` from its working directory without writing it first."""
    return '"credentials.yaml"' in source and "create_credentials_template" not in source


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
    if needs_credentials_yaml(program.source):
        (folder / "credentials.yaml").write_text(CREDENTIALS_YAML, encoding="utf-8")
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
    return known(Outcome(program, "FAIL", why(done.stderr, done.returncode), done.stdout, done.stderr))


def known(outcome: Outcome) -> Outcome:
    """The failure marked ``known``, with its reason, when :data:`KNOWN_FAILURES` lists it with the exception it
    ended with; otherwise the outcome as it is."""
    entry = KNOWN_FAILURES.get(outcome.program.name)
    if outcome.status != "FAIL" or entry is None or entry.ends_with not in outcome.why:
        return outcome
    return Outcome(outcome.program, "known", entry.reason, outcome.stdout, outcome.stderr)


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
        line = f"{outcome.status:<8}{outcome.program.name:<{width}}  {outcome.why}"
        print(line if outcome.status == "known" else line[:240])  # a known reason in full
        if args.verbose and outcome.status != "ok":
            print("    " + "\n    ".join(outcome.stderr.strip().splitlines()[-25:]))
    print()
    for label, prefix in (("examples", "examples/"), ("docs", "docs/")):
        group = [o for o in outcomes if o.program.name.startswith(prefix)]
        ran = sum(o.status == "ok" for o in group)
        print(f"{label}: {ran} of {len(group)} ran")
    total = sum(o.status == "ok" for o in outcomes)
    print(f"all: {total} of {len(outcomes)} ran")
    listed = sum(o.status == "known" for o in outcomes)
    unexpected = len(outcomes) - total - listed
    print(f"not run: {listed} known (KNOWN_FAILURES, reason shown), {unexpected} not known")
    return 0 if unexpected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
