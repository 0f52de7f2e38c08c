"""How the command line shows things: rich tables for people, JSON and ids for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from abeja_notebooks._models import BaseNotebook, LogEvent, NotebookStatus

from ._app import Output

__all__ = ["Printer", "relative", "status_text"]


_STATUS_STYLES = {
    NotebookStatus.PENDING: "yellow",
    NotebookStatus.RUNNING: "green",
    NotebookStatus.STOPPED: "dim",
    NotebookStatus.FAILED: "bold red",
}


def status_text(status: NotebookStatus) -> Text:
    """A status, coloured by what it means."""
    return Text(status.value, style=_STATUS_STYLES.get(status, "magenta"))


def relative(moment: datetime, now: datetime | None = None) -> str:
    """``moment`` in local time, with how long ago it was: ``2026-11-26 10:42 (3 min ago)``."""
    now = now or datetime.now(UTC)
    seconds = int((now - moment).total_seconds())
    ago = abs(seconds)
    if ago < 60:
        amount = f"{ago}s"
    elif ago < 3600:
        amount = f"{ago // 60} min"
    elif ago < 86400:
        amount = f"{ago // 3600} h"
    else:
        amount = f"{ago // 86400} d"
    when = "ago" if seconds >= 0 else "from now"
    return f"{moment.astimezone():%Y-%m-%d %H:%M} ({amount} {when})"


class Printer:
    """Writes results to stdout in the chosen format; colour and live output only on a terminal."""

    def __init__(self, output: Output, console: Console) -> None:
        self.output = output
        self.console = console

    @property
    def interactive(self) -> bool:
        """Whether stdout is a terminal (spinners and prompts allowed)."""
        return self.console.is_terminal

    def _json(self, data: Any) -> None:
        self.console.out(json.dumps(data, indent=2, ensure_ascii=False), highlight=False)

    def notebooks(self, notebooks: Iterable[BaseNotebook]) -> None:
        """Show several notebooks (streamed for ``ids``; one document for ``json``)."""
        if self.output is Output.IDS:
            for nb in notebooks:
                self.console.out(nb.id, highlight=False)
            return
        if self.output is Output.JSON:
            self._json([nb.to_dict() for nb in notebooks])
            return
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("ID", "NAME", "STATUS", "INSTANCE", "IMAGE", "CREATOR", "CREATED"):
            table.add_column(column, no_wrap=column in ("ID", "STATUS"))
        count = 0
        for nb in notebooks:
            count += 1
            table.add_row(  # Text, not str: what the server sends is never read as markup
                Text(nb.id),
                Text(nb.name),
                status_text(nb.status),
                Text(nb.instance_type),
                Text(nb.image),
                Text(nb.creator.email or nb.creator.id),
                relative(nb.created_at),
            )
        if count:
            self.console.print(table)
        else:
            self.console.print("No notebooks.", style="dim")

    def notebook(self, nb: BaseNotebook) -> None:
        """Show one notebook."""
        if self.output is Output.IDS:
            self.console.out(nb.id, highlight=False)
            return
        if self.output is Output.JSON:
            self._json(nb.to_dict())
            return
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        rows: list[tuple[str, str]] = [
            ("id", nb.id),
            ("name", nb.name),
            ("status message", nb.status_message or "-"),
            ("instance type", nb.instance_type),
            ("image", nb.image),
            ("job definition", nb.job_definition_name or nb.job_definition_id),
            ("creator", nb.creator.email or nb.creator.id),
            ("created", relative(nb.created_at)),
            ("modified", relative(nb.modified_at)),
        ]
        for key, value in rows[:2]:
            table.add_row(key, Text(value))
        table.add_row("status", status_text(nb.status))
        for key, value in rows[2:]:
            table.add_row(key, Text(value))  # never read as markup: it is the server's text
        self.console.print(table)

    def event(self, event: LogEvent) -> None:
        """Show one log line as it arrives (a JSON line in ``json`` output)."""
        if self.output is Output.JSON:
            line = json.dumps(event.to_dict(), ensure_ascii=False)
            self.console.out(line, highlight=False)
            return
        stamp = Text(f"{event.timestamp.astimezone():%Y-%m-%d %H:%M:%S}", style="dim")
        self.console.print(stamp, Text(event.message), soft_wrap=True)

    def events(self, events: Iterable[LogEvent]) -> None:
        """Show log lines: one JSON document, or a line each."""
        if self.output is Output.JSON:
            self._json([event.to_dict() for event in events])
            return
        for event in events:
            self.event(event)

    def message(self, text: str) -> None:
        """A short confirmation for people (nothing in ``json``/``ids`` output)."""
        if self.output is Output.TABLE:
            self.console.print(text, markup=False)
