"""What the sync and async notebook managers share: every operation as a :class:`Call`.

A manager method builds a :class:`Call` here (organization default applied, arguments checked,
request described, parser chosen) and only runs it: ``call.parse(transport.send(call.request))``
in the sync manager, the same with ``await`` in the async one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from . import _endpoints as ep
from ._config import ENV_ORGANIZATION_ID, Settings, check_name
from ._errors import APITimeoutError, ConfigurationError, NotFound, UnboundNotebookError
from ._flows import (
    CheckStatus,
    FetchLogs,
    LogTail,
    PageCursor,
    Sleep,
    Stop,
    WaitPlan,
    normalize_statuses,
)
from ._models import (
    BaseNotebook,
    LogEvent,
    LogPage,
    Message,
    NotebookPage,
    NotebookStatus,
    NotebookT,
    binding,
)
from ._transport import Clock

__all__ = ["Call", "LogReader", "ManagerBase", "unbound_error"]

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


def unbound_error(notebook: BaseNotebook, method: str) -> UnboundNotebookError:
    """The error for calling ``method`` on a notebook that no client handed out."""
    kind = type(notebook).__name__
    return UnboundNotebookError(
        f"{kind}.{method}() needs a client, but this {kind} (id {notebook.id!r}) was built by "
        "hand. Fetch it through a client, e.g. client.notebooks.get(job_definition_name, "
        f"notebook_id), or call client.notebooks.{method}(...) directly."
    )


@dataclass(frozen=True, slots=True)
class Call(Generic[_T_co]):
    """One operation ready to run: the request to send and how to read its answer."""

    request: ep.ApiRequest
    parse: Callable[[ep.RawResponse], _T_co]


class LogReader(Generic[NotebookT]):
    """A :class:`LogTail` with the calls its steps need; drivers only send and sleep.

    A driver loops: ``step = reader.next_step()``; on :class:`Sleep` it sleeps; on
    :class:`Stop` it ends; otherwise it runs ``reader.call_for(step)`` and hands the result to
    ``reader.on_result`` (events to yield) or a ``NotFound`` to ``reader.on_not_found``.
    """

    def __init__(
        self,
        tail: LogTail,
        clock: Clock,
        logs_call: Callable[[str | None, str | None], Call[LogPage]],
        status_call: Callable[[], Call[NotebookT]],
    ) -> None:
        self.tail = tail
        self._clock = clock
        self._logs_call = logs_call
        self._status_call = status_call

    def next_step(self) -> FetchLogs | CheckStatus | Sleep | Stop:
        """The next thing the driver must do."""
        return self.tail.next_step(self._clock.monotonic())

    def call_for(self, step: FetchLogs | CheckStatus) -> Call[LogPage | NotebookT]:
        """The API call a fetch or status step needs."""
        if isinstance(step, FetchLogs):
            return self._logs_call(step.forward_token, step.backward_token)
        return self._status_call()

    def on_result(self, result: LogPage | BaseNotebook) -> list[LogEvent]:
        """Take a call's result; return the events to yield now."""
        if isinstance(result, LogPage):
            return self.tail.on_logs(result)
        self.tail.on_status(result)
        return []

    @property
    def until(self) -> float | None:
        """When each call must be over, on the clock (``None``: no bound)."""
        return self.tail.call_until

    def on_call_timeout(self, error: APITimeoutError) -> None:
        """A call ran out of time: past the follow's deadline that ends the reading quietly.

        Raises:
            APITimeoutError: ``error``, when the follow's own deadline has not passed.
        """
        if self.tail.deadline is None or self._clock.monotonic() < self.tail.deadline:
            raise error
        self.tail.on_deadline()

    def on_not_found(self, step: FetchLogs | CheckStatus, error: NotFound) -> None:
        """The notebook is gone: raise at the very first call, else end the reading.

        Raises:
            NotFound: The first call found no notebook.
        """
        if isinstance(step, FetchLogs):
            self.tail.on_gone(error)
        else:
            self.tail.on_status(None)


class ManagerBase(Generic[NotebookT]):
    """Builds every operation of a notebook manager, without I/O."""

    _model: type[NotebookT]

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    @property
    def settings(self) -> Settings:
        """The client settings this manager sends with."""
        return self._settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(organization_id={self._settings.organization_id!r})"

    def _org(self, organization_id: str | None) -> str:
        if organization_id is not None:
            return check_name(organization_id, "organization_id")
        if self._settings.organization_id is None:
            raise ConfigurationError(
                "no organization: pass organization_id= to the client or to the call, or set "
                f"{ENV_ORGANIZATION_ID}"
            )
        return self._settings.organization_id

    def _binder(self, org: str, job: str) -> Callable[[ep.RawResponse], NotebookT]:
        def parse(response: ep.RawResponse) -> NotebookT:
            notebook = ep.parse_model(response, self._model)
            notebook._bind(binding(self, org, job))  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return notebook

        return parse

    def _create(
        self,
        job_definition_name: str,
        *,
        instance_type: str | None,
        image: str | None,
        notebook_type: str | None,
        datalakes: Sequence[str] | None,
        buckets: Sequence[str] | None,
        datasets: Mapping[str, str] | None,
        organization_id: str | None,
    ) -> Call[NotebookT]:
        org = self._org(organization_id)
        request = ep.create_request(
            org,
            job_definition_name,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
        )
        return Call(request, self._binder(org, job_definition_name))

    def _get(
        self, job_definition_name: str, notebook_id: str, organization_id: str | None
    ) -> Call[NotebookT]:
        org = self._org(organization_id)
        request = ep.get_request(org, job_definition_name, notebook_id)
        return Call(request, self._binder(org, job_definition_name))

    def _list_page(
        self,
        job_definition_name: str,
        *,
        offset: int,
        limit: int | None,
        organization_id: str | None,
    ) -> Call[NotebookPage[NotebookT]]:
        org = self._org(organization_id)
        request = ep.list_request(org, job_definition_name, offset=offset, limit=limit)

        def parse(response: ep.RawResponse) -> NotebookPage[NotebookT]:
            page = ep.parse_page(response, self._model, offset=offset, limit=limit)
            shared = binding(self, org, job_definition_name)
            for notebook in page.entries:
                notebook._bind(shared)  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return page

        return Call(request, parse)

    def _update(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        instance_type: str | None,
        image: str | None,
        notebook_type: str | None,
        organization_id: str | None,
    ) -> Call[NotebookT]:
        org = self._org(organization_id)
        request = ep.update_request(
            org,
            job_definition_name,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
        )
        return Call(request, self._binder(org, job_definition_name))

    def _delete(
        self, job_definition_name: str, notebook_id: str, organization_id: str | None
    ) -> Call[None]:
        org = self._org(organization_id)
        request = ep.delete_request(org, job_definition_name, notebook_id)

        def parse(response: ep.RawResponse) -> None:
            if not response.replayed:  # a replayed 404: an earlier attempt deleted it
                ep.parse_model(response, Message)

        return Call(request, parse)

    def _action_parser(self, org: str, job: str) -> Callable[[ep.RawResponse], NotebookT | None]:
        def parse(response: ep.RawResponse) -> NotebookT | None:
            # None: the answer does not tell the notebook's state, so the manager re-reads it.
            if response.replayed:
                return None
            result = ep.parse_action(response, self._model)
            if isinstance(result, Message):
                return None
            result._bind(binding(self, org, job))  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
            return result

        return parse

    def _start(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        notebook_type: str | None,
        datalakes: Sequence[str] | None,
        buckets: Sequence[str] | None,
        datasets: Mapping[str, str] | None,
        organization_id: str | None,
    ) -> Call[NotebookT | None]:
        org = self._org(organization_id)
        request = ep.start_request(
            org,
            job_definition_name,
            notebook_id,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
        )
        return Call(request, self._action_parser(org, job_definition_name))

    def _stop(
        self, job_definition_name: str, notebook_id: str, organization_id: str | None
    ) -> Call[NotebookT | None]:
        org = self._org(organization_id)
        request = ep.stop_request(org, job_definition_name, notebook_id)
        return Call(request, self._action_parser(org, job_definition_name))

    def _recent_logs(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        next_forward_token: str | None,
        next_backward_token: str | None,
        organization_id: str | None,
    ) -> Call[LogPage]:
        org = self._org(organization_id)
        request = ep.recent_logs_request(
            org,
            job_definition_name,
            notebook_id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
        )
        return Call(request, ep.parse_logs)

    def _pages(
        self,
        job_definition_name: str,
        *,
        page_size: int | None,
        max_items: int | None,
        organization_id: str | None,
    ) -> Callable[[int, int], Call[NotebookPage[NotebookT]]]:
        """Check a listing's arguments now; return how to build the call for each page."""
        org = self._org(organization_id)
        ep.list_request(org, job_definition_name)
        PageCursor[NotebookT](page_size, max_items)  # raises on bad sizes before any request

        def page_call(offset: int, limit: int) -> Call[NotebookPage[NotebookT]]:
            return self._list_page(
                job_definition_name, offset=offset, limit=limit, organization_id=org
            )

        return page_call

    def _log_reader(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        follow: bool,
        history: bool,
        poll_interval: float,
        timeout: float | None,
        organization_id: str | None,
    ) -> LogReader[NotebookT]:
        """Check a log reading's arguments now; return its reader."""
        org = self._org(organization_id)
        ep.recent_logs_request(org, job_definition_name, notebook_id)
        tail = LogTail(
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=timeout,
            now=self._clock.monotonic(),
        )

        def logs_call(forward: str | None, backward: str | None) -> Call[LogPage]:
            return self._recent_logs(
                job_definition_name,
                notebook_id,
                next_forward_token=forward,
                next_backward_token=backward,
                organization_id=org,
            )

        def status_call() -> Call[NotebookT]:
            return self._get(job_definition_name, notebook_id, org)

        return LogReader(tail, self._clock, logs_call, status_call)

    def _waiter(
        self,
        job_definition_name: str,
        notebook_id: str,
        status: NotebookStatus | str | Iterable[NotebookStatus | str],
        *,
        timeout: float | None,
        poll_interval: float,
        organization_id: str | None,
    ) -> tuple[Call[NotebookT], WaitPlan]:
        """Check a wait's arguments now; return the poll call and the plan."""
        call = self._get(job_definition_name, notebook_id, organization_id)
        plan = WaitPlan(
            normalize_statuses(status),
            timeout=timeout,
            poll_interval=poll_interval,
            now=self._clock.monotonic(),
        )
        return call, plan
