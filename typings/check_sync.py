"""Type-level tests of the synchronous API: checked by mypy --strict and pyright strict, never run.

Each ``assert_type`` pins what a user's type checker sees. Each ``# type: ignore[code]`` line is
misuse that must stay rejected: with ``warn_unused_ignores`` (mypy) and
``reportUnnecessaryTypeIgnoreComment`` (pyright), the check fails if the error ever goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import assert_type

import httpx

from abeja_notebooks import (
    NOT_GIVEN,
    APIResponse,
    Client,
    Creator,
    HttpError,
    LogEvent,
    LogPage,
    Message,
    Notebook,
    NotebookDict,
    NotebookFailed,
    NotebookIterator,
    NotebookPage,
    Notebooks,
    NotebookStatus,
    NotebooksWithRawResponse,
    NotFound,
    RetryPolicy,
    WaitTimeout,
)
from abeja_notebooks._models import BaseNotebook


def client_surface() -> None:
    client = Client(organization_id="1", auth_token="t", timeout=10, max_retries=0)
    assert_type(client, Client)
    assert_type(client.notebooks, Notebooks)
    assert_type(client.organization_id, str | None)
    assert_type(client.with_options(timeout=None), Client)
    assert_type(client.with_options(max_retries=NOT_GIVEN), Client)
    with Client(http_client=httpx.Client(), retry_policy=RetryPolicy(jitter=0)) as entered:
        assert_type(entered, Client)
    client.close()


def manager_results(notebooks: Notebooks) -> None:
    assert_type(notebooks.create("job", instance_type="cpu-1"), Notebook)
    assert_type(notebooks.get("job", "id"), Notebook)
    assert_type(notebooks.update("job", "id", image="img"), Notebook)
    assert_type(notebooks.start("job", "id", notebook_type="lab"), Notebook)
    assert_type(notebooks.stop("job", "id"), Notebook)
    assert_type(notebooks.delete("job", "id"), None)
    assert_type(notebooks.list("job", page_size=10, max_items=5), NotebookIterator)
    assert_type(notebooks.list_page("job", offset=0, limit=50), NotebookPage[Notebook])
    assert_type(notebooks.recent_logs("job", "id", next_forward_token="t"), LogPage)
    assert_type(notebooks.logs("job", "id", follow=True, timeout=5), Iterator[LogEvent])
    assert_type(notebooks.wait_until("job", "id", NotebookStatus.RUNNING), Notebook)
    assert_type(notebooks.wait_until("job", "id", ["Running", "Stopped"]), Notebook)
    assert_type(notebooks.get("job", "id", organization_id="2"), Notebook)


def raw_responses(notebooks: Notebooks) -> None:
    raw = notebooks.with_raw_response
    assert_type(raw, NotebooksWithRawResponse)
    assert_type(raw.create("job", instance_type="cpu-1"), APIResponse[Notebook])
    assert_type(raw.get("job", "id", organization_id="2"), APIResponse[Notebook])
    assert_type(raw.update("job", "id", image="img"), APIResponse[Notebook])
    assert_type(raw.delete("job", "id"), APIResponse[Message])
    assert_type(raw.start("job", "id", notebook_type="lab"), APIResponse[Notebook | Message])
    assert_type(raw.stop("job", "id"), APIResponse[Notebook | Message])
    assert_type(raw.list_page("job", offset=0, limit=50), APIResponse[NotebookPage[Notebook]])
    assert_type(raw.recent_logs("job", "id", next_forward_token="t"), APIResponse[LogPage])
    response = raw.get("job", "id")
    assert_type(response.status_code, int)
    assert_type(response.headers, httpx.Headers)
    assert_type(response.request_id, str | None)
    assert_type(response.elapsed, timedelta)
    assert_type(response.retries_taken, int)
    assert_type(response.http_response, httpx.Response)
    assert_type(response.parse(), Notebook)
    assert_type(response.parse().stop(), Notebook)
    started = raw.start("job", "id").parse()
    if isinstance(started, Message):
        assert_type(started.message, str)
    else:
        assert_type(started.status, NotebookStatus)
    either_answer(response)  # an APIResponse is read-only, so covariant in what it parses to


def either_answer(response: APIResponse[Notebook | Message]) -> None:
    assert_type(response.parse(), Notebook | Message)


def iteration(notebooks: Notebooks) -> None:
    for nb in notebooks.list("job"):
        assert_type(nb, Notebook)
    for page in notebooks.list("job").pages():
        assert_type(page, NotebookPage[Notebook])
        assert_type(page.entries, list[Notebook])
        assert_type(page.total, int)
        assert_type(page.next_offset, int)
    for event in notebooks.logs("job", "id"):
        assert_type(event, LogEvent)
        assert_type(event.timestamp, datetime)
        assert_type(event.message, str)


def bound_notebook(nb: Notebook) -> None:
    assert_type(nb.refresh(), Notebook)
    assert_type(nb.update(instance_type="cpu-4"), Notebook)
    assert_type(nb.start(), Notebook)
    assert_type(nb.stop(), Notebook)
    assert_type(nb.delete(), None)
    assert_type(nb.wait_until("Running", timeout=None), Notebook)
    assert_type(nb.logs(history=True), Iterator[LogEvent])
    assert_type(nb.recent_logs(), LogPage)
    assert_type(nb.to_dict(), NotebookDict)
    assert_type(nb.to_json(indent=2), str)


def notebook_fields(nb: Notebook) -> None:
    assert_type(nb.id, str)
    assert_type(nb.training_notebook_id, str)
    assert_type(nb.job_definition_id, str)
    assert_type(nb.job_definition_name, str | None)
    assert_type(nb.organization_id, str | None)
    assert_type(nb.name, str)
    assert_type(nb.description, str | None)
    assert_type(nb.status, NotebookStatus)
    assert_type(nb.status.is_known, bool)
    assert_type(nb.status_message, str | None)
    assert_type(nb.instance_type, str)
    assert_type(nb.image, str)
    assert_type(nb.created_at, datetime)
    assert_type(nb.modified_at, datetime)
    assert_type(nb.creator, Creator)
    assert_type(nb.creator.id, str)
    assert_type(nb.creator.email, str | None)
    assert_type(nb.creator.display_name, str | None)
    assert_type(nb.creator.is_registered, bool | None)
    assert_type(nb.creator.created_at, datetime | None)


def log_page(page: LogPage) -> None:
    assert_type(page.events, list[LogEvent])
    assert_type(page.next_forward_token, str | None)
    assert_type(page.next_backward_token, str | None)


def errors() -> None:
    try:
        pass
    except NotFound as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.request_id, str | None)
        assert_type(exc.error, str | None)
        assert_type(exc.body, str)
    except HttpError as exc:
        assert_type(exc.url, str)
    except WaitTimeout as exc:
        assert_type(exc.notebook, BaseNotebook)
    except NotebookFailed as exc:
        assert_type(exc.notebook.status, NotebookStatus)


def misuse(client: Client, nb: Notebook, creator: Creator, event: LogEvent) -> None:
    client.notebooks.get("id")  # type: ignore[call-arg]
    client.notebooks.get(123, "id")  # type: ignore[arg-type]
    client.notebooks.create()  # type: ignore[call-arg]
    client.notebooks.create("job", "cpu-1")  # type: ignore[call-arg]
    client.notebooks.list("job", page_size="10")  # type: ignore[arg-type]
    client.notebooks.list_page("job", 0, 10)  # type: ignore[call-arg]
    Client("org")  # type: ignore[call-arg]
    Client(timeout="30")  # type: ignore[arg-type]
    nb.status = NotebookStatus.RUNNING  # type: ignore[misc]
    creator.email = "x@example.com"  # type: ignore[misc]
    event.message = "edited"  # type: ignore[misc]
    _ = nb.staus  # type: ignore[attr-defined]
    nb.update("cpu-4")  # type: ignore[call-arg]
    nb.wait_until(3)  # type: ignore[arg-type]
    client.notebooks.logs("job", "id", follow="yes")  # type: ignore[arg-type]
    nb.start(notebook_type="jupyter")  # type: ignore[arg-type]
    raw = client.notebooks.with_raw_response
    raw.list("job")  # type: ignore[attr-defined]
    raw.logs("job", "id")  # type: ignore[attr-defined]
    raw.wait_until("job", "id", "Running")  # type: ignore[attr-defined]
    raw.get("id")  # type: ignore[call-arg]
    _ = raw.get("job", "id").status  # type: ignore[attr-defined]
    _ = raw.get("job", "id").parse().staus  # type: ignore[attr-defined]
    raw.get("job", "id").status_code = 201  # type: ignore[misc]
    _ = raw.stop("job", "id").parse().status  # type: ignore[union-attr]
