"""The fault matrix: every operation x every failure of the retry table, against both clients.

For each failure the emulator injects it into the next attempt ("once") or into every attempt
("persistent"), one operation at a time, and the test records what the call did: how many
requests reached the emulator, the sleeps between them (the clients share the emulator's
:class:`ManualClock`, jitter 0, so they are exact) and the result or error class. The whole
table of observations must equal the documented one (:func:`expected_outcome`), and every call
must leave the server as the table promises: done exactly once when it succeeded, untouched
when it failed (these faults hit before the emulator acts).

A connection refusal and an instant read timeout come from the emulator's in-process transport
(over HTTP the emulator can only drop a connection it accepted); the other failures go over
the variant's own transport.
"""

from __future__ import annotations

import contextlib

import pytest

from abeja_notebooks import APIConnectionError, Client, HttpError
from abeja_notebooks.testing import Emulator, ManualClock
from tests.support import JOB, PREFIX, MakeClient

from .support import (
    BACKOFF,
    FAULTS,
    MAX_ATTEMPTS,
    OPS,
    FaultCase,
    Op,
    Outcome,
    expected_outcome,
)


def run_cell(
    client: Client, emulator: Emulator, clock: ManualClock, op: Op, case: FaultCase, times: int
) -> tuple[Outcome, list[str]]:
    """Run ``op`` with ``case`` injected into its next ``times`` attempts.

    Returns:
        The outcome, and a list of broken promises about the server state (empty when fine).
    """
    nid = op.prepare(emulator)
    before = op.snapshot(emulator, nid)
    emulator.clear_requests()
    clock.sleeps.clear()
    emulator.inject(method=op.method, path=op.pattern(nid), times=times, **case.options)
    problems: list[str] = []
    try:
        result = op.call(client, nid)
    except (HttpError, APIConnectionError) as exc:
        outcome = Outcome(op.attempts(emulator, nid), list(clock.sleeps), type(exc).__name__)
        url = client.settings.base_url + emulator.requests[-1].raw_path
        if (exc.method, exc.url) != (op.method, url):
            problems.append(f"{op.name}: error names {exc.method} {exc.url}, not {url}")
        if isinstance(exc, HttpError) and exc.status_code != case.options.get("status"):
            problems.append(f"{op.name}: status_code {exc.status_code}")
        said_attempts = f"after {outcome.attempts} attempts" in str(exc)
        if said_attempts != (outcome.attempts > 1):
            problems.append(f"{op.name}: message does not count attempts: {exc}")
        if op.snapshot(emulator, nid) != before:
            problems.append(f"{op.name}: failed, yet the server state changed")
    else:
        outcome = Outcome(op.attempts(emulator, nid), list(clock.sleeps), "ok")
        try:
            op.check(emulator, nid, result, before)
        except AssertionError as exc:
            problems.append(f"{op.name}: succeeded with a wrong result or state: {exc!r}")
    emulator.clear_faults()
    return outcome, problems


@pytest.mark.parametrize("times", [1, 10], ids=["once", "persistent"])
@pytest.mark.parametrize("case", FAULTS, ids=[case.name for case in FAULTS])
def test_each_operation_follows_the_retry_table(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock, case: FaultCase, times: int
) -> None:
    """Attempts, delays and the final result of every operation under ``case`` are the table's.

    Retried failures recover when they hit once and raise the last error after four attempts
    when they persist; failures that are not retried raise at once with one request sent.
    """
    client = make_client(inprocess=case.inprocess)
    observed: dict[str, Outcome] = {}
    broken: list[str] = []

    for op in OPS:
        observed[op.name], problems = run_cell(client, emulator, clock, op, case, times)
        broken += problems

    assert observed == {op.name: expected_outcome(op, case, times) for op in OPS}
    assert broken == []


def test_the_table_covers_what_the_issue_lists() -> None:
    """A guard on the matrix itself: every failure kind and both create rows are present."""
    names = {case.name for case in FAULTS}
    assert {"500", "502", "503", "504", "408", "429"} <= names
    assert {"connection refused", "connection dropped", "read timeout", "cut-off body"} <= names
    assert any("HTTP date" in n and "cap" not in n for n in names)
    assert any("beyond the cap" in n for n in names)
    assert {op.name for op in OPS} == {
        "create",
        "list_page",
        "get",
        "update",
        "delete",
        "start",
        "stop",
        "recent_logs",
    }
    create = OPS[0]
    retried_for_create = {case.name for case in FAULTS if case.retried(create.kind)}
    assert retried_for_create == {
        "503",
        "429",
        "429 Retry-After 3s",
        "503 Retry-After 7s",
        "429 Retry-After HTTP date",
        "connection refused",
    }
    assert BACKOFF[: MAX_ATTEMPTS - 1] == (0.5, 1.0, 2.0)


# --- connection refused over real HTTP -----------------------------------------------------


def test_a_refused_connection_is_retried_for_every_operation_then_raised(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock, closed_port: int
) -> None:
    """Over a real socket to a closed port, every operation (create too) makes four attempts."""
    (nid,) = emulator.seed(1)
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}")
    observed: dict[str, tuple[str, list[float]]] = {}

    for op in OPS:
        clock.sleeps.clear()
        with pytest.raises(APIConnectionError) as caught:
            op.call(client, nid)
        observed[op.name] = (type(caught.value).__name__, list(clock.sleeps))
        assert caught.value.method == op.method
        assert caught.value.url.startswith(f"http://127.0.0.1:{closed_port}/organizations/")
        assert "after 4 attempts" in str(caught.value)

    assert observed == {op.name: ("APIConnectionError", [0.5, 1.0, 2.0]) for op in OPS}
    assert emulator.requests == []


# --- a fault after the server acted --------------------------------------------------------

AFTER_FAULTS = [
    case
    for case in FAULTS
    if case.name
    in (
        "500",
        "502",
        "503",
        "504",
        "408",
        "429",
        "connection dropped",
        "read timeout",
        "cut-off body",
    )
]


@pytest.mark.parametrize("case", AFTER_FAULTS, ids=[case.name for case in AFTER_FAULTS])
def test_a_fault_after_the_server_acted_never_makes_it_act_twice(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock, case: FaultCase
) -> None:
    """The emulator acts, then the answer is lost or replaced by ``case``.

    - create is never repeated: exactly one notebook exists and the error is raised. (429 and
      503 are left out for create: by the table they promise the server did nothing, so a
      create is retried on them; a server that acts and then answers 429/503 breaks that
      promise, and no client can tell.)
    - update is repeated (a PUT is idempotent) and ends with the value written once.
    - delete is repeated; the retry's 404 means the first attempt deleted it: success.
    - start and stop are repeated; the retry's 409 means the first attempt did the job: the
      call succeeds and returns the notebook's true state, read again.
    """
    client = make_client(inprocess=case.inprocess)
    observed: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    expected: dict[str, tuple[str, list[tuple[str, str]]]] = {}

    for op in OPS:
        if op.name in ("list_page", "get", "recent_logs"):
            continue  # reads have no effect to repeat; the matrix above covers their retries
        if op.kind == "create" and case.retried("create"):
            continue
        nid = op.prepare(emulator)
        before = op.snapshot(emulator, nid)
        emulator.clear_requests()
        emulator.inject(method=op.method, path=op.pattern(nid), after=True, **case.options)
        try:
            result = op.call(client, nid)
        except (HttpError, APIConnectionError) as exc:
            ended = type(exc).__name__
            if op.kind == "create":
                assert isinstance(before, int)
                assert len(emulator.notebooks()) == before + 1  # it acted once; not repeated
        else:
            ended = "ok"
            op.check(emulator, nid, result, before)
        observed[op.name] = (ended, sent(emulator))
        request = (op.method, op.tail.replace("{id}", nid))
        if op.kind == "create":
            expected[op.name] = (case.error.__name__, [request])
        elif op.name in ("start", "stop"):
            expected[op.name] = ("ok", [request, request, ("GET", f"/{nid}")])
        else:
            expected[op.name] = ("ok", [request, request])
        emulator.clear_faults()

    assert observed == expected


def sent(emulator: Emulator) -> list[tuple[str, str]]:
    """The requests the emulator received, as (verb, path below the notebooks collection)."""
    return [(r.method, r.raw_path.removeprefix(PREFIX)) for r in emulator.requests]


@pytest.mark.parametrize("kind", ["once", "persistent"])
def test_create_never_makes_two_notebooks_under_any_fault(
    make_client: MakeClient, emulator: Emulator, kind: str
) -> None:
    """One create per failure of the table, before and after the server acted: at most one
    notebook each time, and exactly one whenever the server acted or a retry succeeded."""
    clients = {False: make_client(), True: make_client(inprocess=True)}
    counts: dict[str, int] = {}
    expected: dict[str, int] = {}
    for case in FAULTS:
        for after in (False, True):
            if after and (case.failure == "never connected" or case.retried("create")):
                continue  # a refused connection cannot come after; 429/503: see above
            client = clients[case.inprocess]
            before = len(emulator.notebooks())
            emulator.inject(
                method="POST",
                path="/notebooks$",
                after=after,
                times=1 if kind == "once" else 10,
                **case.options,
            )
            with contextlib.suppress(HttpError, APIConnectionError):
                client.notebooks.create(JOB)
            emulator.clear_faults()
            key = f"{case.name} ({'after' if after else 'before'})"
            counts[key] = len(emulator.notebooks()) - before
            recovered = case.retried("create") and kind == "once"
            expected[key] = 1 if after or recovered else 0

    assert counts == expected
