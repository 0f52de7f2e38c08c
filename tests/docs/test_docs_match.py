"""What the docs state about retries and arguments is what the SDK does, on the emulator.

Each test reads a statement from the pages (a table, a list of values, a grammar), parses it,
and checks the SDK against it with both clients (the ``client`` fixture's variants), so that a
page and the code cannot drift apart without a failure. What is read:

- every retry table (``| failure | ...``) in README.md and docs/: each row's failures are
  injected into the operations of each column, which must retry or raise as the cell says;
- the retry defaults (the settings table, the "With the defaults" delays, the configuration
  page's description of ``RetryPolicy()``): a client built without options makes that many
  attempts, sleeps those delays (within the documented jitter) and honours ``Retry-After`` up to
  the documented cap;
- the ``Retry-After`` forms, the attempt count in the final error, and the statuses a retried
  start, stop or delete takes as done;
- the argument rules of the notebooks guide: the instance type grammar (turned into a regular
  expression), the notebook types, the characters an id may hold and the ids refused.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abeja_notebooks import APIConnectionError, Client, HttpError, ServiceUnavailable
from abeja_notebooks.testing import Emulator, ManualClock
from tests.reliability.support import OPS_BY_NAME, Op
from tests.support import JOB, PREFIX, MakeClient

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
RETRIES = ROOT / "docs" / "guides" / "retries-and-timeouts.md"
NOTEBOOKS = ROOT / "docs" / "guides" / "notebooks.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
DATE_SENT = 1_780_000_000.0
"""A server ``Date`` far from the test machine's clock."""


# --- reading the pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A Markdown table: where it starts, its header cells and its rows of cells."""

    where: str
    header: list[str]
    rows: list[list[str]]


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def tables(first_header: str, pages: list[Path] = PAGES) -> list[Table]:
    """Every table of ``pages`` whose first header cell is ``first_header``."""
    found: list[Table] = []
    for page in pages:
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("|") or _cells(line)[0] != first_header:
                continue
            rows: list[list[str]] = []
            for row in lines[i + 2 :]:  # past the header and its |---| line
                if not row.startswith("|"):
                    break
                rows.append(_cells(row))
            found.append(Table(f"{page.relative_to(ROOT)}:{i + 1}", _cells(line), rows))
    return found


def sentence(page: Path, pattern: str) -> re.Match[str]:
    """The first match of ``pattern`` in ``page`` (its lines joined), or a failure saying so."""
    text = " ".join(page.read_text(encoding="utf-8").split())
    found = re.search(pattern, text)
    if found is None:
        pytest.fail(f"{page.relative_to(ROOT)} no longer states {pattern!r}: update this test")
    return found


def seconds(text: str) -> float:
    """``"0.5"``, ``"8"``, ``"25 %"`` (a share) as a number."""
    number = float(re.sub(r"[^\d.]", "", text))
    return number / 100 if "%" in text else number


# --- the retry table ------------------------------------------------------------------------

RETRY_TABLES = tables("failure")
INJECTABLE: dict[str, tuple[str, dict[str, Any]]] = {
    r"\brefused\b": ("connection refused", {"refuse": True}),
    r"\bdropped\b": ("connection dropped", {"drop": True}),
    r"\bread\b[^,)]*\btimeout\b": ("read timeout", {"timeout": True}),
    r"\bcut off\b": ("body cut off", {"truncate": True}),
}
"""The failures a row names that the emulator can produce: a phrase of the row, the fault."""
IN_PROCESS_ONLY = {"connection refused", "read timeout"}
"""Over HTTP the emulator can only drop a connection it accepted, and a timeout takes seconds."""
OTHER_ROWS_STATUSES = {
    int(code)
    for table in RETRY_TABLES
    for row in table.rows
    for code in re.findall(r"`(\d{3})`", row[0])
}


def _statuses(cell: str) -> list[int]:
    """The statuses a row names: ``408`` as itself, ``4xx`` as every 4xx status httpx knows
    that no other row names."""
    codes = [int(code) for code in re.findall(r"`(\d{3})`", cell)]
    for family in re.findall(r"`(\d)xx`", cell):
        codes += [
            int(code)
            for code in httpx.codes
            if str(int(code)).startswith(family) and int(code) not in OTHER_ROWS_STATUSES
        ]
    return codes


def row_faults(cell: str) -> list[tuple[str, dict[str, Any]]]:
    """The failures a row of the table names, as emulator faults."""
    faults = [(str(code), {"status": code}) for code in _statuses(cell)]
    faults += [fault for phrase, fault in INJECTABLE.items() if re.search(phrase, cell)]
    return faults


def column_operations(header: str) -> list[Op]:
    """The operations a column's header names (``"start, stop"``, ``"... (get, list, ...)"``)."""
    named = re.search(r"\(([^)]*)\)", header)
    words = (named.group(1) if named else header).split(",")
    aliases = {"list": "list_page", "recent logs": "recent_logs"}
    return [OPS_BY_NAME[aliases.get(word.strip(), word.strip())] for word in words]


ROWS = [(table, row) for table in RETRY_TABLES for row in table.rows]


def test_the_docs_have_a_retry_table_covering_every_operation_once() -> None:
    assert RETRY_TABLES, "no retry table found in README.md or docs/"
    for table in RETRY_TABLES:
        named = [op.name for header in table.header[1:] for op in column_operations(header)]
        assert sorted(named) == sorted(OPS_BY_NAME), table.where


def test_every_row_of_the_retry_table_names_a_failure_the_emulator_can_produce() -> None:
    assert all(row_faults(row[0]) for _, row in ROWS), [row[0] for _, row in ROWS]


def run_once(client: Client, emulator: Emulator, op: Op, fault: dict[str, Any]) -> tuple[str, int]:
    """Call ``op`` with ``fault`` on its first attempt: ``("retry" or "raise", attempts)``."""
    nid = op.prepare(emulator)
    emulator.clear_requests()
    emulator.inject(method=op.method, path=op.pattern(nid), **fault)
    try:
        op.call(client, nid)
    except (HttpError, APIConnectionError):
        outcome = "raise"
    else:
        outcome = "retry"
    finally:
        emulator.clear_faults()
    return outcome, op.attempts(emulator, nid)


@pytest.mark.parametrize(
    ("table", "row"), ROWS, ids=[f"{t.where}:{r[0].split('(')[0].strip()[:40]}" for t, r in ROWS]
)
def test_each_row_of_the_retry_table_is_what_the_sdk_does(
    make_client: MakeClient, emulator: Emulator, table: Table, row: list[str]
) -> None:
    over_http, in_process = make_client(), make_client(inprocess=True)
    wrong: list[str] = []
    for header, cell in zip(table.header[1:], row[1:], strict=True):
        said = cell.lower()
        assert said in ("retry", "raise"), f"{table.where}: cell {cell!r}"
        for op in column_operations(header):
            for name, fault in row_faults(row[0]):
                client = in_process if name in IN_PROCESS_ONLY else over_http
                outcome, attempts = run_once(client, emulator, op, fault)
                expected = (said, 2 if said == "retry" else 1)
                if (outcome, attempts) != expected:
                    wrong.append(f"{op.name} on {name}: {outcome} after {attempts} attempt(s)")

    assert wrong == [], f"{table.where} says {row}"


# --- the retry defaults ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentedPolicy:
    """The default retry delays as one page states them (``None``: the page does not say)."""

    initial_delay: float
    max_delay: float
    jitter: float
    max_retry_after: float | None


def settings_table() -> dict[str, str]:
    (table,) = tables("setting", [RETRIES])
    return {row[0].strip("`"): row[1].split()[0].strip("`") for row in table.rows}


def documented_policies() -> dict[str, DocumentedPolicy]:
    table = settings_table()
    configuration = sentence(
        CONFIGURATION,
        r"`RetryPolicy\(\)`: ([\d.]+) s doubling up to ([\d.]+) s, up to ([\d.]+ ?%) shorter at "
        r"random, `Retry-After` honoured up to ([\d.]+) s",
    )
    return {
        "retries guide, settings table": DocumentedPolicy(
            seconds(table["RetryPolicy.initial_delay"]),
            seconds(table["RetryPolicy.max_delay"]),
            seconds(table["RetryPolicy.jitter"]),
            seconds(table["RetryPolicy.max_retry_after"]),
        ),
        "configuration page": DocumentedPolicy(*map(seconds, configuration.groups())),
    }


POLICIES = documented_policies()


def default_client(make_client: MakeClient, **options: Any) -> Client:
    """A client with the SDK's own retry defaults (the fixtures' clients turn jitter off)."""
    return make_client(retry_policy=None, **options)


def sleeps_on_persistent_503(client: Client, emulator: Emulator, clock: ManualClock) -> list[float]:
    emulator.inject(status=503, times=100)
    clock.sleeps.clear()
    with pytest.raises(ServiceUnavailable):
        client.notebooks.list_page(JOB)
    emulator.clear_faults()
    return list(clock.sleeps)


def test_a_default_client_makes_the_documented_number_of_attempts(
    make_client: MakeClient, emulator: Emulator
) -> None:
    max_retries = int(settings_table()["max_retries"])
    client = default_client(make_client)
    emulator.inject(status=503, times=100)

    with pytest.raises(ServiceUnavailable):
        client.notebooks.list_page(JOB)

    assert len(emulator.requests) == max_retries + 1


def test_the_final_error_says_how_many_attempts_as_documented(
    make_client: MakeClient, emulator: Emulator
) -> None:
    said = sentence(RETRIES, r"its message ends with `(after \d+ attempts)`").group(1)
    emulator.inject(status=503, times=100)

    with pytest.raises(ServiceUnavailable) as caught:
        default_client(make_client).notebooks.list_page(JOB)

    assert str(caught.value).endswith(said)


@pytest.mark.parametrize("source", POLICIES)
def test_default_delays_double_up_to_the_cap_less_the_jitter_as_documented(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock, source: str
) -> None:
    policy = POLICIES[source]
    client = default_client(make_client, max_retries=8)

    slept = sleeps_on_persistent_503(client, emulator, clock)

    ceilings = [min(policy.max_delay, policy.initial_delay * 2**n) for n in range(8)]
    assert len(slept) == len(ceilings)
    for delay, ceiling in zip(slept, ceilings, strict=True):
        assert ceiling * (1 - policy.jitter) <= delay <= ceiling, (slept, ceilings)
    assert any(delay < ceiling for delay, ceiling in zip(slept, ceilings, strict=True))


def test_the_listed_default_delays_are_what_a_default_client_sleeps(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    listed = sentence(RETRIES, r"With the defaults: ((?:[\d.]+ s, )+)\.\.\.").group(1)
    ceilings = [float(value) for value in re.findall(r"([\d.]+) s", listed)]
    jitter = seconds(settings_table()["RetryPolicy.jitter"])
    client = default_client(make_client, max_retries=len(ceilings))

    slept = sleeps_on_persistent_503(client, emulator, clock)

    assert len(slept) == len(ceilings)
    for delay, ceiling in zip(slept, ceilings, strict=True):
        assert ceiling * (1 - jitter) <= delay <= ceiling, (slept, ceilings)


@pytest.mark.parametrize("source", POLICIES)
def test_a_retry_after_up_to_the_documented_cap_is_waited_and_beyond_it_raises(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock, source: str
) -> None:
    cap = POLICIES[source].max_retry_after
    assert cap is not None
    client = default_client(make_client)
    emulator.inject(status=429, retry_after=f"{cap:g}")
    client.notebooks.list_page(JOB)
    assert clock.sleeps == [cap]
    emulator.clear_requests()
    emulator.inject(status=429, retry_after=f"{cap + 1:g}")

    with pytest.raises(HttpError):
        client.notebooks.list_page(JOB)

    assert len(emulator.requests) == 1
    assert clock.sleeps == [cap]


def test_retry_after_replaces_the_delay_without_jitter_in_seconds_or_as_a_date(
    make_client: MakeClient, emulator: Emulator, clock: ManualClock
) -> None:
    sentence(
        RETRIES,
        r"`Retry-After`, in seconds or as an HTTP date, that delay replaces the computed one, "
        r"without jitter \(a date is measured against the answer's own `Date` header",
    )
    client = default_client(make_client)
    emulator.inject(status=503, retry_after="3")
    sent = email.utils.formatdate(DATE_SENT, usegmt=True)
    later = email.utils.formatdate(DATE_SENT + 5, usegmt=True)
    emulator.inject(status=503, retry_after=later, headers={"Date": sent})

    client.notebooks.list_page(JOB)

    assert clock.sleeps == [3.0, 5.0]


# --- a retry that finds the job done --------------------------------------------------------


def done_statuses() -> dict[str, int]:
    """The operations whose retry takes a status as done, and that status, as the guide says."""
    actions = sentence(RETRIES, r"When a \*\*retried\*\* start or stop is answered `(\d{3})`")
    delete = sentence(RETRIES, r"A retried delete answered `(\d{3})` is taken as done")
    first = sentence(RETRIES, r"A `(\d{3})` or `(\d{3})` on a first attempt is a real error")
    assert set(first.groups()) == {actions.group(1), delete.group(1)}
    return {
        "start": int(actions.group(1)),
        "stop": int(actions.group(1)),
        "delete": int(delete.group(1)),
    }


@pytest.mark.parametrize(("operation", "status"), done_statuses().items())
def test_a_retry_that_meets_the_documented_status_is_done_but_a_first_attempt_raises(
    client: Client, emulator: Emulator, operation: str, status: int
) -> None:
    op = OPS_BY_NAME[operation]
    nid = op.prepare(emulator)
    emulator.inject(method=op.method, path=op.pattern(nid), drop=True, after=True)
    op.call(client, nid)  # the first attempt acts and its answer is lost; the retry is done
    assert op.attempts(emulator, nid) == 2

    with pytest.raises(HttpError) as caught:
        op.call(client, nid)  # a first attempt in the state the retry met

    assert caught.value.status_code == status


# --- arguments ------------------------------------------------------------------------------

NUMBER = r"[0-9]+(?:\.[0-9]+)?"
"""What ``{n}`` stands for: a number of units, with a decimal part as in ``cpu-0.25``."""


def grammar_to_regex(grammar: str) -> str:
    """Turn the docs' notation into a regular expression: ``{a|b}`` one of the words, ``{a-d}``
    one letter of the range, ``{n}`` a number, ``[...]`` optional, anything else itself."""
    out: list[str] = []
    i = 0
    while i < len(grammar):
        char = grammar[i]
        if char == "{":
            end = grammar.index("}", i)
            inside = grammar[i + 1 : end]
            if inside == "n":
                out.append(NUMBER)
            elif re.fullmatch(r"\w-\w", inside):
                out.append(f"[{inside}]")
            else:
                out.append("(?:" + "|".join(map(re.escape, inside.split("|"))) + ")")
            i = end + 1
            continue
        out.append({"[": "(?:", "]": ")?"}.get(char, re.escape(char)))
        i += 1
    return "".join(out)


def instance_type_rule() -> tuple[re.Pattern[str], list[str]]:
    """The documented grammar as a pattern, and the examples the guide gives with it."""
    found = sentence(
        NOTEBOOKS,
        r"`instance_type` is checked for its shape before anything is sent: (.*?)\(`([^`]+)`\)",
    )
    examples = re.findall(r"`([^`]+)`", found.group(1))
    return re.compile(grammar_to_regex(found.group(2))), examples


INSTANCE_TYPE, INSTANCE_EXAMPLES = instance_type_rule()


def sent_or_refused(emulator: Emulator, call: Callable[[], object]) -> str:
    """``"refused"`` (ValueError, nothing sent) or ``"sent"`` (one request reached the server)."""
    emulator.clear_requests()
    try:
        call()
    except ValueError:
        assert emulator.requests == []
        return "refused"
    except HttpError:
        pass  # the server may refuse what the SDK let through: that is its call
    assert len(emulator.requests) == 1
    return "sent"


def test_the_instance_type_examples_fit_the_documented_grammar_and_are_sent(
    client: Client, emulator: Emulator
) -> None:
    assert INSTANCE_EXAMPLES
    for example in INSTANCE_EXAMPLES:
        assert INSTANCE_TYPE.fullmatch(example), example
        create = partial(client.notebooks.create, JOB, instance_type=example)
        assert sent_or_refused(emulator, create) == "sent", example


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        st.from_regex(INSTANCE_TYPE, fullmatch=True),
        st.text(alphabet="cpugt:abcde-0123456789.\u0661 ", max_size=10),
    )
)
def test_an_instance_type_is_sent_exactly_when_it_fits_the_documented_grammar(
    sync_client: Client, emulator: Emulator, value: str
) -> None:
    outcome = sent_or_refused(
        emulator, partial(sync_client.notebooks.create, JOB, instance_type=value)
    )

    assert outcome == ("sent" if INSTANCE_TYPE.fullmatch(value) else "refused"), value


def documented_notebook_types() -> set[str]:
    found = sentence(NOTEBOOKS, r"`notebook_type` is (.*?); anything else raises `ValueError`")
    return set(re.findall(r'`"(\w+)"`', found.group(1)))


NOTEBOOK_TYPES = documented_notebook_types()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        st.sampled_from(sorted(NOTEBOOK_TYPES)),
        st.sampled_from(sorted(NOTEBOOK_TYPES)).map(str.title),
        st.sampled_from(sorted(NOTEBOOK_TYPES)).map(lambda t: f" {t}"),
        st.text(max_size=8),
    )
)
def test_a_notebook_type_is_sent_exactly_when_the_docs_list_it(
    sync_client: Client, emulator: Emulator, value: str
) -> None:
    outcome = sent_or_refused(
        emulator,
        partial(sync_client.notebooks.create, JOB, notebook_type=value),  # type: ignore[arg-type]  # any text, on purpose
    )

    assert outcome == ("sent" if value in NOTEBOOK_TYPES else "refused"), value


def test_an_id_holding_the_documented_characters_stays_one_path_segment(
    client: Client, emulator: Emulator
) -> None:
    held = sentence(NOTEBOOKS, r"so an id holding (.*?) stays one path segment").group(1)
    characters = re.findall(r"`([^`]+)`", held)
    assert characters
    for character in characters:
        notebook_id = f"a{character}b"
        outcome = sent_or_refused(emulator, partial(client.notebooks.get, JOB, notebook_id))

        assert outcome == "sent"
        (request,) = emulator.requests
        assert request.raw_path.rpartition("/")[0] == PREFIX, request.raw_path
        assert request.path == f"{PREFIX}/{notebook_id}"


def test_the_ids_the_docs_refuse_are_refused_before_any_request(
    client: Client, emulator: Emulator
) -> None:
    refused = re.findall(
        r"`([^`]+)`", sentence(NOTEBOOKS, r";((?: `[^`]+` and)+ `[^`]+`) are refused").group(1)
    )
    blank = ["", "   "]  # "An empty or blank id or name ... raises ValueError"
    sentence(NOTEBOOKS, r"An empty or blank id or name")
    assert refused

    for notebook_id in [*refused, *blank]:
        with pytest.raises(ValueError, match="notebook_id"):
            client.notebooks.get(JOB, notebook_id)

    assert emulator.requests == []
