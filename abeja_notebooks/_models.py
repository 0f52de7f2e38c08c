"""The data the Notebook API returns, as typed pydantic models.

Every model keeps fields the server adds later (``extra="allow"``) and gives them back in
``to_dict()`` / ``to_json()`` under the API's own keys. Timestamps are timezone-aware UTC
datetimes. The bound behaviour of notebooks (``nb.start()``, ...) lives in ``_resources``;
this module knows nothing of clients or I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from enum import StrEnum
from itertools import repeat
from typing import TYPE_CHECKING, Annotated, Any, Generic, NamedTuple, Self, TypeVar, cast

from pydantic import (
    BaseModel,
    GetCoreSchemaHandler,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic_core import SchemaValidator, core_schema

from ._display import (
    Shown,
    cut_repr,
    hidden_names,
    notebook_table,
    page_table,
    pretty_items,
    stamp,
)
from ._errors import UnboundNotebookError
from ._types import CreatorDict, LogEventDict, LogPageDict, NotebookDict, NotebookPageDict

if TYPE_CHECKING:
    from ._display import PrettyPrinter

__all__ = [
    "BaseNotebook",
    "Binding",
    "Creator",
    "LogEvent",
    "LogPage",
    "Message",
    "NotebookPage",
    "NotebookStatus",
    "NotebookT",
]


class NotebookStatus(StrEnum):
    """The state of a notebook.

    The members are the statuses the SDK knows. A status the server invents later still parses:
    it becomes a member-like value that keeps the raw string (``status.value``) and answers
    ``status.is_known`` with ``False``. Members compare equal to their strings
    (``nb.status == "Running"``).
    """

    PENDING = "Pending"
    """Created or started; the notebook server is being launched."""
    RUNNING = "Running"
    """The notebook server is up; logs are being produced."""
    STOPPED = "Stopped"
    """Stopped by a user; it can be started again."""
    FAILED = "Failed"
    """The notebook could not run; ``status_message`` usually says why."""

    @classmethod
    def _missing_(cls, value: object) -> NotebookStatus | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this status is one of the members the SDK was built with."""
        return self._value_ in type(self)._value2member_map_

    @property
    def is_failure(self) -> bool:
        """Whether the notebook cannot reach a running state from here without a new start."""
        return self is NotebookStatus.FAILED


def _loose_timestamp(value: Any) -> datetime:
    """The slow path: any other timestamp form, made timezone-aware UTC (naive means UTC)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            from dateutil import parser as dateutil_parser  # only for forms ISO 8601 lacks

            try:
                parsed = dateutil_parser.parse(value)
            except (ValueError, OverflowError) as exc:
                raise ValueError(f"not a timestamp: {value!r}") from exc
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class _UtcTimestamp:
    """Validation of a timestamp: UTC RFC 3339 in pydantic's core (fast), else Python.

    A plain class: a dataclass would cost every process half a millisecond at import.
    """

    __slots__ = ("write",)

    def __init__(self, write: Callable[[datetime], str]) -> None:
        self.write = write

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [
                core_schema.datetime_schema(tz_constraint=0),  # "...Z" or "+00:00"
                core_schema.no_info_plain_validator_function(_loose_timestamp),
            ],
            mode="left_to_right",
            custom_error_type="timestamp",
            custom_error_message="Input should be a timestamp (RFC 3339, or another date form)",
            serialization=core_schema.plain_serializer_function_ser_schema(
                self.write, when_used="json"
            ),
        )


class _StatusSchema:
    """Validation of a status: looked up among the members inside pydantic's core, with no Python
    call for a known one; an unknown string becomes a member-like value (``_missing_``)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        known = core_schema.enum_schema(NotebookStatus, list(NotebookStatus), sub_type="str")
        return core_schema.custom_error_schema(
            known
            if _core_calls_missing(known)
            else core_schema.union_schema(
                [known, core_schema.no_info_plain_validator_function(_unknown_status)],
                mode="left_to_right",
            ),
            custom_error_type="notebook_status",
            custom_error_message="Input should be a status string",
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="json"),
        )


def _core_calls_missing(schema: core_schema.CoreSchema) -> bool:
    """Whether pydantic's core turns an unknown value into ``_missing_``'s answer by itself.

    pydantic-core 2.19 and later do; older ones need a fallback validator, which costs every
    known status a few nanoseconds, so it is added only where it is needed.
    """
    try:
        SchemaValidator(schema).validate_python("?")
    except ValidationError:
        return False
    return True


def _unknown_status(value: object) -> NotebookStatus:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return NotebookStatus(value)


Status = Annotated[NotebookStatus, _StatusSchema()]
"""A `NotebookStatus` field."""


def _micro(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _seconds(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if not value.microsecond else _micro(value)


def _millis(value: datetime) -> str:
    if value.microsecond % 1000:
        return _micro(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


Timestamp = Annotated[datetime, _UtcTimestamp(_micro)]
"""A timezone-aware UTC datetime: RFC 3339 first, python-dateutil for looser forms.

Written back as the API writes notebook times: ``2018-06-07T04:42:34.913644Z``.
"""
SecondsTimestamp = Annotated[datetime, _UtcTimestamp(_seconds)]
"""A :data:`Timestamp` written back as the API writes user times: ``2018-01-04T03:02:12Z``."""
MillisTimestamp = Annotated[datetime, _UtcTimestamp(_millis)]
"""A :data:`Timestamp` written back as the API writes log times: ``2019-10-16T00:00:00.000Z``."""


IdStr = str
"""An id the API sends as a string or as an int; always a ``str`` here (models coerce numbers)."""


class _ApiModel(
    BaseModel,
    frozen=True,
    extra="allow",
    cache_strings="keys",
    defer_build=True,
    coerce_numbers_to_str=True,
):
    """Shared configuration: frozen, and unknown fields kept; ``dir()`` without pydantic's
    deprecated API."""

    def __dir__(self) -> list[str]:
        return _dir(self)

    def _api_dict(self) -> Any:
        # What each model's to_dict() returns, typed there: the API's keys and JSON types, the
        # fields that were set (all of them for a server's answer), unknown ones included.
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self, *, indent: int | None = None) -> str:
        """Return the data as a JSON document with the API's keys, unknown fields included.

        Args:
            indent: Pretty-print with this many spaces per level.

        Returns:
            The JSON text.
        """
        return self.model_dump_json(by_alias=True, exclude_unset=True, indent=indent)


class Creator(_ApiModel, frozen=True):
    """The user who created a notebook. Immutable."""

    id: IdStr
    """The user's id."""
    email: str | None = None
    """The user's e-mail address."""
    display_name: str | None = None
    """The user's display name, if they set one."""
    role: str | None = None
    """The user's role in the organization, e.g. ``"admin"``."""
    is_registered: bool | None = None
    """Whether the user finished registration."""
    created_at: SecondsTimestamp | None = None
    """When the user was created (UTC)."""
    updated_at: SecondsTimestamp | None = None
    """When the user was last changed (UTC)."""

    def __repr_args__(self) -> Iterator[tuple[str, Shown]]:
        # At most 160 characters: three values of at most 40.
        for name in ("id", "email", "display_name"):
            value = getattr(self, name)
            if value is not None:
                yield name, cut_repr(value, 40)

    def to_dict(self) -> CreatorDict:
        """Return the creator as the API sends it: its keys, JSON types, unknown fields included.

        Returns:
            A new `CreatorDict`, not tied to the creator.
        """
        return cast("CreatorDict", self._api_dict())


class BaseNotebook(_ApiModel, frozen=True):
    """The fields of a notebook, shared by ``Notebook`` and ``AsyncNotebook``.

    Clients hand out a `Notebook` (sync) or an
    `AsyncNotebook`, which add the methods that call the API.

    Fields are read-only: a notebook changes only through the API (``nb.update(...)``,
    ``nb.refresh()``), which replaces its data in place.
    """

    job_definition_id: IdStr
    """The id of the training job definition the notebook belongs to."""
    training_notebook_id: IdStr
    """The notebook's id (``nb.id`` is the same). Always a ``str``, even when sent as a number."""
    name: str
    """The server-assigned name, e.g. ``"notebook-3"``."""
    description: str | None = None
    """A free-text description, if any."""
    status: Status
    """The notebook's state; see `NotebookStatus`."""
    status_message: str | None = None
    """A human explanation of the status (often set when it failed)."""
    instance_type: str
    """The machine it runs on, e.g. ``"cpu-1"`` or ``"gpu:b-4"``."""
    image: str
    """The runtime image, e.g. ``"abeja-inc/all-cpu:19.10"``."""
    creator: Creator
    """Who created the notebook."""
    created_at: Timestamp
    """When it was created (UTC)."""
    modified_at: Timestamp
    """When it was last changed (UTC)."""

    # Where the notebook was fetched from is one small tuple in a slot of our own, set only by a
    # manager. Not a pydantic private attribute: declaring one costs every parsed notebook a
    # default-filling step (about a third of the time it takes to parse a page), while an unset
    # slot costs nothing. Slots are not part of pydantic's state, so copies and unpickled
    # notebooks come out unbound, and ``==``, ``repr`` and ``to_dict()`` never see the binding.
    __slots__ = ("_binding",)

    def _bind(self, binding: Binding) -> None:
        """Tie this notebook to the manager that fetched it."""
        _set_binding(self, binding)

    @staticmethod
    def _bind_all(notebooks: Iterable[BaseNotebook], binding: Binding) -> None:
        """Tie each of a page's notebooks to the manager that fetched them."""
        # The slot's own setter mapped over the page, drained by a zero-length deque: a loop in
        # C, about a fifth of the time of calling _bind per notebook.
        deque(map(_set_binding, notebooks, repeat(binding)), maxlen=0)

    def _bound_to(self, method: str) -> Binding:
        """Where this notebook was fetched from, for a bound method named ``method``.

        Raises:
            UnboundNotebookError: No manager handed this notebook out.
        """
        binding: Binding | None = getattr(self, "_binding", None)
        if binding is None:
            kind = type(self).__name__
            raise UnboundNotebookError(
                f"{kind}.{method}() needs a client, but this {kind} (id {self.id!r}) was not "
                "handed out by one: it was built by hand, copied or unpickled. Fetch it through "
                "a client, e.g. client.notebooks.get(job_definition_name, notebook_id), or call "
                f"client.notebooks.{method}(...) directly."
            )
        return binding

    @property
    def id(self) -> str:
        """The notebook's id (``training_notebook_id``)."""
        return self.training_notebook_id

    def to_dict(self) -> NotebookDict:
        """Return the notebook as the API sends it: its keys, JSON types, unknown fields included.

        Returns:
            A new `NotebookDict`, not tied to the notebook.
        """
        return cast("NotebookDict", self._api_dict())

    @property
    def job_definition_name(self) -> str | None:
        """The name of the job definition it was fetched under; ``None`` when built by hand."""
        binding: Binding | None = getattr(self, "_binding", None)
        return None if binding is None else binding.job_definition_name

    @property
    def organization_id(self) -> str | None:
        """The organization it was fetched under; ``None`` when built by hand."""
        binding: Binding | None = getattr(self, "_binding", None)
        return None if binding is None else binding.organization_id

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, BaseNotebook)  # narrowed by the type check above
        return (
            self.__dict__ == other.__dict__ and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def __hash__(self) -> int:
        return hash((type(self), self.training_notebook_id))

    def __repr_args__(self) -> Iterator[tuple[str, Shown]]:
        # At most 200 characters (four values of at most 36), whatever the server sent.
        yield "id", cut_repr(self.id, 36)
        yield "name", cut_repr(self.name, 36)
        yield "status", cut_repr(self.status.value, 36)
        yield "instance_type", cut_repr(self.instance_type, 36)

    def _repr_html_(self) -> str:
        return notebook_table(self)

    def _take(self, other: BaseNotebook) -> Self:
        """Take ``other``'s data in place and return this notebook (its binding stays).

        It keeps its own id: update, start and stop may answer with a placeholder id (the
        integer 0 of the API reference's examples) instead of the notebook's.

        The data goes through the model's own validator with ``self_instance``, the way
        pydantic's ``__init__`` fills a new instance, so fields, unknown fields and which
        fields the server sent (``to_dict()`` writes only those) all come from ``other``.
        """
        data = {name: getattr(other, name) for name in other.model_fields_set}
        data.update(other.model_extra or {})
        data["training_notebook_id"] = self.training_notebook_id
        type(self).__pydantic_validator__.validate_python(data, self_instance=self)
        return self


# Straight into the slot: pydantic's __setattr__ would add its bookkeeping per notebook.
_set_binding: Callable[[BaseNotebook, Binding], None] = BaseNotebook.__dict__["_binding"].__set__

NotebookT = TypeVar("NotebookT", bound=BaseNotebook)


class Binding(NamedTuple):
    """What a bound notebook remembers of where it came from (see ``BaseNotebook._bind``)."""

    manager: object
    organization_id: str
    job_definition_name: str


class NotebookPage(_ApiModel, Generic[NotebookT], frozen=True):
    """One page of a notebook listing.

    Attributes are those of the API's envelope. An older server answers with a bare JSON list
    of notebooks instead, which says nothing of the rest of the listing; the page is then built
    from the request: ``offset`` and ``limit`` are the ones asked for (``limit`` is the number
    of entries when none was asked for), and ``total`` is ``offset`` plus the number of entries,
    the notebooks known up to the end of this page, not the whole count. Such a page
    (``from_bare_list``) is the last (``is_last``) when it holds fewer notebooks than the limit,
    or more (the server sent everything); a full one may have more after it.
    """

    total: int
    """How many notebooks the job definition holds in all (at the time of this page); for a
    page built from a bare list, ``offset`` plus the number of entries."""
    offset: int
    """The position of the first entry in the whole listing."""
    limit: int
    """The page size the server applied."""
    entries: list[NotebookT]
    """The notebooks on this page, in the server's order."""
    _bare_list: bool = PrivateAttr(default=False)
    """Built from a bare list (set by the parser): ``total`` does not tell the end."""

    def to_dict(self) -> NotebookPageDict:
        """Return the page as the API sends it: its keys, JSON types, unknown fields included.

        Returns:
            A new `NotebookPageDict`, not tied to the page.
        """
        return cast("NotebookPageDict", self._api_dict())

    def __len__(self) -> int:
        return len(self.entries)

    def _repr_pretty_(self, p: PrettyPrinter, cycle: bool) -> None:
        head = f"{type(self).__name__}(total={self.total}, offset={self.offset}, "
        pretty_items(p, f"{head}limit={self.limit}, entries=[", self.entries, cycle)

    def _repr_html_(self) -> str:
        return page_table(type(self).__name__, self.entries, self.total, self.offset, self.limit)

    @property
    def next_offset(self) -> int:
        """The offset of the page after this one."""
        return self.offset + len(self.entries)

    @property
    def from_bare_list(self) -> bool:
        """Whether the page was built from a bare list (an older server's answer), whose
        ``total`` counts only the notebooks up to this page's end."""
        return self._bare_list

    @property
    def is_last(self) -> bool:
        """Whether no page follows: it is empty, or the listing's ``total`` is reached (for a
        page built from a bare list: it holds fewer or more notebooks than ``limit``)."""
        if not self.entries:
            return True
        if self.from_bare_list:
            return len(self.entries) != self.limit
        return self.next_offset >= self.total


class LogEvent(_ApiModel, frozen=True):
    """One line of a notebook's log. Immutable."""

    timestamp: MillisTimestamp
    """When the line was written (UTC)."""
    message: str
    """The text of the line."""

    def __repr_args__(self) -> Iterator[tuple[str, Shown]]:
        # At most 160 characters: the time, and the message cut to 100.
        yield "timestamp", Shown(stamp(self.timestamp, "milliseconds"))
        yield "message", cut_repr(self.message, 100)

    def to_dict(self) -> LogEventDict:
        """Return the event as the API sends it: its keys, JSON types, unknown fields included.

        Returns:
            A new `LogEventDict`, not tied to the event.
        """
        return cast("LogEventDict", self._api_dict())


class LogPage(_ApiModel, frozen=True):
    """One answer of the recent-logs endpoint: events and the tokens to page on."""

    events: list[LogEvent]
    """The events, oldest first; possibly none. An answer without the key is not a page of
    logs (a notebook is not read as an empty page)."""
    next_forward_token: str | None = None
    """Pass it back for events newer than these (same token and no events: nothing new yet)."""
    next_backward_token: str | None = None
    """Pass it back to get events older than these."""

    def __repr_args__(self) -> Iterator[tuple[str, object]]:
        yield "next_forward_token", cut_repr(self.next_forward_token, 40)
        yield "next_backward_token", cut_repr(self.next_backward_token, 40)
        yield "events", self.events

    def _repr_pretty_(self, p: PrettyPrinter, cycle: bool) -> None:
        forward = cut_repr(self.next_forward_token, 40)
        backward = cut_repr(self.next_backward_token, 40)
        head = f"LogPage(next_forward_token={forward}, next_backward_token={backward}, events=["
        pretty_items(p, head, self.events, cycle)

    def to_dict(self) -> LogPageDict:
        """Return the page as the API sends it: its keys, JSON types, unknown fields included.

        Returns:
            A new `LogPageDict`, not tied to the page.
        """
        return cast("LogPageDict", self._api_dict())


class Message(BaseModel, frozen=True, extra="allow", defer_build=True):
    """A bare ``{"message": ...}`` answer, or the ``{"value": {"message": ...}}`` one unwrapped."""

    message: str
    """What the server said, e.g. ``"1230000000000 deleted"``."""

    def __dir__(self) -> list[str]:
        return _dir(self)

    @model_validator(mode="before")
    @classmethod
    def _unwrap_value(cls, data: Any) -> Any:
        if isinstance(data, dict) and "message" not in data:
            inner = cast("dict[str, Any]", data).get("value")
            if isinstance(inner, dict):
                return cast("dict[str, Any]", inner)
        return cast("object", data)


def _dir(model: BaseModel) -> list[str]:
    """What ``dir()`` and so completion offer on a model: its fields (unknown ones too), the
    SDK's methods and pydantic's ``model_*`` API, without pydantic's deprecated names."""
    hidden = hidden_names()
    names = {name for name in object.__dir__(model) if name not in hidden}
    names.update(key for key in model.__pydantic_extra__ or () if key.isidentifier())
    return sorted(names)
