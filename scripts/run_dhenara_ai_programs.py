"""Run dhenara-ai's own programs against this package and the embedded mock provider server.

    .venv/bin/python scripts/run_dhenara_ai_programs.py DHENARA_AI DHENARA_DOCS [--only TEXT] [--timeout S] [-v]

``DHENARA_AI`` is a clone (or bare mirror) of github dhenara/dhenara-ai, ``DHENARA_DOCS`` one of dhenara/dhenara-docs.
The programs are every ``examples/*.py`` of dhenara-ai — run once per provider (``EXAMPLE_ACTIVE_PROVIDER`` =
openai, anthropic, google) when the example reads that variable through ``include/shared_config.py``, once otherwise —
and every python block of ``docs/dhenara-ai/**/*.md``, each block on its own.

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
MOCK_PROVIDERS = ("openai", "anthropic", "google_gemini_api", "deepseek", "microsoft_openai")
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


def doc_programs(repo: Repo) -> Iterator[Program]:
    for name in repo.files():
        if not (name.startswith("docs/dhenara-ai/") and name.endswith((".md", ".mdx"))):
            continue
        text = repo.read(name)
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield Program(f"{name}:{line}", rewrite_imports(match.group(1)))


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


def run_one(program: Program, env: dict[str, str], scratch: Path, timeout: float, python: str) -> Outcome:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    for rel, text in program.files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    secrets = folder / "secrets"
    secrets.mkdir()
    (secrets / "dai_credentials.toml").write_text(CREDENTIALS_TOML, encoding="utf-8")
    script = folder / "program.py"
    script.write_text(program.source, encoding="utf-8")
    run_env = {**env, **program.env, "DAI_SECRET_CONFIG_DIR": str(secrets), "PYTHONPATH": str(folder)}
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
    args = parser.parse_args(argv)

    programs = [*example_programs(Repo(args.dhenara_ai)), *doc_programs(Repo(args.dhenara_docs))]
    if args.only:
        programs = [p for p in programs if any(text in p.name for text in args.only)]
    scratch = Path(tempfile.mkdtemp(prefix="dhenara-ai-programs-"))
    try:
        with MockProviderServer() as server:
            env = {**os.environ, **FAKE_KEYS, **server.environment(MOCK_PROVIDERS)}
            env.pop("DHENARA_HTTP_LOG", None)
            with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
                outcomes = list(pool.map(lambda p: run_one(p, env, scratch, args.timeout, args.python), programs))
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
