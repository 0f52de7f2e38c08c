"""``client.notebooks.with_raw_response``: the HTTP details of each single-request operation.

Every test runs for the sync client and the async one (over HTTP and in-process), against the
emulator.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

import httpx
import pytest

from abeja_notebooks import (
    Client,
    Conflict,
    LogPage,
    Message,
    Notebook,
    NotebookPage,
    Notebooks,
    NotebookStatus,
    NotebooksWithRawResponse,
    NotFound,
    ResponseValidationError,
    ServiceUnavailable,
    SystemClock,
)
from abeja_notebooks.testing import Emulator, ManualClock, RecordedRequest
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.dual import unwrap
from tests.support import JOB, PREFIX, MakeClient

Target = Notebooks | NotebooksWithRawResponse


def _sent(request: RecordedRequest, notebook_id: str) -> tuple[str, str, object, object]:
    """What went over the wire, the notebook id written as ``{id}``."""
    path = request.raw_path.removeprefix(PREFIX).replace(notebook_id, "{id}")
    return request.method, path, request.query, request.json


# Each operation, called the same way on the manager and on its raw accessor; the status the
# notebook must be in first.
OPERATIONS: dict[str, tuple[Literal["Running", "Stopped"], Callable[[Target, str], object]]] = {
    "create": ("Stopped", lambda n, _: n.create(JOB, instance_type="cpu-1", notebook_type="lab")),
    "get": ("Stopped", lambda n, nid: n.get(JOB, nid)),
    "update": ("Stopped", lambda n, nid: n.update(JOB, nid, instance_type="cpu-4")),
    "delete": ("Stopped", lambda n, nid: n.delete(JOB, nid)),
    "start": ("Stopped", lambda n, nid: n.start(JOB, nid, notebook_type="lab")),
    "stop": ("Running", lambda n, nid: n.stop(JOB, nid)),
    "list_page": ("Stopped", lambda n, _: n.list_page(JOB, offset=0, limit=5)),
    "recent_logs": ("Running", lambda n, nid: n.recent_logs(JOB, nid)),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_raw_method_sends_exactly_the_request_of_the_plain_method(
    client: Client, emulator: Emulator, operation: str
) -> None:
    status, call = OPERATIONS[operation]
    plain_id, raw_id = emulator.seed(2, status=status)

    call(client.notebooks, plain_id)
    (plain,) = emulator.requests
    emulator.clear_requests()
    call(client.notebooks.with_raw_response, raw_id)
    (raw,) = emulator.requests

    assert _sent(raw, raw_id) == _sent(plain, plain_id)


def test_a_raw_get_gives_the_answers_status_headers_and_request_id(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)

    response = client.notebooks.with_raw_response.get(JOB, nid)

    (request,) = emulator.requests
    assert response.status_code == 200
    assert isinstance(response.headers, httpx.Headers)
    assert response.headers["Content-Type"] == "application/json"
    assert response.request_id == request.request_id != ""
    assert response.headers["x-request-id"] == request.request_id
    assert response.retries_taken == 0
    assert response.elapsed == timedelta(0)  # the manual clock did not move


def test_parse_gives_a_bound_notebook_and_the_same_one_every_time(
    client: Client, emulator: Emulator, notebook_class: type[Notebook]
) -> None:
    (nid,) = emulator.seed(1)
    response = client.notebooks.with_raw_response.get(JOB, nid)

    nb = response.parse()

    assert response.parse() is nb
    assert type(unwrap(nb)) is notebook_class
    assert nb.to_dict() == emulator.notebook(nid)
    assert nb.start().status is NotebookStatus.PENDING  # bound to the client
    assert len(emulator.requests) == 2


def test_each_raw_method_parses_to_what_its_operation_answers(
    client: Client, emulator: Emulator, notebook_class: type[Notebook]
) -> None:
    (nid,) = emulator.seed(1, status="Running")
    raw = client.notebooks.with_raw_response

    created = raw.create(JOB, instance_type="cpu-1").parse()
    page = raw.list_page(JOB, limit=1).parse()
    logs = raw.recent_logs(JOB, nid).parse()
    written = [event["message"] for event in emulator.log_events(nid)]
    stopped = raw.stop(JOB, nid).parse()
    deleted = raw.delete(JOB, nid).parse()

    assert type(unwrap(created)) is notebook_class
    assert created.instance_type == "cpu-1"
    assert isinstance(page, NotebookPage)
    assert (page.total, [nb.id for nb in page.entries]) == (2, [nid])
    assert isinstance(logs, LogPage)
    assert logs.events
    assert [event.message for event in logs.events] == written[-len(logs.events) :]
    assert type(unwrap(stopped)) is notebook_class
    assert not isinstance(stopped, Message)
    assert stopped.status is NotebookStatus.STOPPED
    assert deleted == Message(message=f"{nid} deleted")


def test_a_raw_start_answered_with_a_message_gives_the_message_and_reads_nothing_more(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    emulator.action_response = "message"

    response = client.notebooks.with_raw_response.start(JOB, nid)

    assert response.parse() == Message(message=f"{nid} started")
    assert [(r.method, r.raw_path) for r in emulator.requests] == [
        ("POST", f"{PREFIX}/{nid}/start")
    ]


def test_a_raw_stop_whose_retry_finds_it_stopped_gives_the_409_and_a_message(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Running")
    emulator.inject(drop=True, method="POST", after=True)  # stopped, but the answer is lost

    response = client.notebooks.with_raw_response.stop(JOB, nid)

    assert response.status_code == 409
    assert response.parse() == Message(message=f"{nid} stopped")
    assert response.retries_taken == 1
    assert response.request_id == emulator.requests[-1].request_id
    assert response.elapsed == timedelta(seconds=clock.sleeps[0])
    assert len(emulator.requests) == 2
    assert emulator.notebook(nid)["status"] == "Stopped"


def test_two_retried_503s_count_as_two_retries_and_their_waits_are_in_elapsed(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(status=503, times=2)

    response = client.notebooks.with_raw_response.get(JOB, nid)

    assert response.retries_taken == 2
    assert len(emulator.requests) == 3
    assert clock.sleeps == [0.5, 1.0]
    assert response.elapsed == timedelta(seconds=1.5)
    assert response.status_code == 200
    assert response.request_id == emulator.requests[-1].request_id  # the final answer's


def test_the_elapsed_time_includes_the_waits_of_a_retry_after(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=429, retry_after="7")

    response = client.notebooks.with_raw_response.list_page(JOB)

    assert (response.retries_taken, clock.sleeps) == (1, [7.0])
    assert response.elapsed == timedelta(seconds=7)


def test_on_the_system_clock_elapsed_is_the_real_time_taken(
    make_client: MakeClient, emulator: Emulator
) -> None:
    client = make_client(clock=SystemClock())
    emulator.inject(latency=0.2)  # real seconds, before the answer

    response = client.notebooks.with_raw_response.list_page(JOB)

    assert timedelta(seconds=0.2) <= response.elapsed < timedelta(seconds=10)


def test_an_error_answer_raises_the_plain_methods_error(client: Client, emulator: Emulator) -> None:
    (stopped,) = emulator.seed(1, status="Stopped")
    raw = client.notebooks.with_raw_response

    with pytest.raises(NotFound) as missing:
        raw.get(JOB, "1234")
    with pytest.raises(Conflict) as conflict:
        raw.stop(JOB, stopped)

    assert missing.value.request_id == emulator.requests[0].request_id
    assert conflict.value.request_id == emulator.requests[1].request_id
    assert conflict.value.status_code == 409


def test_retries_spent_raise_the_error_of_the_last_answer(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=503, times=10)

    with pytest.raises(ServiceUnavailable) as caught:
        client.notebooks.with_raw_response.list_page(JOB)

    assert "after 4 attempts" in str(caught.value)
    assert caught.value.request_id == emulator.requests[-1].request_id
    assert len(clock.sleeps) == 3


def test_bad_arguments_raise_before_anything_is_sent(client: Client, emulator: Emulator) -> None:
    raw = client.notebooks.with_raw_response

    with pytest.raises(ValueError, match="notebook_type must be 'notebook' or 'lab'"):
        raw.create(JOB, notebook_type="jupyter")  # type: ignore[arg-type]  # bad on purpose
    with pytest.raises(ValueError, match="notebook_id"):
        raw.get(JOB, "")

    assert emulator.requests == []


def test_a_2xx_answer_that_does_not_parse_raises_at_the_call_like_the_plain_method(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(malformed=True, method="GET")

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.with_raw_response.get(JOB, nid)

    assert caught.value.status_code == 200
    assert caught.value.url.endswith(f"/notebooks/{nid}")
    assert len(emulator.requests) == 1  # not retried: the same answer would come again


def test_a_request_id_that_echoes_the_credentials_is_blanked_out(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(headers={"x-request-id": f"echo-{TEST_TOKEN}"})

    response = client.notebooks.with_raw_response.get(JOB, nid)

    assert response.request_id == "echo-***"
    assert TEST_TOKEN not in repr(response)


def test_http_response_is_the_final_answer_with_its_body_and_request(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)

    response = client.notebooks.with_raw_response.get(JOB, nid)
    http = response.http_response

    assert isinstance(http, httpx.Response)
    assert http.status_code == 200
    assert http.headers == response.headers
    assert http.json() == emulator.notebook(nid)
    assert http.request.method == "GET"
    assert http.request.url == client.settings.base_url + f"{PREFIX}/{nid}"
    assert response.http_response is http


def test_a_compressed_answer_is_readable_and_keeps_its_headers(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    body: dict[str, Any] = emulator.notebook(nid)
    emulator.inject(
        body=gzip.compress(json.dumps(body).encode()), headers={"Content-Encoding": "gzip"}
    )

    response = client.notebooks.with_raw_response.get(JOB, nid)

    assert response.headers["Content-Encoding"] == "gzip"
    assert response.http_response.json() == body
    assert response.parse().to_dict() == body


def test_the_accessor_follows_the_clients_options(client: Client, emulator: Emulator) -> None:
    emulator.inject(status=503)
    impatient = client.with_options(max_retries=0)

    with pytest.raises(ServiceUnavailable):
        impatient.notebooks.with_raw_response.list_page(JOB)
    assert client.notebooks.with_raw_response.list_page(JOB).retries_taken == 0
    assert len(emulator.requests) == 2


def test_the_debug_log_gives_the_request_id_of_each_answer_of_a_listing(
    client: Client, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Listings, log reading and waits have no raw form: their request ids are in the log."""
    emulator.seed(5)
    caplog.set_level(logging.DEBUG, logger="abeja_notebooks")

    assert len(list(client.notebooks.list(JOB, page_size=2))) == 5

    url = client.settings.base_url + PREFIX
    answers = [r.getMessage() for r in caplog.records if " -> " in r.getMessage()]
    assert answers == [f"GET {url} -> 200 (request id {r.request_id})" for r in emulator.requests]
    assert len(answers) == 3
