"""The benchmark harness still runs (tiny sizes; nothing here times anything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert done.stdout.startswith("| benchmark | measure | SDK | baseline | ratio | target | met |")
    results = json.loads(out.read_text())
    assert results["meta"]["quick"] is True
    benchmarks = {row["benchmark"] for row in results["rows"]}
    assert benchmarks == {
        "per-call",
        "connections",
        "old client",
        "pagination",
        "async fan-out",
        "import",
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
