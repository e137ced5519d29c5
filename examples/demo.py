"""The seed program's promise, for real: one conversation ("a robot learning to paint"), three turns, three providers.

Turn 1 goes to Claude (Anthropic Messages, with extended thinking), turn 2 to GPT (OpenAI Responses), turn 3 to
Gemini (the Gemini API). Each turn carries the earlier ones exactly as the seed program does: ``get_context`` turns
the ``ConversationNode``s into provider-neutral prompts with ``PromptFormatter.format_conversion_node_as_prompts``,
and the destination's wire renders them.

A provider whose API key is in the environment (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``,
``GEMINI_API_KEY`` / ``GOOGLE_API_KEY``) is called for real; the others are served by the embedded mock provider
server (``dhenara_http.testing``), whose answers quote what reached it — the last question, the previous answer, the
system instructions — so you can watch the history travel from provider to provider. ``--mock`` (or
``DHENARA_HTTP_DEMO=mock``) sends every turn to the mock, whatever keys are set. The demo says first where each turn
goes, and a live call that fails ends the demo with the error and how to run it on the mock.

Run it with ``make demo`` (``make demo ARGS=--mock``) or ``python examples/demo.py [--mock]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from dhenara_http import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ConversationNode,
    DhenaraError,
    FoundationModel,
    PromptFormatter,
)
from dhenara_http.foundation_models import ClaudeSonnet45, Gemini25Flash, GPT4oMini
from dhenara_http.testing import MockProviderServer

P = AIModelAPIProviderEnum

#: The environment variables holding each provider's key (the first one set is used).
KEY_ENV = {
    P.ANTHROPIC: ("ANTHROPIC_API_KEY",),
    P.OPEN_AI: ("OPENAI_API_KEY",),
    P.GOOGLE_AI: ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}


@dataclass(frozen=True)
class Leg:
    """Who answers one turn: a model, the API provider hosting it, and call options."""

    model: FoundationModel
    provider: AIModelAPIProviderEnum
    options: tuple[tuple[str, Any], ...] = ()


TURNS = [
    ("Tell me a short story about a robot learning to paint.", ["Be creative and engaging."]),
    (
        "Continue the story but add a twist where the robot discovers something unexpected.",
        ["Build upon the previous story seamlessly."],
    ),
    ("Conclude the story with an inspiring ending.", ["Bring the story to a satisfying conclusion."]),
]

LEGS = [
    Leg(ClaudeSonnet45, P.ANTHROPIC, (("reasoning", True), ("max_reasoning_tokens", 1024))),
    Leg(GPT4oMini, P.OPEN_AI),
    Leg(Gemini25Flash, P.GOOGLE_AI),
]


def key_variable(provider: AIModelAPIProviderEnum) -> str | None:
    """The environment variable holding ``provider``'s key, when one is set."""
    return next((name for name in KEY_ENV[provider] if os.environ.get(name)), None)


class Apis:
    """One ``AIModelAPI`` per provider: the real one when its key is set (and the mock is not forced), else one on
    the mock server (started the first time a provider needs it)."""

    def __init__(self, stack: ExitStack, force_mock: bool) -> None:
        self._stack = stack
        self._server: MockProviderServer | None = None
        self.force_mock = force_mock

    def live(self, provider: AIModelAPIProviderEnum) -> bool:
        return not self.force_mock and key_variable(provider) is not None

    def where(self, provider: AIModelAPIProviderEnum) -> str:
        """Where a turn for ``provider`` goes, and why."""
        variable = key_variable(provider)
        if self.force_mock:
            return "mock (forced" + (f"; {variable} is set but not used)" if variable else ")")
        if variable:
            return f"live ({variable} is set)"
        return f"mock (no {' or '.join(KEY_ENV[provider])})"

    def get(self, provider: AIModelAPIProviderEnum) -> AIModelAPI:
        if self.live(provider):
            return AIModelAPI(provider=provider)
        if self._server is None:
            self._server = self._stack.enter_context(MockProviderServer())
            print(f"(the mock provider server is at {self._server.base_url})\n")
        return self._server.api(provider)


def get_context(previous_nodes: list[ConversationNode], destination_model: Any) -> list[Any]:
    """Earlier turns as context for the next one — the seed program's own function."""
    context: list[Any] = []
    for node in previous_nodes:
        prompts = PromptFormatter.format_conversion_node_as_prompts(
            model=destination_model,
            user_query=node.user_query,
            attached_files=node.attached_files,
            previous_response=node.response,
        )
        context.extend(prompts)
    return context


def handle_conversation_turn(
    user_query: str,
    instructions: list[str],
    endpoint: AIModelEndpoint,
    conversation_nodes: list[ConversationNode],
    options: dict[str, Any],
) -> ConversationNode:
    """One turn, as in the seed program: format the query, add the context, generate, keep the node."""
    config = AIModelCallConfig(max_output_tokens=4000, streaming=False, **options)
    prompt = PromptFormatter.format_conversion_node_as_prompts(
        model=endpoint.ai_model, user_query=user_query, attached_files=[], previous_response=[]
    )[0]
    context = get_context(conversation_nodes, endpoint.ai_model) if conversation_nodes else []
    with AIModelClient(model_endpoint=endpoint, config=config, is_async=False) as client:
        response = client.generate(prompt=prompt, context=context, instructions=instructions)
    return ConversationNode(
        user_query=user_query,
        attached_files=[],
        response=response.chat_response,
        timestamp=datetime.datetime.now().isoformat(timespec="seconds"),
    )


def describe_usage(chat: ChatResponse) -> str:
    usage = chat.usage
    if usage is None:
        return "usage: not reported"
    parts = [f"prompt {usage.prompt_tokens}", f"completion {usage.completion_tokens}"]
    if usage.reasoning_tokens:
        parts.append(f"of which reasoning {usage.reasoning_tokens}")
    parts.append(f"total {usage.total_tokens}")
    cost = f"${chat.usage_charge.cost:.6f}" if chat.usage_charge is not None else "unknown (no prices)"
    return f"usage: {', '.join(parts)} tokens; cost {cost}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Three turns of one conversation on three providers.")
    parser.add_argument(
        "--mock", action="store_true", help="send every turn to the mock server, even when API keys are set"
    )
    args = parser.parse_args(argv)
    force_mock = args.mock or os.environ.get("DHENARA_HTTP_DEMO", "").lower() == "mock"
    nodes: list[ConversationNode] = []
    with ExitStack() as stack:
        apis = Apis(stack, force_mock)
        for i, leg in enumerate(LEGS, 1):
            print(f"Turn {i} -> {leg.provider.value} {leg.model.model_name}: {apis.where(leg.provider)}")
        print()
        for i, ((query, instructions), leg) in enumerate(zip(TURNS, LEGS, strict=True), 1):
            endpoint = AIModelEndpoint(api=apis.get(leg.provider), ai_model=leg.model)
            try:
                node = handle_conversation_turn(query, instructions, endpoint, nodes, dict(leg.options))
            except DhenaraError as exc:
                print(f"Turn {i} ({leg.provider.value}, {apis.where(leg.provider)}) failed: {exc}", file=sys.stderr)
                if apis.live(leg.provider):
                    print(
                        "To run the demo on the mock server whatever keys are set: make demo ARGS=--mock "
                        "(or DHENARA_HTTP_DEMO=mock make demo, or python examples/demo.py --mock)",
                        file=sys.stderr,
                    )
                return 1
            chat = node.response
            assert isinstance(chat, ChatResponse)
            where = "live" if apis.live(leg.provider) else "mock"
            wire = chat.metadata.get("wire_api", "?")
            print(
                f"🔄 Turn {i}: model {leg.model.model_name} | provider {leg.provider.value} | wire {wire} | {where}\n"
            )
            print(f"User: {query}\n")
            reasoning = chat.reasoning()
            if reasoning:
                print(f"Reasoning:\n {reasoning}\n")
            print(f"Answer ({chat.model}, finish: {chat.finish_reason}):\n {chat.text()}\n")
            print(describe_usage(chat))
            print("-" * 80)
            nodes.append(node)
    total = sum(n.response.usage_charge.cost for n in nodes if n.response and n.response.usage_charge)
    providers = ", ".join(leg.provider.value for leg in LEGS)
    print(f"Three turns on three providers ({providers}); total cost ${total:.6f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
