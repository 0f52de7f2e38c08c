"""The command line's configuration and options, through typer's runner against the emulator:
the saved configuration file, global options on either side of the command, ``--token -``,
help that shows flags as flags, and errors in the command line's own words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from abeja_notebooks._flows import DEFAULT_WAIT_GRACE, DEFAULT_WAIT_TIMEOUT
from abeja_notebooks.cli import _app
from abeja_notebooks.cli._app import app
from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.abejacli import DEFAULT_TOKEN, DEFAULT_USER, STAGING_ORG
from tests.support import CLI_COMMANDS, JOB, ORG, SaveConfig, basic

COMMANDS = [*CLI_COMMANDS, "demo"]


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def words(text: str) -> str:
    """Help text as one line of words: rich's boxes and line breaks taken out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.fixture
def emulator_at_api_url(
    notebook_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> Emulator:
    """The emulator, with ``ABEJA_API_URL`` pointing at it and nothing else configured."""
    monkeypatch.setenv("ABEJA_API_URL", notebook_emulator_server.base_url)
    return notebook_emulator_server.emulator


@pytest.fixture
def configured(emulator_at_api_url: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The emulator, with the organization and a token in the environment too."""
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", ORG)
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "cli-token")
    return emulator_at_api_url


# --- the saved configuration file --------------------------------------------------------------


def test_the_saved_file_alone_is_enough(
    notebook_emulator_server: EmulatorServer, emulator: Emulator, save_config: SaveConfig
) -> None:
    save_config("default.json", {"abeja-api-url": notebook_emulator_server.base_url})
    (nid,) = emulator.seed(1)

    result = invoke("-o", "ids", "list", JOB)

    assert (result.exit_code, result.stdout) == (0, f"{nid}\n")
    assert emulator.requests[0].headers["authorization"] == basic(
        f"user-{DEFAULT_USER}", DEFAULT_TOKEN
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_configuration_picks_a_saved_configuration(
    emulator_at_api_url: Emulator, save_config: SaveConfig, where: str
) -> None:
    emulator_at_api_url.add_organization(STAGING_ORG)
    emulator_at_api_url.add_job_definition(JOB, STAGING_ORG)
    save_config("default_and_staging.json")
    chosen = ["--configuration", "staging"]

    args = [*chosen, "list", JOB] if where == "before" else ["list", JOB, *chosen]
    result = invoke(*args)

    assert result.exit_code == 0, result.output
    assert emulator_at_api_url.requests[0].path.startswith(f"/organizations/{STAGING_ORG}/")


def test_an_unknown_configuration_lists_the_saved_ones(
    emulator_at_api_url: Emulator, save_config: SaveConfig
) -> None:
    path = save_config("default_and_staging.json")

    result = invoke("--configuration", "prod", "list", JOB)

    assert result.exit_code == 1
    assert result.stderr == (
        f"abeja-notebooks: error: no configuration 'prod' in {path}, which holds 'default', "
        "'staging'\n"
    )
    assert emulator_at_api_url.requests == []


# --- global options before or after the command ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--organization", ORG, "-o", "ids", "list", JOB],
        ["list", JOB, "--organization", ORG, "-o", "ids"],
        ["list", "--organization", ORG, JOB, "--output=ids"],
        ["-o", "table", "list", JOB, f"--organization={ORG}", "-oids"],
        ["list", JOB, "--max-items", "5", "--organization", ORG, "-o", "ids"],
    ],
)
def test_global_options_work_before_or_after_the_command(
    emulator_at_api_url: Emulator, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "cli-token")
    ids = emulator_at_api_url.seed(2)

    result = invoke(*args)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ids


def test_a_global_option_after_the_command_is_used_for_the_request(
    emulator_at_api_url: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ABEJA_ORGANIZATION_ID", ORG)

    result = invoke("list", JOB, "--token", "after-the-command")

    assert result.exit_code == 0, result.output
    assert emulator_at_api_url.requests[0].headers["authorization"] == "Bearer after-the-command"


def test_the_wait_commands_timeout_is_its_own_after_the_command(configured: Emulator) -> None:
    (nid,) = configured.seed(1)

    result = invoke(
        "wait", JOB, nid, "--status", "Running", "--timeout", "0.05", "--poll-interval", "0.01"
    )

    assert result.exit_code == 1
    assert result.stderr.startswith("abeja-notebooks: wait failed: notebook")


@pytest.mark.parametrize(
    "args",
    [
        ["--request-timeout", "0.05", "--max-retries", "0", "list", JOB],
        ["list", JOB, "--request-timeout", "0.05", "--max-retries", "0"],
        ["--timeout", "0.05", "--max-retries", "0", "list", JOB],  # the old spelling
    ],
)
def test_the_per_request_timeout_is_request_timeout(configured: Emulator, args: list[str]) -> None:
    configured.inject(latency=1.0, method="GET")

    result = invoke(*args)

    assert result.exit_code == 1
    assert "timed out" in result.stderr


def test_the_old_timeout_spelling_is_refused_after_a_command_without_one(
    configured: Emulator,
) -> None:
    result = invoke("list", JOB, "--timeout", "5")

    assert result.exit_code == 2
    assert "No such option: --timeout" in result.stderr
    assert configured.requests == []


def test_arguments_after_a_double_dash_are_never_options(configured: Emulator) -> None:
    result = invoke("get", JOB, "--", "-o")

    assert result.exit_code == 1
    assert "404 Not Found for GET" in result.stderr  # "-o" was taken as the notebook id


def test_the_emulator_command_keeps_its_own_options(configured: Emulator) -> None:
    result = invoke("emulator", "--organization", ORG, "--help")

    assert result.exit_code == 0
    assert "--job-definition" in result.stdout


# --- the token, never on the command line ------------------------------------------------------


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator that accepts one token only, served, with the organization in the env."""
    emulator = Emulator(tokens=["from-standard-input"])
    with EmulatorServer(emulator) as server:
        monkeypatch.setenv("ABEJA_API_URL", server.base_url)
        monkeypatch.setenv("ABEJA_ORGANIZATION_ID", ORG)
        yield emulator


@pytest.mark.parametrize("args", [["--token", "-", "list", JOB], ["list", JOB, "--token", "-"]])
def test_token_dash_reads_the_token_from_standard_input(strict: Emulator, args: list[str]) -> None:
    result = invoke(*args, stdin="from-standard-input\n")

    assert result.exit_code == 0, result.output
    assert strict.requests[0].headers["authorization"] == "Bearer from-standard-input"


def test_token_dash_reads_one_line_and_leaves_the_rest(strict: Emulator) -> None:
    result = invoke("--token", "-", "list", JOB, stdin="from-standard-input\ny\n")

    assert result.exit_code == 0, result.output
    assert strict.requests[0].headers["authorization"] == "Bearer from-standard-input"


def test_token_dash_with_nothing_on_standard_input_is_a_usage_error(strict: Emulator) -> None:
    result = invoke("--token", "-", "list", JOB, stdin="")

    assert result.exit_code == 2
    assert result.stderr == "abeja-notebooks: --token -: standard input held no token\n"
    assert strict.requests == []


def test_the_help_warns_that_a_typed_token_is_visible_and_says_where_else_to_put_it() -> None:
    shown = words(invoke("--help").stdout)

    assert "A token typed here is visible to other users of this machine" in shown
    assert "prefer '--token -', env PLATFORM_AUTH_TOKEN" in shown
    assert "`abeja config init` (~/.abeja/config)" in shown


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_flags_as_flags(command: str | None) -> None:
    result = invoke(*([command] if command else []), "--help")

    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    assert "--help" in result.stdout


@pytest.mark.parametrize(
    ("command", "arguments"),
    [("get", "JOB ID"), ("delete", "JOB ID"), ("list", "JOB"), ("conformance", "JOB")],
)
def test_usage_names_the_arguments_by_their_metavars(command: str, arguments: str) -> None:
    shown = invoke(command, "--help").stdout
    missing = invoke(command).stderr

    assert f"Usage: abeja-notebooks {command} [OPTIONS] {arguments}" in words(shown)
    assert f"Usage: abeja-notebooks {command} [OPTIONS] {arguments}\n" in missing
    assert "<str>" not in shown
    assert "{" not in shown


def test_each_command_says_global_options_may_follow_it() -> None:
    for command in COMMANDS[:-1]:
        assert "may come before or after the command" in words(invoke(command, "--help").stdout)


def test_the_wait_timeout_and_grace_shown_are_the_sdks_defaults() -> None:
    shown = (_app.DEFAULT_WAIT_TIMEOUT, _app.DEFAULT_WAIT_GRACE)
    assert shown == (DEFAULT_WAIT_TIMEOUT, DEFAULT_WAIT_GRACE)


# --- errors in the command line's words --------------------------------------------------------


def test_no_organization_names_the_option_the_variable_and_the_file(
    emulator_at_api_url: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "cli-token")

    result = invoke("list", JOB)

    assert result.exit_code == 1
    assert result.stderr == (
        "abeja-notebooks: error: no organization: pass --organization ID, set "
        "ABEJA_ORGANIZATION_ID, or save one with `abeja config init`\n"
    )
    assert emulator_at_api_url.requests == []


def test_no_credentials_name_token_dash_the_variables_and_the_file(
    emulator_at_api_url: Emulator,
) -> None:
    result = invoke("--organization", ORG, "list", JOB)

    assert result.exit_code == 1
    for name in (
        "--token -",
        "PLATFORM_AUTH_TOKEN",
        "ABEJA_PLATFORM_USER_ID",
        "`abeja config init`",
        "--configuration NAME",
    ):
        assert name in result.stderr
    assert "auth_token=" not in result.stderr
    assert emulator_at_api_url.requests == []


def test_a_bad_token_variable_is_named_and_its_value_not_shown(
    emulator_at_api_url: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_AUTH_TOKEN", "secret token")

    result = invoke("--organization", ORG, "list", JOB)

    assert result.exit_code == 1
    assert result.stderr == (
        "abeja-notebooks: error: PLATFORM_AUTH_TOKEN must be printable ASCII without spaces or "
        "control characters (the value is not shown)\n"
    )
    assert emulator_at_api_url.requests == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--organization", " ", "list", JOB], 2, "--organization must not be empty or blank"),
        (["--api-url", "ftp://example.com", "list", JOB], 1, "--api-url must be an absolute"),
        (["--configuration", "", "list", JOB], 2, "--configuration must not be empty or blank"),
    ],
)
def test_a_bad_option_value_names_the_option(
    configured: Emulator, args: list[str], code: int, message: str
) -> None:
    result = invoke(*args)

    assert result.exit_code == code
    assert message in result.stderr
    assert configured.requests == []
