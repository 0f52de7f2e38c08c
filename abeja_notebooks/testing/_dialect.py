"""The answer forms ("dialects") the emulator can speak, shared by the Python API and its CLI.

The Notebook API has been seen answering the same operation in more than one form: a listing
as an envelope or a bare list, start and stop with the notebook or a ``{"message"}``, and so
on. A `Dialect` picks one form for each; the emulator answers
in it, and ``python -m abeja_notebooks.testing`` offers every field as a command-line flag.

Adding a form: add a field to ``Dialect`` (a ``Literal`` of the forms, default first, or a
``bool``), describe it in ``_HELP``, and read it in the operation that answers in it. The flag,
its ``--help`` line, `Dialect.to_args` and
`Dialect.variants` follow from the field.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    import argparse

__all__ = [
    "ActionResponse",
    "DeleteResponse",
    "Dialect",
    "ErrorBody",
    "IdForm",
    "ListForm",
    "RequestIdHeader",
    "TimestampForm",
]

ListForm = Literal["envelope", "bare"]
"""How listings answer: ``"envelope"`` or ``"bare"``."""

ActionResponse = Literal["notebook", "message"]
"""What start and stop answer: ``"notebook"`` or ``"message"``."""

DeleteResponse = Literal["value", "message"]
"""What delete answers: ``"value"`` or ``"message"``."""

IdForm = Literal["string", "number"]
"""How ``training_notebook_id`` is written: ``"string"`` or ``"number"``."""

TimestampForm = Literal["reference", "offset", "naive", "millis"]
"""How times are written: ``"reference"``, ``"offset"``, ``"naive"`` or ``"millis"``."""

ErrorBody = Literal["api", "message"]
"""The body of an error answer: ``"api"`` or ``"message"``."""

RequestIdHeader = Literal["x-request-id", "x-amzn-requestid", "none"]
"""The header that carries each answer's request id (``"none"``: no such header)."""


@dataclass(frozen=True)
class Dialect:
    """One answer form for each operation that has several on the wire.

    The default is what the reference documentation shows first; every other value is a form a
    client must also accept. Build one with keywords, and hand it to
    `Emulator` (``dialect=``) or serve it with the matching
    flags (`Dialect.to_args`).

    Attributes:
        list_form: ``"envelope"``: listings answer ``{"total", "offset", "limit", "entries"}``;
            ``"bare"``: a JSON list of notebooks, the older server form (``offset`` and ``limit``
            still apply).
        action_response: ``"notebook"``: start and stop answer the notebook after the change;
            ``"message"``: ``{"message": "<id> started"}`` (or ``stopped``).
        delete_response: ``"value"``: delete answers ``{"value": {"message": "<id> deleted"}}``;
            ``"message"``: ``{"message": "<id> deleted"}``.
        int_ids_in_actions: When True, update, start and stop answer ``training_notebook_id`` as
            the integer 0, as the reference documentation's examples do.
        ids: ``"string"``: ``training_notebook_id`` is a JSON string, as in the reference's
            create, get and list examples; ``"number"``: a JSON number (the same digits).
        timestamps: ``"reference"``: notebook times with microseconds
            (``2018-06-07T04:42:34.913644Z``), creator times without a fraction, log times with
            milliseconds, as the reference writes them; ``"offset"``: the same with ``+00:00``
            for ``Z``; ``"naive"``: the same without a zone; ``"millis"``: every time with
            milliseconds and ``Z`` (``2018-06-07T04:42:34.913Z``).
        error_body: ``"api"``: error answers are ``{"error", "error_description",
            "error_detail"}``; ``"message"``: ``{"message": "<description>"}``, as an API
            gateway in front of a service answers.
        request_id_header: The response header that carries the request id:
            ``"x-request-id"``, ``"x-amzn-requestid"``, or ``"none"`` for no request id.

    Examples:
        >>> Dialect(list_form="bare").to_args()
        ['--list-form', 'bare']
        >>> len(Dialect.variants())
        11
    """

    list_form: ListForm = "envelope"
    action_response: ActionResponse = "notebook"
    delete_response: DeleteResponse = "value"
    int_ids_in_actions: bool = False
    ids: IdForm = "string"
    timestamps: TimestampForm = "reference"
    error_body: ErrorBody = "api"
    request_id_header: RequestIdHeader = "x-request-id"

    def __post_init__(self) -> None:
        """Check every field against its forms.

        Raises:
            ValueError: On a value that is not one of the field's forms.
        """
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            forms = _forms(spec.name)
            if value not in forms or type(value) is not type(forms[0]):
                raise ValueError(
                    f"{spec.name} must be one of {', '.join(map(repr, forms))}, got {value!r}"
                )

    def to_args(self) -> list[str]:
        """Give the command-line flags that make a served emulator speak this dialect.

        Returns:
            Flags for ``python -m abeja_notebooks.testing``; empty for the default dialect.
        """
        args: list[str] = []
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if value == spec.default:
                continue
            flag = _flag(spec.name)
            args.extend([flag] if isinstance(value, bool) else [flag, str(value)])
        return args

    @classmethod
    def variants(cls) -> list[Dialect]:
        """List every non-default form on its own: one dialect per alternative form.

        Returns:
            Dialects that each differ from the default in exactly one field, in field order.
        """
        out: list[Dialect] = []
        for spec in dataclasses.fields(cls):
            for form in _forms(spec.name)[1:]:
                out.append(cls(**{spec.name: form}))
        return out

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add one flag per field to a parser, in an "answer forms" group.

        Args:
            parser: The parser to extend.
        """
        group = parser.add_argument_group("answer forms", _GROUP_HELP)
        for spec in dataclasses.fields(cls):
            forms = _forms(spec.name)
            flag = _flag(spec.name)
            if isinstance(forms[0], bool):
                group.add_argument(flag, action="store_true", help=_HELP[spec.name])
            else:
                group.add_argument(
                    flag,
                    choices=forms,
                    default=forms[0],
                    help=f"{_HELP[spec.name]} (default: %(default)s)",
                )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Dialect:
        """Read the dialect back from options parsed by `Dialect.add_arguments`.

        Args:
            args: The parsed options.

        Returns:
            The dialect they name.
        """
        return cls(**{spec.name: getattr(args, spec.name) for spec in dataclasses.fields(cls)})


_GROUP_HELP = """\
The API answers some operations in more than one form. The defaults are
the API reference's; each flag switches one operation to another form,
so that a client in any language can be tested against each."""

_HELP: dict[str, str] = {
    "list_form": "how listings answer: an envelope {total, offset, limit, entries}, or a bare "
    "JSON list of notebooks (an older server form)",
    "action_response": 'what start and stop answer: the notebook, or {"message": "<id> started"}',
    "delete_response": 'what delete answers: {"value": {"message": ...}}, or {"message": ...}',
    "int_ids_in_actions": "answer update, start and stop with training_notebook_id as the "
    "integer 0, as the API reference's examples do",
    "ids": "write training_notebook_id as a JSON string or as a JSON number",
    "timestamps": "how times are written: as the API reference does (notebook times with "
    "microseconds, creator times without a fraction, log times with milliseconds, each "
    "ending in Z), the same with +00:00 for Z (offset), without a zone (naive), or every "
    "time with milliseconds and Z (millis)",
    "error_body": 'the body of error answers: {"error", "error_description", "error_detail"} '
    '(api), or {"message": ...} as an API gateway answers (message)',
    "request_id_header": "the header that carries each answer's request id, or none",
}
"""The ``--help`` line of each field's flag."""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


@functools.cache
def _forms(name: str) -> tuple[Any, ...]:
    """The values a field can take, its default first."""
    hint = typing.get_type_hints(Dialect)[name]
    if hint is bool:
        return (False, True)
    return get_args(hint)
