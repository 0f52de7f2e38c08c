"""The notebook manager: ``client.notebooks``.

Each operation is a :class:`~abeja_notebooks._endpoints.Call` made from the sans-I/O endpoint
layer: the public method sends it and returns what it parses to. Pagination, log reading and
waiting are decided by the pure flows of ``_flows``; the methods here only send, sleep and hand
results back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TypeVar

from abeja_notebooks import _endpoints as ep
from abeja_notebooks._async.notebook import AsyncNotebook, AsyncNotebookIterator
from abeja_notebooks._async.raw import AsyncNotebooksWithRawResponse
from abeja_notebooks._config import Settings, check_name
from abeja_notebooks._endpoints import Call, RawResponse
from abeja_notebooks._errors import APITimeoutError, ConfigurationError, NotFound
from abeja_notebooks._flows import (
    DEFAULT_LOG_POLL_INTERVAL,
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
    Binding,
    LogEvent,
    LogPage,
    Message,
    NotebookPage,
    NotebookStatus,
)
from abeja_notebooks._platform_config import ENV_ORGANIZATION_ID, notebook_variables
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
        self._clock = transport.clock

    @property
    def settings(self) -> Settings:
        """The client settings this manager sends with."""
        return self._transport.settings

    @cached_property
    def with_raw_response(self) -> AsyncNotebooksWithRawResponse:
        """The single-request operations again, each returning an
        [`APIResponse`][abeja_notebooks.APIResponse]: the result with the status, headers,
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
        return call.parse(await self._transport.send(call.request, until=until))

    def _org(self, organization_id: str | None) -> str:
        if organization_id is not None:
            return check_name(organization_id, "organization_id")
        default = self._transport.settings.organization_id
        if default is None:
            raise ConfigurationError(
                "no organization: pass organization_id= to the client or to the call, set "
                f"{ENV_ORGANIZATION_ID}, or save one with `abeja config init`"
            )
        return default

    def _notebook_call(self, request: ep.ApiRequest, org: str, job: str) -> Call[AsyncNotebook]:
        binding = Binding(self, org, job)

        def parse(response: RawResponse) -> AsyncNotebook:
            notebook = ep.parse_model(response, AsyncNotebook)
            notebook._bind(binding)  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return notebook

        return Call(request, parse)

    # --- one call per endpoint (the public methods below send them) --------------------------

    def _create(
        self,
        job: str,
        *,
        instance_type: str | None,
        image: str | None,
        notebook_type: NotebookType | None,
        datalakes: Sequence[str] | None,
        buckets: Sequence[str] | None,
        datasets: Mapping[str, str] | None,
        organization_id: str | None,
    ) -> Call[AsyncNotebook]:
        org = self._org(organization_id)
        request = ep.create_request(
            org,
            job,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
        )
        return self._notebook_call(request, org, job)

    def _get(self, job: str, notebook_id: str, organization_id: str | None) -> Call[AsyncNotebook]:
        org = self._org(organization_id)
        return self._notebook_call(ep.get_request(org, job, notebook_id), org, job)

    def _list_page(
        self, job: str, *, offset: int, limit: int | None, organization_id: str | None
    ) -> Call[NotebookPage[AsyncNotebook]]:
        org = self._org(organization_id)
        binding = Binding(self, org, job)

        def parse(response: RawResponse) -> NotebookPage[AsyncNotebook]:
            page = ep.parse_page(response, AsyncNotebook, offset=offset, limit=limit)
            AsyncNotebook._bind_all(page.entries, binding)  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return page

        return Call(ep.list_request(org, job, offset=offset, limit=limit), parse)

    def _update(
        self,
        job: str,
        notebook_id: str,
        *,
        instance_type: str | None,
        image: str | None,
        notebook_type: NotebookType | None,
        organization_id: str | None,
    ) -> Call[AsyncNotebook]:
        org = self._org(organization_id)
        request = ep.update_request(
            org,
            job,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
        )
        return self._notebook_call(request, org, job)

    def _delete(self, job: str, notebook_id: str, organization_id: str | None) -> Call[Message]:
        def parse(response: RawResponse) -> Message:
            if response.replayed:  # a 404 after an earlier attempt that deleted it
                return Message(message=f"{notebook_id} deleted")
            return ep.parse_model(response, Message)

        request = ep.delete_request(self._org(organization_id), job, notebook_id)
        return Call(request, parse)

    def _action_call(
        self, request: ep.ApiRequest, org: str, job: str, done: str
    ) -> Call[AsyncNotebook | Message]:
        binding = Binding(self, org, job)

        def parse(response: RawResponse) -> AsyncNotebook | Message:
            if response.replayed:  # a 409 after an earlier attempt that did the job
                return Message(message=done)
            result = ep.parse_action(response, AsyncNotebook)
            if isinstance(result, AsyncNotebook):
                result._bind(binding)  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return result

        return Call(request, parse)

    def _start(
        self,
        job: str,
        notebook_id: str,
        *,
        notebook_type: NotebookType | None,
        datalakes: Sequence[str] | None,
        buckets: Sequence[str] | None,
        datasets: Mapping[str, str] | None,
        organization_id: str | None,
    ) -> Call[AsyncNotebook | Message]:
        org = self._org(organization_id)
        request = ep.start_request(
            org,
            job,
            notebook_id,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
        )
        return self._action_call(request, org, job, f"{notebook_id} started")

    def _stop(
        self, job: str, notebook_id: str, organization_id: str | None
    ) -> Call[AsyncNotebook | Message]:
        org = self._org(organization_id)
        request = ep.stop_request(org, job, notebook_id)
        return self._action_call(request, org, job, f"{notebook_id} stopped")

    def _recent_logs(
        self,
        job: str,
        notebook_id: str,
        *,
        next_forward_token: str | None,
        next_backward_token: str | None,
        organization_id: str | None,
    ) -> Call[LogPage]:
        request = ep.recent_logs_request(
            self._org(organization_id),
            job,
            notebook_id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
        )
        return Call(request, ep.parse_logs)

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
        call = self._create(
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
        return await self._run(self._get(job_definition_name, notebook_id, organization_id))

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
        call = self._list_page(
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
            An iterable of [`AsyncNotebook`][abeja_notebooks.AsyncNotebook]; its ``pages()``
            gives the pages instead.

        Raises:
            ValueError: ``page_size`` or ``max_items`` is below 1 (raised here, before any
                request).

        Examples:
            >>> async for nb in client.notebooks.list("train-resnet"):  # doctest: +SKIP
            ...     print(nb.id, nb.status)
        """
        org = self._org(organization_id)
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
        call = self._update(
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
        await self._run(self._delete(job_definition_name, notebook_id, organization_id))

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
        call = self._start(
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
        stopped = await self._run(self._stop(job_definition_name, notebook_id, organization_id))
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
        call = self._recent_logs(
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
            An iterator of [`LogEvent`][abeja_notebooks.LogEvent], for ``async for``.

        Raises:
            ValueError: ``poll_interval`` or ``timeout`` is not a positive number (raised
                here, before any request).
        """
        org = self._org(organization_id)
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
                    call = self._recent_logs(
                        job,
                        notebook_id,
                        next_forward_token=step.forward_token,
                        next_backward_token=step.backward_token,
                        organization_id=org,
                    )
                    events = tail.on_logs(await self._run(call, until=tail.call_until))
                else:
                    call_status = self._get(job, notebook_id, org)
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
        organization_id: str | None = None,
    ) -> AsyncNotebook:
        """Poll a notebook until it reaches ``status`` (or any of several).

        The first check is immediate; later polls back off from ``poll_interval`` up to ten
        times it.

        Args:
            job_definition_name: Its training job definition.
            notebook_id: Its id.
            status: The status to wait for, or several (any of them ends the wait).
            timeout: Seconds to wait at most (``None``: no limit; default 600).
            poll_interval: Seconds before the second check (default 2).
            organization_id: Overrides the client's organization.

        Returns:
            The notebook, in one of the wanted statuses.

        Raises:
            NotebookFailed: It reached ``Failed`` (unless that was wanted); ``.notebook``
                holds it.
            WaitTimeout: ``timeout`` passed first; ``.notebook`` holds the last state read.
        """
        call = self._get(job_definition_name, notebook_id, organization_id)
        plan = WaitPlan(
            normalize_statuses(status),
            timeout=timeout,
            poll_interval=poll_interval,
            now=self._clock.monotonic(),
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
