"""The commands of ``abeja-notebooks``, built on the resource model (``Client``)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Annotated, NoReturn, ParamSpec

import typer
from rich.console import Console

from abeja_notebooks import __version__
from abeja_notebooks._client import Client
from abeja_notebooks._config import ENV_AUTH_TOKEN, ENV_ORGANIZATION_ID, NOT_GIVEN
from abeja_notebooks._errors import (
    AbejaError,
    APIConnectionError,
    ConfigurationError,
    Forbidden,
    HttpError,
    NotebookFailed,
    Unauthorized,
    WaitTimeout,
)
from abeja_notebooks._flows import DEFAULT_WAIT_TIMEOUT
from abeja_notebooks._models import NotebookStatus
from abeja_notebooks._resources import Notebook

from ._output import Output, Printer

__all__ = ["app", "run"]

_P = ParamSpec("_P")
_DEBUG: ContextVar[bool] = ContextVar("abeja_notebooks_cli_debug")

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="abeja-notebooks",
    help="Manage ABEJA Platform training notebooks: create, list, start, stop, follow logs.\n\n"
    "Credentials and organization come from the environment (PLATFORM_AUTH_TOKEN, or "
    "ABEJA_PLATFORM_USER_ID + ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN; ABEJA_ORGANIZATION_ID; "
    "ABEJA_API_URL) or from the global options.",
    epilog="Try it offline: abeja-notebooks demo",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@dataclass
class _State:
    organization: str | None = None
    api_url: str | None = None
    token: str | None = None
    output: Output = Output.TABLE
    timeout: float | None = None
    max_retries: int | None = None
    debug: bool = False

    def client(self) -> Client:
        return Client(
            organization_id=self.organization,
            auth_token=self.token,
            base_url=self.api_url,
            timeout=NOT_GIVEN if self.timeout is None else self.timeout,
            max_retries=NOT_GIVEN if self.max_retries is None else self.max_retries,
        )

    def printer(self, output: Output | None = None) -> Printer:
        # Piped output is not cut to 80 columns: a script reading a table gets whole lines.
        width = None if sys.stdout.isatty() else 240
        return Printer(output or self.output, Console(highlight=False, width=width))


def _can_ask() -> bool:
    """Whether a person is at a terminal to answer a question."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _state(ctx: typer.Context) -> _State:
    state = ctx.find_object(_State)
    assert state is not None  # set by the app callback before any command runs
    return state


def _version(value: bool) -> None:
    if value:
        print(f"abeja-notebooks {__version__}")
        raise typer.Exit


@app.callback()
def _global_options(
    ctx: typer.Context,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization", help=f"Organization id (default: env {ENV_ORGANIZATION_ID})."
        ),
    ] = None,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="API root (default: env ABEJA_API_URL).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help=f"Platform auth token (default: env {ENV_AUTH_TOKEN}).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Output,
        typer.Option("--output", "-o", help="table for people; json or ids for scripts."),
    ] = Output.TABLE,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds per HTTP attempt.", min=0.001)
    ] = None,
    max_retries: Annotated[
        int | None, typer.Option("--max-retries", help="Retries after a failed attempt.", min=0)
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log every request and show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = _State(organization, api_url, token, output, timeout, max_retries, debug)
    _DEBUG.set(debug)
    if debug:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("abeja_notebooks").setLevel(logging.DEBUG)


# --- shared arguments ------------------------------------------------------------------------

JobArg = Annotated[str, typer.Argument(help="Training job definition name.", show_default=False)]
IdArg = Annotated[str, typer.Argument(help="Notebook id.", show_default=False)]
InstanceOpt = Annotated[
    str | None, typer.Option("--instance-type", help="e.g. cpu-1, cpu-0.25, gpu:b-4.")
]
ImageOpt = Annotated[str | None, typer.Option("--image", help="e.g. abeja-inc/all-cpu:19.10.")]


class NotebookType(StrEnum):
    """The ``--type`` choices."""

    NOTEBOOK = "notebook"
    LAB = "lab"


TypeOpt = Annotated[NotebookType | None, typer.Option("--type", help="Classic notebook or lab.")]
OutputOpt = Annotated[
    Output | None,
    typer.Option("--output", "-o", help="table, json or ids (overrides the global --output)."),
]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait until the notebook gets there.")]
WaitTimeoutOpt = Annotated[
    float, typer.Option("--wait-timeout", help="Seconds --wait waits at most.", min=0.001)
]


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
    if isinstance(error, ConfigurationError):
        return ""
    if isinstance(error, Unauthorized):
        return f" (check {ENV_AUTH_TOKEN} or --token)"
    if isinstance(error, Forbidden):
        return f" (check the credentials may use this organization, {ENV_ORGANIZATION_ID})"
    if isinstance(error, APIConnectionError):
        return " (check ABEJA_API_URL / --api-url and the network)"
    return ""


def _report(error: AbejaError) -> None:
    what = "error"
    if isinstance(error, WaitTimeout | NotebookFailed):
        what = "wait failed"
    elif isinstance(error, HttpError):
        what = f"API error {error.status_code}"
    _stderr().print(f"abeja-notebooks: {what}: {error}{_hint(error)}", markup=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _errors_as_exit_codes(command: Callable[_P, None]) -> Callable[_P, None]:
    """Turn the SDK's errors into one line on stderr and the documented exit code.

    With ``--debug`` the traceback is shown instead.
    """

    @wraps(command)
    def run_command(*args: _P.args, **kwargs: _P.kwargs) -> None:
        debug = _DEBUG.get(False)
        try:
            command(*args, **kwargs)
        except AbejaError as error:
            if debug:
                raise
            _report(error)
            raise typer.Exit(EXIT_ERROR) from None
        except (ValueError, TypeError) as error:  # the SDK's argument checks, before any request
            if debug:
                raise
            _stderr().print(f"abeja-notebooks: {error}", markup=False)
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return run_command


# --- commands --------------------------------------------------------------------------------


@app.command("list")
@_errors_as_exit_codes
def list_notebooks(
    ctx: typer.Context,
    job_definition: JobArg,
    page_size: Annotated[int, typer.Option(help="Notebooks per request.", min=1)] = 100,
    max_items: Annotated[
        int | None, typer.Option(help="Stop after this many notebooks.", min=1)
    ] = None,
    output: OutputOpt = None,
) -> None:
    """List the notebooks of a job definition.

    Example: abeja-notebooks -o ids list train-resnet | xargs -n1 abeja-notebooks get train-resnet
    """
    state = _state(ctx)
    with state.client() as client:
        state.printer(output).notebooks(
            client.notebooks.list(job_definition, page_size=page_size, max_items=max_items)
        )


@app.command()
@_errors_as_exit_codes
def get(
    ctx: typer.Context, job_definition: JobArg, notebook_id: IdArg, output: OutputOpt = None
) -> None:
    """Show one notebook.

    Example: abeja-notebooks -o json get train-resnet 1230000000000
    """
    state = _state(ctx)
    with state.client() as client:
        state.printer(output).notebook(client.notebooks.get(job_definition, notebook_id))


@app.command()
@_errors_as_exit_codes
def create(
    ctx: typer.Context,
    job_definition: JobArg,
    instance_type: InstanceOpt = None,
    image: ImageOpt = None,
    notebook_type: TypeOpt = None,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
    output: OutputOpt = None,
) -> None:
    """Create (and launch) a notebook.

    Example: abeja-notebooks create train-resnet --instance-type cpu-1 --type lab --wait
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    with state.client() as client:
        nb = client.notebooks.create(
            job_definition,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type and notebook_type.value,
        )
        if wait:
            _wait(printer, nb, NotebookStatus.RUNNING, wait_timeout)
        printer.notebook(nb)


@app.command()
@_errors_as_exit_codes
def update(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    instance_type: InstanceOpt = None,
    image: ImageOpt = None,
    notebook_type: TypeOpt = None,
    output: OutputOpt = None,
) -> None:
    """Change a notebook's instance type, image or type.

    Example: abeja-notebooks update train-resnet 1230000000000 --instance-type cpu-4
    """
    state = _state(ctx)
    with state.client() as client:
        nb = client.notebooks.update(
            job_definition,
            notebook_id,
            instance_type=instance_type,
            image=image,
            notebook_type=notebook_type and notebook_type.value,
        )
        state.printer(output).notebook(nb)


@app.command()
@_errors_as_exit_codes
def start(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    notebook_type: TypeOpt = None,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
    output: OutputOpt = None,
) -> None:
    """Start a stopped notebook.

    Example: abeja-notebooks start train-resnet 1230000000000 --wait
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    with state.client() as client:
        nb = client.notebooks.start(
            job_definition, notebook_id, notebook_type=notebook_type and notebook_type.value
        )
        if wait:
            _wait(printer, nb, NotebookStatus.RUNNING, wait_timeout)
        printer.notebook(nb)


@app.command()
@_errors_as_exit_codes
def stop(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
    output: OutputOpt = None,
) -> None:
    """Stop a running notebook.

    Example: abeja-notebooks stop train-resnet 1230000000000
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    with state.client() as client:
        nb = client.notebooks.stop(job_definition, notebook_id)
        if wait:
            _wait(printer, nb, NotebookStatus.STOPPED, wait_timeout)
        printer.notebook(nb)


@app.command()
@_errors_as_exit_codes
def delete(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    output: OutputOpt = None,
) -> None:
    """Delete a notebook (asks first on a terminal, unless --yes).

    Example: abeja-notebooks delete train-resnet 1230000000000 --yes
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    if not yes and _can_ask():
        typer.confirm(f"Delete notebook {notebook_id} of {job_definition}?", abort=True)
    with state.client() as client:
        client.notebooks.delete(job_definition, notebook_id)
    if printer.output is Output.IDS:
        printer.console.out(notebook_id, highlight=False)
    elif printer.output is Output.JSON:
        printer.console.out(json.dumps({"deleted": notebook_id}), highlight=False)
    else:
        printer.message(f"Deleted notebook {notebook_id}.")


@app.command()
@_errors_as_exit_codes
def logs(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines until it stops.")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Start from the beginning of the log.")
    ] = False,
    poll_interval: Annotated[
        float, typer.Option(help="Seconds between polls while following.", min=0.001)
    ] = 1.0,
    follow_timeout: Annotated[
        float | None, typer.Option("--follow-timeout", help="Stop following after this.", min=0.001)
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Print a notebook's log (recent lines; --history for all; --follow to keep going).

    Example: abeja-notebooks -o json logs train-resnet 1230000000000 --follow | jq .message
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    with state.client() as client:
        events = client.notebooks.logs(
            job_definition,
            notebook_id,
            follow=follow,
            history=history,
            poll_interval=poll_interval,
            timeout=follow_timeout,
        )
        if follow:
            for event in events:
                printer.event(event)
        else:
            printer.events(events)


@app.command()
@_errors_as_exit_codes
def wait(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    status: Annotated[
        list[str],
        typer.Option("--status", "-s", help="Status to wait for; repeatable (any ends it)."),
    ],
    wait_timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait at most.", min=0.001)
    ] = DEFAULT_WAIT_TIMEOUT,
    poll_interval: Annotated[float, typer.Option(help="Seconds between polls.", min=0.001)] = 2.0,
    output: OutputOpt = None,
) -> None:
    """Wait until a notebook reaches a status (exit 1 if it fails or time runs out).

    Example: abeja-notebooks wait train-resnet 1230000000000 --status Running --timeout 600
    """
    state, printer = _state(ctx), _state(ctx).printer(output)
    with state.client() as client:
        nb = client.notebooks.get(job_definition, notebook_id)
        with _spinner(printer, f"Waiting for {nb.name} to be {' or '.join(status)}..."):
            nb.wait_until(status, timeout=wait_timeout, poll_interval=poll_interval)
        printer.notebook(nb)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def emulator(ctx: typer.Context) -> None:
    """Serve the bundled emulator on a loopback port and print how to point the SDK at it.

    Takes the options of python -m abeja_notebooks.testing (--port, --host, --organization,
    --job-definition, --token, --user, --start-delay, --log-interval, and the answer forms
    --list-form, --action-response, --delete-response, --int-ids-in-actions; --help lists them).

    Example: abeja-notebooks emulator --port 8080 --list-form bare
    """
    from abeja_notebooks.testing._cli import main as serve

    argv = ["--help"] if "--help" in ctx.args else ctx.args
    raise typer.Exit(serve(argv, prog="abeja-notebooks emulator"))


@app.command()
def demo() -> None:
    """Run a full notebook lifecycle against an in-process emulator (no credentials needed).

    Example: abeja-notebooks demo
    """
    from ._demo import run_demo

    run_demo(Console(highlight=False))


# --- running ---------------------------------------------------------------------------------


def run(argv: list[str] | None = None) -> NoReturn:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and exit the process.

    Exit codes: 0 success, 1 API, configuration or wait error, 2 usage error, 130 interrupted.
    """
    app(args=sys.argv[1:] if argv is None else argv, prog_name="abeja-notebooks")
    raise SystemExit(0)
