"""The command line: ``python -m dhenara_http`` or ``dhenara-http``.

* ``models [--vendor V] [--json]`` — the catalogue with its limits and prices.
* ``chat MODEL "prompt" [--stream] [--provider P] …`` — one call, keys (and base URLs) from the environment, as any
  program using the library would read them.
* ``mock [--host H] [--port N]`` — the mock provider server in the foreground, with the environment lines that point
  programs (and ``chat``) at it.

Everything heavy is imported inside the command that needs it: ``import dhenara_http`` never loads this module.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .types.model import FoundationModel

#: The API provider a model's vendor is reached through when ``--provider`` is not given.
VENDOR_API = {"open_ai": "openai", "anthropic": "anthropic", "google_ai": "google_gemini_api", "deepseek": "deepseek"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from .errors import DhenaraError

    try:
        result: int = args.run(args)
    except DhenaraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dhenara-http", description="Call AI models of many providers, list the catalogue, run the mock server."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", help="list the model catalogue with prices")
    models.add_argument("--vendor", help="only this vendor's models: open_ai, anthropic, google_ai, deepseek")
    models.add_argument("--json", action="store_true", help="one JSON object per model instead of a table")
    models.set_defaults(run=_models)

    chat = commands.add_parser("chat", help="send one prompt to a model (keys from the environment)")
    chat.add_argument("model", help="a model id (gpt-4o-mini, claude-sonnet-4-5 …) or a catalogue name (GPT4oMini)")
    chat.add_argument("prompt", help="the prompt; '-' reads it from standard input")
    chat.add_argument("--provider", help="the API provider (openai, anthropic, google_gemini_api, amazon_bedrock …)")
    chat.add_argument("--stream", action="store_true", help="print the answer as it streams")
    chat.add_argument("--instructions", action="append", default=[], help="a system instruction (repeatable)")
    chat.add_argument("--max-output-tokens", type=int, help="cap the answer's length")
    chat.add_argument("--reasoning", action="store_true", help="turn reasoning on (printed to standard error)")
    chat.add_argument("--reasoning-effort", help="low, medium, high … (effort models)")
    chat.add_argument("--timeout", type=float, help="seconds the call may take")
    chat.add_argument("--base-url", help="send the call here instead (a gateway, the mock server)")
    chat.set_defaults(run=_chat)

    mock = commands.add_parser("mock", help="run the mock provider server until interrupted")
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    mock.add_argument("--event-delay", type=float, default=0.0, help="seconds between two stream events")
    mock.set_defaults(run=_mock)
    return parser


# -- models ------------------------------------------------------------------------------------------------------


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _row(model: FoundationModel) -> dict[str, Any]:
    from .types.model import ChatModelCostData, ChatModelSettings, ImageModelCostData

    settings = model.settings
    cost = model.cost_data
    row: dict[str, Any] = {
        "model": model.model_name,
        "vendor": model.provider.value,
        "type": model.functional_type.value,
        "context": settings.max_context_window_tokens if isinstance(settings, ChatModelSettings) else None,
        "max_output": settings.max_output_tokens if isinstance(settings, ChatModelSettings) else None,
        "reasoning": (settings.reasoning_control or "yes")
        if isinstance(settings, ChatModelSettings) and settings.supports_reasoning
        else None,
    }
    if isinstance(cost, ChatModelCostData):
        row["prices_per_million"] = {
            "input": cost.input_token_cost_per_million,
            "output": cost.output_token_cost_per_million,
            "cache_read": cost.cache_read_token_cost_per_million,
            "cache_write": cost.cache_write_token_cost_per_million,
        }
    elif isinstance(cost, ImageModelCostData):
        rows = [r.cost_per_image for r in cost.image_options_cost_data]
        flat = [cost.flat_cost_per_image] if cost.flat_cost_per_image is not None else []
        prices = flat + rows
        row["price_per_image"] = {"min": min(prices), "max": max(prices)} if prices else None
    return row


def _models(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from .foundation_models import all_models

    out = out or sys.stdout
    models = sorted(all_models(vendor=args.vendor), key=lambda m: (m.provider.value, m.order, m.model_name))
    if args.vendor and not models:
        vendors = sorted({m.provider.value for m in all_models()})
        print(f"error: no models of vendor {args.vendor!r}; vendors: {', '.join(vendors)}", file=sys.stderr)
        return 2
    rows = [_row(m) for m in models]
    if args.json:
        for row in rows:
            print(json.dumps(row), file=out)
        return 0
    header = ("model", "vendor", "context", "max out", "reasoning", "$/M in", "$/M out", "$/M cache r/w")
    table = [header]
    for row in rows:
        prices = row.get("prices_per_million")
        if prices:
            money = (
                _price(prices["input"]),
                _price(prices["output"]),
                f"{_price(prices['cache_read'])}/{_price(prices['cache_write'])}",
            )
        elif row.get("price_per_image"):
            per = row["price_per_image"]
            span = _price(per["min"]) if per["min"] == per["max"] else f"{_price(per['min'])}-{_price(per['max'])}"
            money = (f"${span}/image", "", "")
        else:
            money = ("?", "?", "")
        table.append(
            (
                row["model"],
                row["vendor"],
                f"{row['context']:,}" if row["context"] else "-",
                f"{row['max_output']:,}" if row["max_output"] else "-",
                row["reasoning"] or "-",
                *money,
            )
        )
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip(), file=out)
    print(f"\n{len(rows)} models; prices in USD per million tokens ('?' where the catalogue has none)", file=out)
    return 0


# -- chat --------------------------------------------------------------------------------------------------------


def _find(name: str) -> FoundationModel | str:
    from . import foundation_models

    found = foundation_models.find_model(name)
    if found is None and name in foundation_models.__all__:
        found = foundation_models.get(name)
    return found if found is not None else name


def _chat(args: argparse.Namespace) -> int:
    from .client import AIModelClient
    from .errors import ConfigurationError
    from .types.api import AIModelAPI
    from .types.config import AIModelCallConfig
    from .types.endpoint import AIModelEndpoint

    model = _find(args.model)
    provider = args.provider
    if provider is None:
        vendor = model.provider.value if not isinstance(model, str) else None
        provider = VENDOR_API.get(vendor or "")
        if provider is None:
            raise ConfigurationError(f"{args.model!r} is not in the catalogue: name its API with --provider")
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    api = AIModelAPI(provider=provider, config={"base_url": args.base_url} if args.base_url else {})
    fields: dict[str, Any] = {"streaming": args.stream, "reasoning": args.reasoning}
    for name in ("max_output_tokens", "reasoning_effort", "timeout"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    config = AIModelCallConfig.model_validate(fields)
    with AIModelClient(AIModelEndpoint(api=api, ai_model=model), config) as client:
        response = client.generate(prompt=prompt, instructions=args.instructions)
        if args.stream:
            final = None
            reasoning = False  # whether reasoning was the last thing printed (on standard error)
            for chunk, accumulated in response.stream_generator:
                if chunk is not None:
                    for choice in chunk.data.choice_deltas:
                        for delta in choice.content_deltas:
                            kind = delta.type.value
                            if kind == "reasoning":
                                print(delta.get_text_delta(), end="", file=sys.stderr, flush=True)
                                reasoning = True
                            elif kind == "text":
                                if reasoning:
                                    print(file=sys.stderr, flush=True)
                                    reasoning = False
                                print(delta.get_text_delta(), end="", flush=True)
                if accumulated is not None:
                    final = accumulated
            print()
            if final is None:
                return 1
            response = final
        else:
            chat = response.chat
            thought = chat.reasoning()
            if thought:
                print(thought, file=sys.stderr)
            print(chat.as_text() if chat.text() is None else chat.text())
    _summary(response)
    return 0


def _summary(response: Any) -> None:
    chat = response.chat_response
    parts = []
    if chat is not None and chat.usage is not None:
        parts.append(f"tokens: {chat.usage.prompt_tokens} in, {chat.usage.completion_tokens} out")
    if chat is not None and chat.usage_charge is not None:
        parts.append(f"cost ${chat.usage_charge.cost:.6f}")
    if response.request_id:
        parts.append(f"request id {response.request_id}")
    if parts:
        print(f"[{'; '.join(parts)}]", file=sys.stderr)


# -- mock --------------------------------------------------------------------------------------------------------


def _mock(args: argparse.Namespace) -> int:
    import signal
    import threading

    from .testing import MockProviderServer

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    with MockProviderServer(args.host, args.port, event_delay=args.event_delay) as server:
        print(f"# mock provider server at {server.base_url} (any API key is accepted); point programs at it with:")
        for variable, value in server.environment().items():
            print(f"export {variable}={value}")
        for variable in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
            print(f"export {variable}=${{{variable}:-mock-key}}")
        print("# Ctrl-C stops it", flush=True)
        while not stop.wait(0.5):
            pass
    return 0
