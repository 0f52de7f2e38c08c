"""What an HTTP error says, over the wire: the reason leads, then status, verb, URL, request id."""

from __future__ import annotations

import pytest

from abeja_notebooks import Client, Conflict, NotFound
from abeja_notebooks.testing import Emulator
from tests.dual import unwrap
from tests.support import JOB, ORG, PREFIX


def test_the_servers_description_is_the_reason(client: Client, emulator: Emulator) -> None:
    with pytest.raises(NotFound) as caught:
        client.notebooks.get(JOB, "1999")

    error = caught.value
    assert str(error) == (
        f"notebook 1999 not found: 404 Not Found for GET {client.settings.base_url}{PREFIX}/1999 "
        f"(request id {emulator.requests[-1].request_id})"
    )
    assert repr(unwrap(error)) == f"NotFound({str(error)!r})"


def test_without_a_description_the_operation_names_what_was_not_found(
    client: Client, emulator: Emulator
) -> None:
    emulator.inject(status=404, body=b"")

    with pytest.raises(NotFound) as caught:
        client.notebooks.get(JOB, "1999")

    assert str(caught.value).startswith(
        f"notebook 1999 not found in {JOB}: 404 Not Found for GET {client.settings.base_url}"
    )


def test_a_proxys_page_follows_the_url_after_the_operations_reason(
    client: Client, emulator: Emulator
) -> None:
    emulator.inject(status=404, body=b"<html>no route</html>", content_type="text/html")

    with pytest.raises(NotFound) as caught:
        client.notebooks.list_page(JOB)

    assert str(caught.value).startswith(
        f"job definition {JOB} not found in organization {ORG}: 404 Not Found for GET "
        f"{client.settings.base_url}{PREFIX}: '<html>no route</html>' (request id "
    )


def test_a_refused_start_without_a_description_says_which_notebook(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")
    emulator.inject(status=409, body=b"", method="POST")

    with pytest.raises(Conflict) as caught:
        client.notebooks.start(JOB, nid)

    assert str(caught.value).startswith(
        f"cannot start notebook {nid} in {JOB} in its current state: 409 Conflict for POST "
    )
