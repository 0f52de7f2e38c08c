"""Fixtures: an emulator on a manual clock, reached in-process or over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock

from ._support import BEARER, TLS


def _server_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread.name.startswith("abeja-notebooks-emulator")
        or "process_request_thread" in thread.name
    ]


@pytest.fixture(autouse=True)
def no_leaked_server_threads() -> Iterator[None]:
    """Fail a test that leaves an emulator server thread running."""
    before = set(_server_threads())
    yield
    leaked = [thread for thread in _server_threads() if thread not in before]
    assert not leaked, f"leaked threads: {leaked}"


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock."""
    return ManualClock()


@pytest.fixture
def emulator(clock: ManualClock) -> Emulator:
    """An emulator with the default organization and job definition, on ``clock``."""
    return Emulator(clock=clock)


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client reaching ``emulator`` in-process, with a bearer token."""
    with httpx.Client(
        transport=emulator.transport(), base_url="http://emulator.test", headers=BEARER
    ) as client:
        yield client


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    """``emulator`` served over HTTP on a loopback port."""
    with EmulatorServer(emulator) as running:
        yield running


@pytest.fixture
def served(server: EmulatorServer) -> Iterator[httpx.Client]:
    """A keep-alive client reaching ``emulator`` over real HTTP, with a bearer token."""
    with httpx.Client(base_url=server.base_url, headers=BEARER, timeout=5.0, verify=TLS) as client:
        yield client


@pytest.fixture(params=["in-process", "http"])
def kind(request: pytest.FixtureRequest) -> str:
    """How ``http_client`` and ``async_http_client`` reach the emulator (in-process or http)."""
    param: str = request.param
    return param


@pytest.fixture
def http_client(kind: str, emulator: Emulator) -> Iterator[httpx.Client]:
    """A client on ``emulator``, once in-process and once over real HTTP (keep-alive)."""
    if kind == "in-process":
        with httpx.Client(
            transport=emulator.transport(), base_url="http://emulator.test", headers=BEARER
        ) as in_process:
            yield in_process
        return
    with (
        EmulatorServer(emulator) as running,
        httpx.Client(
            base_url=running.base_url, headers=BEARER, timeout=5.0, verify=TLS
        ) as over_http,
    ):
        yield over_http


@pytest.fixture
async def async_http_client(kind: str, emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An async client on ``emulator``, once in-process and once over real HTTP."""
    if kind == "in-process":
        async with httpx.AsyncClient(
            transport=emulator.async_transport(), base_url="http://emulator.test", headers=BEARER
        ) as in_process:
            yield in_process
        return
    with EmulatorServer(emulator) as running:
        async with httpx.AsyncClient(
            base_url=running.base_url, headers=BEARER, timeout=5.0, verify=TLS
        ) as over_http:
            yield over_http
