"""List pages: the envelope and the bare form, order, and cost with many notebooks."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx
import pytest

from abeja_notebooks.testing import Emulator

from ._support import P, create


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["training_notebook_id"] for entry in entries]


def test_the_default_page_is_the_first_ten(http: httpx.Client, emulator: Emulator) -> None:
    ids = emulator.seed(25)
    page = http.get(P).json()
    assert (page["total"], page["offset"], page["limit"]) == (25, 0, 10)
    assert _ids(page["entries"]) == ids[:10]


def test_offset_and_limit_select_a_page(http: httpx.Client, emulator: Emulator) -> None:
    ids = emulator.seed(25)
    page = http.get(P, params={"offset": 20, "limit": 10}).json()
    assert (page["total"], page["offset"], page["limit"]) == (25, 20, 10)
    assert _ids(page["entries"]) == ids[20:]


def test_an_offset_past_the_end_is_an_empty_page(http: httpx.Client, emulator: Emulator) -> None:
    emulator.seed(3)
    page = http.get(P, params={"offset": 50}).json()
    assert page == {"total": 3, "offset": 50, "limit": 10, "entries": []}


def test_a_limit_above_the_maximum_is_capped_and_reported(http: httpx.Client) -> None:
    assert http.get(P, params={"limit": 5000}).json()["limit"] == 1000


def test_the_maximum_limit_is_configurable(http: httpx.Client, emulator: Emulator) -> None:
    emulator.max_limit = 7
    emulator.seed(10)
    page = http.get(P, params={"limit": 100}).json()
    assert (page["limit"], len(page["entries"])) == (7, 7)


def test_walking_every_page_matches_the_ground_truth(
    http: httpx.Client, emulator: Emulator
) -> None:
    emulator.seed(47)
    walked: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = http.get(P, params={"offset": offset, "limit": 10}).json()
        walked.extend(page["entries"])
        offset += len(page["entries"])
        if not page["entries"] or offset >= page["total"]:
            break
    assert walked == emulator.notebooks()


def test_a_notebook_created_mid_iteration_appears_at_the_end(
    http: httpx.Client, emulator: Emulator
) -> None:
    ids = emulator.seed(15)
    first = http.get(P, params={"limit": 10}).json()
    new_id = create(http)["training_notebook_id"]
    second = http.get(P, params={"offset": 10, "limit": 10}).json()
    assert _ids(first["entries"]) + _ids(second["entries"]) == [*ids, new_id]


def test_the_bare_form_is_a_list_and_still_pages(http: httpx.Client, emulator: Emulator) -> None:
    emulator.list_form = "bare"
    ids = emulator.seed(12)
    first: Any = http.get(P).json()
    assert isinstance(first, list)
    assert _ids(cast(list[dict[str, Any]], first)) == ids[:10]
    assert _ids(http.get(P, params={"offset": 10}).json()) == ids[10:]


def test_listing_reports_lazily_computed_states(http: httpx.Client, emulator: Emulator) -> None:
    emulator.seed(2, status="Pending")
    emulator.advance(1)
    assert [entry["status"] for entry in http.get(P).json()["entries"]] == ["Running", "Running"]


def test_notebooks_are_per_job_definition(http: httpx.Client, emulator: Emulator) -> None:
    emulator.add_job_definition("other")
    emulator.seed(3, job_definition="other")
    emulator.seed(2)
    assert http.get(P).json()["total"] == 2
    assert len(emulator.notebooks(job_definition="other")) == 3


def test_seed_validates_its_arguments(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="count"):
        emulator.seed(-1)
    with pytest.raises(KeyError):
        emulator.seed(1, job_definition="missing")


def test_a_hundred_thousand_notebooks_seed_fast_and_list_in_o_page(
    http: httpx.Client, emulator: Emulator
) -> None:
    started = time.perf_counter()
    ids = emulator.seed(100_000)
    seeding = time.perf_counter() - started
    assert len(ids) == len(set(ids)) == 100_000
    assert seeding < 5.0, f"seeding took {seeding:.2f}s"

    http.get(P, params={"offset": 0, "limit": 10})  # warm up
    started = time.perf_counter()
    for offset in range(0, 100_000, 5_000):
        page = http.get(P, params={"offset": offset, "limit": 10}).json()
        assert _ids(page["entries"]) == ids[offset : offset + 10]
        assert page["total"] == 100_000
    per_page = (time.perf_counter() - started) / 20
    # Serializing all 100,000 notebooks takes far longer than this: a page must not.
    assert per_page < 0.02, f"a page took {per_page * 1000:.1f} ms"

    assert http.delete(f"{P}/{ids[50_000]}").status_code == 200
    page = http.get(P, params={"offset": 49_999, "limit": 2}).json()
    assert _ids(page["entries"]) == [ids[49_999], ids[50_001]]
