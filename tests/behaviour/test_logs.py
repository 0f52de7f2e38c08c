"""Reading logs: recent events, history through the backward token, and following."""

from __future__ import annotations

from typing import Any

import pytest

from abeja_notebooks import Client, LogEvent, Notebook, RetryPolicy
from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock
from tests.support import JOB, ORG


def messages(events: list[LogEvent]) -> list[str]:
    return [e.message for e in events]


def truth(emulator: Emulator, notebook_id: str) -> list[str]:
    return [e["message"] for e in emulator.log_events(notebook_id)]


def log_queries(emulator: Emulator) -> list[dict[str, list[str]]]:
    return [r.query for r in emulator.requests if r.path.endswith("/recentlogs")]


@pytest.fixture
def running(client: Client, emulator: Emulator, clock: ManualClock) -> Notebook:
    nb = client.notebooks.create(JOB)
    clock.advance(emulator.start_delay)
    return nb.refresh()


def test_logs_yields_the_recent_events_oldest_first(
    running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    clock.advance(10)

    events = list(running.logs())

    assert all(isinstance(e, LogEvent) for e in events)
    assert messages(events) == truth(emulator, running.id)
    assert events == sorted(events, key=lambda e: e.timestamp)
    assert log_queries(emulator) == [{}]


def test_history_walks_back_to_the_start_of_the_log(
    running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.log_page_size = 5
    clock.advance(11)
    everything = truth(emulator, running.id)
    assert len(everything) > 15

    events = list(running.logs(history=True))

    assert messages(events) == everything
    queries = log_queries(emulator)
    assert queries[0] == {}
    assert all(set(q) == {"next_backward_token"} for q in queries[1:])
    assert len(queries) >= len(everything) // 5


def test_follow_yields_every_new_event_exactly_once_and_stops_when_the_notebook_stops(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    seen: list[str] = []

    for event in running.logs(follow=True, poll_interval=0.5):
        seen.append(event.message)
        if len(seen) == 40:
            client.notebooks.stop(JOB, running.id)

    assert len(seen) >= 40
    assert seen == truth(emulator, running.id)
    assert client.notebooks.get(JOB, running.id).status == "Stopped"


def test_follow_backs_off_while_idle_and_resets_when_events_come(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 20.0
    nb = client.notebooks.create(JOB)

    seen: list[str] = []
    for event in nb.logs(follow=True, poll_interval=1.0):
        seen.append(event.message)
        if len(seen) == 3:
            break

    assert clock.sleeps[:5] == [1.0, 1.5, 2.25, 3.375, 5.0625]
    assert max(clock.sleeps) <= 10.0
    assert seen == truth(emulator, nb.id)[:3]


def test_follow_keeps_order_across_empty_pages_and_faults(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.log_page_size = 3
    seen: list[str] = []
    for event in running.logs(follow=True, poll_interval=0.5):
        seen.append(event.message)
        if len(seen) % 5 == 0:
            emulator.inject(status=503, path="/recentlogs$")
        if len(seen) == 30:
            client.notebooks.stop(JOB, running.id)

    assert seen == truth(emulator, running.id)


def test_follow_stops_at_its_timeout(
    running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    start = clock.now()

    events = list(running.logs(follow=True, poll_interval=1.0, timeout=30))

    assert clock.now() - start == pytest.approx(30, abs=1.0)
    assert messages(events) == truth(emulator, running.id)[: len(events)]
    assert len(events) >= 50


def test_follow_of_a_stopped_notebook_ends_after_draining(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    clock.advance(3)
    running.stop()

    events = list(running.logs(follow=True))

    assert messages(events) == truth(emulator, running.id)
    assert len(log_queries(emulator)) == 3  # recent, one empty forward poll, an empty drain
    assert clock.sleeps == []


def test_a_stop_right_after_a_burst_loses_nothing_the_drain_reads_every_page(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.log_page_size = 5
    seen: list[str] = []
    for event in running.logs(follow=True, poll_interval=0.5):
        seen.append(event.message)
        if len(seen) == 3:
            for i in range(12):  # more than two pages, written after the last poll
                emulator.append_log(running.id, f"burst {i}")
            emulator.fail(running.id, "crashed")

    assert seen == truth(emulator, running.id)
    assert seen[-12:] == [f"burst {i}" for i in range(12)]


def test_follow_stops_on_any_status_other_than_pending_or_running(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    seen: list[str] = []
    emulator.inject(
        status=200,
        method="GET",
        path=f"/{running.id}$",
        body=running.to_json().replace('"Running"', '"Terminating"').encode(),
        times=100,
    )
    start = clock.now()
    for event in running.logs(follow=True, poll_interval=0.5, timeout=600):
        seen.append(event.message)

    assert seen == truth(emulator, running.id)[: len(seen)]
    assert clock.now() - start < 10  # it stopped at the first idle check, not at the timeout


def test_ctrl_c_stops_a_follow_and_leaves_the_client_usable(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    class InterruptedClock(ManualClock):
        def sleep(self, seconds: float) -> None:
            if len(self.sleeps) == 2:
                raise KeyboardInterrupt
            super().sleep(seconds)

    clock = InterruptedClock()
    emulator.clock = clock
    with Client(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token="t",
        retry_policy=RetryPolicy(jitter=0),
        clock=clock,
    ) as client:
        emulator.start_delay = 100
        nb = client.notebooks.create(JOB)

        follow = nb.logs(follow=True)
        with pytest.raises(KeyboardInterrupt):
            list(follow)

        assert len(clock.sleeps) == 2
        assert list(follow) == []  # the generator is finished, not half-way
        assert nb.refresh().status == "Pending"  # the client still works afterwards


def test_follow_ends_quietly_when_the_notebook_is_deleted(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    seen: list[str] = []
    for event in running.logs(follow=True):
        seen.append(event.message)
        if len(seen) == 5:
            client.notebooks.delete(JOB, running.id)

    assert len(seen) >= 5


def test_recent_logs_passes_tokens_through(
    client: Client, running: Notebook, emulator: Emulator, clock: ManualClock
) -> None:
    clock.advance(2)
    first = client.notebooks.recent_logs(JOB, running.id)
    clock.advance(2)

    newer = client.notebooks.recent_logs(
        JOB, running.id, next_forward_token=first.next_forward_token
    )
    nothing: Any = client.notebooks.recent_logs(
        JOB, running.id, next_forward_token=newer.next_forward_token
    )

    assert messages(first.events + newer.events) == truth(emulator, running.id)
    assert nothing.events == []
    assert nothing.next_forward_token == newer.next_forward_token
