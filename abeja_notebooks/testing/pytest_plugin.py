"""pytest fixtures for testing code that uses abeja-notebooks, against the bundled emulator.

Installed with the package (entry point ``pytest11``), so the fixtures are available in any
test suite without imports:

- ``notebook_clock``: the `ManualClock` all of them share.
- ``notebook_emulator``: a fresh `Emulator` on a
  `ManualClock`; inject faults and inspect
  ``notebook_emulator.requests`` with it.
- ``notebook_emulator_server``: that emulator served over real HTTP on a loopback port.
- ``notebook_client``: a `Client` talking HTTP to that server, with the
  emulator's organization, a test token and the emulator's clock (so ``wait_until`` and
  ``logs(follow=True)`` move the emulator's time instead of sleeping).
- ``notebook_api_client``: the same for the low-level `APIClient`.

One more fixture applies to every test on its own: ``ABEJA_NOTEBOOKS_CONFIG_FILE`` is set empty,
so no client built in a test reads the developer's ``~/.abeja/config``. A test that means to
read a configuration file sets the variable to that file's path.

Examples:
    >>> def test_my_script_stops_what_it_starts(notebook_client, notebook_emulator):
    ...     nb = notebook_client.notebooks.create("train-resnet")
    ...     nb.wait_until("Running")
    ...     nb.stop()
    ...     assert notebook_emulator.notebooks()[0]["status"] == "Stopped"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

# pytest loads this plugin in every run of every project that has the package installed, so it
# imports nothing heavy itself: each fixture imports what it needs when it is first used.
if TYPE_CHECKING:
    from abeja_notebooks import APIClient, Client

    from ._clock import ManualClock
    from ._emulator import Emulator
    from ._server import EmulatorServer

__all__ = [
    "TEST_TOKEN",
    "notebook_api_client",
    "notebook_client",
    "notebook_clock",
    "notebook_emulator",
    "notebook_emulator_server",
]

TEST_TOKEN = "emulator-test-token"
"""The bearer token the fixtures' clients send."""


@pytest.fixture(autouse=True)
def _no_platform_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's saved credentials (``~/.abeja/config``)."""
    monkeypatch.setenv("ABEJA_NOTEBOOKS_CONFIG_FILE", "")


@pytest.fixture
def notebook_clock() -> ManualClock:
    """The manual clock the emulator and the fixtures' clients share."""
    from ._clock import ManualClock

    return ManualClock()


@pytest.fixture
def notebook_emulator(notebook_clock: ManualClock) -> Emulator:
    """A fresh emulator on ``notebook_clock``, with the default organization and job definition."""
    from ._emulator import Emulator

    return Emulator(clock=notebook_clock)


@pytest.fixture
def notebook_emulator_server(notebook_emulator: Emulator) -> Iterator[EmulatorServer]:
    """``notebook_emulator`` served over HTTP on 127.0.0.1 (a free port), stopped afterwards."""
    from ._server import EmulatorServer

    with EmulatorServer(notebook_emulator) as server:
        yield server


@pytest.fixture
def notebook_client(
    notebook_clock: ManualClock, notebook_emulator_server: EmulatorServer
) -> Iterator[Client]:
    """A `Client` bound to ``notebook_emulator_server``.

    Its organization is ``DEFAULT_ORGANIZATION_ID``; it sends ``TEST_TOKEN``, retries with exact
    delays (no jitter) and sleeps on ``notebook_clock``, so waits and retries take no real time.
    """
    from abeja_notebooks import Client, RetryPolicy

    from ._emulator import DEFAULT_ORGANIZATION_ID

    with Client(
        base_url=notebook_emulator_server.base_url,
        organization_id=DEFAULT_ORGANIZATION_ID,
        auth_token=TEST_TOKEN,
        retry_policy=RetryPolicy(jitter=0.0),
        clock=notebook_clock,
    ) as client:
        yield client


@pytest.fixture
def notebook_api_client(
    notebook_clock: ManualClock, notebook_emulator_server: EmulatorServer
) -> Iterator[APIClient]:
    """A low-level ``APIClient`` bound to ``notebook_emulator_server``.

    It sends ``TEST_TOKEN`` and sleeps on ``notebook_clock``, with exact retry delays.
    """
    from abeja_notebooks import APIClient, RetryPolicy

    with APIClient(
        {"auth_token": TEST_TOKEN},
        base_url=notebook_emulator_server.base_url,
        retry_policy=RetryPolicy(jitter=0.0),
        clock=notebook_clock,
    ) as client:
        yield client
