"""The page cursor on its own: which page a listing asks for next, and when the walk ends.

:class:`PageCursor` does no I/O: these tests ask it for the next ``(offset, limit)`` and hand it
pages built by hand, including answers the emulator does not give (a server that caps
``limit``, a ``total`` that disagrees with the pages).
"""

from __future__ import annotations

import json

import pytest

from abeja_notebooks import Notebook, NotebookPage
from abeja_notebooks._endpoints import RawResponse, parse_page
from abeja_notebooks._flows import PageCursor
from tests.support import reference_notebook


def page(count: int, *, total: int, offset: int = 0) -> NotebookPage[Notebook]:
    """A page of ``count`` notebooks (ids from ``offset``) out of ``total``."""
    entries = [reference_notebook(training_notebook_id=str(offset + n)) for n in range(count)]
    return NotebookPage[Notebook](total=total, offset=offset, limit=count, entries=entries)


def walk(
    cursor: PageCursor[Notebook], pages: list[NotebookPage[Notebook]]
) -> list[tuple[int, int]]:
    """Feed ``pages`` in order; return every ``(offset, limit)`` asked for before the end."""
    asked: list[tuple[int, int]] = []
    answers = iter(pages)
    while (request := cursor.next_request()) is not None:
        asked.append(request)
        cursor.accept(next(answers))
    return asked


def test_the_first_page_is_asked_for_from_offset_zero_a_hundred_at_a_time() -> None:
    assert PageCursor[Notebook](None, None).next_request() == (0, 100)


def test_the_page_size_sets_the_limit_of_every_request() -> None:
    cursor = PageCursor[Notebook](7, None)

    asked = walk(cursor, [page(7, total=10), page(3, total=10, offset=7)])

    assert asked == [(0, 7), (7, 7)]


def test_the_walk_ends_when_the_offset_reaches_the_total() -> None:
    cursor = PageCursor[Notebook](5, None)

    asked = walk(cursor, [page(5, total=10), page(5, total=10, offset=5)])

    assert asked == [(0, 5), (5, 5)]
    assert cursor.done


def test_the_offset_moves_by_what_a_page_really_held_when_the_server_caps_the_limit() -> None:
    cursor = PageCursor[Notebook](10, None)

    asked = walk(cursor, [page(4, total=9), page(4, total=9, offset=4), page(1, total=9, offset=8)])

    assert asked == [(0, 10), (4, 10), (8, 10)]


def test_an_empty_page_ends_the_walk_whatever_the_total_says() -> None:
    cursor = PageCursor[Notebook](5, None)

    asked = walk(cursor, [page(5, total=50), page(0, total=50, offset=5)])

    assert asked == [(0, 5), (5, 5)]


def test_max_items_shrinks_the_last_request_to_what_is_left() -> None:
    cursor = PageCursor[Notebook](10, 25)

    asked = walk(
        cursor,
        [page(10, total=99), page(10, total=99, offset=10), page(5, total=99, offset=20)],
    )

    assert asked == [(0, 10), (10, 10), (20, 5)]


def test_a_page_beyond_max_items_is_cut_and_ends_the_walk() -> None:
    cursor = PageCursor[Notebook](None, 3)
    assert cursor.next_request() == (0, 3)

    handed = cursor.accept(page(5, total=5))  # a server that ignores limit

    assert [nb.id for nb in handed.entries] == ["0", "1", "2"]
    assert (handed.total, handed.offset) == (5, 0)
    assert cursor.next_request() is None


def test_a_page_within_max_items_is_handed_out_whole() -> None:
    cursor = PageCursor[Notebook](None, 10)
    answer = page(4, total=4)

    assert cursor.accept(answer) is answer  # not even copied


def test_max_items_counts_what_was_handed_out_across_pages() -> None:
    cursor = PageCursor[Notebook](2, 3)
    cursor.accept(page(2, total=9))

    handed = cursor.accept(page(2, total=9, offset=2))  # asked for 1, the server sent 2

    assert [nb.id for nb in handed.entries] == ["2"]
    assert cursor.handed_out == 3
    assert cursor.next_request() is None


def bare(ids: range, *, offset: int, limit: int) -> NotebookPage[Notebook]:
    """The page a bare list of notebooks ``ids`` makes, as an answer to ``(offset, limit)``."""
    entries = [reference_notebook(training_notebook_id=str(n)).to_dict() for n in ids]
    response = RawResponse(200, {}, json.dumps(entries).encode(), "GET", "http://api/x")
    return parse_page(response, Notebook, offset=offset, limit=limit)


def test_a_full_bare_page_asks_for_the_next_offset() -> None:
    cursor = PageCursor[Notebook](3, None)

    cursor.accept(bare(range(3), offset=0, limit=3))

    assert cursor.next_request() == (3, 3)


def test_a_short_bare_page_ends_the_walk() -> None:
    cursor = PageCursor[Notebook](3, None)
    cursor.accept(bare(range(3), offset=0, limit=3))

    cursor.accept(bare(range(3, 5), offset=3, limit=3))

    assert cursor.next_request() is None


def test_a_page_that_starts_like_the_previous_one_ends_the_walk_and_is_not_handed_out() -> None:
    cursor = PageCursor[Notebook](3, None)
    cursor.accept(bare(range(3), offset=0, limit=3))

    again = cursor.accept(bare(range(3), offset=3, limit=3))  # offset ignored

    assert again.entries == []
    assert (cursor.handed_out, cursor.next_request()) == (3, None)


def test_envelopes_are_never_judged_repeats_they_say_which_offset_they_answer() -> None:
    cursor = PageCursor[Notebook](3, None)
    same = [reference_notebook() for _ in range(3)]  # one id over and over (a benchmark's pages)

    for offset in (0, 3):
        cursor.accept(NotebookPage[Notebook](total=9, offset=offset, limit=3, entries=same))

    assert (cursor.handed_out, cursor.next_request()) == (6, (6, 3))


@pytest.mark.parametrize(
    ("page_size", "max_items", "error", "named"),
    [
        (0, None, ValueError, "page_size"),
        (None, 0, ValueError, "max_items"),
        (True, None, TypeError, "page_size"),
        (None, 2.5, TypeError, "max_items"),
    ],
)
def test_a_bad_page_size_or_max_items_is_refused_when_the_cursor_is_made(
    page_size: object, max_items: object, error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named):
        PageCursor[Notebook](page_size, max_items)  # type: ignore[arg-type]  # deliberately wrong
