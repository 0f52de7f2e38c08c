"""Type-level tests of the asynchronous API: checked by mypy --strict and pyright strict, never run.

The async surface mirrors the sync one: awaited results are the same models, iteration is
``async for``, and forgetting an ``await`` or using ``for`` instead of ``async for`` is rejected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import assert_type

import httpx

from abeja_notebooks import (
    APIResponse,
    AsyncClient,
    AsyncNotebook,
    AsyncNotebookIterator,
    AsyncNotebooks,
    AsyncNotebooksWithRawResponse,
    BaseNotebook,
    Creator,
    LogEvent,
    LogPage,
    Message,
    Notebook,
    NotebookPage,
    NotebookStatus,
)


async def client_surface() -> None:
    client = AsyncClient(organization_id="1", auth_token="t", limits=httpx.Limits())
    assert_type(client.notebooks, AsyncNotebooks)
    assert_type(client.with_options(deadline=60), AsyncClient)
    async with AsyncClient(http_client=httpx.AsyncClient()) as entered:
        assert_type(entered, AsyncClient)
    await client.aclose()


async def manager_results(notebooks: AsyncNotebooks) -> None:
    assert_type(await notebooks.create("job", instance_type="cpu-1"), AsyncNotebook)
    assert_type(await notebooks.get("job", "id"), AsyncNotebook)
    assert_type(await notebooks.update("job", "id", image="img"), AsyncNotebook)
    assert_type(await notebooks.start("job", "id"), AsyncNotebook)
    assert_type(await notebooks.stop("job", "id"), AsyncNotebook)
    assert_type(await notebooks.delete("job", "id"), None)
    assert_type(notebooks.list("job", page_size=10), AsyncNotebookIterator)
    assert_type(await notebooks.list_page("job", limit=5), NotebookPage[AsyncNotebook])
    assert_type(await notebooks.recent_logs("job", "id"), LogPage)
    assert_type(notebooks.logs("job", "id", follow=True), AsyncIterator[LogEvent])
    assert_type(await notebooks.wait_until("job", "id", "Running"), AsyncNotebook)


async def raw_responses(notebooks: AsyncNotebooks) -> None:
    raw = notebooks.with_raw_response
    assert_type(raw, AsyncNotebooksWithRawResponse)
    assert_type(await raw.create("job", image="img"), APIResponse[AsyncNotebook])
    assert_type(await raw.get("job", "id"), APIResponse[AsyncNotebook])
    assert_type(await raw.update("job", "id", instance_type="cpu-4"), APIResponse[AsyncNotebook])
    assert_type(await raw.delete("job", "id"), APIResponse[Message])
    assert_type(await raw.start("job", "id"), APIResponse[AsyncNotebook | Message])
    assert_type(await raw.stop("job", "id"), APIResponse[AsyncNotebook | Message])
    assert_type(await raw.list_page("job", limit=5), APIResponse[NotebookPage[AsyncNotebook]])
    assert_type(await raw.recent_logs("job", "id"), APIResponse[LogPage])
    response = await raw.get("job", "id")
    assert_type(response.status_code, int)
    assert_type(response.headers, httpx.Headers)
    assert_type(response.request_id, str | None)
    assert_type(response.elapsed, timedelta)
    assert_type(response.retries_taken, int)
    assert_type(response.http_response, httpx.Response)
    assert_type(response.parse(), AsyncNotebook)  # the body is read: no await
    assert_type(await response.parse().stop(), AsyncNotebook)


async def iteration(notebooks: AsyncNotebooks) -> None:
    async for nb in notebooks.list("job"):
        assert_type(nb, AsyncNotebook)
        assert_type(nb.created_at, datetime)
        assert_type(nb.status, NotebookStatus)
        assert_type(nb.creator, Creator)
    async for page in notebooks.list("job").pages():
        assert_type(page, NotebookPage[AsyncNotebook])
    async for event in notebooks.logs("job", "id", history=True):
        assert_type(event, LogEvent)


async def bound_notebook(nb: AsyncNotebook) -> None:
    assert_type(await nb.refresh(), AsyncNotebook)
    assert_type(await nb.update(instance_type="cpu-4"), AsyncNotebook)
    assert_type(await nb.start(notebook_type="lab"), AsyncNotebook)
    assert_type(await nb.stop(), AsyncNotebook)
    assert_type(await nb.delete(), None)
    assert_type(await nb.wait_until(NotebookStatus.STOPPED), AsyncNotebook)
    assert_type(nb.logs(), AsyncIterator[LogEvent])
    assert_type(nb.id, str)


def siblings(sync_nb: Notebook, async_nb: AsyncNotebook) -> None:
    shared: list[BaseNotebook] = [sync_nb, async_nb]  # both are notebooks with the same fields
    assert_type(shared[0].modified_at, datetime)


async def misuse(client: AsyncClient, nb: AsyncNotebook) -> None:
    _ = nb.refresh().status  # type: ignore[attr-defined]
    for _ in client.notebooks.list("job"):  # type: ignore[attr-defined]
        pass
    for _ in nb.logs():  # type: ignore[attr-defined]
        pass
    await client.notebooks.get("job")  # type: ignore[call-arg]
    nb.status = NotebookStatus.FAILED  # type: ignore[misc]
    AsyncClient(http_client=httpx.Client())  # type: ignore[arg-type]
    await client.notebooks.create("job", notebook_type="jupyter")  # type: ignore[arg-type]
    await nb.update(notebook_type="Lab")  # type: ignore[arg-type]
    with client:  # type: ignore[attr-defined]
        pass
    raw = client.notebooks.with_raw_response
    _ = raw.get("job", "id").status_code  # type: ignore[attr-defined]
    await raw.list("job")  # type: ignore[attr-defined]
    await (await raw.get("job", "id")).parse()  # type: ignore[misc]
