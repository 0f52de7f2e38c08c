"""``abeja-notebooks conformance`` as a real process, against a served emulator process in each
dialect, and against an in-process server whose request log and state a test can read.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from abeja_notebooks import Client
from abeja_notebooks.testing import Dialect, Emulator, EmulatorServer, RealClock
from tests.support import JOB, ORG

SCRIPT = str(Path(sys.executable).parent / "abeja-notebooks")
TOKEN = "conformance-test-token"
FAST = ["--poll-interval", "0.02"]

pytestmark = pytest.mark.slow

DIALECTS: dict[str, Dialect] = {
    "default": Dialect(),
    **{" ".join(variant.to_args()): variant for variant in Dialect.variants()},
}
"""The emulator's default dialect, and each other form on its own."""


def env_for(base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ABEJA_API_URL": base_url,
        "ABEJA_ORGANIZATION_ID": ORG,
        "PLATFORM_AUTH_TOKEN": TOKEN,
        "ABEJA_NOTEBOOKS_CONFIG_FILE": "",  # never the developer's ~/.abeja/config
    }


def conformance(base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "conformance", JOB, *FAST, *args],
        env=env_for(base_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- against `python -m abeja_notebooks.testing`, in each dialect --------------------------------


@dataclass
class Served:
    """A conformance run against a served emulator process, and what the emulator held after."""

    dialect: Dialect
    done: subprocess.CompletedProcess[str]
    report: Any
    left: list[str]


@pytest.fixture(scope="module", params=list(DIALECTS))
def served_run(request: pytest.FixtureRequest) -> Iterator[Served]:
    """``conformance --yes -o json`` against ``python -m abeja_notebooks.testing`` in a dialect."""
    dialect = DIALECTS[request.param]
    timing = ["--start-delay", "0.1", "--log-interval", "0.02"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "abeja_notebooks.testing",
            "--port",
            "0",
            *timing,
            *dialect.to_args(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(20.0), "the emulator printed nothing in time"
    base_url = process.stdout.readline().strip()
    try:
        done = conformance(base_url, "--yes", "-o", "json")
        with Client(base_url=base_url, organization_id=ORG, auth_token=TOKEN) as client:
            left = [nb.id for nb in client.notebooks.list(JOB)]
        yield Served(dialect, done, json.loads(done.stdout or "null"), left)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def test_it_exits_0_with_no_step_failing(served_run: Served) -> None:
    assert served_run.done.returncode == 0, served_run.done.stderr
    outcomes = {step["name"]: step["outcome"] for step in served_run.report["steps"]}
    assert set(outcomes.values()) <= {"pass", "differs"}, outcomes
    assert list(outcomes) == [
        "create",
        "read back",
        "list",
        "stop",
        "update",
        "start",
        "logs",
        "bad parameter",
        "delete",
        "unknown notebook",
    ]


def test_it_leaves_no_notebook_behind(served_run: Served) -> None:
    assert served_run.left == []
    cleanup = served_run.report["cleanup"]
    assert len(cleanup["created"]) == 2
    assert sorted(cleanup["deleted"]) == sorted(cleanup["created"])
    assert cleanup["left"] == []


def test_the_report_gives_the_emulator_flags_of_the_dialect_it_met(served_run: Served) -> None:
    emulator = served_run.report["emulator"]

    assert emulator["args"] == served_run.dialect.to_args()
    assert emulator["not_reproduced"] == []
    assert emulator["timing_args"][0] == "--start-delay"


def test_the_forms_met_differ_exactly_where_the_dialect_does(served_run: Served) -> None:
    report = served_run.report
    differing = {row["form"] for row in report["forms"] if row["differs"]}
    flagged = {row["form"] for row in report["forms"] if row["emulator_flags"]}

    assert differing == flagged
    assert report["outcome"] == ("pass" if served_run.dialect == Dialect() else "differs")
    assert {"listing", "ids", "notebook times", "log times", "error body"} <= {
        row["form"] for row in report["forms"]
    }


# --- against an in-process server: its request log and state are at hand ------------------------


@pytest.fixture
def spawn(server: EmulatorServer) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``conformance`` processes against ``server``; kill leftovers at the end."""
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [SCRIPT, "conformance", JOB, *FAST, *args],
            env=env_for(server.base_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """An emulator on the real clock with short delays, served in this process."""
    emulator = Emulator(clock=RealClock(), start_delay=0.05, log_interval=0.01)
    with EmulatorServer(emulator) as served:
        yield served


def test_a_dry_run_sends_no_request_that_changes_anything(server: EmulatorServer) -> None:
    done = conformance(server.base_url, "--dry-run")

    assert done.returncode == 0, done.stderr
    assert "Dry run: nothing was changed" in done.stdout
    assert {request.method for request in server.emulator.requests} == {"GET"}
    assert server.emulator.notebooks() == []


def test_a_dry_run_lists_each_step_and_whether_it_changes_anything(
    server: EmulatorServer,
) -> None:
    plan = json.loads(conformance(server.base_url, "--dry-run", "-o", "json").stdout)

    assert plan["dry_run"] is True
    assert [(step["name"], step["changes"]) for step in plan["steps"]][:3] == [
        ("create", True),
        ("read back", False),
        ("list", True),
    ]


def test_without_a_terminal_it_asks_for_yes_and_sends_nothing(server: EmulatorServer) -> None:
    done = conformance(server.base_url)

    assert done.returncode == 2
    assert "pass --yes" in done.stderr
    assert server.emulator.requests == []


STOPS = [
    pytest.param(signal.SIGINT, 130, "interrupted", "interrupted (Ctrl-C)", id="ctrl-c"),
    pytest.param(signal.SIGTERM, 143, "terminated (SIGTERM)", "terminated (SIGTERM)", id="sigterm"),
]
"""Ctrl-C, and SIGTERM (a cancelled CI job), which the run takes as Ctrl-C: the signal, the exit
code, how the terminal names it, and how the report names it."""


@pytest.mark.parametrize(("signum", "code", "said", "reported"), STOPS)
def test_a_stop_signal_deletes_what_it_created_and_exits_with_its_code(
    server: EmulatorServer,
    spawn: Callable[..., subprocess.Popen[str]],
    signum: signal.Signals,
    code: int,
    said: str,
    reported: str,
) -> None:
    server.emulator.start_delay = 600  # the stop step waits for Running: interrupted there
    # (after the listing, whose second notebook it has deleted)
    process = spawn("--yes", "-o", "json")
    deadline = time.monotonic() + 30
    while not any(request.method == "DELETE" for request in server.emulator.requests):
        assert time.monotonic() < deadline, "the run never got past the listing"
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    assert server.emulator.notebooks() != []

    process.send_signal(signum)
    out, err = process.communicate(timeout=60)

    assert process.returncode == code, err
    assert server.emulator.notebooks() == []
    report = json.loads(out)
    assert report["outcome"] == "interrupted"
    assert sorted(report["cleanup"]["deleted"]) == sorted(report["cleanup"]["created"])
    stopped = [step for step in report["steps"] if reported in step["problems"]]
    assert len(stopped) == 1, report["steps"]
    assert f"{said}: deleting what this run created" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("signum", "code", "said", "reported"), STOPS)
def test_a_stop_signal_while_a_create_is_answered_still_deletes_that_notebook(
    server: EmulatorServer,
    spawn: Callable[..., subprocess.Popen[str]],
    signum: signal.Signals,
    code: int,
    said: str,
    reported: str,
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", latency=2.0)
    process = spawn("--yes")
    deadline = time.monotonic() + 30
    while not server.emulator.notebooks():  # made, its answer still on the way
        assert time.monotonic() < deadline, "the run never created a notebook"
        time.sleep(0.02)

    process.send_signal(signum)
    _, err = process.communicate(timeout=60)

    assert process.returncode == code, err
    assert server.emulator.notebooks() == []
    assert "deleted notebook" in err
    assert "Traceback" not in err


def test_a_create_that_times_out_after_reaching_the_server_still_has_its_notebook_deleted(
    server: EmulatorServer,
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", latency=3.0, times=1)

    done = conformance(server.base_url, "--yes", "--request-timeout", "1")

    assert done.returncode == 1, done.stderr
    assert server.emulator.notebooks() == []
    assert "the create failed (APITimeoutError) after it may have reached the server" in done.stderr
    assert "found notebook " in done.stderr
    assert (
        "Cleanup: created 1 notebooks (1 found in the listing after its create failed), deleted 1"
        in done.stdout
    )


def test_a_timed_out_create_whose_notebook_never_shows_up_ends_with_a_warning(
    server: EmulatorServer,
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", timeout=True, latency=1.5, times=1)

    done = conformance(server.base_url, "--yes", "--request-timeout", "1")

    assert done.returncode == 1
    assert "see the warning below" in done.stdout
    assert "Warning: a create failed after reaching the server perhaps" in done.stderr
    assert f"`abeja-notebooks list {JOB}`" in done.stderr


def test_the_table_says_what_it_found_and_what_it_cleaned_up(server: EmulatorServer) -> None:
    done = conformance(server.base_url, "--yes")

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split() == ["STEP", "RESULT", "TIME", "DETAIL"]
    assert "Cleanup: created 2 notebooks, deleted 2" in done.stdout
    assert "Result: pass" in done.stdout
    assert "created notebook" in done.stderr
    assert "deleted notebook" in done.stderr


def test_report_writes_the_same_observation_as_json_output(
    server: EmulatorServer, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"

    done = conformance(server.base_url, "--yes", "-o", "json", "--report", str(path))

    written = json.loads(path.read_text())
    assert written == json.loads(done.stdout)
    assert written["sdk"]["version"]
    assert all(step["request_ids"] for step in written["steps"])


def test_the_start_delay_given_to_the_emulator_is_measured_finer_than_the_poll_interval(
    server: EmulatorServer,
) -> None:
    server.emulator.start_delay = 0.5
    done = subprocess.run(
        [SCRIPT, "conformance", JOB, "--poll-interval", "2", "--yes", "-o", "json"],
        env=env_for(server.base_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    report = json.loads(done.stdout)
    flag, value = report["emulator"]["timing_args"]
    assert flag == "--start-delay"
    assert 0.5 <= float(value) <= 1.0  # not the 2 s poll interval
    for action in ("launch", "start"):
        not_before, seen = report["timing_bounds"][action]
        assert not_before < seen
        assert seen - not_before < 2.0
        assert seen >= 0.5


def test_strict_makes_a_difference_fatal(server: EmulatorServer) -> None:
    server.emulator.list_form = "bare"

    relaxed = conformance(server.base_url, "--yes")
    strict = conformance(server.base_url, "--yes", "--strict")

    assert (relaxed.returncode, strict.returncode) == (0, 1)
    assert "Result: differs" in strict.stdout


def test_a_step_the_sdk_cannot_read_fails_the_run_and_still_cleans_up(
    server: EmulatorServer,
) -> None:
    server.emulator.inject(method="PUT", malformed=True)

    done = conformance(server.base_url, "--yes", "-o", "json")

    report = json.loads(done.stdout)
    outcomes = {step["name"]: step["outcome"] for step in report["steps"]}
    assert done.returncode == 1
    (update,) = [step for step in report["steps"] if step["name"] == "update"]
    assert update["outcome"] == "fail"
    assert update["problems"][0].startswith("ResponseValidationError: ")
    assert outcomes["delete"] == "pass"
    assert server.emulator.notebooks() == []


def test_what_it_cannot_delete_is_printed_with_the_command_to_delete_it(
    server: EmulatorServer,
) -> None:
    server.emulator.inject(method="DELETE", status=500, times=100)

    done = conformance(server.base_url, "--yes", "--max-retries", "0", "-o", "ids")

    left = done.stdout.split()
    assert done.returncode == 1
    assert sorted(left) == sorted(nb["training_notebook_id"] for nb in server.emulator.notebooks())
    for notebook_id in left:
        assert f"abeja-notebooks delete {JOB} {notebook_id} --yes" in done.stderr


def test_the_report_keeps_nothing_of_other_notebooks(server: EmulatorServer) -> None:
    others = server.emulator.seed(3)
    names = [nb["name"] for nb in server.emulator.notebooks()]

    done = conformance(server.base_url, "--yes", "-o", "json")

    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert not any(f'"{value}' in text or f" {value}" in text for value in [*others, *names])
    assert "@" not in text  # no creator's e-mail, not even its own
    assert [nb["training_notebook_id"] for nb in server.emulator.notebooks()] == others


def test_it_never_changes_a_notebook_it_did_not_create(server: EmulatorServer) -> None:
    others = server.emulator.seed(3, status="Running")
    before = [server.emulator.notebook(n) for n in others]

    done = conformance(server.base_url, "--yes", "-o", "json")

    created = json.loads(done.stdout)["cleanup"]["created"]
    changing = [r for r in server.emulator.requests if r.method != "GET"]
    assert all(any(n in r.path for n in created) or r.path.endswith("/notebooks") for r in changing)
    assert [server.emulator.notebook(n)["modified_at"] for n in others] == [
        nb["modified_at"] for nb in before
    ]


def test_a_report_turns_into_an_emulator_that_answers_the_same_way(
    server: EmulatorServer, tmp_path: Path
) -> None:
    server.emulator.dialect = Dialect(list_form="bare", error_body="message")
    path = tmp_path / "report.json"
    assert conformance(server.base_url, "--yes", "--report", str(path)).returncode == 0
    served = [sys.executable, "-m", "abeja_notebooks.testing", "--port", "0"]
    process = subprocess.Popen(
        [*served, "--log-interval", "0.02", "--from-report", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        again = conformance(process.stdout.readline().strip(), "--yes", "-o", "json")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)

    first = json.loads(path.read_text())["emulator"]
    assert first["args"] == ["--list-form", "bare", "--error-body", "message"]
    assert json.loads(again.stdout)["emulator"]["args"] == first["args"]
