"""The notebook manager: ``client.notebooks``.

Each operation is a ``Call`` (made by ``_async/calls.py`` from the sans-I/O endpoint layer): the
public method sends it and returns what it parses to. Pagination, log reading and
waiting are decided by the pure flows of ``_flows``; the methods here only send, sleep and hand
results back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TypeVar

from abeja_notebooks import _endpoints as ep
from abeja_notebooks._async.calls import AsyncNotebookCalls
from abeja_notebooks._async.notebook import AsyncNotebook, AsyncNotebookIterator
from abeja_notebooks._async.raw import AsyncNotebooksWithRawResponse
from abeja_notebooks._config import Settings
from abeja_notebooks._endpoints import Call
from abeja_notebooks._errors import APITimeoutError, NotFound
from abeja_notebooks._flows import (
    DEFAULT_LOG_POLL_INTERVAL,
    DEFAULT_WAIT_GRACE,
    DEFAULT_WAIT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    FetchLogs,
    LogTail,
    Sleep,
    Stop,
    WaitPlan,
    normalize_statuses,
)
from abeja_notebooks._models import (
    LogEvent,
    LogPage,
    Message,
    NotebookPage,
    NotebookStatus,
)
from abeja_notebooks._platform_config import notebook_variables
from abeja_notebooks._transport import AsyncTransport
from abeja_notebooks._types import NotebookType

__all__ = ["AsyncNotebooks"]

_T = TypeVar("_T")


class AsyncNotebooks:
    """The notebooks of an organization's training job definitions: ``client.notebooks``.

    Every method takes the job definition name first and the notebook id where one is needed,
    and a keyword-only ``organization_id`` that overrides the client's. The notebooks it
    returns are bound to it, so ``nb.stop()`` works on them.

    Args:
        transport: The client's transport; use ``client.notebooks`` rather than making a
            manager yourself.
    """

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport
        self._calls = AsyncNotebookCalls(self)
        self._clock = transport.clock

    @property
    def settings(self) -> Settings:
        """The client settings this manager sends with."""
        return self._transport.settings

    @cached_property
    def with_raw_response(self) -> AsyncNotebooksWithRawResponse:
        """The single-request operations again, each returning an
        `APIResponse`: the result with the status, headers,
        request id, time taken and retries of the answer it came in.

        Examples:
            >>> raw = client.notebooks.with_raw_response  # doctest: +SKIP
            >>> response = await raw.get("train-resnet", nb_id)  # doctest: +SKIP
            >>> print(response.request_id, response.parse().status)  # doctest: +SKIP
        """
        return AsyncNotebooksWithRawResponse(self, self._transport)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(organization_id={self.settings.organization_id!r})"

    # --- sending calls -----------------------------------------------------------------------

    async def _run(self, call: Call[_T], until: float | None = None) -> _T:
        return await self._transport.send(call, until=until)

    # --- the operations ------------------------------------------------------------------------

    async def create(
        self,
        job_definition_name: str,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Create a notebook (it starts at once, as ``Pending``).

        Only the settings given are sent; the server picks defaults for the rest. A create is
        retried only when the server cannot have acted on it, so one call never makes two.

        Args:
            job_definition_name: The training job definition to create it under.
            instance_type: e.g. ``"cpu-1"``, ``"cpu-0.25"``, ``"gpu:b-4"``.
            image: The runtime image, e.g. ``"abeja-inc/all-cpu:19.10"``.
            notebook_type: ``"notebook"`` (classic) or ``"lab"`` (JupyterLab).
            datalakes: Datalake channel ids to mount (alpha).
            buckets: Bucket ids to mount (alpha).
            datasets: ``{alias: dataset_id}`` to mount (alpha).
            organization_id: Overrides the client's organization.

        Returns:
            The new notebook.

        Raises:
            ValueError: An argument is empty or malformed (nothing is sent).
            NotFound: The organization or job definition does not exist.
            BadRequest: The server rejected a setting.

        Examples:
            >>> nb = await client.notebooks.create(
            ...     "train-resnet", instance_type="cpu-1", notebook_type="lab"
            ... )  # doctest: +SKIP
        """
        call = self._calls.create(
            job_definition_name,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
            organization_id=organization_id,
        )
        return await self._run(call)

    async def get(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> AsyncNotebook:
        """Read one notebook.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            organization_id: Overrides the client's organization.

        Returns:
            The notebook.

        Raises:
            NotFound: No such notebook (or job definition, or organization).
        """
        return await self._run(self._calls.get(job_definition_name, notebook_id, organization_id))

    async def current(self, *, organization_id: str | None = None) -> AsyncNotebook:
        """Read the notebook this code runs in, on the platform.

        The platform names it in every notebook's environment: ``TRAINING_JOB_DEFINITION_NAME``
        and ``TRAINING_NOTEBOOK_ID`` (read at this call), beside ``ABEJA_ORGANIZATION_ID``,
        whose organization beats the client's, and ``PLATFORM_AUTH_TOKEN``.

        Args:
            organization_id: Overrides the organization the platform names.

        Returns:
            The notebook, bound: ``nb.stop()`` stops the notebook this code runs in.

        Raises:
            ConfigurationError: Those variables are not set (not inside a platform notebook).

        Examples:
            >>> me = await client.notebooks.current()  # doctest: +SKIP
        """
        here_org, job, notebook_id = notebook_variables()
        return await self.get(job, notebook_id, organization_id=organization_id or here_org)

    async def list_page(
        self,
        job_definition_name: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        organization_id: str | None = None,
    ) -> NotebookPage[AsyncNotebook]:
        """Read one page of the listing.

        Args:
            job_definition_name: The training job definition.
            offset: How many notebooks to skip.
            limit: Page size; ``None`` leaves it to the server (10 by default there).
            organization_id: Overrides the client's organization.

        Returns:
            The page: ``total``, ``offset``, ``limit`` and ``entries``.
        """
        call = self._calls.list_page(
            job_definition_name, offset=offset, limit=limit, organization_id=organization_id
        )
        return await self._run(call)

    def list(
        self,
        job_definition_name: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        organization_id: str | None = None,
    ) -> AsyncNotebookIterator:
        """Walk every notebook of a job definition, lazily, one page per request.

        Args:
            job_definition_name: The training job definition.
            page_size: Notebooks per request (default 100; the server may send fewer).
            max_items: Stop after this many notebooks in all (default: every one).
            organization_id: Overrides the client's organization.

        Returns:
            An iterable of `AsyncNotebook`; its ``pages()``
            gives the pages instead.

        Raises:
            ValueError: ``page_size`` or ``max_items`` is below 1 (raised here, before any
                request).

        Examples:
            >>> async for nb in client.notebooks.list("train-resnet"):  # doctest: +SKIP
            ...     print(nb.id, nb.status)
        """
        org = self._calls.organization(organization_id)
        ep.list_request(org, job_definition_name)  # checks the name now, before any request
        return AsyncNotebookIterator(
            self,
            job_definition_name,
            page_size=page_size,
            max_items=max_items,
            organization_id=org,
        )

    async def update(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Change a notebook's settings (``PUT``; only the settings given are sent).

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            instance_type: e.g. ``"cpu-4"``.
            image: The runtime image.
            notebook_type: ``"notebook"`` or ``"lab"``.
            organization_id: Overrides the client's organization.

        Returns:
            The updated notebook.

        Raises:
            ValueError: A setting is malformed (nothing is sent).
            NotFound: No such notebook.
            BadRequest: The server rejected a setting.
        """
        call = self._calls.update(
            job_definition_name,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            organization_id=organization_id,
        )
        return await self._run(call)

    async def delete(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> None:
        """Delete a notebook.

        A retried delete answered 404, after an earlier attempt may have reached the server, is
        taken as done: that attempt deleted it.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            organization_id: Overrides the client's organization.

        Raises:
            NotFound: No such notebook.
        """
        await self._run(self._calls.delete(job_definition_name, notebook_id, organization_id))

    async def start(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        notebook_type: NotebookType | None = None,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Start a stopped notebook.

        When the server answers with a bare message, or a retried start finds it already
        started (409), the notebook is read again so the result is its true state.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            notebook_type: ``"notebook"`` or ``"lab"``.
            datalakes: Datalake channel ids to mount (alpha).
            buckets: Bucket ids to mount (alpha).
            datasets: ``{alias: dataset_id}`` to mount (alpha).
            organization_id: Overrides the client's organization.

        Returns:
            The notebook after the start (usually ``Pending``).

        Raises:
            Conflict: It is already running or starting.
            NotFound: No such notebook.
        """
        call = self._calls.start(
            job_definition_name,
            notebook_id,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
            organization_id=organization_id,
        )
        started = await self._run(call)
        if isinstance(started, Message):
            return await self.get(job_definition_name, notebook_id, organization_id=organization_id)
        return started

    async def stop(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> AsyncNotebook:
        """Stop a running notebook.

        When the server answers with a bare message, or a retried stop finds it already
        stopped (409), the notebook is read again so the result is its true state.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            organization_id: Overrides the client's organization.

        Returns:
            The notebook after the stop.

        Raises:
            Conflict: It is not running.
            NotFound: No such notebook.
        """
        stopped = await self._run(
            self._calls.stop(job_definition_name, notebook_id, organization_id)
        )
        if isinstance(stopped, Message):
            return await self.get(job_definition_name, notebook_id, organization_id=organization_id)
        return stopped

    async def recent_logs(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        next_forward_token: str | None = None,
        next_backward_token: str | None = None,
        organization_id: str | None = None,
    ) -> LogPage:
        """One call to the recent-logs endpoint.

        Without a token it returns the latest events; ``next_forward_token`` asks for newer
        ones (the same token and no events back: nothing new yet), ``next_backward_token``
        for older ones.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            next_forward_token: The ``next_forward_token`` of a previous page.
            next_backward_token: The ``next_backward_token`` of a previous page.
            organization_id: Overrides the client's organization.

        Returns:
            The events (oldest first) and the two tokens.

        Raises:
            NotFound: No such notebook.
        """
        call = self._calls.recent_logs(
            job_definition_name,
            notebook_id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
            organization_id=organization_id,
        )
        return await self._run(call)

    def logs(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        follow: bool = False,
        history: bool = False,
        poll_interval: float = DEFAULT_LOG_POLL_INTERVAL,
        timeout: float | None = None,
        organization_id: str | None = None,
    ) -> AsyncIterator[LogEvent]:
        """A notebook's log events, oldest first.

        Nothing is fetched until the iterator is first advanced.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            follow: Keep polling for new events until the notebook is neither Pending nor
                Running (what it wrote until then is read first) or the timeout passes.
            history: Start from the beginning of the log, walking back with the backward token
                (the older events are held in memory until the start is reached).
            poll_interval: Seconds between polls while following; idle polls wait longer, up
                to ten times this.
            timeout: Stop following after this many seconds (``None``: no limit).
            organization_id: Overrides the client's organization.

        Returns:
            An iterator of `LogEvent`, for ``async for``.

        Raises:
            ValueError: ``poll_interval`` or ``timeout`` is not a positive number (raised
                here, before any request).
        """
        org = self._calls.organization(organization_id)
        ep.recent_logs_request(org, job_definition_name, notebook_id)  # checks the ids now
        tail = LogTail(
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=timeout,
            now=self._clock.monotonic(),
        )
        return self._read_logs(tail, job_definition_name, notebook_id, org)

    async def _read_logs(
        self, tail: LogTail, job: str, notebook_id: str, org: str
    ) -> AsyncIterator[LogEvent]:
        while not isinstance(step := tail.next_step(self._clock.monotonic()), Stop):
            if isinstance(step, Sleep):
                await self._clock.asleep(step.seconds)
                continue
            events: list[LogEvent] = []
            try:
                if isinstance(step, FetchLogs):
                    call = self._calls.recent_logs(
                        job,
                        notebook_id,
                        next_forward_token=step.forward_token,
                        next_backward_token=step.backward_token,
                        organization_id=org,
                    )
                    events = tail.on_logs(await self._run(call, until=tail.call_until))
                else:
                    call_status = self._calls.get(job, notebook_id, org)
                    tail.on_status(await self._run(call_status, until=tail.call_until))
            except NotFound as gone:
                tail.on_not_found(step, gone)
            except APITimeoutError as late:
                tail.on_call_timeout(late, self._clock.monotonic())
            for event in events:
                yield event

    async def wait_until(
        self,
        job_definition_name: str,
        notebook_id: str,
        status: NotebookStatus | str | Iterable[NotebookStatus | str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_WAIT_POLL_INTERVAL,
        grace: float | None = DEFAULT_WAIT_GRACE,
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Poll a notebook until it reaches ``status`` (or any of several).

        The first check is immediate; later polls back off from ``poll_interval`` up to ten
        times it. A Stopped notebook becomes Pending, Running or Failed only when started:
        waiting for any status but Stopped, a notebook that stays Stopped for ``grace`` seconds
        ends the wait at once.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            status: The status to wait for, or several (any of them ends the wait).
            timeout: Seconds to wait at most (``None``: no limit; default 600).
            poll_interval: Seconds before the second check (default 2).
            grace: Seconds a notebook may stay in a status the target cannot be reached from
                (a start that is just landing may still read Stopped), default 30; ``0``
                fails at the first such read, ``None`` waits out the timeout.
            organization_id: Overrides the client's organization.

        Returns:
            The notebook, in one of the wanted statuses.

        Raises:
            NotebookFailed: It reached ``Failed`` (unless that was wanted); ``.notebook``
                holds it.
            StatusUnreachable: It stayed out of reach (Stopped) past ``grace``; the message
                says what to call, ``.notebook`` holds it.
            WaitTimeout: ``timeout`` passed first; ``.notebook`` holds the last state read.
        """
        call = self._calls.get(job_definition_name, notebook_id, organization_id)
        plan = WaitPlan(
            normalize_statuses(status),
            timeout=timeout,
            poll_interval=poll_interval,
            now=self._clock.monotonic(),
            grace=grace,
            call_prefix="await ",  # for the error's hint; unasync makes it "" on the sync side
        )
        while True:
            try:
                notebook = await self._run(call, until=plan.call_until)
            except APITimeoutError as late:
                plan.on_call_timeout(late, self._clock.monotonic())
                raise
            if (delay := plan.on_notebook(notebook, self._clock.monotonic())) is None:
                return notebook
            await self._clock.asleep(delay)
