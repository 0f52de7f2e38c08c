"""Fixtures every kind of test may use. The emulator fixtures come from the package's own pytest
plugin (``notebook_emulator``, ``notebook_client``, ...).

Each fixture name means one kind of object, everywhere in tests/ (tests/test_layout.py holds
them to it): ``client`` is an SDK client, ``api`` an ``APIClient``, ``http_client`` an
``httpx.Client``, ``emulator`` an ``Emulator``, ``clock`` a ``ManualClock``.

``client`` runs each test three times: the sync :class:`Client` over HTTP, the
:class:`AsyncClient` over HTTP, and the ``AsyncClient`` through the emulator's in-process async
transport (the async ones driven through :mod:`tests.dual`).

A test marked ``needs("module", ...)`` runs an external tool (a type checker, the docs
toolchain) and is skipped, saying why, where that tool is not installed: the runs on the lowest
dependency versions and on the other interpreters install only the test tools
(scripts/test_versions.py).
"""

from __future__ import annotations

import importlib.util
import logging
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from abeja_notebooks import (
    APIClient,
    AsyncClient,
    AsyncNotebook,
    Client,
    Notebook,
    RetryPolicy,
)
from abeja_notebooks import _config as config  # pyright: ignore[reportPrivateUsage] -- tests reset its logging switch
from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN

from .dual import Portal, blocking, unwrap
from .support import ORG, MakeClient, SaveConfig, edited

VARIANTS = ["sync", "async", "async-inprocess"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked ``needs(...)`` whose tools are not installed."""
    for marker in item.iter_markers("needs"):
        missing = [name for name in marker.args if importlib.util.find_spec(name) is None]
        if missing:
            pytest.skip(
                f"needs {', '.join(missing)}, not installed in this venv (the runs of "
                "scripts/test_versions.py install the test tools only)"
            )


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own ABEJA settings, nor their ``~/.abeja/config``."""
    monkeypatch.setenv("ABEJA_NOTEBOOKS_CONFIG_FILE", "")  # empty: no configuration file
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
        "TRAINING_JOB_DEFINITION_NAME",
        "TRAINING_NOTEBOOK_ID",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Whatever a test does to the SDK's logger (the CLI's --debug, ABEJA_NOTEBOOKS_LOG), the
    next test starts with it as it was."""
    logger, root = logging.getLogger("abeja_notebooks"), logging.getLogger()
    state = (logger.level, list(logger.handlers), root.level, list(root.handlers))
    configured = config._log_configured  # pyright: ignore[reportPrivateUsage] -- reset per test
    yield
    logger.setLevel(state[0])
    logger.handlers[:] = state[1]
    root.setLevel(state[2])
    root.handlers[:] = state[3]
    config._log_configured = configured  # pyright: ignore[reportPrivateUsage] -- reset per test


@pytest.fixture
def save_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SaveConfig:
    """Install a file written by ``abeja config init`` as ``~/.abeja/config`` of a fresh home,
    where the SDK looks by default (``ABEJA_NOTEBOOKS_CONFIG_FILE`` is unset again)."""
    home = tmp_path / "home"

    def save(name: str, extra: Mapping[str, object] | None = None) -> Path:
        path = home / ".abeja" / "config"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edited(name, extra))
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.delenv("ABEJA_NOTEBOOKS_CONFIG_FILE", raising=False)
        return path

    return save


@pytest.fixture
def clock(notebook_clock: ManualClock) -> ManualClock:
    return notebook_clock


@pytest.fixture
def emulator(notebook_emulator: Emulator) -> Emulator:
    return notebook_emulator


@pytest.fixture
def sync_client(notebook_client: Client) -> Client:
    """The sync client only, for behaviour that has no async twin."""
    return notebook_client


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def make_client(
    variant: str,
    notebook_emulator_server: EmulatorServer,
    emulator: Emulator,
    clock: ManualClock,
) -> Iterator[MakeClient]:
    """Build clients of the test's variant, bound to the emulator; closed afterwards."""
    portal: Portal | None = None
    made: list[Any] = []

    def make(*, inprocess: bool = False, **overrides: Any) -> Client:
        """A client with the fixtures' options, ``overrides`` applied; ``inprocess`` sends
        through the emulator's in-process transport instead of HTTP."""
        nonlocal portal
        options: dict[str, Any] = {
            "base_url": notebook_emulator_server.base_url,
            "organization_id": ORG,
            "auth_token": TEST_TOKEN,
            "retry_policy": RetryPolicy(jitter=0.0),
            "clock": clock,
            **overrides,
        }
        if variant == "sync":
            if inprocess:
                options["http_client"] = httpx.Client(transport=emulator.transport())
            client = Client(**options)
            made.append(client)
            return client
        if inprocess or (variant == "async-inprocess" and "base_url" not in overrides):
            options["base_url"] = "http://emulator.invalid"
            options["http_client"] = httpx.AsyncClient(transport=emulator.async_transport())
        portal = portal or Portal()
        async_client = AsyncClient(**options)
        made.append(async_client)
        return blocking_client(async_client, portal)

    yield make
    for made_client in made:
        client = unwrap(made_client)
        if isinstance(client, Client):
            client.close()
            client._transport.http.close()  # pyright: ignore[reportPrivateUsage] -- the pool itself
        else:
            assert portal is not None
            transport = client._transport  # pyright: ignore[reportPrivateUsage] -- the pool itself
            portal.run(transport.http.aclose())  # ours, or the in-process one handed in
    if portal is not None:
        portal.close()


def blocking_client(client: AsyncClient, portal: Portal) -> Client:
    """``client`` seen through a synchronous view, typed as the sync client it mimics."""
    return cast("Client", blocking(client, portal))


@pytest.fixture
def notebook_class(variant: str) -> type[Notebook]:
    """The notebook class the test's client hands out."""
    # Both classes share every field the tests read; the views make their methods alike.
    return cast("type[Notebook]", Notebook if variant == "sync" else AsyncNotebook)


@pytest.fixture
def client(make_client: MakeClient) -> Client:
    return make_client()


@pytest.fixture
def api(notebook_api_client: APIClient) -> APIClient:
    return notebook_api_client


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
