"""The wire forms a conformance run can record, and the emulator dialect that speaks them.

Each form is named, classified from what came over the wire into a short label (never a value:
no id, name, e-mail or time survives classification), and compared with what the emulator answers
by default. Every label the emulator can produce maps to a field of
`Dialect`, so a report turns into the flags of an emulator that
answers the same way; a label no dialect produces is listed as not reproduced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, cast, get_args

from abeja_notebooks._errors import REQUEST_ID_HEADERS
from abeja_notebooks.testing._auth import DEFAULT_CREATOR
from abeja_notebooks.testing._dialect import Dialect, TimestampForm
from abeja_notebooks.testing._wire import format_micros, format_millis, retime

__all__ = [
    "FORMS",
    "TIME_FORMS",
    "FormSpec",
    "action_answer_form",
    "action_id_form",
    "as_array",
    "as_object",
    "delete_answer_form",
    "dialect_for",
    "error_body_form",
    "expected",
    "flags_by_form",
    "id_form",
    "listing_form",
    "request_id_header_form",
    "time_shape",
]


@dataclass(frozen=True)
class FormSpec:
    """A wire form that one `Dialect` field decides.

    Attributes:
        name: What the report calls it.
        field: The ``Dialect`` field.
        labels: Each label the emulator can produce -> the field's value that produces it.
    """

    name: str
    field: str
    labels: Mapping[str, object]

    @property
    def expected(self) -> str:
        """The label of the emulator's default."""
        default = _DEFAULTS[self.field]
        return next(label for label, value in self.labels.items() if value == default)


_DEFAULTS: Final[dict[str, object]] = {spec.name: spec.default for spec in fields(Dialect)}

FORMS: Final[dict[str, FormSpec]] = {
    spec.name: spec
    for spec in (
        FormSpec("listing", "list_form", {"envelope": "envelope", "bare list": "bare"}),
        FormSpec("ids", "ids", {"string": "string", "number": "number"}),
        FormSpec(
            "ids in update/start/stop answers",
            "int_ids_in_actions",
            {"the notebook's id": False, "the integer 0": True},
        ),
        FormSpec(
            "start/stop answer",
            "action_response",
            {"the notebook": "notebook", "message": "message"},
        ),
        FormSpec(
            "delete answer",
            "delete_response",
            {'{"value": {"message"}}': "value", '{"message"}': "message"},
        ),
        FormSpec(
            "error body",
            "error_body",
            {"error, error_description, error_detail": "api", "message": "message"},
        ),
        FormSpec(
            "request-id header",
            "request_id_header",
            {
                "x-request-id": "x-request-id",
                "x-amzn-requestid": "x-amzn-requestid",
                "none": "none",
            },
        ),
    )
}
"""The forms one ``Dialect`` field each decides, by report name."""

TIME_FORMS: Final = ("notebook times", "creator times", "log times")
"""The timestamp forms, which the ``timestamps`` field decides together."""

_REFERENCE_TIMES: Final[dict[str, str]] = {
    "notebook times": format_micros(0.0),
    "creator times": str(DEFAULT_CREATOR.to_json()["created_at"]),
    "log times": format_millis(0.0),
}
"""A time of each kind as the emulator writes it by default (the API reference's forms)."""

_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?P<sep>[T ])[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.(?P<fraction>[0-9]+))?(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def expected(form: str) -> str:
    """Give the label of what the emulator answers by default.

    Args:
        form: A name from ``FORMS`` or ``TIME_FORMS``.

    Returns:
        The label.
    """
    if form in TIME_FORMS:
        return time_shape(_REFERENCE_TIMES[form])
    return FORMS[form].expected


# --- classifying what came over the wire -----------------------------------------------------


def time_shape(value: object) -> str:
    """Give the shape of a timestamp, without its value.

    Args:
        value: A timestamp as it came in the JSON.

    Returns:
        Like ``YYYY-MM-DDThh:mm:ss.ffffffZ`` (the fraction's digits and the zone as sent);
        another text with each digit written ``9``; or the JSON type of a non-text.
    """
    if not isinstance(value, str):
        return f"a JSON {_json_type(value)}"
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return re.sub("[0-9]", "9", value)[:40]
    fraction = match["fraction"]
    return (
        f"YYYY-MM-DD{match['sep']}hh:mm:ss"
        + (f".{'f' * len(fraction)}" if fraction else "")
        + (match["zone"] or "")
    )


def id_form(value: object) -> str:
    """Give the form of a ``training_notebook_id``.

    Args:
        value: The id as it came in the JSON.

    Returns:
        ``"string"``, ``"number"``, or the JSON type of anything else.
    """
    if isinstance(value, str):
        return "string"
    if isinstance(value, int) and not isinstance(value, bool):
        return "number"
    return f"a JSON {_json_type(value)}"


def action_id_form(value: object, notebook_id: str, ids: str | None) -> str:
    """Give the form of the id in an update, start or stop answer.

    Args:
        value: The id as it came in the JSON.
        notebook_id: The id of the notebook the call was about.
        ids: The form of ids in the create answer (see :func:`id_form`), if known.

    Returns:
        ``"the notebook's id"`` (in the same form as elsewhere), ``"the integer 0"``, or what
        else it was.
    """
    if value == 0 and not isinstance(value, bool) and notebook_id != "0":
        return "the integer 0"
    if str(value) == notebook_id:
        form = id_form(value)
        return "the notebook's id" if ids in (None, form) else f"the notebook's id, as a {form}"
    return f"another id ({id_form(value)})"


def listing_form(body: object) -> str:
    """Give the form of a listing.

    Args:
        body: The parsed JSON.

    Returns:
        ``"envelope"``, ``"bare list"``, or the JSON type of anything else.
    """
    if isinstance(body, list):
        return "bare list"
    if "entries" in (as_object(body) or {}):
        return "envelope"
    return f"a JSON {_json_type(body)}"


def action_answer_form(body: object) -> str:
    """Give the form of a start or stop answer.

    Args:
        body: The parsed JSON.

    Returns:
        ``"the notebook"``, ``"message"``, or the keys of anything else.
    """
    if "training_notebook_id" in (as_object(body) or {}):
        return "the notebook"
    return _keys(body)


def delete_answer_form(body: object) -> str:
    """Give the form of a delete answer.

    Args:
        body: The parsed JSON.

    Returns:
        ``'{"value": {"message"}}'``, ``'{"message"}'``, or the keys of anything else.
    """
    answer = as_object(body) or {}
    if set(answer) == {"value"} and "message" in (as_object(answer["value"]) or {}):
        return '{"value": {"message"}}'
    if set(answer) == {"message"}:
        return '{"message"}'
    return _keys(body)


def error_body_form(body: str) -> str:
    """Give the form of an error answer's body.

    Args:
        body: The body as the SDK's error keeps it (an excerpt).

    Returns:
        ``"error, error_description, error_detail"`` (the API's), ``"message"``, ``"empty"``,
        ``"not JSON"``, or the keys of another JSON body.
    """
    import json

    if not body.strip():
        return "empty"
    try:
        data: object = json.loads(body)
    except ValueError:
        return "not JSON"
    if {"error", "error_description"} <= set(as_object(data) or {}):
        return "error, error_description, error_detail"
    return _keys(data)


def as_object(value: object) -> dict[str, Any] | None:
    """Give a JSON value as an object, or None when it is another kind of value.

    Args:
        value: Parsed JSON.

    Returns:
        The object, or None.
    """
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_array(value: object) -> list[object]:
    """Give a JSON value as an array, or an empty one when it is another kind of value.

    Args:
        value: Parsed JSON.

    Returns:
        The array's items.
    """
    return cast("list[object]", value) if isinstance(value, list) else []


def request_id_header_form(headers: Mapping[str, str]) -> str:
    """Give the header an answer's request id came in.

    Args:
        headers: The answer's headers (case-insensitive).

    Returns:
        The first header the SDK reads a request id from, or ``"none"``.
    """
    return next((name for name in REQUEST_ID_HEADERS if headers.get(name)), "none")


def _keys(body: object) -> str:
    answer = as_object(body)
    if answer is None:
        return f"a JSON {_json_type(body)}"
    return ", ".join(sorted(answer)) or "{}"


_JSON_TYPES: Final[dict[type, str]] = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), "number")


# --- from forms to a dialect -----------------------------------------------------------------


def dialect_for(observed: Mapping[str, list[str]]) -> tuple[Dialect, list[str]]:
    """Find the emulator dialect that answers in the observed forms.

    Args:
        observed: Form name -> the distinct labels seen (a form seen in two ways has two);
            names other than those of ``FORMS`` and ``TIME_FORMS`` are ignored.

    Returns:
        The dialect, and the names of the forms it cannot reproduce (left at the default).
    """
    values: dict[str, Any] = {}
    missing: list[str] = []
    for name, labels in observed.items():
        spec = FORMS.get(name)
        if spec is None:
            continue
        if len(labels) == 1 and labels[0] in spec.labels:
            values[spec.field] = spec.labels[labels[0]]
        else:
            missing.append(name)
    times = {name: labels for name, labels in observed.items() if name in TIME_FORMS}
    form = _timestamp_form(times)
    if form is None:
        missing.extend(times)
    else:
        values["timestamps"] = form
    return Dialect(**values), missing


def _timestamp_form(times: Mapping[str, list[str]]) -> TimestampForm | None:
    """The ``timestamps`` form writing each kind of time as observed, if one does."""
    forms: tuple[TimestampForm, ...] = get_args(TimestampForm)
    for form in forms:
        if all(
            labels == [time_shape(retime(_REFERENCE_TIMES[kind], form))]
            for kind, labels in times.items()
        ):
            return form
    return None


def flags_by_form(seen: dict[str, list[str]], args: list[str]) -> dict[str, list[str]]:
    """Give, for each form, the emulator flags (of ``args``) that make it answer as observed.

    Args:
        seen: Form name -> the labels met.
        args: The flags of the dialect that answers in them.

    Returns:
        Form name -> its flag and value, for the forms a flag decides.
    """
    out: dict[str, list[str]] = {}
    for name in seen:
        spec = FORMS.get(name)
        field_name = spec.field if spec else "timestamps" if name in TIME_FORMS else None
        if field_name is None:
            continue
        flag = "--" + field_name.replace("_", "-")
        if flag in args:
            at = args.index(flag)
            value = args[at + 1 : at + 2]
            out[name] = [flag, *value] if value and not value[0].startswith("--") else [flag]
    return out
