"""Raw responses: ``client.notebooks.with_raw_response``.

Each method makes the ``Call`` the manager's method of the same name sends (``_async/calls.py``)
and sends it through the same transport, retries and identity checks included; it keeps the
final answer beside the result. Nothing else is done: no follow-up request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from abeja_notebooks._async.calls import AsyncNotebookCalls
from abeja_notebooks._async.notebook import AsyncNotebook
from abeja_notebooks._endpoints import Call, RawResponse
from abeja_notebooks._models import LogPage, Message, NotebookPage
from abeja_notebooks._response import APIResponse
from abeja_notebooks._types import NotebookType

if TYPE_CHECKING:
    from abeja_notebooks._async.manager import AsyncNotebooks
    from abeja_notebooks._transport import AsyncTransport

__all__ = ["AsyncNotebooksWithRawResponse"]

_T = TypeVar("_T")


class AsyncNotebooksWithRawResponse:
    """``client.notebooks.with_raw_response``: the single-request operations, answering with
    their HTTP details.

    Each method takes the same arguments as the
    `AsyncNotebooks` method of the same name and sends the
    same request, with the same retries; an error answer raises the same exception. A success
    returns an `APIResponse`: the status, headers and request id
    of the final answer, how long the call took and how many retries it needed, and
    ``parse()`` for the result.

    A raw method makes exactly one HTTP exchange (plus its retries) and never a follow-up
    request: where the plain ``start`` and ``stop`` read the notebook again after an answer
    that holds only a message, the raw ones hand that `Message`
    back.

    Listing (``list``), reading logs (``logs``) and waiting (``wait_until``) take many requests
    each and have no raw form: the SDK's ``DEBUG`` log shows the request id of every answer.

    Args:
        notebooks: The manager whose operations these are.
        transport: The manager's transport.

    Examples:
        >>> response = await client.notebooks.with_raw_response.get(
        ...     "train-resnet", "1900000000001"
        ... )  # doctest: +SKIP
        >>> print(response.request_id, response.elapsed, response.parse().status)  # doctest: +SKIP
    """

    def __init__(self, notebooks: AsyncNotebooks, transport: AsyncTransport) -> None:
        self._notebooks = notebooks
        self._calls = AsyncNotebookCalls(notebooks)
        self._transport = transport

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._notebooks!r})"

    async def _send(self, call: Call[_T]) -> APIResponse[_T]:
        # Parsed as the plain method parses it, while the answer's connection is at hand (so an
        # answer to another request is never handed out), and kept beside its answer.
        def parse(answer: RawResponse) -> tuple[RawResponse, _T]:
            return answer, call.parse(answer)

        clock = self._transport.clock
        started = clock.monotonic()
        answer, result = await self._transport.send(Call(call.request, parse))
        return APIResponse(answer, result, timedelta(seconds=clock.monotonic() - started))

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
    ) -> APIResponse[AsyncNotebook]:
        """Create a notebook; see `AsyncNotebooks.create`.

        Returns:
            The answer; ``parse()`` gives the new notebook.
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
        return await self._send(call)

    async def get(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> APIResponse[AsyncNotebook]:
        """Read one notebook; see `AsyncNotebooks.get`.

        Returns:
            The answer; ``parse()`` gives the notebook.
        """
        call = self._calls.get(job_definition_name, notebook_id, organization_id)
        return await self._send(call)

    async def list_page(
        self,
        job_definition_name: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        organization_id: str | None = None,
    ) -> APIResponse[NotebookPage[AsyncNotebook]]:
        """Read one page of the listing; see
        `AsyncNotebooks.list_page`.

        Returns:
            The answer; ``parse()`` gives the page.
        """
        call = self._calls.list_page(
            job_definition_name, offset=offset, limit=limit, organization_id=organization_id
        )
        return await self._send(call)

    async def update(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
        organization_id: str | None = None,
    ) -> APIResponse[AsyncNotebook]:
        """Change a notebook's settings; see
        `AsyncNotebooks.update`.

        Returns:
            The answer; ``parse()`` gives the updated notebook.
        """
        call = self._calls.update(
            job_definition_name,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
            organization_id=organization_id,
        )
        return await self._send(call)

    async def delete(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> APIResponse[Message]:
        """Delete a notebook; see `AsyncNotebooks.delete`.

        Returns:
            The answer; ``parse()`` gives the message the server sent (for a retried delete
            answered 404 after an earlier attempt deleted it: ``"<id> deleted"``).
        """
        call = self._calls.delete(job_definition_name, notebook_id, organization_id)
        return await self._send(call)

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
    ) -> APIResponse[AsyncNotebook | Message]:
        """Start a stopped notebook; see
        `AsyncNotebooks.start`.

        Returns:
            The answer; ``parse()`` gives the notebook the server sent back or, when it sent
            only a message (or a retried start found it already started), that message. The
            notebook is not read again.
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
        return await self._send(call)

    async def stop(
        self, job_definition_name: str, notebook_id: str, *, organization_id: str | None = None
    ) -> APIResponse[AsyncNotebook | Message]:
        """Stop a running notebook; see
        `AsyncNotebooks.stop`.

        Returns:
            The answer; ``parse()`` gives the notebook the server sent back or, when it sent
            only a message (or a retried stop found it already stopped), that message. The
            notebook is not read again.
        """
        call = self._calls.stop(job_definition_name, notebook_id, organization_id)
        return await self._send(call)

    async def recent_logs(
        self,
        job_definition_name: str,
        notebook_id: str,
        *,
        next_forward_token: str | None = None,
        next_backward_token: str | None = None,
        organization_id: str | None = None,
    ) -> APIResponse[LogPage]:
        """One call to the recent-logs endpoint; see
        `AsyncNotebooks.recent_logs`.

        Returns:
            The answer; ``parse()`` gives the events and the two tokens.
        """
        call = self._calls.recent_logs(
            job_definition_name,
            notebook_id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
            organization_id=organization_id,
        )
        return await self._send(call)
