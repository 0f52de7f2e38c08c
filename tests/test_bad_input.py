"""Bad arguments raise a clear ValueError/TypeError before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from abeja_notebooks import APIClient, Client
from abeja_notebooks.testing import Emulator

from .support import JOB, ORG

BAD_NAMES: list[Any] = ["", "   ", "\t", None, 123, b"bytes", ".", "..", "a\nb", "nul\x00"]

Call = Callable[[APIClient, Any], object]

API_CALLS: dict[str, Call] = {
    "create(job)": lambda api, bad: api.create_notebook(ORG, bad),
    "create(org)": lambda api, bad: api.create_notebook(bad, JOB),
    "list(job)": lambda api, bad: api.get_notebooks(ORG, bad),
    "get(id)": lambda api, bad: api.get_notebook(ORG, JOB, bad),
    "update(id)": lambda api, bad: api.update_notebook(ORG, JOB, bad, instance_type="cpu-1"),
    "delete(id)": lambda api, bad: api.delete_notebook(ORG, JOB, bad),
    "start(id)": lambda api, bad: api.start_notebook(ORG, JOB, bad),
    "stop(id)": lambda api, bad: api.stop_notebook(ORG, JOB, bad),
    "logs(id)": lambda api, bad: api.get_notebook_recent_logs(ORG, JOB, bad),
}


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
@pytest.mark.parametrize("call", API_CALLS.values(), ids=API_CALLS.keys())
def test_a_bad_id_or_name_raises_before_any_request(
    api: APIClient, emulator: Emulator, call: Call, bad: Any
) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        call(api, bad)

    assert emulator.requests == []
    assert any(word in str(caught.value) for word in ("_id", "name", "notebook_id"))


ResourceCall = Callable[[Client, Any], object]

RESOURCE_CALLS: dict[str, ResourceCall] = {
    "create": lambda c, bad: c.notebooks.create(bad),
    "get": lambda c, bad: c.notebooks.get(JOB, bad),
    "list": lambda c, bad: c.notebooks.list(bad),
    "list_page": lambda c, bad: c.notebooks.list_page(bad),
    "update": lambda c, bad: c.notebooks.update(JOB, bad),
    "delete": lambda c, bad: c.notebooks.delete(JOB, bad),
    "start": lambda c, bad: c.notebooks.start(JOB, bad),
    "stop": lambda c, bad: c.notebooks.stop(JOB, bad),
    "recent_logs": lambda c, bad: c.notebooks.recent_logs(JOB, bad),
    "logs": lambda c, bad: c.notebooks.logs(JOB, bad),
    "wait_until": lambda c, bad: c.notebooks.wait_until(JOB, bad, "Running"),
}


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
@pytest.mark.parametrize("call", RESOURCE_CALLS.values(), ids=RESOURCE_CALLS.keys())
def test_the_resource_model_checks_ids_before_any_request(
    client: Client, emulator: Emulator, call: ResourceCall, bad: Any
) -> None:
    with pytest.raises((ValueError, TypeError)):
        call(client, bad)

    assert emulator.requests == []


@pytest.mark.parametrize("bad", [b for b in BAD_NAMES if b is not None], ids=repr)
def test_a_bad_organization_override_raises_before_any_request(
    client: Client, emulator: Emulator, bad: Any
) -> None:
    with pytest.raises((ValueError, TypeError), match="organization_id"):
        client.notebooks.get(JOB, "1", organization_id=bad)

    assert emulator.requests == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"notebook_type": "jupyter"}, "notebook_type must be 'notebook' or 'lab'"),
        ({"notebook_type": 1}, "notebook_type must be a str"),
        ({"instance_type": "cpu"}, "instance_type must look like"),
        ({"instance_type": "tpu-1"}, "instance_type must look like"),
        ({"instance_type": "gpu:e-1"}, "instance_type must look like"),
        ({"instance_type": "cpu-1 "}, "instance_type must look like"),
        ({"image": ""}, "image must not be empty"),
        ({"datalakes": "channel-1"}, "datalakes must be a list of str"),
        ({"buckets": [""]}, "each of buckets must not be empty"),
        ({"datasets": ["a"]}, "datasets must be a dict"),
    ],
)
def test_bad_settings_raise_a_clear_error_before_any_request(
    client: Client, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        client.notebooks.create(JOB, **kwargs)

    assert emulator.requests == []


@pytest.mark.parametrize(
    "instance_type", ["cpu-0.25", "cpu-1", "cpu-16", "gpu-1", "gpu:b-4", "gpu:d-8", "cpu-128"]
)
def test_unknown_but_well_formed_instance_types_and_new_images_pass(
    client: Client, emulator: Emulator, instance_type: str
) -> None:
    nb = client.notebooks.create(JOB, instance_type=instance_type, image="abeja-inc/new:29.01")

    assert nb.instance_type == instance_type
    assert nb.image == "abeja-inc/new:29.01"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"page_size": 0}, ValueError),
        ({"page_size": -5}, ValueError),
        ({"max_items": 0}, ValueError),
        ({"page_size": 1.5}, TypeError),
    ],
)
def test_bad_page_sizes_raise_when_list_is_called(
    client: Client, emulator: Emulator, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.notebooks.list(JOB, **kwargs)

    assert emulator.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"offset": -1}, ValueError), ({"limit": 0}, ValueError), ({"offset": "2"}, TypeError)],
)
def test_bad_offsets_and_limits_raise_before_any_request(
    client: Client, emulator: Emulator, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.notebooks.list_page(JOB, **kwargs)

    assert emulator.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"timeout": -1}, {"poll_interval": 0}, {"poll_interval": float("nan")}],
)
def test_bad_wait_and_follow_durations_raise_before_any_request(
    client: Client, emulator: Emulator, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        client.notebooks.wait_until(JOB, "1", "Running", **kwargs)
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        client.notebooks.logs(JOB, "1", follow=True, **kwargs)

    assert emulator.requests == []


def test_wait_until_rejects_an_empty_set_of_statuses(client: Client, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="at least one status"):
        client.notebooks.wait_until(JOB, "1", [])

    assert emulator.requests == []
