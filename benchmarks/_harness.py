"""Timing helpers: paired rounds, a quiet process, and the result table.

Every figure the table judges is a comparison made inside one round: the baseline and the SDK
are measured back to back (their order alternating from round to round), and the round gives
one ratio (or, for whole processes, one difference). The figure is the median over the rounds
and the spread is their interquartile range. A burst of load from another process spoils the
rounds it lands in, not the median, and the spread shows how noisy the run was.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import statistics
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Paired", "Row", "paired_rounds", "per_call", "print_table", "quiet", "write_json"]

Sample = Callable[[], float]
"""One measurement: runs the work and returns its figure (seconds per operation, say)."""


@dataclass
class Row:
    """One line of the result table: a figure, its baseline, how they compare and the target.

    ``ratio`` (SDK / baseline) or ``difference`` (SDK - baseline, in ``unit``) is the figure the
    target applies to; ``spread`` is the interquartile range of that figure over the rounds.
    ``passed`` is decided on the figure as the table prints it, so a printed ``1.05x`` always
    meets ``<= 1.05x``.
    """

    benchmark: str
    measure: str
    sdk: float
    baseline: float
    unit: str
    target: str
    ratio: float | None = None
    passed: bool | None = None
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict[str, float])
    difference: float | None = None
    spread: tuple[float, float] | None = None
    rounds: int = 0


@dataclass(frozen=True)
class Paired:
    """What :func:`paired_rounds` found for one contender against the baseline.

    Attributes:
        sdk: The contender's median figure over the rounds.
        baseline: The baseline's median figure over the rounds.
        ratio: The median of the per-round ratios (contender / baseline).
        ratio_spread: The quartiles of the per-round ratios.
        difference: The median of the per-round differences (contender - baseline).
        difference_spread: The quartiles of the per-round differences.
        rounds: How many rounds were run.
    """

    sdk: float
    baseline: float
    ratio: float
    ratio_spread: tuple[float, float]
    difference: float
    difference_spread: tuple[float, float]
    rounds: int


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0])
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return (low, high)


def paired_rounds(
    baseline: Sample, contenders: dict[str, Sample], *, rounds: int, gc_off: bool = True
) -> dict[str, Paired]:
    """Measure the baseline and each contender back to back, ``rounds`` times.

    The order within a round rotates (baseline first, then second, ...), so neither side
    always runs on a cache the other warmed. As ``timeit`` does, the cyclic garbage collector
    is paused while a round runs (with ``gc_off``, the default), and garbage is collected
    between rounds: when a collection falls, and how much of the heap it walks, depends on
    everything else the process holds, and would swamp the figures being compared.

    Returns:
        For each contender, its figures against the baseline's in the same rounds.
    """
    names = ["", *contenders]  # "" is the baseline
    samples: dict[str, Sample] = {"": baseline, **contenders}
    figures: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        gc.collect()
        paused = gc_off and gc.isenabled()
        if paused:
            gc.disable()
        try:
            for name in names[shift:] + names[:shift]:
                figures[name].append(samples[name]())
        finally:
            if paused:
                gc.enable()
    base = figures[""]
    found: dict[str, Paired] = {}
    for name in contenders:
        ratios = [ours / theirs for ours, theirs in zip(figures[name], base, strict=True)]
        differences = [ours - theirs for ours, theirs in zip(figures[name], base, strict=True)]
        found[name] = Paired(
            sdk=statistics.median(figures[name]),
            baseline=statistics.median(base),
            ratio=statistics.median(ratios),
            ratio_spread=_quartiles(ratios),
            difference=statistics.median(differences),
            difference_spread=_quartiles(differences),
            rounds=rounds,
        )
    return found


def per_call(function: Callable[[], object], calls: int) -> Sample:
    """A sample that calls ``function`` ``calls`` times and returns seconds per call."""

    def sample() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        return (time.perf_counter() - started) / calls

    return sample


@contextlib.contextmanager
def quiet() -> Generator[dict[str, object]]:
    """Run the block on one CPU, at a raised priority where allowed.

    Staying on one CPU spares the measurement the cost of moving between CPUs (and a cold
    cache after each move); a raised priority makes other processes of a shared machine
    preempt it less often. Both apply to baseline and SDK alike. Each is skipped where the
    system does not offer it or does not allow it. The dict yielded says what was applied.
    """
    applied: dict[str, object] = {}
    affinity = getattr(os, "sched_getaffinity", None)
    pin = getattr(os, "sched_setaffinity", None)
    before_cpus: set[int] | None = None
    if affinity is not None and pin is not None:
        before_cpus = set(affinity(0))
        cpu = max(before_cpus)
        with contextlib.suppress(OSError):
            pin(0, {cpu})
            applied["cpu"] = cpu
    before_nice: int | None = None
    if hasattr(os, "getpriority"):
        before_nice = os.getpriority(os.PRIO_PROCESS, 0)
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, -10)
            applied["nice"] = -10
    try:
        yield applied
    finally:
        if "nice" in applied and before_nice is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, 0, before_nice)
        if "cpu" in applied and before_cpus is not None and pin is not None:
            pin(0, before_cpus)


def _figure(row: Row) -> tuple[str, float | None]:
    """The figure the target applies to, as printed, and its printed value."""
    if row.ratio is not None:
        text = f"{row.ratio:.2f}x"
        if row.spread is not None:
            text += f" ({row.spread[0]:.2f}-{row.spread[1]:.2f})"
        return text, round(row.ratio, 2)
    if row.difference is not None:
        text = f"{row.difference:+.1f} {row.unit}"
        if row.spread is not None:
            text += f" ({row.spread[0]:+.1f} to {row.spread[1]:+.1f})"
        return text, round(row.difference, 1)
    return "-", None


def printed_value(row: Row) -> float | None:
    """The row's figure rounded as the table prints it (what ``passed`` is decided on)."""
    return _figure(row)[1]


def _amount(value: float, unit: str) -> str:
    if value != value:  # NaN: nothing measured
        return "-"
    return f"{value:,.1f} {unit}" if abs(value) < 1000 else f"{value:,.0f} {unit}"


def print_table(rows: list[Row]) -> str:
    """Render the rows as a Markdown table, notes numbered beneath it (also used by the docs)."""
    lines = [
        "| benchmark | measure | SDK | baseline | SDK vs baseline (IQR) | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for row in rows:
        met = "-" if row.passed is None else ("yes" if row.passed else "NO")
        mark = ""
        if row.note:
            notes.append(row.note)
            mark = f" [{len(notes)}]"
        lines.append(
            f"| {row.benchmark} | {row.measure}{mark} | {_amount(row.sdk, row.unit)} | "
            f"{_amount(row.baseline, row.unit)} | {_figure(row)[0]} | {row.target} | {met} |"
        )
    if notes:
        lines.append("")
        lines += [f"{number}. {note}" for number, note in enumerate(notes, 1)]
    return "\n".join(lines)


def write_json(rows: list[Row], path: Path, meta: dict[str, object]) -> None:
    """Write the rows and the run's facts as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2) + "\n")
