"""Bound notebooks and the lazy listing: what a notebook manager hands out.

A bound notebook's methods are its manager's methods applied to it; the listing walks the
manager's ``list_page``. Neither sends anything itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Self, cast

from abeja_notebooks._errors import NotebookFailed, StatusUnreachable, WaitTimeout
from abeja_notebooks._flows import (
    DEFAULT_LOG_POLL_INTERVAL,
    DEFAULT_WAIT_GRACE,
    DEFAULT_WAIT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    PageCursor,
)
from abeja_notebooks._models import BaseNotebook, LogEvent, LogPage, NotebookPage, NotebookStatus
from abeja_notebooks._types import NotebookType

if TYPE_CHECKING:
    from abeja_notebooks._async.manager import AsyncNotebooks

__all__ = ["AsyncNotebook", "AsyncNotebookIterator"]


class AsyncNotebook(BaseNotebook, frozen=True):
    """A notebook, bound to the client that fetched it.

    Its methods call the API through that client and update the object in place; its fields
    are read-only otherwise. Reading attributes and ``repr`` never do I/O, and ``==`` compares
    data only. Each method is the manager's method of the same name applied to this notebook
    (``nb.stop()`` is ``client.notebooks.stop(job, nb.id)``): see
    `AsyncNotebooks` for the details of each.

    Examples:
        >>> nb = await client.notebooks.create("train-resnet")  # doctest: +SKIP
        >>> await nb.wait_until(NotebookStatus.RUNNING, timeout=600)  # doctest: +SKIP
        >>> (await nb.stop()).status  # doctest: +SKIP
        <NotebookStatus.STOPPED: 'Stopped'>
    """

    def _notebooks(self, method: str) -> tuple[AsyncNotebooks, str, str]:
        manager, org, job = self._bound_to(method)
        # Only an AsyncNotebooks binds an AsyncNotebook (the manager parses into its own class).
        return cast("AsyncNotebooks", manager), org, job

    async def refresh(self) -> Self:
        """Read this notebook again, in place.

        Returns:
            This notebook, updated.

        Raises:
            UnboundNotebookError: The notebook was not handed out by a client.
            NotFound: It was deleted.
        """
        notebooks, org, job = self._notebooks("refresh")
        return self._take(await notebooks.get(job, self.id, organization_id=org))

    async def update(
        self,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
    ) -> Self:
        """Change this notebook's settings, in place; see
        `AsyncNotebooks.update`.

        Returns:
            This notebook, updated from the server's answer.
        """
        notebooks, org, job = self._notebooks("update")
        updated = await notebooks.update(
            job,
            self.id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            organization_id=org,
        )
        return self._take(updated)

    async def start(
        self,
        *,
        notebook_type: NotebookType | None = None,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
    ) -> Self:
        """Start this notebook, in place; see
        `AsyncNotebooks.start`.

        Returns:
            This notebook, in its state after the start.
        """
        notebooks, org, job = self._notebooks("start")
        started = await notebooks.start(
            job,
            self.id,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
            organization_id=org,
        )
        return self._take(started)

    async def stop(self) -> Self:
        """Stop this notebook, in place; see
        `AsyncNotebooks.stop`.

        Returns:
            This notebook, in its state after the stop.
        """
        notebooks, org, job = self._notebooks("stop")
        return self._take(await notebooks.stop(job, self.id, organization_id=org))

    async def delete(self) -> None:
        """Delete this notebook (the object keeps its last data); see
        `AsyncNotebooks.delete`."""
        notebooks, org, job = self._notebooks("delete")
        await notebooks.delete(job, self.id, organization_id=org)

    async def recent_logs(
        self, *, next_forward_token: str | None = None, next_backward_token: str | None = None
    ) -> LogPage:
        """One call to the recent-logs endpoint for this notebook; see
        `AsyncNotebooks.recent_logs`.

        Returns:
            The events (oldest first) and the two tokens.
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
        """This notebook's log events, oldest first; see
        `AsyncNotebooks.logs`.

        Returns:
            An iterator of `LogEvent`, for ``async for``.

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
        grace: float | None = DEFAULT_WAIT_GRACE,
    ) -> Self:
        """Poll until this notebook reaches ``status`` (or any of several), in place; see
        `AsyncNotebooks.wait_until`.

        When the wait fails, the notebook still takes the last state read.

        Returns:
            This notebook, in one of the wanted statuses.
        """
        notebooks, org, job = self._notebooks("wait_until")
        try:
            reached = await notebooks.wait_until(
                job,
                self.id,
                status,
                timeout=timeout,
                poll_interval=poll_interval,
                grace=grace,
                organization_id=org,
            )
        except (WaitTimeout, NotebookFailed, StatusUnreachable) as exc:
            self._take(exc.notebook)
            raise
        return self._take(reached)


class AsyncNotebookIterator(AsyncIterable[AsyncNotebook]):
    """A lazy walk over every notebook of a job definition, one page per request.

    Walk it with ``async for``. It fetches pages as needed and holds one page in memory at a
    time; walking it again starts over with fresh requests.
    `AsyncNotebookIterator.pages` walks the same listing page by page.

    The walk moves by offset, so notebooks created or deleted while it runs can shift pages: a
    notebook may be skipped or seen twice. Compare ids if that matters.

    ``AsyncNotebooks.list`` makes it; there is no need to make one yourself.

    Args:
        notebooks: The manager whose ``list_page`` reads each page.
        job_definition_name: The training job definition.
        page_size: Notebooks per request (``None``: 100).
        max_items: Stop after this many notebooks in all (``None``: every one).
        organization_id: The organization (``None``: the client's).

    Raises:
        ValueError: ``page_size`` or ``max_items`` is below 1.
    """

    def __init__(
        self,
        notebooks: AsyncNotebooks,
        job_definition_name: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        organization_id: str | None = None,
    ) -> None:
        PageCursor[AsyncNotebook](page_size, max_items)  # checks the sizes now, not at iteration
        self._notebooks = notebooks
        self._job = job_definition_name
        self._page_size = page_size
        self._max_items = max_items
        self._organization_id = organization_id

    async def pages(self) -> AsyncIterator[NotebookPage[AsyncNotebook]]:
        """Walk the listing page by page, each page fetched with its own retries.

        Yields:
            Each non-empty page, in order; with ``max_items`` the last one is cut to fit.
        """
        cursor = PageCursor[AsyncNotebook](self._page_size, self._max_items)
        while (request := cursor.next_request()) is not None:
            offset, limit = request
            page = await self._notebooks.list_page(
                self._job, offset=offset, limit=limit, organization_id=self._organization_id
            )
            page = cursor.accept(page)
            if page.entries:
                yield page

    async def __aiter__(self) -> AsyncIterator[AsyncNotebook]:
        async for page in self.pages():
            for notebook in page.entries:
                yield notebook

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(page_size={self._page_size!r}, max_items={self._max_items!r})"
