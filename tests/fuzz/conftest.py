"""The fuzz tests make thousands of clients. Nothing leaves the machine (respx answers every request), but each
client's transport still loads the CA bundle into a new TLS context, which costs more than the call itself: here
every client shares one context."""

from __future__ import annotations

import functools
import ssl

import httpx._transports.default as httpx_transports
import pytest


@functools.lru_cache(maxsize=1)
def _shared_context() -> ssl.SSLContext:
    return ssl.create_default_context()


@pytest.fixture(autouse=True)
def _one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx_transports, "create_ssl_context", lambda *args, **kwargs: _shared_context())
