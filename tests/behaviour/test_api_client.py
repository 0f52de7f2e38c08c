"""The low-level APIClient over real HTTP: what it returns and exactly what it puts on the wire."""

from __future__ import annotations

import base64
import json
from typing import Any, get_type_hints

import pytest

from abeja_notebooks import (
    APIClient,
    Conflict,
    DeleteDict,
    MessageDict,
    NotebookDict,
    NotebookPageDict,
    NotFound,
)
from abeja_notebooks.testing import Emulator, EmulatorServer, ManualClock
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.support import FIXTURES, JOB, ORG, PREFIX, shape_problems


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

    assert not isinstance(page, list)
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

    assert not isinstance(page, list)
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

    assert "message" not in started
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

    assert "message" not in stopped
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
    assert "message" not in result
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


# --- the typed dicts describe what the server sends, in each of its dialects ---------------


def every_answer(api: APIClient, emulator: Emulator) -> dict[str, object]:
    """Each method's answer, for one notebook created (and one seeded to delete)."""
    created = api.create_notebook(ORG, JOB, "cpu-1", "abeja-inc/all-cpu:19.10", "lab")
    nid = created["training_notebook_id"]
    emulator.advance(60)  # running, with log lines
    answers: dict[str, object] = {
        "create_notebook": created,
        "get_notebooks": api.get_notebooks(ORG, JOB),
        "get_notebook": api.get_notebook(ORG, JOB, nid),
        "update_notebook": api.update_notebook(ORG, JOB, nid, instance_type="cpu-4"),
        "get_notebook_recent_logs": api.get_notebook_recent_logs(ORG, JOB, nid),
        "stop_notebook": api.stop_notebook(ORG, JOB, nid),
        "start_notebook": api.start_notebook(ORG, JOB, nid, "notebook"),
        "delete_notebook": api.delete_notebook(ORG, JOB, nid),
    }
    return answers


DIALECTS: dict[str, dict[str, object]] = {
    "reference": {},
    "bare list": {"list_form": "bare"},
    "message actions": {"action_response": "message", "delete_response": "message"},
    "int ids in actions": {"int_ids_in_actions": True},
}


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=list(DIALECTS))
def test_every_answer_has_the_shape_its_return_type_declares(
    api: APIClient, emulator: Emulator, dialect: dict[str, object]
) -> None:
    for knob, value in dialect.items():
        setattr(emulator, knob, value)

    answers = every_answer(api, emulator)

    assert set(answers) == {name for name in vars(APIClient) if not name.startswith("_")} - {
        "settings",
        "close",
    }
    for method, answer in answers.items():
        declared = get_type_hints(getattr(APIClient, method))["return"]
        assert shape_problems(answer, declared, method) == []


def test_the_shape_check_catches_a_missing_key_a_wrong_type_and_the_wrong_form() -> None:
    notebook = json.loads((FIXTURES / "notebook.json").read_text())
    del notebook["creator"]["email"]
    notebook["training_notebook_id"] = 0

    assert shape_problems(notebook, NotebookDict) == [
        "answer['training_notebook_id']: 0 is not a str",
        "answer['creator']: no 'email'",
    ]
    assert shape_problems([], NotebookPageDict) == ["answer: list, not a NotebookPageDict"]
    assert shape_problems({"message": True}, DeleteDict | MessageDict) == [
        "answer: no 'value'",
        "answer['message']: True is not a str",
    ]


def test_get_notebooks_returns_an_older_servers_bare_list_as_it_came(
    api: APIClient, emulator: Emulator
) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(2)

    listing = api.get_notebooks(ORG, JOB)

    assert listing == [emulator.notebook(nid) for nid in ids]


def test_update_returns_the_integer_id_of_the_reference_examples_as_it_came(
    api: APIClient, emulator: Emulator
) -> None:
    emulator.int_ids_in_actions = True
    (nid,) = emulator.seed(1)

    updated = api.update_notebook(ORG, JOB, nid, image="abeja-inc/all-cpu:19.10")

    assert updated["training_notebook_id"] == 0
    assert type(updated["training_notebook_id"]) is int


def test_delete_returns_a_bare_message_as_it_came(api: APIClient, emulator: Emulator) -> None:
    emulator.delete_response = "message"
    (nid,) = emulator.seed(1)

    assert api.delete_notebook(ORG, JOB, nid) == {"message": f"{nid} deleted"}
