"""Timing helpers: interleaved samples, medians, and the result table."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Row", "interleaved_medians", "print_table", "write_json"]


@dataclass
class Row:
    """One line of the result table: a figure, its baseline, their ratio and the target."""

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


def interleaved_medians(runs: dict[str, Callable[[], float]], *, samples: int) -> dict[str, float]:
    """Run each callable ``samples`` times, in turn (a, b, a, b, ...), and return medians.

    Interleaving spreads the machine's background noise evenly over every contender.
    Each callable returns its own measurement (seconds per operation, typically).
    """
    results: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(samples):
        for name, run in runs.items():
            results[name].append(run())
    return {name: statistics.median(values) for name, values in results.items()}


def per_call(function: Callable[[], object], calls: int) -> Callable[[], float]:
    """A sample that calls ``function`` ``calls`` times and returns seconds per call."""

    def sample() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        return (time.perf_counter() - started) / calls

    return sample


def print_table(rows: list[Row]) -> str:
    """Render the rows as a Markdown table (printed and reused by the docs page)."""
    lines = [
        "| benchmark | measure | SDK | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        met = "-" if row.passed is None else ("yes" if row.passed else "NO")
        sdk = f"{row.sdk:,.1f} {row.unit}"
        base = "-" if row.baseline != row.baseline else f"{row.baseline:,.1f} {row.unit}"
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.benchmark} | {row.measure}{note} | {sdk} | {base} | {ratio} | "
            f"{row.target} | {met} |"
        )
    return "\n".join(lines)


def write_json(rows: list[Row], path: Path, meta: dict[str, object]) -> None:
    """Write the rows and the run's facts as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2) + "\n")
