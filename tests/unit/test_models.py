"""Models parse every documented response shape and give the data back under the API's keys."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_type_hints

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from abeja_notebooks import (
    Creator,
    LogEvent,
    LogPage,
    Message,
    Notebook,
    NotebookPage,
    NotebookStatus,
)
from abeja_notebooks._endpoints import RawResponse, parse_action, parse_page
from tests.support import FIXTURES, shape_problems


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def raw(body: Any) -> RawResponse:
    return RawResponse(200, {}, json.dumps(body).encode(), "GET", "http://api/x")


def test_the_reference_notebook_parses_with_typed_fields() -> None:
    nb = Notebook.model_validate(fixture("notebook.json"))

    assert nb.id == "1410000000000"
    assert nb.status is NotebookStatus.PENDING
    assert nb.created_at == datetime(2018, 6, 7, 4, 42, 34, 913644, tzinfo=UTC)
    assert nb.creator.email == "test@abeja.asia"
    assert nb.creator.display_name is None
    assert nb.creator.is_registered is True
    assert nb.creator.created_at == datetime(2017, 5, 26, 1, 38, 46, tzinfo=UTC)


def test_an_int_notebook_id_becomes_a_string() -> None:
    nb = Notebook.model_validate(fixture("notebook_int_id.json"))

    assert nb.training_notebook_id == "0"
    assert nb.id == "0"


def test_to_dict_gives_back_the_api_document_unchanged() -> None:
    document = fixture("notebook.json")

    assert Notebook.model_validate(document).to_dict() == document


def test_unknown_fields_survive_a_round_trip() -> None:
    document: dict[str, Any] = {**fixture("notebook.json"), "gpu_quota": 2, "labels": {"team": "x"}}
    document["creator"] = {**document["creator"], "department": "research"}

    nb = Notebook.model_validate(document)

    assert nb.to_dict() == document
    assert json.loads(nb.to_json()) == document
    assert nb.model_extra == {"gpu_quota": 2, "labels": {"team": "x"}}


def test_an_unknown_status_parses_and_keeps_its_raw_value() -> None:
    nb = Notebook.model_validate({**fixture("notebook.json"), "status": "Hibernating"})

    assert nb.status == "Hibernating"
    assert nb.status.value == "Hibernating"
    assert not nb.status.is_known
    assert isinstance(nb.status, NotebookStatus)
    assert nb.to_dict()["status"] == "Hibernating"


def test_known_statuses_are_members_that_compare_equal_to_their_strings() -> None:
    assert NotebookStatus("Running") is NotebookStatus.RUNNING
    running: str = NotebookStatus.RUNNING
    assert running == "Running"
    assert NotebookStatus.RUNNING.is_known
    assert NotebookStatus.FAILED.is_failure
    assert not NotebookStatus.STOPPED.is_failure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-06-07T04:42:34.913644Z", datetime(2018, 6, 7, 4, 42, 34, 913644, tzinfo=UTC)),
        ("2018-06-07T13:42:34+09:00", datetime(2018, 6, 7, 4, 42, 34, tzinfo=UTC)),
        ("2018-06-07T04:42:34", datetime(2018, 6, 7, 4, 42, 34, tzinfo=UTC)),
        ("2018-06-07 04:42:34.5", datetime(2018, 6, 7, 4, 42, 34, 500000, tzinfo=UTC)),
        ("Thu, 07 Jun 2018 04:42:34 GMT", datetime(2018, 6, 7, 4, 42, 34, tzinfo=UTC)),
        ("June 7 2018 4:42am", datetime(2018, 6, 7, 4, 42, tzinfo=UTC)),
    ],
)
def test_timestamps_are_aware_utc_whatever_form_they_come_in(text: str, expected: datetime) -> None:
    event = LogEvent.model_validate({"timestamp": text, "message": "x"})

    assert event.timestamp == expected
    assert event.timestamp.utcoffset() == timedelta(0)


def test_an_unreadable_timestamp_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="timestamp"):
        LogEvent.model_validate({"timestamp": "not a time", "message": "x"})


def test_the_paged_envelope_parses_into_a_notebook_page() -> None:
    page = parse_page(raw(fixture("notebook_page.json")), Notebook, offset=0, limit=None)

    assert (page.total, page.offset, page.limit) == (1, 0, 10)
    assert [nb.id for nb in page.entries] == ["1410000000000"]
    assert isinstance(page.entries[0], Notebook)
    assert not page.from_bare_list
    assert page.is_last


def test_a_bare_list_shorter_than_the_limit_is_the_last_page() -> None:
    page = parse_page(raw(fixture("notebook_bare_list.json")), Notebook, offset=0, limit=50)

    assert (page.total, page.offset, page.limit, len(page)) == (1, 0, 50, 1)
    assert page.from_bare_list
    assert page.is_last


def test_a_bare_list_as_long_as_the_limit_may_have_more_after_it() -> None:
    entries = [{**fixture("notebook.json"), "training_notebook_id": str(n)} for n in range(3)]

    page = parse_page(raw(entries), Notebook, offset=6, limit=3)

    assert (page.total, page.offset, page.limit, page.next_offset) == (9, 6, 3, 9)
    assert not page.is_last


def test_a_bare_list_longer_than_the_limit_is_everything_the_server_has() -> None:
    entries = [{**fixture("notebook.json"), "training_notebook_id": str(n)} for n in range(5)]

    page = parse_page(raw(entries), Notebook, offset=0, limit=3)

    assert (page.total, len(page)) == (5, 5)
    assert page.is_last


def test_start_and_stop_answers_are_a_notebook_or_a_message() -> None:
    assert isinstance(parse_action(raw(fixture("notebook_int_id.json")), Notebook), Notebook)
    message = parse_action(raw(fixture("action_message.json")), Notebook)
    assert message == Message(message="1111111111111 started")


def test_the_delete_answer_unwraps_value_message() -> None:
    assert Message.model_validate(fixture("delete_value.json")).message == "1111111111111 deleted"
    assert Message.model_validate({"message": "x deleted"}).message == "x deleted"


def test_recent_logs_parse_with_both_tokens() -> None:
    page = LogPage.model_validate(fixture("recent_logs.json"))

    assert page.events[0].timestamp == datetime(2019, 10, 16, tzinfo=UTC)
    assert page.events[0].message.startswith("start executing model")
    assert (page.next_forward_token, page.next_backward_token) == ("...", "...")


def test_value_objects_are_frozen() -> None:
    creator = Creator(id="1")
    with pytest.raises(ValidationError, match="frozen"):
        creator.email = "x@example.com"  # type: ignore[misc]  # the point of the test


def test_equality_compares_data_and_models_pickle() -> None:
    a = Notebook.model_validate(fixture("notebook.json"))
    b = Notebook.model_validate(fixture("notebook.json"))

    assert a == b
    assert pickle.loads(pickle.dumps(a)) == a
    assert a != Notebook.model_validate({**fixture("notebook.json"), "status": "Running"})


def test_a_hand_built_notebook_is_unbound() -> None:
    nb = Notebook.model_validate(fixture("notebook.json"))

    assert nb.job_definition_name is None
    assert nb.organization_id is None


_names = st.text(min_size=1, max_size=20)
_times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))]),
)


@st.composite
def notebook_documents(draw: st.DrawFn) -> dict[str, Any]:
    def stamp(value: datetime) -> str:
        return value.isoformat()

    return {
        "job_definition_id": draw(st.one_of(_names, st.integers(0, 10**15))),
        "training_notebook_id": draw(st.one_of(_names, st.integers(0, 10**15))),
        "name": draw(_names),
        "description": draw(st.none() | _names),
        "status": draw(st.sampled_from(["Pending", "Running", "Stopped", "Failed"]) | _names),
        "status_message": draw(st.none() | _names),
        "instance_type": draw(_names),
        "image": draw(_names),
        "creator": {
            "id": draw(_names),
            "email": draw(_names),
            "display_name": draw(st.none() | _names),
            "role": "admin",
            "is_registered": draw(st.booleans()),
            "created_at": stamp(draw(_times)),
            "updated_at": stamp(draw(_times)),
        },
        "created_at": stamp(draw(_times)),
        "modified_at": stamp(draw(_times)),
        **draw(st.dictionaries(st.text("xyz_", min_size=4, max_size=8), st.integers(), max_size=3)),
    }


@given(notebook_documents())
def test_any_contract_shaped_notebook_parses_and_round_trips(document: dict[str, Any]) -> None:
    nb = Notebook.model_validate(document)

    assert nb.id == str(document["training_notebook_id"])
    assert nb.status.value == document["status"]
    assert nb.created_at == datetime.fromisoformat(document["created_at"])
    assert nb.created_at.utcoffset() == timedelta(0)
    again = Notebook.model_validate(nb.to_dict())
    assert again == nb


def test_a_notebook_page_can_be_built_and_read() -> None:
    nb = Notebook.model_validate(fixture("notebook.json"))
    page = NotebookPage[Notebook](total=3, offset=1, limit=1, entries=[nb])

    assert page.next_offset == 2
    assert not page.is_last


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (Notebook, "notebook.json"),
        (Notebook, "notebook_int_id.json"),
        (NotebookPage[Notebook], "notebook_page.json"),
        (LogPage, "recent_logs.json"),
    ],
)
def test_to_dict_has_the_shape_of_the_typed_dict_it_declares(model: Any, name: str) -> None:
    parsed = model.model_validate(fixture(name))
    parts: list[Any] = [parsed, *getattr(parsed, "events", []), *getattr(parsed, "entries", [])]
    if isinstance(parsed, Notebook):
        parts.append(parsed.creator)

    for part in parts:
        to_dict: Any = part.to_dict
        declared = get_type_hints(to_dict)["return"]
        assert shape_problems(to_dict(), declared, type(part).__name__) == []
