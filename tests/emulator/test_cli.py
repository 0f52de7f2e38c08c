"""``python -m abeja_notebooks.testing`` serves an emulator until interrupted."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from abeja_notebooks.testing._cli import main

from ._support import BEARER, TLS, P, basic


def _read_banner(process: subprocess.Popen[str], timeout: float = 20.0) -> list[str]:
    """Read the lines printed at start-up, up to the Ctrl-C hint."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the emulator printed nothing in time")
    lines: list[str] = []
    while not lines or "Ctrl-C" not in lines[-1]:
        line = process.stdout.readline()
        assert line, f"the output ended early: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


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
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
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
    banner = _read_banner(process)
    base_url = banner[0]
    assert base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=base_url, timeout=5.0, verify=TLS) as http:
        assert http.get(P, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert http.get(P, headers={"Authorization": "Bearer other"}).status_code == 401
        created = http.post(P, json={}, headers={"Authorization": "Bearer s3cret"}).json()
    assert created["status"] == "Pending"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"export ABEJA_API_URL={base_url}" in banner
    assert "export ABEJA_ORGANIZATION_ID=1410000000000" in banner
    assert "export PLATFORM_AUTH_TOKEN=s3cret" in banner
    assert (out, err) == ("", "")


def test_sigterm_also_exits_cleanly(serve: list[subprocess.Popen[str]]) -> None:
    process = _start(serve, "--organization", "1234567890123", "--user", "42:pat")
    banner = _read_banner(process)
    base_url = banner[0]
    path = "/organizations/1234567890123/training/definitions/train-resnet/notebooks"
    with httpx.Client(base_url=base_url, timeout=5.0, verify=TLS) as http:
        assert http.get(path, headers=basic("user-42", "pat")).status_code == 200
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "export ABEJA_PLATFORM_USER_ID=42" in banner
    assert "export ABEJA_ORGANIZATION_ID=1234567890123" in banner
    assert (out, err) == ("", "")


def test_help_describes_every_answer_form_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    shown = capsys.readouterr().out
    assert exited.value.code == 0
    assert "--list-form {envelope,bare}" in shown
    assert "--action-response {notebook,message}" in shown
    assert "--delete-response {value,message}" in shown
    assert "--int-ids-in-actions" in shown
    assert "--ids {string,number}" in shown
    assert "--timestamps {reference,offset,naive,millis}" in shown
    assert "--error-body {api,message}" in shown
    assert "--request-id-header {x-request-id,x-amzn-requestid,none}" in shown
    assert "--from-report FILE" in shown
    assert "10,000" in shown  # the documented bound of the request log


@pytest.mark.parametrize(
    "argv",
    [
        ["--list-form", "xml"],
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


def _report(path: Path, args: list[str], timing: list[str]) -> str:
    """Write a conformance report holding only its emulator section."""
    path.write_text(json.dumps({"emulator": {"args": args, "timing_args": timing}}))
    return str(path)


def test_from_report_serves_the_forms_and_start_delay_a_report_recorded(
    serve: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    report = _report(tmp_path / "r.json", ["--list-form", "bare"], ["--start-delay", "0"])
    base_url = _read_banner(_start(serve, "--from-report", report))[0]

    with httpx.Client(base_url=base_url, headers=BEARER, timeout=5.0, verify=TLS) as http:
        http.post(P, json={})
        listing = http.get(P).json()

    assert isinstance(listing, list)
    assert listing[0]["status"] == "Running"  # no start delay


def test_flags_given_with_from_report_take_precedence(
    serve: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    report = _report(tmp_path / "r.json", ["--list-form", "bare"], [])
    base_url = _read_banner(_start(serve, "--from-report", report, "--list-form", "envelope"))[0]

    with httpx.Client(base_url=base_url, headers=BEARER, timeout=5.0, verify=TLS) as http:
        assert http.get(P).json()["entries"] == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--host", "0.0.0.0"], "'--host' is not an answer form or a timing"),
        (["--token", "x"], "'--token' is not an answer form or a timing"),
        ([7], "7 is not an answer form or a timing"),
    ],
)
def test_from_report_takes_only_answer_forms_and_timings(
    args: list[Any], problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(tmp_path / "r.json", args, [])

    with pytest.raises(SystemExit) as exited:
        main(["--from-report", report])

    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


def test_from_report_names_a_file_that_is_not_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")

    with pytest.raises(SystemExit) as exited:
        main(["--from-report", str(path)])

    assert exited.value.code == 2
    assert f"--from-report {path}: not a conformance report" in capsys.readouterr().err


def test_from_report_says_when_the_file_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing.json"

    with pytest.raises(SystemExit) as exited:
        main(["--from-report", str(path)])

    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(f"error: --from-report {path}: no such file\n")


def test_from_report_says_when_the_file_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--from-report", str(tmp_path)])  # a directory

    assert exited.value.code == 2
    assert f"--from-report {tmp_path}: cannot read it (Is a directory)" in capsys.readouterr().err
