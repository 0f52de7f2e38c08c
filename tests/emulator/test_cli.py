"""``python -m abeja_notebooks.testing`` serves an emulator until interrupted."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from abeja_notebooks.testing._cli import main

from ._support import P, basic


def _read_line(process: subprocess.Popen[str], timeout: float = 20.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the emulator printed nothing in time")
    return process.stdout.readline().rstrip("\n")


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    """Start ``python -m abeja_notebooks.testing`` processes; kill leftovers at the end."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def _start(serve: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "abeja_notebooks.testing", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    serve.append(process)
    return process


def test_the_module_prints_its_url_first_and_serves_until_interrupted(
    serve: list[subprocess.Popen[str]],
) -> None:
    process = _start(serve, "--token", "s3cret", "--job-definition", "train-resnet")
    base_url = _read_line(process)
    assert base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=base_url, timeout=5.0) as http:
        assert http.get(P, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert http.get(P, headers={"Authorization": "Bearer other"}).status_code == 401
        created = http.post(P, json={}, headers={"Authorization": "Bearer s3cret"}).json()
    assert created["status"] == "Pending"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"export ABEJA_API_URL={base_url}" in out
    assert "export ABEJA_ORGANIZATION_ID=1410000000000" in out
    assert "export PLATFORM_AUTH_TOKEN=s3cret" in out
    assert err == ""


def test_sigterm_also_exits_cleanly(serve: list[subprocess.Popen[str]]) -> None:
    process = _start(serve, "--organization", "1234567890123", "--user", "42:pat")
    base_url = _read_line(process)
    path = "/organizations/1234567890123/training/definitions/train-resnet/notebooks"
    with httpx.Client(base_url=base_url, timeout=5.0) as http:
        assert http.get(path, headers=basic("user-42", "pat")).status_code == 200
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "export ABEJA_PLATFORM_USER_ID=42" in out
    assert err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--user", "no-colon"],
        ["--start-delay", "-1"],
        ["--log-interval", "0"],
        ["--port", "http"],
    ],
)
def test_bad_arguments_exit_with_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err
