"""The commands and options of ``abeja-notebooks``.

They are declared here without importing the SDK (httpx, pydantic), so that ``--help`` and shell
completion answer at once; what each command does is in ``_actions``, imported when it runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from abeja_notebooks._platform_config import (
    ENV_API_URL,
    ENV_AUTH_TOKEN,
    ENV_MAX_RETRIES,
    ENV_ORGANIZATION_ID,
    ENV_PERSONAL_ACCESS_TOKEN,
    ENV_TIMEOUT,
    ENV_USER_ID,
)
from abeja_notebooks._types import NotebookType  # types only: nothing heavy loads
from abeja_notebooks._version import __version__

__all__ = ["GlobalOptions", "Output", "app", "run"]

DEFAULT_WAIT_TIMEOUT = 600.0
"""How long ``--wait`` and ``wait`` wait by default (the SDK's own default, checked by a test)."""
DEFAULT_WAIT_GRACE = 30.0
"""How long ``wait --grace`` is by default (the SDK's own default, checked by a test)."""
CONFORMANCE_TIME_LIMIT = 900.0
"""How long a conformance run may take by default, before its cleanup."""


class Output(StrEnum):
    """The ``--output`` formats."""

    TABLE = "table"
    """A readable table (people)."""
    JSON = "json"
    """The API's own JSON: one document (JSON lines for ``logs --follow``)."""
    IDS = "ids"
    """Bare notebook ids, one per line (for piping into xargs)."""


@dataclass
class GlobalOptions:
    """The options given before (or after) the command."""

    organization: str | None = None
    api_url: str | None = None
    token: str | None = None
    configuration: str | None = None
    output: Output = Output.TABLE
    request_timeout: float | None = None
    max_retries: int | None = None
    debug: bool = False


# --- the command line's own rules: global options anywhere, flags shown as flags --------------


def _option_names(param: Any) -> list[str]:
    names: list[str] = [*param.opts, *param.secondary_opts]
    return names


class _Uncoerced:
    """Stands in for typer's coercion of a value while the shell completes a command line.

    Completion needs no value, and typer 0.29 and later import pydantic to coerce one (it
    would double the time every TAB takes).
    """

    @staticmethod
    def coerce(value: object, param: object, ctx: object) -> object:
        return value


class _Argument(TyperArgument):
    """An argument shown by its metavar alone: ``JOB ID`` in the usage line (typer writes
    ``{JOB} {ID}``), and no ``<str>`` beside it in the help."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None if self.metavar else super().display_type_rich(ctx)

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name if self.nargs == 1 else f"{name}..."


def _prepared(params: list[Any], ctx: Any) -> list[Any]:
    """Show on/off options as flags (``--wait``, not ``--wait <bool>``) and arguments by their
    metavar (`_Argument`); coerce nothing while completing."""
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
        if ctx.resilient_parsing and getattr(param, "_runtime_param", False) is None:
            param._runtime_param = _Uncoerced  # typer's own slot, which it fills on first use
        if type(param) is TyperArgument:
            param.__class__ = _Argument  # typer makes its own class; this one only shows it
    return params


def _split(token: str) -> tuple[str, bool]:
    """An option token's name, and whether its value is attached (``--x=1``, ``-ojson``)."""
    if token.startswith("--"):
        name, equals, _ = token.partition("=")
        return name, bool(equals)
    return token[:2], len(token) > 2


def _movable(group: Any) -> dict[str, bool]:
    """The global options that may follow the command: name -> whether it takes a value.

    Hidden options (an old spelling), eager ones (``--help``, ``--version``) and those that do
    something of their own (``--install-completion``) are not.
    """
    return {
        name: not getattr(param, "is_flag", False)
        for param in group.params
        if param.param_type_name == "option"
        and param.expose_value
        and not param.is_eager
        and not getattr(param, "hidden", False)
        for name in _option_names(param)
    }


class _Group(TyperGroup):
    """Takes the global options after the command too, unless the command has one of that name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._hoisted(ctx, args))

    def get_params(self, ctx: Any) -> list[Any]:
        return _prepared(super().get_params(ctx), ctx)

    def _hoisted(self, ctx: Any, args: list[str]) -> list[str]:
        """``args`` with the global options found after the command moved in front of it.

        Everything after ``--`` stays where it is, and so does every argument of a command
        that passes its arguments on (``emulator``).
        """
        takes_value = {
            name: not getattr(param, "is_flag", False)
            for param in self.params
            if param.param_type_name == "option"
            for name in _option_names(param)
        }
        movable = _movable(self)
        at = 0  # find the command: the first word that is neither an option nor its value
        while at < len(args) and args[at].startswith("-") and args[at] not in ("-", "--"):
            name, attached = _split(args[at])
            at += 2 if takes_value.get(name) and not attached else 1
        found = self.get_command(ctx, args[at]) if at < len(args) else None
        if found is None or found.context_settings.get("ignore_unknown_options"):
            return args
        own = {name for param in found.params for name in _option_names(param)}
        own_values = {
            name
            for param in found.params
            if param.param_type_name == "option" and not getattr(param, "is_flag", False)
            for name in _option_names(param)
        }
        moved: list[str] = []
        kept: list[str] = []
        rest = args[at + 1 :]
        index = 0
        while index < len(rest):
            token = rest[index]
            if token == "--":
                kept += rest[index:]
                break
            name, attached = _split(token) if token.startswith("-") else (token, True)
            if name in movable and name not in own:
                width = 2 if takes_value[name] and not attached else 1
                moved += rest[index : index + width]
            else:  # the command's own: an option's value is never read as an option
                width = 2 if name in own_values and not attached else 1
                kept += rest[index : index + width]
            index += width
        return [*args[:at], *moved, args[at], *kept]


class _Command(TyperCommand):
    """Shows flags as flags, and completes the global options that may follow it."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _prepared(super().get_params(ctx), ctx)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        items: list[Any] = super().shell_complete(ctx, incomplete)
        parent = ctx.parent
        if parent is None or not incomplete.startswith("-"):
            return items
        own = {name for param in self.params for name in _option_names(param)}
        movable = _movable(parent.command)
        return items + [
            item
            for item in parent.command.shell_complete(parent, incomplete)
            if item.value in movable and item.value not in own
        ]


GLOBAL_EPILOG = "Global options (see abeja-notebooks --help) may come before or after the command."

app = typer.Typer(
    name="abeja-notebooks",
    cls=_Group,
    help="Manage ABEJA Platform training notebooks: create, list, start, stop, follow logs.\n\n"
    "The organization, credentials and API root come from the global options, else the "
    f"environment ({ENV_ORGANIZATION_ID}; {ENV_AUTH_TOKEN}, or {ENV_USER_ID} and "
    f"{ENV_PERSONAL_ACCESS_TOKEN}; {ENV_API_URL}), else the configuration that the platform's "
    "`abeja config init` saves in ~/.abeja/config. Global options may come before or after "
    "the command.",
    epilog="Try it offline: abeja-notebooks demo",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


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
            "--organization",
            metavar="ID",
            help=f"Organization id. Default: env {ENV_ORGANIZATION_ID}, else the configuration.",
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            metavar="URL",
            help=f"API root. Default: env {ENV_API_URL}, else the configuration, else "
            "https://api.abeja.io.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            help="Platform auth token; '-' reads it from standard input. A token typed here is "
            "visible to other users of this machine (process list) and stays in the shell "
            f"history: prefer '--token -', env {ENV_AUTH_TOKEN}, or the configuration saved by "
            "`abeja config init` (~/.abeja/config).",
            show_default=False,
        ),
    ] = None,
    configuration: Annotated[
        str | None,
        typer.Option(
            "--configuration",
            metavar="NAME",
            help="A configuration saved by `abeja config init NAME` ('default': the unnamed "
            "one). Default: the active one, where the options and environment leave gaps.",
        ),
    ] = None,
    output: Annotated[
        Output,
        typer.Option("--output", "-o", help="table for people; json or ids for scripts."),
    ] = Output.TABLE,
    request_timeout: Annotated[
        float | None,
        typer.Option(
            "--request-timeout",
            metavar="SECONDS",
            help=f"Seconds per HTTP attempt. Default: env {ENV_TIMEOUT}, else 30.",
            min=0.001,
        ),
    ] = None,
    old_timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", hidden=True, min=0.001, help="Old spelling of --request-timeout."
        ),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option(
            "--max-retries",
            metavar="N",
            help=f"Retries after a failed attempt. Default: env {ENV_MAX_RETRIES}, else 3.",
            min=0,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log every request and show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    timeout = request_timeout if request_timeout is not None else old_timeout
    ctx.obj = GlobalOptions(
        organization, api_url, token, configuration, output, timeout, max_retries, debug
    )
    if debug:
        import logging

        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("abeja_notebooks").setLevel(logging.DEBUG)


def _options(ctx: typer.Context) -> GlobalOptions:
    options = ctx.find_object(GlobalOptions)
    assert options is not None  # set by the app callback before any command runs
    return options


# --- shared arguments ------------------------------------------------------------------------

JobArg = Annotated[
    str, typer.Argument(metavar="JOB", help="Training job definition name.", show_default=False)
]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="Notebook id.", show_default=False)]
InstanceOpt = Annotated[
    str | None, typer.Option("--instance-type", metavar="TYPE", help="e.g. cpu-1, gpu:b-4.")
]
ImageOpt = Annotated[
    str | None, typer.Option("--image", metavar="IMAGE", help="e.g. abeja-inc/all-cpu:19.10.")
]
TypeOpt = Annotated[NotebookType | None, typer.Option("--type", help="Classic notebook or lab.")]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait until the notebook gets there.")]
WaitTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--wait-timeout", metavar="SECONDS", help="Seconds --wait waits at most.", min=0.001
    ),
]


# --- commands --------------------------------------------------------------------------------


@app.command("list", cls=_Command, epilog=GLOBAL_EPILOG)
def list_notebooks(
    ctx: typer.Context,
    job_definition: JobArg,
    page_size: Annotated[
        int, typer.Option(metavar="N", help="Notebooks per request.", min=1)
    ] = 100,
    max_items: Annotated[
        int | None, typer.Option(metavar="N", help="Stop after this many notebooks.", min=1)
    ] = None,
) -> None:
    """List the notebooks of a job definition.

    Example: abeja-notebooks -o ids list train-resnet | xargs -n1 abeja-notebooks get train-resnet
    """
    from . import _actions

    _actions.list_notebooks(_options(ctx), job_definition, page_size, max_items)


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def get(ctx: typer.Context, job_definition: JobArg, notebook_id: IdArg) -> None:
    """Show one notebook.

    Example: abeja-notebooks get train-resnet 1230000000000 -o json
    """
    from . import _actions

    _actions.get(_options(ctx), job_definition, notebook_id)


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def create(
    ctx: typer.Context,
    job_definition: JobArg,
    instance_type: InstanceOpt = None,
    image: ImageOpt = None,
    notebook_type: TypeOpt = None,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Create (and launch) a notebook.

    Example: abeja-notebooks create train-resnet --instance-type cpu-1 --type lab --wait
    """
    from . import _actions

    _actions.create(
        _options(ctx),
        job_definition,
        instance_type=instance_type,
        image=image,
        notebook_type=notebook_type,
        wait_timeout=wait_timeout if wait else None,
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def update(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    instance_type: InstanceOpt = None,
    image: ImageOpt = None,
    notebook_type: TypeOpt = None,
) -> None:
    """Change a notebook's instance type, image or type.

    Example: abeja-notebooks update train-resnet 1230000000000 --instance-type cpu-4
    """
    from . import _actions

    _actions.update(
        _options(ctx),
        job_definition,
        notebook_id,
        instance_type=instance_type,
        image=image,
        notebook_type=notebook_type,
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def start(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    notebook_type: TypeOpt = None,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Start a stopped notebook.

    Example: abeja-notebooks start train-resnet 1230000000000 --wait
    """
    from . import _actions

    _actions.start(
        _options(ctx),
        job_definition,
        notebook_id,
        notebook_type=notebook_type,
        wait_timeout=wait_timeout if wait else None,
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def stop(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    wait: WaitOpt = False,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Stop a running notebook.

    Example: abeja-notebooks stop train-resnet 1230000000000
    """
    from . import _actions

    _actions.stop(
        _options(ctx), job_definition, notebook_id, wait_timeout=wait_timeout if wait else None
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def delete(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a notebook (asks first on a terminal, unless --yes).

    Example: abeja-notebooks delete train-resnet 1230000000000 --yes
    """
    from . import _actions

    _actions.delete(_options(ctx), job_definition, notebook_id, ask=not yes)


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
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
        float,
        typer.Option(metavar="SECONDS", help="Seconds between polls while following.", min=0.001),
    ] = 1.0,
    follow_timeout: Annotated[
        float | None,
        typer.Option(
            "--follow-timeout", metavar="SECONDS", help="Stop following after this.", min=0.001
        ),
    ] = None,
) -> None:
    """Print a notebook's log (recent lines; --history for all; --follow to keep going).

    Example: abeja-notebooks logs train-resnet 1230000000000 --follow -o json | jq .message
    """
    from . import _actions

    _actions.logs(
        _options(ctx),
        job_definition,
        notebook_id,
        follow=follow,
        history=history,
        poll_interval=poll_interval,
        timeout=follow_timeout,
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def wait(
    ctx: typer.Context,
    job_definition: JobArg,
    notebook_id: IdArg,
    status: Annotated[
        list[str],
        typer.Option(
            "--status", "-s", metavar="STATUS", help="Status to wait for; repeatable (any ends it)."
        ),
    ],
    wait_timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Seconds to wait at most (the global --request-timeout bounds each request).",
            min=0.001,
        ),
    ] = DEFAULT_WAIT_TIMEOUT,
    poll_interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="Seconds between polls.", min=0.001)
    ] = 2.0,
    grace: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Seconds a Stopped notebook may stay Stopped while waiting for Running or "
            "Pending (a start that is just landing) before the wait fails.",
            min=0,
        ),
    ] = DEFAULT_WAIT_GRACE,
) -> None:
    """Wait until a notebook reaches a status (exit 1 if it fails, cannot get there, or time
    runs out).

    Example: abeja-notebooks wait train-resnet 1230000000000 --status Running --timeout 600
    """
    from . import _actions

    _actions.wait(
        _options(ctx),
        job_definition,
        notebook_id,
        status,
        timeout=wait_timeout,
        poll_interval=poll_interval,
        grace=grace,
    )


@app.command(cls=_Command, epilog=GLOBAL_EPILOG)
def conformance(
    ctx: typer.Context,
    job_definition: JobArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check access and list the steps; change nothing."),
    ] = False,
    instance_type: Annotated[
        str,
        typer.Option(
            "--instance-type", metavar="TYPE", help="Instance type of the notebooks it creates."
        ),
    ] = "cpu-1",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a step differs.")] = False,
    report: Annotated[
        str | None,
        typer.Option("--report", metavar="FILE", help="Also write the JSON report to FILE."),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Start no step after this; deleting what it created may take 120 s more.",
            min=1.0,
        ),
    ] = CONFORMANCE_TIME_LIMIT,
    poll_interval: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Seconds between reads while waiting.", min=0.001),
    ] = 2.0,
) -> None:
    """Check an API against what the SDK and its emulator expect (makes two notebooks).

    It asks first, deletes what it created, and exits 0 unless a step failed.

    Example: abeja-notebooks conformance train-resnet --report conformance.json
    """
    from . import _actions

    _actions.conformance(
        _options(ctx),
        job_definition,
        instance_type=instance_type,
        yes=yes,
        dry_run=dry_run,
        strict=strict,
        report_file=report,
        time_limit=time_limit,
        poll_interval=poll_interval,
    )


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def emulator(ctx: typer.Context) -> None:
    """Serve the bundled emulator on a loopback port and print how to point the SDK at it.

    Takes the options of python -m abeja_notebooks.testing (--port, --host, --organization,
    --job-definition, --token, --user, --start-delay, --log-interval, the answer forms such as
    --list-form or --timestamps, and --from-report FILE; --help lists them).

    Example: abeja-notebooks emulator --port 8080 --list-form bare
    """
    from abeja_notebooks.testing._cli import main as serve

    argv = ["--help"] if "--help" in ctx.args else ctx.args
    raise typer.Exit(serve(argv, prog="abeja-notebooks emulator"))


@app.command(cls=_Command)
def demo() -> None:
    """Run a full notebook lifecycle against an in-process emulator (no credentials needed).

    Example: abeja-notebooks demo
    """
    from rich.console import Console

    from ._demo import run_demo

    run_demo(Console(highlight=False))


# --- running ---------------------------------------------------------------------------------


def run(argv: list[str] | None = None) -> NoReturn:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and exit the process.

    Exit codes: 0 success, 1 API, configuration or wait error, 2 usage error, 130 interrupted.
    """
    app(args=sys.argv[1:] if argv is None else argv, prog_name="abeja-notebooks")
    raise SystemExit(0)
