"""``python -m dhenara_http``: the command line (see :mod:`dhenara_http.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
