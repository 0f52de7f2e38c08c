"""The API's JSON documents as ``TypedDict``s, and the fixed word sets it takes as ``Literal``s.

Types only, no code: `APIClient` returns the server's JSON unchanged,
and these describe it, so a type checker can tell ``nb["name"]`` from ``nb["nmae"]``. The models'
``to_dict()`` return the same shapes.

The keys are those of the reference's examples and the wire contract, each required: the API
sends every one of them in every answer. Where an answer has several forms (a listing may be a
bare list, start and stop may answer a bare message, delete two kinds of message), the method
returns a union of whole forms instead of one dict of optional keys.

A ``TypedDict`` names the keys it knows and does not forbid others: a server that adds a field
later, and a model's ``to_dict()`` that keeps it, still match these types. Read such a key with
``.get("new_key")`` or after a ``cast``.

The forms that meet in a union are ``@final``, so that ``"message" in answer`` narrows the union
under mypy as it does under pyright.
"""

from __future__ import annotations

from typing import Literal, TypedDict, final

__all__ = [
    "ActionNotebookDict",
    "CreatorDict",
    "DeleteDict",
    "LogEventDict",
    "LogPageDict",
    "MessageDict",
    "NotebookDict",
    "NotebookPageDict",
    "NotebookType",
]

NotebookType = Literal["notebook", "lab"]
"""The kinds of notebook server: ``"notebook"`` (classic Jupyter) or ``"lab"`` (JupyterLab).

Checked at run time too: another string raises ``ValueError`` before any request.
"""


class CreatorDict(TypedDict):
    """The user who created a notebook, as the API sends it (``notebook["creator"]``)."""

    id: str
    """The user's id."""
    email: str
    """The user's e-mail address."""
    display_name: str | None
    """The user's display name, ``None`` when they set none."""
    role: str
    """The user's role in the organization, e.g. ``"admin"``."""
    is_registered: bool
    """Whether the user finished registration."""
    created_at: str
    """When the user was created, e.g. ``"2017-05-26T01:38:46Z"``."""
    updated_at: str
    """When the user was last changed, same form."""


class _NotebookFields(TypedDict):
    """The keys of a notebook that every answer types alike (all but the id)."""

    job_definition_id: str
    """The id of the training job definition the notebook belongs to."""
    name: str
    """The server-assigned name, e.g. ``"notebook-3"``."""
    description: str | None
    """A free-text description, ``None`` when there is none."""
    status: str
    """The notebook's state, e.g. ``"Pending"``, ``"Running"``, ``"Stopped"``."""
    status_message: str | None
    """A human explanation of the status, often set when it failed."""
    instance_type: str
    """The machine it runs on, e.g. ``"cpu-1"`` or ``"gpu:b-4"``."""
    image: str
    """The runtime image, e.g. ``"abeja-inc/all-cpu:19.10"``."""
    creator: CreatorDict
    """Who created the notebook."""
    created_at: str
    """When it was created, e.g. ``"2018-06-07T04:42:34.913644Z"``."""
    modified_at: str
    """When it was last changed, same form."""


class NotebookDict(_NotebookFields):
    """A notebook, as create, get and each listing entry send it.

    Returned by `APIClient.create_notebook` and
    `APIClient.get_notebook`, and by a notebook's
    ``to_dict()``.
    """

    training_notebook_id: str
    """The notebook's id: pass it to the other calls."""


@final
class ActionNotebookDict(_NotebookFields):
    """A notebook, as update, start and stop send it: the id may be the integer ``0``.

    The reference's examples of these three answers carry ``"training_notebook_id": 0``, not
    the notebook's id; other servers send the id string, and a start or stop that a retry
    found already done returns the notebook as read (a string id). Keep using the id you
    passed in.
    """

    training_notebook_id: int | str
    """``0`` in the reference's examples, else the notebook's id; not an id to rely on."""


class NotebookPageDict(TypedDict):
    """One page of a listing, as the API sends it.

    An older server sends a bare JSON list of notebooks instead, so
    `APIClient.get_notebooks` returns
    ``NotebookPageDict | list[NotebookDict]``: tell them apart with ``isinstance(x, list)``.
    """

    total: int
    """How many notebooks the job definition holds in all."""
    offset: int
    """The position of the first entry in the whole listing."""
    limit: int
    """The page size the server applied."""
    entries: list[NotebookDict]
    """The notebooks on this page."""


@final
class MessageDict(TypedDict):
    """A bare message, e.g. ``{"message": "1230000000000 started"}``.

    Some servers answer start, stop and delete with one instead of the notebook (or of a
    `DeleteDict`): tell them apart with ``"message" in answer``.
    """

    message: str
    """What the server said."""


@final
class DeleteDict(TypedDict):
    """The delete answer of the reference: ``{"value": {"message": "<id> deleted"}}``."""

    value: MessageDict
    """Holds the message."""


class LogEventDict(TypedDict):
    """One line of a notebook's log, as the API sends it."""

    message: str
    """The text of the line."""
    timestamp: str
    """When it was written, e.g. ``"2019-10-16T00:00:00.000Z"``."""


class LogPageDict(TypedDict):
    """One answer of the recent-logs endpoint."""

    events: list[LogEventDict]
    """The events, oldest first; possibly none."""
    next_forward_token: str
    """Pass it back for newer events (the same token and no events: nothing new yet)."""
    next_backward_token: str
    """Pass it back for older events."""
