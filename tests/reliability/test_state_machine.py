"""Random sequences of operations, each result checked against a simple model of the state.

A hypothesis ``RuleBasedStateMachine`` creates, updates, starts, stops, deletes, lists, reads
the logs of, waits on and fails notebooks, moves the clock, and slips in transient faults the
retry table absorbs, all through the SDK (each client variant) against the emulator. The model
knows, for each notebook, its settings and its runs (when each went Running and when it
ended), which is enough to predict every status, every conflict, every listing and every log
line; after each step the emulator's own state must match the model too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from abeja_notebooks import (
    Client,
    Conflict,
    NotebookFailed,
    NotebookType,
    NotFound,
    RetryPolicy,
    StatusUnreachable,
)
from abeja_notebooks.testing import Emulator, ManualClock

START_DELAY = 1.0
LOG_INTERVAL = 0.5
LOG_PAGE = 5
DEFAULT_INSTANCE_TYPE = "cpu-1"
DEFAULT_IMAGE = "abeja-inc/all-cpu:19.10"


@dataclass
class Run:
    """One run of a notebook: what it was launched with, when it went Running, when it ended."""

    running_at: float
    startup: tuple[str, str, str]
    ended_at: float | None = None


@dataclass
class Model:
    """What one notebook should look like."""

    id: str
    name: str
    instance_type: str
    image: str
    notebook_type: str
    runs: list[Run] = field(default_factory=list[Run])
    failed: bool = False

    def launch(self, now: float) -> None:
        self.failed = False
        self.runs.append(
            Run(
                now + START_DELAY,
                (
                    f"starting notebook server ({self.notebook_type})",
                    f"[{self.name}] image {self.image} on instance type {self.instance_type}",
                    f"[{self.name}] notebook server is ready",
                ),
            )
        )

    def halt(self, now: float, *, failed: bool = False) -> None:
        self.runs[-1].ended_at = now
        self.failed = failed

    def status(self, now: float) -> str:
        run = self.runs[-1] if self.runs else None
        if run is None or run.ended_at is not None:
            return "Failed" if self.failed else "Stopped"
        return "Running" if now >= run.running_at else "Pending"

    def log(self, now: float) -> list[str]:
        """Every log line the notebook has written by ``now``."""
        lines: list[str] = []
        heartbeats = 0
        for run in self.runs:
            until = now if run.ended_at is None else min(run.ended_at, now)
            if until < run.running_at:
                continue
            due = math.floor((until - run.running_at) / LOG_INTERVAL + 1e-9) + 1
            for k in range(due):
                if k < len(run.startup):
                    lines.append(run.startup[k])
                else:
                    lines.append(f"[{self.name}] heartbeat {heartbeats + k - len(run.startup) + 1}")
            heartbeats += max(0, due - len(run.startup))
        return lines


_jobs = itertools.count(1)


class NotebookMachine(RuleBasedStateMachine):
    """Drives one client; each example works in a job definition of its own.

    The test makes a subclass whose ``wiring`` holds the client, the emulator and the clock.
    """

    wiring: ClassVar[tuple[Client, Emulator, ManualClock]]

    def __init__(self) -> None:
        super().__init__()
        client, emulator, clock = self.wiring
        # Retries without delay: time moves only when a rule moves it, so one listing (several
        # requests) sees one moment, as the model does.
        self.client = client.with_options(retry_policy=RetryPolicy(initial_delay=0, jitter=0))
        self.emulator = emulator
        self.clock = clock
        self.job = f"machine-{next(_jobs)}"
        emulator.add_job_definition(self.job)
        self.model: dict[str, Model] = {}
        self.deleted: list[str] = []
        self.created = 0

    @property
    def now(self) -> float:
        return self.clock.now()

    def pick(self, data: st.DataObject) -> Model:
        return data.draw(st.sampled_from(sorted(self.model.values(), key=lambda m: m.id)))

    def check(self, nb: Any, expected: Model) -> None:
        assert nb.id == expected.id
        assert nb.name == expected.name
        assert nb.status == expected.status(self.now)
        assert (nb.instance_type, nb.image) == (expected.instance_type, expected.image)
        assert nb.job_definition_name == self.job

    # --- the rules --------------------------------------------------------------------------

    @rule(
        instance_type=st.sampled_from([None, "cpu-2", "gpu:b-4", "cpu-0.25"]),
        image=st.sampled_from([None, "abeja-inc/all-gpu:20.10"]),
        notebook_type=st.sampled_from([None, "notebook", "lab"]),
    )
    def create(
        self,
        instance_type: str | None,
        image: str | None,
        notebook_type: NotebookType | None,
    ) -> None:
        nb = self.client.notebooks.create(
            self.job, instance_type=instance_type, image=image, notebook_type=notebook_type
        )
        self.created += 1
        expected = Model(
            nb.id,
            f"notebook-{self.created}",
            instance_type or DEFAULT_INSTANCE_TYPE,
            image or DEFAULT_IMAGE,
            notebook_type or "notebook",
        )
        expected.launch(self.now)
        assert nb.id not in self.model
        assert nb.id not in self.deleted
        self.model[nb.id] = expected
        self.check(nb, expected)

    @precondition(lambda self: self.model)
    @rule(
        data=st.data(),
        instance_type=st.sampled_from([None, "cpu-4", "gpu-1"]),
        image=st.sampled_from([None, "abeja-inc/all-cpu:22.02"]),
    )
    def update(self, data: st.DataObject, instance_type: str | None, image: str | None) -> None:
        expected = self.pick(data)
        nb = self.client.notebooks.update(
            self.job, expected.id, instance_type=instance_type, image=image
        )
        expected.instance_type = instance_type or expected.instance_type
        expected.image = image or expected.image
        self.check(nb, expected)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), notebook_type=st.sampled_from([None, "lab"]))
    def start(self, data: st.DataObject, notebook_type: NotebookType | None) -> None:
        expected = self.pick(data)
        if expected.status(self.now) in ("Pending", "Running"):
            with pytest.raises(Conflict):
                self.client.notebooks.start(self.job, expected.id, notebook_type=notebook_type)
            return
        nb = self.client.notebooks.start(self.job, expected.id, notebook_type=notebook_type)
        expected.notebook_type = notebook_type or expected.notebook_type
        expected.launch(self.now)
        self.check(nb, expected)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def stop(self, data: st.DataObject) -> None:
        expected = self.pick(data)
        if expected.status(self.now) in ("Stopped", "Failed"):
            with pytest.raises(Conflict):
                self.client.notebooks.stop(self.job, expected.id)
            return
        nb = self.client.notebooks.stop(self.job, expected.id)
        expected.halt(self.now)
        self.check(nb, expected)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        expected = self.pick(data)
        self.client.notebooks.delete(self.job, expected.id)
        del self.model[expected.id]
        self.deleted.append(expected.id)

    @precondition(lambda self: self.deleted)
    @rule(data=st.data(), operation=st.sampled_from(["get", "delete", "stop", "logs"]))
    def touch_a_deleted_one(self, data: st.DataObject, operation: str) -> None:
        gone = data.draw(st.sampled_from(self.deleted))
        notebooks = self.client.notebooks
        calls: dict[str, Callable[[], object]] = {
            "get": lambda: notebooks.get(self.job, gone),
            "delete": lambda: notebooks.delete(self.job, gone),
            "stop": lambda: notebooks.stop(self.job, gone),
            "logs": lambda: list(notebooks.logs(self.job, gone)),
        }
        with pytest.raises(NotFound):
            calls[operation]()

    @rule(page_size=st.integers(1, 4))
    def list_all(self, page_size: int) -> None:
        listed = list(self.client.notebooks.list(self.job, page_size=page_size))
        assert [nb.id for nb in listed] == sorted(self.model)  # creation order: ids increase
        for nb in listed:
            self.check(nb, self.model[nb.id])

    @precondition(lambda self: self.model)
    @rule(data=st.data(), history=st.booleans())
    def logs(self, data: st.DataObject, history: bool) -> None:
        expected = self.pick(data)
        lines = [
            e.message for e in self.client.notebooks.logs(self.job, expected.id, history=history)
        ]
        everything = expected.log(self.now)
        assert lines == (everything if history else everything[-LOG_PAGE:])

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def wait_until_running(self, data: st.DataObject) -> None:
        expected = self.pick(data)
        status = expected.status(self.now)
        if status == "Failed":
            with pytest.raises(NotebookFailed):
                self.client.notebooks.wait_until(self.job, expected.id, "Running", timeout=30)
        elif status == "Stopped":  # out of reach: the wait ends after its 30 s grace
            with pytest.raises(StatusUnreachable):
                self.client.notebooks.wait_until(self.job, expected.id, "Running", timeout=30)
        else:
            nb = self.client.notebooks.wait_until(self.job, expected.id, "Running", timeout=30)
            self.check(nb, expected)
            assert nb.status == "Running"

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def the_platform_fails_one(self, data: st.DataObject) -> None:
        expected = self.pick(data)
        if expected.status(self.now) in ("Pending", "Running"):
            self.emulator.fail(expected.id, "out of memory")
            expected.halt(self.now, failed=True)

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.5, 7.0]))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @precondition(lambda self: not self.emulator.pending_faults)  # one at a time: never exhausted
    @rule(
        method=st.sampled_from(["GET", "PUT"]),
        fault=st.sampled_from(
            [{"status": 503}, {"status": 429, "retry_after": "0"}, {"drop": True, "after": True}]
        ),
    )
    def a_transient_fault(self, method: str, fault: dict[str, Any]) -> None:
        """The next GET or PUT meets a fault the retry table retries (reads and updates are
        idempotent, so even one after the server acted changes nothing)."""
        self.emulator.inject(method=method, path=f"/{self.job}/", **fault)

    # --- after every step ---------------------------------------------------------------------

    @invariant()
    def the_server_holds_what_the_model_says(self) -> None:
        truth = self.emulator.notebooks(job_definition=self.job)
        now = self.now
        assert [n["training_notebook_id"] for n in truth] == sorted(self.model)
        for notebook in truth:
            expected = self.model[notebook["training_notebook_id"]]
            assert notebook["status"] == expected.status(now)
            assert notebook["name"] == expected.name
            assert (notebook["instance_type"], notebook["image"]) == (
                expected.instance_type,
                expected.image,
            )

    def teardown(self) -> None:
        self.emulator.clear_faults()


def test_random_operation_sequences_match_the_model(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.start_delay = START_DELAY
    emulator.log_interval = LOG_INTERVAL
    emulator.log_page_size = LOG_PAGE

    class Machine(NotebookMachine):
        wiring = (client, emulator, clock)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert len(emulator.requests) > 100
