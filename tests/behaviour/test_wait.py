"""wait_until: check at once, back off between polls, fail fast, time out with the last state."""

from __future__ import annotations

import pickle

import pytest

from abeja_notebooks import Client, NotebookFailed, NotebookStatus, WaitTimeout
from abeja_notebooks.testing import Emulator, ManualClock
from tests.support import JOB


def gets(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.method == "GET")


def test_a_notebook_already_in_the_status_returns_without_sleeping(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Running")
    nb = client.notebooks.get(JOB, nid)

    assert nb.wait_until(NotebookStatus.RUNNING) is nb
    assert clock.sleeps == []
    assert gets(emulator) == 2


def test_waiting_polls_with_backoff_until_the_status_is_reached(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 20
    nb = client.notebooks.create(JOB)

    nb.wait_until("Running", poll_interval=2)

    assert nb.status is NotebookStatus.RUNNING
    assert clock.sleeps == [2.0, 3.0, 4.5, 6.75, 10.125]
    assert gets(emulator) == 6


def test_the_backoff_is_capped_at_ten_poll_intervals(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 100
    nb = client.notebooks.create(JOB)

    nb.wait_until("Running", poll_interval=1)

    assert max(clock.sleeps) == 10.0


def test_any_of_several_statuses_ends_the_wait(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")

    nb = client.notebooks.wait_until(JOB, nid, {NotebookStatus.RUNNING, "Stopped"})

    assert nb.status is NotebookStatus.STOPPED
    assert clock.sleeps == []


def test_a_failed_notebook_raises_notebook_failed_with_the_last_state(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 10
    nb = client.notebooks.create(JOB)
    clock.advance(2)
    emulator.fail(nb.id, "out of memory")

    with pytest.raises(NotebookFailed) as caught:
        nb.wait_until(NotebookStatus.RUNNING)

    assert caught.value.notebook.status is NotebookStatus.FAILED
    assert caught.value.notebook.status_message == "out of memory"
    assert "out of memory" in str(caught.value)
    assert nb.status is NotebookStatus.FAILED  # updated in place too
    assert clock.sleeps == []


def test_waiting_for_failed_itself_returns(client: Client, emulator: Emulator) -> None:
    nb = client.notebooks.create(JOB)
    emulator.fail(nb.id)

    assert nb.wait_until("Failed").status is NotebookStatus.FAILED


def test_the_deadline_raises_wait_timeout_with_the_last_state(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = 1000
    nb = client.notebooks.create(JOB)
    start = clock.now()

    with pytest.raises(WaitTimeout) as caught:
        nb.wait_until("Running", timeout=30, poll_interval=2)

    assert clock.now() - start == pytest.approx(30)
    assert sum(clock.sleeps) == pytest.approx(30)
    assert caught.value.notebook.status is NotebookStatus.PENDING
    assert caught.value.notebook.id == nb.id
    assert "after 30s" in str(caught.value)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.notebook == caught.value.notebook


def test_the_manager_waits_by_name_and_id(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    nb = client.notebooks.create(JOB)

    running = client.notebooks.wait_until(JOB, nb.id, "Running")

    assert running.status is NotebookStatus.RUNNING
    assert running.job_definition_name == JOB
