"""How models show themselves: short reprs, IPython's pretty printer, HTML tables, ``dir()``."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from abeja_notebooks import (
    AsyncNotebook,
    Creator,
    LogEvent,
    LogPage,
    Message,
    Notebook,
    NotebookPage,
)
from tests.support import PYDANTIC_V1_NAMES, pretty

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "notebook.json").read_text())
STAMP = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
HOSTILE = [
    "x" * 10_000,
    "line one\nline two\r\n\x00\x1b[31m",
    "<script>alert('x')</script>",
    '" onmouseover="alert(1)" \'',
    "&amp; &lt;",
    "\U0010ffff\u202e\u200b" * 500,
]


def notebook(cls: type[Notebook] | type[AsyncNotebook] = Notebook, **changes: Any) -> Any:
    return cls.model_validate({**FIXTURE, **changes})


def page(*notebooks: Notebook, total: int = 3) -> NotebookPage[Notebook]:
    return NotebookPage[Notebook](total=total, offset=0, limit=50, entries=list(notebooks))


def event(message: str = "epoch 1: loss 0.5") -> LogEvent:
    return LogEvent(timestamp=STAMP, message=message)


# --- repr ------------------------------------------------------------------------------------


def test_a_notebook_is_one_line_of_id_name_status_and_instance_type() -> None:
    nb = notebook()

    assert repr(nb) == (
        "Notebook(id='1410000000000', name='notebook-3', status='Pending', instance_type='cpu-1')"
    )
    assert str(nb) == "id='1410000000000' name='notebook-3' status='Pending' instance_type='cpu-1'"


def test_a_creator_and_a_log_event_are_short_lines_without_datetime_reprs() -> None:
    assert repr(notebook().creator) == "Creator(id='1122334455660', email='test@abeja.asia')"
    assert (
        repr(event()) == "LogEvent(timestamp=2026-01-02T03:04:05.678Z, message='epoch 1: loss 0.5')"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_reprs_stay_within_their_bounds_on_one_line_whatever_the_server_sends(text: str) -> None:
    shown = {
        "Notebook": (repr(notebook(name=text, instance_type=text, status=text)), 200),
        "AsyncNotebook": (repr(notebook(AsyncNotebook, name=text, training_notebook_id=text)), 200),
        "Creator": (repr(Creator(id=text, email=text, display_name=text)), 160),
        "LogEvent": (repr(event(text)), 160),
    }

    for name, (text_shown, limit) in shown.items():
        assert len(text_shown) <= limit, name
        assert text_shown == " ".join(text_shown.splitlines()), name  # one line
        assert text_shown.startswith(f"{name}("), name
        assert text_shown.endswith(")"), name


def test_no_repr_shows_a_datetime_wall() -> None:
    nb = notebook()
    texts = [repr(nb), str(nb), repr(nb.creator), repr(event()), repr(page(nb))]

    assert not [t for t in texts if "datetime" in t or "TzInfo" in t]


# --- IPython's pretty printer ------------------------------------------------------------------


@pytest.mark.needs("IPython")
def test_a_page_pretty_prints_one_notebook_a_line() -> None:
    first, second = notebook(), notebook(training_notebook_id="2", name="notebook-4")

    assert pretty(page(first, second)).splitlines() == [
        "NotebookPage[Notebook](total=3, offset=0, limit=50, entries=[",
        f"    {first!r},",
        f"    {second!r},",
        "])",
    ]


@pytest.mark.needs("IPython")
def test_an_empty_page_pretty_prints_on_one_line() -> None:
    assert (
        pretty(page(total=0)) == "NotebookPage[Notebook](total=0, offset=0, limit=50, entries=[])"
    )


@pytest.mark.needs("IPython")
def test_a_long_log_page_pretty_prints_twenty_events_and_counts_the_rest() -> None:
    logs = LogPage(events=[event(f"line {i}") for i in range(25)], next_forward_token="f" * 60)

    lines = pretty(logs).splitlines()

    assert lines[0] == (
        f"LogPage(next_forward_token='{'f' * 35}...', next_backward_token=None, events=["
    )
    assert lines[1] == f"    {event('line 0')!r},"
    assert lines[20] == f"    {event('line 19')!r},"
    assert lines[21:] == ["    # ... and 5 more", "])"]


# --- HTML ------------------------------------------------------------------------------------


class Tags(HTMLParser):
    """The tags and attributes of an HTML fragment, and its text."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


TABLE_TAGS = {"table", "caption", "thead", "tbody", "tr", "th", "td"}


def html(model: Notebook | NotebookPage[Notebook]) -> str:
    """What Jupyter shows as ``text/html`` (it calls the hook)."""
    return model._repr_html_()  # pyright: ignore[reportPrivateUsage] -- the hook Jupyter calls


def test_a_notebook_is_a_table_of_its_fields() -> None:
    tags = Tags(html(notebook(description="nightly")))

    assert tags.tags == TABLE_TAGS - {"thead", "tbody"}
    assert tags.text[:5] == ["Notebook", "id", "1410000000000", "name", "notebook-3"]
    assert "nightly" in tags.text
    assert "2018-06-07T04:42:34Z" in tags.text


def test_a_page_is_a_table_with_a_row_per_notebook() -> None:
    table = html(page(notebook(), notebook(training_notebook_id="2")))

    tags = Tags(table)
    assert tags.tags == TABLE_TAGS
    assert table.count("<tr>") == 3
    assert tags.text[0] == "NotebookPage[Notebook]: notebooks 1\u20132 of 3 (offset 0, limit 50)"


@pytest.mark.parametrize("text", HOSTILE)
def test_html_tables_escape_and_bound_what_the_server_sends(text: str) -> None:
    nb = notebook(name=text, image=text, description=text, status=text, status_message=text)

    for table in (html(nb), html(page(nb))):
        tags = Tags(table)
        assert tags.tags <= TABLE_TAGS
        assert tags.attributes <= {"style"}
        assert max(len(piece) for piece in tags.text) <= 2 * 120 + 3  # status (message)
        assert "<script>" not in table


# --- dir() and completion --------------------------------------------------------------------


MODELS: list[BaseModel] = [
    notebook(),
    notebook(AsyncNotebook),
    notebook().creator,
    event(),
    LogPage(events=[event()]),
    page(notebook()),
    Message(message="1 deleted"),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_dir_offers_no_deprecated_pydantic_name(model: BaseModel) -> None:
    offered = set(dir(model))

    assert offered & PYDANTIC_V1_NAMES == set()
    assert {"model_dump", "model_copy", "model_validate", "model_fields_set"} <= offered
    assert set(type(model).model_fields) <= offered


def test_dir_offers_the_sdks_methods_and_unknown_fields() -> None:
    offered = set(dir(notebook(gpu_memory="16GiB")))

    assert {"start", "stop", "wait_until", "logs", "to_dict", "to_json", "id"} <= offered
    assert "gpu_memory" in offered


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_every_public_name_dir_offers_reads_without_a_warning(model: BaseModel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in dir(model):
            if not name.startswith("_"):  # what completion offers before a "_" is typed
                getattr(model, name)
