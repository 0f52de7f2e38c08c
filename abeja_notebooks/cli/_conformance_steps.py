"""The steps of a conformance run, in order: plain functions of a run and a step's record.

Each step sends its requests through the run's client (``run.raw``: the raw-response methods,
so the answer's form can be seen), notes the forms it meets (``run.observe``) and raises
``StepFailed`` when the SDK cannot work with what came back. A request that changes something
goes to ``run.changing(id)``, which refuses any notebook the run did not create.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from typing import Final

from abeja_notebooks._errors import Conflict, HttpError
from abeja_notebooks._models import Message

from . import _conformance_forms as forms
from ._conformance import MISSING_ID, Conformance, Step, StepFailed, StepRecord

__all__ = ["STEPS"]

MAX_PAGES: Final = 100
"""The listing walk reads at most this many pages."""
MAX_PAGE_SIZE: Final = 100
LOG_WAIT_SECONDS: Final = 60.0
"""How long the logs step waits for a running notebook's first log line."""
GONE_WAIT_SECONDS: Final = 30.0
"""How long a deleted notebook may stay readable before the run says so."""
BAD_TOKEN: Final = "abeja-notebooks-conformance-not-a-token"
"""The log token the bad-parameter step sends: one the server never issued."""

STEPS: list[Step] = []
"""Every step, in the order a run takes them."""

StepFunction = Callable[[Conformance, StepRecord], None]


def _step(
    name: str, plan: str, *, changes: bool, needs_notebook: bool = True
) -> Callable[[StepFunction], StepFunction]:
    """Add the function below to ``STEPS``, with its name and what it sends (for --dry-run)."""

    def add(function: StepFunction) -> StepFunction:
        STEPS.append(Step(name, function, needs_notebook, plan, changes))
        return function

    return add


@_step(
    "create",
    "POST: create a notebook (the instance type, the server's default image)",
    changes=True,
    needs_notebook=False,
)
def create(run: Conformance, record: StepRecord) -> None:
    """Create the notebook the other steps work on."""
    run.created_at = time.monotonic()
    notebook, body = run.create_notebook(record)
    run.notebook = notebook.id
    run.first_status = notebook.status.value
    run.ids_form = forms.id_form(body.get("training_notebook_id"))
    run.observe_notebook(record, body)
    record.detail = (
        f"notebook {notebook.id} ({notebook.name}): {notebook.status.value}, "
        f"{notebook.instance_type}, image {notebook.image}"
    )


@_step("read back", "GET the notebook", changes=False)
def read_back(run: Conformance, record: StepRecord) -> None:
    """Read the notebook again: the same id, the same settings."""
    notebook_id = run.notebook or MISSING_ID
    response = run.raw.get(run.job, notebook_id)
    body = run.answered(record, response)
    notebook = response.parse()
    run.observe_notebook(record, body)
    if notebook.id != notebook_id:
        raise StepFailed(f"asked for notebook {notebook_id}, got {notebook.id}")
    if notebook.instance_type != run.settings.instance_type:
        raise StepFailed(
            f"created with instance type {run.settings.instance_type}, read back "
            f"{notebook.instance_type}"
        )
    record.detail = f"{notebook.status.value}, {notebook.instance_type}"


@_step(
    "list",
    "POST: create a second notebook; GET the listing in pages (two at least), then again "
    "through the SDK's list(); DELETE the second notebook",
    changes=True,
)
def listing(run: Conformance, record: StepRecord) -> None:
    """Create a second notebook, walk the listing in pages (two at least) and find both."""
    extra, _ = run.create_notebook(record)
    ours = {run.notebook or MISSING_ID, extra.id}
    first = run.raw.list_page(run.job)  # the server's own page size
    body = run.answered(record, first)
    shape = forms.listing_form(body)
    run.observe(record, "listing", shape)
    page = first.parse()
    envelope = forms.as_object(body) is not None
    size = min(MAX_PAGE_SIZE, max(1, math.ceil((page.total if envelope else len(page)) / 2)))
    counts = dict.fromkeys(ours, 0)
    offset = pages = listed = 0
    first_ids: list[str] = []
    ended = False
    while pages < MAX_PAGES and run.remaining() > 0:
        response = run.raw.list_page(run.job, offset=offset, limit=size)
        raw = run.answered(record, response)
        page = response.parse()
        pages += 1
        for entry in forms.as_array((forms.as_object(raw) or {}).get("entries", raw)):
            run.observe_notebook(record, entry)  # its forms only: nothing else of it is kept
        ids = [notebook.id for notebook in page.entries]
        if pages == 1:
            first_ids = ids
        elif ids and ids == first_ids:
            run.observe(record, "listing offset", "ignored", "honoured")
            ended = True
            break
        run.observe(
            record, "listing limit", "ignored" if len(ids) > size else "honoured", "honoured"
        )
        for notebook_id in ids:
            if notebook_id in counts:
                counts[notebook_id] += 1
        listed += len(ids)
        offset += len(ids)
        if not ids or (offset >= page.total if envelope else len(ids) < size):
            ended = True
            break
    missing = sorted(n for n, count in counts.items() if count == 0)
    twice = sorted(n for n, count in counts.items() if count > 1)
    if twice:
        raise StepFailed(f"the listing showed notebook {', '.join(twice)} more than once")
    if missing and ended:
        raise StepFailed(f"the listing never showed notebook {', '.join(missing)}")
    if not ended:
        record.notes.append(f"stopped after {pages} pages ({listed} notebooks), before the end")
    else:  # the SDK's own walk, in pages of the same size, finds each of them once too
        walk = run.client.notebooks.list(run.job, page_size=size, max_items=MAX_PAGES * size)
        found = [notebook.id for notebook in walk if notebook.id in ours]
        if sorted(found) != sorted(ours):
            raise StepFailed(
                f"the SDK's list() in pages of {size} found {', '.join(found) or 'none'} of "
                f"notebooks {', '.join(sorted(ours))}"
            )
    record.detail = f"{pages} pages of {size} ({shape}), {listed} notebooks; both of its own found"
    run.discard(extra.id)  # it was only needed for the listing


def _action(run: Conformance, record: StepRecord, verb: str) -> tuple[float, str | None]:
    """Send start or stop; note the answer's form; give when it was sent and its status."""
    notebook_id = run.changing(run.notebook or MISSING_ID)
    sent = time.monotonic()
    send = run.raw.stop if verb == "stop" else run.raw.start
    response = send(run.job, notebook_id)
    body = run.answered(record, response)
    answer = response.parse()
    form = forms.action_answer_form(body)
    run.observe(record, "start/stop answer", form)
    notebook = forms.as_object(body)
    if isinstance(answer, Message) or notebook is None:
        return sent, None
    label = forms.action_id_form(notebook.get("training_notebook_id"), notebook_id, run.ids_form)
    run.observe(record, "ids in update/start/stop answers", label)
    return sent, answer.status.value


@_step("stop", "GET until it is Running; POST stop; GET until it is Stopped", changes=True)
def stop(run: Conformance, record: StepRecord) -> None:
    """Wait until the notebook runs (from its creation), then stop it and wait for Stopped."""
    launch = run.watch(
        record, "launch", "Running", run.created_at, run.first_status, ("Pending", "Running")
    )
    sent, first = _action(run, record, "stop")
    stopped = run.watch(record, "stop", "Stopped", sent, first, ("Stopped",))
    record.detail = (
        f"Running {launch.between()} after create; Stopped {stopped.between()} after stop"
    )


@_step("update", "PUT the stopped notebook with its own instance type (no change)", changes=True)
def update(run: Conformance, record: StepRecord) -> None:
    """Update the stopped notebook with its own instance type: a real PUT that costs nothing."""
    notebook_id = run.changing(run.notebook or MISSING_ID)
    response = run.raw.update(run.job, notebook_id, instance_type=run.settings.instance_type)
    body = run.answered(record, response)
    notebook = response.parse()
    answer = forms.as_object(body)
    if answer is not None:
        label = forms.action_id_form(answer.get("training_notebook_id"), notebook_id, run.ids_form)
        run.observe(record, "ids in update/start/stop answers", label)
        run.observe_times(record, answer)
    if notebook.instance_type != run.settings.instance_type:
        raise StepFailed(f"the update answered instance type {notebook.instance_type}")
    record.detail = f"{notebook.status.value}, {notebook.instance_type}"


@_step("start", "POST start; GET until it is Running", changes=True)
def start(run: Conformance, record: StepRecord) -> None:
    """Start the notebook again and wait until it runs."""
    sent, first = _action(run, record, "start")
    running = run.watch(record, "start", "Running", sent, first, ("Pending", "Running"))
    record.detail = f"Running {running.between()} after start"


@_step("logs", "GET the recent log: the latest events, then forward and backward", changes=False)
def logs(run: Conformance, record: StepRecord) -> None:
    """Read the latest log events, then newer ones (forward) and older ones (backward)."""
    notebook_id = run.notebook or MISSING_ID
    until = time.monotonic() + min(LOG_WAIT_SECONDS, max(0.0, run.remaining()))
    while True:
        response = run.raw.recent_logs(run.job, notebook_id)
        body = forms.as_object(run.answered(record, response)) or {}
        latest = response.parse()
        if latest.events or time.monotonic() >= until:
            break
        time.sleep(max(0.0, min(run.settings.poll_interval, until - time.monotonic())))
    missing = [key for key in ("next_forward_token", "next_backward_token") if key not in body]
    if missing:
        raise StepFailed(f"the answer has no {' and no '.join(missing)}: the SDK cannot page")
    if not latest.events:
        waited = f"none within {LOG_WAIT_SECONDS:.0f} s"
        run.observe(record, "log events while running", waited, "some")
        record.detail = "no log line yet: forward and backward not checked"
        return
    for event in forms.as_array(body.get("events"))[:5]:
        stamp = (forms.as_object(event) or {}).get("timestamp")
        run.observe(record, "log times", forms.time_shape(stamp))
    stamps = [event.timestamp for event in latest.events]
    run.observe(
        record, "log order", "oldest first" if stamps == sorted(stamps) else "other", "oldest first"
    )
    forward = run.raw.recent_logs(
        run.job, notebook_id, next_forward_token=latest.next_forward_token
    )
    run.answered(record, forward)
    newer = forward.parse().events
    if any(event.timestamp < stamps[-1] for event in newer):
        raise StepFailed("the forward token gave events older than the latest ones")
    backward = run.raw.recent_logs(
        run.job, notebook_id, next_backward_token=latest.next_backward_token
    )
    run.answered(record, backward)
    older = backward.parse().events
    if any(event.timestamp > stamps[0] for event in older):
        raise StepFailed("the backward token gave events newer than the latest ones")
    record.detail = (
        f"{len(stamps)} latest events; forward: {len(newer)} newer; backward: {len(older)} older"
    )


def _error_answer(run: Conformance, record: StepRecord, error: HttpError, status: int) -> None:
    """Note an error answer's body form, and its status against the one the API documents."""
    record.request_ids.append(error.request_id or "-")
    run.observe(record, "error body", forms.error_body_form(error.body or ""))
    run.observe(record, f"status for {record.name}", str(error.status_code), str(status))
    head = " ".join(part for part in (str(error.status_code), error.error) if part)
    record.detail = f"{head}: {error.error_description}" if error.error_description else head


@_step(
    "bad parameter", "GET the recent log with a made-up token (a 400 is expected)", changes=False
)
def bad_parameter(run: Conformance, record: StepRecord) -> None:
    """Ask for the log with a token the server never issued: a 400, and nothing changes."""
    notebook_id = run.notebook or MISSING_ID
    try:
        response = run.raw.recent_logs(run.job, notebook_id, next_forward_token=BAD_TOKEN)
    except HttpError as error:
        _error_answer(run, record, error, 400)
    else:
        run.answered(record, response)
        run.observe(record, f"status for {record.name}", str(response.status_code), "400")
        record.detail = "the made-up token was accepted"


@_step("delete", "DELETE the notebook", changes=True)
def delete(run: Conformance, record: StepRecord) -> None:
    """Delete the notebook."""
    notebook_id = run.changing(run.notebook or MISSING_ID)
    try:
        response = run.raw.delete(run.job, notebook_id)
    except Conflict as error:  # a service may want it stopped first: the SDK copes, it differs
        refused = f"{error.status_code} {error.error or ''}".strip()
        run.observe(record, "delete of a running notebook", refused, "200")
        with contextlib.suppress(Conflict):
            run.raw.stop(run.job, notebook_id)
        run.watch(record, "stop before delete", "Stopped", time.monotonic(), None, ("Stopped",))
        response = run.raw.delete(run.job, notebook_id)
    run.deleted.append(notebook_id)
    run.notice(f"deleted notebook {notebook_id}")
    body = run.answered(record, response)
    run.observe(record, "delete answer", forms.delete_answer_form(body))
    record.detail = response.parse().message


@_step(
    "unknown notebook",
    "GET the deleted notebook (a 404 is expected)",
    changes=False,
    needs_notebook=False,
)
def unknown_notebook(run: Conformance, record: StepRecord) -> None:
    """Read the deleted notebook (or, without one, a made-up id): a 404."""
    notebook_id = run.notebook if run.notebook in run.deleted else None
    target = notebook_id or MISSING_ID
    wait = GONE_WAIT_SECONDS if notebook_id else 0.0  # only its own may take time to go
    until = time.monotonic() + min(wait, max(0.0, run.remaining()))
    while True:
        try:
            response = run.raw.get(run.job, target)
        except HttpError as error:
            _error_answer(run, record, error, 404)
            return
        status = response.parse().status.value
        if time.monotonic() >= until:
            run.answered(record, response)
            run.observe(record, f"status for {record.name}", "200", "404")
            record.detail = f"{target} is readable ({status})"
            return
        time.sleep(max(0.0, min(run.settings.poll_interval, until - time.monotonic())))
