"""Every route, its answers and its error statuses, over both transports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from abeja_notebooks.testing import Emulator, ManualClock

from ._support import CREATOR_KEYS, NOTEBOOK_KEYS, ORG, P, assert_api_error, create

# ----------------------------------------------------------------------------- create


def test_create_answers_a_pending_notebook_with_the_contract_keys_in_order(
    http_client: httpx.Client,
) -> None:
    notebook = create(http_client, instance_type="cpu-4", image="abeja-inc/all-gpu:20.10")
    assert list(notebook) == NOTEBOOK_KEYS
    assert list(notebook["creator"]) == CREATOR_KEYS
    assert notebook["status"] == "Pending"
    assert notebook["status_message"] is None
    assert notebook["description"] is None
    assert notebook["instance_type"] == "cpu-4"
    assert notebook["image"] == "abeja-inc/all-gpu:20.10"
    assert notebook["name"] == "notebook-1"
    assert notebook["created_at"] == notebook["modified_at"] == "2026-05-28T20:26:40.000000Z"


def test_create_uses_the_default_instance_type_and_image(http_client: httpx.Client) -> None:
    notebook = create(http_client)
    assert notebook["instance_type"] == "cpu-1"
    assert notebook["image"] == "abeja-inc/all-cpu:19.10"


def test_created_ids_are_increasing_13_digit_strings_and_names_count_up(
    http_client: httpx.Client,
) -> None:
    first, second = create(http_client), create(http_client)
    for notebook in (first, second):
        assert isinstance(notebook["training_notebook_id"], str)
        assert notebook["training_notebook_id"].isdigit()
        assert len(notebook["training_notebook_id"]) == 13
        assert len(notebook["job_definition_id"]) == 13
    assert int(second["training_notebook_id"]) > int(first["training_notebook_id"])
    assert (first["name"], second["name"]) == ("notebook-1", "notebook-2")


def test_each_job_definition_has_its_own_id_and_name_counter(emulator: Emulator) -> None:
    emulator.add_job_definition("other")
    ids = emulator.seed(1) + emulator.seed(1, job_definition="other")
    first, other = emulator.notebook(ids[0]), emulator.notebook(ids[1])
    assert first["job_definition_id"] != other["job_definition_id"]
    assert first["name"] == other["name"] == "notebook-1"


@pytest.mark.parametrize(
    "instance_type", ["cpu-0.25", "cpu-1", "cpu-16", "gpu-1", "gpu:b-4", "cpu:a-2"]
)
def test_create_accepts_instance_types_of_the_documented_grammar(
    http: httpx.Client, instance_type: str
) -> None:
    assert create(http, instance_type=instance_type)["instance_type"] == instance_type


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instance_type": "tpu-1"}, "instance_type"),
        ({"instance_type": "gpu:e-1"}, "instance_type"),
        ({"instance_type": "cpu-1\n"}, "instance_type"),
        ({"instance_type": 1}, "instance_type"),
        ({"image": ""}, "image"),
        ({"image": None}, "image"),
        ({"notebook_type": "jupyter"}, "notebook_type"),
        ({"datalakes": "1234"}, "datalakes"),
        ({"buckets": [1]}, "buckets"),
        ({"datasets": ["x"]}, "datasets"),
        ({"datasets": {"alias": 1}}, "datasets"),
        ({"name": "mine"}, "name"),
    ],
)
def test_create_rejects_invalid_fields_naming_them(
    http_client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    error = assert_api_error(http_client.post(P, json=body), 400, "bad_request")
    assert field in error["error_detail"]


def test_create_accepts_the_data_mounting_options(http: httpx.Client) -> None:
    create(http, datalakes=["1"], buckets=["2"], datasets={"train": "3"}, notebook_type="lab")


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'"text"', b"", b"\xff"])
def test_create_rejects_a_body_that_is_not_a_json_object(
    http_client: httpx.Client, emulator: Emulator, content: bytes
) -> None:
    response = http_client.post(P, content=content, headers={"Content-Type": "application/json"})
    error = assert_api_error(response, 400, "bad_request")
    assert "body" in error["error_detail"]
    assert emulator.notebooks() == []


# -------------------------------------------------------------------------- get / list


def test_get_answers_the_notebook(http_client: httpx.Client) -> None:
    created = create(http_client)
    response = http_client.get(f"{P}/{created['training_notebook_id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_get_of_an_unknown_notebook_is_404(http_client: httpx.Client) -> None:
    error = assert_api_error(http_client.get(f"{P}/1999999999999"), 404, "not_found")
    assert "notebook_id" in error["error_detail"]


def test_a_notebook_is_not_found_under_another_job_definition(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.add_job_definition("other")
    notebook_id = create(http_client)["training_notebook_id"]
    other = f"/organizations/{ORG}/training/definitions/other/notebooks/{notebook_id}"
    assert_api_error(http_client.get(other), 404, "not_found")


def test_list_answers_the_envelope(http_client: httpx.Client) -> None:
    created = create(http_client)
    response = http_client.get(P)
    assert response.status_code == 200
    assert response.json() == {"total": 1, "offset": 0, "limit": 10, "entries": [created]}


# ------------------------------------------------------------------------------ update


def test_update_changes_the_given_fields_and_modified_at(
    http_client: httpx.Client, clock: ManualClock
) -> None:
    created = create(http_client)
    clock.advance(5)
    response = http_client.put(
        f"{P}/{created['training_notebook_id']}", json={"instance_type": "gpu:b-4"}
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["instance_type"] == "gpu:b-4"
    assert updated["image"] == created["image"]
    assert updated["modified_at"] == "2026-05-28T20:26:45.000000Z"
    assert updated["created_at"] == created["created_at"]
    assert updated["training_notebook_id"] == created["training_notebook_id"]


@pytest.mark.parametrize("body", [{"datalakes": ["1"]}, {"status": "Running"}])
def test_update_rejects_keys_it_does_not_take(
    http_client: httpx.Client, body: dict[str, Any]
) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    error = assert_api_error(http_client.put(f"{P}/{notebook_id}", json=body), 400, "bad_request")
    assert list(error["error_detail"]) == list(body)


def test_update_of_an_unknown_notebook_is_404(http_client: httpx.Client) -> None:
    assert_api_error(http_client.put(f"{P}/1999999999999", json={}), 404, "not_found")


# ------------------------------------------------------------------------------ delete


def test_delete_answers_a_value_message_and_removes_the_notebook(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    response = http_client.delete(f"{P}/{notebook_id}")
    assert response.status_code == 200
    assert response.json() == {"value": {"message": f"{notebook_id} deleted"}}
    assert emulator.notebooks() == []
    assert_api_error(http_client.get(f"{P}/{notebook_id}"), 404, "not_found")
    assert_api_error(http_client.delete(f"{P}/{notebook_id}"), 404, "not_found")


def test_delete_can_answer_a_bare_message(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.delete_response = "message"
    notebook_id = create(http_client)["training_notebook_id"]
    assert http_client.delete(f"{P}/{notebook_id}").json() == {"message": f"{notebook_id} deleted"}


def test_delete_keeps_the_order_of_the_others(emulator: Emulator, http: httpx.Client) -> None:
    ids = emulator.seed(5)
    assert http.delete(f"{P}/{ids[2]}").status_code == 200
    listed = [entry["training_notebook_id"] for entry in http.get(P).json()["entries"]]
    assert listed == [ids[0], ids[1], ids[3], ids[4]]


# --------------------------------------------------------------------- start and stop


def test_stop_and_start_answer_the_notebook(http_client: httpx.Client) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    stopped = http_client.post(f"{P}/{notebook_id}/stop", json={})
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "Stopped"
    started = http_client.post(f"{P}/{notebook_id}/start", json={"notebook_type": "lab"})
    assert started.status_code == 200
    assert list(started.json()) == NOTEBOOK_KEYS
    assert started.json()["status"] == "Pending"


def test_start_and_stop_accept_an_empty_body(http_client: httpx.Client) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    assert http_client.post(f"{P}/{notebook_id}/stop").status_code == 200
    assert http_client.post(f"{P}/{notebook_id}/start").status_code == 200


def test_start_and_stop_can_answer_a_message(http_client: httpx.Client, emulator: Emulator) -> None:
    emulator.action_response = "message"
    notebook_id = create(http_client)["training_notebook_id"]
    stopped = http_client.post(f"{P}/{notebook_id}/stop", json={})
    assert stopped.json() == {"message": f"{notebook_id} stopped"}
    started = http_client.post(f"{P}/{notebook_id}/start", json={})
    assert started.json() == {"message": f"{notebook_id} started"}


def test_int_ids_in_actions_mimics_the_reference_examples(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.int_ids_in_actions = True
    notebook_id = create(http_client)["training_notebook_id"]
    assert isinstance(notebook_id, str)
    assert http_client.put(f"{P}/{notebook_id}", json={}).json()["training_notebook_id"] == 0
    assert http_client.post(f"{P}/{notebook_id}/stop", json={}).json()["training_notebook_id"] == 0
    assert http_client.post(f"{P}/{notebook_id}/start", json={}).json()["training_notebook_id"] == 0
    assert http_client.get(f"{P}/{notebook_id}").json()["training_notebook_id"] == notebook_id


def test_extra_fields_are_added_to_every_notebook_object(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.extra_fields = {"dataset_mounts": [], "owner_team": "vision"}
    created = create(http_client)
    assert list(created) == [*NOTEBOOK_KEYS, "dataset_mounts", "owner_team"]
    assert http_client.get(P).json()["entries"][0]["owner_team"] == "vision"
    stopped = http_client.post(f"{P}/{created['training_notebook_id']}/stop", json={}).json()
    assert stopped["dataset_mounts"] == []


@pytest.mark.parametrize(
    ("action", "body"),
    [("start", {"instance_type": "cpu-1"}), ("stop", {"notebook_type": "lab"})],
)
def test_start_and_stop_reject_keys_they_do_not_take(
    http_client: httpx.Client, action: str, body: dict[str, Any]
) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    http_client.post(f"{P}/{notebook_id}/stop", json={})
    response = http_client.post(f"{P}/{notebook_id}/{action}", json=body)
    assert list(assert_api_error(response, 400, "bad_request")["error_detail"]) == list(body)


# ---------------------------------------------------------------------- routing errors


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", P, "GET, POST"),
        ("DELETE", P, "GET, POST"),
        ("POST", f"{P}/1900000000001", "GET, PUT, DELETE"),
        ("PATCH", f"{P}/1900000000001", "GET, PUT, DELETE"),
        ("GET", f"{P}/1900000000001/start", "POST"),
        ("GET", f"{P}/1900000000001/stop", "POST"),
        ("POST", f"{P}/1900000000001/recentlogs", "GET"),
    ],
)
def test_a_known_route_with_the_wrong_verb_is_405(
    http_client: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = http_client.request(method, path)
    assert_api_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organizations",
        f"/organizations/{ORG}/training/definitions/train-resnet",
        f"{P}/1900000000001/restart",
        f"{P}/1900000000001/start/now",
        f"{P}/",
        "/v1" + P,
    ],
)
def test_an_unknown_route_is_404(http_client: httpx.Client, path: str) -> None:
    assert_api_error(http_client.get(path), 404, "not_found")


def test_an_unknown_organization_is_404(http_client: httpx.Client) -> None:
    response = http_client.get(
        "/organizations/1999999999999/training/definitions/train-resnet/notebooks"
    )
    assert "organization_id" in assert_api_error(response, 404, "not_found")["error_detail"]


def test_an_unknown_job_definition_is_404(http_client: httpx.Client) -> None:
    response = http_client.get(f"/organizations/{ORG}/training/definitions/nope/notebooks")
    assert "job_definition_name" in assert_api_error(response, 404, "not_found")["error_detail"]


def test_an_encoded_slash_is_one_segment_not_a_route_change(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    notebook_id = create(http_client)["training_notebook_id"]
    # "x/start" as a notebook id must not reach the start route of notebook x.
    response = http_client.post(f"{P}/{notebook_id}%2Fstart", json={})
    assert_api_error(response, 405, "method_not_allowed")
    assert emulator.notebook(notebook_id)["status"] == "Pending"
    response = http_client.get(f"{P}/{notebook_id}%2Fstart")
    assert "notebook_id" in assert_api_error(response, 404, "not_found")["error_detail"]
    response = http_client.post(f"{P}/a%2Fb/start", json={})
    assert "notebook_id" in assert_api_error(response, 404, "not_found")["error_detail"]
    assert emulator.requests[-1].path == f"{P}/a/b/start"
    assert emulator.requests[-1].raw_path == f"{P}/a%2Fb/start"


def test_a_job_definition_name_with_a_slash_is_reached_percent_encoded(
    http_client: httpx.Client, emulator: Emulator
) -> None:
    emulator.add_job_definition("team/resnet")
    encoded = f"/organizations/{ORG}/training/definitions/team%2Fresnet/notebooks"
    assert http_client.post(encoded, json={}).status_code == 200
    assert len(emulator.notebooks(job_definition="team/resnet")) == 1
    unencoded = f"/organizations/{ORG}/training/definitions/team/resnet/notebooks"
    assert_api_error(http_client.get(unencoded), 404, "not_found")


def test_every_answer_carries_a_unique_request_id(http_client: httpx.Client) -> None:
    responses = [
        http_client.post(P, json={}),
        http_client.get(P),
        http_client.get("/nowhere"),
        http_client.get(P, headers={"Authorization": ""}),
        http_client.delete(P),
    ]
    ids = [response.headers["x-request-id"] for response in responses]
    assert all(ids)
    assert len(set(ids)) == len(ids)
    assert all(response.headers["content-type"] == "application/json" for response in responses)


# -------------------------------------------------------------------- list parameters


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"offset": ""}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_list_rejects_bad_offset_and_limit(
    http_client: httpx.Client, query: dict[str, str], field: str
) -> None:
    response = http_client.get(P, params=query)
    assert field in assert_api_error(response, 400, "bad_request")["error_detail"]


def test_list_rejects_a_repeated_parameter(http_client: httpx.Client) -> None:
    assert_api_error(http_client.get(f"{P}?limit=1&limit=2"), 400, "bad_request")
