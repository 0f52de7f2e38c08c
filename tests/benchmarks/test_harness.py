"""The benchmark harness runs, and judges what it prints (nothing here times anything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks._harness import Paired, paired_rounds, print_table
from benchmarks.cases import ratio_row

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_harness_runs_every_benchmark_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "| benchmark | measure | SDK | baseline | SDK vs baseline (IQR) | target | met |"
    )
    results = json.loads(out.read_text())
    assert results["meta"]["quick"] is True
    benchmarks = {row["benchmark"] for row in results["rows"]}
    assert benchmarks == {
        "per-call",
        "connections",
        "page",
        "old client",
        "pagination",
        "async fan-out",
        "import",
        "first use",
        "idle follow",
        "cli start-up",
        "emulator memory",
    }
    timed = [
        row for row in results["rows"] if row["benchmark"] not in {"old client", "emulator memory"}
    ]
    assert all(row["sdk"] > 0 for row in timed)
    (memory,) = [row for row in results["rows"] if row["benchmark"] == "emulator memory"]
    assert memory["extra"]["lifecycles"] > 0


def _paired(ratio: float) -> Paired:
    return Paired(
        sdk=ratio,
        baseline=1.0,
        ratio=ratio,
        ratio_spread=(ratio, ratio),
        difference=ratio - 1,
        difference_spread=(ratio - 1, ratio - 1),
        rounds=1,
    )


def test_a_ratio_printed_at_the_target_meets_it() -> None:
    row = ratio_row("per-call", "get", _paired(1.0549), scale=1.0, unit="s", target=1.05)

    assert "| 1.05x (1.05-1.05) | <= 1.05x | yes |" in print_table([row])
    assert row.passed is True


def test_a_ratio_printed_above_the_target_misses_it() -> None:
    row = ratio_row("per-call", "get", _paired(1.0551), scale=1.0, unit="s", target=1.05)

    assert "| 1.06x (1.06-1.06) | <= 1.05x | NO |" in print_table([row])
    assert row.passed is False


def test_paired_rounds_compare_each_round_with_its_own_baseline() -> None:
    # The machine slows down from round to round; the contender always takes twice what the
    # baseline takes in the same round, so every per-round ratio is 2 whatever the medians.
    speed_of_round = [1.0, 50.0, 3.0]
    calls: list[str] = []

    def sample(name: str, factor: float) -> float:
        calls.append(name)
        return factor * speed_of_round[(len(calls) - 1) // 2]

    found = paired_rounds(
        lambda: sample("baseline", 1.0), {"sdk": lambda: sample("sdk", 2.0)}, rounds=3
    )["sdk"]

    assert found.ratio == 2.0
    assert found.ratio_spread == (2.0, 2.0)
    assert (found.baseline, found.sdk) == (3.0, 6.0)
    assert calls == ["baseline", "sdk", "sdk", "baseline", "baseline", "sdk"]
