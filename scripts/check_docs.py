"""The documentation's code: every ``python`` block of ``README.md`` and ``docs/*.md``, as a program.

A block is a program of its own, unless an HTML comment on the line before its fence says which block it continues
(that block's program comes first)::

    <!-- name: client -->
    ```python
    ...
    ```
    <!-- continues: client -->
    ```python
    ...
    ```

``<!-- name: b; continues: a -->`` does both. Names are per page.

``python scripts/check_docs.py`` writes the programs to a temporary directory and type-checks them, with
``examples/`` (but the seed programs, kept as users wrote them), by ``mypy --strict`` as a user's project would (no
pydantic plugin, the package's own modules not reported); ``--pyright`` also by pyright in strict mode (it runs on the
machine's Node.js; the PyPI package carries pyright itself). ``--write DIR`` only writes them. ``tests/test_docs.py``
runs the same programs against the mock provider server.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\s*$")
DIRECTIVE = re.compile(r"^<!--\s*(.*?)\s*-->\s*$")
MYPY_CONFIG = """\
[mypy]
strict = True
python_version = 3.10
warn_unused_ignores = True
[mypy-dhenara_http.*]
follow_imports = silent
"""


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the fence, 1-based
    code: str
    name: str | None
    continues: str | None


@dataclass(frozen=True)
class Program:
    """A block with the blocks it continues before it."""

    page: Path
    line: int
    code: str

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def file_name(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9]+", "_", self.page.relative_to(ROOT).with_suffix("").as_posix()).strip("_")
        return f"{stem}_{self.line}.py"


def pages(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        if not FENCE.match(lines[i]):
            i += 1
            continue
        options: dict[str, str] = {}
        directive = DIRECTIVE.match(lines[i - 1]) if i else None
        if directive:
            for part in directive.group(1).split(";"):
                key, _, value = part.partition(":")
                if key.strip() in ("name", "continues") and value.strip():
                    options[key.strip()] = value.strip()
        start = i + 1
        end = start
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"{page}:{i + 1}: a python block that never closes")
        code = "\n".join(lines[start:end]) + "\n"
        found.append(Block(page, i + 1, code, options.get("name"), options.get("continues")))
        i = end + 1
    return found


def programs(root: Path = ROOT) -> list[Program]:
    out: list[Program] = []
    for page in pages(root):
        named: dict[str, str] = {}
        for block in blocks(page):
            code = block.code
            if block.continues:
                if block.continues not in named:
                    raise ValueError(f"{page}:{block.line}: continues {block.continues!r}, named by no block before")
                code = named[block.continues] + "\n" + code
            if block.name:
                if block.name in named:
                    raise ValueError(f"{page}:{block.line}: the name {block.name!r} is taken")
                named[block.name] = code
            out.append(Program(page, block.line, code))
    return out


def write(directory: Path, root: Path = ROOT) -> dict[Path, str]:
    """Each program in a file of ``directory``: the files, with the page and line of the block each one ends with."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for program in programs(root):
        path = directory / program.file_name
        path.write_text(program.code, encoding="utf-8")
        written[path] = program.id
    return written


def _examples(root: Path) -> list[Path]:
    # The seed programs stay as users wrote them (untyped); the other examples are held to --strict.
    return sorted(p for p in (root / "examples").glob("*.py") if not p.name.startswith("seed_"))


def _report(output: str, files: dict[Path, str]) -> None:
    """``output`` with each program's temporary file named by the page and line of its block (line numbers after it
    count in the program: the block's own code, after the blocks it continues)."""
    for line in output.splitlines():
        for path, where in files.items():
            if path.name in line:
                line = line.replace(str(path), f"{where} (program)")
        print(line)


def type_check(root: Path = ROOT, pyright: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="docs-blocks-") as tmp:
        directory = Path(tmp)
        files = write(directory / "blocks", root)
        config = directory / "mypy.ini"
        config.write_text(MYPY_CONFIG, encoding="utf-8")
        examples = [str(p) for p in _examples(root)]
        command = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(root / ".mypy_cache" / "docs"),
            *(str(f) for f in files),
            *examples,
        ]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        _report(done.stdout + done.stderr, files)
        if not pyright:
            return done.returncode
        copies = directory / "examples"
        copies.mkdir()
        for example in _examples(root):
            (copies / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
        settings = {
            "typeCheckingMode": "strict",
            "pythonVersion": "3.10",
            "include": ["blocks", "examples"],  # relative paths only
            "extraPaths": [str(root)],  # the editable install's import hook is not followed by pyright
        }
        (directory / "pyrightconfig.json").write_text(json.dumps(settings), encoding="utf-8")
        print("pyright (strict):", flush=True)
        checked = subprocess.run(
            [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "-p", str(directory)],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        _report(checked.stdout + checked.stderr, files)
        return done.returncode or checked.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", metavar="DIR", help="only write the programs to DIR")
    parser.add_argument("--pyright", action="store_true", help="also type-check them with pyright (strict)")
    args = parser.parse_args()
    if args.write:
        for path in write(Path(args.write)):
            print(path)
        return 0
    return type_check(pyright=args.pyright)


if __name__ == "__main__":
    sys.exit(main())
