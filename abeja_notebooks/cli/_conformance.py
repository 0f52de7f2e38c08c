"""A conformance run: the Notebook API contract, step by step, against any server.

The steps are plain functions of a `cli._conformance.Conformance`
run and a `cli._conformance.StepRecord` they fill in; the
``conformance`` command and the test suite run the same ones. Every request that changes
something names a notebook the run created (the run refuses any other), and whatever the run
created is deleted at the end, whatever happened before: a failed step, the time limit, Ctrl-C.

A create that fails after it may have reached the server (no answer in time, a dropped
connection, a 5xx) may still have made a notebook. The run reads the job definition's listing
before it starts; after such a failure (and again when it cleans up) it reads the listing
again and adopts what appeared since, for the cleanup to delete: only notebooks of its instance
type, made by the caller when the credentials name one (or the run's own notebooks show who
that is), and no more than the creates that failed. When it cannot tell, it deletes nothing
and says how to find the notebook.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from abeja_notebooks import Client, Notebook
from abeja_notebooks._errors import (
    AbejaError,
    APIConnectionError,
    Conflict,
    HttpError,
    NotFound,
    ResponseValidationError,
)
from abeja_notebooks._response import APIResponse

from . import _conformance_forms as forms
from ._interrupts import interrupts_deferred, terminate_as_interrupt

__all__ = [
    "CLEANUP_SECONDS",
    "MISSING_ID",
    "Conformance",
    "Observation",
    "Outcome",
    "RunSettings",
    "Step",
    "StepFailed",
    "StepRecord",
    "Transition",
]

CLEANUP_SECONDS: Final = 120.0
"""How long cleaning up may take, after the steps (and after the time limit)."""
MISSING_ID: Final = "0000000000000"
"""The notebook id asked for when the run has no deleted notebook of its own to ask for."""
RUN_PREFIX: Final = "abeja-notebooks-conformance-"
MIN_POLL_SECONDS: Final = 0.05
"""The shortest wait between two reads of a status change (or ``--poll-interval``, if less)."""


class Outcome(StrEnum):
    """What a step found."""

    PASS = "pass"
    """Everything as the emulator answers by default."""
    DIFFERS = "differs"
    """The SDK copes, but a form or behaviour is not the emulator's default."""
    FAIL = "fail"
    """The SDK cannot work with what it got, or the step could not finish."""
    SKIPPED = "skipped"
    """Not run: no notebook to work on, the time limit, or Ctrl-C."""


class StepFailed(Exception):
    """Ends a step as failed, with the reason."""


@dataclass(frozen=True)
class Observation:
    """A form (or a behaviour) met in a step, with what the emulator does by default."""

    form: str
    observed: str
    expected: str

    @property
    def differs(self) -> bool:
        """Whether it is not the emulator's default."""
        return self.observed != self.expected

    def to_json(self) -> dict[str, Any]:
        """Give it for the JSON report."""
        return {
            "form": self.form,
            "observed": self.observed,
            "expected": self.expected,
            "differs": self.differs,
        }


@dataclass(frozen=True)
class Transition:
    """A status first seen ``seconds`` after the action that led to it, and not before
    ``not_before`` seconds (when the read that still saw the status before it was sent): it
    came between the two."""

    status: str
    seconds: float
    not_before: float = 0.0

    def between(self) -> str:
        """The bounds, for a person: ``between 0.4 and 0.6 s`` (or ``0.0 s`` when they round
        alike)."""
        low, high = f"{self.not_before:.1f}", f"{self.seconds:.1f}"
        return f"{high} s" if low == high else f"between {low} and {high} s"


@dataclass
class StepRecord:
    """What one step did and found; the step function fills it in."""

    name: str
    outcome: Outcome = Outcome.PASS
    seconds: float = 0.0
    detail: str = ""
    problems: list[str] = field(default_factory=list[str])
    observations: list[Observation] = field(default_factory=list[Observation])
    transitions: dict[str, list[Transition]] = field(default_factory=dict[str, list[Transition]])
    request_ids: list[str] = field(default_factory=list[str])
    notes: list[str] = field(default_factory=list[str])

    def conclude(self) -> None:
        """Set the outcome from the problems and observations (a skipped step stays so)."""
        if self.outcome is Outcome.SKIPPED:
            return
        if self.problems:
            self.outcome = Outcome.FAIL
        elif any(item.differs for item in self.observations):
            self.outcome = Outcome.DIFFERS
        else:
            self.outcome = Outcome.PASS

    def to_json(self) -> dict[str, Any]:
        """Give it for the JSON report."""
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "problems": self.problems,
            "observations": [item.to_json() for item in self.observations],
            "transitions": {
                action: [
                    {"status": t.status, "seconds": t.seconds, "not_before": t.not_before}
                    for t in seen
                ]
                for action, seen in self.transitions.items()
            },
            "request_ids": self.request_ids,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class RunSettings:
    """What a run is told.

    Attributes:
        job: The training job definition to work in.
        instance_type: The instance type of the notebooks it creates.
        poll_interval: Seconds between two reads while waiting for a status.
        time_limit: Seconds after which no step starts (cleaning up may take
            ``CLEANUP_SECONDS`` more).
    """

    job: str
    instance_type: str = "cpu-1"
    poll_interval: float = 2.0
    time_limit: float = 900.0


@dataclass(frozen=True)
class Step:
    """A named step: the function, whether it needs the run's notebook, and its plan."""

    name: str
    run: Callable[[Conformance, StepRecord], None]
    needs_notebook: bool
    plan: str
    changes: bool


def _ignore(text: str) -> None:
    """A notice nobody listens to."""


class Conformance:
    """One conformance run against the API a client is configured for.

    Args:
        client: The client to run with.
        settings: What to run.
        on_step: Called with each step's record when it ends.
        on_notice: Called with a line worth showing at once (a notebook created, deleted).
    """

    def __init__(
        self,
        client: Client,
        settings: RunSettings,
        *,
        on_step: Callable[[StepRecord], None] | None = None,
        on_notice: Callable[[str], None] = _ignore,
    ) -> None:
        self.client = client
        self.raw = client.notebooks.with_raw_response
        self.settings = settings
        self.job = settings.job
        self.run_id = RUN_PREFIX + secrets.token_hex(4)
        self.on_step = on_step
        self.notice = on_notice
        self.created: list[str] = []
        """Ids of the notebooks this run created, in order (adopted ones included)."""
        self.deleted: list[str] = []
        self.left: dict[str, str] = {}
        """Ids it could not delete -> why."""
        self.before: set[str] | None = None
        """Ids in the job definition when the run began (``None``: the listing was not read)."""
        self.lost_creates = 0
        """Creates that failed after they may have reached the server, no notebook found yet."""
        self.adopted: list[str] = []
        """Ids found in the listing after a create failed, taken as the run's (in ``created``)."""
        self.warnings: list[str] = []
        """What the cleanup could not settle: a notebook the run may have made and not found."""
        identity = client.settings.credentials.identity if client.settings.credentials else None
        self.caller: str | None = identity.partition("-")[2] if identity else None
        """The id the server names as the creator of what the run creates (``None``: unknown
        until the run has created a notebook)."""
        self.notebook: str | None = None
        """The notebook most steps work on."""
        self.ids_form: str | None = None
        self.first_status: str | None = None
        self.created_at = 0.0
        self.timings: dict[str, float] = {}
        """Seconds until a status was first seen: ``launch``, ``stop``, ``start`` (the upper
        bound of ``timing_bounds``)."""
        self.timing_bounds: dict[str, tuple[float, float]] = {}
        """The same, as the bounds the status was reached between (`Transition`)."""
        self.steps: list[StepRecord] = []
        self.seen: dict[str, list[str]] = {}
        """Form -> the distinct labels met, in order."""
        self.seen_in: dict[str, list[str]] = {}
        """Form -> the steps it was met in."""
        self.expected: dict[str, str] = {}
        self.interrupted = False
        self.terminated = False
        """Whether the interruption was a SIGTERM (a cancelled CI job), not Ctrl-C."""
        self.started_at = datetime.now(UTC)
        self.started = time.monotonic()
        self.deadline = self.started + settings.time_limit
        self.seconds = 0.0

    # --- running ---------------------------------------------------------------------------

    def preflight(self) -> None:
        """Read the job definition's listing: checks the credentials and the job definition,
        and keeps the ids already there (a notebook that appears later may be the run's);
        changes nothing.

        Raises:
            AbejaError: The API refused (unknown job definition, credentials, network).
        """
        self.before = {notebook.id for notebook in self.client.notebooks.list(self.job)}

    def run(self, steps: Iterable[Step]) -> None:
        """Run the steps, then delete what the run created, whatever happened.

        Ctrl-C ends the steps and starts the cleanup; a second Ctrl-C ends the cleanup, and
        what is left is listed in ``left``. ``interrupted`` tells. A SIGTERM (a cancelled CI
        job, ``kill``) is taken the same way, and ``terminated`` tells that too.

        Args:
            steps: The steps to run, in order (``_conformance_steps.STEPS``: all of them).
        """
        pending = list(steps)
        if self.before is None:  # without a preflight: the listing now, if it can be read
            with contextlib.suppress(AbejaError):
                self.preflight()
        with terminate_as_interrupt(self._on_terminate):
            try:
                while pending:
                    self._run_step(pending.pop(0))
            except KeyboardInterrupt:
                self.interrupted = True
                how = "terminated (SIGTERM)" if self.terminated else "interrupted"
                self.notice(f"{how}: deleting what this run created (Ctrl-C again leaves it)")
                for step in pending:
                    self._skip(step, self.why_stopped)
            finally:
                self.cleanup()
                self.seconds = time.monotonic() - self.started

    def _on_terminate(self) -> None:
        self.terminated = True

    @property
    def why_stopped(self) -> str:
        """How an interruption is named in the report and on the terminal."""
        return "terminated (SIGTERM)" if self.terminated else "interrupted (Ctrl-C)"

    def _run_step(self, step: Step) -> None:
        record = StepRecord(step.name)
        self.steps.append(record)
        began = time.monotonic()
        try:
            if self.remaining() <= 0:
                record.outcome = Outcome.SKIPPED
                record.detail = "the time limit was reached"
            elif step.needs_notebook and self.notebook is None:
                record.outcome = Outcome.SKIPPED
                record.detail = "no notebook to work on"
            else:
                step.run(self, record)
        except StepFailed as error:
            record.problems.append(str(error))
        except AbejaError as error:
            record.problems.append(_without_body(error))
        except KeyboardInterrupt:
            record.problems.append(self.why_stopped)
            raise
        except Exception as error:  # a fault of the run itself: reported, never a traceback
            record.problems.append(f"unexpected {type(error).__name__}: {error}")
        finally:
            record.seconds = time.monotonic() - began
            record.conclude()
            if self.on_step is not None:
                self.on_step(record)

    def _skip(self, step: Step, why: str) -> None:
        record = StepRecord(step.name, Outcome.SKIPPED, detail=why)
        self.steps.append(record)
        if self.on_step is not None:
            self.on_step(record)

    def remaining(self) -> float:
        """Seconds left before the time limit."""
        return self.deadline - time.monotonic()

    # --- what steps share ----------------------------------------------------------------------

    def observe(
        self, record: StepRecord, form: str, label: str, expected: str | None = None
    ) -> None:
        """Note a form met in a step; the step shows it the first time it is met in that way.

        Args:
            record: The step's record.
            form: The form's name (see ``_conformance_forms``), or a behaviour's.
            label: What was met.
            expected: What the emulator does (default: the form's default label).
        """
        wanted = forms.expected(form) if expected is None else expected
        self.expected.setdefault(form, wanted)
        labels = self.seen.setdefault(form, [])
        steps = self.seen_in.setdefault(form, [])
        if record.name not in steps:
            steps.append(record.name)
        if label not in labels:
            labels.append(label)
            record.observations.append(Observation(form, label, wanted))

    def answered(self, record: StepRecord, response: APIResponse[Any]) -> object:
        """Keep an answer's request id and request-id header form; give its JSON body."""
        record.request_ids.append(response.request_id or "-")
        self.observe(record, "request-id header", forms.request_id_header_form(response.headers))
        response.parse()  # the SDK's reading first: what it cannot read fails the step
        body: object = response.http_response.json()
        return body

    def observe_notebook(self, record: StepRecord, body: object) -> None:
        """Note the id and time forms of a notebook object."""
        notebook = forms.as_object(body)
        if notebook is not None:
            self.observe(record, "ids", forms.id_form(notebook.get("training_notebook_id")))
            self.observe_times(record, notebook)

    def observe_times(self, record: StepRecord, notebook: dict[str, Any]) -> None:
        """Note the time forms of a notebook object (without its id form)."""
        for key in ("created_at", "modified_at"):
            if key in notebook:
                self.observe(record, "notebook times", forms.time_shape(notebook[key]))
        creator = forms.as_object(notebook.get("creator")) or {}
        if "created_at" in creator:
            self.observe(record, "creator times", forms.time_shape(creator["created_at"]))

    def create_notebook(self, record: StepRecord) -> tuple[Notebook, dict[str, Any]]:
        """Create a notebook and track it for the cleanup.

        Returns:
            The notebook, and the answer's JSON body.

        Raises:
            StepFailed: The answer names no usable id (the notebook cannot be found again).
        """
        try:
            with (
                interrupts_deferred()
            ):  # a notebook made but not yet tracked would escape the cleanup
                try:
                    response = self.raw.create(self.job, instance_type=self.settings.instance_type)
                except AbejaError as error:
                    if _may_have_made(error):
                        self.lost_creates += 1  # at once: the cleanup looks for it after Ctrl-C
                    raise
                try:  # the id first, for the cleanup, even from an answer the SDK cannot read
                    body = forms.as_object(response.http_response.json()) or {}
                except ValueError:
                    body = {}
                raw_id = body.get("training_notebook_id")
                notebook_id = "" if raw_id is None else str(raw_id)
                if notebook_id not in ("", "0"):
                    self.created.append(notebook_id)
        except AbejaError as error:
            if _may_have_made(error):
                self.notice(
                    f"the create failed ({type(error).__name__}) after it may have reached the "
                    "server: looking for the notebook it made in the listing"
                )
                self.adopt()
            raise
        if notebook_id not in ("", "0"):
            self.notice(f"created notebook {notebook_id}")
        self.answered(record, response)
        if notebook_id in ("", "0"):
            raise StepFailed(
                f"the create answer holds no usable id ({notebook_id!r}): a notebook was "
                f"probably created in {self.job} that this run cannot delete; find it with "
                f"`abeja-notebooks list {self.job}` and delete it"
            )
        notebook = response.parse()
        self.caller = self.caller or notebook.creator.id
        return notebook, body

    def adopt(self) -> None:
        """After creates that failed (``lost_creates``), take the notebooks they made.

        Reads the listing and takes what was not there when the run began and is not the
        run's yet, of the run's instance type and (when known) made by the caller; no more
        notebooks than the creates that failed: more such notebooks than that are someone
        else's too, and none is taken. A listing that cannot be read takes nothing. What is
        still missing at the cleanup becomes a warning.
        """
        if not self.lost_creates or self.before is None:
            return
        try:
            listing = list(self.client.notebooks.list(self.job))
        except AbejaError as error:
            self.notice(f"could not read the listing: {_without_body(error)}")
            return
        found = [
            notebook.id
            for notebook in listing
            if notebook.id not in self.before
            and notebook.id not in self.created
            and notebook.instance_type == self.settings.instance_type
            and (self.caller is None or notebook.creator.id == self.caller)
        ]
        if not found or len(found) > self.lost_creates:
            return
        for notebook_id in found:
            self.created.append(notebook_id)
            self.adopted.append(notebook_id)
            self.lost_creates -= 1
            self.notice(f"found notebook {notebook_id}, made by the create that failed")

    def changing(self, notebook_id: str) -> str:
        """Give ``notebook_id`` back if this run created it (and has not deleted it).

        Raises:
            RuntimeError: For any other notebook: the run never changes one it did not create.
        """
        if notebook_id not in self.created or notebook_id in self.deleted:
            raise RuntimeError(
                f"refusing to change notebook {notebook_id}: not created by this run"
            )
        return notebook_id

    def watch(
        self,
        record: StepRecord,
        action: str,
        want: str,
        since: float,
        first: str | None,
        expected: tuple[str, ...],
    ) -> Transition:
        """Read the run's notebook until its status is ``want``, noting each change.

        Reads come often just after the action and less often later (`poll_wait`), so a
        change soon after the action is timed about as closely as a late one.

        Args:
            record: The step's record.
            action: What led to the change (``launch``, ``stop``, ``start``).
            want: The status to wait for.
            since: When the action was sent (``time.monotonic()``).
            first: The status the action's answer gave, if it gave one.
            expected: The statuses the emulator goes through, in order.

        Returns:
            When ``want`` was reached: first seen, and not before.

        Raises:
            StepFailed: The notebook failed, or the time limit came first.
        """
        notebook_id = self.notebook or MISSING_ID
        seen: list[Transition] = [Transition(first, 0.0)] if first else []
        record.transitions[action] = seen
        last_sent = 0.0  # when the last read (or the action) was sent, after ``since``
        while not seen or seen[-1].status != want:
            if seen and seen[-1].status == "Failed":
                raise StepFailed(f"the notebook failed after {action}")
            if seen and self.remaining() <= 0:
                raise StepFailed(
                    f"still {seen[-1].status} {time.monotonic() - since:.0f} s after {action}: "
                    "the time limit was reached"
                )
            if seen:
                time.sleep(self.poll_wait(time.monotonic() - since))
            sent = time.monotonic() - since
            status = self.raw.get(self.job, notebook_id).parse().status.value
            if not seen or status != seen[-1].status:
                elapsed = round(time.monotonic() - since, 3)
                seen.append(Transition(status, elapsed, round(last_sent if seen else 0.0, 3)))
            last_sent = sent
        statuses = [t.status for t in seen]
        label = " → ".join(expected if set(statuses) <= set(expected) else statuses)
        self.observe(record, f"statuses after {action}", label, " → ".join(expected))
        self.timings[action] = seen[-1].seconds
        self.timing_bounds[action] = (seen[-1].not_before, seen[-1].seconds)
        return seen[-1]

    def poll_wait(self, elapsed: float) -> float:
        """Seconds to wait before the next read, ``elapsed`` seconds after an action: half the
        time elapsed (at least ``MIN_POLL_SECONDS``), at most ``poll_interval``, and never past
        the time limit."""
        wait = min(self.settings.poll_interval, max(MIN_POLL_SECONDS, elapsed / 2))
        return max(0.0, min(wait, self.remaining()))

    # --- cleaning up ---------------------------------------------------------------------------

    def discard(self, notebook_id: str) -> None:
        """Delete a notebook of this run now (else the cleanup tries again)."""
        if self._remove(notebook_id, time.monotonic() + CLEANUP_SECONDS):
            self.deleted.append(notebook_id)
            self.notice(f"deleted notebook {notebook_id}")

    def cleanup(self) -> None:
        """Delete every notebook the run created and has not deleted yet.

        A notebook the server will not delete while it runs is stopped first. What cannot be
        deleted within ``CLEANUP_SECONDS`` (or when a second Ctrl-C comes) lands in ``left``.
        """
        until = time.monotonic() + CLEANUP_SECONDS
        try:
            self.adopt()  # a create that failed may have made its notebook since
            self._warn_of_lost_creates()
            for notebook_id in [n for n in self.created if n not in self.deleted]:
                if self._remove(notebook_id, until):
                    self.deleted.append(notebook_id)
                    self.notice(f"deleted notebook {notebook_id}")
        except KeyboardInterrupt:
            self.interrupted = True
            for notebook_id in self.created:
                if notebook_id not in self.deleted:
                    self.left.setdefault(notebook_id, "interrupted while cleaning up")

    def _warn_of_lost_creates(self) -> None:
        if not self.lost_creates:
            return
        how_many = "a create" if self.lost_creates == 1 else f"{self.lost_creates} creates"
        self.warnings.append(
            f"{how_many} failed after reaching the server perhaps, and no notebook of this "
            "run's could be told apart in the listing (none appeared yet, more than it may "
            "have made appeared, or the listing could not be read): find what it made with "
            f"`abeja-notebooks list {self.job}` and delete it with "
            f"`abeja-notebooks delete {self.job} ID --yes`"
        )

    def _remove(self, notebook_id: str, until: float) -> bool:
        """Delete one notebook, stopping it first if the server asks; False when it could not."""
        self.left.pop(notebook_id, None)
        try:
            try:
                self.raw.delete(self.job, self.changing(notebook_id))
                return True
            except NotFound:
                return True  # gone already
            except Conflict:
                pass
            with contextlib.suppress(Conflict, NotFound):
                self.raw.stop(self.job, notebook_id)
            while time.monotonic() < until:
                try:
                    status = self.raw.get(self.job, notebook_id).parse().status.value
                except NotFound:
                    return True
                if status in ("Stopped", "Failed"):
                    self.raw.delete(self.job, notebook_id)
                    return True
                time.sleep(max(0.0, min(self.settings.poll_interval, until - time.monotonic())))
            self.left[notebook_id] = "it did not stop in time to be deleted"
        except AbejaError as error:
            self.left[notebook_id] = _without_body(error)
        except Exception as error:  # never lose the list of what is left
            self.left[notebook_id] = f"unexpected {type(error).__name__}: {error}"
        return False

    # --- the report ------------------------------------------------------------------------------

    @property
    def outcome(self) -> str:
        """``interrupted``, ``fail`` (a step failed or a notebook is left), ``differs`` or
        ``pass``."""
        outcomes = {record.outcome for record in self.steps}
        if self.interrupted:
            return "interrupted"
        if Outcome.FAIL in outcomes or self.left or self.warnings:
            return "fail"
        if Outcome.DIFFERS in outcomes:
            return "differs"
        return "pass"

    def report(self) -> dict[str, Any]:
        """The whole observation, for ``--output json`` and ``--report``: forms, timings,
        request ids, SDK version; no organization, credentials, or data of other notebooks
        (built by ``_conformance_report``, which reads this module)."""
        from ._conformance_report import report_of  # here: that module imports this one

        return report_of(self)

    def delete_command(self, notebook_id: str) -> str:
        """The command that deletes a notebook the run could not."""
        return f"abeja-notebooks delete {self.job} {notebook_id} --yes"


def _may_have_made(error: AbejaError) -> bool:
    """Whether a create that failed so may still have made a notebook: no answer (in time), an
    answer cut off or unreadable, or a server error; not a refusal (4xx)."""
    if isinstance(error, HttpError):
        return error.status_code >= 500
    return isinstance(error, APIConnectionError | ResponseValidationError)


def _without_body(error: AbejaError) -> str:
    """An error's message without the excerpt of the body it may end with (a listing's body
    holds other notebooks, and every notebook its creator's e-mail address)."""
    message = str(error).partition("; body: ")[0]
    return f"{type(error).__name__}: {message}"
