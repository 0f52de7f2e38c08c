"""The low-level APIClient over real HTTP: what it returns and exactly what it puts on the wire."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from abeja_notebooks import APIClient, Conflict, NotFound
from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.support import JOB, ORG, PREFIX


def only_request(emulator: Emulator) -> Any:
    assert len(emulator.requests) == 1, [r.path for r in emulator.requests]
    return emulator.requests[0]


def test_create_notebook_returns_the_server_json_and_sends_the_old_clients_request(
    api: APIClient, emulator: Emulator
) -> None:
    created = api.create_notebook(ORG, JOB, "cpu-1", "abeja-inc/all-cpu:19.10", "lab")

    assert created == emulator.notebook(created["training_notebook_id"])
    assert created["status"] == "Pending"
    request = only_request(emulator)
    assert (request.method, request.raw_path, request.query) == ("POST", PREFIX, {})
    assert request.json == {
        "instance_type": "cpu-1",
        "image": "abeja-inc/all-cpu:19.10",
        "notebook_type": "lab",
    }
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {TEST_TOKEN}"
    assert request.headers["user-agent"].startswith("abeja-notebooks/")


def test_create_notebook_sends_only_the_keys_given(api: APIClient, emulator: Emulator) -> None:
    api.create_notebook(ORG, JOB)
    api.create_notebook(ORG, JOB, image="abeja-inc/all-gpu:20.10")
    api.create_notebook(ORG, JOB, "cpu-1", datasets={"train": "1234"}, buckets=["b1"])

    bodies = [r.json for r in emulator.requests]
    assert bodies == [
        {},
        {"image": "abeja-inc/all-gpu:20.10"},
        {"instance_type": "cpu-1", "buckets": ["b1"], "datasets": {"train": "1234"}},
    ]
    assert emulator.requests[0].body == b"{}"


def test_get_notebooks_returns_the_envelope_and_sends_no_query(
    api: APIClient, emulator: Emulator
) -> None:
    ids = emulator.seed(3)

    page = api.get_notebooks(ORG, JOB)

    assert page["total"] == 3
    assert [e["training_notebook_id"] for e in page["entries"]] == ids
    request = only_request(emulator)
    assert (request.method, request.raw_path, request.query, request.body) == (
        "GET",
        PREFIX,
        {},
        b"",
    )
    assert "content-type" not in request.headers


def test_get_notebooks_sends_offset_and_limit_only_when_given(
    api: APIClient, emulator: Emulator
) -> None:
    emulator.seed(5)

    page = api.get_notebooks(ORG, JOB, offset=2, limit=2)

    assert (page["offset"], page["limit"], len(page["entries"])) == (2, 2, 2)
    assert only_request(emulator).query == {"offset": ["2"], "limit": ["2"]}


def test_get_notebook_returns_one_notebook(api: APIClient, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    assert api.get_notebook(ORG, JOB, nid) == emulator.notebook(nid)
    request = only_request(emulator)
    assert (request.method, request.raw_path) == ("GET", f"{PREFIX}/{nid}")


def test_update_notebook_puts_only_the_keys_given(api: APIClient, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    updated = api.update_notebook(ORG, JOB, nid, instance_type="cpu-4")

    assert updated["instance_type"] == "cpu-4"
    request = only_request(emulator)
    assert (request.method, request.raw_path, request.json) == (
        "PUT",
        f"{PREFIX}/{nid}",
        {"instance_type": "cpu-4"},
    )


def test_delete_notebook_sends_no_body_and_no_content_type(
    api: APIClient, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)

    answer = api.delete_notebook(ORG, JOB, nid)

    assert answer == {"value": {"message": f"{nid} deleted"}}
    assert emulator.notebooks() == []
    request = only_request(emulator)
    assert (request.method, request.raw_path, request.body) == ("DELETE", f"{PREFIX}/{nid}", b"")
    assert "content-type" not in request.headers


def test_start_notebook_posts_an_empty_object_or_the_type(
    api: APIClient, emulator: Emulator
) -> None:
    first, second = emulator.seed(2)

    started = api.start_notebook(ORG, JOB, first)
    api.start_notebook(ORG, JOB, second, "lab")

    assert started["status"] == "Pending"
    assert [(r.method, r.raw_path, r.body) for r in emulator.requests] == [
        ("POST", f"{PREFIX}/{first}/start", b"{}"),
        ("POST", f"{PREFIX}/{second}/start", b'{"notebook_type": "lab"}'),
    ]


def test_stop_notebook_posts_an_empty_object(
    api: APIClient, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1, status="Running")

    stopped = api.stop_notebook(ORG, JOB, nid)

    assert stopped["status"] == "Stopped"
    request = only_request(emulator)
    assert (request.method, request.raw_path, request.body) == (
        "POST",
        f"{PREFIX}/{nid}/stop",
        b"{}",
    )


def test_start_and_stop_return_a_bare_message_as_the_server_sent_it(
    api: APIClient, emulator: Emulator
) -> None:
    emulator.action_response = "message"
    (nid,) = emulator.seed(1)

    assert api.start_notebook(ORG, JOB, nid) == {"message": f"{nid} started"}


def test_recent_logs_send_each_token_only_when_given(
    api: APIClient, emulator: Emulator, clock: ManualClock
) -> None:
    nb = api.create_notebook(ORG, JOB)
    clock.advance(10)

    first = api.get_notebook_recent_logs(ORG, JOB, nb["training_notebook_id"])
    newer = api.get_notebook_recent_logs(
        ORG, JOB, nb["training_notebook_id"], next_forward_token=first["next_forward_token"]
    )
    older = api.get_notebook_recent_logs(
        ORG, JOB, nb["training_notebook_id"], next_backward_token=first["next_backward_token"]
    )

    truth = emulator.log_events(nb["training_notebook_id"])
    assert first["events"] == truth[-len(first["events"]) :]
    assert newer["events"] == []
    assert newer["next_forward_token"] == first["next_forward_token"]
    assert isinstance(older["events"], list)
    queries = [r.query for r in emulator.requests[1:]]
    assert queries == [
        {},
        {"next_forward_token": [first["next_forward_token"]]},
        {"next_backward_token": [first["next_backward_token"]]},
    ]


def test_a_slash_in_an_id_stays_inside_one_path_segment(api: APIClient, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    with pytest.raises(NotFound):
        api.get_notebook(ORG, JOB, f"{nid}/start")

    request = only_request(emulator)
    assert request.raw_path == f"{PREFIX}/{nid}%2Fstart"
    assert request.method == "GET"


def test_the_old_credential_dict_is_used_and_not_changed(
    notebook_emulator_server: EmulatorServer, emulator: Emulator
) -> None:
    credential = {"user_id": "1234567890123", "personal_access_token": "pat-secret"}
    snapshot = dict(credential)

    with APIClient(credential, base_url=notebook_emulator_server.base_url) as api:
        api.create_notebook(ORG, JOB)

    assert credential == snapshot
    expected = base64.b64encode(b"user-1234567890123:pat-secret").decode()
    assert only_request(emulator).headers["authorization"] == f"Basic {expected}"


def test_a_start_retried_after_a_lost_answer_reads_the_notebook_instead_of_failing(
    api: APIClient, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(drop=True, after=True, method="POST", path="/start$")

    result = api.start_notebook(ORG, JOB, nid)

    assert result == emulator.notebook(nid)
    assert result["status"] == "Pending"
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in emulator.requests] == [
        ("POST", "start"),
        ("POST", "start"),
        ("GET", nid),
    ]


def test_a_real_conflict_still_raises(api: APIClient, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1, status="Running")

    with pytest.raises(Conflict) as caught:
        api.start_notebook(ORG, JOB, nid)

    assert caught.value.status_code == 409
    assert len(emulator.requests) == 1


def test_a_delete_retried_after_a_lost_answer_reports_the_deletion(
    api: APIClient, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.inject(drop=True, after=True, method="DELETE")

    assert api.delete_notebook(ORG, JOB, nid) == {"value": {"message": f"{nid} deleted"}}
    assert emulator.notebooks() == []
    assert [r.method for r in emulator.requests] == ["DELETE", "DELETE"]


def test_a_delete_of_a_missing_notebook_still_raises(api: APIClient, emulator: Emulator) -> None:
    with pytest.raises(NotFound):
        api.delete_notebook(ORG, JOB, "1999999999999")

    assert len(emulator.requests) == 1
