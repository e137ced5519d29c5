"""Image generation, dhenara-ai's ``30_image_openai.py`` on three image wires: DALL·E 3 (``/images/generations``,
as base64 and as a URL), Imagen 4 (``:predict``) and Gemini 3 Pro Image (``generateContent`` with image output).
Each image is written to the current directory (``image_<call>_<model>_<n>.png``) and the call's cost printed.

A provider whose API key is in the environment (``OPENAI_API_KEY``, ``GEMINI_API_KEY``) is called for real; the
others are served by the embedded mock provider server, whose images are small PNG squares.

    python examples/image_generation.py
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import httpx

from dhenara_http import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    FoundationModel,
    ImageContentFormat,
)
from dhenara_http.foundation_models import DallE3, Gemini3ProImagePreview, Imagen4
from dhenara_http.testing import MockProviderServer

PROMPT = "Elephant amigurumi walking in savanna, a professional photograph, blurry background"
LEGS: list[tuple[str, tuple[str, ...], FoundationModel, dict[str, Any]]] = [
    (
        "openai",
        ("OPENAI_API_KEY",),
        DallE3,
        {"quality": "standard", "size": "1024x1024", "response_format": "b64_json"},
    ),
    ("openai", ("OPENAI_API_KEY",), DallE3, {"response_format": "url"}),
    ("google_gemini_api", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), Imagen4, {"n": 2, "aspect_ratio": "16:9"}),
    ("google_gemini_api", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), Gemini3ProImagePreview, {"image_size": "1K"}),
]


def main() -> None:
    with ExitStack() as stack:
        server: MockProviderServer | None = None
        for call, (provider, keys, model, options) in enumerate(LEGS, 1):
            if any(os.environ.get(k) for k in keys):
                api, where = AIModelAPI(provider=provider), "live"
            else:
                if server is None:
                    server = stack.enter_context(MockProviderServer())
                api, where = server.api(provider), "mock"
            with AIModelClient(AIModelEndpoint(api=api, ai_model=model), AIModelCallConfig(options=options)) as client:
                image = client.generate(prompt=PROMPT).image_response
            assert image is not None
            print(f"== {model.model_name} on {provider} ({where}), options {options}")
            if image.text():
                print(f"text: {image.text()}")
            for n, item in enumerate(image.images()):
                if item.content_format == ImageContentFormat.URL:
                    print(f"url: {item.content_url}")
                    data = httpx.get(str(item.content_url)).content
                else:
                    data = item.get_bytes()
                path = f"image_{call}_{model.model_name}_{n}.png"
                with open(path, "wb") as f:
                    f.write(data)
                print(f"saved {path} ({len(data)} bytes)")
            cost = image.usage_charge.cost if image.usage_charge is not None else None
            print(f"usage: {image.usage}\ncost: {cost if cost is None else f'${cost:.6f}'}\n")


if __name__ == "__main__":
    main()
