"""Fixtures of the docs tests: a page's blocks run as pasted, against the emulator.

``docs_env`` sets the environment a reader's shell has (``ABEJA_API_URL`` pointing at the served
emulator, the organization, a token), so that the pages' own ``Client()`` reach it. Every client
the blocks build sleeps on the emulator's clock (the one thing a test changes under them), so a
``wait_until`` or a log follow takes no real time. ``open_page`` hands out a `PageRun` and fails
the test if any block of the page was left unrun.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from abeja_notebooks import _transport  # the default clock of every client (see docs_env)
from abeja_notebooks.testing import DEFAULT_ORGANIZATION_ID, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN

from .blocks import DOCS, ROOT, PageRun

OpenPage = Callable[[str], PageRun]


@pytest.fixture
def docs_env(
    monkeypatch: pytest.MonkeyPatch,
    notebook_emulator_server: EmulatorServer,
    notebook_clock: ManualClock,
) -> EmulatorServer:
    """The environment of a reader's shell, pointing at the emulator; clients on its clock."""
    monkeypatch.setenv("ABEJA_API_URL", notebook_emulator_server.base_url)
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", DEFAULT_ORGANIZATION_ID)
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", TEST_TOKEN)
    monkeypatch.setattr(_transport, "SystemClock", lambda: notebook_clock)
    return notebook_emulator_server


@pytest.fixture
def open_page() -> Iterator[OpenPage]:
    """``open_page("guides/notebooks.md")``: a page to run; every block must run by the end."""
    opened: list[PageRun] = []

    def open_one(name: str) -> PageRun:
        page = ROOT / name if name == "README.md" else DOCS / name
        run = PageRun(page)
        assert run.blocks, f"{name} has no Python block"
        opened.append(run)
        return run

    yield open_one
    for run in opened:
        run.close_clients()
    unrun = [repr(run) for run in opened if not run.done]
    assert unrun == [], "every block of a page a test opens must run"
