"""Each operation of the Notebook API as a ``Call``, ready to send, for one notebook manager.

A ``Call`` is the request (arguments checked, path encoded, body written: the sans-I/O endpoint
layer) and the parser of its answer, which binds the notebooks it reads to the manager. The
manager sends these calls and returns what they parse to; its raw accessor
(``with_raw_response``) sends the same calls and keeps each answer beside its result. Nothing
here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from abeja_notebooks import _endpoints as ep
from abeja_notebooks._async.notebook import AsyncNotebook
from abeja_notebooks._config import check_name
from abeja_notebooks._endpoints import Call, RawResponse
from abeja_notebooks._errors import ConfigurationError
from abeja_notebooks._models import Binding, LogPage, Message, NotebookPage
from abeja_notebooks._platform_config import ENV_ORGANIZATION_ID
from abeja_notebooks._types import NotebookType

if TYPE_CHECKING:
    from abeja_notebooks._async.manager import AsyncNotebooks

__all__ = ["AsyncNotebookCalls"]


class AsyncNotebookCalls:
    """The calls of one manager: ``calls.get(job, id)`` is the ``Call`` that
    ``notebooks.get(job, id)`` sends.

    Args:
        notebooks: The manager whose organization is the default and to which the notebooks
            read are bound.
    """

    def __init__(self, notebooks: AsyncNotebooks) -> None:
        self._notebooks = notebooks

    def organization(self, organization_id: str | None) -> str:
        if organization_id is not None:
            return check_name(organization_id, "organization_id")
        default = self._notebooks.settings.organization_id
        if default is None:
            raise ConfigurationError(
                "no organization: pass organization_id= to the client or to the call, set "
                f"{ENV_ORGANIZATION_ID}, or save one with `abeja config init`"
            )
        return default

    def _notebook(self, request: ep.ApiRequest, org: str, job: str) -> Call[AsyncNotebook]:
        binding = Binding(self._notebooks, org, job)

        def parse(response: RawResponse) -> AsyncNotebook:
            notebook = ep.parse_model(response, AsyncNotebook)
            ep.check_identity(response, request, notebook)
            notebook._bind(binding)  # pyright: ignore[reportPrivateUsage] -- the calls bind what they parse
            return notebook

        return Call(request, parse)

    def create(
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
        org = self.organization(organization_id)
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
        return self._notebook(request, org, job)

    def get(self, job: str, notebook_id: str, organization_id: str | None) -> Call[AsyncNotebook]:
        org = self.organization(organization_id)
        return self._notebook(ep.get_request(org, job, notebook_id), org, job)

    def list_page(
        self, job: str, *, offset: int, limit: int | None, organization_id: str | None
    ) -> Call[NotebookPage[AsyncNotebook]]:
        org = self.organization(organization_id)
        binding = Binding(self._notebooks, org, job)
        request = ep.list_request(org, job, offset=offset, limit=limit)

        def parse(response: RawResponse) -> NotebookPage[AsyncNotebook]:
            page = ep.parse_page(response, AsyncNotebook, offset=offset, limit=limit)
            ep.check_identity(response, request, page)
            AsyncNotebook._bind_all(page.entries, binding)  # pyright: ignore[reportPrivateUsage] -- the calls bind what they parse
            return page

        return Call(request, parse)

    def update(
        self,
        job: str,
        notebook_id: str,
        *,
        instance_type: str | None,
        image: str | None,
        notebook_type: NotebookType | None,
        organization_id: str | None,
    ) -> Call[AsyncNotebook]:
        org = self.organization(organization_id)
        request = ep.update_request(
            org,
            job,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
        )
        return self._notebook(request, org, job)

    def delete(self, job: str, notebook_id: str, organization_id: str | None) -> Call[Message]:
        def parse(response: RawResponse) -> Message:
            if response.replayed:  # a 404 after an earlier attempt that deleted it
                return Message(message=f"{notebook_id} deleted")
            return ep.parse_model(response, Message)

        request = ep.delete_request(self.organization(organization_id), job, notebook_id)
        return Call(request, parse)

    def _action(
        self, request: ep.ApiRequest, org: str, job: str, done: str
    ) -> Call[AsyncNotebook | Message]:
        binding = Binding(self._notebooks, org, job)

        def parse(response: RawResponse) -> AsyncNotebook | Message:
            if response.replayed:  # a 409 after an earlier attempt that did the job
                return Message(message=done)
            result = ep.parse_action(response, AsyncNotebook)
            ep.check_identity(response, request, result)
            if isinstance(result, AsyncNotebook):
                result._bind(binding)  # pyright: ignore[reportPrivateUsage] -- the calls bind what they parse
            return result

        return Call(request, parse)

    def start(
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
        org = self.organization(organization_id)
        request = ep.start_request(
            org,
            job,
            notebook_id,
            notebook_type=notebook_type,
            datalakes=datalakes,
            buckets=buckets,
            datasets=datasets,
        )
        return self._action(request, org, job, f"{notebook_id} started")

    def stop(
        self, job: str, notebook_id: str, organization_id: str | None
    ) -> Call[AsyncNotebook | Message]:
        org = self.organization(organization_id)
        request = ep.stop_request(org, job, notebook_id)
        return self._action(request, org, job, f"{notebook_id} stopped")

    def recent_logs(
        self,
        job: str,
        notebook_id: str,
        *,
        next_forward_token: str | None,
        next_backward_token: str | None,
        organization_id: str | None,
    ) -> Call[LogPage]:
        request = ep.recent_logs_request(
            self.organization(organization_id),
            job,
            notebook_id,
            next_forward_token=next_forward_token,
            next_backward_token=next_backward_token,
        )
        return Call(request, ep.parse_logs)
