"""One client shared by many threads (or tasks) under faults: nothing but the injected errors,
no lost update, no answer handed to the wrong caller, and a bounded connection pool.

Sixteen workers share one client with at most 8 connections and make 2,000 calls in all (1,000
for the async twin, whose requests cost more in httpcore here), mixed:
reads, updates, listings, logs, start/stop, and a create then delete of a scratch notebook. Each
worker owns one notebook and knows what it last wrote to it. Meanwhile every fifth request the
emulator receives gets a fault the retry table retries (503, 429, a dropped connection, a
cut-off body, before or after the emulator acted, chosen so that each kind of call may retry
it), and a fixed number of requests to a separate job definition get a 418, which is never
retried: those, and only those, must surface as errors.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from abeja_notebooks import AsyncClient, Client, HttpError, RetryPolicy
from abeja_notebooks.testing import Emulator, EmulatorResponse, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.support import JOB, ORG

WORKERS = 16
CALLS = 2_000
ASYNC_CALLS = 1_000
MAX_CONNECTIONS = 8
VISIBLE_JOB = "visible-faults"
VISIBLE_FAULTS = 20
MIX = (
    "get",
    "update",
    "list_page",
    "recent_logs",
    "toggle",
    "get",
    "update",
    "scratch_create",
    "scratch_delete",
    "visible",
)
INSTANCE_TYPES = [f"cpu-{n}" for n in (1, 2, 4, 8, 16)]


class EveryFifthRequest:
    """Injects a fault the retry table retries into every fifth request the emulator gets."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.seen = 0
        self.injected = 0
        self._lock = threading.Lock()
        self._handle = emulator.handle

    def fault_for(self, method: str, path: str, n: int) -> dict[str, Any]:
        if method == "POST" and path.endswith("/notebooks"):  # create: only "nothing was done"
            creates: list[dict[str, Any]] = [{"status": 503}, {"status": 429, "retry_after": "0"}]
            return creates[n % 2]
        others: list[dict[str, Any]] = [
            {"status": 503},
            {"drop": True},
            {"drop": True, "after": True},
            {"status": 429, "retry_after": "1"},
            {"truncate": True, "after": True},
            {"status": 502, "after": True},
        ]
        return others[n % len(others)]

    def __call__(
        self, method: str, raw_path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> EmulatorResponse:
        with self._lock:
            self.seen += 1
            inject = self.seen % 5 == 0 and VISIBLE_JOB not in raw_path
            if inject:
                self.injected += 1
                fault = self.fault_for(method, raw_path, self.injected)
                self.emulator.inject(method=method, path=re.escape(raw_path) + "$", **fault)
        return self._handle(method, raw_path, query, headers, body)


@dataclass
class Worker:
    """One worker's own notebook and what it last did to it."""

    index: int
    notebook_id: str = ""
    instance_type: str = "cpu-1"
    started: bool = True
    scratch: list[str] = field(default_factory=list[str])
    calls: int = 0
    problems: list[str] = field(default_factory=list[str])
    errors: list[str] = field(default_factory=list[str])


Step = Callable[[], object]


def steps(
    client: Any, worker: Worker, count: int
) -> Iterator[tuple[str, Step, Callable[[Any], None]]]:
    """The calls a worker makes, each with a check of its result (sync or async client)."""
    nb = client.notebooks
    nid = worker.notebook_id
    for i in range(count):
        kind = MIX[(worker.index + i) % len(MIX)]
        if kind == "get":
            yield kind, lambda: nb.get(JOB, nid), lambda r: check_mine(worker, r)
        elif kind == "update":
            wanted = INSTANCE_TYPES[(worker.index + i) % len(INSTANCE_TYPES)]
            worker.instance_type = wanted
            yield (
                kind,
                functools.partial(nb.update, JOB, nid, instance_type=wanted),
                lambda r: check_mine(worker, r),
            )
        elif kind == "list_page":
            yield kind, lambda: nb.list_page(JOB, limit=5), lambda r: check_page(worker, r)
        elif kind == "recent_logs":
            yield kind, lambda: nb.recent_logs(JOB, nid), lambda r: check_logs(worker, r)
        elif kind == "toggle":
            worker.started = not worker.started
            action = nb.start if worker.started else nb.stop
            yield kind, functools.partial(action, JOB, nid), lambda r: check_mine(worker, r)
        elif kind == "scratch_create":
            yield kind, lambda: nb.create(JOB, instance_type="gpu-1"), lambda r: keep(worker, r)
        elif kind == "scratch_delete" and worker.scratch:
            gone = worker.scratch.pop()
            yield kind, functools.partial(nb.delete, JOB, gone), lambda r: check_none(worker, r)
        elif kind == "scratch_delete":  # nothing made yet: read instead
            yield "get", lambda: nb.get(JOB, nid), lambda r: check_mine(worker, r)
        else:
            yield kind, lambda: nb.list_page(VISIBLE_JOB), lambda r: check_page(worker, r)


def share(calls: int, worker: Worker) -> int:
    """This worker's part of ``calls`` (the parts add up to ``calls``)."""
    return calls // WORKERS + (1 if worker.index < calls % WORKERS else 0)


def check_mine(worker: Worker, nb: Any) -> None:
    if nb.id != worker.notebook_id or nb.instance_type != worker.instance_type:
        worker.problems.append(f"got {nb.id}/{nb.instance_type}, wanted {worker.instance_type}")
    if worker.started != (nb.status in ("Pending", "Running")):
        worker.problems.append(f"{nb.id} is {nb.status} after started={worker.started}")


def check_page(worker: Worker, page: Any) -> None:
    if not 0 <= len(page.entries) <= 5 or page.offset != 0:
        worker.problems.append(f"a page of {len(page.entries)} at {page.offset}")


def check_logs(worker: Worker, logs: Any) -> None:
    if logs.next_forward_token is None:
        worker.problems.append("a log page without tokens")


def keep(worker: Worker, nb: Any) -> None:
    if nb.instance_type != "gpu-1":
        worker.problems.append(f"created {nb.instance_type}")
    worker.scratch.append(nb.id)


def check_none(worker: Worker, result: object) -> None:
    if result is not None:
        worker.problems.append(f"delete returned {result!r}")


@pytest.fixture
def chaos(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> EveryFifthRequest:
    emulator.add_job_definition(VISIBLE_JOB)
    emulator.inject(status=418, path=f"/{VISIBLE_JOB}/notebooks$", times=VISIBLE_FAULTS)
    hook = EveryFifthRequest(emulator)
    monkeypatch.setattr(emulator, "handle", hook)
    return hook


def seed_workers(emulator: Emulator) -> list[Worker]:
    ids = emulator.seed(WORKERS, status="Running")
    return [Worker(i, notebook_id=nid) for i, nid in enumerate(ids)]


def verify(
    workers: list[Worker],
    emulator: Emulator,
    chaos: EveryFifthRequest,
    server: EmulatorServer,
    calls: int,
) -> None:
    assert sum(w.calls for w in workers) == calls
    assert [p for w in workers for p in w.problems] == []
    errors = [e for w in workers for e in w.errors]
    assert errors == ["HttpError 418"] * VISIBLE_FAULTS  # the injected ones, and nothing else
    for worker in workers:  # no lost update: each notebook holds what its owner wrote last
        truth = emulator.notebook(worker.notebook_id)
        assert truth["instance_type"] == worker.instance_type
        assert (truth["status"] in ("Pending", "Running")) == worker.started
    survivors = {n["training_notebook_id"] for n in emulator.notebooks()}
    expected = {w.notebook_id for w in workers} | {s for w in workers for s in w.scratch}
    assert survivors == expected  # every scratch notebook deleted once, none made twice
    assert chaos.injected >= calls // 5
    assert emulator.pending_faults == []
    assert server.peak_open_connections <= MAX_CONNECTIONS


def limits() -> httpx.Limits:
    return httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)


def test_one_client_shared_by_sixteen_threads_under_faults(
    notebook_emulator_server: EmulatorServer,
    emulator: Emulator,
    clock: ManualClock,
    chaos: EveryFifthRequest,
) -> None:
    workers = seed_workers(emulator)
    with Client(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token=TEST_TOKEN,
        retry_policy=RetryPolicy(jitter=0.0),
        max_retries=10,
        limits=limits(),
        clock=clock,
    ) as client:

        def run(worker: Worker) -> None:
            for kind, call, check in steps(client, worker, share(CALLS, worker)):
                worker.calls += 1
                try:
                    check(call())
                except HttpError as exc:
                    worker.errors.append(f"{type(exc).__name__} {exc.status_code}")
                    if kind != "visible":
                        worker.problems.append(f"{kind}: {exc!r}")
                except Exception as exc:
                    worker.problems.append(f"{kind}: {exc!r}")

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)

    verify(workers, emulator, chaos, notebook_emulator_server, CALLS)


async def test_one_async_client_shared_by_sixteen_tasks_under_faults(
    notebook_emulator_server: EmulatorServer,
    emulator: Emulator,
    clock: ManualClock,
    chaos: EveryFifthRequest,
) -> None:
    workers = seed_workers(emulator)
    async with AsyncClient(
        base_url=notebook_emulator_server.base_url,
        organization_id=ORG,
        auth_token=TEST_TOKEN,
        retry_policy=RetryPolicy(jitter=0.0),
        max_retries=10,
        limits=limits(),
        clock=clock,
    ) as client:

        async def run(worker: Worker) -> None:
            for kind, call, check in steps(client, worker, share(ASYNC_CALLS, worker)):
                worker.calls += 1
                try:
                    awaited = call()
                    assert isinstance(awaited, Awaitable)
                    check(await awaited)
                except HttpError as exc:
                    worker.errors.append(f"{type(exc).__name__} {exc.status_code}")
                    if kind != "visible":
                        worker.problems.append(f"{kind}: {exc!r}")
                except Exception as exc:
                    worker.problems.append(f"{kind}: {exc!r}")

        await asyncio.wait_for(asyncio.gather(*(run(w) for w in workers)), timeout=60)

    verify(workers, emulator, chaos, notebook_emulator_server, ASYNC_CALLS)
