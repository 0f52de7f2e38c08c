"""How a conformance run names the wire forms it meets, and finds the dialect that speaks them."""

from __future__ import annotations

import pytest

from abeja_notebooks.cli._conformance_forms import (
    action_id_form,
    delete_answer_form,
    dialect_for,
    error_body_form,
    expected,
    time_shape,
)
from abeja_notebooks.testing import Dialect


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("2018-06-07T04:42:34.913644Z", "YYYY-MM-DDThh:mm:ss.ffffffZ"),
        ("2018-01-04T03:02:12Z", "YYYY-MM-DDThh:mm:ssZ"),
        ("2019-10-16T00:00:00.000+09:00", "YYYY-MM-DDThh:mm:ss.fff+09:00"),
        ("2019-10-16 00:00:00", "YYYY-MM-DD hh:mm:ss"),
        ("Wed, 16 Oct 2019 00:00:00 GMT", "Wed, 99 Oct 9999 99:99:99 GMT"),
        (1571184000, "a JSON number"),
        (None, "a JSON null"),
    ],
)
def test_a_time_is_named_by_its_shape_never_its_value(value: object, shape: str) -> None:
    assert time_shape(value) == shape


@pytest.mark.parametrize(
    ("body", "form"),
    [
        (
            '{"error": "not_found", "error_description": "gone", "error_detail": {}}',
            expected("error body"),
        ),
        ('{"message": "Not Found"}', "message"),
        ("", "empty"),
        ("<html>502</html>", "not JSON"),
        ('["gone"]', "a JSON array"),
    ],
)
def test_an_error_body_is_named_by_its_keys(body: str, form: str) -> None:
    assert error_body_form(body) == form


def test_a_delete_answer_is_named_by_its_shape() -> None:
    assert delete_answer_form({"value": {"message": "1 deleted"}}) == expected("delete answer")
    assert delete_answer_form({"message": "1 deleted"}) == '{"message"}'
    assert delete_answer_form({"deleted": True}) == "deleted"


@pytest.mark.parametrize(
    ("value", "ids", "form"),
    [
        ("1900000000001", "string", "the notebook's id"),
        (1900000000001, "number", "the notebook's id"),
        (0, "string", "the integer 0"),
        (1900000000001, "string", "the notebook's id, as a number"),
        ("1900000000002", "string", "another id (string)"),
    ],
)
def test_the_id_in_an_action_answer_is_compared_with_the_notebooks(
    value: object, ids: str, form: str
) -> None:
    assert action_id_form(value, "1900000000001", ids) == form


def test_the_default_forms_make_the_default_dialect() -> None:
    observed = {name: [expected(name)] for name in ("listing", "ids", "error body", "log times")}

    assert dialect_for(observed) == (Dialect(), [])


def test_observed_forms_make_the_dialect_that_answers_in_them() -> None:
    observed = {
        "listing": ["bare list"],
        "ids in update/start/stop answers": ["the integer 0"],
        "notebook times": ["YYYY-MM-DDThh:mm:ss.ffffff+00:00"],
        "creator times": ["YYYY-MM-DDThh:mm:ss+00:00"],
        "request-id header": ["none"],
    }

    dialect, missing = dialect_for(observed)

    assert dialect == Dialect(
        list_form="bare", int_ids_in_actions=True, timestamps="offset", request_id_header="none"
    )
    assert missing == []


def test_forms_no_dialect_speaks_are_named_and_left_at_the_default() -> None:
    observed = {
        "listing": ["envelope", "bare list"],  # both, in one run
        "notebook times": ["YYYY-MM-DDThh:mm:ss.ffffff+00:00"],
        "creator times": ["YYYY-MM-DDThh:mm:ssZ"],  # no single timestamps form writes both
        "request-id header": ["x-amz-request-id"],
    }

    dialect, missing = dialect_for(observed)

    assert dialect == Dialect()
    assert missing == ["listing", "request-id header", "notebook times", "creator times"]
