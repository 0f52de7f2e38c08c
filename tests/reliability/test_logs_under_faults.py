"""Reading logs while a third of the log requests fail: nothing lost, nothing twice, in order.

Every third request to the recent-logs endpoint gets a fault, taken in turn from a list that
mixes failures before the emulator answers (503, 500, 429 with ``Retry-After``, a dropped
connection, a cut-off body) with failures after it produced the page (so the page and its
tokens were made, and the answer lost). The follower must retry each one with the same token
and hand out every event the emulator produced exactly once, in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import pytest

from abeja_notebooks import Client, Notebook
from abeja_notebooks.testing import Emulator, EmulatorResponse, ManualClock
from tests.support import JOB

LOG_FAULTS: list[dict[str, Any]] = [
    {"status": 503},
    {"drop": True, "after": True},
    {"status": 500},
    {"truncate": True},
    {"status": 429, "retry_after": "1"},
    {"status": 502, "after": True},
    {"drop": True},
    {"truncate": True, "after": True},
    {"status": 504},
]


class EveryThirdPoll:
    """Injects the next fault of :data:`LOG_FAULTS` into every third recent-logs request."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.polls = 0
        self.faulted = 0
        self._handle = emulator.handle
        self._faults = itertools.cycle(LOG_FAULTS)

    def __call__(
        self, method: str, raw_path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> EmulatorResponse:
        if raw_path.endswith("/recentlogs"):
            self.polls += 1
            if self.polls % 3 == 0:
                self.faulted += 1
                self.emulator.inject(path="/recentlogs$", **next(self._faults))
        return self._handle(method, raw_path, query, headers, body)


@pytest.fixture
def faults(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> EveryThirdPoll:
    hook = EveryThirdPoll(emulator)
    monkeypatch.setattr(emulator, "handle", hook)
    return hook


@pytest.fixture
def running(client: Client, emulator: Emulator, clock: ManualClock) -> Notebook:
    emulator.log_page_size = 4  # many small pages: many polls
    nb = client.notebooks.create(JOB)
    clock.advance(emulator.start_delay)
    return nb


def truth(emulator: Emulator, notebook_id: str) -> list[tuple[str, str]]:
    return [(e["timestamp"], e["message"]) for e in emulator.log_events(notebook_id)]


def test_following_logs_through_faults_yields_every_event_once_and_in_order(
    client: Client, running: Notebook, emulator: Emulator, faults: EveryThirdPoll
) -> None:
    seen: list[tuple[str, str]] = []

    for event in running.logs(follow=True, poll_interval=0.5):
        seen.append((event.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", event.message))
        if len(seen) == 120:
            client.notebooks.stop(JOB, running.id)

    assert seen == truth(emulator, running.id)
    assert len(seen) >= 120
    assert faults.faulted >= 30
    assert faults.faulted == faults.polls // 3
    assert emulator.pending_faults == []


def test_walking_back_through_history_under_faults_loses_nothing(
    client: Client,
    running: Notebook,
    emulator: Emulator,
    clock: ManualClock,
    faults: EveryThirdPoll,
) -> None:
    clock.advance(30)
    everything = truth(emulator, running.id)

    events = list(running.logs(history=True))

    assert [e.message for e in events] == [message for _, message in everything]
    assert len(events) == len(everything) > 50
    assert faults.faulted >= 5
