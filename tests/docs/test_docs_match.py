"""The retry table and the bad-input rules in the docs say what the reliability suites assert.

Every Markdown table headed ``| failure | ...`` in README.md and docs/ is read as a retry table
(rows: a failure; columns: the idempotent calls, start/stop, create; cells: retry or raise) and
compared with the table the fault matrix checks the SDK against (:mod:`.support`). The delays,
the ``Retry-After`` cap and the bad-input rules are looked for in the same pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reliability.support import BACKOFF, FAULTS_BY_NAME, FaultCase

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

ROW_CASES: dict[str, list[str]] = {
    "never made": ["connection refused"],
    "no answer": ["connection dropped", "read timeout", "cut-off body"],
    "408": ["408", "500", "502", "504"],
    "429": ["429", "503", "429 Retry-After 3s", "503 Retry-After 7s"],
}
"""Which of the tested failures each documented row stands for (found by a phrase in it)."""


def retry_tables() -> dict[str, list[list[str]]]:
    """Each page's retry tables, as rows of cells (header and separator left out)."""
    found: dict[str, list[list[str]]] = {}
    for page in PAGES:
        if not page.exists():
            continue
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if not re.match(r"^\|\s*failure\s*\|", line):
                continue
            rows: list[list[str]] = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            found[f"{page.relative_to(ROOT)}:{i + 1}"] = rows
    return found


def documented(cells: list[str], column: int) -> bool:
    word = cells[column].lower()
    assert word in ("retry", "raise"), cells
    return word == "retry"


def test_every_retry_table_in_the_docs_is_the_one_the_sdk_is_tested_against() -> None:
    tables = retry_tables()
    assert tables, "no retry table found in README.md or docs/"
    for where, rows in tables.items():
        seen: set[str] = set()
        for cells in rows:
            failure = cells[0]
            if "any other status" in failure:
                assert cells[1:] == ["raise", "raise", "raise"], where
                seen.add("other")
                continue
            (phrase,) = [p for p in ROW_CASES if p in failure]
            seen.add(phrase)
            for name in ROW_CASES[phrase]:
                case: FaultCase = FAULTS_BY_NAME[name]
                said = (documented(cells, 1), documented(cells, 2), documented(cells, 3))
                tested = (case.retried("other"), case.retried("other"), case.retried("create"))
                assert said == tested, f"{where}: {failure!r} vs the tested {name!r}"
        assert seen == {*ROW_CASES, "other"}, where


def all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES if p.exists())


@pytest.mark.parametrize(
    "fact",
    [
        "0.5 s, 1 s, 2 s",  # the tested backoff
        "8 s",  # its cap
        "60",  # the Retry-After cap, in seconds
        "Retry-After",
        "HTTP date",
        "409",  # a retried start/stop met by 409 counts as done
        "deadline",
        "with_options",
    ],
)
def test_the_docs_state_the_delays_and_rules_the_tests_assert(fact: str) -> None:
    assert BACKOFF[:3] == (0.5, 1.0, 2.0)
    assert BACKOFF[4] == 8.0
    assert fact in all_docs()


@pytest.mark.parametrize(
    "fact",
    [
        "percent-encoded",
        "`.` and `..`",
        "control characters",
        "{cpu|gpu}[:{a-d}]-{n}",
        "`notebook` or `lab`",
        "before any request",
        "ValueError",
        "TypeError",
    ],
)
def test_the_docs_state_the_bad_input_rules(fact: str) -> None:
    assert fact in all_docs().replace("\\|", "|")
