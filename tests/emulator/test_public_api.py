"""The names the SDK's own tests import from ``abeja_notebooks.testing``."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

import abeja_notebooks.testing as testing
from abeja_notebooks.testing import (
    DEFAULT_JOB_DEFINITION,
    DEFAULT_ORGANIZATION_ID,
    Dialect,
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


def test_the_lazy_names_the_checked_imports_and_all_agree() -> None:
    tree = ast.parse(Path(testing.__file__).read_text())
    checked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                checked |= {alias.name for alias in statement.names}
    lazy: dict[str, str] = vars(testing)["_LAZY"]

    assert checked == set(lazy) == set(testing.__all__)
    for name, module in lazy.items():
        assert name in vars(importlib.import_module(module, "abeja_notebooks.testing")), name


def test_the_emulators_old_clock_name_is_gone() -> None:
    old_name = "Clock"  # renamed TimeSource: abeja_notebooks.Clock is the SDK's, another protocol
    with pytest.raises(AttributeError, match="has no attribute 'Clock'"):
        getattr(testing, old_name)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("list_form", "xml"),
        ("action_response", "notebooks"),
        ("delete_response", None),
        ("int_ids_in_actions", 1),
    ],
)
def test_an_answer_form_outside_its_choices_is_rejected(option: str, value: object) -> None:
    emulator = Emulator()
    with pytest.raises(ValueError, match=option):
        setattr(emulator, option, value)
    assert emulator.dialect == Dialect()


def test_the_answer_form_attributes_and_the_dialect_are_one_setting() -> None:
    emulator = Emulator(dialect=Dialect(delete_response="message"))
    emulator.list_form = "bare"

    assert emulator.dialect == Dialect(list_form="bare", delete_response="message")
    assert emulator.delete_response == "message"
