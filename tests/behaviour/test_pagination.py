"""list() walks every notebook lazily, one page per request, in constant memory."""

from __future__ import annotations

import gc
import math
import tracemalloc

import pytest

from abeja_notebooks import Client, Notebook, NotebookPage
from abeja_notebooks.testing import Emulator, EmulatorServer
from abeja_notebooks.testing.pytest_plugin import TEST_TOKEN
from tests.dual import unwrap
from tests.support import JOB, ORG


def list_queries(emulator: Emulator) -> list[tuple[int, int]]:
    return [
        (int(r.query["offset"][0]), int(r.query["limit"][0]))
        for r in emulator.requests
        if r.method == "GET"
    ]


@pytest.mark.parametrize("page_size", [1, 7, 100])
@pytest.mark.parametrize("total", [0, 1, 7, 14, 15, 100, 250])
def test_list_walks_every_notebook_in_order_one_page_per_request(
    client: Client, emulator: Emulator, page_size: int, total: int
) -> None:
    ids = emulator.seed(total)

    walked = [nb.id for nb in client.notebooks.list(JOB, page_size=page_size)]

    assert walked == ids
    pages = max(1, math.ceil(total / page_size))
    assert list_queries(emulator) == [(i * page_size, page_size) for i in range(pages)]


def test_list_is_lazy_and_fetches_pages_only_as_they_are_needed(
    client: Client, emulator: Emulator, notebook_class: type[Notebook]
) -> None:
    emulator.seed(25)

    walk = iter(client.notebooks.list(JOB, page_size=10))
    assert emulator.requests == []
    first = next(walk)

    assert type(unwrap(first)) is notebook_class
    assert first.job_definition_name == JOB
    assert len(emulator.requests) == 1
    for _ in range(10):
        next(walk)
    assert len(emulator.requests) == 2


def test_max_items_limits_the_total_and_the_last_request(
    client: Client, emulator: Emulator
) -> None:
    ids = emulator.seed(30)

    walked = [nb.id for nb in client.notebooks.list(JOB, page_size=7, max_items=10)]

    assert walked == ids[:10]
    assert list_queries(emulator) == [(0, 7), (7, 3)]


def test_pages_yields_notebook_pages(client: Client, emulator: Emulator) -> None:
    ids = emulator.seed(12)

    pages = list(client.notebooks.list(JOB, page_size=5).pages())

    assert all(isinstance(page, NotebookPage) for page in pages)
    assert [(p.total, p.offset, p.limit, len(p)) for p in pages] == [
        (12, 0, 5, 5),
        (12, 5, 5, 5),
        (12, 10, 5, 2),
    ]
    assert [nb.id for page in pages for nb in page.entries] == ids


def test_iterating_twice_starts_over(client: Client, emulator: Emulator) -> None:
    ids = emulator.seed(5)
    listing = client.notebooks.list(JOB, page_size=2)

    assert [nb.id for nb in listing] == ids
    assert [nb.id for nb in listing] == ids
    assert list_queries(emulator) == [(0, 2), (2, 2), (4, 2)] * 2


def test_a_short_bare_list_answer_is_the_last_page(client: Client, emulator: Emulator) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(5)

    assert [nb.id for nb in client.notebooks.list(JOB, page_size=10)] == ids
    assert len(emulator.requests) == 1


@pytest.mark.parametrize(("page_size", "requests"), [(None, 2), (20, 8), (50, 4)])
def test_a_bare_list_server_that_pages_is_walked_to_the_end(
    client: Client, emulator: Emulator, page_size: int | None, requests: int
) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(150)

    walked = [nb.id for nb in client.notebooks.list(JOB, page_size=page_size)]

    assert walked == ids
    size = page_size or 100
    assert list_queries(emulator) == [(i * size, size) for i in range(requests)]


def test_a_full_last_bare_page_is_followed_by_one_empty_request(
    client: Client, emulator: Emulator
) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(40)

    assert [nb.id for nb in client.notebooks.list(JOB, page_size=20)] == ids
    assert list_queries(emulator) == [(0, 20), (20, 20), (40, 20)]


def test_max_items_stops_a_walk_over_bare_lists(client: Client, emulator: Emulator) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(150)

    walked = [nb.id for nb in client.notebooks.list(JOB, page_size=20, max_items=50)]

    assert walked == ids[:50]
    assert list_queries(emulator) == [(0, 20), (20, 20), (40, 10)]


def test_pages_of_bare_lists_count_what_is_known_so_far(client: Client, emulator: Emulator) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(12)

    pages = list(client.notebooks.list(JOB, page_size=5).pages())

    assert [(p.total, p.offset, p.limit, len(p), p.is_last) for p in pages] == [
        (5, 0, 5, 5, False),
        (10, 5, 5, 5, False),
        (12, 10, 5, 2, True),
    ]
    assert [nb.id for page in pages for nb in page.entries] == ids


def test_a_server_that_caps_the_limit_is_followed_by_what_it_sent(
    client: Client, emulator: Emulator
) -> None:
    emulator.max_limit = 10
    ids = emulator.seed(25)

    assert [nb.id for nb in client.notebooks.list(JOB, page_size=100)] == ids
    assert list_queries(emulator) == [(0, 100), (10, 100), (20, 100)]


def test_each_page_fetch_has_its_own_retries(client: Client, emulator: Emulator) -> None:
    ids = emulator.seed(9)
    emulator.inject(status=503, method="GET", path="notebooks$", times=1)

    walk = iter(client.notebooks.list(JOB, page_size=3))
    first_page = [next(walk) for _ in range(3)]
    emulator.inject(status=502, method="GET", path="notebooks$", times=2)
    rest = list(walk)

    assert [nb.id for nb in first_page + rest] == ids
    assert len(emulator.requests) == 1 + 1 + 2 + 1 + 1


def test_notebooks_created_during_the_walk_are_seen_at_the_end(
    client: Client, emulator: Emulator
) -> None:
    ids = emulator.seed(10)
    walk = iter(client.notebooks.list(JOB, page_size=5))
    seen = [next(walk).id for _ in range(5)]

    late = client.notebooks.create(JOB)
    seen += [nb.id for nb in walk]

    assert seen == [*ids, late.id]


def test_a_notebook_deleted_during_the_walk_shifts_the_next_page(
    client: Client, emulator: Emulator
) -> None:
    """Documented behaviour: the walk moves by offset, so deleting a notebook it has already
    passed makes the next page start one further along, and one notebook is skipped."""
    ids = emulator.seed(10)
    walk = iter(client.notebooks.list(JOB, page_size=5))
    seen = [next(walk).id for _ in range(5)]

    client.notebooks.delete(JOB, ids[0])
    seen += [nb.id for nb in walk]

    assert seen == ids[:5] + ids[6:]


def _peak_while_walking(client: Client, count: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        walked = 0
        for _ in client.notebooks.list(JOB, page_size=100, max_items=count):
            walked += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert walked == count
    return peak


def test_memory_stays_bounded_by_a_page_over_twenty_thousand_notebooks(
    emulator: Emulator, notebook_emulator_server: EmulatorServer
) -> None:
    # Over real HTTP, not the in-process transport: there each page's body sits in an
    # httpx.ByteStream that a Response <-> stream reference cycle keeps until the cyclic GC runs,
    # which Python 3.13 does later than 3.11 (tens of pages later): that would measure the
    # collector's timing, not what the SDK keeps.
    emulator.seed(20_000)
    emulator.max_recorded_requests = 0  # measure the SDK, not the emulator's request log
    with Client(
        base_url=notebook_emulator_server.base_url, organization_id=ORG, auth_token=TEST_TOKEN
    ) as client:
        small = _peak_while_walking(client, 1_000)
        large = _peak_while_walking(client, 20_000)

    assert large < 1.5 * small + 256 * 1024, (small, large)
