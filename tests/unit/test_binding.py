"""How a notebook stays tied to its client, and how its data is replaced in place.

Both rest on one small mechanism in ``BaseNotebook`` (a slot of our own for the binding, and the
model's own validator for in-place updates); these tests hold it on every pydantic version the
package allows.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from abeja_notebooks import Client, Notebook, UnboundNotebookError
from abeja_notebooks._models import Binding

FIXTURES = Path(__file__).parent.parent / "fixtures"
ORG, JOB = "1410000000000", "train-resnet"


def _raw(**changes: object) -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / "notebook.json").read_text())
    data.update(changes)
    return data


def _bound(**changes: object) -> tuple[Notebook, Binding]:
    notebook = Notebook.model_validate(_raw(**changes))
    binding = Binding(Client(organization_id=ORG, auth_token="t").notebooks, ORG, JOB)
    notebook._bind(binding)  # pyright: ignore[reportPrivateUsage] -- what a manager does
    return notebook, binding


def test_a_bound_notebook_knows_where_it_came_from() -> None:
    notebook, _ = _bound()

    assert (notebook.organization_id, notebook.job_definition_name) == (ORG, JOB)


def test_the_binding_is_invisible_to_equality_repr_and_dumps() -> None:
    notebook, _ = _bound()
    unbound = Notebook.model_validate(_raw())

    assert notebook == unbound
    assert repr(notebook) == repr(unbound)
    assert notebook.to_dict() == unbound.to_dict() == _raw()
    assert notebook.model_dump() == unbound.model_dump()


def test_taking_new_data_keeps_the_object_and_its_binding() -> None:
    notebook, binding = _bound()
    newer = Notebook.model_validate(_raw(status="Stopped", instance_type="cpu-4"))

    result = notebook._take(newer)  # pyright: ignore[reportPrivateUsage] -- what a method does

    assert result is notebook
    assert (notebook.status, notebook.instance_type) == ("Stopped", "cpu-4")
    assert notebook._bound_to("refresh") is binding  # pyright: ignore[reportPrivateUsage] -- the helper under test


def test_taking_new_data_takes_its_unknown_fields_and_which_fields_were_sent() -> None:
    notebook, _ = _bound(gpu_quota=2)
    raw = _raw(new_field={"x": 1})
    del raw["description"], raw["status_message"]
    newer = Notebook.model_validate(raw)

    notebook._take(newer)  # pyright: ignore[reportPrivateUsage] -- what a method does

    assert notebook.to_dict() == raw
    assert notebook.model_extra == {"new_field": {"x": 1}}
    assert notebook.description is None


def _round_trip(notebook: Notebook) -> Notebook:
    again: Notebook = pickle.loads(pickle.dumps(notebook))
    return again


@pytest.mark.parametrize(
    ("how", "make"),
    [
        ("copy.copy", copy.copy),
        ("model_copy", Notebook.model_copy),
        ("pickle", _round_trip),
    ],
)
def test_copies_and_unpickled_notebooks_keep_the_data_but_not_the_client(
    how: str, make: Callable[[Notebook], Notebook]
) -> None:
    notebook, _ = _bound()

    other = make(notebook)

    assert other == notebook, how
    assert other.organization_id is None
    with pytest.raises(UnboundNotebookError, match="built by hand, copied or unpickled"):
        other.refresh()
