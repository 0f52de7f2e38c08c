"""What the sync and async notebook managers share: organization defaults, binding, parsing."""

from __future__ import annotations

from typing import Generic

from . import _endpoints as ep
from ._config import ENV_ORGANIZATION_ID, Settings, check_name
from ._errors import ConfigurationError, UnboundNotebookError
from ._models import BaseNotebook, Message, NotebookPage, NotebookT

__all__ = ["ManagerBase", "unbound_error"]


def unbound_error(notebook: BaseNotebook, method: str) -> UnboundNotebookError:
    """The error for calling ``method`` on a notebook that no client handed out."""
    kind = type(notebook).__name__
    return UnboundNotebookError(
        f"{kind}.{method}() needs a client, but this {kind} (id {notebook.id!r}) was built by "
        "hand. Fetch it through a client, e.g. client.notebooks.get(job_definition_name, "
        f"notebook_id), or call client.notebooks.{method}(...) directly."
    )


class ManagerBase(Generic[NotebookT]):
    """Request building and response parsing for a notebook manager, without I/O."""

    _model: type[NotebookT]

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _org(self, organization_id: str | None) -> str:
        if organization_id is not None:
            return check_name(organization_id, "organization_id")
        if self._settings.organization_id is None:
            raise ConfigurationError(
                "no organization: pass organization_id= to the client or to the call, or set "
                f"{ENV_ORGANIZATION_ID}"
            )
        return self._settings.organization_id

    def _bind(
        self, notebook: NotebookT, organization_id: str, job_definition_name: str
    ) -> NotebookT:
        notebook._bind(self, organization_id, job_definition_name)  # pyright: ignore[reportPrivateUsage] -- the manager owns the binding
        return notebook

    def _notebook(
        self, response: ep.RawResponse, organization_id: str, job_definition_name: str
    ) -> NotebookT:
        return self._bind(
            ep.parse_model(response, self._model), organization_id, job_definition_name
        )

    def _page(
        self,
        response: ep.RawResponse,
        organization_id: str,
        job_definition_name: str,
        *,
        offset: int,
        limit: int | None,
    ) -> NotebookPage[NotebookT]:
        page = ep.parse_page(response, self._model, offset=offset, limit=limit)
        for notebook in page.entries:
            self._bind(notebook, organization_id, job_definition_name)
        return page

    def _action(
        self, response: ep.RawResponse, organization_id: str, job_definition_name: str
    ) -> NotebookT | None:
        """A start/stop answer as a notebook, or ``None`` when it must be re-read."""
        if response.replayed:
            return None
        result = ep.parse_action(response, self._model)
        if isinstance(result, Message):
            return None
        return self._bind(result, organization_id, job_definition_name)
