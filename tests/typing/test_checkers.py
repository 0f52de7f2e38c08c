"""The type-level suite in typings/ passes both checkers, and the public API is fully typed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.blocks import python_blocks

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


# (where in the example, the key, the key misspelled)
MISSPELLINGS = [
    ('notebook["name"]', "name", "nmae"),
    ('notebook["creator"]["email"]', "email", "emial"),
    ('logs["events"]', "events", "event"),
]


@pytest.mark.needs("mypy", "pyright")
@pytest.mark.slow
def test_both_checkers_pass_the_migration_example_and_report_its_keys_misspelled(
    tmp_path: Path,
) -> None:
    """The drop-in's promise to typed code: the old calls check as they are, typos do not."""
    source = python_blocks(ROOT / "docs" / "migration.md")[0].source  # "the code above"
    misspelled = source
    for where, key, wrong in MISSPELLINGS:
        assert misspelled.count(where) == 1, where
        misspelled = misspelled.replace(where, where.replace(f'"{key}"', f'"{wrong}"'))
    (tmp_path / "as_is.py").write_text(source)
    (tmp_path / "typos.py").write_text(misspelled)
    (tmp_path / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}')

    mypy = run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--cache-dir",
        str(tmp_path / ".mypy"),
        str(tmp_path / "as_is.py"),
        str(tmp_path / "typos.py"),
    )
    pyright = run(str(BIN / "pyright"), "--pythonpath", sys.executable, "-p", str(tmp_path))

    for output in (mypy.stdout, pyright.stdout):
        merged = re.sub(r"\n[ \xa0]{4,}", " ", output)  # pyright's message on more lines
        errors = [line for line in merged.splitlines() if "error" in line]
        assert not [line for line in errors if "as_is.py" in line], output
        for _, _, wrong in MISSPELLINGS:
            assert any(f'"{wrong}"' in line and "typos.py" in line for line in errors), output
