"""The type-level suite in typings/ passes both checkers, and the public API is fully typed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(BIN.parent),
        "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1",
    }
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.needs("mypy")
@pytest.mark.slow
def test_mypy_strict_accepts_the_typing_suite_with_no_unused_ignore() -> None:
    result = run(sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "typings")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.needs("pyright")
@pytest.mark.slow
def test_pyright_strict_accepts_the_typing_suite_with_no_unnecessary_ignore() -> None:
    result = run(str(BIN / "pyright"), "--pythonpath", sys.executable, "typings")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout


@pytest.mark.needs("pyright")
@pytest.mark.slow
def test_the_public_api_is_fully_typed() -> None:
    result = run(str(BIN / "pyright"), "--verifytypes", "abeja_notebooks", "--ignoreexternal")

    assert "Type completeness score: 100%" in result.stdout, result.stdout[-3000:]
    assert "With unknown type: 0" in result.stdout
