"""Hosted web search on three providers: the same question to OpenAI (Responses ``web_search``), Anthropic (the
``web_search`` server tool) and Gemini (``google_search``), each answer printed with its searches, the pages it
consulted, its citations and what the searches cost — dhenara-ai's ``22_hosted_web_search.py``, for three providers.

A provider whose API key is in the environment (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ``GEMINI_API_KEY``) is
called for real; the others are served by the embedded mock provider server, which searches made-up pages on
``example.com`` and cites them.

    python examples/hosted_web_search.py
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    FoundationModel,
    Prompt,
    WebSearchHostedTool,
)
from dhenara_http.foundation_models import ClaudeSonnet45, Gemini25Flash, GPT5Mini
from dhenara_http.testing import MockProviderServer

QUESTION = "Use web search to answer this: which city hosted the UEFA Euro 2024 final? Cite your source."
LEGS: list[tuple[str, tuple[str, ...], FoundationModel]] = [
    ("openai", ("OPENAI_API_KEY",), GPT5Mini),
    ("anthropic", ("ANTHROPIC_API_KEY",), ClaudeSonnet45),
    ("google_gemini_api", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), Gemini25Flash),
]


def main() -> None:
    with ExitStack() as stack:
        server: MockProviderServer | None = None
        for provider, keys, model in LEGS:
            if any(os.environ.get(k) for k in keys):
                api, where = AIModelAPI(provider=provider), "live"
            else:
                if server is None:
                    server = stack.enter_context(MockProviderServer())
                api, where = server.api(provider), "mock"
            config = AIModelCallConfig(max_output_tokens=800, hosted_tools=[WebSearchHostedTool()])
            with AIModelClient(AIModelEndpoint(api=api, ai_model=model), config) as client:
                answer = client.generate(messages=[Prompt.with_text(QUESTION)]).chat_response
            assert answer is not None
            print(f"== {model.model_name} on {provider} ({where})")
            print(answer.text())
            for search in answer.web_searches():
                print(f"searched: {search.queries}")
            for page in answer.search_results():
                print(f"page: {page.title or ''} {page.url}")
            for citation in answer.citations():
                print(f"cited: {citation.title} <{citation.url}>")
            usage = answer.usage
            searches = usage.web_search_requests if usage is not None else 0
            cost = answer.usage_charge.cost if answer.usage_charge is not None else None
            print(f"searches: {searches}; cost: {cost if cost is None else f'${cost:.6f}'}\n")


if __name__ == "__main__":
    main()
