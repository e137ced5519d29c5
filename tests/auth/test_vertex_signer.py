"""Which signer a Vertex AI ``AIModelAPI`` gets: ``service_account_json`` (a dict or its JSON text, the key dhenara-ai
programs use), ``access_token``, ``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's application default credentials, then
the metadata server; clear errors for what cannot work; and the project taken from the key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dhenara_http import AIModelAPI
from dhenara_http._transport.auth.google_sa import (
    AccessTokenSigner,
    AuthorizedUserSigner,
    MetadataServerSigner,
    ServiceAccountSigner,
    vertex_signer,
)
from dhenara_http.errors import ConfigurationError
from dhenara_http.testing import _accounts

ACCOUNT = _accounts.service_account()


def vertex(**kw: Any) -> AIModelAPI:
    return AIModelAPI(provider="google_vertex_ai", **kw)


@pytest.mark.parametrize("given", [ACCOUNT, json.dumps(ACCOUNT), json.dumps(ACCOUNT, indent=2) + "\n"])
def test_service_account_json_as_dhenara_ai_takes_it(given: Any) -> None:
    api = vertex(credentials={"service_account_json": given}, config={"location": "europe-west4"})
    signer = vertex_signer(api)
    assert isinstance(signer, ServiceAccountSigner)
    assert signer.client_email == _accounts.CLIENT_EMAIL
    assert api.config["project_id"] == _accounts.PROJECT_ID
    assert api.get_credentials()["service_account_json"] == ACCOUNT  # JSON text parsed at construction


def test_the_configured_project_wins_over_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        vertex(credentials={"service_account_json": ACCOUNT}, config={"project_id": "mine"}).config["project_id"]
        == "mine"
    )
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "from-env")
    assert vertex(credentials={"service_account_json": ACCOUNT}).config["project_id"] == "from-env"


def test_the_service_account_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    assert isinstance(vertex_signer(vertex(credentials={"service_account_json": ACCOUNT})), ServiceAccountSigner)
    assert isinstance(vertex_signer(vertex(credentials={"access_token": "ya29.x"})), AccessTokenSigner)


def test_an_access_token() -> None:
    signer = vertex_signer(vertex(credentials={"access_token": "ya29.given-token"}, config={"project_id": "p"}))
    assert isinstance(signer, AccessTokenSigner)
    assert signer.secrets() == ["ya29.given-token"]


def test_the_key_file_named_by_google_application_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(ACCOUNT))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    api = vertex()
    assert api.config["project_id"] == _accounts.PROJECT_ID
    signer = vertex_signer(api)
    assert isinstance(signer, ServiceAccountSigner)
    assert signer.project_id == _accounts.PROJECT_ID


def test_gcloud_application_default_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    (tmp_path / "application_default_credentials.json").write_text(json.dumps(_accounts.authorized_user()))
    assert isinstance(vertex_signer(vertex(config={"project_id": "p"})), AuthorizedUserSigner)


def test_nothing_given_means_the_metadata_server(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = vertex_signer(vertex(config={"project_id": "p"}))
    assert isinstance(signer, MetadataServerSigner)
    assert signer.url == "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
    monkeypatch.setenv("GCE_METADATA_HOST", "10.0.0.1:8080")
    signer = vertex_signer(vertex(config={"project_id": "p"}))
    assert isinstance(signer, MetadataServerSigner)
    assert signer.url.startswith("http://10.0.0.1:8080/computeMetadata/v1/")


@pytest.mark.parametrize(
    ("credentials", "said"),
    [
        ({"service_acount_json": ACCOUNT}, "unknown key"),
        ({"service_account_json": []}, "must be a JSON object"),
        ({"service_account_json": {**ACCOUNT, "type": "external_account"}}, "'external_account' are not supported"),
        ({"service_account_json": {**ACCOUNT, "private_key": "MIIBOgIBAAJBAK"}}, "private_key: no '-----BEGIN"),
    ],
)
def test_unusable_credentials_are_configuration_errors_naming_the_field(credentials: dict[str, Any], said: str) -> None:
    api = vertex(credentials=credentials, config={"project_id": "p"})
    with pytest.raises(ConfigurationError, match=said) as caught:
        vertex_signer(api)
    assert "AIModelAPI(google_vertex_ai).credentials" in str(caught.value)
    assert "MIIBOgIBAAJBAK" not in str(caught.value)


def test_a_token_no_header_can_carry_is_refused_when_the_api_is_built() -> None:
    with pytest.raises(ConfigurationError, match=r"credentials\['access_token'\]: the key contains a line break") as e:
        vertex(credentials={"access_token": "ya29.a\nb"}, config={"project_id": "p"})
    assert "ya29" not in str(e.value)


def test_malformed_json_text_is_refused_at_construction() -> None:
    with pytest.raises(ConfigurationError, match=r"service_account_json'\] is not valid JSON"):
        vertex(credentials={"service_account_json": '{"private_key": "-----BEGIN'})


@pytest.mark.parametrize(("content", "said"), [(None, "no such file"), ("{not json", "not valid JSON")])
def test_a_bad_key_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, said: str
) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    with pytest.raises(ConfigurationError, match=said) as caught:
        vertex_signer(vertex(config={"project_id": "p"}))
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)
