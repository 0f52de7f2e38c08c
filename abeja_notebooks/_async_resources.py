"""The asynchronous resource model: ``AsyncNotebooks``, bound ``AsyncNotebook`` s, iterators.

The twin of ``_resources``: every decision is made by the shared ``ManagerBase`` and
``_flows``; this module only awaits the transport and the clock.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from typing import Self, TypeVar

from ._errors import APITimeoutError, NotebookFailed, NotFound, WaitTimeout
from ._flows import (
    DEFAULT_LOG_POLL_INTERVAL,
    DEFAULT_WAIT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    PageCursor,
    Sleep,
    Stop,
)
from ._manager_base import Call, LogReader, ManagerBase, unbound_error
from ._models import BaseNotebook, LogEvent, LogPage, NotebookPage, NotebookStatus
from ._transport import AsyncTransport

__all__ = ["AsyncNotebook", "AsyncNotebookIterator", "AsyncNotebooks"]

_T = TypeVar("_T")


class AsyncNotebook(BaseNotebook, frozen=True):
    """A notebook bound to the ``AsyncClient`` that fetched it; its methods are awaited.

    Its methods call the API and update the object in place; fields are read-only otherwise.
    Reading attributes and ``repr`` never do I/O. ``==`` compares data only.

    Examples:
        >>> nb = await client.notebooks.create("train-resnet")  # doctest: +SKIP
        >>> await nb.wait_until(NotebookStatus.RUNNING, timeout=600)  # doctest: +SKIP
        >>> (await nb.stop()).status  # doctest: +SKIP
        <NotebookStatus.STOPPED: 'Stopped'>
    """

    def _notebooks(self, method: str) -> tuple[AsyncNotebooks, str, str]:
        manager = self._manager
        org, job = self.organization_id, self.job_definition_name
        if not isinstance(manager, AsyncNotebooks) or org is None or job is None:
            raise unbound_error(self, method)
        return manager, org, job

    async def refresh(self) -> Self:
        """Re-read the notebook from the API, in place.

        Returns:
            This notebook, updated.

        Raises:
            UnboundNotebookError: The notebook was built by hand.
            NotFound: It was deleted.
        """
        notebooks, org, job = self._notebooks("refresh")
        return self._take(await notebooks.get(job, self.id, organization_id=org))

    async def update(
        self,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: str | None = None,
    ) -> Self:
        """Change the notebook's settings (only those given are sent), in place.

        Args:
            instance_type: e.g. ``"cpu-4"`` or ``"gpu:b-1"``.
            image: The runtime image, e.g. ``"abeja-inc/all-cpu:19.10"``.
            notebook_type: ``"notebook"`` or ``"lab"``.

        Returns:
            This notebook, updated from the server's answer.

        Raises:
            ValueError: A setting is malformed (nothing is sent).
            BadRequest: The server rejected a setting.
        """
        notebooks, org, job = self._notebooks("update")
        return self._take(
            await notebooks.update(
                job,
                self.id,
                instance_type=instance_type,
                image=image,
                notebook_type=notebook_type,
                organization_id=org,
            )
        )

    async def start(
        self,
        *,
        notebook_type: str | None = None,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
    ) -> Self:
        """Start the notebook, in place.

        See [`AsyncNotebooks.start`][abeja_notebooks.AsyncNotebooks.start].

        Args:
            notebook_type: ``"notebook"`` or ``"lab"``.
            datalakes: Datalake channel ids to mount (alpha).
            buckets: Bucket ids to mount (alpha).
            datasets: ``{alias: dataset_id}`` to mount (alpha).

        Returns:
            This notebook, with its state after the start.

        Raises:
            Conflict: It is already running or starting.
        """
        notebooks, org, job = self._notebooks("start")
        return self._take(
            await notebooks.start(
                job,
                self.id,
                notebook_type=notebook_type,
                datalakes=datalakes,
                buckets=buckets,
                datasets=datasets,
                organization_id=org,
            )
        )

    async def stop(self) -> Self:
        """Stop the notebook, in place.

        Returns:
            This notebook, with its state after the stop.

        Raises:
            Conflict: It is not running.
        """
        notebooks, org, job = self._notebooks("stop")
        return self._take(await notebooks.stop(job, self.id, organization_id=org))

    async def delete(self) -> None:
        """Delete the notebook. The object keeps its last data.

        Raises:
            NotFound: It was already deleted.
        """
        notebooks, org, job = self._notebooks("delete")
        await notebooks.delete(job, self.id, organization_id=org)

    async def recent_logs(
        self, *, next_forward_token: str | None = None, next_backward_token: str | None = None
    ) -> LogPage:
        """One call to the recent-logs endpoint.

        See [`AsyncNotebooks.recent_logs`][abeja_notebooks.AsyncNotebooks.recent_logs].

        Args:
            next_forward_token: Ask for the events after a previous page.
            next_backward_token: Ask for the events before a previous page.

        Returns:
            The events (oldest first) and the two tokens.

        Raises:
            NotFound: The notebook no longer exists.
        """
        notebooks, org, job = self._notebooks("recent_logs")
        return await notebooks.recent_logs(
            job,
            self.id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
            organization_id=org,
        )

    def logs(
        self,
        *,
        follow: bool = False,
        history: bool = False,
        poll_interval: float = DEFAULT_LOG_POLL_INTERVAL,
        timeout: float | None = None,
    ) -> AsyncIterator[LogEvent]:
        """Yield the notebook's log events, oldest first; use it with ``async for``.

        See [`AsyncNotebooks.logs`][abeja_notebooks.AsyncNotebooks.logs].

        Args:
            follow: Keep polling for new events until the notebook is neither Pending nor
                Running (what it wrote until then is read first) or the timeout passes.
            history: Start from the beginning of the log.
            poll_interval: Seconds between polls while following (idle polls wait longer).
            timeout: Stop following after this many seconds (``None``: no limit).

        Returns:
            An async iterator of [`LogEvent`][abeja_notebooks.LogEvent] (not awaited: walked).

        Examples:
            >>> async for event in nb.logs(follow=True, timeout=60):  # doctest: +SKIP
            ...     print(event.timestamp, event.message)
        """
        notebooks, org, job = self._notebooks("logs")
        return notebooks.logs(
            job,
            self.id,
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=timeout,
            organization_id=org,
        )

    async def wait_until(
        self,
        status: NotebookStatus | str | Iterable[NotebookStatus | str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_WAIT_POLL_INTERVAL,
    ) -> Self:
        """Poll until the notebook reaches ``status`` (one, or any of several), in place.

        Args:
            status: The status to wait for, or several (any of them ends the wait).
            timeout: Seconds to wait at most (``None``: no limit).
            poll_interval: Seconds between the first polls; later ones wait longer.

        Returns:
            This notebook, in the wanted status.

        Raises:
            NotebookFailed: It reached a failure state (``.notebook`` holds it).
            WaitTimeout: ``timeout`` passed first (``.notebook`` holds the last state).
        """
        notebooks, org, job = self._notebooks("wait_until")
        try:
            return self._take(
                await notebooks.wait_until(
                    job,
                    self.id,
                    status,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    organization_id=org,
                )
            )
        except (WaitTimeout, NotebookFailed) as exc:
            self._replace_data(exc.notebook)
            raise


class AsyncNotebookIterator(AsyncIterable[AsyncNotebook]):
    """A lazy walk over every notebook of a job definition, one page per request: ``async for``.

    Iterating fetches pages as needed and holds one page in memory at a time; iterating again starts
    over with fresh requests. [`pages`][abeja_notebooks.AsyncNotebookIterator.pages] walks the same
    listing page by page.

    The walk moves by offset, so notebooks created or deleted while it runs can shift pages:
    a notebook may be skipped or seen twice. Compare ids if that matters.

    ``AsyncNotebooks.list`` builds it; there is no need to build one yourself.

    Args:
        fetch: Reads one page: ``await fetch(offset, limit)``.
        page_size: Notebooks per request (``None``: 100).
        max_items: Stop after this many notebooks in all (``None``: every one).

    Raises:
        ValueError: ``page_size`` or ``max_items`` is below 1.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Awaitable[NotebookPage[AsyncNotebook]]],
        *,
        page_size: int | None,
        max_items: int | None,
    ) -> None:
        PageCursor[AsyncNotebook](
            page_size, max_items
        )  # validates the arguments now, not at iteration
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items

    async def pages(self) -> AsyncIterator[NotebookPage[AsyncNotebook]]:
        """Yield the listing page by page (each page fetched with its own retries).

        Yields:
            Each non-empty page, in order; with ``max_items`` the last one is cut to fit.
        """
        cursor = PageCursor[AsyncNotebook](self._page_size, self._max_items)
        while (request := cursor.next_request()) is not None:
            page = cursor.accept(await self._fetch(*request))
            if page.entries:
                yield page

    async def __aiter__(self) -> AsyncIterator[AsyncNotebook]:
        async for page in self.pages():
            for notebook in page.entries:
                yield notebook

    def __repr__(self) -> str:
        return (
            f"AsyncNotebookIterator(page_size={self._page_size!r}, max_items={self._max_items!r})"
        )


class AsyncNotebooks(ManagerBase[AsyncNotebook]):
    """The notebooks of an organization's training job definitions: ``AsyncClient.notebooks``.

    Every method takes the job definition name first and the notebook id where one is needed,
    and a keyword-only ``organization_id`` that overrides the client's.

    Args:
        transport: The client's transport; use ``AsyncClient.notebooks`` rather than building
            a manager yourself.
    """

    _model = AsyncNotebook

    def __init__(self, transport: AsyncTransport) -> None:
        super().__init__(transport.settings, transport.clock)
        self._transport = transport

    async def _run(self, call: Call[_T], until: float | None = None) -> _T:
        return call.parse(await self._transport.send(call.request, until=until))

    async def create(
        self,
        job_definition_name: str,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: str | None = None,
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
            >>> nb = await client.notebooks.create("train-resnet", instance_type="cpu-1",
            ...                              notebook_type="lab")  # doctest: +SKIP
        """
        return await self._run(
            self._create(
                job_definition_name,
                instance_type=instance_type,
                image=image,
                notebook_type=notebook_type,
                datalakes=datalakes,
                buckets=buckets,
                datasets=datasets,
                organization_id=organization_id,
            )
        )

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
        return await self._run(self._get(job_definition_name, notebook_id, organization_id))

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
        return await self._run(
            self._list_page(
                job_definition_name, offset=offset, limit=limit, organization_id=organization_id
            )
        )

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
            An iterable of [`AsyncNotebook`][abeja_notebooks.AsyncNotebook]; ``.pages()`` gives the
            pages instead.

        Raises:
            ValueError: ``page_size`` or ``max_items`` below 1 (raised here, before any request).

        Examples:
            >>> async for nb in client.notebooks.list("train-resnet"):  # doctest: +SKIP
            ...     print(nb.id, nb.status)
        """
        page_call = self._pages(
            job_definition_name,
            page_size=page_size,
            max_items=max_items,
            organization_id=organization_id,
        )
        return AsyncNotebookIterator(
            lambda offset, limit: self._run(page_call(offset, limit)),
            page_size=page_size,
            max_items=max_items,
        )

    async def update(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: str | None = None,
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
        return await self._run(
            self._update(
                job_definition_name,
                notebook_id,
                instance_type=instance_type,
                image=image,
                notebook_type=notebook_type,
                organization_id=organization_id,
            )
        )

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
        await self._run(self._delete(job_definition_name, notebook_id, organization_id))

    async def start(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        notebook_type: str | None = None,
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
        started = await self._run(
            self._start(
                job_definition_name,
                notebook_id,
                notebook_type=notebook_type,
                datalakes=datalakes,
                buckets=buckets,
                datasets=datasets,
                organization_id=organization_id,
            )
        )
        return started or await self.get(
            job_definition_name, notebook_id, organization_id=organization_id
        )

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
        stopped = await self._run(self._stop(job_definition_name, notebook_id, organization_id))
        return stopped or await self.get(
            job_definition_name, notebook_id, organization_id=organization_id
        )

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
        return await self._run(
            self._recent_logs(
                job_definition_name,
                notebook_id,
                next_forward_token=next_forward_token,
                next_backward_token=next_backward_token,
                organization_id=organization_id,
            )
        )

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
        """Yield a notebook's log events, oldest first.

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
            An iterator of [`LogEvent`][abeja_notebooks.LogEvent]; nothing is fetched until it is
            first advanced.

        Raises:
            ValueError: ``poll_interval`` or ``timeout`` is not a positive number.
        """
        reader = self._log_reader(
            job_definition_name,
            notebook_id,
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=timeout,
            organization_id=organization_id,
        )
        return self._read(reader)

    async def _read(self, reader: LogReader[AsyncNotebook]) -> AsyncIterator[LogEvent]:
        while not isinstance(step := reader.next_step(), Stop):
            if isinstance(step, Sleep):
                await self._clock.asleep(step.seconds)
                continue
            try:
                result = await self._run(reader.call_for(step), until=reader.until)
            except NotFound as gone:
                reader.on_not_found(step, gone)
                continue
            except APITimeoutError as late:
                reader.on_call_timeout(late)
                continue
            for event in reader.on_result(result):
                yield event

    async def wait_until(
        self,
        job_definition_name: str,
        notebook_id: str,
        status: NotebookStatus | str | Iterable[NotebookStatus | str],
        *,
        timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_WAIT_POLL_INTERVAL,
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Poll a notebook until it reaches ``status`` (or any of several).

        The first check is immediate; later polls back off from ``poll_interval`` up to ten
        times it.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            status: The status to wait for, or several.
            timeout: Seconds to wait at most (``None``: no limit; default 600).
            poll_interval: Seconds before the second check (default 2).
            organization_id: Overrides the client's organization.

        Returns:
            The notebook, in one of the wanted statuses.

        Raises:
            NotebookFailed: It reached ``Failed`` (unless that was wanted).
            WaitTimeout: ``timeout`` passed first.
        """
        call, plan = self._waiter(
            job_definition_name,
            notebook_id,
            status,
            timeout=timeout,
            poll_interval=poll_interval,
            organization_id=organization_id,
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
