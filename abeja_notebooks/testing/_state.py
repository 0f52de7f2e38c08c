"""The emulator's state (organizations, job definitions, notebooks) and the notebook lifecycle.

Nothing here runs in the background: a notebook's status and its log are brought up to date
(:meth:`State.refresh`) whenever a request or a test looks at it.

Memory: a notebook costs a few hundred bytes plus its log, which keeps at most
``MAX_RETAINED_EVENTS`` events (see ``_logstream``); everything of a notebook is freed when it is
deleted. Ids come from counters; nothing else grows with the number of requests.
"""

from __future__ import annotations

import bisect
from typing import Any, Literal

from ._auth import DEFAULT_CREATOR, Creator
from ._logstream import LogStream
from ._wire import format_micros

__all__ = [
    "DEFAULT_JOB_DEFINITION",
    "DEFAULT_ORGANIZATION_ID",
    "JobDefinition",
    "Notebook",
    "State",
]

DEFAULT_ORGANIZATION_ID = "1410000000000"
"""The organization an ``Emulator`` has unless told otherwise: ``1410000000000``."""

DEFAULT_JOB_DEFINITION = "train-resnet"
"""The training job definition an ``Emulator`` has unless told otherwise: ``train-resnet``."""

NotebookStatus = Literal["Pending", "Running", "Stopped", "Failed"]
"""The states a notebook of the emulator can be in."""

STATUSES: frozenset[str] = frozenset({"Pending", "Running", "Stopped", "Failed"})

DEFAULT_INSTANCE_TYPE = "cpu-1"
DEFAULT_IMAGE = "abeja-inc/all-cpu:19.10"
DEFAULT_NOTEBOOK_TYPE = "notebook"

_FIRST_JOB_DEFINITION_ID = 1_230_000_000_000
_FIRST_NOTEBOOK_ID = 1_900_000_000_000


class JobDefinition:
    """A training job definition and its notebooks."""

    __slots__ = ("id", "name", "next_number", "notebooks", "order", "organization_id")

    def __init__(self, organization_id: str, name: str, job_definition_id: str) -> None:
        self.organization_id = organization_id
        self.name = name
        self.id = job_definition_id
        self.notebooks: dict[str, Notebook] = {}
        # Ids in creation order. They are 13-digit strings from one increasing counter, so this
        # list is sorted and a deletion is a bisection.
        self.order: list[str] = []
        self.next_number = 1


class Notebook:
    """One notebook: its fields, its lifecycle and its log."""

    __slots__ = (
        "_modified_text",
        "created_at",
        "created_at_text",
        "creator",
        "id",
        "image",
        "instance_type",
        "job_definition",
        "logs",
        "modified_at",
        "name",
        "notebook_type",
        "running_at",
        "status",
        "status_message",
    )

    def __init__(
        self,
        notebook_id: str,
        job_definition: JobDefinition,
        name: str,
        creator: Creator,
        now: float,
        instance_type: str,
        image: str,
        notebook_type: str,
        now_text: str | None = None,
    ) -> None:
        self.id = notebook_id
        self.job_definition = job_definition
        self.name = name
        self.creator = creator
        self.created_at = now
        # Times are formatted once per value and kept with the notebook (not in a process-wide
        # cache, which would grow with every notebook ever made).
        self.created_at_text = now_text if now_text is not None else format_micros(now)
        self.modified_at = now
        self._modified_text = (now, self.created_at_text)
        self.instance_type = instance_type
        self.image = image
        self.notebook_type = notebook_type
        self.status: str = "Stopped"
        self.status_message: str | None = None
        self.running_at: float | None = None
        self.logs: LogStream | None = None

    def modified_at_text(self) -> str:
        """Give ``modified_at`` formatted, reusing the last formatting while it is unchanged.

        Returns:
            Like ``2018-06-07T04:42:34.913644Z``.
        """
        moment, text = self._modified_text
        if moment != self.modified_at:
            text = format_micros(self.modified_at)
            self._modified_text = (self.modified_at, text)
        return text

    def log_stream(self) -> LogStream:
        """Give the notebook's log, made empty on first use.

        Returns:
            Its log stream.
        """
        if self.logs is None:
            self.logs = LogStream()
        return self.logs


class State:
    """Every organization, job definition and notebook, and the timing of their lifecycle.

    Not thread-safe by itself: the emulator holds its lock around every use.

    Attributes:
        start_delay: Seconds a notebook stays ``Pending`` after a create or a start.
        log_interval: Seconds between two log lines of a running notebook.
        log_page_size: Events per recent-logs page.
        max_limit: The largest ``limit`` a list request gets.
        extra_fields: Merged into every notebook object.
    """

    def __init__(self) -> None:
        self.organizations: dict[str, dict[str, JobDefinition]] = {}
        self.index: dict[str, Notebook] = {}
        self.start_delay = 1.0
        self.log_interval = 0.5
        self.log_page_size = 50
        self.max_limit = 1000
        self.extra_fields: dict[str, Any] = {}
        self._next_job_definition_id = _FIRST_JOB_DEFINITION_ID
        self._next_notebook_id = _FIRST_NOTEBOOK_ID

    # ------------------------------------------------------------------ structure

    def add_job_definition(self, organization_id: str, name: str) -> JobDefinition:
        """Make a job definition exist (and its organization), or give the existing one.

        Args:
            organization_id: The organization.
            name: The job definition's name.

        Returns:
            The job definition.
        """
        definitions = self.organizations.setdefault(organization_id, {})
        existing = definitions.get(name)
        if existing is not None:
            return existing
        self._next_job_definition_id += 1
        definition = JobDefinition(organization_id, name, str(self._next_job_definition_id))
        definitions[name] = definition
        return definition

    def definition(self, organization_id: str, name: str) -> JobDefinition:
        """Find a job definition.

        Args:
            organization_id: The organization.
            name: The job definition's name.

        Returns:
            The job definition.

        Raises:
            KeyError: If the organization or the job definition does not exist.
        """
        definitions = self.organizations.get(organization_id)
        if definitions is None:
            raise KeyError(f"no organization {organization_id!r}")
        definition = definitions.get(name)
        if definition is None:
            raise KeyError(f"no job definition {name!r} in organization {organization_id!r}")
        return definition

    def by_id(self, notebook_id: str) -> Notebook:
        """Find a notebook by id, in any job definition.

        Args:
            notebook_id: Its id.

        Returns:
            The notebook.

        Raises:
            KeyError: If there is no such notebook.
        """
        nb = self.index.get(notebook_id)
        if nb is None:
            raise KeyError(f"no notebook {notebook_id!r}")
        return nb

    def new_notebook(
        self,
        definition: JobDefinition,
        creator: Creator,
        now: float,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        image: str = DEFAULT_IMAGE,
        notebook_type: str = DEFAULT_NOTEBOOK_TYPE,
        now_text: str | None = None,
    ) -> Notebook:
        """Make a ``Stopped`` notebook with the next id and name.

        Args:
            definition: Its job definition.
            creator: Who creates it.
            now: The clock's time.
            instance_type: Its instance type.
            image: Its image.
            notebook_type: ``notebook`` or ``lab``.
            now_text: ``now`` already formatted, when the caller has it.

        Returns:
            The notebook.
        """
        self._next_notebook_id += 1
        notebook_id = str(self._next_notebook_id)
        nb = Notebook(
            notebook_id,
            definition,
            f"notebook-{definition.next_number}",
            creator,
            now,
            instance_type,
            image,
            notebook_type,
            now_text,
        )
        definition.next_number += 1
        definition.notebooks[notebook_id] = nb
        definition.order.append(notebook_id)
        self.index[notebook_id] = nb
        return nb

    def remove(self, nb: Notebook) -> None:
        """Forget a notebook and everything it holds (its log included).

        Args:
            nb: The notebook.
        """
        definition = nb.job_definition
        del definition.notebooks[nb.id]
        position = bisect.bisect_left(definition.order, nb.id)
        if position < len(definition.order) and definition.order[position] == nb.id:
            del definition.order[position]
        else:  # pragma: no cover - the order list is sorted by construction
            definition.order.remove(nb.id)
        del self.index[nb.id]

    def seed(self, definition: JobDefinition, count: int, status: str, now: float) -> list[str]:
        """Make ``count`` notebooks directly in ``status``.

        Args:
            definition: Their job definition.
            count: How many.
            status: The state they are in (one of ``STATUSES``).
            now: The clock's time.

        Returns:
            Their ids, in creation order.
        """
        ids: list[str] = []
        now_text = format_micros(now)
        for _ in range(count):
            nb = self.new_notebook(definition, DEFAULT_CREATOR, now, now_text=now_text)
            if status == "Pending":
                self.launch(nb, now)
            elif status == "Running":
                self.launch(nb, now - self.start_delay)
                nb.modified_at = now
                nb.status = "Running"
            elif status == "Failed":
                nb.status = "Failed"
                nb.status_message = "seeded as failed"
            ids.append(nb.id)
        return ids

    # ------------------------------------------------------------------ lifecycle

    def launch(self, nb: Notebook, now: float) -> None:
        """Put a notebook in ``Pending``; it will run ``start_delay`` seconds after ``now``.

        Args:
            nb: The notebook.
            now: The clock's time.
        """
        nb.status = "Pending"
        nb.status_message = None
        nb.modified_at = max(now, nb.modified_at)
        running_at = now + self.start_delay
        nb.running_at = running_at
        startup = (
            f"starting notebook server ({nb.notebook_type})",
            f"[{nb.name}] image {nb.image} on instance type {nb.instance_type}",
            f"[{nb.name}] notebook server is ready",
        )
        nb.log_stream().begin_run(running_at, self.log_interval, startup, f"[{nb.name}] heartbeat ")

    def halt(self, nb: Notebook, now: float, status: str, message: str | None) -> None:
        """End a notebook's run (if any) at ``now`` and put it in ``status``.

        Args:
            nb: The notebook.
            now: The clock's time.
            status: ``Stopped`` or ``Failed``.
            message: Its ``status_message``.
        """
        self.refresh(nb, now)
        if nb.logs is not None:
            nb.logs.end_run(now)
        nb.status = status
        nb.status_message = message
        nb.running_at = None
        nb.modified_at = max(now, nb.modified_at)

    def refresh(self, nb: Notebook, now: float) -> None:
        """Bring a notebook's lazily computed state (status, log) up to ``now``.

        Args:
            nb: The notebook.
            now: The clock's time.
        """
        if nb.status == "Pending" and nb.running_at is not None and now >= nb.running_at:
            nb.status = "Running"
            nb.modified_at = max(nb.running_at, nb.modified_at)
        if nb.status == "Running" and nb.logs is not None:
            nb.logs.produce(now)

    def to_json(self, nb: Notebook, now: float, *, int_id: bool = False) -> dict[str, Any]:
        """Give a notebook as the server answers it at ``now``.

        Args:
            nb: The notebook.
            now: The clock's time.
            int_id: Answer ``training_notebook_id`` as the integer 0.

        Returns:
            Its JSON object, with ``extra_fields`` merged in last.
        """
        self.refresh(nb, now)
        out: dict[str, Any] = {
            "job_definition_id": nb.job_definition.id,
            "training_notebook_id": 0 if int_id else nb.id,
            "name": nb.name,
            "description": None,
            "status": nb.status,
            "status_message": nb.status_message,
            "instance_type": nb.instance_type,
            "image": nb.image,
            "creator": nb.creator.to_json(),
            "created_at": nb.created_at_text,
            "modified_at": nb.modified_at_text(),
        }
        if self.extra_fields:
            out.update(self.extra_fields)
        return out
