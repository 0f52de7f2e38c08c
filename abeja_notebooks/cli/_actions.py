"""What each command of ``abeja-notebooks`` does, with the SDK (imported when a command runs).

Errors become one line on stderr and an exit code, in the command line's own words: they name
its options and the environment variables, not the SDK's parameters.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Generator
from contextlib import contextmanager
from functools import wraps
from typing import Concatenate, Final, ParamSpec

import typer
from rich.console import Console

from abeja_notebooks import Client, Notebook, NotebookType
from abeja_notebooks._config import NOT_GIVEN
from abeja_notebooks._errors import (
    AbejaError,
    APIConnectionError,
    ConfigurationError,
    Forbidden,
    HttpError,
    NotebookFailed,
    StatusUnreachable,
    Unauthorized,
    WaitTimeout,
)
from abeja_notebooks._flows import OUT_OF_REACH
from abeja_notebooks._models import NotebookStatus
from abeja_notebooks._platform_config import (
    ENV_API_URL,
    ENV_AUTH_TOKEN,
    ENV_ORGANIZATION_ID,
    ENV_PERSONAL_ACCESS_TOKEN,
    ENV_USER_ID,
)

from ._app import GlobalOptions, Output
from ._output import Printer

__all__ = [
    "conformance",
    "create",
    "delete",
    "get",
    "list_notebooks",
    "logs",
    "start",
    "stop",
    "update",
    "wait",
]

_P = ParamSpec("_P")

EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

NO_CREDENTIALS: Final = (
    "no credentials found: pass --token - (reads the token from standard input), set "
    f"{ENV_AUTH_TOKEN} (or {ENV_USER_ID} and {ENV_PERSONAL_ACCESS_TOKEN}), or save them with "
    "`abeja config init` (--configuration NAME picks one of several)"
)
NO_ORGANIZATION: Final = (
    f"no organization: pass --organization ID, set {ENV_ORGANIZATION_ID}, or save one with "
    "`abeja config init`"
)
_OPTION_OF: Final = {
    "organization_id": "--organization",
    "base_url": "--api-url",
    "auth_token": "--token",
    "configuration": "--configuration",
}
"""The SDK's parameter names, as the command line spells them."""


def _in_cli_words(message: str) -> str:
    first, space, rest = message.partition(" ")
    return f"{_OPTION_OF[first]}{space}{rest}" if first in _OPTION_OF else message


def _token_from_stdin() -> str:
    """``--token -``: one line of standard input (the rest is left for the command), or, on a
    terminal, the token typed without echo after a prompt on standard error."""
    if sys.stdin.isatty():
        import getpass

        sys.stderr.write("Token (not shown): ")
        sys.stderr.flush()
        return getpass.getpass("").strip()
    return sys.stdin.readline().strip()


def client(options: GlobalOptions) -> Client:
    """A client from the global options, or an error saying which option or variable to set."""
    token = options.token
    if token == "-":
        token = _token_from_stdin()
        if not token:
            raise ValueError("--token -: standard input held no token")
    try:
        built = Client(
            organization_id=options.organization,
            auth_token=token,
            base_url=options.api_url,
            configuration=options.configuration,
            timeout=NOT_GIVEN if options.request_timeout is None else options.request_timeout,
            max_retries=NOT_GIVEN if options.max_retries is None else options.max_retries,
        )
    except ConfigurationError as error:
        raise ConfigurationError(_in_cli_words(str(error))) from None
    except (ValueError, TypeError) as error:
        raise type(error)(_in_cli_words(str(error))) from None
    if built.settings.credentials is None or built.organization_id is None:
        built.close()
        raise ConfigurationError(
            NO_CREDENTIALS if built.settings.credentials is None else NO_ORGANIZATION
        )
    return built


def _printer(options: GlobalOptions) -> Printer:
    # Piped output is not cut to 80 columns: a script reading a table gets whole lines.
    width = None if sys.stdout.isatty() else 240
    return Printer(options.output, Console(highlight=False, width=width))


def _can_ask() -> bool:
    """Whether a person is at a terminal to answer a question."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@contextmanager
def _spinner(printer: Printer, text: str) -> Generator[None]:
    if printer.interactive and printer.output is Output.TABLE:
        with printer.console.status(text):
            yield
    else:
        yield


def _wait(printer: Printer, nb: Notebook, status: NotebookStatus, timeout: float) -> None:
    with _spinner(printer, f"Waiting for {nb.name} to be {status.value}..."):
        nb.wait_until(status, timeout=timeout)


# --- errors ---------------------------------------------------------------------------------


def _hint(error: AbejaError) -> str:
    if isinstance(error, Unauthorized):
        return f" (check --token, {ENV_AUTH_TOKEN} or the configuration of `abeja config init`)"
    if isinstance(error, Forbidden):
        return (
            " (check the credentials may use this organization: --organization, "
            f"{ENV_ORGANIZATION_ID})"
        )
    if isinstance(error, APIConnectionError):
        return f" (check --api-url, {ENV_API_URL} and the network)"
    return ""


def _unreachable(error: StatusUnreachable) -> str:
    """The error in the command line's words: the command to run instead of the SDK call."""
    nb = error.notebook
    wanted = " or ".join(sorted(error.targets))
    action = OUT_OF_REACH.get(nb.status, "start")
    return (
        f"notebook {nb.id} is {nb.status} and will not become {wanted} by itself; {action} it "
        f"first: abeja-notebooks {action} {nb.job_definition_name} {nb.id} (--grace SECONDS "
        f"waits longer for a {action} that is just landing)"
    )


def _report(error: AbejaError) -> None:
    what, message = "error", str(error)
    if isinstance(error, WaitTimeout | NotebookFailed | StatusUnreachable):
        what = "wait failed"
        if isinstance(error, StatusUnreachable):
            message = _unreachable(error)
    elif isinstance(error, HttpError):
        what = "API error"  # the message carries the status: "...: 404 Not Found for GET ..."
    _stderr().print(f"abeja-notebooks: {what}: {message}{_hint(error)}", markup=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _exit_codes(
    action: Callable[Concatenate[GlobalOptions, _P], None],
) -> Callable[Concatenate[GlobalOptions, _P], None]:
    """Turn the SDK's errors into one line on stderr and the documented exit code.

    With ``--debug`` the traceback is shown instead.
    """

    @wraps(action)
    def run(options: GlobalOptions, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        try:
            action(options, *args, **kwargs)
        except AbejaError as error:
            if options.debug:
                raise
            _report(error)
            raise typer.Exit(EXIT_ERROR) from None
        except (ValueError, TypeError) as error:  # argument checks, before any request
            if options.debug:
                raise
            _stderr().print(f"abeja-notebooks: {error}", markup=False)
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return run


# --- the commands ----------------------------------------------------------------------------


@_exit_codes
def list_notebooks(options: GlobalOptions, job: str, page_size: int, max_items: int | None) -> None:
    """``list``: every notebook of a job definition."""
    with client(options) as sdk:
        notebooks = sdk.notebooks.list(job, page_size=page_size, max_items=max_items)
        _printer(options).notebooks(notebooks)


@_exit_codes
def get(options: GlobalOptions, job: str, notebook_id: str) -> None:
    """``get``: one notebook."""
    with client(options) as sdk:
        _printer(options).notebook(sdk.notebooks.get(job, notebook_id))


@_exit_codes
def create(
    options: GlobalOptions,
    job: str,
    *,
    instance_type: str | None,
    image: str | None,
    notebook_type: NotebookType | None,
    wait_timeout: float | None,
) -> None:
    """``create``, waiting for Running when ``wait_timeout`` is given."""
    printer = _printer(options)
    with client(options) as sdk:
        nb = sdk.notebooks.create(
            job, instance_type=instance_type, image=image, notebook_type=notebook_type
        )
        if wait_timeout is not None:
            _wait(printer, nb, NotebookStatus.RUNNING, wait_timeout)
        printer.notebook(nb)


@_exit_codes
def update(
    options: GlobalOptions,
    job: str,
    notebook_id: str,
    *,
    instance_type: str | None,
    image: str | None,
    notebook_type: NotebookType | None,
) -> None:
    """``update``: change a notebook's settings."""
    with client(options) as sdk:
        nb = sdk.notebooks.update(
            job,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type,
        )
        _printer(options).notebook(nb)


@_exit_codes
def start(
    options: GlobalOptions,
    job: str,
    notebook_id: str,
    *,
    notebook_type: NotebookType | None,
    wait_timeout: float | None,
) -> None:
    """``start``, waiting for Running when ``wait_timeout`` is given."""
    printer = _printer(options)
    with client(options) as sdk:
        nb = sdk.notebooks.start(job, notebook_id, notebook_type=notebook_type)
        if wait_timeout is not None:
            _wait(printer, nb, NotebookStatus.RUNNING, wait_timeout)
        printer.notebook(nb)


@_exit_codes
def stop(options: GlobalOptions, job: str, notebook_id: str, *, wait_timeout: float | None) -> None:
    """``stop``, waiting for Stopped when ``wait_timeout`` is given."""
    printer = _printer(options)
    with client(options) as sdk:
        nb = sdk.notebooks.stop(job, notebook_id)
        if wait_timeout is not None:
            _wait(printer, nb, NotebookStatus.STOPPED, wait_timeout)
        printer.notebook(nb)


@_exit_codes
def delete(options: GlobalOptions, job: str, notebook_id: str, *, ask: bool) -> None:
    """``delete``, asking first when ``ask`` and a person is at the terminal."""
    printer = _printer(options)
    if ask and _can_ask():
        typer.confirm(f"Delete notebook {notebook_id} of {job}?", abort=True)
    with client(options) as sdk:
        sdk.notebooks.delete(job, notebook_id)
    if printer.output is Output.IDS:
        printer.console.out(notebook_id, highlight=False)
    elif printer.output is Output.JSON:
        printer.console.out(json.dumps({"deleted": notebook_id}), highlight=False)
    else:
        printer.message(f"Deleted notebook {notebook_id}.")


@_exit_codes
def logs(
    options: GlobalOptions,
    job: str,
    notebook_id: str,
    *,
    follow: bool,
    history: bool,
    poll_interval: float,
    timeout: float | None,
) -> None:
    """``logs``: recent lines, the whole log, or new lines as they come."""
    printer = _printer(options)
    with client(options) as sdk:
        events = sdk.notebooks.logs(
            job,
            notebook_id,
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=timeout,
        )
        if follow:
            for event in events:
                printer.event(event)
        else:
            printer.events(events)


@_exit_codes
def wait(
    options: GlobalOptions,
    job: str,
    notebook_id: str,
    status: list[str],
    *,
    timeout: float,
    poll_interval: float,
    grace: float,
) -> None:
    """``wait``: poll until the notebook reaches one of ``status``."""
    printer = _printer(options)
    with client(options) as sdk:
        nb = sdk.notebooks.get(job, notebook_id)
        with _spinner(printer, f"Waiting for {nb.name} to be {' or '.join(status)}..."):
            nb.wait_until(status, timeout=timeout, poll_interval=poll_interval, grace=grace)
        printer.notebook(nb)


@_exit_codes
def conformance(
    options: GlobalOptions,
    job: str,
    *,
    instance_type: str,
    yes: bool,
    dry_run: bool,
    strict: bool,
    report_file: str | None,
    time_limit: float,
    poll_interval: float,
) -> None:
    """``conformance``: the API contract, step by step (see ``_conformance``)."""
    from ._conformance import RunSettings
    from ._conformance_command import conformance as run

    run(
        options,
        RunSettings(job, instance_type, poll_interval, time_limit),
        yes=yes,
        dry_run=dry_run,
        strict=strict,
        report_file=report_file,
        can_ask=_can_ask(),
        client_of=client,
    )
