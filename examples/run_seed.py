"""Run a seed program unchanged against the embedded mock provider server.

    python examples/run_seed.py examples/seed_000_real_world_usage.py [--seed N]

The seed programs build their ``AIModelAPI`` objects with placeholder keys and no ``base_url``. This runner starts
the mock server (``dhenara_http.testing``), sets the ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` environment variables that
point such APIs at it (``AIModelAPI`` reads them when no ``base_url`` is given), seeds the random number generator —
the seeds pick a random model for each turn — and runs the program as ``__main__``. The default seed sends the three
turns to three different providers (Anthropic, OpenAI, Google).
"""

from __future__ import annotations

import argparse
import os
import random
import runpy
import sys
from pathlib import Path

from dhenara_http.testing import MockProviderServer

#: With this seed the seed programs' ``random.choice`` picks Claude 3.7 Sonnet, o3-mini and Gemini 2.0 Flash Lite.
DEFAULT_SEED = 43


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_seed.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("program", type=Path, help="the seed program to run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    program: Path = args.program
    if not program.is_file():
        parser.error(f"{program} is not a file")
    with MockProviderServer() as server:
        os.environ.update(server.environment())
        print(f"(running {program.name} against the mock provider server at {server.base_url}; seed {args.seed})\n")
        random.seed(args.seed)
        sys.argv = [str(program)]
        runpy.run_path(str(program), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
