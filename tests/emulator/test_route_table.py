"""The route table: a route is one entry and one handler; the table does the rest."""

from __future__ import annotations

import pytest

from abeja_notebooks.testing import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID
from abeja_notebooks.testing._auth import DEFAULT_CREATOR
from abeja_notebooks.testing._dialect import Dialect
from abeja_notebooks.testing._operations import Call
from abeja_notebooks.testing._records import EmulatorResponse
from abeja_notebooks.testing._routes import NOTEBOOK_ID, ROUTES, Route, RouteTable, split_path
from abeja_notebooks.testing._state import State
from abeja_notebooks.testing._wire import ApiError

from ._support import P


def _restart(call: Call) -> EmulatorResponse:
    call.state.halt(call.notebook, call.now, "Stopped", None)
    call.state.launch(call.notebook, call.now)
    return call.answer(call.state.to_json(call.notebook, call.now))


def _state_with_a_running_notebook() -> tuple[State, str]:
    state = State()
    definition = state.add_job_definition(DEFAULT_ORGANIZATION_ID, DEFAULT_JOB_DEFINITION)
    (nid,) = state.seed(definition, 1, "Running", 100.0)
    return state, nid


def _send(table: RouteTable, state: State, method: str, path: str) -> EmulatorResponse:
    segments = split_path(path)
    return table.dispatch(state, Dialect(), DEFAULT_CREATOR, method, segments, "", b"", 200.0, "r")


def test_a_new_route_is_one_entry_and_one_handler() -> None:
    table = RouteTable((*ROUTES, Route("POST", (NOTEBOOK_ID, "restart"), _restart)))
    state, nid = _state_with_a_running_notebook()

    answer = _send(table, state, "POST", f"{P}/{nid}/restart")

    assert answer.status == 200
    assert answer.json()["status"] == "Pending"
    assert answer.json()["training_notebook_id"] == nid


def test_the_table_answers_404_for_a_missing_notebook_on_a_new_route() -> None:
    table = RouteTable((*ROUTES, Route("POST", (NOTEBOOK_ID, "restart"), _restart)))
    state, _ = _state_with_a_running_notebook()

    with pytest.raises(ApiError) as raised:
        _send(table, state, "POST", f"{P}/1999999999999/restart")

    assert (raised.value.status, raised.value.detail) == (404, {"notebook_id": ["not found"]})


def test_the_table_answers_405_with_the_verbs_of_a_new_route() -> None:
    table = RouteTable((*ROUTES, Route("POST", (NOTEBOOK_ID, "restart"), _restart)))
    state, nid = _state_with_a_running_notebook()

    with pytest.raises(ApiError) as raised:
        _send(table, state, "GET", f"{P}/{nid}/restart")

    assert (raised.value.status, raised.value.headers) == (405, {"Allow": "POST"})


def test_a_path_the_emulators_table_does_not_know_is_404() -> None:
    state, nid = _state_with_a_running_notebook()

    with pytest.raises(ApiError) as raised:
        _send(RouteTable(ROUTES), state, "POST", f"{P}/{nid}/restart")

    assert raised.value.status == 404
    assert raised.value.detail == {"path": ["unknown route"]}


def test_two_routes_for_one_verb_and_path_are_refused() -> None:
    with pytest.raises(ValueError, match="two routes for GET"):
        RouteTable((*ROUTES, Route("GET", (NOTEBOOK_ID,), _restart)))
