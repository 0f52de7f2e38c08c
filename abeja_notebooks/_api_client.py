"""The low-level client: a drop-in replacement for ``abeja.notebook.APIClient``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from . import _endpoints as ep
from ._clock import Clock
from ._config import (
    DEFAULT_MAX_RESPONSE_SIZE,
    NOT_GIVEN,
    RetryPolicy,
    Settings,
    check_max_retries,
)
from ._transport import Transport
from ._types import (
    ActionNotebookDict,
    DeleteDict,
    LogPageDict,
    MessageDict,
    NotebookDict,
    NotebookPageDict,
    NotebookType,
)

__all__ = ["APIClient"]


class APIClient:
    """A low-level client for the Notebook API, returning the JSON the server sent as dicts.

    The dicts are typed (``TypedDict``s such as `NotebookDict`),
    so a type checker catches a misspelled key; their values are what the server sent.

    It has the constructor and the eight methods of ``abeja.notebook.APIClient`` from
    ``abeja-sdk``, with the same names, parameters, order and defaults, and puts the same
    requests on the wire, so an existing script migrates by changing one import:

    ```python
    from abeja_notebooks import APIClient   # was: from abeja.notebook import APIClient

    api_client = APIClient()
    notebook = api_client.create_notebook("1410000000000", "train-resnet", "cpu-1")
    ```

    What changed, on purpose: requests run over one pooled connection; ``create_notebook`` is never
    retried once the server may have acted on it (no duplicate notebooks); 429 is retried;
    ``max_retry_count=0`` disables retries; path segments are percent-encoded; env numbers are
    parsed; transport failures raise `APIConnectionError`
    instead of raw exceptions; missing credentials raise
    `ConfigurationError` at the first request instead of
    sending an unauthenticated one; an answer about another notebook or page than the one asked
    for is never returned; answers are limited in size (``max_response_size``) and calls in time
    (``timeout`` per attempt, ``deadline`` per call). For typed models instead of dicts, use
    `Client`.

    Args:
        credential: ``{"auth_token": ...}``, ``{"user_id": ..., "personal_access_token": ...}``
            or ``{"datasource_id": ..., "datasource_secret": ...}``. Not modified. Default: the
            environment (``PLATFORM_AUTH_TOKEN``, or ``ABEJA_PLATFORM_USER_ID`` +
            ``ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN``, or the datasource pair); with none there,
            the active configuration of ``~/.abeja/config`` (its API root too, unless
            ``base_url`` or ``ABEJA_API_URL`` is set).
        timeout: Seconds per attempt. Default ``ABEJA_SDK_CONNECTION_TIMEOUT``, else 30.
        max_retry_count: Retries after the first attempt; 0 disables them. Default
            ``ABEJA_SDK_MAX_RETRY_COUNT``, else 3.
        base_url: The API root. Default ``ABEJA_API_URL``, else ``https://api.abeja.io``.
        http_client: An ``httpx.Client`` to send with, used as is and never closed by us.
        retry_policy: The delays between attempts.
        deadline: An overall bound in seconds on each call, attempts and sleeps included.
        max_response_size: The most bytes an answer's body may hold, after decompression;
            a larger one raises `ResponseTooLarge`.
            Default 16 MiB.
        clock: Where to read time and sleep (tests pass the emulator's ``ManualClock``).

    Raises:
        ConfigurationError: An environment variable or the configuration file holds an unusable
            value.
        ValueError: An argument holds an unusable value.
        TypeError: ``http_client`` is not an ``httpx.Client``.
    """

    def __init__(
        self,
        credential: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        max_retry_count: int | None = None,
        *,
        base_url: str | None = None,
        http_client: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        deadline: float | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        clock: Clock | None = None,
    ) -> None:
        settings = Settings.build(
            base_url=base_url,
            credential=credential,
            timeout=NOT_GIVEN if timeout is None else timeout,
            max_retries=None
            if max_retry_count is None
            else check_max_retries(max_retry_count, "max_retry_count"),
            retry_policy=retry_policy,
            deadline=deadline,
            file_fills="credentials",
            max_response_size=max_response_size,
        )
        self._transport = Transport(settings, http_client=http_client, clock=clock)

    @property
    def settings(self) -> Settings:
        """The settings in effect (credentials hidden in its ``repr``)."""
        return self._transport.settings

    def __repr__(self) -> str:
        return f"APIClient(base_url={self.settings.base_url!r})"

    def close(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, request: ep.ApiRequest, replayed: dict[str, Any] | None = None) -> Any:
        """Send ``request``; its JSON answer as the server sent it (each method declares its
        shape, unchecked), or ``replayed`` when a retry found the job done."""

        def parse(response: ep.RawResponse) -> Any:
            if response.replayed and replayed is not None:
                return replayed
            data: Any = ep.parse_json(response)
            ep.check_identity(response, request, data)
            return data

        return self._transport.send(ep.Call(request, parse))

    def _action(
        self, request: ep.ApiRequest, get: ep.ApiRequest
    ) -> ActionNotebookDict | MessageDict:
        done: dict[str, Any] = {}  # what a retry answered 409 stands for: read the notebook
        data = self._send(request, done)
        answer: ActionNotebookDict | MessageDict = self._send(get) if data is done else data
        return answer

    def create_notebook(
        self,
        organization_id: str,
        job_definition_name: str,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
        *,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
    ) -> NotebookDict:
        """Create a notebook.

        ``POST /organizations/{org}/training/definitions/{job_definition_name}/notebooks``

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            instance_type: e.g. ``"cpu-1"``; sent only when given.
            image: The runtime image, e.g. ``"abeja-inc/all-cpu:19.10"``; sent only when given.
            notebook_type: ``"notebook"`` or ``"lab"``; sent only when given.
            datalakes: Datalake channel ids to mount (alpha); sent only when given.
            buckets: Bucket ids to mount (alpha); sent only when given.
            datasets: ``{alias: dataset_id}`` to mount (alpha); sent only when given.

        Returns:
            The new notebook, as the server sent it.

        Raises:
            ValueError: An argument is empty or malformed (nothing is sent).
            NotFound: The organization or job definition does not exist.
            BadRequest: The server rejected a setting.
            Unauthorized: Authentication failed.
            APIConnectionError: No answer; a create is retried only when it cannot have arrived.
        """
        created: NotebookDict = self._send(
            ep.create_request(
                organization_id,
                job_definition_name,
                instance_type=instance_type,
                image=image,
                notebook_type=notebook_type,
                datalakes=datalakes,
                buckets=buckets,
                datasets=datasets,
            )
        )
        return created

    def get_notebooks(
        self,
        organization_id: str,
        job_definition_name: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
    ) -> NotebookPageDict | list[NotebookDict]:
        """Get one page of notebooks.

        ``GET /organizations/{org}/training/definitions/{job_definition_name}/notebooks``

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            offset: Skip this many notebooks; sent only when given.
            limit: At most this many notebooks; sent only when given (server default 10).

        Returns:
            ``{"total", "offset", "limit", "entries": [...]}`` as the server sent it. An older
            server sends a bare list of notebooks; it is returned as is
            (``isinstance(answer, list)`` tells the two apart).

        Raises:
            NotFound: The organization or job definition does not exist.
            Unauthorized: Authentication failed.
        """
        listing: NotebookPageDict | list[NotebookDict] = self._send(
            ep.list_request(organization_id, job_definition_name, offset=offset, limit=limit)
        )
        return listing

    def get_notebook(
        self, organization_id: str, job_definition_name: str, notebook_id: str | None = None
    ) -> NotebookDict:
        """Get a notebook.

        ``GET .../notebooks/{notebook_id}``

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id (required; ``None`` is kept in the signature only for
                compatibility and raises ``TypeError``).

        Returns:
            The notebook, as the server sent it.

        Raises:
            TypeError: ``notebook_id`` is missing (nothing is sent).
            NotFound: The notebook does not exist.
            Unauthorized: Authentication failed.
        """
        if notebook_id is None:
            raise TypeError("get_notebook() needs a notebook_id")
        notebook: NotebookDict = self._send(
            ep.get_request(organization_id, job_definition_name, notebook_id)
        )
        return notebook

    def update_notebook(
        self,
        organization_id: str,
        job_definition_name: str,
        notebook_id: str,
        instance_type: str | None = None,
        image: str | None = None,
        notebook_type: NotebookType | None = None,
    ) -> ActionNotebookDict:
        """Update a notebook's settings (``PUT``; only the settings given are sent).

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id.
            instance_type: e.g. ``"cpu-4"``.
            image: The runtime image.
            notebook_type: ``"notebook"`` or ``"lab"``.

        Returns:
            The updated notebook, as the server sent it (its ``training_notebook_id`` may be
            ``0``: see `ActionNotebookDict`).

        Raises:
            ValueError: An argument is empty or malformed (nothing is sent).
            NotFound: The notebook does not exist.
            BadRequest: The server rejected a setting.
            Unauthorized: Authentication failed.
        """
        updated: ActionNotebookDict = self._send(
            ep.update_request(
                organization_id,
                job_definition_name,
                notebook_id,
                instance_type=instance_type,
                image=image,
                notebook_type=notebook_type,
            )
        )
        return updated

    def delete_notebook(
        self, organization_id: str, job_definition_name: str, notebook_id: str
    ) -> DeleteDict | MessageDict:
        """Delete a notebook (``DELETE``, no body).

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id.

        Returns:
            ``{"value": {"message": "<id> deleted"}}`` (or ``{"message": ...}``) as sent. When a
            retry finds the notebook already gone because an earlier attempt deleted it, the
            same ``{"value": {"message": "<id> deleted"}}`` is returned. ``"value" in answer``
            tells the two forms apart.

        Raises:
            NotFound: The notebook does not exist.
            Unauthorized: Authentication failed.
        """
        request = ep.delete_request(organization_id, job_definition_name, notebook_id)
        # An earlier attempt deleted it, when a retry meets 404: say so as the server would have.
        deleted: DeleteDict | MessageDict = self._send(
            request, {"value": {"message": f"{notebook_id} deleted"}}
        )
        return deleted

    def start_notebook(
        self,
        organization_id: str,
        job_definition_name: str,
        notebook_id: str,
        notebook_type: NotebookType | None = None,
        *,
        datalakes: Sequence[str] | None = None,
        buckets: Sequence[str] | None = None,
        datasets: Mapping[str, str] | None = None,
    ) -> ActionNotebookDict | MessageDict:
        """Start a notebook.

        If a retry of the start is answered 409 because an earlier attempt had already
        started it, the notebook is read and returned instead of raising.

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id.
            notebook_type: ``"notebook"`` or ``"lab"``; sent only when given.
            datalakes: Datalake channel ids to mount (alpha); sent only when given.
            buckets: Bucket ids to mount (alpha); sent only when given.
            datasets: ``{alias: dataset_id}`` to mount (alpha); sent only when given.

        Returns:
            The notebook (see `ActionNotebookDict`), or
            ``{"message": ...}``, as the server sent it; ``"message" in answer`` tells them apart.

        Raises:
            Conflict: The notebook is already running or starting.
            NotFound: The notebook does not exist.
            Unauthorized: Authentication failed.
        """
        return self._action(
            ep.start_request(
                organization_id,
                job_definition_name,
                notebook_id,
                notebook_type=notebook_type,
                datalakes=datalakes,
                buckets=buckets,
                datasets=datasets,
            ),
            ep.get_request(organization_id, job_definition_name, notebook_id),
        )

    def stop_notebook(
        self, organization_id: str, job_definition_name: str, notebook_id: str
    ) -> ActionNotebookDict | MessageDict:
        """Stop a notebook.

        If a retry of the stop is answered 409 because an earlier attempt had already
        stopped it, the notebook is read and returned instead of raising.

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id.

        Returns:
            The notebook (see `ActionNotebookDict`), or
            ``{"message": ...}``, as the server sent it; ``"message" in answer`` tells them apart.

        Raises:
            Conflict: The notebook is not running.
            NotFound: The notebook does not exist.
            Unauthorized: Authentication failed.
        """
        return self._action(
            ep.stop_request(organization_id, job_definition_name, notebook_id),
            ep.get_request(organization_id, job_definition_name, notebook_id),
        )

    def get_notebook_recent_logs(
        self,
        organization_id: str,
        job_definition_name: str,
        notebook_id: str,
        next_forward_token: str | None = None,
        next_backward_token: str | None = None,
    ) -> LogPageDict:
        """Get recent log events of a notebook.

        Args:
            organization_id: The organization id.
            job_definition_name: The training job definition name.
            notebook_id: The notebook id.
            next_forward_token: Ask for events newer than a previous answer's.
            next_backward_token: Ask for events older than a previous answer's.

        Returns:
            ``{"events": [{"message", "timestamp"}], "next_forward_token",
            "next_backward_token"}`` as the server sent it.

        Raises:
            NotFound: The notebook does not exist.
            Unauthorized: Authentication failed.
        """
        logs: LogPageDict = self._send(
            ep.recent_logs_request(
                organization_id,
                job_definition_name,
                notebook_id,
                next_forward_token=next_forward_token,
                next_backward_token=next_backward_token,
            )
        )
        return logs
