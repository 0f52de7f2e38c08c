"""How an HTTP error's message reads: the reason first, then status, verb, URL and request id."""

from __future__ import annotations

import pickle

import pytest

from abeja_notebooks import NotFound
from abeja_notebooks import _endpoints as ep
from abeja_notebooks._errors import http_error_message

ORG, JOB, NID = "1410000000000", "train-resnet", "1999"


def test_the_reason_leads_then_status_verb_url_request_id_and_attempts() -> None:
    message = http_error_message(
        "notebook 1999 not found",
        status_code=404,
        method="GET",
        url="https://api.abeja.io/x",
        error="not_found",
        request_id="r-1",
        attempts=4,
    )

    assert message == (
        "notebook 1999 not found: 404 Not Found for GET https://api.abeja.io/x (request id r-1) "
        "after 4 attempts"
    )


def test_the_apis_error_code_is_shown_when_it_says_more_than_the_status() -> None:
    message = http_error_message(
        "too many notebooks", status_code=409, method="POST", url="u", error="quota_exceeded"
    )

    assert message == "too many notebooks: 409 Conflict (quota_exceeded) for POST u"


def test_a_body_without_the_apis_fields_follows_the_url() -> None:
    message = http_error_message(
        "could not list notebooks in train-resnet",
        status_code=502,
        method="GET",
        url="u",
        body="<html>bad gateway</html>",
    )

    assert message == (
        "could not list notebooks in train-resnet: 502 Bad Gateway for GET u: "
        "'<html>bad gateway</html>'"
    )


def test_a_status_without_a_standard_phrase_still_reads() -> None:
    assert http_error_message("x", status_code=599, method="GET", url="u") == (
        "x: 599 HTTP error for GET u"
    )


REQUESTS = {
    "get": ep.get_request(ORG, JOB, NID),
    "update": ep.update_request(ORG, JOB, NID, image="i"),
    "delete": ep.delete_request(ORG, JOB, NID),
    "start": ep.start_request(ORG, JOB, NID),
    "stop": ep.stop_request(ORG, JOB, NID),
    "logs": ep.recent_logs_request(ORG, JOB, NID),
    "list": ep.list_request(ORG, JOB),
    "create": ep.create_request(ORG, JOB),
}


@pytest.mark.parametrize(
    ("operation", "status", "reason"),
    [
        ("get", 404, "notebook 1999 not found in train-resnet"),
        ("start", 404, "notebook 1999 not found in train-resnet"),
        ("logs", 404, "notebook 1999 not found in train-resnet"),
        ("list", 404, "job definition train-resnet not found in organization 1410000000000"),
        ("create", 404, "job definition train-resnet not found in organization 1410000000000"),
        ("start", 409, "cannot start notebook 1999 in train-resnet in its current state"),
        ("stop", 409, "cannot stop notebook 1999 in train-resnet in its current state"),
        ("get", 401, "the credentials were refused: could not get notebook 1999 in train-resnet"),
        ("delete", 403, "the credentials may not delete notebook 1999 in train-resnet"),
        ("update", 500, "could not update notebook 1999 in train-resnet"),
        ("logs", 503, "could not get recent logs of notebook 1999 in train-resnet"),
        ("list", 429, "could not list notebooks in train-resnet"),
        ("create", 400, "could not create notebook in train-resnet"),
    ],
)
def test_without_a_description_the_reason_comes_from_the_operation(
    operation: str, status: int, reason: str
) -> None:
    assert ep.failure_reason(REQUESTS[operation], status) == reason


def test_the_reason_shows_ids_as_given_not_percent_encoded() -> None:
    request = ep.get_request(ORG, "team a/b", "n 1")

    assert ep.failure_reason(request, 404) == "notebook n 1 not found in team a/b"


def test_repr_holds_the_message_and_a_pickled_error_keeps_it() -> None:
    error = NotFound("notebook 1 not found: 404 Not Found for GET u", status_code=404)

    assert repr(error) == "NotFound('notebook 1 not found: 404 Not Found for GET u')"
    assert repr(pickle.loads(pickle.dumps(error))) == repr(error)
