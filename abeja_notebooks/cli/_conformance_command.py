"""``abeja-notebooks conformance``: asking, the dry run, showing the report, the exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from abeja_notebooks import Client
from abeja_notebooks._endpoints import check_instance_type

from ._app import GlobalOptions, Output
from ._conformance import CLEANUP_SECONDS, Conformance, RunSettings, StepRecord
from ._conformance_steps import STEPS

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "conformance"]

EXIT_FAILED: Final = 1
EXIT_INTERRUPTED: Final = 130
EXIT_TERMINATED: Final = 143
"""A run stopped by SIGTERM, once it has cleaned up (128 + 15, as a shell reports it)."""

NOT_ASKED: Final = (
    "conformance creates notebooks (and deletes them): pass --yes to run it without a "
    "terminal to confirm at, or --dry-run to see what it would do"
)

_STYLES: Final = {"pass": "green", "differs": "yellow", "fail": "bold red", "skipped": "dim"}


def conformance(
    options: GlobalOptions,
    settings: RunSettings,
    *,
    yes: bool,
    dry_run: bool,
    strict: bool,
    report_file: str | None,
    can_ask: bool,
    client_of: Callable[[GlobalOptions], Client],
) -> None:
    """Run (or, with ``dry_run``, describe) a conformance run, then exit with its code.

    Args:
        options: The global options.
        settings: What to run.
        yes: Do not ask.
        dry_run: Only check access and list the steps.
        strict: A step that differs fails the run.
        report_file: Also write the JSON report there.
        can_ask: Whether a person is at a terminal to answer.
        client_of: Builds the client from the global options.

    Raises:
        typer.Exit: Always, with the exit code.
    """
    check_instance_type(settings.instance_type)
    if not (yes or dry_run or can_ask):
        raise ValueError(NOT_ASKED)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    with client_of(options) as client:
        run = Conformance(
            client,
            settings,
            on_step=lambda record: _progress(err, record),
            on_notice=lambda text: err.print(f"  {text}", markup=False),
        )
        run.preflight()  # a typo in the job definition, bad credentials: before anything else
        where = (
            f"job definition {settings.job} of organization {client.organization_id} at "
            f"{client.settings.base_url}"
        )
        if dry_run:
            _show_plan(out, options.output, run, where)
            raise typer.Exit(0)
        if not yes:
            typer.confirm(_question(settings, where), abort=True, err=True)
        err.print(f"Conformance run {run.run_id}: {where}", markup=False)
        run.run(STEPS)
    report = run.report()
    if report_file is not None:
        Path(report_file).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _show(out, options.output, run, report)
    for item in report["cleanup"]["left"]:
        err.print(
            f"Could not delete notebook {item['id']} ({item['why']}); delete it with:\n"
            f"    {item['command']}",
            markup=False,
        )
    for warning in report["cleanup"]["warnings"]:
        err.print(f"Warning: {warning}", markup=False)
    if report_file is not None:
        err.print(f"Report written to {report_file}", markup=False)
    raise typer.Exit(_exit_code(report["outcome"], strict, terminated=run.terminated))


def _exit_code(outcome: str, strict: bool, *, terminated: bool) -> int:
    if outcome == "interrupted":
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if outcome == "fail" or (strict and outcome == "differs"):
        return EXIT_FAILED
    return 0


def _question(settings: RunSettings, where: str) -> str:
    return (
        f"This run creates two notebooks ({settings.instance_type}, the server's default image) "
        f"in {where}, runs one for a few minutes (at most {settings.time_limit:.0f} s, and "
        f"{CLEANUP_SECONDS:.0f} s to clean up), and deletes both. It changes no other notebook.\n"
        "Continue?"
    )


def _progress(err: Console, record: StepRecord) -> None:
    outcome = record.outcome.value
    line = Text(f"{outcome:>8}", style=_STYLES[outcome])
    line.append(f"  {record.name} ({record.seconds:.1f} s)")
    err.print(line)


def _show_plan(out: Console, output: Output, run: Conformance, where: str) -> None:
    if output is Output.JSON:
        steps = [{"name": s.name, "changes": s.changes, "requests": s.plan} for s in STEPS]
        plan = {"dry_run": True, "api_url": run.client.settings.base_url, "steps": steps}
        out.out(json.dumps(plan, indent=2), highlight=False)
        return
    if output is Output.IDS:
        return
    out.print(f"Dry run: nothing was changed; {where} answered.", markup=False)
    out.print(
        f"A run would take these steps with instance type {run.settings.instance_type}, for at "
        f"most {run.settings.time_limit:.0f} s (and {CLEANUP_SECONDS:.0f} s to clean up):",
        markup=False,
    )
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("STEP", "CHANGES", "REQUESTS"):
        table.add_column(column)
    for step in STEPS:
        table.add_row(step.name, "yes" if step.changes else "no", Text(step.plan))
    out.print(table)


def _show(out: Console, output: Output, run: Conformance, report: dict[str, Any]) -> None:
    if output is Output.JSON:
        out.out(json.dumps(report, indent=2, ensure_ascii=False), highlight=False)
        return
    if output is Output.IDS:  # what is left to delete, for xargs
        for item in report["cleanup"]["left"]:
            out.out(item["id"], highlight=False)
        return
    sdk, emulator = report["sdk"], report["emulator"]
    out.print(
        f"Conformance of abeja-notebooks {sdk['version']} with {report['api_url']} "
        f"(run {report['run_id']}, {report['seconds']:.0f} s)",
        markup=False,
    )
    out.print(_steps_table(run))
    differing = [row for row in report["forms"] if row["differs"]]
    if differing:
        out.print(_forms_table(differing))
    same = len(report["forms"]) - len(differing)
    out.print(f"{same} of the {len(report['forms'])} forms met are the emulator's defaults.")
    cleanup = report["cleanup"]
    adopted = len(cleanup["adopted"])
    out.print(
        f"Cleanup: created {len(cleanup['created'])} notebooks"
        + (f" ({adopted} found in the listing after its create failed)" if adopted else "")
        + f", deleted {len(cleanup['deleted'])}"
        + (f", left {len(cleanup['left'])}" if cleanup["left"] else "")
        + (", see the warning below" if cleanup["warnings"] else ""),
        markup=False,
    )
    out.print(f"An emulator that answers the same way: {emulator['command']}", markup=False)
    if emulator["not_reproduced"]:
        names = ", ".join(emulator["not_reproduced"])
        out.print(f"Not reproduced by any emulator flag: {names}", markup=False)
    counts = report["counts"]
    summary = ", ".join(f"{counts[key]} {key}" for key in ("pass", "differs", "fail", "skipped"))
    result = Text(f"Result: {report['outcome']}", style=_STYLES.get(report["outcome"], "bold red"))
    result.append(f" ({summary})", style="")
    out.print(result)


def _steps_table(run: Conformance) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("STEP", "RESULT", "TIME", "DETAIL"):
        table.add_column(column, no_wrap=column != "DETAIL")
    for record in run.steps:
        lines = [record.detail] if record.detail else []
        lines += record.problems
        lines += [
            f"{item.form}: {item.observed} (the emulator: {item.expected})"
            for item in record.observations
            if item.differs
        ]
        lines += record.notes
        table.add_row(
            record.name,
            Text(record.outcome.value, style=_STYLES[record.outcome.value]),
            f"{record.seconds:.1f} s",
            Text("\n".join(lines)),  # never markup: it holds what the server sent
        )
    return table


def _forms_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("FORM", "OBSERVED", "EMULATOR DEFAULT", "EMULATOR FLAG"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["form"],
            Text(" | ".join(row["observed"]), style="yellow"),
            Text(row["expected"]),
            " ".join(row["emulator_flags"]) or "none yet",
        )
    return table
