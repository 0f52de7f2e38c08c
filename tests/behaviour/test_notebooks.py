"""The Notebooks manager and bound notebooks, over real HTTP against the emulator."""

from __future__ import annotations

import json
import pickle

import pytest

from abeja_notebooks import (
    Client,
    LogPage,
    Notebook,
    NotebookStatus,
    NotFound,
    UnboundNotebookError,
)
from abeja_notebooks.testing import Emulator, ManualClock
from tests.dual import blocking_view, unwrap
from tests.support import JOB, ORG, PREFIX


def paths(emulator: Emulator) -> list[tuple[str, str]]:
    return [(r.method, r.raw_path.removeprefix(PREFIX)) for r in emulator.requests]


def test_create_returns_a_bound_typed_notebook(
    client: Client, emulator: Emulator, notebook_class: type[Notebook]
) -> None:
    nb = client.notebooks.create(JOB, instance_type="cpu-1", notebook_type="lab")

    assert type(unwrap(nb)) is notebook_class
    assert nb.status is NotebookStatus.PENDING
    assert nb.instance_type == "cpu-1"
    assert (nb.job_definition_name, nb.organization_id) == (JOB, ORG)
    assert nb.to_dict() == emulator.notebook(nb.id)
    assert emulator.requests[0].json == {"instance_type": "cpu-1", "notebook_type": "lab"}


def test_get_reads_one_notebook(client: Client, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    nb = client.notebooks.get(JOB, nid)

    assert nb.id == nid
    assert nb.to_dict() == emulator.notebook(nid)
    assert paths(emulator) == [("GET", f"/{nid}")]


def test_manager_update_start_stop_delete(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    (nid,) = emulator.seed(1)
    notebooks = client.notebooks

    assert notebooks.update(JOB, nid, image="abeja-inc/all-gpu:20.10").image == (
        "abeja-inc/all-gpu:20.10"
    )
    assert notebooks.start(JOB, nid).status == NotebookStatus.PENDING
    clock.advance(emulator.start_delay)
    assert notebooks.get(JOB, nid).status == NotebookStatus.RUNNING
    assert notebooks.stop(JOB, nid).status == NotebookStatus.STOPPED
    notebooks.delete(JOB, nid)
    assert emulator.notebooks() == []
    assert paths(emulator) == [
        ("PUT", f"/{nid}"),
        ("POST", f"/{nid}/start"),
        ("GET", f"/{nid}"),
        ("POST", f"/{nid}/stop"),
        ("DELETE", f"/{nid}"),
    ]


def test_bound_methods_update_the_notebook_in_place_and_return_it(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    nb = client.notebooks.create(JOB)

    assert nb.update(instance_type="cpu-4") is nb
    assert nb.instance_type == "cpu-4"
    clock.advance(emulator.start_delay)
    assert nb.refresh() is nb
    assert nb.refresh().status is NotebookStatus.RUNNING
    assert nb.stop() is nb
    assert nb.to_dict()["status"] == "Stopped"
    assert nb.start(notebook_type="notebook") is nb
    assert nb.to_dict()["status"] == "Pending"
    assert nb.to_dict() == emulator.notebook(nb.id)
    nb.delete()
    assert emulator.notebooks() == []
    with pytest.raises(NotFound):
        nb.refresh()
    assert nb.status is NotebookStatus.PENDING  # the last known data stays


def test_start_and_stop_answered_with_a_message_reread_the_notebook(
    client: Client, emulator: Emulator
) -> None:
    emulator.action_response = "message"
    (nid,) = emulator.seed(1)
    nb = client.notebooks.get(JOB, nid)

    nb.start()

    assert nb.status is NotebookStatus.PENDING
    assert paths(emulator)[1:] == [("POST", f"/{nid}/start"), ("GET", f"/{nid}")]


def test_int_ids_in_action_answers_keep_the_notebook_bound_to_its_real_id(
    client: Client, emulator: Emulator
) -> None:
    emulator.int_ids_in_actions = True
    nb = client.notebooks.create(JOB)
    real_id = nb.id

    answer = client.notebooks.update(JOB, real_id, instance_type="cpu-2")

    assert answer.id == "0"
    assert nb.id == real_id


def test_a_retried_stop_that_meets_409_ends_with_the_true_state(
    client: Client, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1, status="Running")
    nb = client.notebooks.get(JOB, nid)
    emulator.inject(drop=True, after=True, method="POST", path="/stop$")

    nb.stop()

    assert nb.status is NotebookStatus.STOPPED
    assert paths(emulator)[1:] == [
        ("POST", f"/{nid}/stop"),
        ("POST", f"/{nid}/stop"),
        ("GET", f"/{nid}"),
    ]


def test_recent_logs_returns_a_log_page(
    client: Client, emulator: Emulator, clock: ManualClock
) -> None:
    nb = client.notebooks.create(JOB)
    clock.advance(5)

    page = nb.recent_logs()

    assert isinstance(page, LogPage)
    assert [e.message for e in page.events] == [e["message"] for e in emulator.log_events(nb.id)]
    assert page.next_forward_token
    assert page.next_backward_token


def test_the_organization_can_be_overridden_per_call(client: Client, emulator: Emulator) -> None:
    emulator.add_organization("2000000000000")
    emulator.add_job_definition("other-job", "2000000000000")

    nb = client.notebooks.create("other-job", organization_id="2000000000000")

    assert nb.organization_id == "2000000000000"
    nb.refresh()
    assert [r.raw_path for r in emulator.requests] == [
        "/organizations/2000000000000/training/definitions/other-job/notebooks",
        f"/organizations/2000000000000/training/definitions/other-job/notebooks/{nb.id}",
    ]


def test_repr_and_attribute_access_do_no_io(client: Client, emulator: Emulator) -> None:
    nb = client.notebooks.create(JOB)
    before = len(emulator.requests)

    text = repr(nb)
    _ = (nb.id, nb.status, nb.creator.email, nb.job_definition_name, str(nb), nb.to_dict())

    assert len(emulator.requests) == before
    assert nb.id in text
    assert "emulator-test-token" not in text


def test_equality_compares_data_not_the_client(
    client: Client, emulator: Emulator, notebook_class: type[Notebook]
) -> None:
    (nid,) = emulator.seed(1)
    fetched = client.notebooks.get(JOB, nid)
    listed = next(iter(client.notebooks.list(JOB)))
    hand_built = notebook_class.model_validate(fetched.to_dict())

    assert fetched == listed == hand_built
    assert fetched.update(instance_type="cpu-8") != hand_built


def test_to_dict_and_to_json_use_the_api_keys_and_keep_unknown_fields(
    client: Client, emulator: Emulator
) -> None:
    emulator.extra_fields = {"quota": {"gpu": 1}, "labels": ["x"]}

    nb = client.notebooks.create(JOB)

    assert nb.to_dict() == emulator.notebook(nb.id)
    assert json.loads(nb.to_json()) == emulator.notebook(nb.id)
    assert nb.to_dict().get("quota") == {"gpu": 1}  # kept, though NotebookDict does not name it


@pytest.mark.parametrize(
    "method",
    ["refresh", "update", "start", "stop", "delete", "logs", "recent_logs", "wait_until"],
)
def test_a_hand_built_notebook_says_clearly_that_it_is_unbound(
    client: Client, emulator: Emulator, method: str, notebook_class: type[Notebook]
) -> None:
    nb = blocking_view(
        client, notebook_class.model_validate(client.notebooks.create(JOB).to_dict())
    )
    before = len(emulator.requests)

    call = (lambda: nb.wait_until("Running")) if method == "wait_until" else getattr(nb, method)

    with pytest.raises(UnboundNotebookError) as caught:
        call()

    message = str(caught.value)
    assert f"{notebook_class.__name__}.{method}() needs a client" in message
    assert "built by hand" in message
    assert f"client.notebooks.{method}(" in message
    assert len(emulator.requests) == before


def test_a_pickled_notebook_keeps_its_data_but_not_its_client(client: Client) -> None:
    nb = client.notebooks.create(JOB)

    copy = blocking_view(client, pickle.loads(pickle.dumps(unwrap(nb))))

    assert copy == nb
    with pytest.raises(UnboundNotebookError):
        copy.refresh()
