from __future__ import annotations

from collections.abc import Iterator

import pytest

from dhenara_http.testing import MockProviderServer
from tests.hosts._support import DRIVERS, Driver


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """``generate()`` and ``await generate_async()``: every test taking it runs on both drivers."""
    made = Driver(request.param)
    yield made
    made.close()


@pytest.fixture
def server() -> Iterator[MockProviderServer]:
    """A mock provider server of the test's own (its requests, faults and tokens are the test's alone)."""
    with MockProviderServer() as running:
        yield running
    assert running.errors == []
