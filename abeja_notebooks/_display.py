"""How the models show themselves: short ``repr`` lines, IPython's pretty printer, HTML tables.

Everything here reads fields the models already hold: no request, no parsing, and nothing
computed per notebook until something is displayed. Server strings are cut to a bounded length
and escaped (``repr`` escapes in text, ``html.escape`` in tables), so a hostile name cannot
flood a cell or inject markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import Protocol

    from ._models import BaseNotebook

    class PrettyPrinter(Protocol):
        """The part of IPython's ``RepresentationPrinter`` that ``_repr_pretty_`` uses."""

        def text(self, obj: str) -> None:
            """Write ``obj``."""

        def break_(self) -> None:
            """Start a new line at the current indentation."""

        def indent(self, indent: int) -> AbstractContextManager[Any]:
            """Indent what is written inside the block by ``indent`` more spaces."""
            ...


PRETTY_ITEMS: Final = 20
"""How many entries or events a page pretty-prints before it says how many more it holds."""
HTML_CELL_CHARS: Final = 120
"""How many characters of a value an HTML cell shows."""


class Shown:
    """A value as ``repr`` should show it: the text is the repr (pydantic repr-args hold it)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def cut_repr(value: object, limit: int) -> Shown:
    """``repr(value)`` in at most ``limit`` characters (a cut string keeps its closing quote)."""
    text = repr(value)
    if len(text) > limit:
        quote = text[0] if isinstance(value, str) else ""
        text = text[: limit - 3 - len(quote)] + "..." + quote
    return Shown(text)


def stamp(value: datetime, timespec: str = "seconds") -> str:
    """A UTC timestamp as RFC 3339 with ``Z`` (the models' timestamps are always UTC)."""
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def pretty_items(p: PrettyPrinter, head: str, items: Sequence[object], cycle: bool) -> None:
    """Write ``head[``, one item per line (at most ``PRETTY_ITEMS``), then ``])``."""
    if cycle:
        p.text(head + "...])")
        return
    if not items:
        p.text(head + "])")
        return
    p.text(head)
    with p.indent(4):
        for item in items[:PRETTY_ITEMS]:
            p.break_()
            p.text(repr(item) + ",")
        if len(items) > PRETTY_ITEMS:
            p.break_()
            p.text(f"# ... and {len(items) - PRETTY_ITEMS} more")
    p.break_()
    p.text("])")


def _cell(value: object) -> str:
    import html  # only when something is displayed: it loads a table of every entity

    if value is None:
        return ""
    if isinstance(value, datetime):
        text = stamp(value)
    else:
        text = str(value)
        if len(text) > HTML_CELL_CHARS:
            text = text[: HTML_CELL_CHARS - 1] + "\u2026"
    return html.escape(text, quote=True)


def _status(nb: BaseNotebook) -> str:
    if nb.status_message:
        return f"{nb.status} ({nb.status_message})"
    return nb.status.value


def notebook_table(nb: BaseNotebook) -> str:
    """One notebook as a two-column HTML table: a row per field worth reading."""
    rows: list[tuple[str, object]] = [
        ("id", nb.id),
        ("name", nb.name),
        ("status", _status(nb)),
        ("instance type", nb.instance_type),
        ("image", nb.image),
        ("job definition", nb.job_definition_name),
        ("description", nb.description),
        ("creator", nb.creator.email or nb.creator.id),
        ("created (UTC)", nb.created_at),
        ("modified (UTC)", nb.modified_at),
    ]
    body = "".join(
        f"<tr><th style='text-align:left'>{label}</th><td style='text-align:left'>"
        f"{_cell(value)}</td></tr>"
        for label, value in rows
        if value is not None
    )
    return f"<table><caption>{_cell(type(nb).__name__)}</caption>{body}</table>"


_COLUMNS: Final = ("id", "name", "status", "instance type", "image", "created (UTC)")


def page_table(
    name: str, notebooks: Iterable[BaseNotebook], total: int, offset: int, limit: int
) -> str:
    """A page of notebooks as an HTML table: a row per notebook, a caption with the position."""
    rows = [
        (nb.id, nb.name, _status(nb), nb.instance_type, nb.image, nb.created_at) for nb in notebooks
    ]
    first, last = offset + 1, offset + len(rows)
    where = f"{first}\u2013{last} of {total}" if rows else f"none of {total}"
    head = "".join(f"<th style='text-align:left'>{column}</th>" for column in _COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    caption = f"{_cell(name)}: notebooks {where} (offset {offset}, limit {limit})"
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


@cache
def hidden_names() -> frozenset[str]:
    """Names ``dir()`` leaves out of a model: pydantic's deprecated API.

    Its v1 methods (``json``, ``dict``, ``copy``, ``parse_obj``, ...) warn and some mislead
    (``nb.json()`` is not ``nb.to_json()``); ``model_fields`` and ``model_computed_fields``
    warn when read on an instance (read them on the class). Found once, on first use.
    """
    from pydantic import BaseModel

    names = {"model_fields", "model_computed_fields"}
    for name, value in vars(BaseModel).items():
        function = getattr(value, "__func__", getattr(value, "fget", value))
        if getattr(function, "__deprecated__", None) is not None:
            names.add(name)
    return frozenset(names)
