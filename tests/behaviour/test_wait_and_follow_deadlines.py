"""``wait_until(timeout=...)`` and ``logs(follow=True, timeout=...)`` hold their timeout even when
a poll hangs: the time left bounds each call, and running out is a WaitTimeout (or the end of the
follow), not a transport error long after the deadline."""

from __future__ import annotations

import asyncio
import time

import pytest

from abeja_notebooks import (
    AsyncClient,
    Client,
    NotebookStatus,
    RetryPolicy,
    SystemClock,
    WaitTimeout,
)
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.support import JOB, ORG


class SlowsDownAfterFirstSleep(SystemClock):
    """The real clock; from its first sleep on, the emulator answers ``path`` 3 s late."""

    def __init__(self, emulator: Emulator, path: str) -> None:
        self.emulator, self.path, self.armed = emulator, path, False

    def _arm(self) -> None:
        if not self.armed:
            self.armed = True
            self.emulator.inject(latency=3.0, method="GET", path=self.path, times=10)

    def sleep(self, seconds: float) -> None:
        self._arm()
        super().sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self._arm()
        await super().asleep(seconds)


def sync_client(server: EmulatorServer, clock: SystemClock) -> Client:
    return Client(
        base_url=server.base_url,
        organization_id=ORG,
        auth_token="t",
        timeout=10.0,
        max_retries=2,
        retry_policy=RetryPolicy(jitter=0),
        clock=clock,
    )


def async_client(server: EmulatorServer, clock: SystemClock) -> AsyncClient:
    return AsyncClient(
        base_url=server.base_url,
        organization_id=ORG,
        auth_token="t",
        timeout=10.0,
        max_retries=2,
        retry_policy=RetryPolicy(jitter=0),
        clock=clock,
    )


def test_a_hanging_poll_cannot_stretch_a_wait_past_its_timeout(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.start_delay = 10_000
    clock = SlowsDownAfterFirstSleep(emulator, r"/notebooks/\d+$")
    with sync_client(notebook_emulator_server, clock) as client:
        nb = client.notebooks.create(JOB)
        started = time.monotonic()

        with pytest.raises(WaitTimeout) as caught:
            nb.wait_until(NotebookStatus.RUNNING, timeout=1.0, poll_interval=0.2)

    assert time.monotonic() - started < 2.0
    assert caught.value.notebook.status is NotebookStatus.PENDING
    assert type(caught.value.__cause__).__name__ == "APITimeoutError"


def test_a_hanging_log_poll_ends_a_follow_at_its_timeout(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.start_delay = 10_000
    clock = SlowsDownAfterFirstSleep(emulator, "/recentlogs$")
    with sync_client(notebook_emulator_server, clock) as client:
        nb = client.notebooks.create(JOB)
        started = time.monotonic()

        events = list(nb.logs(follow=True, poll_interval=0.2, timeout=1.0))

    assert events == []
    assert time.monotonic() - started < 2.0


def test_the_async_client_holds_the_same_deadlines(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.start_delay = 10_000

    async def scenario() -> tuple[float, float]:
        wait_clock = SlowsDownAfterFirstSleep(emulator, r"/notebooks/\d+$")
        async with async_client(notebook_emulator_server, wait_clock) as client:
            nb = await client.notebooks.create(JOB)
            started = time.monotonic()
            with pytest.raises(WaitTimeout):
                await nb.wait_until("Running", timeout=1.0, poll_interval=0.2)
            waited = time.monotonic() - started
        emulator.clear_faults()
        follow_clock = SlowsDownAfterFirstSleep(emulator, "/recentlogs$")
        async with async_client(notebook_emulator_server, follow_clock) as client:
            nb = await client.notebooks.get(JOB, nb.id)
            started = time.monotonic()
            assert [e async for e in nb.logs(follow=True, poll_interval=0.2, timeout=1.0)] == []
            followed = time.monotonic() - started
        return waited, followed

    waited, followed = asyncio.run(scenario())

    assert waited < 2.0
    assert followed < 2.0
