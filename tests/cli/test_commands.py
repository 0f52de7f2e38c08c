"""Every command through typer's runner, against the emulator over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from abeja_notebooks.cli import _actions
from abeja_notebooks.cli._app import app
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.support import CLI_COMMANDS, JOB, ORG

COMMANDS = list(CLI_COMMANDS)


@pytest.fixture
def cli(notebook_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ABEJA_API_URL", notebook_emulator_server.base_url)
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", ORG)
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "cli-token")
    return CliRunner()


def invoke(cli: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return cli.invoke(app, list(args), input=stdin)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_shows_a_table_for_people(cli: CliRunner, emulator: Emulator) -> None:
    ids = emulator.seed(3)

    result = invoke(cli, "list", JOB)

    assert result.exit_code == 0
    header, *rows = result.stdout.strip().splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "INSTANCE", "IMAGE", "CREATOR", "CREATED"]
    assert [row.split()[0] for row in rows] == ids
    assert all("Stopped" in row and "ago)" in row for row in rows)
    assert "\x1b[" not in result.stdout


def test_list_as_json_is_the_apis_own_documents(cli: CliRunner, emulator: Emulator) -> None:
    emulator.seed(2)

    assert as_json(invoke(cli, "-o", "json", "list", JOB)) == emulator.notebooks()


def test_list_as_ids_prints_one_id_per_line(cli: CliRunner, emulator: Emulator) -> None:
    ids = emulator.seed(4)

    result = invoke(cli, "--output", "ids", "list", JOB, "--page-size", "3", "--max-items", "3")

    assert result.stdout.splitlines() == ids[:3]


def test_an_empty_listing_says_so(cli: CliRunner) -> None:
    assert invoke(cli, "list", JOB).stdout.strip() == "No notebooks."


def test_get_shows_one_notebook(cli: CliRunner, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    table = invoke(cli, "get", JOB, nid)

    assert table.exit_code == 0
    assert f"id              {nid}" in table.stdout
    assert "status          Stopped" in table.stdout
    assert as_json(invoke(cli, "-o", "json", "get", JOB, nid)) == emulator.notebook(nid)


def test_create_sends_the_options_and_can_wait(cli: CliRunner, emulator: Emulator) -> None:
    emulator.start_delay = 0

    created = as_json(
        invoke(
            cli,
            "-o",
            "json",
            "create",
            JOB,
            "--instance-type",
            "cpu-4",
            "--image",
            "abeja-inc/all-cpu:19.10",
            "--type",
            "lab",
            "--wait",
        )
    )

    assert created["status"] == "Running"
    assert emulator.requests[0].json == {
        "instance_type": "cpu-4",
        "image": "abeja-inc/all-cpu:19.10",
        "notebook_type": "lab",
    }


def test_update_start_and_stop(cli: CliRunner, emulator: Emulator) -> None:
    emulator.start_delay = 0
    (nid,) = emulator.seed(1)

    updated = as_json(invoke(cli, "-o", "json", "update", JOB, nid, "--instance-type", "cpu-2"))
    started = as_json(invoke(cli, "-o", "json", "start", JOB, nid, "--wait"))
    stopped = as_json(invoke(cli, "-o", "json", "stop", JOB, nid, "--wait"))

    assert updated["instance_type"] == "cpu-2"
    assert started["status"] == "Running"
    assert stopped["status"] == "Stopped"


def test_delete_with_yes_deletes_without_asking(cli: CliRunner, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    result = invoke(cli, "delete", JOB, nid, "--yes")

    assert result.exit_code == 0
    assert result.stdout.strip() == f"Deleted notebook {nid}."
    assert emulator.notebooks() == []


@pytest.mark.parametrize(("answer", "kept"), [("n\n", True), ("y\n", False)])
def test_delete_asks_on_a_terminal(
    cli: CliRunner,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    kept: bool,
) -> None:
    (nid,) = emulator.seed(1)
    monkeypatch.setattr(_actions, "_can_ask", lambda: True)

    result = invoke(cli, "delete", JOB, nid, stdin=answer)

    assert f"Delete notebook {nid} of {JOB}?" in result.stdout
    assert (len(emulator.notebooks()) == 1) is kept
    assert result.exit_code == (1 if kept else 0)


def test_logs_prints_recent_lines_and_json(cli: CliRunner, emulator: Emulator) -> None:
    emulator.start_delay = 0
    (nid,) = emulator.seed(1, status="Running")
    emulator.advance(2)
    truth = emulator.log_events(nid)

    lines = invoke(cli, "logs", JOB, nid).stdout.splitlines()
    documents = as_json(invoke(cli, "-o", "json", "logs", JOB, nid))

    assert [line.split(" ", 2)[2] for line in lines] == [e["message"] for e in truth]
    assert documents == truth


def test_logs_follow_prints_json_lines_and_ends_when_the_notebook_is_stopped(
    cli: CliRunner, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.append_log(nid, "only line")

    result = invoke(cli, "-o", "json", "logs", JOB, nid, "--follow", "--poll-interval", "0.01")

    assert result.exit_code == 0
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()] == ["only line"]


def test_wait_returns_when_the_status_is_reached(cli: CliRunner, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1, status="Running")

    result = invoke(cli, "-o", "ids", "wait", JOB, nid, "--status", "Running", "-s", "Failed")

    assert result.exit_code == 0
    assert result.stdout.strip() == nid


def test_wait_that_times_out_exits_1_with_one_line(cli: CliRunner, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    result = invoke(
        cli, "wait", JOB, nid, "--status", "Running", "--timeout", "0.05", "--poll-interval", "0.01"
    )

    assert result.exit_code == 1
    assert result.stderr.startswith("abeja-notebooks: wait failed: notebook")
    assert len(result.stderr.strip().splitlines()) == 1


def test_waiting_for_running_on_a_stopped_notebook_names_the_command_to_run(
    cli: CliRunner, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1, status="Stopped")

    result = invoke(cli, "wait", JOB, nid, "--status", "Running", "--grace", "0")

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"abeja-notebooks: wait failed: notebook {nid} is Stopped and will not become Running by "
        f"itself; start it first: abeja-notebooks start {JOB} {nid} (--grace SECONDS waits "
        "longer for a start that is just landing)"
    )
    assert [r.method for r in emulator.requests] == ["GET", "GET"]  # no wait past the grace


def test_an_api_error_is_one_line_with_status_and_request_id(
    cli: CliRunner, emulator: Emulator
) -> None:
    result = invoke(cli, "get", JOB, "1999999999999")

    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "abeja-notebooks: API error: notebook 1999999999999 not found: 404 Not Found for GET "
    )
    request_id = f" (request id {emulator.requests[0].request_id})"
    assert line.endswith(request_id)
    assert line.removesuffix(request_id).count("404") == 1  # a random id may hold "404" too
    assert "Traceback" not in result.output


def test_rejected_credentials_say_what_to_check(
    notebook_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = Emulator(tokens=["right"])
    with EmulatorServer(strict) as server:
        monkeypatch.setenv("ABEJA_API_URL", server.base_url)
        monkeypatch.setenv("ABEJA_ORGANIZATION_ID", ORG)
        result = CliRunner().invoke(app, ["--token", "wrong", "list", JOB])

    assert result.exit_code == 1
    assert "API error: " in result.stderr
    assert ": 401 Unauthorized for GET " in result.stderr
    assert "check --token, PLATFORM_AUTH_TOKEN or the configuration" in result.stderr
    assert "wrong" not in result.stderr


def test_missing_credentials_name_the_variables_to_set(
    notebook_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABEJA_API_URL", notebook_emulator_server.base_url)

    result = CliRunner().invoke(app, ["--organization", ORG, "list", JOB])

    assert result.exit_code == 1
    assert "PLATFORM_AUTH_TOKEN" in result.stderr
    assert "ABEJA_PLATFORM_USER_ID" in result.stderr


def test_usage_errors_exit_2(cli: CliRunner, emulator: Emulator) -> None:
    missing = invoke(cli, "get", JOB)
    bad_type = invoke(cli, "create", JOB, "--type", "jupyter")
    bad_instance = invoke(cli, "create", JOB, "--instance-type", "huge")

    assert (missing.exit_code, bad_type.exit_code, bad_instance.exit_code) == (2, 2, 2)
    assert "instance_type must look like" in bad_instance.stderr
    assert emulator.requests == []


def test_debug_shows_the_traceback(cli: CliRunner) -> None:
    result = invoke(cli, "--debug", "get", JOB, "1999999999999")

    assert result.exit_code == 1
    assert type(result.exception).__name__ == "NotFound"


def test_version(cli: CliRunner) -> None:
    result = invoke(cli, "--version")

    assert result.exit_code == 0
    assert result.stdout.startswith("abeja-notebooks 0.")


@pytest.mark.parametrize("command", [*COMMANDS, "demo"])
def test_every_command_has_help_with_an_example(cli: CliRunner, command: str) -> None:
    result = invoke(cli, command, "--help")

    assert result.exit_code == 0
    assert "Example: abeja-notebooks " in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_exist_for_each_shell(cli: CliRunner, shell: str) -> None:
    result = invoke(cli, "--show-completion", shell)

    assert result.exit_code == 0
    assert "_ABEJA_NOTEBOOKS_COMPLETE" in result.stdout


def test_output_can_also_follow_the_command(cli: CliRunner, emulator: Emulator) -> None:
    ids = emulator.seed(2)

    assert invoke(cli, "list", JOB, "-o", "ids").stdout.splitlines() == ids
    assert invoke(cli, "-o", "table", "list", JOB, "--output", "ids").stdout.splitlines() == ids


def test_server_text_is_shown_as_is_never_read_as_markup(
    cli: CliRunner, emulator: Emulator
) -> None:
    (nid,) = emulator.seed(1)
    emulator.fail(nid, "[/dev/sda1] no space left; [error] OOM")

    shown = invoke(cli, "get", JOB, nid)

    assert shown.exit_code == 0, shown.output
    assert "[/dev/sda1] no space left; [error] OOM" in shown.stdout


def test_delete_as_json_is_valid_json(cli: CliRunner, emulator: Emulator) -> None:
    (nid,) = emulator.seed(1)

    assert as_json(invoke(cli, "-o", "json", "delete", JOB, nid, "--yes")) == {"deleted": nid}
