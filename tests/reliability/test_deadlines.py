"""An overall ``deadline=`` bounds a whole call: its attempts, the sleeps between them and the
time spent waiting for answers; a ``Retry-After`` that would cross it raises at once.

The deadline is given to the client (``Client(deadline=...)``) or per call with
``client.with_options(deadline=...)``, the stainless/httpx idiom; ``timeout`` and
``max_retries`` are set per call the same way. A per-call value replaces the client's, and
``deadline=None`` removes it.
"""

from __future__ import annotations

import time

import pytest

from abeja_notebooks import (
    APITimeoutError,
    Client,
    HttpError,
    ServiceUnavailable,
    TooManyRequests,
)
from abeja_notebooks.testing import Emulator, ManualClock
from tests.support import JOB, MakeClient

from .support import DATE_SENT, OPS, FastForwardClock, http_date


def test_a_client_deadline_bounds_every_operation(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    """deadline=2: sleeps of 0.5 and 1 fit, the next 2 s would cross it, so the third attempt's
    error is raised, for create as for every other operation."""
    client = make_client(deadline=2.0)
    observed: dict[str, tuple[int, list[float], str]] = {}

    for op in OPS:
        nid = op.prepare(emulator)
        emulator.clear_requests()
        clock.sleeps.clear()
        emulator.inject(status=503, method=op.method, path=op.pattern(nid), times=10)
        with pytest.raises(HttpError) as caught:
            op.call(client, nid)
        emulator.clear_faults()
        observed[op.name] = (
            op.attempts(emulator, nid),
            list(clock.sleeps),
            type(caught.value).__name__,
        )

    assert observed == {op.name: (3, [0.5, 1.0], "ServiceUnavailable") for op in OPS}


@pytest.mark.parametrize(
    ("client_deadline", "call_deadline", "sleeps"),
    [
        (None, 2.0, [0.5, 1.0]),
        (None, 3.5, [0.5, 1.0]),  # the third sleep (2 s) would end exactly at the deadline
        (None, 3.51, [0.5, 1.0, 2.0]),
        (2.0, None, [0.5, 1.0, 2.0]),  # None removes the client's deadline for this call
        (100.0, 1.0, [0.5]),
        (1.0, 100.0, [0.5, 1.0, 2.0]),
    ],
)
def test_a_per_call_deadline_replaces_the_clients(
    make_client: MakeClient,
    emulator: Emulator,
    clock: ManualClock,
    client_deadline: float | None,
    call_deadline: float | None,
    sleeps: list[float],
) -> None:
    emulator.inject(status=503, times=10)
    client = make_client(deadline=client_deadline)

    with pytest.raises(ServiceUnavailable):
        client.with_options(deadline=call_deadline).notebooks.list_page(JOB)

    assert clock.sleeps == sleeps
    assert len(emulator.requests) == len(sleeps) + 1
    assert client.settings.deadline == client_deadline  # the client itself is unchanged


@pytest.mark.parametrize(
    ("retry_after", "headers"),
    [
        ("7", {}),
        (http_date(DATE_SENT + 7), {"Date": http_date(DATE_SENT)}),
    ],
    ids=["seconds", "HTTP date"],
)
def test_a_retry_after_that_would_cross_the_deadline_raises_at_once(
    client: Client,
    emulator: Emulator,
    clock: ManualClock,
    retry_after: str,
    headers: dict[str, str],
) -> None:
    emulator.inject(status=429, retry_after=retry_after, headers=headers, method="POST")

    with pytest.raises(TooManyRequests) as caught:
        client.with_options(deadline=5.0).notebooks.create(JOB)

    assert caught.value.status_code == 429
    assert clock.sleeps == []
    assert len(emulator.requests) == 1
    assert emulator.notebooks() == []


def test_a_retry_after_within_the_deadline_is_waited_for(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=429, retry_after="4", method="POST")

    nb = client.with_options(deadline=5.0).notebooks.create(JOB)

    assert clock.sleeps == [4.0]
    assert [n["training_notebook_id"] for n in emulator.notebooks()] == [nb.id]


def test_the_deadline_also_bounds_the_time_spent_waiting_for_answers(
    make_client: MakeClient, emulator: Emulator
) -> None:
    """Two quick 503s (sleeps 0.5 + 1 s, skipped but counted), then a server that never
    answers: the third attempt may only wait what is left of the 1.8 s deadline, though the
    client's timeout is 30 s. The clock here runs in real time and skips sleeps."""
    clock = FastForwardClock()
    client = make_client(deadline=1.8, timeout=30.0, clock=clock)
    emulator.inject(status=503, times=2)
    emulator.inject(timeout=True, latency=5.0, times=10)
    started = time.monotonic()

    with pytest.raises(APITimeoutError) as caught:
        client.notebooks.list_page(JOB)

    assert time.monotonic() - started < 2.5  # not 30 s, nor 5 s (wide: a loaded machine)
    assert clock.sleeps == [0.5, 1.0]
    assert 1.5 < clock.monotonic() < 1.8 + 1.0
    assert len(emulator.requests) == 3
    assert caught.value.method == "GET"


def test_timeout_and_max_retries_are_set_per_call_the_same_way(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    client = make_client()
    emulator.inject(timeout=True, latency=5.0, times=10)
    started = time.monotonic()

    with pytest.raises(APITimeoutError):
        client.with_options(timeout=0.1, max_retries=1).notebooks.list_page(JOB)

    assert time.monotonic() - started < 1.5
    assert len(emulator.requests) == 2
    assert clock.sleeps == [0.5]
    assert client.settings.max_retries == 3
