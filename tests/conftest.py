"""Shared fixtures. The emulator fixtures come from the package's own pytest plugin."""

from __future__ import annotations

import pytest

from abeja_notebooks import APIClient, Client
from abeja_notebooks.testing import Emulator, ManualClock


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own ABEJA settings."""
    for name in (
        "ABEJA_API_URL",
        "ABEJA_ORGANIZATION_ID",
        "PLATFORM_AUTH_TOKEN",
        "ABEJA_PLATFORM_USER_ID",
        "ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN",
        "ABEJA_PLATFORM_DATASOURCE_ID",
        "ABEJA_PLATFORM_DATASOURCE_SECRET",
        "ABEJA_SDK_CONNECTION_TIMEOUT",
        "ABEJA_SDK_MAX_RETRY_COUNT",
        "ABEJA_NOTEBOOKS_LOG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock(notebook_clock: ManualClock) -> ManualClock:
    return notebook_clock


@pytest.fixture
def emulator(notebook_emulator: Emulator) -> Emulator:
    return notebook_emulator


@pytest.fixture
def client(notebook_client: Client) -> Client:
    return notebook_client


@pytest.fixture
def api(notebook_api_client: APIClient) -> APIClient:
    return notebook_api_client
