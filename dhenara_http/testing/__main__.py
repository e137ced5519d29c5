"""``python -m dhenara_http.testing [--host H] [--port N]``: serve the mock providers until interrupted.

The first line printed is the base URL. OpenAI (Responses, Chat Completions) and Anthropic Messages are under
``/v1``, Gemini under ``/v1beta``; any API key is accepted. The lines after it give each provider's ``base_url`` and
the ``DHENARA_HTTP_BASE_URL_<PROVIDER>`` variables that point a program's APIs here without editing it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from ._server import MockProviderServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dhenara_http.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--event-delay", type=float, default=0.0, help="seconds between two stream events")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with MockProviderServer(args.host, args.port, event_delay=args.event_delay) as server:
        print(server.base_url, flush=True)
        print("Point an AIModelAPI here with config={'base_url': ...} (any API key is accepted):", flush=True)
        for name, prefix in (("OpenAI", "/v1"), ("Anthropic", "/v1"), ("Gemini", "/v1beta")):
            print(f"  {name:<10} {server.url(prefix)}", flush=True)
        print("or run a program unchanged with these in its environment:", flush=True)
        for variable, value in server.environment().items():
            print(f"  export {variable}={value}", flush=True)
        while not stop.wait(0.5):
            pass
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
