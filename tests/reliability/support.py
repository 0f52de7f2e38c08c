"""What the reliability suites share: the operations, the faults and the documented retry table.

The expected outcomes here are written from the retry table in the docs (README "Retries"), not
computed from the SDK's own policy functions, so a change in either shows up as a failing test.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from abeja_notebooks import (
    APIConnectionError,
    APITimeoutError,
    BadGateway,
    Client,
    GatewayTimeout,
    HttpError,
    InternalServerError,
    LogPage,
    ServiceUnavailable,
    TooManyRequests,
)
from abeja_notebooks.testing import Emulator, ManualClock
from tests.dual import unwrap
from tests.support import JOB

Kind = Literal["create", "other"]

BACKOFF: Final = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0)
"""The documented delays before retries 1, 2, 3, ... (jitter 0, as in the fixtures)."""
MAX_ATTEMPTS: Final = 4
"""The first attempt plus the default three retries."""
DATE_SENT: Final = 1_780_000_000.0
"""A server ``Date`` that has nothing to do with the test machine's clock."""


def http_date(seconds: float) -> str:
    """``seconds`` since the epoch as an HTTP date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return email.utils.formatdate(seconds, usegmt=True)


# --- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One SDK operation, with how to set it up, call it, find its requests and judge it."""

    name: str
    method: str
    tail: str
    """The path after the notebooks collection: ``""``, ``"/{id}"`` or ``"/{id}/start"``."""
    seed: Literal["none", "Stopped", "Running"]
    call: Callable[[Client, str], object]
    check: Callable[[Emulator, str, object, object], None]
    """``check(emulator, nid, result, before)`` asserts that a successful call returned the
    truth and did its job exactly once (``before`` is the :meth:`snapshot` taken before it)."""

    @property
    def kind(self) -> Kind:
        return "create" if self.name == "create" else "other"

    def prepare(self, emulator: Emulator) -> str:
        """Make what the operation needs; return the notebook id it works on (or ``""``)."""
        if self.seed == "none":
            return ""
        (nid,) = emulator.seed(1, status=self.seed)
        return nid

    def pattern(self, nid: str) -> str:
        """The regular expression the emulator matches this operation's path with."""
        return "/notebooks" + self.tail.replace("{id}", nid) + "$"

    def attempts(self, emulator: Emulator, nid: str) -> int:
        """How many requests of this operation the emulator received."""
        tail = self.tail.replace("{id}", nid)
        return sum(
            1
            for r in emulator.requests
            if r.method == self.method and r.path.endswith("/notebooks" + tail)
        )

    def snapshot(self, emulator: Emulator, nid: str) -> object:
        """The server state this operation may change."""
        if not nid:
            return len(emulator.notebooks())
        try:
            found = emulator.notebook(nid)
        except KeyError:
            return None
        return {k: found[k] for k in ("status", "instance_type", "image")}


def _created(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del nid
    notebooks = emulator.notebooks()
    assert isinstance(before, int)
    assert len(notebooks) == before + 1  # one notebook, never two
    assert unwrap(result).id == notebooks[-1]["training_notebook_id"]
    assert notebooks[-1]["instance_type"] == "cpu-2"


def _listed(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    page: Any = result
    assert page.total == len(emulator.notebooks())
    assert nid in [nb.id for nb in page.entries]


def _got(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    assert unwrap(result).to_dict() == emulator.notebook(nid)


def _updated(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    assert unwrap(result).instance_type == "cpu-4" == emulator.notebook(nid)["instance_type"]


def _deleted(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    assert result is None
    assert nid not in [n["training_notebook_id"] for n in emulator.notebooks()]


def _started(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    truth = emulator.notebook(nid)["status"]
    assert truth in ("Pending", "Running")
    assert unwrap(result).status == truth


def _stopped(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    assert unwrap(result).status == "Stopped" == emulator.notebook(nid)["status"]


def _logs(emulator: Emulator, nid: str, result: object, before: object) -> None:
    del before
    assert isinstance(result, LogPage)
    truth = [e["message"] for e in emulator.log_events(nid)]
    assert [e.message for e in result.events] == truth[-emulator.log_page_size :]


OPS: Final = (
    Op(
        "create",
        "POST",
        "",
        "none",
        lambda c, _: c.notebooks.create(JOB, instance_type="cpu-2"),
        _created,
    ),
    Op("list_page", "GET", "", "Stopped", lambda c, _: c.notebooks.list_page(JOB), _listed),
    Op("get", "GET", "/{id}", "Stopped", lambda c, n: c.notebooks.get(JOB, n), _got),
    Op(
        "update",
        "PUT",
        "/{id}",
        "Stopped",
        lambda c, n: c.notebooks.update(JOB, n, instance_type="cpu-4"),
        _updated,
    ),
    Op("delete", "DELETE", "/{id}", "Stopped", lambda c, n: c.notebooks.delete(JOB, n), _deleted),
    Op("start", "POST", "/{id}/start", "Stopped", lambda c, n: c.notebooks.start(JOB, n), _started),
    Op("stop", "POST", "/{id}/stop", "Running", lambda c, n: c.notebooks.stop(JOB, n), _stopped),
    Op(
        "recent_logs",
        "GET",
        "/{id}/recentlogs",
        "Running",
        lambda c, n: c.notebooks.recent_logs(JOB, n),
        _logs,
    ),
)
OPS_BY_NAME: Final = {op.name: op for op in OPS}


# --- faults and the documented table -------------------------------------------------------


@dataclass(frozen=True)
class FaultCase:
    """A failure from the retry table, as emulator fault options, and what the table says."""

    name: str
    options: dict[str, Any]
    failure: Literal["never connected", "no answer", "status"]
    error: type[Exception]
    retry_after: float | None = None
    """The delay the server asks for, which replaces the backoff."""
    beyond_cap: bool = False
    inprocess: bool = False
    """Needs the in-process transport (a refused connection, an instant read timeout)."""

    def retried(self, kind: Kind) -> bool:
        """The table: is this failure retried for this kind of operation?"""
        if self.beyond_cap:
            return False  # "one beyond 60 s raises at once"
        if self.failure == "never connected":
            return True
        if self.failure == "no answer":
            return kind != "create"
        status = self.options["status"]
        return status in (429, 503) or kind != "create"

    def delay(self, retry: int) -> float:
        """The delay before retry ``retry`` (from 1)."""
        return self.retry_after if self.retry_after is not None else BACKOFF[retry - 1]


def _status(code: int, error: type[Exception], **more: Any) -> FaultCase:
    retry_after = more.pop("retry_after_seconds", None)
    beyond_cap = more.pop("beyond_cap", False)
    name = more.pop("name", str(code))
    return FaultCase(
        name,
        {"status": code, **more},
        "status",
        error,
        retry_after=retry_after,
        beyond_cap=beyond_cap,
    )


FAULTS: Final = (
    _status(500, InternalServerError),
    _status(502, BadGateway),
    _status(503, ServiceUnavailable),
    _status(504, GatewayTimeout),
    _status(408, HttpError),
    _status(429, TooManyRequests),
    _status(
        429,
        TooManyRequests,
        name="429 Retry-After 3s",
        retry_after="3",
        retry_after_seconds=3.0,
    ),
    _status(
        503,
        ServiceUnavailable,
        name="503 Retry-After 7s",
        retry_after="7",
        retry_after_seconds=7.0,
    ),
    _status(
        429,
        TooManyRequests,
        name="429 Retry-After HTTP date",
        retry_after=http_date(DATE_SENT + 5),
        headers={"Date": http_date(DATE_SENT)},
        retry_after_seconds=5.0,
    ),
    _status(
        429,
        TooManyRequests,
        name="429 Retry-After beyond the cap",
        retry_after="61",
        beyond_cap=True,
    ),
    _status(
        503,
        ServiceUnavailable,
        name="503 Retry-After HTTP date beyond the cap",
        retry_after=http_date(DATE_SENT + 3600),
        headers={"Date": http_date(DATE_SENT)},
        beyond_cap=True,
    ),
    FaultCase(
        "connection refused",
        {"refuse": True},
        "never connected",
        APIConnectionError,
        inprocess=True,
    ),
    FaultCase("connection dropped", {"drop": True}, "no answer", APIConnectionError),
    FaultCase("read timeout", {"timeout": True}, "no answer", APITimeoutError, inprocess=True),
    FaultCase("cut-off body", {"truncate": True}, "no answer", APIConnectionError),
)
FAULTS_BY_NAME: Final = {case.name: case for case in FAULTS}


@dataclass(frozen=True)
class Outcome:
    """What one call did: requests sent, sleeps between them, and how it ended."""

    attempts: int
    sleeps: list[float] = field(default_factory=list[float])
    result: str = "ok"
    """``"ok"``, or the class name of the error raised."""


def expected_outcome(op: Op, case: FaultCase, times: int) -> Outcome:
    """The documented outcome of ``op`` when ``case`` hits its next ``times`` attempts."""
    if not case.retried(op.kind):
        return Outcome(1, [], case.error.__name__)
    if times < MAX_ATTEMPTS:
        return Outcome(times + 1, [case.delay(n) for n in range(1, times + 1)], "ok")
    return Outcome(
        MAX_ATTEMPTS, [case.delay(n) for n in range(1, MAX_ATTEMPTS)], case.error.__name__
    )


# --- clocks --------------------------------------------------------------------------------


class FastForwardClock(ManualClock):
    """A clock that runs in real time but skips every sleep (recording it).

    ``monotonic()`` is the real monotonic time plus everything slept, so a deadline measured on
    it counts the real time spent in attempts as well as the sleeps between them.
    """

    def __init__(self) -> None:
        super().__init__()
        self._origin = time.monotonic()
        self.skipped = 0.0

    def monotonic(self) -> float:
        return time.monotonic() - self._origin + self.skipped

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.skipped += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)
