"""The conformance steps as plain functions, run in this process against an emulator served on
the real clock: what a run reports when the server misbehaves, and how it cleans up."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from abeja_notebooks import Client
from abeja_notebooks.cli._conformance import Conformance, Outcome, RunSettings, Step, StepRecord
from abeja_notebooks.cli._conformance_steps import STEPS
from abeja_notebooks.testing import Emulator, EmulatorServer, RealClock
from tests.support import JOB, ORG

FAST = RunSettings(JOB, poll_interval=0.02)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    emulator = Emulator(clock=RealClock(), start_delay=0.05, log_interval=0.01)
    with EmulatorServer(emulator) as served:
        yield served


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[Client]:
    with Client(
        base_url=server.base_url, organization_id=ORG, auth_token="run-token", max_retries=0
    ) as made:
        yield made


def outcomes(run: Conformance) -> dict[str, Outcome]:
    return {record.name: record.outcome for record in run.steps}


def step(run: Conformance, name: str) -> StepRecord:
    (record,) = [record for record in run.steps if record.name == name]
    return record


def test_every_step_passes_against_the_default_emulator(client: Client) -> None:
    run = Conformance(client, FAST)

    run.run(STEPS)

    assert set(outcomes(run).values()) == {Outcome.PASS}
    assert run.outcome == "pass"
    assert run.timings.keys() == {"launch", "stop", "start"}


def test_a_form_no_dialect_speaks_is_a_difference_the_report_says_it_cannot_reproduce(
    client: Client, server: EmulatorServer
) -> None:
    def after(record: StepRecord) -> None:
        if record.name == "logs":  # the next log request is the bad-parameter step's
            server.emulator.inject(
                method="GET", path="/recentlogs$", status=400, body=b'{"detail": "no"}'
            )

    run = Conformance(client, FAST, on_step=after)
    run.run(STEPS)

    assert outcomes(run)["bad parameter"] is Outcome.DIFFERS
    assert run.outcome == "differs"
    assert run.report()["emulator"]["not_reproduced"] == ["error body"]
    (row,) = [row for row in run.report()["forms"] if row["form"] == "error body"]
    assert row["observed"] == ["detail", "error, error_description, error_detail"]  # mixed
    assert row["emulator_flags"] == []


def test_an_error_instead_of_the_notebook_fails_that_step_and_the_run_cleans_up(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.inject(method="GET", path=r"/notebooks/\d+$", status=404, times=1)

    run = Conformance(client, FAST)
    run.run(STEPS)

    assert outcomes(run)["read back"] is Outcome.FAIL
    assert "NotFound" in step(run, "read back").problems[0]
    assert server.emulator.notebooks() == []


def test_the_time_limit_fails_the_waiting_step_skips_the_rest_and_cleans_up(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.start_delay = 600
    run = Conformance(client, RunSettings(JOB, poll_interval=0.02, time_limit=1.0))

    run.run(STEPS)

    found = outcomes(run)
    assert found["stop"] is Outcome.FAIL
    assert "the time limit was reached" in step(run, "stop").problems[0]
    assert {found[name] for name in ("update", "start", "logs", "delete")} == {Outcome.SKIPPED}
    assert server.emulator.notebooks() == []
    assert run.outcome == "fail"


def test_a_notebook_the_server_will_not_delete_while_it_runs_is_stopped_then_deleted(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.start_delay = 0
    notebook = client.notebooks.create(JOB)
    run = Conformance(client, FAST)
    run.created.append(notebook.id)
    server.emulator.inject(method="DELETE", status=409)

    run.cleanup()

    assert run.deleted == [notebook.id]
    assert [r.method for r in server.emulator.requests][-4:-1] == ["DELETE", "POST", "GET"]
    assert server.emulator.notebooks() == []


def test_a_service_that_deletes_only_stopped_notebooks_differs_and_the_notebook_goes(
    client: Client, server: EmulatorServer
) -> None:
    def after(record: StepRecord) -> None:
        if record.name == "bad parameter":  # the next DELETE is the delete step's
            server.emulator.inject(method="DELETE", status=409)

    run = Conformance(client, FAST, on_step=after)
    run.run(STEPS)

    assert outcomes(run)["delete"] is Outcome.DIFFERS
    refused = step(run, "delete").observations[0]
    assert (refused.form, refused.observed) == ("delete of a running notebook", "409 conflict")
    assert run.report()["emulator"]["not_reproduced"] == ["delete of a running notebook"]
    assert server.emulator.notebooks() == []


def test_a_run_refuses_to_change_a_notebook_it_did_not_create(
    client: Client, server: EmulatorServer
) -> None:
    (other,) = server.emulator.seed(1)
    run = Conformance(client, FAST)

    with pytest.raises(RuntimeError, match=f"refusing to change notebook {other}"):
        run.changing(other)


def test_the_report_is_json_with_the_whole_observation(client: Client) -> None:
    run = Conformance(client, FAST)
    run.run(STEPS)

    report = json.loads(json.dumps(run.report()))

    assert report["run_id"].startswith("abeja-notebooks-conformance-")
    assert {"version", "python"} <= report["sdk"].keys()
    (stop,) = [record for record in report["steps"] if record["name"] == "stop"]
    assert stop["transitions"]["stop"][-1]["status"] == "Stopped"
    assert all(len(step["request_ids"][0]) == 32 for step in report["steps"])
    assert "organization" not in json.dumps(report)


def test_errors_in_the_report_carry_no_body_organization_or_e_mail(
    client: Client, server: EmulatorServer
) -> None:
    body = b'{"name": "someone-elses", "creator": {"email": "someone@example.com"}}'
    server.emulator.inject(method="GET", path=r"/notebooks/\d+$", body=body)
    run = Conformance(client, FAST)

    run.run(STEPS)

    text = json.dumps(run.report())
    (read_back,) = [step for step in run.report()["steps"] if step["name"] == "read back"]
    problem = read_back["problems"][0]
    assert problem.startswith("ResponseValidationError: 200 answer to GET ")
    assert "/organizations/<organization>/training/" in problem
    assert "someone" not in text
    assert "@" not in text
    assert ORG not in text


def test_a_bare_list_server_that_pages_is_walked_by_the_sdk_to_the_run_s_notebooks(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.list_form = "bare"
    server.emulator.seed(150)  # the run's notebooks come after them, past one page of the SDK's
    run = Conformance(client, FAST)

    run.run([s for s in STEPS if s.name in ("create", "list")])

    listing = step(run, "list")
    assert (listing.outcome, listing.problems, listing.notes) == (Outcome.DIFFERS, [], [])
    assert [item.form for item in listing.observations if item.differs] == ["listing"]


def only_create() -> list[Step]:
    return [s for s in STEPS if s.name == "create"]


def test_a_create_answered_with_a_5xx_after_it_was_made_is_found_and_deleted(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", status=502, after=True)
    notices: list[str] = []
    run = Conformance(client, FAST, on_notice=notices.append)

    run.run(only_create())

    (made,) = run.adopted
    assert run.created == run.deleted == [made]
    assert server.emulator.notebooks() == []
    assert f"found notebook {made}, made by the create that failed" in notices
    assert run.report()["cleanup"]["warnings"] == []


def test_a_notebook_that_appears_after_the_failed_create_is_found_by_the_cleanup(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", status=504)
    late: list[str] = []

    def after(record: StepRecord) -> None:  # the server makes it once the create has failed
        late.extend(server.emulator.seed(1))

    run = Conformance(client, FAST, on_step=after)
    run.run(only_create())

    assert run.adopted == run.deleted == late
    assert server.emulator.notebooks() == []


def test_a_refused_create_makes_the_run_look_for_nothing(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", status=400)
    run = Conformance(client, FAST)

    run.run(only_create())

    listings = [
        r for r in server.emulator.requests if r.method == "GET" and r.path.endswith("notebooks")
    ]
    assert len(listings) == 1  # the one before the steps
    assert run.report()["cleanup"]["warnings"] == []


def test_notebooks_of_another_creator_are_never_taken_for_the_run_s(
    server: EmulatorServer,
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", status=502, after=True)
    others: list[str] = []

    def meanwhile(text: str) -> None:  # another user creates one while the create fails
        if text.startswith("the create failed"):
            others.extend(server.emulator.seed(1))  # by the emulator's default creator

    with Client(
        base_url=server.base_url,
        organization_id=ORG,
        user_id="2000000000001",
        personal_access_token="run-personal-access-token",
        max_retries=0,
    ) as as_user:
        run = Conformance(as_user, FAST, on_notice=meanwhile)
        run.run(only_create())

    assert len(run.adopted) == 1
    assert [nb["training_notebook_id"] for nb in server.emulator.notebooks()] == others


def test_more_new_notebooks_than_failed_creates_are_left_alone_with_a_warning(
    client: Client, server: EmulatorServer
) -> None:
    server.emulator.inject(method="POST", path="/notebooks$", status=502, after=True)
    seeded: list[str] = []

    def meanwhile(text: str) -> None:  # someone else with the same token creates one too
        if text.startswith("the create failed"):
            seeded.extend(server.emulator.seed(1))

    run = Conformance(client, FAST, on_notice=meanwhile)
    run.run(only_create())

    assert (run.adopted, run.deleted) == ([], [])
    assert len(server.emulator.notebooks()) == 2
    (warning,) = run.report()["cleanup"]["warnings"]
    assert f"`abeja-notebooks list {JOB}`" in warning
    assert f"`abeja-notebooks delete {JOB} ID --yes`" in warning
    assert run.outcome == "fail"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"message": "invalid next_forward_token"}', "400: invalid next_forward_token"),
        (b'{"error": "bad_request"}', "400 bad_request"),
        (b"{}", "400"),
    ],
)
def test_an_error_answer_s_detail_shows_only_what_it_holds(
    client: Client, server: EmulatorServer, body: bytes, detail: str
) -> None:
    server.emulator.inject(method="GET", path="/recentlogs$", status=400, body=body)
    run = Conformance(client, FAST)

    run.run([s for s in STEPS if s.name in ("create", "bad parameter")])

    assert step(run, "bad parameter").detail == detail
