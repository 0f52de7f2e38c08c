"""Status codes map to typed errors with every attribute; retries follow the documented table."""

from __future__ import annotations

import email.utils
import logging
import pickle
import time

import httpx
import pytest

from abeja_notebooks import (
    APIClient,
    APIConnectionError,
    APITimeoutError,
    BadGateway,
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    GatewayTimeout,
    HttpError,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    ResponseValidationError,
    RetryPolicy,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
)
from abeja_notebooks.testing import Emulator, ManualClock
from tests.support import FIXTURES, JOB, ORG, PREFIX, MakeClient


@pytest.fixture
def no_retry(client: Client) -> Client:
    return client.with_options(max_retries=0)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (405, MethodNotAllowed),
        (409, Conflict),
        (422, UnprocessableEntity),
        (429, TooManyRequests),
        (500, InternalServerError),
        (502, BadGateway),
        (503, ServiceUnavailable),
        (504, GatewayTimeout),
        (418, HttpError),
    ],
)
def test_each_status_raises_its_class_with_every_attribute(
    no_retry: Client, emulator: Emulator, status: int, cls: type[HttpError]
) -> None:
    emulator.inject(status=status)

    with pytest.raises(cls) as caught:
        no_retry.notebooks.list_page(JOB)

    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.error is not None
    assert error.error_description is not None
    assert error.method == "GET"
    assert error.url == f"{no_retry.settings.base_url}{PREFIX}"
    assert error.request_id == emulator.requests[0].request_id != ""
    assert f'"error": "{error.error}"' in error.body
    assert str(status) in str(error)
    assert f"(request id {error.request_id})" in str(error)


def test_the_error_detail_of_a_bad_request_is_kept(no_retry: Client, emulator: Emulator) -> None:
    body = (FIXTURES / "error_bad_request.json").read_bytes()
    emulator.inject(status=400, body=body, content_type="application/json")

    with pytest.raises(BadRequest) as caught:
        no_retry.notebooks.create(JOB)

    error = caught.value
    assert error.error == "bad_request"
    assert error.error_description == "parameters is insufficient or invalid"
    assert error.error_detail == {"source_data": ["unknown field"]}
    assert str(error).startswith("parameters is insufficient or invalid: 400 Bad Request for POST ")


def test_an_html_error_page_still_raises_a_typed_error_with_an_excerpt(
    no_retry: Client, emulator: Emulator
) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1>" + b"x" * 2000 + b"</body></html>"
    emulator.inject(status=502, body=page, content_type="text/html")

    with pytest.raises(BadGateway) as caught:
        no_retry.notebooks.list_page(JOB)

    error = caught.value
    assert error.error is None
    assert error.body.startswith("<html><body><h1>502 Bad Gateway</h1>")
    assert len(error.body) < 600
    assert "<html>" in str(error)
    assert len(str(error)) < 500


def test_a_2xx_body_that_is_not_json_is_a_response_validation_error(
    client: Client, emulator: Emulator
) -> None:
    emulator.inject(malformed=True)

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.list_page(JOB)

    error = caught.value
    assert error.status_code == 200
    assert error.url.endswith(PREFIX)
    assert "not JSON" in str(error)
    assert error.body
    assert len(emulator.requests) == 1


def test_a_2xx_body_of_the_wrong_shape_names_the_problem(
    client: Client, emulator: Emulator
) -> None:
    emulator.inject(status=200, body=b'{"total": 1, "offset": 0, "limit": 1, "entries": [{}]}')

    with pytest.raises(ResponseValidationError) as caught:
        client.notebooks.list_page(JOB)

    assert "entries" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_the_low_level_client_raises_sdk_errors_not_httpx_ones(
    api: APIClient, emulator: Emulator
) -> None:
    emulator.inject(drop=True, times=10)

    with pytest.raises(APIConnectionError) as caught:
        api.get_notebooks(ORG, JOB)

    assert not isinstance(caught.value, httpx.HTTPError)
    assert "after 4 attempts" in str(caught.value)


def test_errors_pickle_with_their_attributes(no_retry: Client, emulator: Emulator) -> None:
    emulator.inject(status=404)
    with pytest.raises(NotFound) as caught:
        no_retry.notebooks.get(JOB, "123")

    again = pickle.loads(pickle.dumps(caught.value))

    assert type(again) is NotFound
    assert (again.status_code, again.request_id, str(again)) == (
        404,
        caught.value.request_id,
        str(caught.value),
    )


# --- retries --------------------------------------------------------------------------------


def test_a_get_is_retried_with_exponential_backoff(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=503, times=2)

    page = client.notebooks.list_page(JOB)

    assert page.total == 0
    assert len(emulator.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_retries_stop_after_max_retries_with_the_last_error(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=500, times=10)

    with pytest.raises(InternalServerError, match="after 4 attempts"):
        client.notebooks.list_page(JOB)

    assert len(emulator.requests) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_max_retries_zero_makes_exactly_one_attempt(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=503, times=10)

    with pytest.raises(ServiceUnavailable):
        client.with_options(max_retries=0).notebooks.list_page(JOB)

    assert len(emulator.requests) == 1
    assert clock.sleeps == []


def test_backoff_is_capped_and_jitter_only_shortens_it(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=502, times=10)
    policy = RetryPolicy(initial_delay=1.0, max_delay=3.0, jitter=0.5)
    client = make_client(max_retries=5, retry_policy=policy)

    with pytest.raises(BadGateway):
        client.notebooks.list_page(JOB)

    ceilings = [1.0, 2.0, 3.0, 3.0, 3.0]
    assert len(clock.sleeps) == 5
    for slept, ceiling in zip(clock.sleeps, ceilings, strict=True):
        assert ceiling * 0.5 <= slept <= ceiling


def test_retry_after_in_seconds_is_honoured(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=429, retry_after="7")

    client.notebooks.list_page(JOB)

    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=503, retry_after=email.utils.formatdate(time.time() + 10, usegmt=True))

    client.notebooks.list_page(JOB)

    assert len(clock.sleeps) == 1
    assert 8.0 <= clock.sleeps[0] <= 10.0


def test_a_retry_after_beyond_the_cap_raises_at_once(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=429, retry_after="3600")

    with pytest.raises(TooManyRequests):
        client.notebooks.list_page(JOB)

    assert len(emulator.requests) == 1
    assert clock.sleeps == []


def test_a_deadline_bounds_attempts_and_sleeps(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(status=503, times=10)

    with pytest.raises(ServiceUnavailable):
        client.with_options(deadline=2.0).notebooks.list_page(JOB)

    assert clock.sleeps == [0.5, 1.0]
    assert len(emulator.requests) == 3


def test_a_client_error_is_never_retried(client: Client, emulator: Emulator) -> None:
    with pytest.raises(NotFound):
        client.notebooks.get(JOB, "does-not-exist")

    assert len(emulator.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 504, 408])
def test_a_create_is_not_retried_on_statuses_after_which_the_server_may_have_acted(
    client: Client, emulator: Emulator, status: int
) -> None:
    emulator.inject(status=status, method="POST", times=5)

    with pytest.raises(HttpError):
        client.notebooks.create(JOB)

    assert len(emulator.requests) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_a_create_is_retried_on_statuses_that_say_nothing_was_done(
    client: Client, emulator: Emulator, status: int
) -> None:
    emulator.inject(status=status, method="POST")

    nb = client.notebooks.create(JOB)

    assert len(emulator.requests) == 2
    assert [n["training_notebook_id"] for n in emulator.notebooks()] == [nb.id]


@pytest.mark.parametrize("after", [True, False])
def test_a_create_whose_answer_is_lost_is_not_repeated(
    client: Client, emulator: Emulator, after: bool
) -> None:
    emulator.inject(drop=True, after=after, method="POST")

    with pytest.raises(APIConnectionError):
        client.notebooks.create(JOB)

    assert len(emulator.requests) == 1
    assert len(emulator.notebooks()) == (1 if after else 0)


def test_a_create_that_never_connected_is_retried_and_makes_one_notebook(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(refuse=True, method="POST", times=2)
    client = make_client(inprocess=True)

    nb = client.notebooks.create(JOB)

    assert [n["training_notebook_id"] for n in emulator.notebooks()] == [nb.id]
    assert clock.sleeps == [0.5, 1.0]


def test_connection_refused_is_retried_then_raised_as_api_connection_error(
    make_client: MakeClient, closed_port: int, clock: ManualClock
) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(APIConnectionError) as caught:
        client.notebooks.create(JOB)

    assert type(caught.value) is APIConnectionError
    assert caught.value.method == "POST"
    assert str(closed_port) in caught.value.url
    assert clock.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("PUT", "update"),
        ("DELETE", "delete"),
        ("GET", "get"),
    ],
)
def test_idempotent_calls_are_retried_after_a_dropped_connection(
    client: Client, emulator: Emulator, method: str, call: str
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(drop=True, method=method, after=True)

    if call == "update":
        client.notebooks.update(JOB, nid, instance_type="cpu-2")
        assert emulator.notebook(nid)["instance_type"] == "cpu-2"
    elif call == "delete":
        client.notebooks.delete(JOB, nid)  # the retry's 404 means the first attempt deleted it
        assert emulator.notebooks() == []
    else:
        assert client.notebooks.get(JOB, nid).id == nid

    assert [r.method for r in emulator.requests] == [method, method]


def test_a_read_timeout_is_retried_and_then_raised_as_api_timeout_error(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    emulator.inject(timeout=True, latency=1.0, times=2)
    client = make_client(timeout=0.2, max_retries=1)

    with pytest.raises(APITimeoutError) as caught:
        client.notebooks.list_page(JOB)

    assert "timed out" in str(caught.value)
    assert len(emulator.requests) == 2


def test_each_retry_is_logged_at_info_without_secrets(
    client: Client, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.inject(status=503, times=2)

    with caplog.at_level(logging.DEBUG, logger="abeja_notebooks"):
        client.notebooks.list_page(JOB)

    retries = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage().split(" after ")[0] for r in retries] == [
        f"retrying GET {client.settings.base_url}{PREFIX} (attempt 2/4)",
        f"retrying GET {client.settings.base_url}{PREFIX} (attempt 3/4)",
    ]
    assert "503" in retries[0].getMessage()
    assert "in 0.50s" in retries[0].getMessage()
    assert all("emulator-test-token" not in r.getMessage() for r in caplog.records)
