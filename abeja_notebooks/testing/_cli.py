"""``python -m abeja_notebooks.testing``: serve an emulator on the real clock."""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import signal
import sys
import threading
from collections.abc import Generator, Sequence
from dataclasses import fields
from types import FrameType
from typing import TextIO

from ._clock import RealClock
from ._dialect import Dialect
from ._emulator import DEFAULT_JOB_DEFINITION, DEFAULT_ORGANIZATION_ID, Emulator
from ._server import EmulatorServer

__all__ = ["RECORDED_REQUESTS", "add_arguments", "main", "run"]

RECORDED_REQUESTS = 10_000
"""A served emulator may run for days: it remembers only this many requests."""

_DESCRIPTION = """\
Serve an offline emulator of the ABEJA Platform Notebook API on the real
clock until Ctrl-C or SIGTERM. The first line printed is the base URL;
shell export lines that point the SDK at it follow.
"""

_EPILOG = f"""\
Memory stays flat however long it runs: it keeps the last {RECORDED_REQUESTS:,}
requests, a notebook's log keeps its latest 50,000 to 75,000 events, and
deleting a notebook frees everything it held.

example: %(prog)s --port 8080 --token secret --list-form bare
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to a parser (so a CLI can offer them as a subcommand).

    Args:
        parser: The parser to extend.
    """
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on; 0 picks a free one (%(default)s)"
    )
    parser.add_argument(
        "--organization",
        action="append",
        default=[],
        metavar="ID",
        help=f"an organization id; repeatable (default {DEFAULT_ORGANIZATION_ID})",
    )
    parser.add_argument(
        "--job-definition",
        action="append",
        default=[],
        metavar="NAME",
        help=f"a training job definition in every organization; repeatable "
        f"(default {DEFAULT_JOB_DEFINITION})",
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="T",
        help="a bearer token to accept; repeatable (default: accept any credential)",
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="USER_ID:PAT",
        type=_user,
        help="a user id and personal access token to accept as Basic credentials; repeatable",
    )
    parser.add_argument(
        "--start-delay",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="seconds a notebook stays Pending after a start (%(default)s)",
    )
    parser.add_argument(
        "--log-interval",
        type=_positive_seconds,
        default=0.5,
        metavar="S",
        help="seconds between two log lines of a running notebook (%(default)s)",
    )
    Dialect.add_arguments(parser)


def run(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM), with options parsed by :func:`add_arguments`.

    The first line written to ``out`` is the base URL; shell ``export`` lines follow.

    Args:
        args: The parsed options.
        out: Where to print (default: standard output).

    Returns:
        The exit status: 0 after an interrupt, 1 if the address cannot be bound.
    """
    stream = out if out is not None else sys.stdout
    organizations: list[str] = args.organization or [DEFAULT_ORGANIZATION_ID]
    job_definitions: list[str] = args.job_definition or [DEFAULT_JOB_DEFINITION]
    tokens: list[str] = args.token
    users: dict[str, str] = dict(args.user)
    emulator = Emulator(
        clock=RealClock(),
        organizations=dict.fromkeys(organizations, job_definitions),
        tokens=tokens,
        users=users,
        start_delay=args.start_delay,
        log_interval=args.log_interval,
        dialect=Dialect.from_args(args),
    )
    emulator.max_recorded_requests = RECORDED_REQUESTS
    server = EmulatorServer(emulator, host=args.host, port=args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    try:
        with _sigterm_sets(stop):
            for line in _banner(server.base_url, organizations, job_definitions, tokens, users):
                print(line, file=stream, flush=True)
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(
    argv: Sequence[str] | None = None, *, prog: str = "python -m abeja_notebooks.testing"
) -> int:
    """Parse the command line and serve an emulator until interrupted.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        prog: The command's name in ``--help`` and usage errors.

    Returns:
        The exit status.

    Examples:
        ``python -m abeja_notebooks.testing --port 8080 --token secret --list-form bare``
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.add_argument(
        "--from-report",
        metavar="FILE",
        help="answer as the server of a conformance report did (abeja-notebooks conformance "
        "--report FILE): its answer forms and start delay; flags given too take precedence",
    )
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    if args.from_report is not None:
        args = parser.parse_args([*_report_flags(parser, args.from_report), *given])
    return run(args)


def _banner(
    base_url: str,
    organizations: list[str],
    job_definitions: list[str],
    tokens: list[str],
    users: dict[str, str],
) -> list[str]:
    lines = [
        base_url,
        f"# abeja-notebooks emulator: organizations {', '.join(organizations)}; "
        f"job definitions {', '.join(job_definitions)}",
        f"export ABEJA_API_URL={shlex.quote(base_url)}",
        f"export ABEJA_ORGANIZATION_ID={shlex.quote(organizations[0])}",
    ]
    if tokens:
        lines.append(f"export PLATFORM_AUTH_TOKEN={shlex.quote(tokens[0])}")
    elif users:
        user_id, pat = next(iter(users.items()))
        lines.append(f"export ABEJA_PLATFORM_USER_ID={shlex.quote(user_id)}")
        lines.append(f"export ABEJA_PLATFORM_PERSONAL_ACCESS_TOKEN={shlex.quote(pat)}")
    else:
        lines.append("export PLATFORM_AUTH_TOKEN=emulator  # any well-formed credential works")
    lines.append("# press Ctrl-C to stop")
    return lines


@contextlib.contextmanager
def _sigterm_sets(stop: threading.Event) -> Generator[None, None, None]:
    """Make SIGTERM set ``stop`` (a clean exit, as Ctrl-C), when called from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_REPORT_FLAGS = frozenset({"--start-delay", "--log-interval"})
"""Besides the answer forms, the flags a report may set (never an address, a port or a
credential: a report may come from someone else)."""


def _report_flags(parser: argparse.ArgumentParser, path: str) -> list[str]:
    """The emulator flags a conformance report names, checked to be answer forms or timings."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        parser.error(f"--from-report {path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        parser.error(f"--from-report {path}: cannot read it ({why})")
    try:
        section = json.loads(text)["emulator"]
        flags = [*section["args"], *section["timing_args"]]
    except (ValueError, KeyError, TypeError) as exc:
        parser.error(f"--from-report {path}: not a conformance report ({exc})")
    allowed = _REPORT_FLAGS | {"--" + spec.name.replace("_", "-") for spec in fields(Dialect)}
    for flag in flags:
        if not isinstance(flag, str) or (flag.startswith("--") and flag not in allowed):
            parser.error(f"--from-report {path}: {flag!r} is not an answer form or a timing")
    return flags


def _user(text: str) -> tuple[str, str]:
    user_id, sep, pat = text.partition(":")
    if not sep or not user_id or not pat:
        raise argparse.ArgumentTypeError(f"expected USER_ID:PAT, got {text!r}")
    return user_id, pat


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value
