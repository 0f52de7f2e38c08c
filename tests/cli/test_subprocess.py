"""Each command as a real process against ``abeja-notebooks emulator`` over HTTP."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from abeja_notebooks.testing import Emulator, EmulatorServer
from tests.support import JOB, ORG

SCRIPT = str(Path(sys.executable).parent / "abeja-notebooks")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_env() -> Iterator[dict[str, str]]:
    """``abeja-notebooks emulator`` on a free port; the env a user would export for it."""
    process = subprocess.Popen(
        [SCRIPT, "emulator", "--port", "0", "--start-delay", "0.2", "--log-interval", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    banner = [process.stdout.readline() for _ in range(4)]
    assert url.startswith("http://127.0.0.1:")
    assert f"export ABEJA_API_URL={url}\n" in banner
    assert f"export ABEJA_ORGANIZATION_ID={ORG}\n" in banner
    env = {
        **os.environ,
        "ABEJA_API_URL": url,
        "ABEJA_ORGANIZATION_ID": ORG,
        "PLATFORM_AUTH_TOKEN": "subprocess-token",
        "ABEJA_NOTEBOOKS_CONFIG_FILE": "",  # never the developer's ~/.abeja/config
    }
    yield env
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)  # also closes the pipes
    assert process.returncode == 0


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def ok_json(env: dict[str, str], *args: str) -> Any:
    done = cli(env, "-o", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_whole_lifecycle_as_processes(served_env: dict[str, str]) -> None:
    created = ok_json(served_env, "create", JOB, "--instance-type", "cpu-1", "--wait")
    nid = created["training_notebook_id"]
    assert created["status"] == "Running"

    assert ok_json(served_env, "get", JOB, nid)["training_notebook_id"] == nid
    assert nid in cli(served_env, "-o", "ids", "list", JOB).stdout.split()
    table = cli(served_env, "list", JOB)
    assert table.returncode == 0
    assert "Running" in table.stdout
    assert "\x1b[" not in table.stdout  # piped: no colour codes
    assert ok_json(served_env, "update", JOB, nid, "--image", "abeja-inc/all-gpu:20.10")[
        "image"
    ] == ("abeja-inc/all-gpu:20.10")
    assert ok_json(served_env, "logs", JOB, nid)  # some lines already
    assert ok_json(served_env, "stop", JOB, nid, "--wait")["status"] == "Stopped"
    assert ok_json(served_env, "start", JOB, nid)["status"] == "Pending"
    assert ok_json(served_env, "wait", JOB, nid, "--status", "Running")["status"] == "Running"
    deleted = cli(served_env, "delete", JOB, nid, "--yes")
    assert (deleted.returncode, deleted.stdout.strip()) == (0, f"Deleted notebook {nid}.")


def test_logs_follow_ends_when_the_notebook_stops(served_env: dict[str, str]) -> None:
    nid = ok_json(served_env, "create", JOB, "--wait")["training_notebook_id"]
    follower = subprocess.Popen(  # from the first line, however late it starts on a busy machine
        [
            SCRIPT,
            "-o",
            "json",
            "logs",
            JOB,
            nid,
            "--history",
            "--follow",
            "--poll-interval",
            "0.05",
        ],
        env=served_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    assert cli(served_env, "stop", JOB, nid).returncode == 0
    out, err = follower.communicate(timeout=30)

    assert follower.returncode == 0, err
    messages = [json.loads(line)["message"] for line in out.splitlines()]
    assert len(messages) >= 5
    assert len(messages) == len(set(messages))  # nothing twice
    assert ok_json(served_env, "logs", JOB, nid, "--history") == [
        json.loads(line) for line in out.splitlines()
    ]


def test_ctrl_c_during_follow_exits_130_without_a_traceback(served_env: dict[str, str]) -> None:
    nid = ok_json(served_env, "create", JOB, "--wait")["training_notebook_id"]
    follower = subprocess.Popen(
        [SCRIPT, "logs", JOB, nid, "--follow", "--poll-interval", "0.05"],
        env=served_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    follower.send_signal(signal.SIGINT)
    _, err = follower.communicate(timeout=30)

    assert follower.returncode == 130
    assert "Traceback" not in err


def test_errors_are_one_line_with_exit_1(served_env: dict[str, str]) -> None:
    done = cli(served_env, "get", JOB, "1999999999999")

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "API error: notebook 1999999999999 not found: 404 Not Found" in done.stderr
    assert "request id" in done.stderr


def test_usage_errors_exit_2(served_env: dict[str, str]) -> None:
    assert cli(served_env, "get").returncode == 2
    assert cli(served_env, "create", JOB, "--instance-type", "big").returncode == 2


def test_the_emulator_command_documents_its_options(served_env: dict[str, str]) -> None:
    done = cli(served_env, "emulator", "--help")

    assert done.returncode == 0
    assert "--port" in done.stdout
    assert "--job-definition" in done.stdout
    assert "--int-ids-in-actions" in done.stdout


def test_without_the_cli_extra_it_prints_the_install_command() -> None:
    code = "import sys; sys.modules['typer'] = None; from abeja_notebooks.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 1
    assert 'pip install "abeja-notebooks[cli]"' in done.stderr
    assert "Traceback" not in done.stderr


# Runs the command line with the pty named in argv[1] as its controlling terminal (the session
# is new: opening the terminal makes it the session's), as a shell on that terminal would.
ON_TERMINAL = """
import os, sys
terminal = os.open(sys.argv[1], os.O_RDWR)
os.dup2(terminal, 0)
os.execv(sys.argv[2], sys.argv[2:])
"""


def test_token_dash_on_a_terminal_asks_on_stderr_and_does_not_echo() -> None:
    emulator = Emulator(tokens=["typed-at-the-terminal"])
    emulator.seed(1)
    master, slave = pty.openpty()
    with EmulatorServer(emulator) as server:
        env = {
            **os.environ,
            "ABEJA_API_URL": server.base_url,
            "ABEJA_ORGANIZATION_ID": ORG,
            "ABEJA_NOTEBOOKS_CONFIG_FILE": "",
        }
        env.pop("PLATFORM_AUTH_TOKEN", None)
        command = [SCRIPT, "--token", "-", "-o", "ids", "list", JOB]
        process = subprocess.Popen(
            [sys.executable, "-c", ON_TERMINAL, os.ttyname(slave), *command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        try:
            prompt = _read_for(process.stderr, 20.0, b": ")
            _wait_for_echo_off(master, 20.0)  # as a person would: type once it is listening
            os.write(master, b"typed-at-the-terminal\n")
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
        shown = _read_for(master, 0.5)
        os.close(master)

    assert process.returncode == 0, err
    assert prompt == b"Token (not shown): "
    assert out.split() == [nb["training_notebook_id"].encode() for nb in emulator.notebooks()]
    assert b"typed-at-the-terminal" not in shown  # no echo on the terminal


def _wait_for_echo_off(terminal: int, seconds: float) -> None:
    """Wait until the terminal no longer echoes (typing earlier would be flushed away)."""
    deadline = time.monotonic() + seconds
    while termios.tcgetattr(terminal)[3] & termios.ECHO:
        assert time.monotonic() < deadline, "the terminal still echoes"
        time.sleep(0.01)


def _read_for(source: IO[bytes] | int | None, seconds: float, until: bytes = b"") -> bytes:
    """What ``source`` (a pipe or a file descriptor) gives within ``seconds``, stopping early
    once the text read ends with ``until``."""
    assert source is not None
    fd = source if isinstance(source, int) else source.fileno()
    read = b""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and select.select([fd], [], [], left)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # a pty whose other side is closed
            break
        if not chunk:
            break
        read += chunk
        if until and read.endswith(until):
            break
    return read
