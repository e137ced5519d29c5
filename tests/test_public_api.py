"""The package root is the public surface: ``__all__`` is complete and exact, the import lines of the public contract
work, and ``import dhenara_http`` stays cheap (no HTTP stack, no protocol modules until they are needed)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import dhenara_http
import dhenara_http.types

PACKAGE_DIR = Path(dhenara_http.__file__).parent

# The names of section 1 of the public contract, as the seed programs import them.
CONTRACT_ROOT_NAMES = [
    "AIModelClient",
    "AIModelAPI",
    "AIModelEndpoint",
    "AIModelCallConfig",
    "AIModelAPIProviderEnum",
    "ConversationNode",
    "PromptFormatter",
    "AIModelCallResponse",
    "ChatResponse",
    "ImageResponse",
    "ChatResponseChunk",
    "SSEResponse",
    "SSEErrorResponse",
    "SSEEventType",
    "Prompt",
    "SystemInstruction",
    "ToolDefinition",
    "ToolCallResult",
]
FOUNDATION_MODELS = {
    # name -> (vendor module, the API model id it must name)
    "Claude37Sonnet": ("anthropic", "claude-3-7-sonnet"),
    "Claude35Haiku": ("anthropic", "claude-3-5-haiku"),
    "GPT4o": ("openai", "gpt-4o"),
    "GPT4oMini": ("openai", "gpt-4o-mini"),
    "O3Mini": ("openai", "o3-mini"),
    "Gemini20Flash": ("google", "gemini-2.0-flash"),
    "Gemini20FlashLite": ("google", "gemini-2.0-flash-lite"),
    "DallE3": ("openai", "dall-e-3"),
}


def public_classes() -> dict[str, str]:
    """Every public class defined (not merely imported) in ``dhenara_http.errors`` and ``dhenara_http.types.*``."""
    modules = ["dhenara_http.errors"] + [
        f"dhenara_http.types.{info.name}"
        for info in pkgutil.iter_modules(dhenara_http.types.__path__)
        if not info.name.startswith("_")
    ]
    found: dict[str, str] = {}
    for name in modules:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == name and not attr.startswith("_"):
                found[attr] = name
    return found


# -- __all__ -------------------------------------------------------------------------------------------------------


def test_all_has_no_duplicates_and_dir_lists_it() -> None:
    assert len(dhenara_http.__all__) == len(set(dhenara_http.__all__))
    assert set(dhenara_http.__all__) <= set(dir(dhenara_http))


@pytest.mark.parametrize("name", dhenara_http.__all__)
def test_every_exported_name_imports(name: str) -> None:
    value = getattr(dhenara_http, name)
    assert value is not None
    if inspect.isclass(value):
        # Defined inside the package, not a third-party class; a compatibility alias (dhenara-ai's
        # ``StreamingChatResponse`` for ``SSEResponse``) is fine when the class is exported under its own name too.
        assert value.__module__.startswith("dhenara_http.")
        assert value.__name__ in dhenara_http.__all__


def test_every_public_class_of_types_and_errors_is_exported() -> None:
    classes = public_classes()
    assert len(classes) > 50  # the walk itself found the modules
    missing = sorted(f"{module}.{name}" for name, module in classes.items() if name not in dhenara_http.__all__)
    assert missing == []


def test_exported_classes_are_the_defining_modules_objects() -> None:
    for name, module in public_classes().items():
        assert getattr(dhenara_http, name) is getattr(importlib.import_module(module), name), name


def test_static_imports_match_the_lazy_table() -> None:
    """The ``TYPE_CHECKING`` imports (what type checkers and IDEs see) name exactly the lazily exported names,
    each from the module it is loaded from at run time."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    static: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                assert stmt.level == 1
                static.update({alias.name: stmt.module or "" for alias in stmt.names})
    lazy = dhenara_http._EXPORTS
    assert static == lazy
    assert set(dhenara_http.__all__) == {"__version__", *lazy}


def test_all_is_a_literal_list_of_strings() -> None:
    """Type checkers honour only a literal ``__all__``: one built at run time (``[*_EXPORTS]``) leaves every name
    "not explicitly exported" under ``mypy --strict``."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    [value] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    ]
    assert isinstance(value, ast.List)
    assert all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)
    assert [e.value for e in value.elts if isinstance(e, ast.Constant)] == dhenara_http.__all__


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = dhenara_http.NoSuchThing  # type: ignore[attr-defined]


# -- lazy import ---------------------------------------------------------------------------------------------------

_PROBE = """
import json, sys
{statement}
print(json.dumps(sorted(m for m in sys.modules
    if m in ("httpx", "dhenara_http.client", "dhenara_http._transport.http")
    or m.startswith(("httpx.", "dhenara_http.protocols")))))
"""


def _run(code: str) -> str:
    """What ``code`` prints, run by a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE_DIR.parent, timeout=60
    )
    return result.stdout


def loaded_after(statement: str) -> list[str]:
    return json.loads(_run(_PROBE.format(statement=statement)))  # type: ignore[no-any-return]


def test_import_alone_loads_no_http_stack_and_no_protocol() -> None:
    assert loaded_after("import dhenara_http") == []


def test_configuration_and_response_types_do_not_need_the_http_stack() -> None:
    statement = (
        "import dhenara_http as d; d.AIModelAPI; d.AIModelEndpoint; d.AIModelCallConfig; d.ChatResponse; "
        "d.Prompt; d.ToolDefinition; d.SSEResponse; d.RateLimitError; d.ConversationNode\n"
        "from dhenara_http.foundation_models import GPT4o; GPT4o.model_name"
    )
    assert loaded_after(statement) == []


_CLIENT = (
    "import dhenara_http; from dhenara_http.foundation_models import GPT4oMini\n"
    "client = dhenara_http.AIModelClient(dhenara_http.AIModelEndpoint("
    "api=dhenara_http.AIModelAPI(provider='openai', api_key='k'), ai_model=GPT4oMini), "
    "dhenara_http.AIModelCallConfig(test_mode=True))\n"
)


def test_building_a_client_loads_no_http_stack_and_no_response_type() -> None:
    # httpx, the transport, the protocol and the response types come with the first call.
    response_types = "\nimport sys; print('dhenara_http.types.response' in sys.modules)"
    assert loaded_after(_CLIENT + "with client: pass") == ["dhenara_http.client"]
    assert _run(_CLIENT + "with client: pass" + response_types).strip() == "False"
    assert _run(_CLIENT + "with client: client.generate(prompt='hi')" + response_types).strip() == "True"


def test_the_probe_sees_the_http_stack_once_the_client_is_used() -> None:
    """The lazy-import checks above could pass vacuously; this shows the probe does see what gets loaded."""
    loaded = loaded_after(_CLIENT + "with client: client.generate(prompt='hi')")
    assert "dhenara_http.client" in loaded
    assert "httpx" in loaded
    assert "dhenara_http._transport.http" in loaded
    assert "dhenara_http.protocols.responses" in loaded


# -- the contract's import lines -----------------------------------------------------------------------------------


def test_contract_root_import_line() -> None:
    namespace: dict[str, object] = {}
    exec(f"from dhenara_http import ({', '.join(CONTRACT_ROOT_NAMES)})", namespace)
    for name in CONTRACT_ROOT_NAMES:
        assert namespace[name] is getattr(dhenara_http, name)
        assert name in dhenara_http.__all__


def test_contract_root_import_line_resource_config() -> None:
    from dhenara_http import ResourceConfig

    assert "ResourceConfig" in dhenara_http.__all__

    assert inspect.isclass(ResourceConfig)
    assert callable(getattr(ResourceConfig, "get_model_endpoint", None))


def test_contract_foundation_model_import_line() -> None:
    from dhenara_http.foundation_models import (
        Claude35Haiku,
        Claude37Sonnet,
        DallE3,
        Gemini20Flash,
        Gemini20FlashLite,
        GPT4o,
        GPT4oMini,
        O3Mini,
    )
    from dhenara_http.types.model import FoundationModel

    imported = [Claude37Sonnet, Claude35Haiku, GPT4o, GPT4oMini, O3Mini, Gemini20Flash, Gemini20FlashLite, DallE3]
    for name, model in zip(FOUNDATION_MODELS, imported, strict=True):
        assert isinstance(model, FoundationModel), name
        assert model.model_name.startswith(FOUNDATION_MODELS[name][1]), (name, model.model_name)


def test_per_vendor_module_import_line() -> None:
    from dhenara_http.foundation_models import Claude37Sonnet as from_root
    from dhenara_http.foundation_models.anthropic import Claude37Sonnet

    assert Claude37Sonnet is from_root


@pytest.mark.parametrize("name", FOUNDATION_MODELS)
def test_each_vendor_module_exposes_its_models(name: str) -> None:
    vendor = importlib.import_module(f"dhenara_http.foundation_models.{FOUNDATION_MODELS[name][0]}")
    root = importlib.import_module("dhenara_http.foundation_models")
    assert name in vendor.__all__
    assert getattr(vendor, name) is getattr(root, name)


# -- dhenara-ai's names ------------------------------------------------------------------------------------------

#: The names dhenara-ai programs import that a report of programs failing here listed (dhenara-ai's ``dhenara.ai``
#: and ``dhenara.ai.types``), each importable from the root.
DHENARA_AI_NAMES = [
    "ArtifactConfig",
    "MessageItem",
    "ImageContentFormat",
    "Content",
    "ContentType",
    "PromptText",
    "TextTemplate",
    "ObjectTemplate",
    "ResourceConfigItem",
    "ResourceConfigItemTypeEnum",
    "ResourceQueryFieldsEnum",
    "SSEErrorCode",
    "ChatMessageContentPart",
    "FoundationModelFns",
    "OPENAI_CHAT_MODELS",
    "ANTHROPIC_CHAT_MODELS",
    "GOOGLE_CHAT_MODELS",
    "DEEPSEEK_CHAT_MODELS",
    "OPENAI_IMAGE_MODELS",
    "GOOGLE_IMAGE_MODELS",
    "ALL_FOUNDATION_MODELS",
    "ALL_CHAT_MODELS",
    "ALL_IMAGE_MODELS",
    "settings",
    "Settings",
    "StoredFile",
    "DhenaraAPIError",
    "DhenaraConnectionError",
    "AIModelContextPolicy",
    "AIModelCallResponseMetaData",
    "BaseAIModel",
    "BaseTextPrompt",
    "FormattedPrompt",
    "TextTemplateVariableProps",
    "UsageChargeComponent",
    "ChatResponseToolCallResult",
    "ChatResponseContentItem",
    "ChatResponseContentItemDelta",
    "ResourceQueryMapping",
    "MODEL_TO_API_MAPPING",
    "DEFAULT_SECRET_CONFIG_DIR",
    "SECRET_CONFIG_DIR_ENV",
    "ReasoningControlMode",
    "function_parameter_from_json_schema",
]


def test_dhenara_ai_names_import_from_the_root() -> None:
    namespace: dict[str, object] = {}
    exec(f"from dhenara_http import ({', '.join(DHENARA_AI_NAMES)})", namespace)
    for name in DHENARA_AI_NAMES:
        assert namespace[name] is not None, name
        assert name in dhenara_http.__all__, name
    assert dhenara_http.ImageContentFormat.BASE64.value == "base64"  # type: ignore[attr-defined]
    assert {e.value for e in dhenara_http.ImageContentFormat} >= {"base64", "url", "bytes"}  # type: ignore[attr-defined]
    assert {e.value for e in dhenara_http.SSEErrorCode} == {  # type: ignore[attr-defined]
        "server_error",
        "external_api_error",
        "client_decode_error",
    }


def test_dhenara_ai_names_are_cheap_to_import() -> None:
    statement = (
        "import dhenara_http as d; d.ArtifactConfig; d.MessageItem; d.TextTemplate; d.ResourceConfigItem; "
        "d.StoredFile; d.DhenaraAPIError; d.FoundationModelFns"
    )
    assert loaded_after(statement) == []


def test_foundation_model_lists_also_under_the_foundation_models_module() -> None:
    from dhenara_http import foundation_models

    assert foundation_models.OPENAI_CHAT_MODELS == dhenara_http.OPENAI_CHAT_MODELS  # type: ignore[attr-defined]
    assert foundation_models.FoundationModelFns is dhenara_http.FoundationModelFns
