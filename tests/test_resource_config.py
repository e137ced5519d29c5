"""``ResourceConfig``: credentials from TOML, JSON and YAML files and from the environment, clear errors for missing
and malformed files, the vendor → host preference of ``get_model_endpoint``, and the template command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dhenara_http import AIModelAPIProviderEnum as P
from dhenara_http import ConfigurationError, ResourceConfig
from dhenara_http.foundation_models import Claude37Sonnet, ClaudeMythos5, Gemini25Flash, GPT4oMini
from dhenara_http.resource_config import main, template_text

SERVICE_ACCOUNT = {
    "type": "service_account",
    "project_id": "proj-from-key",
    "client_email": "x@y.z",
    "private_key": "k",
}

_ENV_NAMES = (
    "OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY DEEPSEEK_API_KEY AZURE_OPENAI_API_KEY "
    "AZURE_OPENAI_ENDPOINT AZURE_AI_API_KEY AZURE_INFERENCE_CREDENTIAL AZURE_AI_ENDPOINT AWS_BEARER_TOKEN_BEDROCK "
    "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION "
    "GOOGLE_APPLICATION_CREDENTIALS GOOGLE_CLOUD_PROJECT VERTEXAI_PROJECT GOOGLE_CLOUD_LOCATION VERTEXAI_LOCATION "
    "OPENAI_COMPATIBLE_API_KEY OPENAI_COMPATIBLE_BASE_URL OPENAI_BASE_URL ANTHROPIC_BASE_URL DAI_SECRET_CONFIG_DIR"
)
ENV_VARS = _ENV_NAMES.split()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


TOML_FILE = """
# credentials
[openai]
api_key = "sk-openai-test"

[anthropic]
api_key = "sk-ant-test"

[google_vertex_ai.credentials]
service_account_json = "sa.json"
[google_vertex_ai.config]
project_id = "my-project"
location = "europe-west4"

[amazon_bedrock]
credentials = { access_key_id = "AKIATEST", secret_access_key = "bedrock-secret" }
config.region = "eu-central-1"

[deepseek]
api_key = "<YOUR_DEEPSEEK_API_KEY>"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- files ------------------------------------------------------------------------------------------------------------


def test_toml_file(tmp_path: Path) -> None:
    write(tmp_path, "sa.json", json.dumps(SERVICE_ACCOUNT))
    config = ResourceConfig.from_file(write(tmp_path, "creds.toml", TOML_FILE))
    providers = [a.provider for a in config.model_apis]
    # The DeepSeek section holds only a placeholder, so it is skipped.
    assert providers == [P.OPEN_AI, P.ANTHROPIC, P.GOOGLE_VERTEX_AI, P.AMAZON_BEDROCK]
    assert config.get_api("openai").get_api_key() == "sk-openai-test"  # type: ignore[union-attr]
    vertex = config.get_api(P.GOOGLE_VERTEX_AI)
    assert vertex is not None
    assert vertex.get_credentials() == {"service_account_json": SERVICE_ACCOUNT}  # read from the path beside the file
    assert vertex.config == {"project_id": "my-project", "location": "europe-west4"}
    bedrock = config.get_api("amazon_bedrock")
    assert bedrock is not None
    assert bedrock.get_credentials() == {"access_key_id": "AKIATEST", "secret_access_key": "bedrock-secret"}
    assert bedrock.config["region"] == "eu-central-1"


def test_toml_without_a_toml_reader_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.10 has no tomllib: without the tomli package the error says what to do instead.
    path = write(tmp_path, "creds.toml", TOML_FILE)
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(ConfigurationError, match=r"creds\.toml: reading TOML needs .*tomli.*JSON") as caught:
        ResourceConfig.from_file(path)
    assert "sk-" not in str(caught.value)


def test_json_file(tmp_path: Path) -> None:
    data = {
        "google_gemini_api": {"api_key": "gm-test"},
        "google_vertex_ai": {
            "credentials": {"service_account_json": json.dumps(SERVICE_ACCOUNT)},
            "config": {"project_id": "p", "location": "global"},
        },
        "microsoft_openai": {"api_key": "az-test", "config": {"endpoint": "https://unit.openai.azure.com"}},
    }
    config = ResourceConfig().load_from_file(write(tmp_path, "creds.json", json.dumps(data)))
    assert [a.provider for a in config.model_apis] == [P.GOOGLE_AI, P.GOOGLE_VERTEX_AI, P.MICROSOFT_OPENAI]
    vertex = config.get_api("google_vertex_ai")
    assert vertex is not None
    assert vertex.get_credentials()["service_account_json"] == SERVICE_ACCOUNT  # a JSON string is parsed


@pytest.mark.parametrize("pyyaml", [True, False])
def test_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyyaml: bool) -> None:
    """dhenara-ai's YAML credentials files are read with PyYAML when it is installed, and without it too."""
    if pyyaml:
        pytest.importorskip("yaml")
    else:
        monkeypatch.setitem(sys.modules, "yaml", None)
    text = "anthropic:\n  api_key: sk-ant-yaml\ndeepseek:\n  api_key: <YOUR_DEEPSEEK_API_KEY>\n"
    config = ResourceConfig.from_file(write(tmp_path, "creds.yaml", text))
    assert [a.provider for a in config.model_apis] == [P.ANTHROPIC]
    assert config.get_api("anthropic").get_api_key() == "sk-ant-yaml"  # type: ignore[union-attr]
    broken = write(tmp_path, "broken.yml", "anthropic:\n  api_key: [unclosed\n")
    with pytest.raises(ConfigurationError, match=r"broken\.yml: malformed YAML at line \d") as caught:
        ResourceConfig.from_file(broken)
    assert "unclosed" not in str(caught.value)  # the file's text is never quoted


def test_default_file_is_found_in_the_secret_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "dai_credentials.json", json.dumps({"openai": {"api_key": "sk-default"}}))
    monkeypatch.setenv("DAI_SECRET_CONFIG_DIR", str(tmp_path))
    config = ResourceConfig().load_from_file()
    assert config.get_api("openai").get_api_key() == "sk-default"  # type: ignore[union-attr]


# -- errors -----------------------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError, match="credentials file not found") as caught:
        ResourceConfig.from_file(missing)
    assert str(missing) in str(caught.value)


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    pytest.importorskip("tomllib")
    path = write(tmp_path, "creds.toml", '[openai]\napi_key = "sk-x"\n\n[anthropic\napi_key = "y"\n')
    with pytest.raises(ConfigurationError, match=r"creds\.toml: malformed TOML at line 4, column \d+"):
        ResourceConfig.from_file(path)


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "creds.json", '{\n  "openai": {\n    "api_key": "sk-x",\n  }\n}\n')
    with pytest.raises(ConfigurationError, match=r"creds\.json: malformed JSON at line 4, column 3"):
        ResourceConfig.from_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[opeanai]\napi_key = "x"\n', "unknown API provider 'opeanai'"),
        ('[openai]\napikey = "x"\n', r"\[openai\] has unknown key\(s\) apikey"),
        ("[openai]\napi_key = 12\n", r"\[openai\] api_key must be a string"),
        ('openai = "sk-x"\n', r"\[openai\] must be a table"),
        ('[openai]\napi_key = "x"\nconfig = { wire_api = "carrier_pigeon" }\n', "wire_api"),
        ('[google_vertex_ai.credentials]\nservice_account_json = "missing.json"\n', "no such file"),
    ],
)
def test_wrong_contents_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "creds.toml", text)
    with pytest.raises(ConfigurationError, match=message) as caught:
        ResourceConfig.from_file(path)
    assert str(path) in str(caught.value)


def test_unknown_format_and_non_table_top(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown credentials file format '\.ini'"):
        ResourceConfig.from_file(write(tmp_path, "creds.ini", "[openai]\n"))
    with pytest.raises(ConfigurationError, match="expected a table of API providers"):
        ResourceConfig.from_file(write(tmp_path, "creds.json", "[1, 2]"))


# -- the environment ----------------------------------------------------------------------------------------------


def test_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("GOOGLE_API_KEY", "gm-env")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-env")  # no endpoint: not configured
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(write(tmp_path, "sa.json", json.dumps(SERVICE_ACCOUNT))))
    config = ResourceConfig.from_env()
    assert {a.provider for a in config.model_apis} == {P.OPEN_AI, P.GOOGLE_AI, P.AMAZON_BEDROCK, P.GOOGLE_VERTEX_AI}
    assert config.get_api("openai").get_api_key() == "sk-env"  # type: ignore[union-attr]
    bedrock = config.get_api("amazon_bedrock")
    assert bedrock is not None
    assert bedrock.get_credentials() == {"access_key_id": "AKIAENV", "secret_access_key": "aws-secret"}
    assert bedrock.config["region"] == "us-west-2"
    vertex = config.get_api("google_vertex_ai")
    assert vertex is not None
    assert vertex.config["project_id"] == "proj-from-key"  # from the key file when GOOGLE_CLOUD_PROJECT is unset
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://unit.openai.azure.com")
    assert ResourceConfig.from_env().get_api("microsoft_openai") is not None


def test_no_environment_means_no_apis() -> None:
    config = ResourceConfig.from_env()
    assert config.model_apis == []
    assert config.get_model_endpoint("gpt-4o-mini") is None


# -- endpoints and the preference order -------------------------------------------------------------------------


def config_with(*providers: P) -> ResourceConfig:
    sections = {
        P.OPEN_AI: {"api_key": "sk"},
        P.MICROSOFT_OPENAI: {"api_key": "az", "config": {"endpoint": "https://u.openai.azure.com"}},
        P.ANTHROPIC: {"api_key": "ant"},
        P.AMAZON_BEDROCK: {"api_key": "bedrock-key", "config": {"region": "us-east-1"}},
        P.GOOGLE_VERTEX_AI: {"credentials": {"access_token": "tok"}, "config": {"project_id": "p"}},
        P.GOOGLE_AI: {"api_key": "gm"},
        P.OPENAI_COMPATIBLE: {"api_key": "c", "config": {"base_url": "http://localhost:8000/v1"}},
    }
    config = ResourceConfig()
    from dhenara_http.resource_config import api_from_section

    for p in providers:
        api = api_from_section(p, sections[p], "test")
        assert api is not None
        config.add_api(api)
    return config


@pytest.mark.parametrize(
    ("providers", "model", "expected"),
    [
        ((P.AMAZON_BEDROCK, P.GOOGLE_VERTEX_AI, P.ANTHROPIC), "claude-3-7-sonnet-latest", P.ANTHROPIC),
        ((P.GOOGLE_VERTEX_AI, P.AMAZON_BEDROCK), "claude-3-7-sonnet-latest", P.AMAZON_BEDROCK),
        ((P.GOOGLE_VERTEX_AI, P.OPEN_AI), "claude-3-7-sonnet-latest", P.GOOGLE_VERTEX_AI),
        ((P.GOOGLE_AI, P.GOOGLE_VERTEX_AI), "gemini-2.5-flash", P.GOOGLE_VERTEX_AI),
        ((P.GOOGLE_AI, P.OPEN_AI), "gemini-2.5-flash", P.GOOGLE_AI),
        ((P.MICROSOFT_OPENAI, P.OPEN_AI), "gpt-4o-mini", P.OPEN_AI),
        ((P.MICROSOFT_OPENAI, P.ANTHROPIC), "gpt-4o-mini", P.MICROSOFT_OPENAI),
    ],
)
def test_vendor_to_host_preference(providers: tuple[P, ...], model: str, expected: P) -> None:
    endpoint = config_with(*providers).get_model_endpoint(model)
    assert endpoint is not None
    assert endpoint.api.provider == expected


def test_claude_on_bedrock_is_sent_by_its_bedrock_id() -> None:
    endpoint = config_with(P.AMAZON_BEDROCK).get_model_endpoint("claude-3-7-sonnet")  # dhenara-ai's name
    assert endpoint is not None
    assert endpoint.ai_model is Claude37Sonnet
    assert endpoint.ai_model.api_model_name(endpoint.api.provider) == "anthropic.claude-3-7-sonnet-20250219-v1:0"
    profile = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
    on_profile = config_with(P.AMAZON_BEDROCK).get_model_endpoint(profile)
    assert on_profile is not None
    assert on_profile.ai_model.api_model_name(P.AMAZON_BEDROCK) == profile


def test_explicit_provider_and_unservable_models() -> None:
    config = config_with(P.OPEN_AI, P.MICROSOFT_OPENAI, P.AMAZON_BEDROCK)
    endpoint = config.get_model_endpoint("gpt-4o-mini", api_provider="microsoft_openai")
    assert endpoint is not None
    assert endpoint.api.provider == P.MICROSOFT_OPENAI
    assert config.get_model_endpoint("gpt-4o-mini", api_provider=P.ANTHROPIC) is None
    # Claude Mythos has no Bedrock id, so Bedrock does not serve it; a Gemini model has no Google API here.
    assert config.get_model_endpoint(ClaudeMythos5.model_name) is None
    assert config.get_model_endpoint(Gemini25Flash.model_name) is None
    with pytest.raises(ConfigurationError, match="unknown API provider"):
        config.get_model_endpoint("gpt-4o-mini", api_provider="openia")


def test_unknown_models_go_to_their_vendors_host_or_an_openai_compatible_one() -> None:
    endpoint = config_with(P.OPEN_AI).get_model_endpoint("gpt-9-experimental")
    assert endpoint is not None
    assert endpoint.api.provider == P.OPEN_AI
    assert endpoint.ai_model.metadata["generic"] is True
    local = config_with(P.OPEN_AI, P.OPENAI_COMPATIBLE).get_model_endpoint("llama-4-local")
    assert local is not None
    assert local.api.provider == P.OPENAI_COMPATIBLE
    assert config_with(P.ANTHROPIC).get_model_endpoint("llama-4-local") is None


def test_endpoints_are_reused_and_init_endpoints_builds_them() -> None:
    config = config_with(P.OPEN_AI, P.ANTHROPIC)
    first = config.get_model_endpoint("gpt-4o-mini")
    assert first is not None
    assert config.get_model_endpoint("gpt-4o-mini") is first
    config.models = [GPT4oMini, Claude37Sonnet]
    built = config.init_endpoints()
    assert {(e.ai_model.model_name, e.api.provider) for e in built} == {
        ("gpt-4o-mini", P.OPEN_AI),
        ("claude-3-7-sonnet-latest", P.ANTHROPIC),
    }


# -- the template -----------------------------------------------------------------------------------------------------


def test_template_command_writes_a_loadable_toml_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "credentials.toml"
    assert main(["init", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    tomllib = pytest.importorskip("tomllib")
    parsed = tomllib.loads(text)
    assert set(parsed) == {p.value for p in P}
    assert ResourceConfig.from_file(path).model_apis == []  # placeholders only
    assert main(["init", str(path)]) == 2  # kept unless --force
    assert "exists" in capsys.readouterr().err
    assert main(["init", str(path), "--force"]) == 0


def test_filled_template_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = template_text("toml").replace("<YOUR_OPENAI_API_KEY>", "sk-filled")
    path = write(tmp_path, "c.toml", text)
    config = ResourceConfig.from_file(path)
    assert [a.provider for a in config.model_apis] == [P.OPEN_AI]
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "openai: api_key set" in out
    assert "sk-filled" not in out


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_template_in_other_formats(tmp_path: Path, fmt: str) -> None:
    path = ResourceConfig.create_credentials_template(tmp_path / f"c.{fmt}")
    if fmt == "json":
        assert set(json.loads(path.read_text())) == {p.value for p in P}
    else:
        from dhenara_http._yaml import loads

        assert set(loads(path.read_text())) == {p.value for p in P}
    assert ResourceConfig.from_file(path).model_apis == []


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    path = tmp_path / "creds.toml"
    done = subprocess.run(
        [sys.executable, "-m", "dhenara_http.resource_config", "init", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert path.is_file()
