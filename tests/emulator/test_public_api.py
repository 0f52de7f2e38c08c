"""The names the SDK's own tests import from ``abeja_notebooks.testing``."""

from __future__ import annotations

import json

import pytest

import abeja_notebooks.testing as testing
from abeja_notebooks.testing import (
    DEFAULT_JOB_DEFINITION,
    DEFAULT_ORGANIZATION_ID,
    Emulator,
    EmulatorResponse,
)

from ._support import BEARER, P


def test_public_names_are_exported() -> None:
    required = {
        "Emulator",
        "EmulatorServer",
        "ManualClock",
        "RealClock",
        "TimeSource",
        "Dialect",
        "RecordedRequest",
        "Fault",
        "DEFAULT_ORGANIZATION_ID",
        "DEFAULT_JOB_DEFINITION",
    }
    assert required <= set(testing.__all__)
    for name in testing.__all__:
        assert hasattr(testing, name), name


def test_defaults_are_the_documented_ids() -> None:
    assert DEFAULT_ORGANIZATION_ID == "1410000000000"
    assert DEFAULT_JOB_DEFINITION == "train-resnet"


def test_handle_is_callable_directly() -> None:
    emulator = Emulator()
    answer = emulator.handle("GET", P, "limit=5", BEARER, b"")
    assert isinstance(answer, EmulatorResponse)
    assert answer.status == 200
    assert answer.action == "respond"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Content-Length"] == str(len(answer.body))
    assert json.loads(answer.body) == {"total": 0, "offset": 0, "limit": 5, "entries": []}
    assert answer.json() == {"total": 0, "offset": 0, "limit": 5, "entries": []}


@pytest.mark.parametrize(
    ("option", "value"),
    [("start_delay", -1.0), ("log_interval", 0.0), ("log_page_size", 0), ("max_limit", 0)],
)
def test_emulator_settings_are_validated(option: str, value: float) -> None:
    emulator = Emulator()
    with pytest.raises(ValueError, match=option):
        setattr(emulator, option, value)
